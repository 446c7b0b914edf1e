package migrate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// Executor runs a plan against a Target: stage by stage, consumers of a
// stage in parallel, each step journaled before and after, services
// through a canary, with verification, automatic rollback of a consumer
// whose check fails, and resume from the journal.
type Executor struct {
	// Target is the live estate (*gcp.Clients against Google or the
	// emulator).
	Target Target
	// Journal records every step (required unless DryRun). Its lock keeps
	// a second apply of the same plan out.
	Journal *Journal
	// History is an existing journal's records for a dry run, which opens
	// no journal (LoadJournal reads them without locking).
	History []Record
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Sleep waits (soaks, retry backoff); tests inject one that does not
	// sleep. Default: a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Parallel bounds the consumers migrated at once within a stage
	// (default 4).
	Parallel int
	// Soak is how long each canary traffic step is watched before the next:
	// 0 takes the plan's options.canarySoak (5m when the plan has none); a
	// negative value means no soak (health is then read over the last
	// minute).
	Soak time.Duration
	// DecommissionSoak overrides the wait of soak steps before
	// decommissioning: 0 keeps the plan's, negative skips the wait.
	DecommissionSoak time.Duration
	// AllowNATRemoval lets remove-nat and remove-nat-subnets steps run;
	// without it they are skipped and reported.
	AllowNATRemoval bool
	// AcceptNoMetrics lets a canary go on when its health cannot be
	// measured and nobody can be asked (Confirm nil).
	AcceptNoMetrics bool
	// HealthThreshold is how much higher (as a fraction: 0.01 is one
	// percentage point) the new revision's 5xx ratio may be than the
	// previous revision's. 0 means 0.01; a negative value allows no
	// increase at all.
	HealthThreshold float64
	// Confirm asks a person (before each stage that changes something, when
	// a canary's health is inconclusive, at a manual step). nil means
	// nobody can be asked: stages go ahead (the caller asked for it with
	// --yes), inconclusive health stops unless AcceptNoMetrics, manual
	// steps are skipped.
	Confirm func(ctx context.Context, p Prompt) (bool, error)
	// Events receives progress, one event at a time.
	Events func(Event)
	// Reinventory reads the estate afresh for the stale-plan check; nil
	// skips the check (tests of ordering only).
	Reinventory func(ctx context.Context) (*inventory.Snapshot, error)
	// Projects is the scope a connector's users are looked for in before
	// it is deleted (default: the plan's source projects).
	Projects []string
	// RetryAttempts and RetryInitial shape the backoff on
	// inventory.ErrRetryable (UNAVAILABLE, quota): default 6 tries from
	// 1s, doubling, capped at 30s.
	RetryAttempts int
	RetryInitial  time.Duration
}

// ApplyOptions narrow an Apply.
type ApplyOptions struct {
	// Stage runs only that stage ("" every stage).
	Stage StageName
	// Only narrows the consumer steps to these consumers, as KIND/NAME
	// (service/api) or KIND/FULL-ID; preflight, network and dns steps
	// still run, decommission steps do not.
	Only []string
	// DryRun changes nothing: it reads (the stale check, the live state of
	// each step) and reports, step by step, what would happen.
	DryRun bool
	// Resume continues a plan the journal shows as started: each step the
	// journal records is re-checked live before going on; a step started
	// but not finished is re-checked and redone when its result is not
	// there.
	Resume bool
	// ManualDone lists manual steps (by ID) a person says are done, for
	// runs where nobody can be asked (--done STEP).
	ManualDone []string
}

// RollbackOptions narrow a Rollback.
type RollbackOptions struct {
	// Stage undoes only that stage's steps.
	Stage StageName
	// RevertPGA turns Private Google Access back off on subnets where
	// vpcshift turned it on (it is left on otherwise: it harms nothing and
	// other workloads may have come to rely on it).
	RevertPGA bool
	// DryRun reports what would be undone.
	DryRun bool
}

// Result is what a run did, step by step, in plan order.
type Result struct {
	// Mode is apply, resume, dry-run, rollback or rollback-dry-run.
	Mode  string       `json:"mode"`
	Steps []StepResult `json:"steps"`
	// RolledBack lists the consumers that were rolled back automatically.
	RolledBack []string `json:"rolledBack,omitempty"`
	// Notes are what a person must know (a connector that cannot be
	// restored, a NAT change that was refused, a torn journal line).
	Notes    []string      `json:"notes,omitempty"`
	Duration time.Duration `json:"duration"`
}

// StepResult is one step's outcome in a run.
type StepResult struct {
	Stage    StageName     `json:"stage"`
	ID       string        `json:"id"`
	Action   Action        `json:"action"`
	Resource string        `json:"resource"`
	Title    string        `json:"title"`
	Status   StepStatus    `json:"status"`
	Message  string        `json:"message,omitempty"`
	Details  []string      `json:"details,omitempty"`
	Duration time.Duration `json:"duration"`
}

