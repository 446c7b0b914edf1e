// Package tui is vpcshift's interactive terminal UI (Bubble Tea v1).
//
// The root Model is a router: it owns the screen enum, the frame (header
// and footer), the help overlay and the quit confirmation, and hands
// everything else to the screen in view (tui/pages/...). Window sizes go
// to every screen; keys go to the dialog or text input that holds them,
// then to the global bindings, then to the screen in view; results of
// commands go to every screen, each of which keeps only its own (typed,
// unexported messages, or batches that carry the stream they belong to).
// Styles live in tui/styles, key bindings in tui/keys; side effects run
// only in tea.Cmds.
package tui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/migrate"
	"github.com/vpcshift/vpcshift/tui/component"
	"github.com/vpcshift/vpcshift/tui/components/confirm"
	"github.com/vpcshift/vpcshift/tui/components/statusbar"
	"github.com/vpcshift/vpcshift/tui/estate"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/msg"
	"github.com/vpcshift/vpcshift/tui/pages/apply"
	"github.com/vpcshift/vpcshift/tui/pages/browse"
	"github.com/vpcshift/vpcshift/tui/pages/findings"
	"github.com/vpcshift/vpcshift/tui/pages/loading"
	"github.com/vpcshift/vpcshift/tui/pages/overview"
	"github.com/vpcshift/vpcshift/tui/pages/plan"
	"github.com/vpcshift/vpcshift/tui/styles"
)

// Screen is what the body shows.
type Screen int

// Screens; the ones after ScreenLoading have a number key each.
const (
	ScreenLoading Screen = iota
	ScreenOverview
	ScreenInventory
	ScreenFindings
	ScreenPlan
	ScreenApply
)

var screenNames = [...]string{"Loading", "Overview", "Inventory", "Findings", "Plan", "Apply"}

func (s Screen) String() string {
	if s >= 0 && int(s) < len(screenNames) {
		return screenNames[s]
	}
	return fmt.Sprintf("Screen(%d)", int(s))
}

// page is what the root needs of every screen.
type page interface {
	View() string
	SetSize(w, h int)
	KeyMap() help.KeyMap
}

const askQuit = "quit"

// Model is the root model.
type Model struct {
	deps Deps
	ctx  context.Context
	st   *styles.Styles
	km   keys.KeyMap
	log  *slog.Logger

	screen   Screen
	returnTo Screen
	showHelp bool

	bar      *statusbar.Model
	quit     *confirm.Model
	loading  *loading.Model
	overview *overview.Model
	browse   *browse.Model
	findings *findings.Model
	plan     *plan.Model
	apply    *apply.Model

	estate *estate.Estate
	// partial is the inventory read so far while the load goes on (nil
	// once it is complete): the estate's figures are partial.
	partial *loading.Partial
	// fresh: the next estate is the first of a load (the screens start
	// over); later ones refresh them in place.
	fresh bool

	width, height int
}

var _ tea.Model = (*Model)(nil)

// New builds the root model. ctx bounds the inventory.
func New(ctx context.Context, deps Deps) *Model {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	logw := deps.Log
	if logw == nil {
		logw = io.Discard
	}
	st := styles.Default()
	km := keys.Default()
	lg := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := &Model{deps: deps, ctx: ctx, st: st, km: km, log: lg, screen: ScreenLoading}
	m.bar = statusbar.New(st, km, screenNames[1:])
	m.bar.SetActive(-1)
	m.bar.SetContext(deps.Context)
	m.quit = confirm.New(st, km)
	m.loading = loading.New(st, km, m.loader(), deps.Now)
	m.overview = overview.New(st, km)
	m.browse = browse.New(st, km)
	m.findings = findings.New(st, km)
	m.plan = plan.New(st, km, plan.Funcs{Build: deps.Plan, Render: deps.RenderMarkdown, Write: deps.WriteFiles, Dir: deps.PlanDir})
	m.apply = apply.New(st, km, apply.Funcs{Apply: runner(deps.Apply), Rollback: runner(deps.Rollback), Allow: deps.AllowApply, Now: deps.Now, NATRemoval: deps.NATRemoval,
		Log: func(s string) { lg.Info("apply", "line", s) }})
	return m
}

func runner(f func(context.Context, *migrate.Plan, ApplyControl) error) apply.Runner {
	if f == nil {
		return nil
	}
	return apply.Runner(f)
}

