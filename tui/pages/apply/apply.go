// Package apply is the apply screen. Without --allow-apply it is
// read-only and says so (with what a run would change). With it: a
// confirmation that names every change, then each step's status and
// duration live, a progress bar, the log, a key to stop after the current
// step, and rollback.
package apply

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vpcshift/vpcshift/migrate"
	"github.com/vpcshift/vpcshift/tui/component"
	"github.com/vpcshift/vpcshift/tui/components/confirm"
	"github.com/vpcshift/vpcshift/tui/components/pane"
	"github.com/vpcshift/vpcshift/tui/estate"
	"github.com/vpcshift/vpcshift/tui/event"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/msg"
	"github.com/vpcshift/vpcshift/tui/stream"
	"github.com/vpcshift/vpcshift/tui/styles"
)

// Runner applies or rolls back a plan.
type Runner func(ctx context.Context, p *migrate.Plan, ctl event.Control) error

// Funcs are what the apply screen calls.
type Funcs struct {
	Apply    Runner // nil: not available in this build
	Rollback Runner
	// Allow is --allow-apply: without it the screen is read-only.
	Allow bool
	Now   func() time.Time
	// Log receives each line of the run's log (for the log file).
	Log func(string)
	// NATRemoval says whether runs may remove Cloud NAT (or subnets from
	// it); when not, those steps are skipped, and the confirmation says so.
	NATRemoval bool
}

// ErrUnavailable is what the screen says when this build cannot apply.
var ErrUnavailable = errors.New("applying a plan is not available in this build of vpcshift")

// Confirmation IDs.
const (
	askApply    = "apply"
	askRollback = "rollback"
	askRun      = "run-question"
)

type state int

const (
	stateIdle state = iota
	stateRunning
	stateDone
)

type update struct {
	ev  *event.Apply
	ask *askReq
}

type askReq struct {
	q     event.Question
	reply chan bool
}

type stepState struct {
	phase   event.Phase
	started bool
	begin   time.Time
	elapsed time.Duration
	msg     string
}

// Model is the apply screen.
type Model struct {
	st *styles.Styles
	km keys.KeyMap
	fn Funcs

	plan    *migrate.Plan
	planErr error
	// loading: the inventory is being read (read says how far); nothing
	// can be applied until its plan is made.
	loading bool
	read    string
	order   []*migrate.Step
	stageOf map[string]migrate.StageName

	state    state
	mode     string // "apply" or "rollback"
	steps    map[string]*stepState
	current  string
	begin    time.Time
	elapsed  time.Duration
	stopping *atomic.Bool
	cancel   context.CancelFunc
	stream   *stream.Stream[update]
	pending  *askReq
	result   string
	err      error
	changed  bool // the run finished at least one changing step

	dialog  *confirm.Model
	log     *pane.Model
	logText []string
	bar     progress.Model
	spin    spinner.Model
	offset  int
	preview *pane.Model

	width, height int
}

var _ component.Component[*Model] = (*Model)(nil)

// New makes the apply screen.
func New(st *styles.Styles, km keys.KeyMap, fn Funcs) *Model {
	if fn.Now == nil {
		fn.Now = time.Now
	}
	bar := progress.New(progress.WithSolidFill(string(st.Theme.Good.Dark)), progress.WithFillCharacters('█', '░'), progress.WithColorProfile(lipgloss.ColorProfile()))
	return &Model{st: st, km: km, fn: fn, dialog: confirm.New(st, km), log: pane.New(km), preview: pane.New(km),
		bar: bar, spin: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Title)),
		steps: map[string]*stepState{}, stopping: &atomic.Bool{}}
}

// Running reports whether a run is in progress.
func (m *Model) Running() bool { return m.state == stateRunning }

// Capturing is true while a dialog waits for an answer.
func (m *Model) Capturing() bool { return m.dialog.Open() }

// RequestStop asks the run to stop after the current step.
func (m *Model) RequestStop() {
	if m.state == stateRunning && !m.stopping.Load() {
		m.stopping.Store(true)
		m.addLog("stop requested: the run stops after the current step")
	}
}

// Cancel ends a run at once (used when quitting).
func (m *Model) Cancel() {
	if m.cancel != nil {
		m.cancel()
	}
}

// Result is the last run's summary line ("" before any).
func (m *Model) Result() string { return m.result }

// Err is the last run's error.
func (m *Model) Err() error { return m.err }

