package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/pricing"
	"github.com/vpcshift/vpcshift/migrate"
)

// testNow is the fixed clock of every test.
var testNow = time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

func init() {
	gcp.PollInterval = 5 * time.Millisecond
	// Goldens are compared without colour, as under NO_COLOR.
	lipgloss.SetColorProfile(termenv.Ascii)
}

// estateEnv is a scenario served by the emulator, with the real clients.
type estateEnv struct {
	// askHealth makes the executor ask about canaries without health data.
	askHealth bool
	// loads counts the loads.
	loads atomic.Int64
	// plain makes the loads send no partial inventory (as before the
	// loads were progressive).
	plain bool
	// onPartial, when set, runs on the inventory's goroutine after each
	// partial snapshot was handed to the UI (a test holds the load there).
	onPartial func(ctx context.Context, s *inventory.Snapshot)

	srv      *emulator.Server
	clients  *gcp.Clients
	projects []string
}

func startEstate(t testing.TB, scenario string) *estateEnv {
	t.Helper()
	sc, err := emulator.LoadScenario(filepath.Join("..", "testdata", "scenarios", scenario+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.Start(context.Background(), sc, emulator.WithClock(fixedNow))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c, err := gcp.New(context.Background(), gcp.Config{Emulator: srv.Addr, CallTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	env := &estateEnv{srv: srv, clients: c}
	for _, p := range sc.Projects {
		env.projects = append(env.projects, p.ProjectID)
	}
	return env
}

// progressEvent adapts the collector's events (as the command line does).
func progressEvent(e gcp.Event) ProgressEvent {
	p := ProgressEvent{Project: e.Project, API: e.API, What: e.What, Items: e.Items, Err: e.Err, Elapsed: e.Elapsed}
	switch e.Phase {
	case gcp.Started:
		p.Phase = Started
	case gcp.Done:
		p.Phase = Done
	case gcp.Failed:
		p.Phase = Failed
	case gcp.Retrying:
		p.Phase = Retrying
	}
	return p
}

func (env *estateEnv) collect(ctx context.Context, progress func(ProgressEvent), more ...func(*gcp.CollectOptions)) (*inventory.Snapshot, error) {
	opts := gcp.CollectOptions{
		Projects: env.projects, Now: testNow, Concurrency: 8,
		Retry: &gcp.RetryPolicy{Attempts: 3, Initial: time.Millisecond, Max: 5 * time.Millisecond},
		Progress: func(e gcp.Event) {
			if progress != nil {
				progress(progressEvent(e))
			}
		},
	}
	for _, f := range more {
		f(&opts)
	}
	return env.clients.Collect(ctx, opts)
}

// load is Deps.Load on the emulator, as the command line makes it:
// collect, with each partial inventory analysed as it comes (PartialFeed;
// not with plain), then analyse the whole with the embedded price
// snapshot and the fixed clock.
func (env *estateEnv) load(ctx context.Context, progress func(ProgressEvent)) (*inventory.Snapshot, *analyzer.Report, error) {
	env.loads.Add(1)
	book, err := pricing.Snapshot()
	if err != nil {
		return nil, nil, err
	}
	aopts := analyzer.Options{Now: testNow}
	var partials []func(*gcp.CollectOptions)
	if !env.plain {
		feed := NewPartialFeed(progress, func(_ context.Context, s *inventory.Snapshot) *analyzer.Report {
			return analyzer.Analyze(s, book, aopts)
		})
		defer feed.Close()
		partials = append(partials, func(o *gcp.CollectOptions) {
			o.Scoped = func(ps []string) { feed.SetTotal(len(ps)) }
			o.Partial = func(s *inventory.Snapshot) {
				feed.Offer(s)
				if env.onPartial != nil {
					env.onPartial(ctx, s)
				}
			}
		})
	}
	snap, err := env.collect(ctx, progress, partials...)
	if err != nil {
		return nil, nil, err
	}
	return snap, analyzer.Analyze(snap, book, aopts), nil
}

// drive is a model driven by hand, as the program would drive it: each
// command runs in its own goroutine and its message comes back to Update.
// Tests use it to walk the screens without a terminal.
type drive struct {
	t        testing.TB
	m        *Model
	msgs     chan tea.Msg
	inflight atomic.Int64
}

func newDrive(t testing.TB, deps Deps, w, h int) *drive {
	t.Helper()
	d := startDrive(t, deps, w, h)
	d.settle()
	d.waitLoaded()
	return d
}

// startDrive starts the model (and its inventory) without waiting.
func startDrive(t testing.TB, deps Deps, w, h int) *drive {
	t.Helper()
	return startDriveCtx(t, context.Background(), deps, w, h)
}

// startDriveCtx is startDrive with a context bounding the inventory.
func startDriveCtx(t testing.TB, ctx context.Context, deps Deps, w, h int) *drive {
	t.Helper()
	if deps.Now == nil {
		deps.Now = fixedNow
	}
	d := &drive{t: t, m: New(ctx, deps), msgs: make(chan tea.Msg, 1024)}
	d.handle(tea.WindowSizeMsg{Width: w, Height: h})
	d.exec(d.m.Init())
	return d
}

// waitLoaded waits for the whole inventory (not a partial one) and its
// plan.
func (d *drive) waitLoaded() {
	d.t.Helper()
	d.waitFor("the inventory", func() bool { return (d.m.estate != nil && !d.m.Partial()) || d.m.loading.Err() != nil })
	if d.m.deps.Plan != nil {
		d.waitFor("the plan", func() bool { return d.m.plan.Plan() != nil || d.m.apply.Err() != nil })
	}
}

// press sends keys without settling (while a load runs in the
// background); waitFor then waits for what they lead to.
func (d *drive) press(keys string) {
	for _, k := range parseKeys(keys) {
		d.handle(k)
	}
}

func (d *drive) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.inflight.Add(1)
	go func() {
		m := cmd()
		d.msgs <- m
		d.inflight.Add(-1)
	}()
}

func (d *drive) handle(message tea.Msg) {
	if seq, ok := sequence(message); ok {
		d.inflight.Add(1)
		go func() {
			for _, c := range seq {
				if c != nil {
					d.msgs <- c()
				}
			}
			d.inflight.Add(-1)
		}()
		return
	}
	switch mm := message.(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range mm {
			d.exec(c)
		}
	default:
		if isAnimation(message) {
			return
		}
		_, cmd := d.m.Update(message)
		d.exec(cmd)
	}
}

// send updates the model with one message, then settles.
func (d *drive) send(message tea.Msg) {
	d.t.Helper()
	d.handle(message)
	d.settle()
}

// settle handles messages until no command is in flight, or until none
// came for a while although some are (a run waiting for an answer).
func (d *drive) settle() {
	d.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case m := <-d.msgs:
			d.handle(m)
			continue
		default:
		}
		if d.inflight.Load() == 0 && len(d.msgs) == 0 {
			return
		}
		select {
		case m := <-d.msgs:
			d.handle(m)
		case <-time.After(1500 * time.Millisecond):
			// Nothing for a while although a command is in flight: a
			// run waiting for an answer. (Generous, so that a slow
			// machine under -race does not look idle.)
			if len(d.msgs) == 0 {
				return
			}
		}
	}
	d.t.Fatal("the model did not settle in 60s")
}

// waitFor settles until cond holds.
func (d *drive) waitFor(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			d.t.Fatalf("waiting for %s: timed out; screen:\n%s", what, d.view())
		}
		select {
		case m := <-d.msgs:
			d.handle(m)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sequence unpacks tea.Sequence's message (an unexported []tea.Cmd).
func sequence(message tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(message)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeOf(tea.Cmd(nil)) {
		return nil, false
	}
	if _, batch := message.(tea.BatchMsg); batch {
		return nil, false
	}
	out := make([]tea.Cmd, v.Len())
	for i := range out {
		out[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return out, true
}

func isAnimation(message tea.Msg) bool {
	name := strings.TrimPrefix(fmt.Sprintf("%T", message), "*")
	return name == "spinner.TickMsg" || name == "cursor.initialBlinkMsg" || name == "cursor.BlinkMsg" || name == "cursor.blinkCanceled" || name == "progress.FrameMsg"
}

// keys sends key presses: named keys in angle brackets (<enter>, <esc>,
// <tab>, <down>, <up>, <pgdown>, <ctrl+c>), other runes one by one.
func (d *drive) keys(s string) {
	d.t.Helper()
	for _, k := range parseKeys(s) {
		d.send(k)
	}
}

func parseKeys(s string) []tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"down": tea.KeyDown, "up": tea.KeyUp, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp,
		"home": tea.KeyHome, "end": tea.KeyEnd, "ctrl+c": tea.KeyCtrlC, "backspace": tea.KeyBackspace,
		"space": tea.KeySpace,
	}
	var out []tea.KeyMsg
	for len(s) > 0 {
		if s[0] == '<' {
			if end := strings.IndexByte(s, '>'); end > 1 {
				if t, ok := named[s[1:end]]; ok {
					out = append(out, tea.KeyMsg{Type: t})
					s = s[end+1:]
					continue
				}
			}
		}
		r := []rune(s)[0]
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		s = s[len(string(r)):]
	}
	return out
}

func (d *drive) view() string { return d.m.View() }

// planFor is Deps.Plan: the real planner with the fixed clock.
func planFor(snap *inventory.Snapshot, rep *analyzer.Report) (*migrate.Plan, error) {
	return migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: testNow})
}

