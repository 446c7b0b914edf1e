// Package pane is a scrollable block of text (a bubbles viewport driven by
// the TUI's key map and the mouse wheel).
package pane

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/tui/component"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
)

// Model is the pane.
type Model struct {
	km      keys.KeyMap
	vp      viewport.Model
	content string
	width   int
	height  int
}

var _ component.Component[*Model] = (*Model)(nil)

// New makes an empty pane.
func New(km keys.KeyMap) *Model {
	vp := viewport.New(0, 0)
	vp.KeyMap = viewport.KeyMap{
		PageDown:     km.PageDown,
		PageUp:       km.PageUp,
		HalfPageUp:   key.NewBinding(key.WithDisabled()),
		HalfPageDown: key.NewBinding(key.WithDisabled()),
		Up:           km.Up,
		Down:         km.Down,
		Left:         key.NewBinding(key.WithDisabled()),
		Right:        key.NewBinding(key.WithDisabled()),
	}
	vp.MouseWheelEnabled = true
	vp.MouseWheelDelta = 3
	return &Model{km: km, vp: vp}
}

// SetContent replaces the text, keeping the scroll position when it can.
func (m *Model) SetContent(s string) {
	m.content = s
	m.vp.SetContent(s)
}

// Content is the text.
func (m *Model) Content() string { return m.content }

// GotoTop scrolls to the top.
func (m *Model) GotoTop() { m.vp.GotoTop() }

// GotoBottom scrolls to the end.
func (m *Model) GotoBottom() { m.vp.GotoBottom() }

// AtBottom reports whether the end is in view.
func (m *Model) AtBottom() bool { return m.vp.AtBottom() }

// YOffset is the first line in view.
func (m *Model) YOffset() int { return m.vp.YOffset }

// SetYOffset scrolls to a line.
func (m *Model) SetYOffset(n int) { m.vp.SetYOffset(n) }

// Lines is the number of lines of content.
func (m *Model) Lines() int { return m.vp.TotalLineCount() }

// SetSize sets the pane's size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.vp.Width, m.vp.Height = w, max(0, h)
	m.vp.SetContent(m.content)
}

// KeyMap lists the scrolling keys.
func (m *Model) KeyMap() help.KeyMap {
	k := m.km
	return keys.Help{Short: []key.Binding{k.Up, k.Down, k.PageDown}, Full: [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}}
}

// Update scrolls on keys and the mouse wheel.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, m.km.Top):
			m.vp.GotoTop()
			return m, nil
		case key.Matches(k, m.km.Bottom):
			m.vp.GotoBottom()
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.vp, cmd = m.vp.Update(msg)
	return m, cmd
}

// View renders the lines in view, padded to the pane's size.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	return layout.Block(m.vp.View(), m.width, m.height)
}
