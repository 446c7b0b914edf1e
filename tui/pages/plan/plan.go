// Package plan is the plan screen: the migration's stages and steps (and
// the blockers that stop it), the step under the cursor in full, the
// Markdown runbook in a scrollable pane, and a key that writes the plan
// and every runbook format to files.
package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
	imoney "github.com/vpcshift/vpcshift/internal/money"
	"github.com/vpcshift/vpcshift/migrate"
	"github.com/vpcshift/vpcshift/tui/component"
	"github.com/vpcshift/vpcshift/tui/components/pane"
	"github.com/vpcshift/vpcshift/tui/estate"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/msg"
	"github.com/vpcshift/vpcshift/tui/styles"
)

// ErrUnavailable is what the plan screen says when this build has no
// planner.
var ErrUnavailable = errors.New("migration planning is not available in this build of vpcshift")

// Funcs are what the plan screen calls (nil when not available).
type Funcs struct {
	Build  func(*inventory.Snapshot, *analyzer.Report) (*migrate.Plan, error)
	Render func(*migrate.Plan) (string, error)
	Write  func(p *migrate.Plan, dir string) ([]string, error)
	// Dir is the directory proposed for written files.
	Dir string
}

type built struct {
	gen   int
	plan  *migrate.Plan
	err   error
	md    string
	mdErr error
}

type written struct {
	paths []string
	err   error
}

type mode int

const (
	modeSteps mode = iota
	modeRunbook
)

type item struct {
	header  string
	step    *migrate.Step
	blocker *migrate.Blocker
}

// Model is the plan screen.
type Model struct {
	st *styles.Styles
	km keys.KeyMap
	fn Funcs

	gen      int
	building bool
	plan     *migrate.Plan
	err      error
	md       string
	mdErr    error
	e        *estate.Estate

	// loading: the inventory is being read; read says how far ("12 of
	// 40 projects read", "" when not known).
	loading bool
	read    string

	mode    mode
	items   []item
	cursor  int
	offset  int
	runbook *pane.Model
	spin    spinner.Model

	input   textinput.Model
	editing bool
	writing bool

	width, height int
}

var _ component.Component[*Model] = (*Model)(nil)

// New makes the plan screen.
func New(st *styles.Styles, km keys.KeyMap, fn Funcs) *Model {
	in := textinput.New()
	in.Cursor.SetMode(cursor.CursorStatic) // no blinking: fewer redraws
	in.Prompt = "write to directory: "
	in.PromptStyle = st.FilterPrompt
	in.CharLimit = 500
	if fn.Dir == "" {
		fn.Dir = "vpcshift-plan"
	}
	return &Model{st: st, km: km, fn: fn, runbook: pane.New(km), input: in,
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Title))}
}

// SetLoading says that the inventory is being read, read saying how far
// ("12 of 40 projects read"; "" when not known): the plan waits for all of
// it, since a plan made from part of the estate would be wrong, and the
// screen says so. A plan made before (of an earlier inventory) is
// dropped. SetEstate ends the wait.
func (m *Model) SetLoading(read string) {
	m.loading, m.read = true, read
	m.gen++ // a plan still being made is of the earlier inventory
	m.building, m.editing, m.writing = false, false, false
	m.input.Blur()
	m.plan, m.err, m.md, m.mdErr, m.items = nil, nil, "", nil, nil
	m.cursor, m.offset = 0, 0
}

// Loading reports whether the plan waits for the inventory.
func (m *Model) Loading() bool { return m.loading }

// SetEstate makes the plan of an estate (in a command).
func (m *Model) SetEstate(e *estate.Estate) tea.Cmd {
	m.e = e
	m.loading, m.read = false, ""
	m.gen++
	m.plan, m.err, m.md, m.mdErr, m.items = nil, nil, "", nil, nil
	if m.fn.Build == nil {
		m.err = ErrUnavailable
		return func() tea.Msg { return msg.PlanReady{Err: ErrUnavailable} }
	}
	m.building = true
	gen, fn, snap, rep := m.gen, m.fn, e.Snap, e.Rep
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		p, err := fn.Build(snap, rep)
		b := built{gen: gen, plan: p, err: err}
		if err == nil && fn.Render != nil {
			b.md, b.mdErr = fn.Render(p)
		}
		return b
	})
}