// loader wraps Deps.Load to log progress.
func (m *Model) loader() loading.Loader {
	if m.deps.Load == nil {
		return nil
	}
	load, lg := m.deps.Load, m.log
	return func(ctx context.Context, progress func(ProgressEvent)) (*inventory.Snapshot, *analyzer.Report, error) {
		lg.Info("inventory started")
		snap, rep, err := load(ctx, func(e ProgressEvent) {
			switch {
			case e.Partial != nil:
				// the inventory so far: logged when shown
			case e.Phase == Failed || e.Phase == Retrying:
				lg.Warn("inventory call", "project", e.Project, "api", e.API, "what", e.What, "phase", e.Phase.String(), "err", e.Err)
			default:
				lg.Debug("inventory call", "project", e.Project, "api", e.API, "what", e.What, "phase", e.Phase.String(), "items", e.Items)
			}
			progress(e)
		})
		if err != nil {
			lg.Error("inventory failed", "err", err)
		} else {
			lg.Info("inventory done")
		}
		return snap, rep, err
	}
}

// Screen is the screen in view.
func (m *Model) Screen() Screen { return m.screen }

// Init starts the inventory.
func (m *Model) Init() tea.Cmd { return m.startLoad() }

// startLoad (re)starts the inventory: the plan and apply screens wait for
// it to be complete.
func (m *Model) startLoad() tea.Cmd {
	m.fresh = true
	m.plan.SetLoading("")
	m.apply.SetLoading("")
	return m.loading.Start(m.ctx)
}

// Partial reports whether the screens show part of the inventory (the
// rest is being read).
func (m *Model) Partial() bool { return m.partial != nil }

func (m *Model) current() page {
	switch m.screen {
	case ScreenOverview:
		return m.overview
	case ScreenInventory:
		return m.browse
	case ScreenFindings:
		return m.findings
	case ScreenPlan:
		return m.plan
	case ScreenApply:
		return m.apply
	}
	return m.loading
}

func (m *Model) pages() []page {
	return []page{m.loading, m.overview, m.browse, m.findings, m.plan, m.apply}
}

func (m *Model) bodyHeight() int {
	h := m.height - 2
	if m.partial != nil {
		h-- // the banner
	}
	return max(1, h)
}

// resize hands the frame's size to the bar, the dialog and every screen.
func (m *Model) resize() {
	m.bar.SetSize(m.width, 1)
	m.quit.SetSize(m.width, m.bodyHeight())
	for _, p := range m.pages() {
		p.SetSize(m.width, m.bodyHeight())
	}
}

// Update routes a message.
func (m *Model) Update(message tea.Msg) (tea.Model, tea.Cmd) {
	switch mm := message.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = mm.Width, mm.Height
		m.resize()
		return m, nil
	case tea.KeyMsg:
		return m.updateKey(mm)
	case tea.MouseMsg:
		if m.showHelp || m.quit.Open() {
			return m, nil
		}
		return m, m.toCurrent(mm)
	case loading.Partial:
		m.partialLoaded(mm)
		return m, nil
	case loading.Loaded:
		return m, m.loaded(mm)
	case loading.Failed:
		m.bar.SetStatus("the inventory failed: "+mm.Err.Error(), true)
		if m.partial != nil {
			// What was read so far is no use without the rest: back to
			// the loading screen, which says why and offers to retry.
			m.partial, m.estate = nil, nil
			m.resize()
			m.setScreen(ScreenLoading)
		}
		return m, nil
	case msg.Open:
		return m, m.open(mm)
	case msg.Back:
		m.setScreen(m.returnTo)
		return m, nil
	case msg.Status:
		m.bar.SetStatus(mm.Text, mm.Err)
		if mm.Err {
			m.log.Warn("status", "text", mm.Text)
		} else {
			m.log.Info("status", "text", mm.Text)
		}
		return m, nil
	case msg.PlanReady:
		if mm.Err != nil {
			m.log.Warn("plan", "err", mm.Err)
		} else if mm.Plan != nil {
			m.log.Info("plan made", "stages", len(mm.Plan.Stages), "fingerprint", mm.Plan.Source.Fingerprint)
		}
	case confirm.Result:
		if mm.ID == askQuit {
			if mm.Yes {
				m.log.Info("quit while a run was in progress")
				cancel := m.apply.Cancel
				return m, tea.Sequence(func() tea.Msg { cancel(); return nil }, tea.Quit)
			}
			return m, nil
		}
	}
	return m, m.broadcast(message)
}

