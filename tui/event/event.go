// Package event defines the progress events the TUI shows, in its own
// terms: the command line adapts the inventory's (gcp.Event) and the
// executor's events into these, so the TUI depends on neither.
package event

import (
	"context"
	"time"
)

// Phase is where a piece of work is.
type Phase int

// Phases of inventory calls and of plan steps.
const (
	// Started: the call or step began.
	Started Phase = iota
	// Done: it finished well.
	Done
	// Failed: it failed (Err says why).
	Failed
	// Retrying: a call failed in a way worth retrying and will be retried.
	Retrying
	// Skipped: a step was not run (already done, not needed, stopped).
	Skipped
	// RolledBack: a step was undone.
	RolledBack
	// Waiting: a step waits (a soak period, a manual confirmation).
	Waiting
	// Note: a line for the log, about the step or the run.
	Note
)

var phaseNames = [...]string{"started", "done", "failed", "retrying", "skipped", "rolled back", "waiting", "note"}

func (p Phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return "unknown"
}

// Progress is one inventory call starting or ending, per project and API.
type Progress struct {
	Project string
	API     string // e.g. run.googleapis.com
	What    string // e.g. "services in us-central1"
	Phase   Phase  // Started, Done, Failed or Retrying
	Items   int    // resources found (Done)
	Err     error  // Failed, Retrying
	Elapsed time.Duration
}

// Apply is one event of an apply or a rollback.
type Apply struct {
	// Step is the plan step's ID; "" for the run as a whole.
	Step    string
	Phase   Phase
	Message string
	Err     error
	// Elapsed is how long the step took (when it ended), or the run.
	Elapsed time.Duration
}

// Question is something the run asks a person: go on with a stage, go on
// though a canary's health could not be measured, was a manual step done.
type Question struct {
	Text    string   // one line ending with "?"
	Details []string // what the answer decides
}

// Control is handed to an apply or a rollback. Events receives what
// happens. Stopping says whether the user asked to stop after the current
// step: check it between steps. Ask puts a question to the user and waits
// for the answer (false, ctx.Err() when ctx ends first).
type Control struct {
	Events   func(Apply)
	Stopping func() bool
	Ask      func(ctx context.Context, q Question) (bool, error)
}
