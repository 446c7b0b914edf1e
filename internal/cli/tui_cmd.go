package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/pricing"
	"github.com/vpcshift/vpcshift/migrate"
	"github.com/vpcshift/vpcshift/tui"
)

// runTUI opens the interactive UI: the inventory runs inside it (with its
// progress), then the overview, inventory, findings, plan and, with
// --allow-apply, apply screens. Logs go to --log FILE, never the screen.
func runTUI(ctx context.Context, o *globalOpts) error {
	logw := io.Discard
	if o.logFile != "" {
		f, err := os.OpenFile(o.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return &ExitError{Code: ExitFailure, Err: fmt.Errorf("opening the log file: %w", err)}
		}
		defer f.Close()
		logw = f
	}
	t := &tuiSession{o: o, log: logw}
	defer t.close()
	deps := tui.Deps{
		Load:           t.load,
		Plan:           t.plan,
		RenderMarkdown: tui.MarkdownRunbook,
		WriteFiles:     tui.WritePlanFiles,
		Apply:          tui.ExecutorApply(t.executor),
		Rollback:       tui.ExecutorRollback(t.executor),
		AllowApply:     o.allowApply,
		NATRemoval:     o.demo != "",
		Now:            o.env.Now,
		Log:            logw,
		Context:        o.scopeLabel(),
		PlanDir:        "vpcshift-plan",
	}
	return tui.Run(ctx, deps, tui.Options{In: o.env.In, Out: o.env.Out, NoColor: !o.colour(true)})
}

// scopeLabel names what the UI looks at, for its header.
func (o *globalOpts) scopeLabel() string {
	switch {
	case o.demo != "":
		return "demo: " + strings.TrimSuffix(filepath.Base(o.demo), ".yaml")
	case o.org != "":
		return "organization " + o.org
	case o.folder != "":
		return "folder " + o.folder
	case len(o.projects) == 1:
		return "project " + o.projects[0]
	case len(o.projects) > 1:
		return fmt.Sprintf("%d projects", len(dedupe(o.projects)))
	}
	return ""
}

// tuiSession holds the connection the UI's inventory made, for the plan
// and apply that follow.
type tuiSession struct {
	o   *globalOpts
	log io.Writer

	mu         sync.Mutex
	s          *session
	journalDir string
}

func (t *tuiSession) logger() *slog.Logger { return slog.New(slog.NewTextHandler(t.log, nil)) }

func (t *tuiSession) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.s != nil {
		t.s.Close()
		t.s = nil
	}
	if t.journalDir != "" {
		os.RemoveAll(t.journalDir)
	}
}

func (t *tuiSession) session() *session {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.s
}

func (t *tuiSession) collectOptions(s *session, progress func(gcp.Event)) gcp.CollectOptions {
	o := t.o
	return gcp.CollectOptions{
		Projects:    s.projects,
		Org:         o.org,
		Folder:      o.folder,
		Regions:     o.regions,
		Concurrency: o.concurrency,
		UsageWindow: o.usageWindow,
		Now:         o.env.Now(),
		Progress:    progress,
	}
}

