// Package table is a sortable, filterable table that renders only the
// rows in view, so that moving the cursor, sorting and filtering stay
// instant with tens of thousands of rows (bubbles/table re-renders every
// row on each move: charmbracelet/bubbles#276).
package table

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/tui/component"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/styles"
)

// Column describes one column.
type Column struct {
	Title string
	// Key is the name used in column:value filters (default: the title in
	// lower case without spaces).
	Key string
	// Max caps the width (0: no cap); Min is the least it shrinks to.
	Max, Min int
	Align    layout.Align
	// Numeric columns sort by Row.Num.
	Numeric bool
	// Status columns are coloured by what the word means.
	Status bool
	// Hide ranks the columns that give way when the table is too narrow
	// for every column at its Min: the highest Hide goes first; 0 never
	// goes. Hidden columns still filter (column:value).
	Hide int
}

func (c Column) key() string {
	if c.Key != "" {
		return c.Key
	}
	return strings.ToLower(strings.ReplaceAll(c.Title, " ", ""))
}

// Row is one row: an ID (the resource it shows), its cells, and for
// numeric columns the values to sort by.
type Row struct {
	ID    string
	Cells []string
	Num   []float64
	lower []string
}

// Scope narrows the table to some rows (the consumers of one connector,
// say) with a label that says why.
type Scope struct {
	Label string
	IDs   map[string]bool
}

// Model is the table.
type Model struct {
	st *styles.Styles
	km keys.KeyMap

	cols    []Column
	rows    []Row
	natural []int // widest cell per column
	widths  []int // allotted width per column

	order []int // row indices in sort order
	view  []int // row indices shown (filtered), in sort order

	cursor, offset int
	width, height  int

	sortCol int // -1: natural (ID) order
	desc    bool

	query    string
	compiled Query
	queryErr string
	input    textinput.Model
	editing  bool

	scope *Scope
	empty string
}

var _ component.Component[*Model] = (*Model)(nil)

// New makes an empty table.
func New(st *styles.Styles, km keys.KeyMap, cols []Column) *Model {
	in := textinput.New()
	in.Cursor.SetMode(cursor.CursorStatic) // no blinking: fewer redraws
	in.Prompt = "/"
	in.PromptStyle = st.FilterPrompt
	in.Placeholder = "text or column:value, !negates"
	in.PlaceholderStyle = st.Muted
	in.CharLimit = 200
	m := &Model{st: st, km: km, cols: cols, sortCol: -1, input: in, empty: "nothing here"}
	m.SetRows(nil)
	return m
}

// SetEmpty sets what an empty table says.
func (m *Model) SetEmpty(s string) { m.empty = s }

// Columns are the table's columns.
func (m *Model) Columns() []Column { return m.cols }

// SetRows replaces the rows (keeping sort and filter).
func (m *Model) SetRows(rows []Row) {
	var cur string
	if r, ok := m.Selected(); ok {
		cur = r.ID
	}
	m.rows, m.view = rows, m.view[:0]
	m.natural = make([]int, len(m.cols))
	for i, c := range m.cols {
		m.natural[i] = layout.Width(c.Title) + 2
	}
	for r := range m.rows {
		row := &m.rows[r]
		row.lower = make([]string, len(row.Cells))
		for i, c := range row.Cells {
			row.lower[i] = strings.ToLower(c)
			if i < len(m.natural) {
				if w := layout.Width(c); w > m.natural[i] {
					m.natural[i] = w
				}
			}
		}
	}
	m.layoutColumns()
	m.resort()
	if cur != "" {
		m.Select(cur)
	}
}

// Len is the number of rows (before filtering).
func (m *Model) Len() int { return len(m.rows) }

// Visible is the number of rows that pass the filter and scope.
func (m *Model) Visible() int { return len(m.view) }

// Cursor is the cursor's position among the visible rows.
func (m *Model) Cursor() int { return m.cursor }

// Selected is the row under the cursor.
func (m *Model) Selected() (Row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.view) {
		return Row{}, false
	}
	return m.rows[m.view[m.cursor]], true
}