// Count counts the steps with that status.
func (r Result) Count(s StepStatus) int {
	n := 0
	for _, st := range r.Steps {
		if st.Status == s {
			n++
		}
	}
	return n
}

// Errors an Apply or Rollback may return (wrapped; test with errors.Is).
var (
	// ErrStalePlan: what the plan touches changed since it was made
	// (*StaleError names each resource).
	ErrStalePlan = errors.New("the plan is stale")
	// ErrRolledBack: a check failed, the consumer was put back as it was,
	// and the run stopped (*StopError).
	ErrRolledBack = errors.New("stopped and rolled back")
	// ErrStopped: a step failed and the run stopped; nothing was rolled
	// back, or not everything could be (*StopError says what to do).
	ErrStopped = errors.New("stopped")
	// ErrPlanBlocked: a blocker stops the plan; only preflight ran.
	ErrPlanBlocked = errors.New("the plan is blocked")
	// ErrNeedsDecision: the run stopped where a person must decide
	// (inconclusive canary health without --accept-no-metrics).
	ErrNeedsDecision = errors.New("a decision is needed")
)

// ResourceChange is one resource that changed since the plan was made.
type ResourceChange struct {
	ID      string `json:"id"`
	Planned string `json:"planned"`
	// Now is its version now; "" when it no longer exists.
	Now string `json:"now"`
}

// StaleError lists what changed since the plan was made.
type StaleError struct{ Changes []ResourceChange }

func (e *StaleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the plan is stale: %d resource(s) changed since it was made", len(e.Changes))
	for _, c := range e.Changes {
		if c.Now == "" {
			fmt.Fprintf(&b, "\n  %s: gone", c.ID)
		} else {
			fmt.Fprintf(&b, "\n  %s: changed (planned %q, now %q)", c.ID, c.Planned, c.Now)
		}
	}
	return b.String()
}

// Is matches ErrStalePlan.
func (e *StaleError) Is(target error) bool { return target == ErrStalePlan }

// StopError says where a run stopped, why, and what to do.
type StopError struct {
	Step     string
	Resource string
	Err      error
	// RolledBack is true when the consumer at fault was put back as it was
	// (the run then matches ErrRolledBack).
	RolledBack bool
	// Decision is true when a person must decide (ErrNeedsDecision).
	Decision bool
	Hint     string
}

func (e *StopError) Error() string {
	msg := fmt.Sprintf("step %s", e.Step)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.RolledBack {
		msg += " (rolled back)"
	}
	return msg
}

// Unwrap returns the cause.
func (e *StopError) Unwrap() error { return e.Err }

// Is matches ErrRolledBack, ErrNeedsDecision or ErrStopped.
func (e *StopError) Is(target error) bool {
	switch target {
	case ErrRolledBack:
		return e.RolledBack
	case ErrNeedsDecision:
		return e.Decision
	case ErrStopped:
		return !e.RolledBack && !e.Decision
	}
	return false
}

// BlockedError lists the blockers that stop a plan.
type BlockedError struct{ Blockers []Blocker }

func (e *BlockedError) Error() string {
	var b strings.Builder
	b.WriteString("the plan is blocked; only preflight ran")
	for _, bl := range e.Blockers {
		if !bl.StopsPlan {
			continue
		}
		fmt.Fprintf(&b, "\n  %s: %s", bl.Resource, bl.Reason)
		if bl.Fix != "" {
			fmt.Fprintf(&b, "\n    fix: %s", bl.Fix)
		}
	}
	return b.String()
}

// Is matches ErrPlanBlocked.
func (e *BlockedError) Is(target error) bool { return target == ErrPlanBlocked }

// errPrecondition marks a step whose precondition does not hold (nothing
// was changed).
type preconditionError struct {
	check CheckKind
	msg   string
}

func (e *preconditionError) Error() string {
	return "precondition " + string(e.check) + " failed: " + e.msg
}

// verifyError marks a change that was made but failed its verification
// (the consumer is rolled back).
type verifyError struct {
	check CheckKind
	msg   string
}

func (e *verifyError) Error() string { return "verification " + string(e.check) + " failed: " + e.msg }

// decisionError marks a stop where a person must decide.
type decisionError struct{ msg string }

func (e *decisionError) Error() string { return e.msg }

