// Package browse is the inventory screen: tabs of connectors, consumers,
// Cloud NAT and network & DNS resources as sortable, filterable tables; a
// detail pane for the resource under the cursor (its fields, cost lines,
// findings and why); and links between resources (a connector's
// consumers, a consumer's connector) with a way back.
package browse

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/tui/component"
	"github.com/vpcshift/vpcshift/tui/components/pane"
	"github.com/vpcshift/vpcshift/tui/components/table"
	"github.com/vpcshift/vpcshift/tui/estate"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/msg"
	"github.com/vpcshift/vpcshift/tui/styles"
)

// place is a position to come back to.
type place struct {
	tab      Tab
	detail   string // resource whose details were open, "" for the table
	scroll   int
	cursor   string // selected row
	scope    *table.Scope
	filter   string
	external bool // opened from another screen: back returns there
}

// Model is the inventory screen.
type Model struct {
	st *styles.Styles
	km keys.KeyMap
	e  *estate.Estate

	tab    Tab
	tables [numTabs]*table.Model
	detail string // open resource, "" when the table shows
	desc   detail
	pane   *pane.Model
	stack  []place

	width, height int
}

var _ component.Component[*Model] = (*Model)(nil)

// New makes the inventory screen.
func New(st *styles.Styles, km keys.KeyMap) *Model {
	m := &Model{st: st, km: km, pane: pane.New(km)}
	for t := Tab(0); t < numTabs; t++ {
		m.tables[t] = table.New(st, km, columns(t))
	}
	m.tables[TabConnectors].SetEmpty("no Serverless VPC Access connectors in scope")
	m.tables[TabConsumers].SetEmpty("no Cloud Run services, jobs, worker pools, functions or App Engine versions in scope")
	m.tables[TabNATs].SetEmpty("no Cloud NAT gateways in scope")
	m.tables[TabNetwork].SetEmpty("no networks, subnets, routes or DNS zones in scope")
	return m
}

// SetEstate fills the tables, closing any details.
func (m *Model) SetEstate(e *estate.Estate) {
	m.setRows(e)
	m.detail, m.stack = "", nil
}

// Refresh shows a newer picture of the estate in place (more of it was
// read): the tab, sort, filter and cursor stay, and so do the open
// details while their resource is still there.
func (m *Model) Refresh(e *estate.Estate) {
	m.setRows(e)
	if m.detail == "" {
		return
	}
	d, ok := describe(e, m.detail)
	if !ok {
		m.detail = ""
		return
	}
	off := m.pane.YOffset()
	m.desc = d
	m.renderDetail()
	m.pane.SetYOffset(off)
}

// setRows fills the tables. A cursor on the first row stays on the first
// row (rows read since may come before it); one that was moved stays on
// its row.
func (m *Model) setRows(e *estate.Estate) {
	m.e = e
	rows := [numTabs][]table.Row{connectorRows(e), consumerRows(e), natRows(e), networkRows(e)}
	for t, tb := range m.tables {
		top := tb.Cursor() == 0
		tb.SetRows(rows[t])
		if top {
			tb.Move(-tb.Visible())
		}
	}
}

// Tab is the tab in view.
func (m *Model) Tab() Tab { return m.tab }

// Table is a tab's table.
func (m *Model) Table(t Tab) *table.Model { return m.tables[t] }

// Detail is the resource whose details are open ("" for none).
func (m *Model) Detail() string { return m.detail }

// SetSize sets the screen size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	for _, t := range m.tables {
		t.SetSize(w, max(1, h-1))
	}
	m.pane.SetSize(w, max(1, h-2))
	if m.detail != "" {
		m.renderDetail()
	}
}

// Capturing is true while a filter is typed.
func (m *Model) Capturing() bool { return m.detail == "" && m.tables[m.tab].Capturing() }