// Select moves the cursor to the row with that ID; false when it is not
// among the visible rows.
func (m *Model) Select(id string) bool {
	for i, r := range m.view {
		if m.rows[r].ID == id {
			m.cursor = i
			m.scrollToCursor()
			return true
		}
	}
	return false
}

// Has reports whether a row with that ID exists (filtered or not).
func (m *Model) Has(id string) bool {
	for i := range m.rows {
		if m.rows[i].ID == id {
			return true
		}
	}
	return false
}

// Filter is the filter query.
func (m *Model) Filter() string { return m.query }

// SetFilter sets the filter query.
func (m *Model) SetFilter(q string) {
	m.query = q
	m.input.SetValue(q)
	m.compile()
	m.refilter()
}

// Scope is the scope in force, nil for none.
func (m *Model) Scope() *Scope { return m.scope }

// SetScope narrows the table (nil clears it).
func (m *Model) SetScope(s *Scope) {
	m.scope = s
	m.cursor, m.offset = 0, 0
	m.refilter()
}

// Sort is the sort column (-1 for the natural order) and direction.
func (m *Model) Sort() (col int, desc bool) { return m.sortCol, m.desc }

// SetSort sorts by a column (-1: natural order).
func (m *Model) SetSort(col int, desc bool) {
	m.sortCol, m.desc = col, desc
	m.resort()
}

// Capturing is true while the filter is being edited.
func (m *Model) Capturing() bool { return m.editing }

// HandlesBack reports whether "back" would act on the table (stop
// editing or clear the filter) rather than leave it.
func (m *Model) HandlesBack() bool { return m.editing || m.query != "" }

// SetSize sets the table's size, header and footer lines included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.Width = max(10, w-4)
	m.layoutColumns()
	m.scrollToCursor()
}

func (m *Model) bodyHeight() int { return max(1, m.height-2) }

// KeyMap is the table's bindings.
func (m *Model) KeyMap() help.KeyMap {
	if m.editing {
		return keys.Help{Short: []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		}}
	}
	k := m.km
	return keys.Help{
		Short: []key.Binding{k.Up, k.Down, k.Filter, k.Sort},
		Full: [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
			{k.Filter, k.Sort, k.SortReverse},
		},
	}
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
			m.Move(-1)
		case key.Matches(msg, k.Down):
			m.Move(1)
		case key.Matches(msg, k.PageUp):
			m.Move(-m.bodyHeight())
		case key.Matches(msg, k.PageDown):
			m.Move(m.bodyHeight())
		case key.Matches(msg, k.Top):
			m.Move(-len(m.view))
		case key.Matches(msg, k.Bottom):
			m.Move(len(m.view))
		case key.Matches(msg, k.Filter):
			m.editing = true
			m.input.SetValue(m.query)
			m.input.CursorEnd()
			return m, m.input.Focus()
		case key.Matches(msg, k.Sort):
			next := m.sortCol + 1
			if next >= len(m.cols) {
				next = -1
			}
			m.SetSort(next, false)
		case key.Matches(msg, k.SortReverse):
			if m.sortCol >= 0 {
				m.SetSort(m.sortCol, !m.desc)
			}
		case key.Matches(msg, k.Back):
			if m.query != "" {
				m.SetFilter("")
			}
		}
	case tea.MouseMsg:
		if msg.Action == tea.MouseActionPress {
			switch msg.Button {
			case tea.MouseButtonWheelUp:
				m.Move(-3)
			case tea.MouseButtonWheelDown:
				m.Move(3)
			}
		}
	}
	return m, nil
}

