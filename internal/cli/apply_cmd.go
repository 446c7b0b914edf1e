package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/migrate"
)

const applyLong = `Execute a saved plan (vpcshift plan -o plan.json) stage by stage:
preflight, network, dns, services, decommission.

Without --yes it is a dry run: it re-reads the estate, checks that the plan
is still current, and prints exactly what each step would change (revision
names, traffic splits, records), changing nothing. With --yes it executes;
on a terminal it asks before each stage, naming what will change.

Safety:
  - A plan whose resources changed since it was made is refused (exit 5),
    naming each one: make a new plan.
  - Every change is a read-modify-write with the etag: if someone else
    deploys a service meanwhile, vpcshift stops for it and overwrites
    nothing.
  - A service moves as a canary: a new revision on Direct VPC egress with no
    traffic under a tag, Ready, then traffic in the plan's steps, each
    watched for --soak; a 5xx ratio worse than the previous revision's by
    more than --max-5xx-increase routes 100% back, restores the service and
    stops (exit 6). Without monitoring data it asks on a terminal; elsewhere
    it stops unless --accept-no-metrics.
  - A connector is deleted only when a fresh read of every consumer kind in
    every project of the plan finds nothing on it; a Cloud NAT gateway is
    changed only with --allow-nat-removal.
  - Each step is journaled before and after (an append-only, fsynced file
    per plan under $XDG_STATE_HOME/vpcshift, or --journal FILE; a lock keeps
    a second apply of the same plan out). After a crash or a stop, --resume
    re-checks what the journal says was done and goes on; 'vpcshift
    rollback PLAN' undoes it. Interrupting (Ctrl-C) stops at once, leaving
    every service on Ready revisions; --resume goes on. Soaks count from the
    journal, so a run interrupted during the decommission wait does not
    start it over.

The scope is the plan's: the projects it was made from. Under --demo the
in-process emulator lives for one command only, so the journal goes to a
temporary directory unless --journal is given; run 'vpcshift emulator' and
use --emulator ADDR to keep state across commands.

Progress goes to stderr, one line per step with its status and duration (a
live line on a terminal). Exit codes: 0 done, 1 stopped (see the message
and the fix), 5 stale plan, 6 stopped and rolled back.`

const applyExample = `  # what would happen, step by step (changes nothing)
  vpcshift apply plan.json

  # do it, asking before each stage on a terminal
  vpcshift apply plan.json --yes

  # one stage, one service
  vpcshift apply plan.json --yes --stage services --only service/checkout

  # after a crash, a stop or a fix: go on from the journal
  vpcshift apply plan.json --yes --resume

  # in CI, without monitoring data and with a shorter canary
  vpcshift apply plan.json --yes --soak 2m --accept-no-metrics`

type applyFlags struct {
	yes              bool
	stage            string
	only             []string
	resume           bool
	journal          string
	parallel         int
	soak             time.Duration
	decommissionSoak time.Duration
	allowNAT         bool
	acceptNoMetrics  bool
	max5xx           float64
	done             []string
}

func newApplyCmd(o *globalOpts) *cobra.Command {
	f := &applyFlags{}
	cmd := &cobra.Command{
		Use:     "apply PLAN",
		Short:   "Execute a saved plan (dry run unless --yes)",
		Long:    applyLong,
		Example: applyExample,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApply(cmd, o, f, args[0])
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&f.yes, "yes", "y", false, "execute (without it: a dry run that changes nothing)")
	fl.StringVar(&f.stage, "stage", "", "run only this stage (preflight, network, dns, services, decommission)")
	fl.StringArrayVar(&f.only, "only", nil, "only this consumer, as KIND/NAME (service/api, job/etl, worker-pool/w, function/f); repeatable; preflight, network and dns still run, decommission does not")
	fl.BoolVar(&f.resume, "resume", false, "continue from the journal: re-check what it says was done, then go on")
	fl.StringVar(&f.journal, "journal", "", "journal file (default: $XDG_STATE_HOME/vpcshift/plan-FINGERPRINT.journal)")
	fl.IntVar(&f.parallel, "parallel", 4, "consumers migrated at once within a stage")
	fl.DurationVar(&f.soak, "soak", 0, "how long to watch each canary traffic step (default: the plan's canarySoak, 5m; 0s: no wait)")
	fl.DurationVar(&f.decommissionSoak, "decommission-soak", 0, "wait after the last consumer of a connector moved before deleting it (default: the plan's decommissionSoak, 24h; 0s: no wait)")
	fl.BoolVar(&f.allowNAT, "allow-nat-removal", false, "let the plan remove Cloud NAT gateways or take subnets out of them")
	fl.BoolVar(&f.acceptNoMetrics, "accept-no-metrics", false, "go on when a canary's health cannot be measured (no monitoring data) and nobody can be asked")
	fl.Float64Var(&f.max5xx, "max-5xx-increase", 1, "percentage points by which a new revision's 5xx ratio may exceed the previous revision's")
	fl.StringArrayVar(&f.done, "done", nil, "a manual step (by ID) that a person has done; repeatable")
	return cmd
}

