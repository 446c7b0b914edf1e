package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// Rollback undoes, in reverse plan order, what the journal says this plan
// did: each service's traffic back to the revision that served before,
// then its previous VPC access, then its original traffic split; jobs,
// worker pools and functions back to their previous VPC access; zones and
// routes removed when vpcshift created them; Cloud NAT restored from its
// recorded configuration; Private Google Access left on unless vpcshift
// turned it on and RevertPGA is set. A deleted connector cannot be
// restored: the result says so, and the consumers that used it stay on
// Direct VPC egress.
func (e *Executor) Rollback(ctx context.Context, p *Plan, opts RollbackOptions) (Result, error) {
	e.defaults()
	mode := "rollback"
	if opts.DryRun {
		mode = "rollback-dry-run"
	}
	r := e.newRun(p, mode)
	r.opts = ApplyOptions{Stage: opts.Stage, DryRun: opts.DryRun}
	start := e.Now()
	if e.Target == nil {
		return r.result(start), errors.New("no target to roll the plan back on")
	}
	if !opts.DryRun && e.Journal == nil {
		return r.result(start), errors.New("rolling a plan back needs its journal")
	}
	if opts.Stage != "" {
		if _, ok := p.Stage(opts.Stage); !ok {
			return r.result(start), fmt.Errorf("the plan has no stage %q", opts.Stage)
		}
	}
	var todo []*Step
	for i := len(p.Stages) - 1; i >= 0; i-- {
		st := &p.Stages[i]
		if opts.Stage != "" && st.Name != opts.Stage {
			continue
		}
		for j := len(st.Steps) - 1; j >= 0; j-- {
			s := &st.Steps[j]
			h := r.hist.steps[s.ID]
			if h == nil || !h.Touched || h.Status == StatusRolledBack {
				continue
			}
			todo = append(todo, s)
		}
	}
	r.total = len(todo)
	if !opts.DryRun {
		if err := e.Journal.BeginRun(mode, e.Now()); err != nil {
			return r.result(start), err
		}
	}
	r.emit(Event{Kind: EventRunStarted, Message: fmt.Sprintf("%s of plan %s: %d step(s) to undo", mode, shortDigest(p.Source.Fingerprint), len(todo)), Total: len(todo)})
	var problems []string
	seen := map[string]bool{}
	// A consumer that could not be put back still needs the network and
	// DNS the earlier stages made: those are then kept.
	blocking := ""
	for _, s := range todo {
		if ctx.Err() != nil {
			break
		}
		if blocking != "" && (r.stageOf[s.ID] == StageDNS || r.stageOf[s.ID] == StageNetwork || r.stageOf[s.ID] == StagePreflight) {
			msg := "kept: " + blocking + " still needs it"
			r.setResult(s, StatusSkipped, msg, 0, nil)
			r.emit(r.stepEvent(EventStepSkipped, s, msg))
			continue
		}
		r.mu.Lock()
		r.index++
		idx := r.index
		r.mu.Unlock()
		begin := e.Now()
		if consumerAction(s.Action) {
			if seen[s.Resource] {
				continue
			}
			seen[s.Resource] = true
			steps := r.consumerSteps(s.Resource)
			if opts.DryRun {
				msg, details := r.describeConsumerRollback(ctx, s)
				for _, cs := range steps {
					if h := r.hist.steps[cs.ID]; h != nil && h.Touched && h.Status != StatusRolledBack {
						r.setResult(cs, StatusPlanned, msg, 0, details)
					}
				}
				ev := r.stepEvent(EventStepPlanned, s, msg)
				ev.Details, ev.Index, ev.Total = details, idx, r.total
				r.emit(ev)
				continue
			}
			ev := r.stepEvent(EventStepStarted, s, "rolling back "+s.Resource)
			ev.Index, ev.Total = idx, r.total
			r.emit(ev)
			undid, err := r.rollbackConsumer(ctx, s.Resource, inventory.ConsumerKind(s.Kind), "rollback")
			status, msg := StatusRolledBack, "put back as it was"
			if !undid {
				msg = "already as it was"
			}
			if err != nil {
				status, msg = StatusFailed, err.Error()
				problems = append(problems, s.Resource+": "+err.Error())
				if blocking == "" {
					blocking = s.Resource
				}
			}
			d := e.Now().Sub(begin)
			for _, cs := range steps {
				if h := r.hist.steps[cs.ID]; h != nil && h.Touched && h.Status != StatusRolledBack {
					r.setResult(cs, status, msg, d, nil)
				}
			}
			out := r.stepEvent(EventStepRolledBack, s, msg)
			if err != nil {
				out.Kind, out.Err = EventStepFailed, err
			}
			out.Duration, out.Index, out.Total = d, idx, r.total
			r.emit(out)
			continue
		}
		if opts.DryRun {
			status, msg := r.undoStep(ctx, s, opts, true)
			r.setResult(s, status, msg, 0, nil)
			ev := r.stepEvent(EventStepPlanned, s, msg)
			ev.Index, ev.Total = idx, r.total
			if status == StatusSkipped {
				ev.Kind = EventStepSkipped
			}
			r.emit(ev)
			continue
		}
		ev := r.stepEvent(EventStepStarted, s, "undoing "+string(s.Action))
		ev.Index, ev.Total = idx, r.total
		r.emit(ev)
		status, msg := r.undoStep(ctx, s, opts, false)
		d := e.Now().Sub(begin)
		r.setResult(s, status, msg, d, nil)
		out := r.stepEvent(EventStepRolledBack, s, msg)
		switch status {
		case StatusFailed:
			out.Kind = EventStepFailed
			out.Err = errors.New(msg)
			problems = append(problems, s.ID+": "+msg)
		case StatusSkipped:
			out.Kind = EventStepSkipped
		}
		out.Duration, out.Index, out.Total = d, idx, r.total
		r.emit(out)
	}
	res := r.result(start)
	var err error
	if len(problems) > 0 {
		err = &StopError{Step: "rollback", Err: fmt.Errorf("%d thing(s) could not be undone:\n  %s", len(problems), strings.Join(problems, "\n  ")),
			Hint: "see each reason above; fix it and run 'vpcshift rollback PLAN --yes' again (it only undoes what is left)"}
	}
	if err == nil {
		err = ctx.Err()
	}
	summary := fmt.Sprintf("%d rolled back, %d left as they are, %d failed", res.Count(StatusRolledBack), res.Count(StatusSkipped), res.Count(StatusFailed))
	if opts.DryRun {
		summary = fmt.Sprintf("dry run: %d step(s) would be undone, %d left as they are", res.Count(StatusPlanned), res.Count(StatusSkipped))
	}
	r.emit(Event{Kind: EventRunDone, Message: summary, Duration: res.Duration, Err: err})
	return res, err
}