// KeyMap lists the screen's keys for what is in view.
func (m *Model) KeyMap() help.KeyMap {
	k := m.km
	follow := m.followBinding()
	if m.detail != "" {
		short := []key.Binding{k.Back, k.Up, k.Down}
		if follow.Enabled() {
			short = append(short, follow)
		}
		return keys.Help{Short: short, Full: [][]key.Binding{{k.Back, follow}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}}
	}
	t := m.tables[m.tab]
	if t.Capturing() {
		return t.KeyMap()
	}
	short := []key.Binding{k.NextTab, k.Open, k.Filter, k.Sort}
	if follow.Enabled() {
		short = append(short, follow)
	}
	if len(m.stack) > 0 || t.HandlesBack() {
		short = append(short, k.Back)
	}
	full := append([][]key.Binding{{k.NextTab, k.PrevTab, k.Open, follow, k.Back}}, t.KeyMap().FullHelp()...)
	return keys.Help{Short: short, Full: full}
}

// followBinding is the "related" key with what it leads to, disabled when
// the resource in view links nowhere.
func (m *Model) followBinding() key.Binding {
	b := m.km.Follow
	if l := m.currentLink(); l != nil {
		b.SetHelp(b.Help().Key, l.label)
		return b
	}
	b.SetEnabled(false)
	return b
}

func (m *Model) currentLink() *link {
	if m.e == nil {
		return nil
	}
	if m.detail != "" {
		return m.desc.link
	}
	r, ok := m.tables[m.tab].Selected()
	if !ok {
		return nil
	}
	return linkFor(m.e, r.ID)
}

// Update handles keys and the mouse.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m.updateKey(msg)
	case tea.MouseMsg:
		if m.detail != "" {
			var cmd tea.Cmd
			m.pane, cmd = m.pane.Update(msg)
			return m, cmd
		}
		var cmd tea.Cmd
		m.tables[m.tab], cmd = m.tables[m.tab].Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *Model) updateKey(k tea.KeyMsg) (*Model, tea.Cmd) {
	t := m.tables[m.tab]
	if m.detail == "" && t.Capturing() {
		var cmd tea.Cmd
		m.tables[m.tab], cmd = t.Update(k)
		return m, cmd
	}
	km := m.km
	switch {
	case key.Matches(k, km.Back):
		if m.detail == "" && t.HandlesBack() {
			var cmd tea.Cmd
			m.tables[m.tab], cmd = t.Update(k)
			return m, cmd
		}
		return m, m.back()
	case key.Matches(k, km.NextTab):
		m.switchTab((m.tab + 1) % numTabs)
		return m, nil
	case key.Matches(k, km.PrevTab):
		m.switchTab((m.tab + numTabs - 1) % numTabs)
		return m, nil
	case key.Matches(k, km.Follow):
		if l := m.currentLink(); l != nil {
			m.follow(l)
		}
		return m, nil
	case m.detail == "" && key.Matches(k, km.Open):
		if r, ok := t.Selected(); ok {
			m.push(false)
			m.openDetail(r.ID)
		}
		return m, nil
	}
	if m.detail != "" {
		var cmd tea.Cmd
		m.pane, cmd = m.pane.Update(k)
		return m, cmd
	}
	var cmd tea.Cmd
	m.tables[m.tab], cmd = t.Update(k)
	return m, cmd
}

// switchTab goes to another tab and forgets the way back (tabs are the
// top level).
func (m *Model) switchTab(t Tab) {
	m.tab = t
	m.detail = ""
	m.stack = nil
	for _, tb := range m.tables {
		if tb.Scope() != nil {
			tb.SetScope(nil)
		}
	}
}

// Open shows a resource's details from another screen; false when the
// inventory has no row for it.
func (m *Model) Open(id string) bool {
	if m.e == nil {
		return false
	}
	for t := Tab(0); t < numTabs; t++ {
		if !m.tables[t].Has(id) {
			continue
		}
		m.push(true)
		m.tab = t
		tb := m.tables[t]
		if !tb.Select(id) {
			tb.SetScope(nil)
			tb.SetFilter("")
			tb.Select(id)
		}
		m.openDetail(id)
		return true
	}
	return false
}

