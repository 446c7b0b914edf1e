package tui

import (
	"context"
	"io"
	"time"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/migrate"
	"github.com/vpcshift/vpcshift/tui/event"
)

// The TUI's own event types: the command line adapts the inventory's and
// the executor's events into these.
type (
	// ProgressEvent is one inventory call starting or ending, or the
	// inventory read so far (Partial).
	ProgressEvent = event.Progress
	// Partial is the inventory read so far, analysed.
	Partial = event.Partial
	// ApplyEvent is one event of an apply or a rollback.
	ApplyEvent = event.Apply
	// ApplyControl is handed to Deps.Apply and Deps.Rollback.
	ApplyControl = event.Control
	// Question is what a run asks the user (ApplyControl.Ask).
	Question = event.Question
	// Phase is where a call or a step is.
	Phase = event.Phase
)

// Phases (see package event).
const (
	Started    = event.Started
	Done       = event.Done
	Failed     = event.Failed
	Retrying   = event.Retrying
	Skipped    = event.Skipped
	RolledBack = event.RolledBack
	Waiting    = event.Waiting
	Note       = event.Note
)

// Deps is everything the TUI calls. Each function may be nil when this
// build lacks the feature; the screen that needs it then says so. The TUI
// calls them only inside tea.Cmds (never from Update or View).
type Deps struct {
	// Load runs the inventory and its analysis, reporting progress: each
	// call as it starts and ends and, as projects are read, the inventory
	// read so far (ProgressEvent.Partial; PartialFeed makes them), which
	// the overview, inventory and findings show while the rest loads.
	Load func(ctx context.Context, progress func(ProgressEvent)) (*inventory.Snapshot, *analyzer.Report, error)
	// Plan makes the migration plan of an analysed inventory.
	Plan func(*inventory.Snapshot, *analyzer.Report) (*migrate.Plan, error)
	// RenderMarkdown renders a plan as the Markdown runbook.
	RenderMarkdown func(*migrate.Plan) (string, error)
	// WriteFiles writes the plan (JSON) and each runbook format into dir
	// and returns the paths written.
	WriteFiles func(p *migrate.Plan, dir string) ([]string, error)
	// Apply executes a plan; Rollback undoes what its journal recorded.
	// Both report through the control's Events, check Stopping between
	// steps, and put questions through Ask.
	Apply    func(ctx context.Context, p *migrate.Plan, ctl ApplyControl) error
	Rollback func(ctx context.Context, p *migrate.Plan, ctl ApplyControl) error
	// NATRemoval says whether Apply may remove Cloud NAT gateways (or
	// subnets from them): the executor's AllowNATRemoval.
	NATRemoval bool
	// AllowApply is --allow-apply: without it the apply screen is
	// read-only.
	AllowApply bool
	// Now is the clock (durations, timestamps in the log pane).
	Now func() time.Time
	// Log receives the TUI's log (--log FILE); nil discards it. Nothing
	// is ever logged to the screen.
	Log io.Writer
	// Context names what is looked at, for the header ("demo: startup",
	// "project acme-prod").
	Context string
	// PlanDir is the directory proposed when writing the plan.
	PlanDir string
}
