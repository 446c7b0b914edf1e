// Package msg holds the small typed messages that components send to the
// root model (which routes them) rather than to each other.
package msg

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/migrate"
)

// Open asks the root to show a resource's details in the inventory; going
// back from them returns to the screen that asked.
type Open struct {
	ID string
}

// Back says that a screen opened by Open was left with "back".
type Back struct{}

// Status is a one-line message for the status bar; Err marks it an error.
type Status struct {
	Text string
	Err  bool
}

// StatusCmd is a command that returns a Status.
func StatusCmd(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return Status{Text: text, Err: isErr} }
}

// PlanReady carries the plan once it is made (nil with Err when it could
// not be), for the screens that show or apply it.
type PlanReady struct {
	Plan *migrate.Plan
	Err  error
}
