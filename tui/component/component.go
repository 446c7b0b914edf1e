// Package component states the contract every TUI component and page
// follows (after soft-serve's common.Component): Update returns the
// component itself, View renders it at the size SetSize gave, and KeyMap
// lists the bindings it answers, for the help.
package component

import (
	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
)

// Component is implemented by every component and page, as a pointer:
//
//	var _ component.Component[*Table] = (*Table)(nil)
type Component[T any] interface {
	Update(msg tea.Msg) (T, tea.Cmd)
	View() string
	SetSize(width, height int)
	KeyMap() help.KeyMap
}

// Capturer is a component that can take every key for a while (a text
// input being edited); the root then sends it keys before the global
// bindings.
type Capturer interface {
	Capturing() bool
}
