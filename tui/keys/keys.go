// Package keys is the one place the TUI's key bindings are defined. A
// KeyMap is a value: each program builds its own with Default, and each
// component picks the bindings it uses for its help.
package keys

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
)

// KeyMap holds every binding of the TUI.
type KeyMap struct {
	// Everywhere.
	Quit      key.Binding
	Help      key.Binding
	Overview  key.Binding
	Inventory key.Binding
	Findings  key.Binding
	Plan      key.Binding
	Apply     key.Binding

	// Moving in lists and panes.
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	NextTab  key.Binding
	PrevTab  key.Binding

	// Tables.
	Filter      key.Binding
	Sort        key.Binding
	SortReverse key.Binding
	Open        key.Binding
	Back        key.Binding
	Follow      key.Binding

	// Plan.
	Write key.Binding

	// Apply.
	Start    key.Binding
	Stop     key.Binding
	Rollback key.Binding

	// Dialogs.
	Yes key.Binding
	No  key.Binding

	// Reload reads the inventory again (after a failure, or to see what
	// an apply changed).
	Reload key.Binding
}

// Default is vpcshift's key map.
func Default() KeyMap {
	b := func(help string, desc string, k ...string) key.Binding {
		return key.NewBinding(key.WithKeys(k...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Quit:      b("q", "quit", "q", "ctrl+c"),
		Help:      b("?", "help", "?"),
		Overview:  b("1", "overview", "1"),
		Inventory: b("2", "inventory", "2"),
		Findings:  b("3", "findings", "3"),
		Plan:      b("4", "plan", "4"),
		Apply:     b("5", "apply", "5"),

		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+u"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+d", " "),
		Top:      b("g/home", "top", "home", "g"),
		Bottom:   b("G/end", "bottom", "end", "G"),
		NextTab:  b("tab/]", "next tab", "tab", "]"),
		PrevTab:  b("shift+tab/[", "previous tab", "shift+tab", "["),

		Filter:      b("/", "filter", "/"),
		Sort:        b("s", "sort by next column", "s"),
		SortReverse: b("S", "reverse sort", "S"),
		Open:        b("enter", "details", "enter"),
		Back:        b("esc", "back", "esc", "backspace"),
		Follow:      b("c", "related", "c"),

		Write: b("w", "write plan + runbooks", "w"),

		Start:    b("a", "apply…", "a"),
		Stop:     b("x", "stop after this step", "x"),
		Rollback: b("R", "roll back…", "R"),

		Yes: b("y", "yes", "y", "Y"),
		No:  b("n/esc", "no", "n", "N", "esc"),

		Reload: b("r", "read the inventory again", "r"),
	}
}

// Screens are the bindings that switch screens, in screen order.
func (k KeyMap) Screens() []key.Binding {
	return []key.Binding{k.Overview, k.Inventory, k.Findings, k.Plan, k.Apply}
}

// Global are the bindings every screen answers.
func (k KeyMap) Global() []key.Binding {
	return append(k.Screens(), k.Reload, k.Help, k.Quit)
}

// Help is a help.KeyMap made of a short list and full-help columns.
type Help struct {
	Short []key.Binding
	Full  [][]key.Binding
}

var _ help.KeyMap = Help{}

// ShortHelp is the one-line help.
func (h Help) ShortHelp() []key.Binding { return h.Short }

// FullHelp is the help in columns; without explicit columns it is the
// short help as one column.
func (h Help) FullHelp() [][]key.Binding {
	if len(h.Full) == 0 {
		return [][]key.Binding{h.Short}
	}
	return h.Full
}

// All lists every binding of a help.KeyMap (short and full, once each).
func All(h help.KeyMap) []key.Binding {
	var out []key.Binding
	seen := map[string]bool{}
	add := func(b key.Binding) {
		id := b.Help().Key + "\x00" + b.Help().Desc
		if !seen[id] {
			seen[id] = true
			out = append(out, b)
		}
	}
	for _, b := range h.ShortHelp() {
		add(b)
	}
	for _, col := range h.FullHelp() {
		for _, b := range col {
			add(b)
		}
	}
	return out
}