// executor makes the real executor on the emulator, as the command line
// does under --demo: waits skipped, the journal in a test directory, the
// stale check reading the emulator afresh.
func (env *estateEnv) executor(t testing.TB) NewExecutor {
	dir := t.TempDir()
	return func(p *migrate.Plan) (*migrate.Executor, func(), error) {
		j, err := migrate.OpenJournal(migrate.JournalPath(dir, p), p)
		if err != nil {
			return nil, nil, err
		}
		ex := &migrate.Executor{
			Target:           env.clients,
			Journal:          j,
			Now:              fixedNow,
			Sleep:            func(ctx context.Context, d time.Duration) error { return ctx.Err() },
			Soak:             -1,
			DecommissionSoak: -1,
			AcceptNoMetrics:  !env.askHealth,
			AllowNATRemoval:  true,
			RetryAttempts:    2,
			RetryInitial:     time.Millisecond,
			Reinventory: func(ctx context.Context) (*inventory.Snapshot, error) {
				return env.collect(ctx, nil)
			},
		}
		return ex, func() { j.Close() }, nil
	}
}

// fullDeps are the deps of a run against the emulator with every feature.
func (env *estateEnv) fullDeps(t testing.TB, allowApply bool) Deps {
	newExec := env.executor(t)
	return Deps{
		Load:           env.load,
		Plan:           planFor,
		RenderMarkdown: MarkdownRunbook,
		WriteFiles:     WritePlanFiles,
		Apply:          ExecutorApply(newExec),
		Rollback:       ExecutorRollback(newExec),
		AllowApply:     allowApply,
		NATRemoval:     true,
		Now:            fixedNow,
		Context:        "demo: test",
	}
}