// StepPhase is a step's phase in the current or last run.
func (m *Model) StepPhase(id string) (event.Phase, bool) {
	s, ok := m.steps[id]
	if !ok || !s.started {
		return 0, false
	}
	return s.phase, true
}

// SetLoading says that the inventory is being read, read saying how far
// ("12 of 40 projects read"; "" when not known): nothing can be applied
// until all of it is read and its plan made, and the screen says so.
// SetPlan ends the wait. It does nothing while a run is in progress.
func (m *Model) SetLoading(read string) {
	if m.state == stateRunning {
		return
	}
	m.loading, m.read = true, read
	if m.dialog.Open() {
		m.dialog.Close()
	}
}

// Loading reports whether the screen waits for the inventory.
func (m *Model) Loading() bool { return m.loading }

// SetPlan shows a plan (nil with err when there is none).
func (m *Model) SetPlan(p *migrate.Plan, err error) {
	if m.state == stateRunning {
		return
	}
	m.loading, m.read = false, ""
	m.plan, m.planErr = p, err
	m.state, m.steps, m.result = stateIdle, map[string]*stepState{}, ""
	m.order, m.stageOf = nil, map[string]migrate.StageName{}
	if p != nil {
		for si := range p.Stages {
			for j := range p.Stages[si].Steps {
				s := &p.Stages[si].Steps[j]
				m.order = append(m.order, s)
				m.stageOf[s.ID] = p.Stages[si].Name
			}
		}
	}
	m.renderPreview()
}

// SetSize sets the screen size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.dialog.SetSize(w, h)
	m.bar.Width = max(10, w-2)
	m.layoutPanes()
	m.renderPreview()
	m.renderLog()
}

func (m *Model) listHeight() int { return max(3, (m.height-4)*3/5) }

func (m *Model) layoutPanes() {
	m.log.SetSize(m.width, max(1, m.height-4-m.listHeight()-1))
	m.preview.SetSize(m.width, max(1, m.height-3))
}

// KeyMap lists the keys for what the screen shows.
func (m *Model) KeyMap() help.KeyMap {
	if m.dialog.Open() {
		h := m.dialog.KeyMap()
		if m.dialog.ID() == askRun && !m.stopping.Load() {
			return keys.Help{Short: append(h.ShortHelp(), m.km.Stop)}
		}
		return h
	}
	k := m.km
	start, stop, rb := k.Start, k.Stop, k.Rollback
	start.SetEnabled(m.canStart())
	stop.SetEnabled(m.state == stateRunning && !m.stopping.Load())
	rb.SetEnabled(m.canRollback())
	short := []key.Binding{start, stop, rb, k.Up, k.Down}
	return keys.Help{Short: short, Full: [][]key.Binding{{start, stop, rb}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}}
}

func (m *Model) canStart() bool {
	return m.fn.Allow && m.fn.Apply != nil && m.plan != nil && m.state != stateRunning && !m.loading
}

func (m *Model) canRollback() bool {
	return m.fn.Allow && m.fn.Rollback != nil && m.plan != nil && m.state == stateDone && m.mode == "apply" && m.changed && !m.loading
}