// consumerSteps are the plan's steps that change one consumer.
func (r *run) consumerSteps(resource string) []*Step {
	var out []*Step
	for _, st := range r.plan.Stages {
		for i := range st.Steps {
			s := &st.Steps[i]
			if s.Resource == resource && consumerAction(s.Action) {
				out = append(out, s)
			}
		}
	}
	return out
}

func (r *run) rollbackRecord(s *Step, typ RecordType, status StepStatus, pre *PreImage, post *PostImage, msg string) error {
	return r.journal(Record{Type: typ, Step: s.ID, Action: s.Action, Resource: s.Resource, Status: status, Pre: pre, Post: post, Message: msg})
}

// rollbackConsumer puts a consumer back as it was before vpcshift first
// changed it. undid says whether anything had to change. It refuses to
// overwrite a change someone else made since.
func (r *run) rollbackConsumer(ctx context.Context, resource string, kind inventory.ConsumerKind, why string) (undid bool, err error) {
	recs := r.records()
	js := stateOf(recs)
	pre := firstConsumerPre(recs, resource)
	var active []*Step
	for _, s := range r.consumerSteps(resource) {
		if h := js.steps[s.ID]; h != nil && h.Touched && h.Status != StatusRolledBack {
			active = append(active, s)
		}
	}
	if pre == nil || len(active) == 0 {
		return false, nil
	}
	last := active[len(active)-1]
	st, err := r.readConsumer(ctx, last, kind, resource)
	if err != nil {
		return false, err
	}
	if !js.knownEtag(resource, st.Etag) {
		return false, fmt.Errorf("%w: %s changed since vpcshift last changed it (etag %s): it is not rolled back, so as not to undo that change; restore it by hand if needed", inventory.ErrConflict, resource, st.Etag)
	}
	if pre.VPC.Connector != "" && !sameVPC(st.VPC, pre.VPC) {
		cerr := r.retry(ctx, last, "reading connector", func() error {
			_, err := r.e.Target.Connector(ctx, pre.VPC.Connector)
			return err
		})
		if errors.Is(cerr, inventory.ErrNotFound) {
			return false, fmt.Errorf("connector %s was deleted and a deleted connector cannot be restored: %s stays on Direct VPC egress (recreate the connector, then run rollback again)", pre.VPC.Connector, resource)
		}
		if cerr != nil {
			return false, cerr
		}
	}
	if err := r.rollbackRecord(last, RecordRollbackIntent, "", &PreImage{Consumer: st}, nil, why); err != nil {
		return false, err
	}
	failWith := func(err error) (bool, error) {
		post := &PostImage{}
		if st != nil {
			post.Etag = st.Etag
		}
		_ = r.rollbackRecord(last, RecordRollbackOutcome, StatusFailed, nil, post, err.Error())
		return undid, err
	}
	if kind == inventory.KindService {
		orig := pinTraffic(pre, "")
		// 1. Traffic back to what served before, at once.
		if !sameDistribution(st.TrafficByRevision, trafficDistribution(orig)) {
			r.emit(r.stepEvent(EventStepProgress, last, "routing 100% back to "+describeTraffic(orig)))
			var post *inventory.ConsumerState
			err := r.retry(ctx, last, "setting the traffic of "+resource, func() error {
				var err error
				post, err = r.e.Target.SetTraffic(ctx, resource, st.Etag, orig)
				return err
			})
			if err != nil {
				return failWith(fmt.Errorf("routing traffic back to %s: %w", describeTraffic(orig), err))
			}
			st, undid = post, true
		}
		// 2. The previous VPC access, traffic still pinned, as a revision
		// of its own (the template still names vpcshift's revision).
		if !sameVPC(st.VPC, pre.VPC) {
			var post *inventory.ConsumerState
			rev := restoreRevision(resource, st)
			err := r.retry(ctx, last, "restoring the VPC access of "+resource, func() error {
				var err error
				post, err = r.e.Target.UpdateConsumerVPC(ctx, kind, resource, st.Etag, pre.VPC, rev, orig, false)
				return err
			})
			if post != nil {
				st = post
			}
			if err != nil {
				return failWith(fmt.Errorf("traffic is back on %s, but restoring the previous VPC access failed: %w", describeTraffic(orig), err))
			}
			undid = true
		}
		// 3. The original traffic split (LATEST, tags) once the restored
		// revision is ready.
		if !sameTrafficSpec(st.Traffic, pre.Traffic) {
			if !st.Ready {
				return failWith(fmt.Errorf("the restored revision %s is not ready (%s): traffic stays on %s", st.LatestCreatedRevision, st.Message, describeTraffic(orig)))
			}
			spec := pre.Traffic
			if len(spec) == 0 {
				spec = []inventory.TrafficTarget{{Type: "LATEST", Percent: 100}}
			}
			var post *inventory.ConsumerState
			err := r.retry(ctx, last, "restoring the traffic of "+resource, func() error {
				var err error
				post, err = r.e.Target.SetTraffic(ctx, resource, st.Etag, spec)
				return err
			})
			if err != nil {
				return failWith(fmt.Errorf("restoring the original traffic split (%s): %w", describeTraffic(spec), err))
			}
			st, undid = post, true
		}
	} else if !sameVPC(st.VPC, pre.VPC) {
		var post *inventory.ConsumerState
		err := r.retry(ctx, last, "restoring the VPC access of "+resource, func() error {
			var err error
			post, err = r.e.Target.UpdateConsumerVPC(ctx, kind, resource, st.Etag, pre.VPC, "", nil, false)
			return err
		})
		if post != nil {
			st = post
		}
		if err != nil {
			return failWith(fmt.Errorf("restoring the previous VPC access: %w", err))
		}
		undid = true
	}
	msg := "put back as it was (" + why + ")"
	for _, s := range active {
		if err := r.rollbackRecord(s, RecordRollbackOutcome, StatusRolledBack, nil, &PostImage{Etag: st.Etag}, msg); err != nil {
			return undid, err
		}
	}
	if undid {
		r.emit(r.stepEvent(EventStepRolledBack, last, resource+" "+msg))
	}
	return undid, nil
}

