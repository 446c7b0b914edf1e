// Package findings lists every finding of the report, grouped by
// severity, most severe first; the one under the cursor opens up with its
// fix, and enter shows its resource in the inventory.
package findings

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/tui/component"
	"github.com/vpcshift/vpcshift/tui/components/table"
	"github.com/vpcshift/vpcshift/tui/estate"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/msg"
	"github.com/vpcshift/vpcshift/tui/styles"
)

// filterColumns are the names column:value filters know.
var filterColumns = []table.Column{{Title: "severity"}, {Title: "code"}, {Title: "resource"}, {Title: "message"}, {Title: "fix"}}

type item struct {
	header string // a severity group's title; "" for a finding
	f      *analyzer.Finding
	lower  []string
}

// Model is the findings screen.
type Model struct {
	st *styles.Styles
	km keys.KeyMap
	e  *estate.Estate

	all     []item // every finding, grouped
	items   []item // after the filter
	cursor  int    // index into items (always a finding when any)
	offset  int    // first item in view
	query   string
	qerr    string
	input   textinput.Model
	editing bool

	width, height int
}

var _ component.Component[*Model] = (*Model)(nil)

// New makes the findings screen.
func New(st *styles.Styles, km keys.KeyMap) *Model {
	in := textinput.New()
	in.Cursor.SetMode(cursor.CursorStatic) // no blinking: fewer redraws
	in.Prompt = "/"
	in.PromptStyle = st.FilterPrompt
	in.Placeholder = "text or severity:, code:, resource:, message:, fix: (! negates)"
	in.PlaceholderStyle = st.Muted
	return &Model{st: st, km: km, input: in}
}

// SetEstate lists an estate's findings. A cursor on the first finding
// stays on the first (a newer analysis may bring more severe ones); one
// that was moved stays on its finding.
func (m *Model) SetEstate(e *estate.Estate) {
	m.e = e
	top := m.cursor == m.firstFinding()
	m.all = m.all[:0]
	groups := e.Rep.FindingsBySeverity()
	for _, sev := range analyzer.Severities() {
		fs := groups[sev]
		if len(fs) == 0 {
			continue
		}
		m.all = append(m.all, item{header: sev})
		for i := range fs {
			f := &fs[i]
			m.all = append(m.all, item{f: f, lower: []string{f.Severity, strings.ToLower(f.Code), strings.ToLower(f.Resource), strings.ToLower(f.Message), strings.ToLower(f.Fix)}})
		}
	}
	m.applyFilter()
	if top {
		m.cursor, m.offset = m.firstFinding(), 0
		m.scroll()
	}
}

// Selected is the finding under the cursor.
func (m *Model) Selected() (*analyzer.Finding, bool) {
	if m.cursor < len(m.items) && m.items[m.cursor].f != nil {
		return m.items[m.cursor].f, true
	}
	return nil, false
}

// Len is the number of findings shown (after the filter).
func (m *Model) Len() int {
	n := 0
	for _, it := range m.items {
		if it.f != nil {
			n++
		}
	}
	return n
}

// Capturing is true while the filter is typed.
func (m *Model) Capturing() bool { return m.editing }

// SetSize sets the screen size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.Width = max(10, w-4)
	m.scroll()
}

// KeyMap lists the screen's keys.
func (m *Model) KeyMap() help.KeyMap {
	k := m.km
	if m.editing {
		return keys.Help{Short: []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		}}
	}
	open := k.Open
	open.SetHelp(open.Help().Key, "show resource")
	short := []key.Binding{k.Up, k.Down, open, k.Filter}
	if m.query != "" {
		short = append(short, k.Back)
	}
	return keys.Help{Short: short, Full: [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {open, k.Filter, k.Back}}}
}

// Update handles keys and the mouse wheel.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.editing {
			return m.updateEditing(msg)
		}
		k := m.km
		switch {
		case key.Matches(msg, k.Up):
			m.move(-1)
		case key.Matches(msg, k.Down):
			m.move(1)
		case key.Matches(msg, k.PageUp):
			m.move(-max(1, m.height/2))
		case key.Matches(msg, k.PageDown):
			m.move(max(1, m.height/2))
		case key.Matches(msg, k.Top):
			m.move(-len(m.items))
		case key.Matches(msg, k.Bottom):
			m.move(len(m.items))
		case key.Matches(msg, k.Filter):
			m.editing = true
			m.input.SetValue(m.query)
			m.input.CursorEnd()
			return m, m.input.Focus()
		case key.Matches(msg, k.Back):
			if m.query != "" {
				m.setQuery("")
			}
		case key.Matches(msg, k.Open):
			if f, ok := m.Selected(); ok {
				return m, open(f.Resource)
			}
		}
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			m.move(-3)
		case tea.MouseButtonWheelDown:
			m.move(3)
		}
	}
	return m, nil
}

func open(id string) tea.Cmd {
	return func() tea.Msg { return msg.Open{ID: id} }
}