// Plan is the plan, nil until made.
func (m *Model) Plan() *migrate.Plan { return m.plan }

// Runbook is the runbook's Markdown source.
func (m *Model) Runbook() string { return m.md }

// ShowingRunbook reports whether the runbook pane is in view.
func (m *Model) ShowingRunbook() bool { return m.mode == modeRunbook }

// Capturing is true while the directory is typed.
func (m *Model) Capturing() bool { return m.editing }

// SetSize sets the screen size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.Width = max(10, w-25)
	m.runbook.SetSize(w, max(1, h-2))
	m.renderRunbook()
	m.scroll()
}

// KeyMap lists the screen's keys.
func (m *Model) KeyMap() help.KeyMap {
	k := m.km
	if m.editing {
		return keys.Help{Short: []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "write")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		}}
	}
	if m.plan == nil || m.loading {
		return keys.Help{}
	}
	tab := k.NextTab
	if m.mode == modeSteps {
		tab.SetHelp(tab.Help().Key, "runbook")
	} else {
		tab.SetHelp(tab.Help().Key, "steps")
	}
	write := k.Write
	write.SetEnabled(m.fn.Write != nil)
	return keys.Help{
		Short: []key.Binding{tab, k.Up, k.Down, write},
		Full:  [][]key.Binding{{tab, k.PrevTab, write}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}},
	}
}