func (m *Model) updateEditing(msg tea.KeyMsg) (*Model, tea.Cmd) {
	switch msg.Type {
	case tea.KeyEnter:
		m.editing = false
		m.input.Blur()
		return m, nil
	case tea.KeyEsc:
		m.editing = false
		m.input.Blur()
		m.SetFilter("")
		return m, nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if v := m.input.Value(); v != m.query {
		m.query = v
		m.compile()
		m.refilter()
	}
	return m, cmd
}

// Move moves the cursor by n rows (clamped).
func (m *Model) Move(n int) {
	if len(m.view) == 0 {
		m.cursor = 0
		return
	}
	m.cursor = min(max(m.cursor+n, 0), len(m.view)-1)
	m.scrollToCursor()
}

func (m *Model) scrollToCursor() {
	h := m.bodyHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(0, min(m.offset, len(m.view)-h))
}

func (m *Model) compile() {
	q, err := ParseQuery(m.query, m.cols)
	m.queryErr = ""
	if err != nil {
		m.queryErr = err.Error()
		q = Query{terms: []term{{col: -1, val: "\x00no-match"}}}
	}
	m.compiled = q
}

// resort sorts the row order by the sort column, then refilters.
func (m *Model) resort() {
	if cap(m.order) >= len(m.rows) {
		m.order = m.order[:len(m.rows)]
	} else {
		m.order = make([]int, len(m.rows))
	}
	for i := range m.order {
		m.order[i] = i
	}
	if c := m.sortCol; c >= 0 && c < len(m.cols) {
		numeric := m.cols[c].Numeric
		less := func(a, b int) int {
			ra, rb := &m.rows[a], &m.rows[b]
			if numeric && c < len(ra.Num) && c < len(rb.Num) {
				switch {
				case ra.Num[c] < rb.Num[c]:
					return -1
				case ra.Num[c] > rb.Num[c]:
					return 1
				}
				return 0
			}
			return strings.Compare(cell(ra.lower, c), cell(rb.lower, c))
		}
		desc := m.desc
		sort.SliceStable(m.order, func(i, j int) bool {
			r := less(m.order[i], m.order[j])
			if desc {
				return r > 0
			}
			return r < 0
		})
	}
	m.refilter()
}

func cell(cells []string, i int) string {
	if i < len(cells) {
		return cells[i]
	}
	return ""
}

// refilter recomputes the visible rows, keeping the cursor on the same
// row when it is still there.
func (m *Model) refilter() {
	var cur string
	if r, ok := m.Selected(); ok {
		cur = r.ID
	}
	m.view = m.view[:0]
	for _, i := range m.order {
		r := &m.rows[i]
		if m.scope != nil && !m.scope.IDs[r.ID] {
			continue
		}
		if !m.compiled.Empty() && !m.compiled.Match(r.lower) {
			continue
		}
		m.view = append(m.view, i)
	}
	if cur == "" || !m.Select(cur) {
		m.cursor = min(m.cursor, max(0, len(m.view)-1))
		m.scrollToCursor()
	}
}

// layoutColumns shares the width among the columns: each gets its
// natural width (capped by Max); when that is too wide, the widest
// columns shrink first, down to their Min; when even the minimums do not
// fit, columns give way in Hide order (width 0).
func (m *Model) layoutColumns() {
	n := len(m.cols)
	m.widths = make([]int, n)
	if n == 0 || m.width <= 0 {
		return
	}
	minOf := func(i int) int {
		if c := m.cols[i]; c.Min > 0 {
			return c.Min
		}
		return min(6, layout.Width(m.cols[i].Title))
	}
	shown := make([]bool, n)
	for i := range shown {
		shown[i] = true
	}
	avail := func() int {
		k := 0
		for _, v := range shown {
			if v {
				k++
			}
		}
		return m.width - 2 - (k - 1) // cursor gutter, one space between columns
	}
	natural := func(i int) int {
		if c := m.cols[i]; c.Max > 0 && m.natural[i] > c.Max {
			return c.Max
		}
		return m.natural[i]
	}
	// Hide columns while even their minimums do not fit, or while their
	// natural widths would need much more room than there is (shrinking
	// every column a little reads better than hiding one; shrinking all
	// of them a lot does not).
	for {
		need, want, worst := 0, 0, -1
		for i := range m.cols {
			if !shown[i] {
				continue
			}
			need += minOf(i)
			want += natural(i)
			if h := m.cols[i].Hide; h > 0 && (worst < 0 || h > m.cols[worst].Hide) {
				worst = i
			}
		}
		if worst < 0 || (need <= avail() && want*100 <= avail()*115) {
			break
		}
		shown[worst] = false
	}
	total := 0
	for i := range m.cols {
		if !shown[i] {
			continue
		}
		w := natural(i)
		m.widths[i] = w
		total += w
	}
	for room := avail(); total > room; {
		widest := -1
		for i := range m.cols {
			if shown[i] && m.widths[i] > minOf(i) && (widest < 0 || m.widths[i] > m.widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		m.widths[widest]--
		total--
	}
}

// View renders the header, the rows in view and the footer line.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var b strings.Builder
	b.Grow((m.width + 1) * m.height * 2)
	b.WriteString(m.headerLine())
	h := m.bodyHeight()
	shown := 0
	for i := m.offset; i < len(m.view) && shown < h; i++ {
		b.WriteByte('\n')
		b.WriteString(m.rowLine(&m.rows[m.view[i]], i == m.cursor))
		shown++
	}
	if len(m.view) == 0 {
		b.WriteByte('\n')
		b.WriteString(m.st.Muted.Render(layout.Truncate("  "+m.emptyText(), m.width)))
		shown++
	}
	for ; shown < h; shown++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(m.footerLine())
	return b.String()
}

func (m *Model) emptyText() string {
	switch {
	case len(m.rows) == 0:
		return m.empty
	case m.queryErr != "":
		return m.queryErr
	case m.query != "":
		return fmt.Sprintf("no rows match %q: esc clears the filter", m.query)
	}
	return "no rows in this scope"
}

func (m *Model) headerLine() string {
	var b strings.Builder
	b.WriteString("  ")
	first := true
	for i, c := range m.cols {
		if m.widths[i] == 0 {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		t := c.Title
		if i == m.sortCol {
			if m.desc {
				t += " " + m.st.Glyphs.SortDesc
			} else {
				t += " " + m.st.Glyphs.SortAsc
			}
		}
		b.WriteString(layout.Fit(t, m.widths[i], c.Align))
	}
	return m.st.TableHeader.Render(layout.Truncate(b.String(), m.width))
}

func (m *Model) rowLine(r *Row, selected bool) string {
	var b strings.Builder
	if selected {
		b.WriteString(m.st.Glyphs.Cursor + " ")
	} else {
		b.WriteString("  ")
	}
	first := true
	for i, c := range m.cols {
		if m.widths[i] == 0 {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		text := layout.Fit(cell(r.Cells, i), m.widths[i], c.Align)
		if c.Status && !selected {
			text = m.st.Status(strings.TrimSpace(text)).Render(text)
		}
		b.WriteString(text)
	}
	if selected {
		return m.st.TableSelected.Render(b.String())
	}
	return b.String()
}

func (m *Model) footerLine() string {
	if m.editing {
		return m.input.View()
	}
	var parts []string
	switch {
	case len(m.view) == 0:
		parts = append(parts, "0 rows")
	default:
		parts = append(parts, fmt.Sprintf("%s of %s", count(m.cursor+1), count(len(m.view))))
	}
	if len(m.view) != len(m.rows) {
		parts[0] += fmt.Sprintf(" (%s in all)", count(len(m.rows)))
	}
	if m.sortCol >= 0 {
		dir := "ascending"
		if m.desc {
			dir = "descending"
		}
		parts = append(parts, fmt.Sprintf("sorted by %s, %s", strings.ToLower(m.cols[m.sortCol].Title), dir))
	}
	if m.scope != nil {
		parts = append(parts, m.scope.Label)
	}
	if m.query != "" {
		f := "filter /" + m.query
		if m.queryErr != "" {
			f += " (" + m.queryErr + ")"
		}
		parts = append(parts, f)
	}
	return m.st.TableFooter.Render(layout.Truncate(strings.Join(parts, " · "), m.width))
}

// count writes n with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