// validate checks the flags and the plan.
func (f *applyFlags) validate(cmd *cobra.Command) error {
	if f.parallel < 1 || f.parallel > 64 {
		return usageError("--parallel must be between 1 and 64, not %d", f.parallel)
	}
	if f.soak < 0 || f.decommissionSoak < 0 {
		return usageError("soak periods cannot be negative")
	}
	if f.max5xx < 0 || f.max5xx > 100 {
		return usageError("--max-5xx-increase must be between 0 and 100 percentage points, not %g", f.max5xx)
	}
	if f.stage != "" {
		ok := false
		for _, s := range migrate.Stages {
			ok = ok || string(s) == f.stage
		}
		if !ok {
			return usageError("--stage must be one of preflight, network, dns, services, decommission, not %q", f.stage)
		}
	}
	for _, o := range f.only {
		if k, n, ok := strings.Cut(o, "/"); !ok || k == "" || n == "" {
			return usageError("--only wants KIND/NAME (service/api), not %q", o)
		}
	}
	return nil
}

// loadPlan reads PLAN.
func loadPlan(path string) (*migrate.Plan, error) {
	p, err := migrate.Load(path)
	if err != nil {
		return nil, &ExitError{Code: ExitFailure, Err: fmt.Errorf("reading the plan: %w", err), Hint: "make one with 'vpcshift plan -o plan.json'"}
	}
	return p, nil
}

// planSession connects with the plan's scope.
func (o *globalOpts) planSession(ctx context.Context, p *migrate.Plan) (*session, []string, error) {
	projects := p.Source.Projects
	if len(projects) == 0 {
		projects = p.Scope.Projects
	}
	if len(o.projects) > 0 && strings.Join(dedupe(o.projects), ",") != strings.Join(projects, ",") {
		return nil, nil, usageError("the scope comes from the plan (%s): --project cannot change it", strings.Join(projects, ", "))
	}
	if len(projects) == 0 {
		return nil, nil, &ExitError{Code: ExitFailure, Err: errors.New("the plan names no project"), Hint: "make a new plan with 'vpcshift plan -o plan.json'"}
	}
	saved, org, folder := o.projects, o.org, o.folder
	o.projects, o.org, o.folder = projects, "", ""
	s, err := o.connect(ctx)
	o.projects, o.org, o.folder = saved, org, folder
	if err != nil {
		return nil, nil, err
	}
	return s, projects, nil
}

// journalPath is --journal, else the plan's file in the state directory
// (a temporary one under --demo, whose estate lives for one command).
func (o *globalOpts) journalPath(flag string, s *session, p *migrate.Plan) (string, func(), error) {
	if flag != "" {
		return flag, func() {}, nil
	}
	if s.emu != nil {
		dir, err := os.MkdirTemp("", "vpcshift-demo-journal")
		if err != nil {
			return "", nil, err
		}
		return migrate.JournalPath(dir, p), func() { os.RemoveAll(dir) }, nil
	}
	return migrate.JournalPath(migrate.StateDir(o.env.Getenv, o.env.HomeDir), p), func() {}, nil
}