// undoStep undoes one step other than a consumer change.
func (r *run) undoStep(ctx context.Context, s *Step, opts RollbackOptions, dry bool) (StepStatus, string) {
	h := r.hist.steps[s.ID]
	pre := &PreImage{}
	if h != nil && h.Pre != nil {
		pre = h.Pre
	}
	done := func(msg string) (StepStatus, string) {
		if dry {
			return StatusPlanned, "would " + msg
		}
		if err := r.rollbackRecord(s, RecordRollbackOutcome, StatusRolledBack, nil, nil, msg); err != nil {
			return StatusFailed, err.Error()
		}
		return StatusRolledBack, msg
	}
	keep := func(msg string) (StepStatus, string) {
		if !dry {
			_ = r.rollbackRecord(s, RecordRollbackOutcome, StatusSkipped, nil, nil, msg)
		}
		return StatusSkipped, msg
	}
	failed := func(err error) (StepStatus, string) {
		if !dry {
			_ = r.rollbackRecord(s, RecordRollbackOutcome, StatusFailed, nil, nil, err.Error())
		}
		return StatusFailed, err.Error()
	}
	intent := func() error {
		if dry {
			return nil
		}
		return r.rollbackRecord(s, RecordRollbackIntent, "", nil, nil, "rollback")
	}
	switch s.Action {
	case ActionSetPGA:
		project, region, name := subnetRef(s)
		if pre.PrivateIPGoogleAccess == nil || *pre.PrivateIPGoogleAccess {
			return keep("Private Google Access was already on before vpcshift: left on")
		}
		if !opts.RevertPGA {
			return keep("Private Google Access left on (vpcshift turned it on; --revert-pga turns it off)")
		}
		if dry {
			return done("turn Private Google Access off on " + name)
		}
		if err := intent(); err != nil {
			return failed(err)
		}
		if err := r.retry(ctx, s, "turning Private Google Access off", func() error {
			return r.e.Target.SetPrivateGoogleAccess(ctx, project, region, name, false)
		}); err != nil {
			return failed(err)
		}
		return done("Private Google Access turned off on " + name)
	case ActionCreateRoute:
		if pre.RouteExisted == nil || *pre.RouteExisted {
			return keep("the route existed before vpcshift: left alone")
		}
		project := firstNonBlank(s.Project, segAfter(s.Resource, "projects"))
		name := firstNonBlank(s.Params.RouteName, segLast(s.Resource))
		if dry {
			return done("delete route " + name)
		}
		if err := intent(); err != nil {
			return failed(err)
		}
		if err := r.retry(ctx, s, "deleting route "+name, func() error { return r.e.Target.DeleteRoute(ctx, project, name) }); err != nil && !errors.Is(err, inventory.ErrNotFound) {
			return failed(err)
		}
		return done("route " + name + " deleted")
	case ActionCreateZone:
		if pre.ZoneExisted == nil || *pre.ZoneExisted {
			return keep("the zone existed before vpcshift: left alone")
		}
		project := firstNonBlank(s.Project, segAfter(s.Resource, "projects"))
		name := firstNonBlank(s.Params.ZoneName, segLast(s.Resource))
		if dry {
			return done("delete DNS zone " + name + " (vpcshift created it)")
		}
		if err := intent(); err != nil {
			return failed(err)
		}
		if err := r.retry(ctx, s, "deleting DNS zone "+name, func() error { return r.e.Target.DeleteZone(ctx, project, name) }); err != nil {
			return failed(err)
		}
		return done("DNS zone " + name + " deleted")
	case ActionRemoveNAT, ActionRemoveNATSubnets:
		if pre.NAT == nil {
			return keep("no recorded configuration: nothing to restore")
		}
		if dry {
			return done("restore Cloud NAT " + pre.NAT.Name + " on router " + pre.NAT.Router + " as recorded")
		}
		if err := intent(); err != nil {
			return failed(err)
		}
		if err := r.retry(ctx, s, "restoring Cloud NAT "+pre.NAT.Name, func() error { return r.e.Target.RestoreNAT(ctx, *pre.NAT) }); err != nil {
			return failed(err)
		}
		return done("Cloud NAT " + pre.NAT.Name + " restored as recorded")
	case ActionDeleteConnector:
		id := firstNonBlank(s.Params.Connector, s.Resource)
		err := r.retry(ctx, s, "reading connector", func() error {
			_, err := r.e.Target.Connector(ctx, id)
			return err
		})
		if err == nil {
			return keep("the connector was not deleted: nothing to undo")
		}
		if !errors.Is(err, inventory.ErrNotFound) {
			return failed(err)
		}
		msg := "connector " + segLast(id) + " was deleted, and a deleted connector cannot be restored"
		if c := pre.Connector; c != nil {
			msg += "; to recreate it: " + recreateConnector(c)
		}
		r.note(s.Resource + ": " + msg)
		if dry {
			return StatusSkipped, msg
		}
		return failed(errors.New(msg))
	}
	return keep("nothing to undo")
}