// Update handles keys, answers, the run's events and ticks.
func (m *Model) Update(message tea.Msg) (*Model, tea.Cmd) {
	switch mm := message.(type) {
	case msg.PlanReady:
		m.SetPlan(mm.Plan, mm.Err)
		return m, nil
	case confirm.Result:
		return m.answer(mm)
	case stream.Batch[update]:
		if mm.Stream != m.stream {
			return m, nil
		}
		return m.events(mm)
	case spinner.TickMsg:
		if m.state != stateRunning {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(mm)
		m.elapsed = m.fn.Now().Sub(m.begin)
		return m, cmd
	case tea.KeyMsg:
		if m.dialog.Open() && m.dialog.ID() == askRun && key.Matches(mm, m.km.Stop) {
			m.RequestStop() // a run's question does not hold the stop key
			return m, nil
		}
		if m.dialog.Open() {
			var cmd tea.Cmd
			m.dialog, cmd = m.dialog.Update(mm)
			return m, cmd
		}
		return m.updateKey(mm)
	case tea.MouseMsg:
		var cmd tea.Cmd
		if m.state == stateIdle {
			m.preview, cmd = m.preview.Update(mm)
		} else {
			m.log, cmd = m.log.Update(mm)
		}
		return m, cmd
	}
	return m, nil
}

func (m *Model) updateKey(k tea.KeyMsg) (*Model, tea.Cmd) {
	km := m.km
	switch {
	case key.Matches(k, km.Start):
		if !m.canStart() {
			return m, m.whyNot()
		}
		m.dialog.Ask(askApply, "Apply the migration plan? These changes will be made:", m.changeLines(), "apply", "cancel", true)
		return m, nil
	case key.Matches(k, km.Stop):
		m.RequestStop()
		return m, nil
	case key.Matches(k, km.Rollback):
		if !m.canRollback() {
			return m, nil
		}
		m.dialog.Ask(askRollback, "Roll back what the migration changed?", []string{
			"Every step this run (and earlier runs of this plan) journaled as done is undone, in reverse order:",
			"services return to their previous revision and connector, zones and routes vpcshift created are deleted.",
			"Deleted connectors cannot be brought back by vpcshift.",
		}, "roll back", "cancel", true)
		return m, nil
	}
	var cmd tea.Cmd
	if m.state == stateIdle {
		m.preview, cmd = m.preview.Update(k)
		return m, cmd
	}
	switch {
	case key.Matches(k, km.Up):
		m.offset = max(0, m.offset-1)
	case key.Matches(k, km.Down):
		m.offset = min(m.offset+1, max(0, len(m.order)-m.listHeight()))
	default:
		m.log, cmd = m.log.Update(k)
	}
	return m, cmd
}

func (m *Model) whyNot() tea.Cmd {
	text := ""
	switch {
	case m.state == stateRunning:
		text = "a run is in progress"
	case m.loading:
		text = "the inventory is still being read: the plan, and so apply, wait for all of it"
	case m.fn.Apply == nil:
		text = ErrUnavailable.Error()
	case !m.fn.Allow:
		text = "read-only: start vpcshift with --allow-apply to apply from here"
	case m.plan == nil:
		text = "there is no plan to apply"
	}
	if text == "" {
		return nil
	}
	return msg.StatusCmd(text, true)
}

func (m *Model) answer(r confirm.Result) (*Model, tea.Cmd) {
	switch r.ID {
	case askApply:
		if r.Yes {
			return m, m.start("apply", m.fn.Apply)
		}
	case askRollback:
		if r.Yes {
			return m, m.start("rollback", m.fn.Rollback)
		}
	case askRun:
		if p := m.pending; p != nil {
			m.pending = nil
			ans := r.Yes
			m.addLog(fmt.Sprintf("answered %s: %s", yesNo(ans), p.q.Text))
			return m, func() tea.Msg { p.reply <- ans; return nil }
		}
	}
	return m, nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// start begins a run in a goroutine; its events come back as batches.
func (m *Model) start(mode string, run Runner) tea.Cmd {
	if run == nil || m.plan == nil {
		return msg.StatusCmd(mode+" is not available in this build of vpcshift", true)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.state, m.mode = stateRunning, mode
	m.steps = map[string]*stepState{}
	m.current, m.result, m.err, m.changed, m.offset = "", "", nil, false, 0
	m.stopping = &atomic.Bool{}
	m.begin, m.elapsed = m.fn.Now(), 0
	m.logText = nil
	m.addLog(fmt.Sprintf("%s started: %d steps", mode, len(m.order)))
	p, stopping := m.plan, m.stopping
	m.stream = stream.New(func(emit func(update)) error {
		defer cancel()
		return run(ctx, p, event.Control{
			Events:   func(e event.Apply) { emit(update{ev: &e}) },
			Stopping: stopping.Load,
			Ask: func(ctx context.Context, q event.Question) (bool, error) {
				r := &askReq{q: q, reply: make(chan bool, 1)}
				emit(update{ask: r})
				select {
				case a := <-r.reply:
					return a, nil
				case <-ctx.Done():
					return false, ctx.Err()
				}
			},
		})
	})
	return tea.Batch(m.stream.Next(), m.spin.Tick)
}

func (m *Model) events(b stream.Batch[update]) (*Model, tea.Cmd) {
	for _, u := range b.Events {
		if u.ask != nil {
			m.pending = u.ask
			m.dialog.Ask(askRun, u.ask.q.Text, u.ask.q.Details, "yes", "no", false)
			continue
		}
		m.event(*u.ev)
	}
	m.elapsed = m.fn.Now().Sub(m.begin)
	if !b.Done {
		return m, m.stream.Next()
	}
	m.state = stateDone
	m.err = b.Err
	m.stream = nil
	if m.dialog.Open() && m.dialog.ID() == askRun {
		m.dialog.Close()
	}
	m.pending = nil
	stopped := m.stopping.Load()
	switch {
	case b.Err != nil && stopped && errors.Is(b.Err, context.Canceled):
		m.result = fmt.Sprintf("%s stopped after the current step, as asked", m.mode)
		m.err = nil
	case b.Err != nil:
		m.result = fmt.Sprintf("%s failed: %v", m.mode, b.Err)
	case stopped:
		m.result = fmt.Sprintf("%s stopped after the current step, as asked", m.mode)
	default:
		m.result = fmt.Sprintf("%s finished", m.mode)
	}
	counts := m.counts()
	m.result += " · " + counts
	if m.changed {
		m.result += " · r reads the inventory again"
	}
	m.addLog(m.result)
	isErr := m.err != nil
	return m, msg.StatusCmd(m.result, isErr)
}

func (m *Model) counts() string {
	n := map[event.Phase]int{}
	for _, s := range m.order {
		if st, ok := m.steps[s.ID]; ok && st.started {
			n[st.phase]++
		} else {
			n[-1]++
		}
	}
	parts := []string{fmt.Sprintf("%d done", n[event.Done])}
	for _, p := range []event.Phase{event.Failed, event.RolledBack, event.Skipped} {
		if n[p] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[p], p))
		}
	}
	if n[-1] > 0 {
		parts = append(parts, fmt.Sprintf("%d not run", n[-1]))
	}
	return strings.Join(parts, ", ")
}