func reinventory(s *session, projects []string, now func() time.Time) func(context.Context) (*inventory.Snapshot, error) {
	return func(ctx context.Context) (*inventory.Snapshot, error) {
		// The versions a plan records do not depend on usage: read an hour.
		return s.clients.Collect(ctx, gcp.CollectOptions{Projects: projects, Now: now(), UsageWindow: time.Hour})
	}
}

func runApply(cmd *cobra.Command, o *globalOpts, f *applyFlags, planPath string) error {
	if err := f.validate(cmd); err != nil {
		return err
	}
	ctx := cmd.Context()
	p, err := loadPlan(planPath)
	if err != nil {
		return err
	}
	s, projects, err := o.planSession(ctx, p)
	if err != nil {
		return err
	}
	defer s.Close()
	jpath, cleanup, err := o.journalPath(f.journal, s, p)
	if err != nil {
		return err
	}
	defer cleanup()

	pr := newApplyProgress(o.env.Err, o.env.ErrTTY, o.verbose)
	ex := &migrate.Executor{
		Target:          s.clients,
		Now:             o.env.Now,
		Parallel:        f.parallel,
		AllowNATRemoval: f.allowNAT,
		AcceptNoMetrics: f.acceptNoMetrics,
		HealthThreshold: f.max5xx / 100,
		Events:          pr.Event,
		Reinventory:     reinventory(s, projects, o.env.Now),
		Projects:        projects,
	}
	if f.max5xx == 0 {
		ex.HealthThreshold = -1 // no increase at all
	}
	if cmd.Flags().Changed("soak") {
		ex.Soak = f.soak
		if f.soak == 0 {
			ex.Soak = -1
		}
	}
	if cmd.Flags().Changed("decommission-soak") {
		ex.DecommissionSoak = f.decommissionSoak
		if f.decommissionSoak == 0 {
			ex.DecommissionSoak = -1
		}
	}
	opts := migrate.ApplyOptions{Stage: migrate.StageName(f.stage), Only: f.only, Resume: f.resume, DryRun: !f.yes, ManualDone: f.done}

	if !f.yes {
		recs, torn, err := migrate.LoadJournal(jpath)
		if err != nil {
			pr.Close()
			return err
		}
		ex.History = recs
		res, err := ex.Apply(ctx, p, opts)
		pr.Close()
		if torn != "" {
			res.Notes = append(res.Notes, "journal "+jpath+": "+torn)
		}
		if err == nil || errors.Is(err, migrate.ErrPlanBlocked) {
			printDryRun(o.env.Out, planPath, p, res, pr.stale, jpath)
		}
		return applyError(err, planPath)
	}

	j, err := migrate.OpenJournal(jpath, p)
	if err != nil {
		pr.Close()
		if errors.Is(err, migrate.ErrJournalLocked) {
			return &ExitError{Code: ExitFailure, Err: err, Hint: "wait for that apply to end; if no vpcshift runs any more, remove " + jpath + ".lock"}
		}
		return err
	}
	defer j.Close()
	ex.Journal = j
	if o.env.InTTY && o.env.ErrTTY {
		ex.Confirm = ttyConfirm(o.env.In, o.env.Err, pr)
	}
	res, err := ex.Apply(ctx, p, opts)
	pr.Close()
	printApplySummary(o.env.Err, res, jpath)
	return applyError(err, planPath)
}

// applyError maps the executor's errors to exit codes and fixes.
func applyError(err error, planPath string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return context.Canceled // "interrupted": --resume goes on from the journal
	}
	fix := func(h string) string { return strings.ReplaceAll(h, "PLAN", planPath) }
	var se *migrate.StopError
	switch {
	case errors.Is(err, migrate.ErrStalePlan):
		return &ExitError{Code: ExitStalePlan, Err: err, Hint: "make a new plan from what is live now: vpcshift plan -o " + planPath}
	case errors.Is(err, migrate.ErrRolledBack):
		h := ""
		if errors.As(err, &se) {
			h = fix(se.Hint)
		}
		return &ExitError{Code: ExitRolledBack, Err: err, Hint: h}
	case errors.Is(err, migrate.ErrPlanBlocked):
		return &ExitError{Code: ExitFailure, Err: err, Hint: "resolve the blockers as each fix says, then make a new plan (vpcshift plan -o " + planPath + ")"}
	case errors.As(err, &se):
		return &ExitError{Code: ExitFailure, Err: err, Hint: fix(se.Hint)}
	}
	return err
}