// Update handles the plan being made, keys and the mouse.
func (m *Model) Update(message tea.Msg) (*Model, tea.Cmd) {
	switch mm := message.(type) {
	case built:
		if mm.gen != m.gen {
			return m, nil
		}
		m.building = false
		m.plan, m.err, m.md, m.mdErr = mm.plan, mm.err, mm.md, mm.mdErr
		if m.err == nil && m.plan == nil {
			m.err = errors.New("the planner returned no plan")
		}
		m.buildItems()
		m.renderRunbook()
		p, err := m.plan, m.err
		return m, func() tea.Msg { return msg.PlanReady{Plan: p, Err: err} }
	case written:
		m.writing = false
		if mm.err != nil {
			return m, msg.StatusCmd("writing the plan: "+mm.err.Error(), true)
		}
		return m, msg.StatusCmd(fmt.Sprintf("wrote %d files: %s", len(mm.paths), strings.Join(mm.paths, ", ")), false)
	case spinner.TickMsg:
		if !m.building {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(mm)
		return m, cmd
	case tea.KeyMsg:
		return m.updateKey(mm)
	case tea.MouseMsg:
		if m.mode == modeRunbook {
			var cmd tea.Cmd
			m.runbook, cmd = m.runbook.Update(mm)
			return m, cmd
		}
		switch mm.Button {
		case tea.MouseButtonWheelUp:
			m.move(-3)
		case tea.MouseButtonWheelDown:
			m.move(3)
		}
	}
	return m, nil
}

func (m *Model) updateKey(k tea.KeyMsg) (*Model, tea.Cmd) {
	if m.editing {
		switch k.Type {
		case tea.KeyEnter:
			m.editing = false
			m.input.Blur()
			dir := strings.TrimSpace(m.input.Value())
			if dir == "" {
				return m, msg.StatusCmd("no directory given: nothing written", true)
			}
			m.fn.Dir = dir
			m.writing = true
			p, write := m.plan, m.fn.Write
			return m, func() tea.Msg {
				paths, err := write(p, dir)
				return written{paths: paths, err: err}
			}
		case tea.KeyEsc:
			m.editing = false
			m.input.Blur()
			return m, nil
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(k)
		return m, cmd
	}
	if m.loading {
		return m, nil // nothing to act on before the inventory is complete
	}
	km := m.km
	// The tab between steps and runbook can change while the plan is
	// still being made: the choice shows once it is ready.
	if key.Matches(k, km.NextTab) || key.Matches(k, km.PrevTab) {
		if m.mode == modeSteps {
			m.mode = modeRunbook
		} else {
			m.mode = modeSteps
		}
		return m, nil
	}
	if m.plan == nil {
		return m, nil
	}
	switch {
	case key.Matches(k, km.Write):
		if m.fn.Write == nil {
			return m, msg.StatusCmd("writing plans is not available in this build of vpcshift", true)
		}
		m.editing = true
		m.input.SetValue(m.fn.Dir)
		m.input.CursorEnd()
		return m, m.input.Focus()
	}
	if m.mode == modeRunbook {
		var cmd tea.Cmd
		m.runbook, cmd = m.runbook.Update(k)
		return m, cmd
	}
	switch {
	case key.Matches(k, km.Up):
		m.move(-1)
	case key.Matches(k, km.Down):
		m.move(1)
	case key.Matches(k, km.PageUp):
		m.move(-m.listHeight())
	case key.Matches(k, km.PageDown):
		m.move(m.listHeight())
	case key.Matches(k, km.Top):
		m.move(-len(m.items))
	case key.Matches(k, km.Bottom):
		m.move(len(m.items))
	}
	return m, nil
}

func (m *Model) buildItems() {
	m.items, m.cursor, m.offset = nil, 0, 0
	if m.plan == nil {
		return
	}
	if n := len(m.plan.Blockers); n > 0 {
		m.items = append(m.items, item{header: fmt.Sprintf("Blockers (%d)", n)})
		for i := range m.plan.Blockers {
			m.items = append(m.items, item{blocker: &m.plan.Blockers[i]})
		}
	}
	for si := range m.plan.Stages {
		st := &m.plan.Stages[si]
		title := fmt.Sprintf("%d %s", si+1, st.Name)
		if st.Title != "" {
			title += ": " + st.Title
		}
		m.items = append(m.items, item{header: fmt.Sprintf("%s (%d steps)", title, len(st.Steps))})
		for j := range st.Steps {
			m.items = append(m.items, item{step: &st.Steps[j]})
		}
	}
	m.cursor = 0
	m.move(1)
	m.move(-1)
}

func (m *Model) renderRunbook() {
	switch {
	case m.fn.Render == nil:
		m.runbook.SetContent(m.st.Muted.Render("The Markdown runbook is not available in this build of vpcshift."))
	case m.mdErr != nil:
		m.runbook.SetContent(m.st.Bad.Render("rendering the runbook: " + m.mdErr.Error()))
	case m.md != "":
		m.runbook.SetContent(Markdown(m.st, m.md, m.width))
	}
}

func (m *Model) move(n int) {
	if len(m.items) == 0 {
		return
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	c := m.cursor
	for ; n > 0; n-- {
		next := c + step
		for next >= 0 && next < len(m.items) && m.items[next].header != "" {
			next += step
		}
		if next < 0 || next >= len(m.items) {
			break
		}
		c = next
	}
	if m.items[c].header != "" { // only headers so far: find the first entry
		for i := range m.items {
			if m.items[i].header == "" {
				c = i
				break
			}
		}
	}
	m.cursor = c
	m.scroll()
}

func (m *Model) detailHeight() int { return min(14, max(5, (m.height-2)*2/5)) }

func (m *Model) listHeight() int { return max(1, m.height-2-m.detailHeight()) }

func (m *Model) scroll() {
	if m.cursor >= len(m.items) {
		m.cursor, m.offset = 0, 0
		return
	}
	h := m.listHeight()
	top := m.cursor
	if top > 0 && m.items[top-1].header != "" {
		top--
	}
	if top < m.offset {
		m.offset = top
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(0, m.offset)
}

// View renders the screen.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	switch {
	case m.fn.Build == nil:
		return layout.Clip(m.st.Title.Render("Plan")+"\n\n"+m.st.Warn.Render(layout.Wrap(ErrUnavailable.Error()+": the migration planner is not part of it, so no plan or runbook can be shown here.", m.width)), m.height)
	case m.loading:
		return layout.Clip(m.loadingView(), m.height)
	case m.e == nil:
		return layout.Clip(m.st.Muted.Render("The plan is made once the inventory is read."), m.height)
	case m.building:
		return layout.Clip(m.spin.View()+" "+m.st.Title.Render("Making the migration plan…"), m.height)
	case m.err != nil:
		return layout.Clip(m.st.Bad.Render(layout.Wrap("The plan could not be made: "+m.err.Error(), m.width)), m.height)
	}
	var b strings.Builder
	b.WriteString(m.headerLine())
	b.WriteByte('\n')
	if m.mode == modeRunbook {
		b.WriteString(m.runbook.View())
	} else {
		b.WriteString(m.listView())
		b.WriteString("\n" + m.st.Muted.Render(strings.Repeat("─", m.width)) + "\n")
		b.WriteString(layout.Block(m.selectedView(), m.width, m.detailHeight()))
	}
	b.WriteByte('\n')
	b.WriteString(m.footerLine())
	return b.String()
}

func (m *Model) loadingView() string {
	read := "The inventory is being read"
	if m.read != "" {
		read += ": " + m.read + " so far"
	}
	return m.st.Title.Render("The plan waits for the whole inventory") + "\n\n" +
		m.st.Warn.Render(layout.Wrap(read+".", m.width)) + "\n\n" +
		layout.Wrap("A plan made from part of the estate would be wrong: it would miss the consumers, connectors, "+
			"networks and DNS zones of the projects still being read, and what they change in the rest. "+
			"It is made as soon as the inventory is complete.", m.width) + "\n\n" +
		m.st.Muted.Render(layout.Wrap("Meanwhile 1 overview, 2 inventory and 3 findings show what is read so far.", m.width))
}

func (m *Model) headerLine() string {
	p := m.plan
	steps := 0
	for _, st := range p.Stages {
		steps += len(st.Steps)
	}
	left := m.st.Title.Render("Plan") + m.st.Muted.Render(fmt.Sprintf("  %d stages · %d steps · moves %d, %d blocked · saves %s/mo",
		len(p.Stages), steps, p.Summary.ConsumersMoved, p.Summary.ConsumersBlocked, money(p.Summary.MonthlySavings, p.Summary.Currency)))
	if p.Stopped() {
		left += "  " + m.st.Bad.Render("stopped by a blocker")
	}
	tabs := " Steps  Runbook "
	if m.mode == modeSteps {
		tabs = m.st.TabActive.Render("[Steps]") + m.st.Tab.Render(" Runbook ")
	} else {
		tabs = m.st.Tab.Render(" Steps ") + m.st.TabActive.Render("[Runbook]")
	}
	gap := m.width - layout.Width(left) - layout.Width(tabs)
	if gap < 1 {
		return layout.Truncate(left, m.width)
	}
	return left + strings.Repeat(" ", gap) + tabs
}

func money(s, currency string) string {
	if s == "" {
		return "?"
	}
	a, err := imoney.Parse(s)
	if err != nil {
		return s
	}
	return estate.FormatMoney(a, currency)
}

func (m *Model) footerLine() string {
	switch {
	case m.editing:
		return m.input.View()
	case m.writing:
		return m.st.Muted.Render("writing…")
	case m.mode == modeRunbook:
		return m.st.TableFooter.Render(layout.Truncate(fmt.Sprintf("runbook: line %d of %d · tab: steps · w writes the plan and runbooks", m.runbook.YOffset()+1, m.runbook.Lines()), m.width))
	}
	n, pos := 0, 0
	for i, it := range m.items {
		if it.header == "" {
			n++
			if i <= m.cursor {
				pos = n
			}
		}
	}
	return m.st.TableFooter.Render(layout.Truncate(fmt.Sprintf("%d of %d · tab: runbook · w writes the plan and runbooks", pos, n), m.width))
}

func (m *Model) listView() string {
	h := m.listHeight()
	lines := make([]string, 0, h)
	for i := m.offset; i < len(m.items) && len(lines) < h; i++ {
		it := m.items[i]
		if it.header != "" {
			style := m.st.Heading
			if it.blocker != nil || strings.HasPrefix(it.header, "Blockers") {
				style = m.st.Bad
			}
			lines = append(lines, style.Render(layout.Truncate(it.header, m.width)))
			continue
		}
		cur := "  "
		if i == m.cursor {
			cur = m.st.Glyphs.Cursor + " "
		}
		var line string
		if it.blocker != nil {
			stops := "keeps some"
			if it.blocker.StopsPlan {
				stops = "stops plan"
			}
			line = cur + layout.Fit(stops, 11, layout.Left) + " " + layout.Fit(estate.Last(it.blocker.Resource), 22, layout.Left) + " " + it.blocker.Reason
		} else {
			s := it.step
			delta := ""
			if s.MonthlyCostDelta != "" {
				delta = " " + s.MonthlyCostDelta + "/mo"
			}
			line = cur + layout.Fit(string(s.Action), 24, layout.Left) + " " + s.Title + delta
		}
		line = layout.Truncate(line, m.width)
		if i == m.cursor {
			line = m.st.TableSelected.Render(line)
		}
		lines = append(lines, line)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (m *Model) selectedView() string {
	if m.cursor >= len(m.items) {
		return ""
	}
	it := m.items[m.cursor]
	w := m.width
	if b := it.blocker; b != nil {
		pairs := [][2]string{{"resource", b.Resource}, {"reason", b.Reason}, {"fix", b.Fix}, {"finding", b.ID}}
		if b.StopsPlan {
			pairs = append(pairs, [2]string{"effect", "nothing past preflight runs until it is resolved"})
		} else {
			pairs = append(pairs, [2]string{"effect", "the consumers it concerns (and their connector) stay where they are"})
		}
		return m.st.Bad.Render("Blocker") + "\n" + layout.KeyValues(pairs, w, m.st.Label, m.st.Value)
	}
	s := it.step
	if s == nil {
		return ""
	}
	pairs := [][2]string{
		{"step", s.ID},
		{"action", string(s.Action) + " on " + s.Kind},
		{"resource", s.Resource},
		{"params", params(s.Params)},
		{"depends on", strings.Join(s.DependsOn, ", ")},
		{"before", checks(s.Preconditions)},
		{"verify", checks(s.Verify)},
	}
	if s.Rollback != nil {
		pairs = append(pairs, [2]string{"rollback", s.Rollback.Description})
	}
	if s.MonthlyCostDelta != "" {
		pairs = append(pairs, [2]string{"monthly cost", s.MonthlyCostDelta})
	}
	if len(s.Risks) > 0 {
		pairs = append(pairs, [2]string{"risks", strings.Join(s.Risks, "; ")})
	}
	var kept [][2]string
	for _, p := range pairs {
		if p[1] != "" {
			kept = append(kept, p)
		}
	}
	return m.st.Title.Render(layout.Truncate(s.Title, w)) + "\n" + layout.KeyValues(kept, w, m.st.Label, m.st.Value)
}

func checks(cs []migrate.Check) string {
	var out []string
	for _, c := range cs {
		d := c.Description
		if d == "" {
			d = string(c.Kind)
		}
		out = append(out, d)
	}
	return strings.Join(out, "; ")
}

// params lists a step's non-empty parameters as key=value.
func params(p migrate.Params) string {
	b, err := json.Marshal(p)
	if err != nil {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if k == "instructions" || k == "commands" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		v, _ := json.Marshal(m[k])
		out = append(out, k+"="+strings.Trim(string(v), `"`))
	}
	if ins, ok := m["instructions"].(string); ok && ins != "" {
		out = append(out, "instructions: "+ins)
	}
	return strings.Join(out, " ")
}