func (m *Model) event(e event.Apply) {
	line := ""
	if e.Step == "" {
		line = e.Message
		if e.Err != nil && !strings.Contains(line, e.Err.Error()) {
			line += ": " + e.Err.Error()
		}
		if line != "" {
			m.addLog(line)
		}
		return
	}
	s := m.steps[e.Step]
	if s == nil {
		s = &stepState{}
		m.steps[e.Step] = s
	}
	title := e.Step
	if st, ok := m.plan.Step(e.Step); ok && st.Title != "" {
		title = st.Title
	}
	now := m.fn.Now()
	switch e.Phase {
	case event.Started:
		s.phase, s.started, s.begin = event.Started, true, now
		m.current = e.Step
		m.follow(e.Step)
		line = "» " + title
	case event.Note, event.Retrying:
		if !s.started {
			s.started, s.begin, s.phase = true, now, event.Started
		}
		line = "  " + title + ": " + e.Message
		s.msg = e.Message
	case event.Waiting:
		s.phase, s.started, s.msg = event.Waiting, true, e.Message
		line = "… " + title + ": " + e.Message
	default:
		if !s.started {
			s.begin = now
		}
		s.phase, s.started = e.Phase, true
		s.elapsed = e.Elapsed
		if s.elapsed == 0 {
			s.elapsed = now.Sub(s.begin)
		}
		s.msg = e.Message
		if e.Err != nil {
			s.msg = e.Err.Error()
		}
		if e.Phase == event.Done {
			if st, ok := m.plan.Step(e.Step); ok && changes(st.Action) {
				m.changed = true
			}
		}
		line = fmt.Sprintf("%s %s (%s)", m.glyph(e.Phase), title, s.elapsed.Round(10*time.Millisecond))
		if s.msg != "" {
			line += ": " + s.msg
		}
	}
	m.addLog(line)
}

func changes(a migrate.Action) bool {
	switch a {
	case migrate.ActionCheck, migrate.ActionValidate, migrate.ActionManual, migrate.ActionSoak:
		return false
	}
	return true
}

func (m *Model) follow(id string) {
	for i, s := range m.order {
		if s.ID == id {
			h := m.listHeight() - 1
			if i < m.offset || i >= m.offset+h {
				m.offset = max(0, i-h/2)
			}
			return
		}
	}
}

func (m *Model) addLog(line string) {
	ts := m.fn.Now().Format("15:04:05")
	m.logText = append(m.logText, ts+" "+line)
	if m.fn.Log != nil {
		m.fn.Log(line)
	}
	m.renderLog()
}

// renderLog wraps the log to the pane's width, keeping the end in view
// when it was.
func (m *Model) renderLog() {
	atEnd := m.log.AtBottom()
	w := max(20, m.width)
	var b strings.Builder
	for i, entry := range m.logText {
		if i > 0 {
			b.WriteByte('\n')
		}
		for j, l := range strings.Split(entry, "\n") {
			if j > 0 {
				b.WriteByte('\n')
				l = "  " + strings.TrimLeft(l, " ")
			}
			wrapped := layout.WrapIndent(l, w, 9)
			if j == 0 && len(wrapped) >= 8 {
				wrapped = m.st.Muted.Render(wrapped[:8]) + wrapped[8:]
			}
			b.WriteString(wrapped)
		}
	}
	m.log.SetContent(b.String())
	if atEnd {
		m.log.GotoBottom()
	}
}