// printDryRun writes what a dry run found, step by step, in plan order.
func printDryRun(w io.Writer, planPath string, p *migrate.Plan, res migrate.Result, stale, jpath string) {
	fmt.Fprintf(w, "Dry run of %s (plan %s, made %s): nothing is changed.\n", planPath, shortFP(p.Source.Fingerprint), p.CreatedAt.UTC().Format(time.RFC3339))
	if stale != "" {
		fmt.Fprintf(w, "%s.\n", upperFirst(stale))
	}
	if p.Stopped() {
		fmt.Fprintln(w, "A blocker stops the plan: only preflight would run.")
	}
	stage := migrate.StageName("")
	for i, s := range res.Steps {
		if s.Stage != stage {
			stage = s.Stage
			title := string(stage)
			if st, ok := p.Stage(stage); ok && st.Title != "" {
				title += " — " + st.Title
			}
			fmt.Fprintf(w, "\nStage %s\n", title)
		}
		verb := s.Message
		switch s.Status {
		case migrate.StatusAlreadyDone:
			verb = "already done: " + s.Message
		case migrate.StatusSkipped:
			verb = "skipped: " + s.Message
		}
		fmt.Fprintf(w, "%3d. %s\n     %s\n", i+1, s.ID, verb)
		for _, d := range s.Details {
			fmt.Fprintf(w, "     %s\n", d)
		}
	}
	fmt.Fprintf(w, "\n%d step(s) would run, %d already done, %d would be skipped.\n", res.Count(migrate.StatusPlanned), res.Count(migrate.StatusAlreadyDone), res.Count(migrate.StatusSkipped))
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "Journal: %s\n", jpath)
	fmt.Fprintf(w, "To apply: vpcshift apply %s --yes\n", planPath)
}

func printApplySummary(w io.Writer, res migrate.Result, jpath string) {
	fmt.Fprintf(w, "%d succeeded, %d already done, %d skipped, %d failed, %d rolled back, %d not run (journal %s)\n",
		res.Count(migrate.StatusSucceeded), res.Count(migrate.StatusAlreadyDone), res.Count(migrate.StatusSkipped),
		res.Count(migrate.StatusFailed), res.Count(migrate.StatusRolledBack), res.Count(migrate.StatusNotRun), jpath)
	for _, n := range res.Notes {
		fmt.Fprintf(w, "! %s\n", n)
	}
}

