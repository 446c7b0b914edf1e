package migrate

import (
	"time"
)

// EventKind says what an Event reports.
type EventKind string

// Event kinds, in the order a run produces them.
const (
	// EventRunStarted opens a run (apply, dry run, resume or rollback).
	EventRunStarted EventKind = "run-started"
	// EventStaleCheck reports the re-inventory that guards against a
	// stale plan (Message says what was compared).
	EventStaleCheck EventKind = "stale-check"
	// EventStageStarted and EventStageDone bracket a stage.
	EventStageStarted EventKind = "stage-started"
	EventStageDone    EventKind = "stage-done"
	// EventStepPlanned is a dry run's "would do" (Details say exactly what).
	EventStepPlanned EventKind = "step-planned"
	// EventStepStarted: the step began (after its preconditions held).
	EventStepStarted EventKind = "step-started"
	// EventStepProgress: a step still running says where it is (a soak,
	// a retry, a wait for a revision).
	EventStepProgress EventKind = "step-progress"
	// EventStepSucceeded: the step's change is made and verified.
	EventStepSucceeded EventKind = "step-succeeded"
	// EventStepAlreadyDone: a resumed (or re-run) step found its result
	// already in place and did nothing.
	EventStepAlreadyDone EventKind = "step-already-done"
	// EventStepSkipped: the step did not run (Message says why).
	EventStepSkipped EventKind = "step-skipped"
	// EventStepFailed: the step failed (Err says why).
	EventStepFailed EventKind = "step-failed"
	// EventStepRolledBack: what the step did was undone.
	EventStepRolledBack EventKind = "step-rolled-back"
	// EventWarning is something a person should read that stops nothing.
	EventWarning EventKind = "warning"
	// EventRunDone closes a run (Message is the summary).
	EventRunDone EventKind = "run-done"
)

// Event is one piece of progress. The executor calls Executor.Events one
// event at a time (never concurrently), so a consumer needs no locking.
type Event struct {
	Kind  EventKind `json:"kind"`
	Time  time.Time `json:"time"`
	Stage StageName `json:"stage,omitempty"`
	// Step is the step ID, Action, Resource and Title are the step's.
	Step     string `json:"step,omitempty"`
	Action   Action `json:"action,omitempty"`
	Resource string `json:"resource,omitempty"`
	Title    string `json:"title,omitempty"`
	// Message is a one-line account for people.
	Message string `json:"message,omitempty"`
	// Details are the exact changes (dry run) or further lines.
	Details []string `json:"details,omitempty"`
	// Duration is how long the step (or stage, or run) took.
	Duration time.Duration `json:"duration,omitempty"`
	// Err is set on EventStepFailed (and on a failed rollback).
	Err error `json:"-"`
	// Index and Total place a step in the run (1-based; 0 when unknown).
	Index int `json:"index,omitempty"`
	Total int `json:"total,omitempty"`
}

// PromptKind says what a Prompt asks.
type PromptKind string

// Prompt kinds.
const (
	// PromptStage asks before a stage that changes something.
	PromptStage PromptKind = "stage"
	// PromptInconclusive asks whether to go on when a canary's health
	// could not be measured (no monitoring data).
	PromptInconclusive PromptKind = "inconclusive-health"
	// PromptManual asks whether a person has done a manual step.
	PromptManual PromptKind = "manual"
)

// Prompt is a question for a person (Executor.Confirm).
type Prompt struct {
	Kind  PromptKind `json:"kind"`
	Stage StageName  `json:"stage,omitempty"`
	Step  string     `json:"step,omitempty"`
	// Question is one line ending with "?".
	Question string `json:"question"`
	// Details are what the answer decides (the changes of a stage, the
	// figures that were missing, the instructions of a manual step).
	Details []string `json:"details,omitempty"`
}
