package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// A dry run says, step by step, exactly what a run would change. It reads
// the live state (to say what is already done and to name the revisions
// and etags it would use) and changes nothing.

func describeVPC(v inventory.VPCConfig) string {
	if v.Interface != nil {
		tags := ""
		if len(v.Interface.Tags) > 0 {
			tags = ", tags: [" + strings.Join(v.Interface.Tags, ", ") + "]"
		}
		return fmt.Sprintf("{networkInterfaces: [{network: %s, subnetwork: %s%s}], egress: %s}", v.Interface.Network, v.Interface.Subnetwork, tags, v.Egress)
	}
	if v.Connector != "" {
		return fmt.Sprintf("{connector: %s, egress: %s}", v.Connector, v.Egress)
	}
	return "{}"
}

// describe reports what a step would do (StatusPlanned), that it is done
// (StatusAlreadyDone) or that it would be skipped (StatusSkipped).
func (r *run) describe(ctx context.Context, s *Step) (StepStatus, string, []string) {
	var d []string
	add := func(format string, args ...any) { d = append(d, fmt.Sprintf(format, args...)) }
	planned := func(msg string) (StepStatus, string, []string) { return StatusPlanned, msg, d }
	readErr := func(err error) (StepStatus, string, []string) {
		add("(the live state could not be read: %v)", err)
		return StatusPlanned, "would run; live state unknown", d
	}
	switch s.Action {
	case ActionCheck:
		if r.journaledDone(s) {
			return StatusAlreadyDone, "checked in an earlier run", nil
		}
		var kinds []string
		for _, c := range append(append([]Check(nil), s.Preconditions...), s.Verify...) {
			kinds = append(kinds, string(c.Kind))
		}
		add("check (read-only): %s", strings.Join(kinds, ", "))
		if hasCheck(s.Verify, CheckNoBlocker) || hasCheck(s.Preconditions, CheckNoBlocker) {
			if r.plan.Stopped() {
				add("a blocker stops the plan: every stage past preflight waits for it")
			}
		}
		return planned("would check")
	case ActionValidate:
		if r.journaledDone(s) {
			return StatusAlreadyDone, "validated in an earlier run", nil
		}
		add("validate_only update of %s %s to vpcAccess %s (nothing is changed)", s.Kind, s.Resource, describeVPC(targetVPC(s)))
		return planned("would validate the target configuration")
	case ActionManual:
		if r.journaledDone(s) {
			return StatusAlreadyDone, "confirmed in an earlier run", nil
		}
		if s.Params.Instructions != "" {
			add("%s", s.Params.Instructions)
		}
		for _, c := range s.Params.Commands {
			add("$ %s", c)
		}
		if r.e.Confirm == nil {
			return StatusSkipped, "a person must do this and confirm it (on a terminal); the steps that need it wait", d
		}
		return planned("would ask whether this has been done")
	case ActionSoak:
		if r.journaledDone(s) {
			return StatusAlreadyDone, "soaked in an earlier run", nil
		}
		wait := s.Params.Wait.Std()
		if wait == 0 {
			wait = r.plan.Options.DecommissionSoak.Std()
		}
		switch {
		case r.e.DecommissionSoak < 0:
			wait = 0
		case r.e.DecommissionSoak > 0:
			wait = r.e.DecommissionSoak
		}
		add("wait until %s has passed since the last of %s finished (the journal counts it: a later run does not wait again)", wait, strings.Join(s.DependsOn, ", "))
		return planned(fmt.Sprintf("would wait %s", wait))
	case ActionSetPGA:
		project, region, name := subnetRef(s)
		add("set privateIpGoogleAccess=true on projects/%s/regions/%s/subnetworks/%s", project, region, name)
		sn, err := r.e.Target.Subnet(ctx, project, region, name)
		if err != nil {
			return readErr(err)
		}
		if sn.PrivateIPGoogleAccess {
			return StatusAlreadyDone, "Private Google Access is already on", d
		}
		return planned("would turn Private Google Access on")
	case ActionCreateRoute:
		project := firstNonBlank(s.Project, segAfter(s.Resource, "projects"))
		name := firstNonBlank(s.Params.RouteName, segLast(s.Resource))
		prio := s.Params.Priority
		if prio == 0 {
			prio = 1000
		}
		add("create route %s in project %s: %s → default-internet-gateway on network %s, priority %d", name, project, s.Params.DestRange, segLast(s.Params.Network), prio)
		routes, err := r.e.Target.Routes(ctx, project)
		if err != nil {
			return readErr(err)
		}
		for _, rt := range routes {
			if rt.Name == name {
				return StatusAlreadyDone, "the route exists", d
			}
		}
		return planned("would create the route")
	case ActionCreateZone:
		project := firstNonBlank(s.Project, segAfter(s.Resource, "projects"))
		name := firstNonBlank(s.Params.ZoneName, segLast(s.Resource))
		add("create private DNS zone %s (%s) in project %s, visible to %s", name, firstNonBlank(s.Params.DNSName, "run.app."), project, strings.Join(s.Params.Networks, ", "))
		for _, rec := range s.Params.Records {
			add("  record %s %s %d %s", rec.Name, rec.Type, rec.TTL, strings.Join(rec.RRDatas, ","))
		}
		zones, err := r.e.Target.Zones(ctx, project)
		if err != nil {
			return readErr(err)
		}
		for i := range zones {
			if zones[i].Name == name && hasRecords(&zones[i], s.Params.Records) {
				return StatusAlreadyDone, "the zone exists with its records", d
			}
		}
		return planned("would create the zone")
	case ActionDeployRevision:
		st, err := r.e.Target.Consumer(ctx, inventory.KindService, s.Resource)
		target := targetVPC(s)
		tag := r.tagOf(s)
		if err != nil {
			add("update service %s: template.vpcAccess = %s, as a new revision with 0%% under tag %s", s.Resource, describeVPC(target), tag)
			return readErr(err)
		}
		if onTarget(st.VPC, target) && st.Ready {
			add("service %s is on %s", s.Resource, describeVPC(st.VPC))
			return StatusAlreadyDone, "already deployed", d
		}
		rev, _ := chooseRevision(r.records(), s, st, revisionBase(s, st, tag))
		traffic := append(pinTraffic(st, tag), inventory.TrafficTarget{Type: "REVISION", Revision: rev, Percent: 0, Tag: tag})
		if len(s.Params.Traffic) > 0 {
			traffic = renameRevision(s.Params.Traffic, s.Params.Revision, rev)
		}
		add("update service %s (etag %s): template.vpcAccess %s → %s", s.Resource, st.Etag, describeVPC(st.VPC), describeVPC(target))
		add("new revision %s; traffic: %s", rev, describeTraffic(traffic))
		add("wait until %s is Ready; a revision that does not become ready is rolled back", rev)
		if s.Params.Etag != "" && st.Etag != s.Params.Etag && !r.state().knownEtag(s.Resource, st.Etag) {
			add("! the service changed since the plan was made (etag %s, planned %s): the step would stop", st.Etag, s.Params.Etag)
		}
		return planned("would deploy " + rev + " with no traffic")
	case ActionShiftTraffic:
		p := s.Params.Percent
		tag := r.tagOf(s)
		st, err := r.e.Target.Consumer(ctx, inventory.KindService, s.Resource)
		target := targetVPC(s)
		if d := r.deployStepOf(s); d != nil && s.Params.Network == "" && s.Params.Subnetwork == "" {
			target = targetVPC(d)
		}
		rev := firstNonBlank(s.Params.Revision, "the new revision")
		if err == nil {
			if got := r.canaryRevision(s, st, target); got != "" {
				rev = got
			}
			if got := st.TrafficByRevision[rev]; got >= p && onTarget(st.VPC, target) {
				add("%s serves %d%%", rev, got)
				return StatusAlreadyDone, fmt.Sprintf("%s already serves %d%%", rev, got), d
			}
		}
		add("set the traffic of %s: %s", s.Resource, describeTraffic(r.shiftTraffic(s, rev, tag, p)))
		soak := r.e.canarySoak(r.plan, s)
		if p < 100 || hasCheck(s.Verify, CheckRevisionHealthy) {
			add("watch for %s, then compare %s's 5xx ratio with %s's (allowed: +%.2f points); a worse one routes 100%% back and stops",
				soak, rev, firstNonBlank(r.previousRevision(s), "the previous revision"), r.e.threshold()*100)
			add("no monitoring data: ask (on a terminal), go on with --accept-no-metrics, else stop")
		}
		if err != nil {
			return readErr(err)
		}
		return planned(fmt.Sprintf("would move %d%% of the traffic to %s", p, rev))
	case ActionUpdateJob, ActionUpdateWorkerPool, ActionUpdateFunction:
		kind := inventory.ConsumerKind(s.Kind)
		target := targetVPC(s)
		st, err := r.e.Target.Consumer(ctx, kind, s.Resource)
		if err != nil {
			add("update %s %s: vpcAccess = %s", s.Kind, s.Resource, describeVPC(target))
			return readErr(err)
		}
		if onTarget(st.VPC, target) && st.Ready {
			return StatusAlreadyDone, "already on Direct VPC egress", d
		}
		add("update %s %s (etag %s): vpcAccess %s → %s", s.Kind, s.Resource, st.Etag, describeVPC(st.VPC), describeVPC(target))
		return planned("would move it to Direct VPC egress")
	case ActionDeleteConnector:
		id := firstNonBlank(s.Params.Connector, s.Resource)
		add("read every service, job, worker pool, function and App Engine version in %s afresh; if none uses %s, delete it (a deleted connector cannot be restored)",
			strings.Join(r.connectorProjects(s), ", "), id)
		if _, err := r.e.Target.Connector(ctx, id); errors.Is(err, inventory.ErrNotFound) {
			return StatusAlreadyDone, "the connector is gone", d
		} else if err != nil {
			return readErr(err)
		}
		return planned("would delete the connector if nothing uses it")
	case ActionRemoveNAT, ActionRemoveNATSubnets:
		project, region, router, nat := natRef(s)
		if s.Action == ActionRemoveNAT {
			add("remove Cloud NAT %s from router %s (%s, %s); its configuration is journaled so that rollback can restore it", nat, router, region, project)
		} else {
			add("take %s out of Cloud NAT %s on router %s (%s, %s)", strings.Join(s.Params.RemoveSubnets, ", "), nat, router, region, project)
		}
		if _, err := r.e.Target.NAT(ctx, project, region, router, nat); errors.Is(err, inventory.ErrNotFound) {
			return StatusAlreadyDone, "the gateway is gone", d
		} else if err != nil {
			return readErr(err)
		}
		if !r.e.AllowNATRemoval {
			return StatusSkipped, "Cloud NAT changes need --allow-nat-removal", d
		}
		return planned("would change Cloud NAT " + nat)
	}
	return StatusSkipped, "unknown action " + string(s.Action), nil
}

// describeConsumerRollback says what rolling a consumer back would do.
func (r *run) describeConsumerRollback(ctx context.Context, s *Step) (string, []string) {
	pre := firstConsumerPre(r.records(), s.Resource)
	if pre == nil {
		return "nothing to undo", nil
	}
	var d []string
	st, err := r.e.Target.Consumer(ctx, inventory.ConsumerKind(s.Kind), s.Resource)
	if err == nil {
		d = append(d, "now: vpcAccess "+describeVPC(st.VPC)+"; traffic "+describeTraffic(st.Traffic))
		if !r.state().knownEtag(s.Resource, st.Etag) {
			d = append(d, "! it changed since vpcshift last changed it: the rollback would leave it alone")
		}
	}
	if s.Kind == string(inventory.KindService) {
		d = append(d, "route traffic back to "+describeTraffic(pinTraffic(pre, "")))
	}
	d = append(d, "restore vpcAccess "+describeVPC(pre.VPC))
	if s.Kind == string(inventory.KindService) {
		d = append(d, "restore the traffic split "+describeTraffic(pre.Traffic))
	}
	return "would put " + s.Resource + " back as it was", d
}
