// Package confirm is a yes/no dialog that names what the answer decides.
package confirm

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vpcshift/vpcshift/tui/component"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/styles"
)

// Result is the answer, sent as a message to whoever asked (by ID).
type Result struct {
	ID  string
	Yes bool
}

// Model is the dialog.
type Model struct {
	st *styles.Styles
	km keys.KeyMap

	open   bool
	id     string
	title  string
	body   []string
	yes    string
	no     string
	danger bool

	width, height int
}

var _ component.Component[*Model] = (*Model)(nil)

// New makes a closed dialog.
func New(st *styles.Styles, km keys.KeyMap) *Model { return &Model{st: st, km: km} }

// Ask opens the dialog. Danger marks a question whose yes changes things.
func (m *Model) Ask(id, title string, body []string, yes, no string, danger bool) {
	m.open, m.id, m.title, m.body, m.yes, m.no, m.danger = true, id, title, body, yes, no, danger
}

// Open reports whether the dialog is up.
func (m *Model) Open() bool { return m.open }

// ID is the open question's ID.
func (m *Model) ID() string { return m.id }

// Close closes it without an answer.
func (m *Model) Close() { m.open = false }

// SetSize sets the area the dialog is centred in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// KeyMap lists y and n.
func (m *Model) KeyMap() help.KeyMap {
	y, n := m.km.Yes, m.km.No
	if m.yes != "" {
		y.SetHelp(y.Help().Key, m.yes)
	}
	if m.no != "" {
		n.SetHelp(n.Help().Key, m.no)
	}
	return keys.Help{Short: []key.Binding{y, n}}
}

// Update answers on y or n (esc); other keys do nothing while it is open.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !m.open {
		return m, nil
	}
	var yes bool
	switch {
	case key.Matches(k, m.km.Yes):
		yes = true
	case key.Matches(k, m.km.No):
	default:
		return m, nil
	}
	m.open = false
	r := Result{ID: m.id, Yes: yes}
	return m, func() tea.Msg { return r }
}

// View renders the dialog centred in its area.
func (m *Model) View() string {
	if !m.open || m.width <= 0 {
		return ""
	}
	w := min(m.width-4, 76)
	inner := w - 6
	var b strings.Builder
	title := m.st.Title
	if m.danger {
		title = m.st.Bad
	}
	b.WriteString(title.Render(layout.Wrap(m.title, inner)))
	maxBody := max(1, m.height-10)
	body := m.body
	if len(body) > maxBody {
		more := len(body) - maxBody + 1
		body = append(append([]string(nil), body[:maxBody-1]...), m.st.Muted.Render("… and "+itoa(more)+" more"))
	}
	if len(body) > 0 {
		b.WriteString("\n")
		for _, l := range body {
			b.WriteString("\n" + layout.WrapIndent(l, inner, 2))
		}
	}
	yes, no := m.yes, m.no
	if yes == "" {
		yes = "yes"
	}
	if no == "" {
		no = "no"
	}
	b.WriteString("\n\n" + m.st.Key.Render("y") + " " + yes + "    " + m.st.Key.Render("n/esc") + " " + no)
	box := m.st.Dialog.Width(w).Render(b.String())
	return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, box)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for n > 0 {
		d = append([]byte{byte('0' + n%10)}, d...)
		n /= 10
	}
	return string(d)
}
