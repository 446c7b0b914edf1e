// Package event defines the progress events the TUI shows, in its own
// terms: the command line adapts the inventory's (gcp.Event) and the
// executor's events into these, so the TUI depends on neither.
package event

import (
	"context"
	"time"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
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

// Progress is one inventory call starting or ending, per project and API;
// or, when Partial is set, the inventory read so far (the other fields are
// then empty).
type Progress struct {
	Project string
	API     string // e.g. run.googleapis.com
	What    string // e.g. "services in us-central1"
	Phase   Phase  // Started, Done, Failed or Retrying
	Items   int    // resources found (Done)
	Err     error  // Failed, Retrying
	Elapsed time.Duration

	Partial *Partial
}

// Partial is the inventory as read so far, analysed: what the projects
// read until now hold. A load sends one after each project it reads (or
// fewer: only the newest counts), and one without Snap as soon as it
// knows how many projects it reads. The figures of a partial are partial:
// the screens say so, and no plan is made from it.
type Partial struct {
	// Snap and Rep are the projects read so far and their analysis; nil
	// when the event only gives Total.
	Snap *inventory.Snapshot
	Rep  *analyzer.Report
	// Done is the number of projects read; Total the number to read (0:
	// not known yet).
	Done, Total int
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