func (m *Model) glyph(p event.Phase) string {
	g := m.st.Glyphs
	switch p {
	case event.Started:
		return m.spin.View()
	case event.Done:
		return m.st.Good.Render(g.Done)
	case event.Failed:
		return m.st.Bad.Render(g.Failed)
	case event.Skipped:
		return m.st.Muted.Render(g.Skipped)
	case event.RolledBack:
		return m.st.Warn.Render(g.RolledBack)
	case event.Waiting:
		return m.st.Warn.Render("…")
	}
	return m.st.Muted.Render(g.Pending)
}

// changeLines names every change a run makes, grouped by action.
func (m *Model) changeLines() []string {
	if m.plan == nil {
		return nil
	}
	type group struct {
		action migrate.Action
		names  []string
	}
	groups := map[migrate.Action]*group{}
	var order []migrate.Action
	projects := map[string]bool{}
	manual := 0
	for _, s := range m.order {
		if s.Action == migrate.ActionManual {
			manual++
		}
		if !changes(s.Action) {
			continue
		}
		g := groups[s.Action]
		if g == nil {
			g = &group{action: s.Action}
			groups[s.Action] = g
			order = append(order, s.Action)
		}
		name := estate.Last(s.Resource)
		if len(g.names) == 0 || g.names[len(g.names)-1] != name {
			g.names = append(g.names, name)
		}
		if s.Project != "" {
			projects[s.Project] = true
		}
	}
	var lines []string
	for _, a := range order {
		g := groups[a]
		line := fmt.Sprintf("%s %s: %s", actionTitle(a), countOf(len(g.names)), strings.Join(g.names, ", "))
		if (a == migrate.ActionRemoveNAT || a == migrate.ActionRemoveNATSubnets) && !m.fn.NATRemoval {
			line += " (skipped: Cloud NAT is not changed from this session)"
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		lines = append(lines, "nothing: the plan only checks")
	}
	ps := make([]string, 0, len(projects))
	for p := range projects {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	if len(ps) > 0 {
		lines = append(lines, "", "in projects: "+strings.Join(ps, ", "))
	}
	if manual > 0 {
		lines = append(lines, fmt.Sprintf("%d manual steps will ask you when they are reached", manual))
	}
	if m.plan.Stopped() {
		lines = append(lines, "", "a blocker stops this plan: the run will stop after the preflight checks")
	}
	return lines
}

func countOf(n int) string {
	if n == 1 {
		return "1"
	}
	return fmt.Sprint(n)
}

func actionTitle(a migrate.Action) string {
	switch a {
	case migrate.ActionSetPGA:
		return "turn on Private Google Access on subnets"
	case migrate.ActionCreateRoute:
		return "create routes to 199.36.153.8/30"
	case migrate.ActionCreateZone:
		return "create run.app. private zones"
	case migrate.ActionDeployRevision:
		return "deploy Direct VPC revisions (no traffic) of services"
	case migrate.ActionShiftTraffic:
		return "shift traffic of services"
	case migrate.ActionUpdateJob:
		return "move jobs"
	case migrate.ActionUpdateWorkerPool:
		return "move worker pools"
	case migrate.ActionUpdateFunction:
		return "move functions"
	case migrate.ActionDeleteConnector:
		return "DELETE connectors"
	case migrate.ActionRemoveNATSubnets:
		return "remove subnets from Cloud NAT"
	case migrate.ActionRemoveNAT:
		return "REMOVE Cloud NAT gateways"
	}
	return string(a)
}

func (m *Model) renderPreview() {
	if m.width <= 0 {
		return
	}
	w := m.width
	var b strings.Builder
	switch {
	case m.planErr != nil && m.plan == nil:
		b.WriteString(m.st.Warn.Render(layout.Wrap("There is no plan to apply: "+m.planErr.Error(), w)))
	case m.plan == nil:
		b.WriteString(m.st.Muted.Render("The plan is being made…"))
	default:
		switch {
		case m.fn.Apply == nil:
			b.WriteString(m.st.Warn.Render(layout.Wrap(ErrUnavailable.Error()+". What a run would change:", w)))
		case !m.fn.Allow:
			b.WriteString(m.st.Warn.Render(layout.Wrap("Read-only: vpcshift was started without --allow-apply, so nothing can be changed from here. "+
				"To apply, write the plan (4, then w) and run 'vpcshift apply plan.json', or start vpcshift again with --allow-apply.", w)))
			b.WriteString("\n\n" + m.st.Heading.Render("What a run would change"))
		default:
			b.WriteString(layout.Wrap(m.st.Title.Render("Ready to apply.")+" Press "+m.st.Key.Render("a")+" to review and confirm; "+
				m.st.Key.Render("x")+" stops after the current step; "+m.st.Key.Render("R")+" rolls back when it is done.", w))
			b.WriteString("\n\n" + m.st.Heading.Render("What the run will change"))
		}
		for _, l := range m.changeLines() {
			b.WriteString("\n" + layout.WrapIndent("  "+l, w, 4))
		}
	}
	m.preview.SetContent(b.String())
}

// View renders the screen.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var body string
	if m.loading {
		read := "The inventory is being read"
		if m.read != "" {
			read += ": " + m.read + " so far"
		}
		body = m.st.Title.Render("Apply") + "\n\n" + m.st.Warn.Render(layout.Wrap(read+".", m.width)) + "\n\n" +
			layout.Wrap("Nothing can be applied before the whole inventory is read and the plan made from it: "+
				"a plan made from part of the estate would be wrong.", m.width)
	} else if m.state == stateIdle {
		body = m.st.Title.Render("Apply") + "\n\n" + m.preview.View()
	} else {
		body = m.runView()
	}
	body = layout.Block(body, m.width, m.height)
	if m.dialog.Open() {
		return m.dialog.View()
	}
	return body
}

func (m *Model) runView() string {
	var b strings.Builder
	finished := 0
	for _, s := range m.order {
		if st, ok := m.steps[s.ID]; ok && st.started && st.phase != event.Started && st.phase != event.Waiting {
			finished++
		}
	}
	title := "Applying the plan"
	if m.mode == "rollback" {
		title = "Rolling back"
	}
	status := m.spin.View() + " "
	if m.state == stateDone {
		status = m.st.Good.Render(m.st.Glyphs.Done) + " "
		if m.err != nil {
			status = m.st.Bad.Render(m.st.Glyphs.Failed) + " "
		}
		title = m.result
	}
	title, _, _ = strings.Cut(title, "\n")
	head := status + m.st.Title.Render(title) + m.st.Muted.Render(fmt.Sprintf("  %d of %d steps · %s", finished, len(m.order), m.elapsed.Round(time.Second)))
	if m.stopping.Load() && m.state == stateRunning {
		head += "  " + m.st.Warn.Render("stopping after this step")
	}
	b.WriteString(layout.Truncate(head, m.width) + "\n")
	pct := 0.0
	if len(m.order) > 0 {
		pct = float64(finished) / float64(len(m.order))
	}
	b.WriteString(m.bar.ViewAs(pct) + "\n")
	h := m.listHeight()
	off := min(m.offset, max(0, len(m.order)-h))
	shown := 0
	for i := off; i < len(m.order) && shown < h; i++ {
		s := m.order[i]
		st := m.steps[s.ID]
		glyph, dur, note := m.st.Muted.Render(m.st.Glyphs.Pending), "", ""
		if st != nil && st.started {
			glyph = m.glyph(st.phase)
			d := st.elapsed
			if st.phase == event.Started || st.phase == event.Waiting {
				d = m.fn.Now().Sub(st.begin)
			}
			dur = d.Round(10 * time.Millisecond).String()
			note = st.msg
		}
		titleW := max(20, m.width-2-13-9)
		if note != "" && st.phase != event.Done && st.phase != event.Started {
			titleW = max(20, titleW*3/5)
		} else {
			note = ""
		}
		line := glyph + " " + layout.Fit(string(m.stageOf[s.ID]), 12, layout.Left) + " " + layout.Fit(s.Title, titleW, layout.Left) + " " + layout.Fit(dur, 8, layout.Right)
		if note != "" {
			line += "  " + note
		}
		b.WriteString(layout.Truncate(line, m.width) + "\n")
		shown++
	}
	for ; shown < h; shown++ {
		b.WriteByte('\n')
	}
	b.WriteString(m.st.Muted.Render(layout.Truncate("── log "+strings.Repeat("─", m.width), m.width)) + "\n")
	b.WriteString(m.log.View())
	return b.String()
}