// load is tui.Deps.Load: connect (once: a reload reads the same
// estate, so that under --demo it shows what an apply changed), inventory
// with progress, price and analyse. The price book is read while the
// inventory runs, and each project's partial inventory is analysed as it
// comes (the newest only, off the inventory's path: tui.PartialFeed), so
// that the UI can show the figures so far.
func (t *tuiSession) load(ctx context.Context, progress func(tui.ProgressEvent)) (*inventory.Snapshot, *analyzer.Report, error) {
	o := t.o
	s := t.session()
	if s == nil {
		var err error
		if s, err = o.connect(ctx); err != nil {
			return nil, nil, err
		}
		t.mu.Lock()
		t.s = s
		t.mu.Unlock()
	}
	var (
		book      *pricing.Book
		warnings  []error
		bookErr   error
		bookReady = make(chan struct{})
	)
	bctx, cancelBook := context.WithCancel(ctx)
	defer cancelBook()
	go func() {
		defer close(bookReady)
		book, warnings, bookErr = o.priceBook(bctx, s)
	}()
	aopts := o.analyzerOptions()
	feed := tui.NewPartialFeed(progress, func(fctx context.Context, snap *inventory.Snapshot) *analyzer.Report {
		select {
		case <-bookReady:
		case <-fctx.Done():
			return nil
		}
		if bookErr != nil {
			return nil
		}
		return analyzer.Analyze(snap, book, aopts)
	})
	opts := t.collectOptions(s, func(e gcp.Event) { progress(progressEvent(e)) })
	opts.Scoped = func(projects []string) { feed.SetTotal(len(projects)) }
	opts.Partial = feed.Offer
	snap, err := s.clients.Collect(ctx, opts)
	feed.Close()
	if err != nil {
		cancelBook() // no use for prices now
	}
	<-bookReady
	if err != nil {
		if errors.Is(err, gcp.ErrNothingRead) && snap != nil {
			for _, c := range snap.Coverage {
				if c.Fix != "" {
					return nil, nil, fmt.Errorf("%w (fix: %s)", err, c.Fix)
				}
			}
		}
		return nil, nil, err
	}
	if bookErr != nil {
		return nil, nil, bookErr
	}
	for _, w := range warnings {
		t.logger().Warn("prices", "err", w)
	}
	rep := analyzer.Analyze(snap, book, o.analyzerOptions())
	return snap, rep, nil
}

// progressEvent adapts the collector's event for the UI.
func progressEvent(e gcp.Event) tui.ProgressEvent {
	p := tui.ProgressEvent{Project: e.Project, API: e.API, What: e.What, Items: e.Items, Err: e.Err, Elapsed: e.Elapsed}
	switch e.Phase {
	case gcp.Started:
		p.Phase = tui.Started
	case gcp.Done:
		p.Phase = tui.Done
	case gcp.Failed:
		p.Phase = tui.Failed
	case gcp.Retrying:
		p.Phase = tui.Retrying
	}
	return p
}

// plan is tui.Deps.Plan.
func (t *tuiSession) plan(snap *inventory.Snapshot, rep *analyzer.Report) (*migrate.Plan, error) {
	live := true
	if s := t.session(); s != nil && s.addr != "" {
		live = false
	}
	return migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: t.o.env.Now(), Subnets: t.o.subnetOverrides(), Live: live})
}

// executor makes the executor of one run from the UI. Against the demo's
// emulator the waits are skipped (there is no traffic to watch) and the
// journal lives in a temporary directory that goes with the session.
func (t *tuiSession) executor(p *migrate.Plan) (*migrate.Executor, func(), error) {
	s := t.session()
	if s == nil {
		return nil, nil, errors.New("no connection: the inventory has not run")
	}
	o := t.o
	dir := migrate.StateDir(o.env.Getenv, o.env.HomeDir)
	demo := s.emu != nil
	if demo {
		t.mu.Lock()
		if t.journalDir == "" {
			d, err := os.MkdirTemp("", "vpcshift-demo-journal-")
			if err != nil {
				t.mu.Unlock()
				return nil, nil, fmt.Errorf("creating the demo's journal directory: %w", err)
			}
			t.journalDir = d
		}
		dir = t.journalDir
		t.mu.Unlock()
	}
	j, err := migrate.OpenJournal(migrate.JournalPath(dir, p), p)
	if err != nil {
		return nil, nil, err
	}
	ex := &migrate.Executor{
		Target:   s.clients,
		Journal:  j,
		Now:      o.env.Now,
		Projects: s.projects,
		Reinventory: func(ctx context.Context) (*inventory.Snapshot, error) {
			return s.clients.Collect(ctx, t.collectOptions(s, nil))
		},
	}
	if demo {
		ex.Soak, ex.DecommissionSoak, ex.AcceptNoMetrics, ex.AllowNATRemoval = -1, -1, true, true
	}
	t.logger().Info("journal", "path", j.Path(), "demo", demo)
	return ex, func() { j.Close() }, nil
}