func (m *Model) updateEditing(k tea.KeyMsg) (*Model, tea.Cmd) {
	switch k.Type {
	case tea.KeyEnter:
		m.editing = false
		m.input.Blur()
		return m, nil
	case tea.KeyEsc:
		m.editing = false
		m.input.Blur()
		m.setQuery("")
		return m, nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	if v := m.input.Value(); v != m.query {
		m.setQuery(v)
	}
	return m, cmd
}

func (m *Model) setQuery(q string) {
	m.query = q
	m.input.SetValue(q)
	m.applyFilter()
}

func (m *Model) applyFilter() {
	var cur *analyzer.Finding
	if f, ok := m.Selected(); ok {
		cur = f
	}
	q, err := table.ParseQuery(m.query, filterColumns)
	m.qerr = ""
	if err != nil {
		m.qerr = err.Error()
	}
	m.items = m.items[:0]
	for _, it := range m.all {
		if it.f != nil && (err != nil || (!q.Empty() && !q.Match(it.lower))) {
			continue
		}
		m.items = append(m.items, it)
	}
	// drop the headers of groups the filter emptied
	out := m.items[:0]
	for i, it := range m.items {
		if it.f == nil && (i+1 >= len(m.items) || m.items[i+1].f == nil) {
			continue
		}
		out = append(out, it)
	}
	m.items = out
	m.cursor = m.firstFinding()
	for i, it := range m.items {
		// by ID: a newer analysis (more of the estate read) keeps the
		// cursor on the same finding
		if cur != nil && it.f != nil && it.f.ID == cur.ID {
			m.cursor = i
			break
		}
	}
	m.offset = min(m.offset, m.cursor)
	m.scroll()
}

func (m *Model) firstFinding() int {
	for i, it := range m.items {
		if it.f != nil {
			return i
		}
	}
	return 0
}

// move moves the cursor by n findings, skipping headers.
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
		for next >= 0 && next < len(m.items) && m.items[next].f == nil {
			next += step
		}
		if next < 0 || next >= len(m.items) {
			break
		}
		c = next
	}
	m.cursor = c
	m.scroll()
}

func (m *Model) listHeight() int { return max(1, m.height-2) }

// scroll keeps the cursor's finding, opened, in view.
func (m *Model) scroll() {
	if len(m.items) == 0 {
		m.offset = 0
		return
	}
	h := m.listHeight()
	// show the group header above the first finding of a group
	top := m.cursor
	if top > 0 && m.items[top-1].f == nil {
		top--
	}
	if top < m.offset {
		m.offset = top
	}
	for m.offset < m.cursor && m.linesBetween(m.offset, m.cursor) > h {
		m.offset++
	}
}

func (m *Model) linesBetween(from, to int) int {
	n := 0
	for i := from; i <= to && i < len(m.items); i++ {
		n += len(m.itemLines(i))
	}
	return n
}

func (m *Model) itemLines(i int) []string {
	it := m.items[i]
	w := max(20, m.width)
	if it.f == nil {
		n := 0
		for j := i + 1; j < len(m.items) && m.items[j].f != nil; j++ {
			n++
		}
		line := m.st.Severity(it.header).Render(strings.ToUpper(it.header)) + m.st.Muted.Render(fmt.Sprintf(" (%d)", n))
		if i > 0 {
			return []string{"", line}
		}
		return []string{line}
	}
	f := it.f
	name := m.e.ShortName(f.Resource)
	selected := i == m.cursor
	cursor := "  "
	if selected {
		cursor = m.st.Glyphs.Cursor + " "
	}
	head := cursor + layout.Fit(f.Code, min(28, w/4), layout.Left) + " " + layout.Fit(name, min(22, w/5), layout.Left) + " " + f.Message
	if !selected {
		return []string{layout.Truncate(head, w)}
	}
	lines := []string{m.st.TableSelected.Render(layout.Truncate(head, w))}
	body := func(prefix, text string, st func(string) string) {
		for _, l := range strings.Split(layout.WrapIndent(prefix+text, w-4, len(prefix)), "\n") {
			lines = append(lines, "    "+st(l))
		}
	}
	plain := func(s string) string { return s }
	body("", f.Message, plain)
	if f.Fix != "" {
		body("fix: ", f.Fix, func(s string) string { return m.st.Good.Render(s) })
	}
	if f.MonthlyImpact != nil {
		body("at stake: ", m.e.Money(f.MonthlyImpact.Amount())+"/mo", plain)
	}
	body("resource: ", f.Resource, func(s string) string { return m.st.Muted.Render(s) })
	body("id: ", f.ID, func(s string) string { return m.st.Muted.Render(s) })
	return lines
}

// View renders the list.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var lines []string
	total := 0
	for _, it := range m.all {
		if it.f != nil {
			total++
		}
	}
	title := fmt.Sprintf("Findings: %d", total)
	if m.query != "" {
		title = fmt.Sprintf("Findings: %d of %d", m.Len(), total)
	}
	lines = append(lines, m.st.Title.Render(title)+m.st.Muted.Render("  most severe first · enter shows the resource"))
	h := m.listHeight()
	var body []string
	for i := m.offset; i < len(m.items) && len(body) < h; i++ {
		body = append(body, m.itemLines(i)...)
	}
	if len(m.items) == 0 {
		switch {
		case total == 0:
			body = append(body, m.st.Good.Render("No findings."))
		case m.qerr != "":
			body = append(body, m.st.Bad.Render(m.qerr))
		default:
			body = append(body, m.st.Muted.Render(fmt.Sprintf("no finding matches %q: esc clears the filter", m.query)))
		}
	}
	if len(body) > h {
		body = body[:h]
	}
	for len(body) < h {
		body = append(body, "")
	}
	lines = append(lines, body...)
	footer := ""
	switch {
	case m.editing:
		footer = m.input.View()
	case m.query != "":
		footer = m.st.TableFooter.Render("filter /" + m.query + " · esc clears")
	default:
		pos := 0
		for i := 0; i <= m.cursor && i < len(m.items); i++ {
			if m.items[i].f != nil {
				pos++
			}
		}
		footer = m.st.TableFooter.Render(fmt.Sprintf("%d of %d", pos, m.Len()))
	}
	lines = append(lines, layout.Truncate(footer, m.width))
	return strings.Join(lines, "\n")
}
