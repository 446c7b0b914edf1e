package tui

import (
	"context"

	"github.com/vpcshift/vpcshift/migrate"
)

// NewExecutor makes the executor for one run of a plan (its journal
// opened) and returns what closes it afterwards.
type NewExecutor func(p *migrate.Plan) (exec *migrate.Executor, closeFn func(), err error)

// ExecutorApply adapts a migrate.Executor into Deps.Apply: its events
// become ApplyEvents; a stop request takes effect once the step in
// progress has finished well (the run's context then ends, so the
// executor starts nothing more; a failing step still rolls back) or at
// the next stage; the executor's questions go to the user, except the
// per-stage confirmations, which the apply screen's own confirmation
// already answered, and, when the executor accepts it, a canary without
// health data (AcceptNoMetrics). Steps run one at a time, so that "stop after the
// current step" means exactly that.
func ExecutorApply(newExec NewExecutor) func(ctx context.Context, p *migrate.Plan, ctl ApplyControl) error {
	if newExec == nil {
		return nil
	}
	return func(ctx context.Context, p *migrate.Plan, ctl ApplyControl) error {
		exec, closeFn, err := prepare(newExec, p, ctl)
		if err != nil {
			return err
		}
		defer closeFn()
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		exec.Events = executorEvents(ctl, cancel)
		_, err = exec.Apply(ctx, p, migrate.ApplyOptions{})
		return err
	}
}

// ExecutorRollback adapts a migrate.Executor into Deps.Rollback.
func ExecutorRollback(newExec NewExecutor) func(ctx context.Context, p *migrate.Plan, ctl ApplyControl) error {
	if newExec == nil {
		return nil
	}
	return func(ctx context.Context, p *migrate.Plan, ctl ApplyControl) error {
		exec, closeFn, err := prepare(newExec, p, ctl)
		if err != nil {
			return err
		}
		defer closeFn()
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		exec.Events = executorEvents(ctl, cancel)
		_, err = exec.Rollback(ctx, p, migrate.RollbackOptions{})
		return err
	}
}

func prepare(newExec NewExecutor, p *migrate.Plan, ctl ApplyControl) (*migrate.Executor, func(), error) {
	exec, closeFn, err := newExec(p)
	if err != nil {
		return nil, nil, err
	}
	if closeFn == nil {
		closeFn = func() {}
	}
	exec.Parallel = 1
	exec.Confirm = func(ctx context.Context, pr migrate.Prompt) (bool, error) {
		if ctl.Stopping != nil && ctl.Stopping() {
			return false, nil
		}
		if pr.Kind == migrate.PromptInconclusive && exec.AcceptNoMetrics {
			if ctl.Events != nil {
				ctl.Events(ApplyEvent{Step: pr.Step, Phase: Note, Message: "went on without health data (no metrics accepted): " + pr.Question})
			}
			return true, nil
		}
		if pr.Kind == migrate.PromptStage || ctl.Ask == nil {
			return pr.Kind == migrate.PromptStage, nil
		}
		return ctl.Ask(ctx, Question{Text: pr.Question, Details: pr.Details})
	}
	return exec, closeFn, nil
}

// executorEvents forwards the executor's events and, when a stop was
// asked for, ends the run once a step has finished well.
func executorEvents(ctl ApplyControl, stop context.CancelFunc) func(migrate.Event) {
	return func(e migrate.Event) {
		if ae, ok := ExecutorEvent(e); ok && ctl.Events != nil {
			ctl.Events(ae)
		}
		switch e.Kind {
		case migrate.EventStepSucceeded, migrate.EventStepAlreadyDone, migrate.EventStepSkipped:
			if ctl.Stopping != nil && ctl.Stopping() {
				stop()
			}
		}
	}
}

// ExecutorEvent translates one executor event for the apply screen.
func ExecutorEvent(e migrate.Event) (ApplyEvent, bool) {
	ae := ApplyEvent{Step: e.Step, Message: e.Message, Err: e.Err, Elapsed: e.Duration}
	switch e.Kind {
	case migrate.EventStepStarted:
		ae.Phase = Started
	case migrate.EventStepSucceeded:
		ae.Phase = Done
	case migrate.EventStepAlreadyDone:
		ae.Phase = Done
		if ae.Message == "" {
			ae.Message = "already done"
		}
	case migrate.EventStepSkipped:
		ae.Phase = Skipped
	case migrate.EventStepFailed:
		ae.Phase = Failed
	case migrate.EventStepRolledBack:
		ae.Phase = RolledBack
	case migrate.EventStepProgress, migrate.EventStepPlanned:
		ae.Phase = Note
	case migrate.EventStageStarted:
		ae.Phase, ae.Step = Note, ""
		ae.Message = "stage " + string(e.Stage) + " started"
		if e.Message != "" {
			ae.Message += ": " + e.Message
		}
	case migrate.EventStageDone:
		ae.Phase, ae.Step = Note, ""
		ae.Message = "stage " + string(e.Stage) + " done"
	case migrate.EventWarning:
		ae.Phase = Note
		ae.Message = "warning: " + e.Message
	case migrate.EventRunStarted, migrate.EventStaleCheck, migrate.EventRunDone:
		ae.Phase, ae.Step = Note, ""
	default:
		ae.Phase = Note
	}
	if ae.Step == "" && ae.Message == "" && ae.Err == nil {
		return ae, false
	}
	return ae, true
}