// recreateConnector is the gcloud command that makes a connector like c.
func recreateConnector(c *inventory.Connector) string {
	args := []string{"gcloud", "compute", "networks", "vpc-access", "connectors", "create", c.Name, "--region", c.Region, "--project", c.Project}
	if c.Subnet != "" {
		args = append(args, "--subnet", c.Subnet)
		if c.SubnetProject != "" {
			args = append(args, "--subnet-project", c.SubnetProject)
		}
	} else {
		args = append(args, "--network", c.Network, "--range", c.IPCIDRRange)
	}
	if c.MachineType != "" {
		args = append(args, "--machine-type", c.MachineType)
	}
	if c.MinInstances > 0 {
		args = append(args, "--min-instances", fmt.Sprint(c.MinInstances))
	}
	if c.MaxInstances > 0 {
		args = append(args, "--max-instances", fmt.Sprint(c.MaxInstances))
	}
	return strings.Join(args, " ")
}

// restoreRevision names the revision a rollback creates: SERVICE-GGGGG-restore
// with the generation the update will have.
func restoreRevision(resource string, st *inventory.ConsumerState) string {
	name := fmt.Sprintf("%s-%05d-restore", segLast(resource), st.Generation+1)
	if len(name) > maxRevisionName {
		name = strings.TrimRight(name[:maxRevisionName], "-")
	}
	return name
}