func shortFP(fp string) string {
	fp = strings.TrimPrefix(fp, "sha256:")
	if len(fp) > 12 {
		fp = fp[:12]
	}
	if fp == "" {
		return "-"
	}
	return fp
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ttyConfirm asks on the terminal; anything but y/yes is no.
func ttyConfirm(in io.Reader, w io.Writer, pr *applyProgress) func(context.Context, migrate.Prompt) (bool, error) {
	rd := bufio.NewReader(in)
	return func(ctx context.Context, p migrate.Prompt) (bool, error) {
		pr.pause()
		defer pr.resume()
		for _, d := range p.Details {
			fmt.Fprintf(w, "  - %s\n", d)
		}
		fmt.Fprintf(w, "%s [y/N] ", p.Question)
		line, err := rd.ReadString('\n')
		if err != nil && line == "" {
			if errors.Is(err, io.EOF) {
				return false, nil
			}
			return false, err
		}
		a := strings.ToLower(strings.TrimSpace(line))
		return a == "y" || a == "yes", nil
	}
}

// applyProgress prints the executor's events on stderr: a line per step
// with its status and duration; on a terminal, a live line with what is
// running.
type applyProgress struct {
	w       io.Writer
	tty     bool
	verbose bool

	mu      sync.Mutex
	running map[string]string // step ID → what it does now
	order   []string
	total   int
	done    int
	paused  bool
	stale   string
	stop    chan struct{}
	stopped chan struct{}
}

func newApplyProgress(w io.Writer, tty, verbose bool) *applyProgress {
	p := &applyProgress{w: w, tty: tty, verbose: verbose, running: map[string]string{}, stop: make(chan struct{}), stopped: make(chan struct{})}
	if tty {
		go p.loop()
	} else {
		close(p.stopped)
	}
	return p
}

var statusMark = map[migrate.EventKind]string{
	migrate.EventStepSucceeded:   "✓",
	migrate.EventStepAlreadyDone: "=",
	migrate.EventStepSkipped:     "-",
	migrate.EventStepFailed:      "✗",
	migrate.EventStepRolledBack:  "↺",
}

// Event is the executor's Events callback.
func (p *applyProgress) Event(e migrate.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.Total > 0 {
		p.total = e.Total
	}
	switch e.Kind {
	case migrate.EventRunStarted:
		p.line("vpcshift: " + e.Message)
	case migrate.EventStaleCheck:
		p.stale = e.Message
		p.line("vpcshift: " + e.Message)
	case migrate.EventStageStarted:
		p.line(fmt.Sprintf("== stage %s: %s", e.Stage, e.Message))
	case migrate.EventStepPlanned:
		// The dry run's report goes to stdout.
	case migrate.EventStepStarted:
		p.running[e.Step] = firstNonEmptyString(e.Title, string(e.Action))
		p.order = append(p.order, e.Step)
	case migrate.EventStepProgress:
		if e.Step != "" {
			p.running[e.Step] = e.Message
		}
		if p.verbose || !p.tty {
			p.line("        … " + e.Step + ": " + e.Message)
		}
	case migrate.EventWarning:
		p.line("! " + e.Message)
	case migrate.EventStepSucceeded, migrate.EventStepAlreadyDone, migrate.EventStepSkipped, migrate.EventStepFailed, migrate.EventStepRolledBack:
		delete(p.running, e.Step)
		if e.Kind != migrate.EventStepRolledBack {
			p.done++
		}
		msg := e.Message
		if e.Err != nil && msg == "" {
			msg = e.Err.Error()
		}
		idx := ""
		if e.Index > 0 {
			idx = fmt.Sprintf("[%d/%d] ", e.Index, e.Total)
		}
		p.line(fmt.Sprintf("%s%s %s (%s): %s", idx, statusMark[e.Kind], e.Step, e.Duration.Round(100*time.Millisecond), oneLine(msg)))
	case migrate.EventRunDone:
		// The summary (with the journal's path) is printed once the run
		// returns.
	}
}

func firstNonEmptyString(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 400 {
		s = s[:397] + "..."
	}
	return s
}

// line prints a line above the live line; callers hold p.mu.
func (p *applyProgress) line(s string) {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintln(p.w, s)
}

func (p *applyProgress) pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused = true
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func (p *applyProgress) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused = false
}

func (p *applyProgress) loop() {
	defer close(p.stopped)
	spin(p.w, &p.mu, p.stop, 110, func(frame string) string {
		if p.paused || len(p.running) == 0 {
			return ""
		}
		var now []string
		for _, id := range p.order {
			if what, ok := p.running[id]; ok {
				now = append(now, filepath.Base(strings.TrimSuffix(id, "/"))+" "+what)
			}
		}
		return fmt.Sprintf("%s %d/%d · %s", frame, p.done, p.total, strings.Join(now, " · "))
	})
}

// Close stops the live line.
func (p *applyProgress) Close() {
	select {
	case <-p.stop:
	default:
		if p.tty {
			close(p.stop)
		}
	}
	<-p.stopped
}

const rollbackLong = `Undo, in reverse order, what the plan's journal says 'vpcshift apply' did:
each service's traffic back to the revision that served before, then its
previous VPC access (connector), then its original traffic split; jobs,
worker pools and functions back on their connector; the run.app. zone and
the route removed when vpcshift created them; Cloud NAT restored exactly as
recorded. Private Google Access stays on unless vpcshift turned it on and
--revert-pga is given.

A deleted connector cannot be restored: rollback says so and prints the
command that recreates it; the consumers that used it stay on Direct VPC
egress, and the DNS zone and network changes they need are kept.

Without --yes it shows what it would undo. A consumer someone else changed
since vpcshift did is left alone.`

