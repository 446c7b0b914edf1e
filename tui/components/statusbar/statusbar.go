// Package statusbar draws the frame around the screens: the header with
// the screen tabs and the context (scope, price book), and the footer
// with the status message or the short help.
package statusbar

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/tui/component"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/styles"
)

// Model is the header and footer.
type Model struct {
	st   *styles.Styles
	km   keys.KeyMap
	help help.Model

	tabs    []string
	active  int
	context string
	status  string
	isErr   bool
	width   int
}

var _ component.Component[*Model] = (*Model)(nil)

// New makes the bar.
func New(st *styles.Styles, km keys.KeyMap, tabs []string) *Model {
	h := help.New()
	h.ShortSeparator = " · "
	h.Styles.ShortKey = st.HelpKey
	h.Styles.ShortDesc = st.HelpDesc
	h.Styles.ShortSeparator = st.HelpSep
	h.Styles.FullKey = st.HelpKey
	h.Styles.FullDesc = st.HelpDesc
	h.Styles.FullSeparator = st.HelpSep
	h.Styles.Ellipsis = st.HelpSep
	return &Model{st: st, km: km, help: h, tabs: tabs}
}

// SetActive marks the screen in view.
func (m *Model) SetActive(i int) { m.active = i }

// SetContext sets the header's right side.
func (m *Model) SetContext(s string) { m.context = s }

// SetStatus sets the footer's message ("" shows the help); only its first
// line shows.
func (m *Model) SetStatus(s string, isErr bool) {
	if first, _, more := strings.Cut(s, "\n"); more {
		s = first + " (more in the log)"
	}
	m.status, m.isErr = s, isErr
}

// Status is the footer's message.
func (m *Model) Status() (string, bool) { return m.status, m.isErr }

// SetSize sets the width.
func (m *Model) SetSize(w, _ int) {
	m.width = w
	m.help.Width = w
}

// KeyMap is empty: the bar answers no key.
func (m *Model) KeyMap() help.KeyMap { return keys.Help{} }

// Update does nothing: the root sets the bar's state.
func (m *Model) Update(tea.Msg) (*Model, tea.Cmd) { return m, nil }

// View is Header and Footer joined (for the contract).
func (m *Model) View() string { return m.Header() + "\n" + m.Footer(nil, false) }

// Header renders the tabs and the context in one line.
func (m *Model) Header() string {
	var b strings.Builder
	b.WriteString(m.st.AppName.Render("vpcshift"))
	for i, t := range m.tabs {
		label := itoa(i+1) + " " + t
		if i == m.active {
			b.WriteString(m.st.TabActive.Render("[" + label + "]"))
		} else {
			b.WriteString(m.st.Tab.Render(" " + label + " "))
		}
	}
	left := b.String()
	lw := layout.Width(left)
	if lw >= m.width {
		return layout.Truncate(left, m.width)
	}
	ctx := layout.Truncate(m.context, m.width-lw-1)
	gap := m.width - lw - layout.Width(ctx)
	return left + strings.Repeat(" ", max(1, gap)) + m.st.Context.Render(ctx)
}

// Footer renders the status message, or the short help of h with ? and
// q (unless a dialog holds the keys: then h alone).
func (m *Model) Footer(h help.KeyMap, dialog bool) string {
	if m.status != "" {
		style := m.st.StatusOK
		if m.isErr {
			style = m.st.StatusErr
		}
		return style.Render(layout.Truncate(m.status, m.width))
	}
	var bs []key.Binding
	if h != nil {
		for _, b := range h.ShortHelp() {
			if b.Enabled() {
				bs = append(bs, b)
			}
		}
	}
	if !dialog {
		bs = append(bs, m.km.Help, m.km.Quit)
	}
	// bubbles/help can overflow its width by one item: cut what is left
	return layout.Truncate(m.help.ShortHelpView(bs), m.width)
}

// FullHelp renders every binding of h in columns, with the global keys.
func (m *Model) FullHelp(title string, h help.KeyMap, width, height int) string {
	cols := append([][]key.Binding{}, h.FullHelp()...)
	cols = append(cols, m.km.Global())
	m.help.Width = width
	view := m.help.FullHelpView(cols)
	m.help.Width = m.width
	note := layout.Wrap("Filters: free text matches any column; column:value matches one column (name:, kind:, status:, region:…); !term excludes. ? or esc closes this help.", width)
	body := m.st.Title.Render("Keys: "+title) + "\n\n" + view + "\n\n" + m.st.Muted.Render(note)
	return layout.Block(body, width, height)
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + itoa(n%10)
}