func (e *Executor) defaults() {
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Sleep == nil {
		e.Sleep = sleepContext
	}
	if e.Parallel <= 0 {
		e.Parallel = 4
	}
	if e.RetryAttempts <= 0 {
		e.RetryAttempts = 6
	}
	if e.RetryInitial <= 0 {
		e.RetryInitial = time.Second
	}
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (e *Executor) threshold() float64 {
	switch {
	case e.HealthThreshold == 0:
		return 0.01
	case e.HealthThreshold < 0:
		return 0
	}
	return e.HealthThreshold
}

// canarySoak is the soak per traffic step (s may be nil).
func (e *Executor) canarySoak(p *Plan, s *Step) time.Duration {
	switch {
	case e.Soak < 0:
		return 0
	case e.Soak > 0:
		return e.Soak
	case s != nil && s.Params.Wait > 0:
		return s.Params.Wait.Std()
	case p.Options.CanarySoak > 0:
		return p.Options.CanarySoak.Std()
	}
	return 5 * time.Minute
}

// run is one Apply or Rollback.
type run struct {
	e    *Executor
	plan *Plan
	opts ApplyOptions
	mode string

	// hist is the journal as it was when the run began.
	hist *journalState

	emu sync.Mutex // serialises Events and Confirm

	mu       sync.Mutex
	results  map[string]*StepResult
	finished map[string]time.Time // this run's done steps
	stopErr  error
	stopped  bool
	rolled   []string
	notes    []string
	index    int
	total    int
	stageOf  map[string]StageName
	order    map[string]int // plan order of each step
}

func (e *Executor) newRun(p *Plan, mode string) *run {
	r := &run{e: e, plan: p, mode: mode, results: map[string]*StepResult{}, finished: map[string]time.Time{},
		stageOf: map[string]StageName{}, order: map[string]int{}}
	i := 0
	for _, st := range p.Stages {
		for _, s := range st.Steps {
			r.stageOf[s.ID] = st.Name
			r.order[s.ID] = i
			i++
		}
	}
	recs := e.History
	if e.Journal != nil {
		recs = e.Journal.Records()
	}
	r.hist = stateOf(recs)
	return r
}

func (r *run) emit(ev Event) {
	if r.e.Events == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = r.e.Now()
	}
	r.emu.Lock()
	defer r.emu.Unlock()
	r.e.Events(ev)
}

func (r *run) stepEvent(kind EventKind, s *Step, msg string) Event {
	return Event{Kind: kind, Stage: r.stageOf[s.ID], Step: s.ID, Action: s.Action, Resource: s.Resource, Title: s.Title, Message: msg}
}

func (r *run) confirm(ctx context.Context, p Prompt) (bool, error) {
	if r.e.Confirm == nil {
		return false, nil
	}
	r.emu.Lock()
	defer r.emu.Unlock()
	return r.e.Confirm(ctx, p)
}

func (r *run) note(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, msg)
}

func (r *run) stop(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.stopped {
		r.stopped = true
		r.stopErr = err
	}
}

func (r *run) isStopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopped
}

func (r *run) setResult(s *Step, status StepStatus, msg string, d time.Duration, details []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results[s.ID] = &StepResult{Stage: r.stageOf[s.ID], ID: s.ID, Action: s.Action, Resource: s.Resource, Title: s.Title,
		Status: status, Message: msg, Duration: d, Details: details}
	if status.done() {
		r.finished[s.ID] = r.e.Now()
	}
}

func (r *run) resultOf(id string) (StepStatus, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if res := r.results[id]; res != nil {
		return res.Status, true
	}
	return "", false
}

// depDone reports whether a dependency is satisfied: done in this run, or
// (not run now) done according to the journal.
func (r *run) depDone(id string) bool {
	if st, ok := r.resultOf(id); ok {
		return st.done() || (r.opts.DryRun && st == StatusPlanned)
	}
	if _, inPlan := r.order[id]; !inPlan {
		return true // a dependency the plan does not hold: nothing to wait for
	}
	return r.hist.status(id).done()
}

// depFinished is when a dependency finished: as the journal first
// recorded it (a step found done again in this run keeps that time, so
// soaks do not start over), else in this run.
func (r *run) depFinished(id string) (time.Time, bool) {
	if s := r.hist.steps[id]; s != nil && s.Status.done() && !s.Finished.IsZero() {
		return s.Finished, true
	}
	r.mu.Lock()
	t, ok := r.finished[id]
	r.mu.Unlock()
	return t, ok
}

func (r *run) result(start time.Time) Result {
	res := Result{Mode: r.mode, Duration: r.e.Now().Sub(start)}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, st := range r.plan.Stages {
		for _, s := range st.Steps {
			if sr := r.results[s.ID]; sr != nil {
				res.Steps = append(res.Steps, *sr)
			}
		}
	}
	res.RolledBack = append(res.RolledBack, r.rolled...)
	sort.Strings(res.RolledBack)
	res.Notes = append(res.Notes, r.notes...)
	return res
}