// broadcast hands a command's result to every screen; each keeps its own.
func (m *Model) broadcast(message tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	var cmd tea.Cmd
	m.loading, cmd = m.loading.Update(message)
	cmds = append(cmds, cmd)
	m.overview, cmd = m.overview.Update(message)
	cmds = append(cmds, cmd)
	m.browse, cmd = m.browse.Update(message)
	cmds = append(cmds, cmd)
	m.findings, cmd = m.findings.Update(message)
	cmds = append(cmds, cmd)
	m.plan, cmd = m.plan.Update(message)
	cmds = append(cmds, cmd)
	m.apply, cmd = m.apply.Update(message)
	cmds = append(cmds, cmd)
	return tea.Batch(cmds...)
}

// toCurrent hands a key or mouse message to the screen in view.
func (m *Model) toCurrent(message tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.screen {
	case ScreenOverview:
		m.overview, cmd = m.overview.Update(message)
	case ScreenInventory:
		m.browse, cmd = m.browse.Update(message)
	case ScreenFindings:
		m.findings, cmd = m.findings.Update(message)
	case ScreenPlan:
		m.plan, cmd = m.plan.Update(message)
	case ScreenApply:
		m.apply, cmd = m.apply.Update(message)
	default:
		m.loading, cmd = m.loading.Update(message)
	}
	return cmd
}

// capturing reports whether the screen in view holds every key (a text
// input or a dialog is open).
func (m *Model) capturing() bool {
	c, ok := m.current().(component.Capturer)
	return ok && c.Capturing()
}

func (m *Model) updateKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	if s, _ := m.bar.Status(); s != "" {
		m.bar.SetStatus("", false)
	}
	if m.quit.Open() {
		var cmd tea.Cmd
		m.quit, cmd = m.quit.Update(k)
		return m, cmd
	}
	if k.Type == tea.KeyCtrlC {
		return m, m.requestQuit()
	}
	if m.showHelp {
		switch {
		case key.Matches(k, m.km.Help), key.Matches(k, m.km.Back):
			m.showHelp = false
		case key.Matches(k, m.km.Quit):
			return m, m.requestQuit()
		}
		return m, nil
	}
	if m.capturing() {
		return m, m.toCurrent(k)
	}
	switch {
	case key.Matches(k, m.km.Quit):
		return m, m.requestQuit()
	case key.Matches(k, m.km.Help):
		m.showHelp = true
		return m, nil
	}
	if m.screen == ScreenLoading {
		if m.loading.IsRetry(k) {
			m.bar.SetStatus("", false)
			return m, m.startLoad()
		}
		if m.estate == nil {
			return m, m.toCurrent(k)
		}
		// Part of the inventory is in: the screens can show it.
	}
	if key.Matches(k, m.km.Reload) {
		if m.loading.Loading() {
			// Reading it again makes no sense while it is being read:
			// show how far it is.
			m.setScreen(ScreenLoading)
			return m, nil
		}
		return m, m.reload()
	}
	for i, b := range m.km.Screens() {
		if key.Matches(k, b) {
			m.setScreen(Screen(i + 1))
			return m, nil
		}
	}
	return m, m.toCurrent(k)
}

// reload reads the inventory again (not while a run is in progress).
func (m *Model) reload() tea.Cmd {
	if m.apply.Running() {
		return msg.StatusCmd("a run is in progress: the inventory is read again once it ends", true)
	}
	m.log.Info("reload")
	m.estate = nil
	if m.partial != nil {
		m.partial = nil
		m.resize()
	}
	m.screen = ScreenLoading
	m.showHelp = false
	m.bar.SetActive(-1)
	return m.startLoad()
}

func (m *Model) requestQuit() tea.Cmd {
	if m.apply.Running() {
		m.quit.Ask(askQuit, "A change is running. Quit anyway?", []string{
			"Quitting cancels the step in progress. What is done stays done and is in the plan's journal:",
			"'vpcshift apply PLAN --resume' continues it, 'vpcshift rollback PLAN' undoes it.",
			"To stop cleanly instead, answer n and press x: the run stops after the current step.",
		}, "quit now", "keep running", true)
		return nil
	}
	m.log.Info("quit")
	return tea.Quit
}

