package tui

import (
	"context"
	"errors"
	"io"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Options say where the program runs.
type Options struct {
	In  io.Reader
	Out io.Writer
	// NoColor drops every colour and text attribute (--no-color,
	// NO_COLOR): lipgloss's ASCII profile.
	NoColor bool
}

// Run runs the TUI on a terminal until the user quits or ctx ends.
func Run(ctx context.Context, deps Deps, opts Options) error {
	if opts.NoColor {
		lipgloss.SetColorProfile(termenv.Ascii)
	} else {
		// Ask the terminal for its background once, before the program
		// reads the keyboard (the adaptive colours depend on it).
		lipgloss.HasDarkBackground()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := New(ctx, deps)
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithAltScreen(), tea.WithMouseCellMotion()}
	if opts.In != nil {
		popts = append(popts, tea.WithInput(opts.In))
	}
	if opts.Out != nil {
		popts = append(popts, tea.WithOutput(opts.Out))
	}
	_, err := tea.NewProgram(m, popts...).Run()
	m.apply.Cancel()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