// consumerKindSet are the step kinds that name a consumer.
var consumerKindSet = map[string]bool{
	string(inventory.KindService): true, string(inventory.KindJob): true, string(inventory.KindWorkerPool): true,
	string(inventory.KindFunction): true, string(inventory.KindFunction1): true, string(inventory.KindAppEngine): true,
}

// consumerAction reports whether an action changes a consumer (and so
// belongs to the consumer's unit of rollback).
func consumerAction(a Action) bool {
	switch a {
	case ActionDeployRevision, ActionShiftTraffic, ActionUpdateJob, ActionUpdateWorkerPool, ActionUpdateFunction:
		return true
	}
	return false
}

// parseOnly checks --only values: KIND/NAME.
func parseOnly(p *Plan, only []string) (func(*Step) bool, error) {
	if len(only) == 0 {
		return func(*Step) bool { return true }, nil
	}
	type sel struct{ kind, name string }
	var sels []sel
	for _, o := range only {
		k, n, ok := strings.Cut(o, "/")
		if !ok || k == "" || n == "" {
			return nil, fmt.Errorf("--only wants KIND/NAME (service/api), not %q", o)
		}
		if !consumerKindSet[k] {
			return nil, fmt.Errorf("--only %s: %q is not a consumer kind (service, job, worker-pool, function)", o, k)
		}
		sels = append(sels, sel{k, n})
	}
	match := func(s *Step) bool {
		for _, x := range sels {
			if s.Kind == x.kind && (s.Resource == x.name || segLast(s.Resource) == x.name) {
				return true
			}
		}
		return false
	}
	for _, x := range sels {
		found := false
		for _, st := range p.Stages {
			for i := range st.Steps {
				s := &st.Steps[i]
				if s.Kind == x.kind && (s.Resource == x.name || segLast(s.Resource) == x.name) {
					found = true
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("--only %s/%s matches no step of the plan", x.kind, x.name)
		}
	}
	return func(s *Step) bool {
		if consumerKindSet[s.Kind] {
			return match(s)
		}
		return true
	}, nil
}

// selectSteps returns, per stage, the steps this run considers.
func (r *run) selectSteps() ([]*Stage, map[StageName][]*Step, error) {
	if r.opts.Stage != "" {
		if _, ok := r.plan.Stage(r.opts.Stage); !ok {
			var names []string
			for _, st := range r.plan.Stages {
				names = append(names, string(st.Name))
			}
			return nil, nil, fmt.Errorf("the plan has no stage %q (it has %s)", r.opts.Stage, strings.Join(names, ", "))
		}
	}
	only, err := parseOnly(r.plan, r.opts.Only)
	if err != nil {
		return nil, nil, err
	}
	var stages []*Stage
	sel := map[StageName][]*Step{}
	for i := range r.plan.Stages {
		st := &r.plan.Stages[i]
		if r.opts.Stage != "" && st.Name != r.opts.Stage {
			continue
		}
		if r.plan.Stopped() && st.Name != StagePreflight {
			continue
		}
		var steps []*Step
		for j := range st.Steps {
			s := &st.Steps[j]
			if len(r.opts.Only) > 0 && st.Name == StageDecommission {
				continue
			}
			if !only(s) {
				continue
			}
			steps = append(steps, s)
		}
		stages = append(stages, st)
		sel[st.Name] = steps
	}
	return stages, sel, nil
}

// Apply executes the plan (or, with DryRun, reports what it would do).
func (e *Executor) Apply(ctx context.Context, p *Plan, opts ApplyOptions) (Result, error) {
	e.defaults()
	mode := "apply"
	switch {
	case opts.DryRun:
		mode = "dry-run"
	case opts.Resume:
		mode = "resume"
	}
	r := e.newRun(p, mode)
	r.opts = opts
	start := e.Now()
	if e.Target == nil {
		return r.result(start), errors.New("no target to apply the plan to")
	}
	if !opts.DryRun && e.Journal == nil {
		return r.result(start), errors.New("applying a plan needs a journal")
	}
	stages, sel, err := r.selectSteps()
	if err != nil {
		return r.result(start), err
	}
	for _, st := range stages {
		r.total += len(sel[st.Name])
	}
	// A step this run would redo that the journal shows as started needs
	// --resume: the person must know they continue an earlier run.
	if !opts.Resume && !opts.DryRun {
		var started []string
		for _, st := range stages {
			for _, s := range sel[st.Name] {
				if h := r.hist.steps[s.ID]; h != nil && h.Touched {
					started = append(started, s.ID)
				}
			}
		}
		if len(started) > 0 {
			return r.result(start), &StopError{Step: started[0], Err: fmt.Errorf("the journal %s shows %d step(s) of this run already started (first: %s)", e.Journal.Path(), len(started), started[0]),
				Hint: "continue it with --resume, or undo it with 'vpcshift rollback'"}
		}
	}
	if e.Journal != nil && !opts.DryRun {
		if t := e.Journal.Torn(); t != "" {
			r.note("journal " + e.Journal.Path() + ": " + t)
			r.emit(Event{Kind: EventWarning, Message: "journal " + e.Journal.Path() + ": " + t})
		}
		if err := e.Journal.BeginRun(mode, e.Now()); err != nil {
			return r.result(start), err
		}
	}
	r.emit(Event{Kind: EventRunStarted, Message: fmt.Sprintf("%s of plan %s: %d step(s)", mode, shortDigest(p.Source.Fingerprint), r.total), Total: r.total})

	if err := r.staleCheck(ctx); err != nil {
		r.emit(Event{Kind: EventRunDone, Message: "refused: " + firstLineOf(err.Error()), Err: err})
		return r.result(start), err
	}

	for _, st := range stages {
		if r.isStopped() || ctx.Err() != nil {
			break
		}
		steps := sel[st.Name]
		if len(steps) == 0 {
			continue
		}
		if !opts.DryRun && mutatingStage(steps) {
			ok, err := r.confirm(ctx, stagePrompt(st, steps))
			if err != nil {
				r.stop(err)
				break
			}
			if !ok && r.e.Confirm != nil {
				r.stop(&StopError{Step: string(st.Name), Err: fmt.Errorf("stage %s was not confirmed", st.Name), Hint: "run again with --resume when ready"})
				for _, s := range steps {
					r.setResult(s, StatusNotRun, "stage not confirmed", 0, nil)
				}
				break
			}
		}
		stageStart := e.Now()
		r.emit(Event{Kind: EventStageStarted, Stage: st.Name, Message: st.Title})
		r.runStage(ctx, st, steps)
		r.emit(Event{Kind: EventStageDone, Stage: st.Name, Duration: e.Now().Sub(stageStart)})
	}
	// Steps never reached.
	for _, st := range stages {
		for _, s := range sel[st.Name] {
			if _, ok := r.resultOf(s.ID); !ok {
				r.setResult(s, StatusNotRun, "", 0, nil)
			}
		}
	}
	res := r.result(start)
	err = r.finalError(ctx)
	if p.Stopped() && ctx.Err() == nil {
		err = &BlockedError{Blockers: p.Blockers}
	}
	summary := fmt.Sprintf("%d succeeded, %d already done, %d skipped, %d failed, %d rolled back, %d not run",
		res.Count(StatusSucceeded), res.Count(StatusAlreadyDone), res.Count(StatusSkipped), res.Count(StatusFailed), res.Count(StatusRolledBack), res.Count(StatusNotRun))
	if opts.DryRun {
		summary = fmt.Sprintf("dry run: %d step(s) would run, %d already done, %d would be skipped", res.Count(StatusPlanned), res.Count(StatusAlreadyDone), res.Count(StatusSkipped))
	}
	r.emit(Event{Kind: EventRunDone, Message: summary, Duration: res.Duration, Err: err})
	return res, err
}

func (r *run) finalError(ctx context.Context) error {
	r.mu.Lock()
	err := r.stopErr
	r.mu.Unlock()
	if err != nil {
		return err
	}
	return ctx.Err()
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func mutatingStage(steps []*Step) bool {
	for _, s := range steps {
		switch s.Action {
		case ActionCheck, ActionValidate, ActionManual, ActionSoak:
		default:
			return true
		}
	}
	return false
}

func stagePrompt(st *Stage, steps []*Step) Prompt {
	p := Prompt{Kind: PromptStage, Stage: st.Name}
	n := 0
	for _, s := range steps {
		switch s.Action {
		case ActionCheck, ActionValidate:
			continue
		}
		n++
		line := s.Title
		if line == "" {
			line = string(s.Action) + " " + s.Resource
		}
		p.Details = append(p.Details, line)
	}
	p.Question = fmt.Sprintf("Apply stage %s (%d change(s))?", st.Name, n)
	return p
}

// staleCheck re-reads the estate and compares every resource the plan
// recorded with what is live now. Resources that steps of this plan
// already touched (per the journal) are expected to differ.
func (r *run) staleCheck(ctx context.Context) error {
	if r.e.Reinventory == nil || len(r.plan.Source.Resources) == 0 {
		r.emit(Event{Kind: EventStaleCheck, Message: "not checked: no inventory to compare with"})
		return nil
	}
	snap, err := r.e.Reinventory(ctx)
	if err != nil {
		return fmt.Errorf("re-reading the estate to check the plan is current: %w", err)
	}
	fresh := map[string]string{}
	for _, v := range snap.Versions() {
		fresh[v.ID] = v.Version
	}
	touched := map[string]bool{}
	for _, st := range r.plan.Stages {
		for i := range st.Steps {
			s := &st.Steps[i]
			if h := r.hist.steps[s.ID]; h != nil && (h.Touched || h.Status.done()) {
				for _, id := range touchedIDs(s) {
					touched[id] = true
				}
			}
		}
	}
	var changes []ResourceChange
	for _, rv := range r.plan.Source.Resources {
		if touched[rv.ID] {
			continue
		}
		now, ok := fresh[rv.ID]
		switch {
		case !ok:
			changes = append(changes, ResourceChange{ID: rv.ID, Planned: rv.Version})
		case now != rv.Version:
			changes = append(changes, ResourceChange{ID: rv.ID, Planned: rv.Version, Now: now})
		}
	}
	if len(changes) > 0 {
		return &StaleError{Changes: changes}
	}
	r.emit(Event{Kind: EventStaleCheck, Message: fmt.Sprintf("the plan is current: %d resource(s) unchanged since it was made", len(r.plan.Source.Resources)-len(touched))})
	return nil
}

// touchedIDs are the inventory IDs a step may change.
func touchedIDs(s *Step) []string {
	ids := []string{s.Resource}
	pr := s.Params
	if pr.Connector != "" {
		ids = append(ids, pr.Connector)
	}
	if pr.Subnetwork != "" {
		ids = append(ids, trimCompute(pr.Subnetwork))
	}
	if pr.Subnet != "" {
		if strings.Contains(pr.Subnet, "/") {
			ids = append(ids, trimCompute(pr.Subnet))
		} else {
			ids = append(ids, "projects/"+s.Project+"/regions/"+s.Region+"/subnetworks/"+pr.Subnet)
		}
	}
	if pr.Router != "" && pr.NAT != "" {
		ids = append(ids, "projects/"+s.Project+"/regions/"+s.Region+"/routers/"+pr.Router+"/nats/"+pr.NAT)
	}
	if pr.ZoneName != "" {
		ids = append(ids, "projects/"+s.Project+"/managedZones/"+pr.ZoneName)
	}
	if pr.RouteName != "" {
		ids = append(ids, "projects/"+s.Project+"/global/routes/"+pr.RouteName)
	}
	return ids
}

// unit is a sequence of steps that run one after the other: a consumer's
// steps, or a single step.
type unit struct {
	steps []*Step
	key   string
}

func groupUnits(steps []*Step) []*unit {
	var out []*unit
	byKey := map[string]*unit{}
	for _, s := range steps {
		key := "step:" + s.ID
		if consumerKindSet[s.Kind] && s.Resource != "" && s.Action != ActionCheck {
			key = "consumer:" + s.Resource
		}
		if u := byKey[key]; u != nil {
			u.steps = append(u.steps, s)
			continue
		}
		u := &unit{key: key, steps: []*Step{s}}
		byKey[key] = u
		out = append(out, u)
	}
	return out
}

// runStage runs a stage's steps: units in plan order, up to Parallel at
// once, each unit's steps in order; a unit waits for the units it depends
// on before it starts.
func (r *run) runStage(ctx context.Context, st *Stage, steps []*Step) {
	us := groupUnits(steps)
	unitOf := map[string]int{}
	for i, u := range us {
		for _, s := range u.steps {
			unitOf[s.ID] = i
		}
	}
	done := make([]chan struct{}, len(us))
	for i := range done {
		done[i] = make(chan struct{})
	}
	parallel := r.e.Parallel
	if r.opts.DryRun {
		parallel = 1 // reads only; keep the output in plan order
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, u := range us {
		// Wait for the earlier units this one depends on.
		for _, s := range u.steps {
			for _, d := range s.DependsOn {
				if j, ok := unitOf[d]; ok && j < i {
					select {
					case <-done[j]:
					case <-ctx.Done():
					}
				}
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			close(done[i])
			continue
		}
		wg.Add(1)
		go func(i int, u *unit) {
			defer wg.Done()
			defer func() { <-sem }()
			defer close(done[i])
			r.runUnit(ctx, u, unitOf, i)
		}(i, u)
	}
	wg.Wait()
}

func (r *run) runUnit(ctx context.Context, u *unit, unitOf map[string]int, self int) {
	broken := ""
	for _, s := range u.steps {
		if broken != "" {
			r.setResult(s, StatusSkipped, broken, 0, nil)
			r.emit(r.stepEvent(EventStepSkipped, s, broken))
			continue
		}
		if r.isStopped() || ctx.Err() != nil {
			r.setResult(s, StatusNotRun, "the run stopped", 0, nil)
			continue
		}
		var unmet []string
		for _, d := range s.DependsOn {
			if j, ok := unitOf[d]; ok && j > self {
				unmet = append(unmet, d+" (later in the plan)")
				continue
			}
			if !r.depDone(d) {
				unmet = append(unmet, d)
			}
		}
		if len(unmet) > 0 {
			msg := "waiting for " + strings.Join(unmet, ", ")
			r.setResult(s, StatusSkipped, msg, 0, nil)
			r.emit(r.stepEvent(EventStepSkipped, s, msg))
			broken = "an earlier step of " + s.Resource + " did not run"
			continue
		}
		status := r.runStep(ctx, s)
		if !status.done() && status != StatusPlanned {
			broken = "an earlier step of " + s.Resource + " did not complete"
			if status == StatusRolledBack {
				broken = s.Resource + " was rolled back"
			}
		}
	}
}

// runStep runs one step and returns its status.
func (r *run) runStep(ctx context.Context, s *Step) StepStatus {
	r.mu.Lock()
	r.index++
	idx := r.index
	r.mu.Unlock()
	start := r.e.Now()
	if r.opts.DryRun {
		status, msg, details := r.describe(ctx, s)
		r.setResult(s, status, msg, 0, details)
		ev := r.stepEvent(EventStepPlanned, s, msg)
		if status == StatusAlreadyDone {
			ev.Kind = EventStepAlreadyDone
		} else if status == StatusSkipped {
			ev.Kind = EventStepSkipped
		}
		ev.Details, ev.Index, ev.Total = details, idx, r.total
		r.emit(ev)
		return status
	}
	ev := r.stepEvent(EventStepStarted, s, "")
	ev.Index, ev.Total = idx, r.total
	r.emit(ev)
	status, msg, err := r.exec(ctx, s)
	d := r.e.Now().Sub(start)
	if err != nil {
		status = StatusFailed
		msg = err.Error()
	}
	r.setResult(s, status, msg, d, nil)
	out := r.stepEvent(EventStepSucceeded, s, msg)
	out.Duration, out.Index, out.Total = d, idx, r.total
	switch status {
	case StatusAlreadyDone:
		out.Kind = EventStepAlreadyDone
	case StatusSkipped:
		out.Kind = EventStepSkipped
	case StatusFailed:
		out.Kind, out.Err = EventStepFailed, err
	}
	r.emit(out)
	if err != nil {
		r.failed(ctx, s, err)
		if st, _ := r.resultOf(s.ID); st == StatusRolledBack {
			return StatusRolledBack
		}
		return StatusFailed
	}
	return status
}

// failed handles a failed step: a consumer is rolled back (unless someone
// else changed it: then it is left alone) and the run stops.
func (r *run) failed(ctx context.Context, s *Step, err error) {
	if ctx.Err() != nil {
		// Interrupted: stop where it is; --resume goes on from here.
		r.stop(ctx.Err())
		return
	}
	var de *decisionError
	if errors.As(err, &de) {
		r.stop(&StopError{Step: s.ID, Resource: s.Resource, Err: err, Decision: true,
			Hint: "watch the revision and continue with 'vpcshift apply PLAN --yes --resume' (add --accept-no-metrics to go on without monitoring data), or undo with 'vpcshift rollback PLAN --yes'"})
		return
	}
	hint := "fix the cause, then continue with 'vpcshift apply PLAN --yes --resume', or undo with 'vpcshift rollback PLAN --yes'"
	if !consumerAction(s.Action) {
		r.stop(&StopError{Step: s.ID, Resource: s.Resource, Err: err, Hint: hint})
		return
	}
	if errors.Is(err, inventory.ErrConflict) {
		r.stop(&StopError{Step: s.ID, Resource: s.Resource, Err: err,
			Hint: "someone else changed " + s.Resource + " while vpcshift was working on it; vpcshift did not overwrite it. Review the change, make a new plan ('vpcshift plan'), and apply that"})
		return
	}
	var ve *verifyError
	verification := errors.As(err, &ve) || errors.Is(err, inventory.ErrOperationFailed)
	undid, rerr := r.rollbackConsumer(ctx, s.Resource, inventory.ConsumerKind(s.Kind), "automatic rollback after "+s.ID+" failed")
	if rerr != nil {
		r.note(fmt.Sprintf("%s: automatic rollback failed: %v", s.Resource, rerr))
		r.stop(&StopError{Step: s.ID, Resource: s.Resource, Err: fmt.Errorf("%w; rolling %s back failed too: %v", err, s.Resource, rerr), Hint: hint})
		return
	}
	if undid || verification {
		r.mu.Lock()
		r.rolled = append(r.rolled, s.Resource)
		if undid {
			// Every step of the consumer this run did is undone now.
			for _, res := range r.results {
				if res.Resource == s.Resource && consumerAction(res.Action) && (res.Status.done() || res.ID == s.ID) {
					if res.ID != s.ID {
						res.Message = "rolled back after " + s.ID + " failed"
					}
					res.Status = StatusRolledBack
				}
			}
		}
		r.mu.Unlock()
		r.stop(&StopError{Step: s.ID, Resource: s.Resource, Err: err, RolledBack: true, Hint: hint})
		return
	}
	r.stop(&StopError{Step: s.ID, Resource: s.Resource, Err: err, Hint: hint})
}

// retry calls fn, retrying inventory.ErrRetryable with backoff.
func (r *run) retry(ctx context.Context, s *Step, what string, fn func() error) error {
	delay := r.e.RetryInitial
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || !errors.Is(err, inventory.ErrRetryable) || attempt >= r.e.RetryAttempts || ctx.Err() != nil {
			return err
		}
		if s != nil {
			r.emit(r.stepEvent(EventStepProgress, s, fmt.Sprintf("%s: %v; retrying in %s (attempt %d of %d)", what, err, delay, attempt+1, r.e.RetryAttempts)))
		}
		if serr := r.e.Sleep(ctx, delay); serr != nil {
			return err
		}
		delay *= 2
		if delay > 30*time.Second {
			delay = 30 * time.Second
		}
	}
}

// journal writes a record for a step (no-op in a dry run).
func (r *run) journal(rec Record) error {
	if r.e.Journal == nil || r.opts.DryRun {
		return nil
	}
	if rec.Time.IsZero() {
		rec.Time = r.e.Now().UTC()
	}
	return r.e.Journal.Append(rec)
}

func (r *run) intent(s *Step, pre *PreImage) error {
	return r.journal(Record{Type: RecordIntent, Step: s.ID, Action: s.Action, Resource: s.Resource, Pre: pre})
}

func (r *run) outcome(s *Step, status StepStatus, post *PostImage, msg string) error {
	return r.journal(Record{Type: RecordOutcome, Step: s.ID, Action: s.Action, Resource: s.Resource, Status: status, Post: post, Message: msg})
}

// alreadyDone records (once) that a step's result is in place without
// vpcshift doing anything now; a step the journal already shows as done
// keeps its first finish time (soak periods count from it).
func (r *run) alreadyDone(s *Step, post *PostImage, msg string) (StepStatus, string, error) {
	if h := r.hist.steps[s.ID]; h != nil && h.Status.done() {
		return StatusAlreadyDone, msg, nil
	}
	status := StatusAlreadyDone
	if h := r.hist.steps[s.ID]; h != nil && h.Touched {
		// Started by an earlier run that did not record the end: its
		// change is in place, so it succeeded.
		status = StatusSucceeded
		msg = "found done after an interrupted run: " + msg
	}
	if err := r.outcome(s, status, post, msg); err != nil {
		return StatusFailed, "", err
	}
	return status, msg, nil
}

// exec runs a step's action.
func (r *run) exec(ctx context.Context, s *Step) (StepStatus, string, error) {
	switch s.Action {
	case ActionCheck:
		return r.doCheck(ctx, s)
	case ActionValidate:
		return r.doValidate(ctx, s)
	case ActionManual:
		return r.doManual(ctx, s)
	case ActionSetPGA:
		return r.doSetPGA(ctx, s)
	case ActionCreateRoute:
		return r.doCreateRoute(ctx, s)
	case ActionCreateZone:
		return r.doCreateZone(ctx, s)
	case ActionDeployRevision:
		return r.doDeployRevision(ctx, s)
	case ActionShiftTraffic:
		return r.doShiftTraffic(ctx, s)
	case ActionUpdateJob, ActionUpdateWorkerPool, ActionUpdateFunction:
		return r.doUpdateConsumer(ctx, s)
	case ActionSoak:
		return r.doSoak(ctx, s)
	case ActionDeleteConnector:
		return r.doDeleteConnector(ctx, s)
	case ActionRemoveNATSubnets, ActionRemoveNAT:
		return r.doNAT(ctx, s)
	}
	return StatusFailed, "", fmt.Errorf("this vpcshift does not know the action %q", s.Action)
}

// trimCompute turns a Compute URL into projects/... form.
func trimCompute(s string) string {
	if i := strings.Index(s, "projects/"); i > 0 {
		return s[i:]
	}
	return s
}

func segLast(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// segAfter returns the segment after key in a resource path.
func segAfter(name, key string) string {
	parts := strings.Split(name, "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == key {
			return parts[i+1]
		}
	}
	return ""
}