func (m *Model) setScreen(s Screen) {
	if m.estate == nil && s != ScreenLoading {
		return
	}
	m.screen = s
	m.showHelp = false
	m.bar.SetActive(int(s) - 1)
	m.log.Debug("screen", "screen", s.String())
}

// partialLoaded shows the inventory read so far on the overview,
// inventory and findings screens (the plan and apply screens wait for all
// of it). The screen in view stays.
func (m *Model) partialLoaded(p loading.Partial) {
	if !m.loading.Current(p) {
		return // the load ended (its result is in) or was replaced
	}
	banner := m.partial == nil
	m.partial = &p
	m.show(estate.New(p.Snap, p.Rep))
	if banner {
		m.resize()
	}
	read := m.projectsRead()
	m.plan.SetLoading(read)
	m.apply.SetLoading(read)
	m.log.Info("partial analysis", "projects read", p.Done, "projects", p.Total)
}

// projectsRead says how far the inventory is ("12 of 40 projects read").
func (m *Model) projectsRead() string {
	done, total := m.loading.Projects()
	if m.partial != nil {
		done = max(done, m.partial.Done)
	}
	if total > 0 {
		return fmt.Sprintf("%s of %s projects read", estate.Count(done), estate.Count(total))
	}
	if done == 1 {
		return "1 project read"
	}
	return estate.Count(done) + " projects read"
}

// banner is the line under the header while the figures are partial.
func (m *Model) banner() string {
	text := "loading: " + m.projectsRead() + " · figures are partial"
	if m.screen != ScreenLoading {
		text += " · r shows the progress"
	}
	return m.st.Banner.Render(layout.Truncate(text, m.width))
}

func (m *Model) loaded(l loading.Loaded) tea.Cmd {
	e := estate.New(l.Snap, l.Rep)
	banner := m.partial != nil
	m.partial = nil
	m.show(e)
	if banner {
		m.resize()
	}
	m.log.Info("analysis", "connectors", len(e.Snap.Connectors), "consumers", len(e.Snap.Consumers), "nats", len(e.Snap.NATs), "findings", len(e.Rep.Findings))
	if m.screen == ScreenLoading {
		m.setScreen(ScreenOverview)
	}
	m.apply.SetPlan(nil, nil) // "the plan is being made", until it is
	return m.plan.SetEstate(e)
}

// show hands an estate to the overview, inventory and findings: the first
// of a load starts them over, later ones (more of the inventory read)
// refresh them where they are.
func (m *Model) show(e *estate.Estate) {
	m.estate = e
	m.overview.SetEstate(e)
	if m.fresh {
		m.browse.SetEstate(e)
	} else {
		m.browse.Refresh(e)
	}
	m.findings.SetEstate(e)
	m.fresh = false
	ctx := m.deps.Context
	if e.Rep.Prices.Label != "" {
		if ctx != "" {
			ctx += " · "
		}
		ctx += "prices " + e.Rep.Prices.Label
	}
	m.bar.SetContext(ctx)
}

func (m *Model) open(o msg.Open) tea.Cmd {
	if !m.browse.Open(o.ID) {
		return msg.StatusCmd("no inventory row for "+o.ID+": its details are on this screen", false)
	}
	m.returnTo = m.screen
	m.setScreen(ScreenInventory)
	return nil
}

// View renders the frame and the screen in view.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	h := m.bodyHeight()
	var body string
	switch {
	case m.quit.Open():
		body = m.quit.View()
	case m.showHelp:
		body = m.bar.FullHelp(m.screen.String(), m.current().KeyMap(), m.width, h)
	default:
		body = m.current().View()
	}
	hk, dialog := m.current().KeyMap(), false
	if m.quit.Open() {
		hk, dialog = m.quit.KeyMap(), true
	} else if m.screen == ScreenApply && m.apply.Capturing() {
		dialog = true
	}
	banner := ""
	if m.partial != nil {
		banner = m.banner() + "\n"
	}
	return m.bar.Header() + "\n" + banner + layout.Block(body, m.width, h) + "\n" + m.bar.Footer(hk, dialog)
}