func (m *Model) push(external bool) {
	t := m.tables[m.tab]
	p := place{tab: m.tab, detail: m.detail, scroll: m.pane.YOffset(), scope: t.Scope(), filter: t.Filter(), external: external}
	if r, ok := t.Selected(); ok {
		p.cursor = r.ID
	}
	m.stack = append(m.stack, p)
}

func (m *Model) back() tea.Cmd {
	if len(m.stack) == 0 {
		if m.detail != "" {
			m.detail = ""
		}
		return nil
	}
	p := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	// leaving a tab narrowed by "related": drop the narrowing
	if cur := m.tables[m.tab]; cur.Scope() != nil && (p.tab != m.tab || cur.Scope() != p.scope) {
		cur.SetScope(nil)
	}
	if p.external {
		m.detail = ""
		m.tab = p.tab
		m.restore(p)
		return func() tea.Msg { return msg.Back{} }
	}
	m.tab = p.tab
	m.restore(p)
	m.detail = ""
	if p.detail != "" {
		m.openDetail(p.detail)
		m.pane.SetYOffset(p.scroll)
	}
	return nil
}

func (m *Model) restore(p place) {
	t := m.tables[p.tab]
	if t.Scope() != p.scope {
		t.SetScope(p.scope)
	}
	if t.Filter() != p.filter {
		t.SetFilter(p.filter)
	}
	if p.cursor != "" {
		t.Select(p.cursor)
	}
}

func (m *Model) follow(l *link) {
	m.push(false)
	if l.open != "" {
		m.tab = l.tab
		t := m.tables[l.tab]
		if !t.Select(l.open) {
			t.SetScope(nil)
			t.SetFilter("")
			t.Select(l.open)
		}
		m.openDetail(l.open)
		return
	}
	ids := make(map[string]bool, len(l.ids))
	for _, id := range l.ids {
		ids[id] = true
	}
	m.tab = l.tab
	m.detail = ""
	t := m.tables[l.tab]
	t.SetFilter("")
	t.SetScope(&table.Scope{Label: l.scope + " (esc: back)", IDs: ids})
}

func (m *Model) openDetail(id string) {
	d, ok := describe(m.e, id)
	if !ok {
		d = detail{kind: "resource", name: id}
	}
	m.detail, m.desc = id, d
	m.renderDetail()
	m.pane.GotoTop()
}

func (m *Model) renderDetail() {
	m.pane.SetContent(m.desc.render(m.st, m.e, m.width))
}

// View renders the tab bar and the table or the detail pane.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.detail != "" {
		crumb := m.tab.String() + " › " + m.desc.name
		hint := "esc back"
		if l := m.desc.link; l != nil {
			hint = "c " + l.label + " · " + hint
		}
		top := m.st.Muted.Render(layout.Truncate(crumb, max(10, m.width-layout.Width(hint)-2)))
		top += strings.Repeat(" ", max(1, m.width-layout.Width(crumb)-layout.Width(hint))) + m.st.Muted.Render(hint)
		return layout.Truncate(top, m.width) + "\n" + strings.Repeat("─", m.width) + "\n" + m.pane.View()
	}
	return m.tabBar() + "\n" + m.tables[m.tab].View()
}

func (m *Model) tabBar() string {
	var parts []string
	for t := Tab(0); t < numTabs; t++ {
		label := fmt.Sprintf("%s %s", t, estate.Count(m.tables[t].Len()))
		if t == m.tab {
			parts = append(parts, m.st.TabActive.Render("["+label+"]"))
		} else {
			parts = append(parts, m.st.Tab.Render(" "+label+" "))
		}
	}
	return layout.Truncate(strings.Join(parts, ""), m.width)
}