const rollbackExample = `  vpcshift rollback plan.json                 # what would be undone
  vpcshift rollback plan.json --yes
  vpcshift rollback plan.json --yes --stage services
  vpcshift rollback plan.json --yes --revert-pga`

func newRollbackCmd(o *globalOpts) *cobra.Command {
	var yes, revertPGA bool
	var stage, journal string
	cmd := &cobra.Command{
		Use:     "rollback PLAN",
		Short:   "Undo what a plan's journal recorded",
		Long:    rollbackLong,
		Example: rollbackExample,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if stage != "" {
				f := &applyFlags{parallel: 1, stage: stage}
				if err := f.validate(cmd); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			planPath := args[0]
			p, err := loadPlan(planPath)
			if err != nil {
				return err
			}
			s, projects, err := o.planSession(ctx, p)
			if err != nil {
				return err
			}
			defer s.Close()
			jpath, cleanup, err := o.journalPath(journal, s, p)
			if err != nil {
				return err
			}
			defer cleanup()
			if _, err := os.Stat(jpath); err != nil {
				return &ExitError{Code: ExitFailure, Err: fmt.Errorf("no journal for this plan at %s: nothing was applied from it here", jpath), Hint: "pass --journal FILE if the apply used one"}
			}
			pr := newApplyProgress(o.env.Err, o.env.ErrTTY, o.verbose)
			ex := &migrate.Executor{Target: s.clients, Now: o.env.Now, Events: pr.Event, Projects: projects}
			opts := migrate.RollbackOptions{Stage: migrate.StageName(stage), RevertPGA: revertPGA, DryRun: !yes}
			if !yes {
				recs, _, err := migrate.LoadJournal(jpath)
				if err != nil {
					pr.Close()
					return err
				}
				ex.History = recs
				res, err := ex.Rollback(ctx, p, opts)
				pr.Close()
				printRollbackDryRun(o.env.Out, planPath, res)
				return applyError(err, planPath)
			}
			j, err := migrate.OpenJournal(jpath, p)
			if err != nil {
				pr.Close()
				if errors.Is(err, migrate.ErrJournalLocked) {
					return &ExitError{Code: ExitFailure, Err: err, Hint: "wait for the apply to end (or stop it), then roll back"}
				}
				return err
			}
			defer j.Close()
			ex.Journal = j
			if o.env.InTTY && o.env.ErrTTY {
				ok, err := ttyConfirm(o.env.In, o.env.Err, pr)(ctx, migrate.Prompt{Kind: migrate.PromptStage, Question: "Roll back what " + jpath + " records?"})
				if err != nil || !ok {
					pr.Close()
					if err == nil {
						fmt.Fprintln(o.env.Err, "vpcshift: nothing rolled back")
					}
					return err
				}
			}
			res, err := ex.Rollback(ctx, p, opts)
			pr.Close()
			printApplySummary(o.env.Err, res, jpath)
			return applyError(err, planPath)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&yes, "yes", "y", false, "undo (without it: show what would be undone)")
	fl.StringVar(&stage, "stage", "", "undo only this stage")
	fl.BoolVar(&revertPGA, "revert-pga", false, "turn Private Google Access off where vpcshift turned it on")
	fl.StringVar(&journal, "journal", "", "journal file (default: $XDG_STATE_HOME/vpcshift/plan-FINGERPRINT.journal)")
	return cmd
}

func printRollbackDryRun(w io.Writer, planPath string, res migrate.Result) {
	fmt.Fprintf(w, "Dry run of the rollback of %s: nothing is changed.\n", planPath)
	for i, s := range res.Steps {
		verb := s.Message
		if s.Status == migrate.StatusSkipped {
			verb = "left as it is: " + s.Message
		}
		fmt.Fprintf(w, "%3d. %s\n     %s\n", i+1, s.ID, verb)
		for _, d := range s.Details {
			fmt.Fprintf(w, "     %s\n", d)
		}
	}
	if len(res.Steps) == 0 {
		fmt.Fprintln(w, "The journal records nothing to undo.")
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "To roll back: vpcshift rollback %s --yes\n", planPath)
}
