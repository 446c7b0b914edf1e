package migrate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// The actions other than the service canary (executor_service.go): each
// reads the live state, returns "already done" when the result is there,
// checks its preconditions, journals its intent with the pre-image, makes
// the change (retrying what is retryable), verifies it and journals the
// outcome.

// fail journals a failed outcome and returns the error.
func (r *run) fail(s *Step, err error) (StepStatus, string, error) {
	return r.failAfter(s, err, nil)
}

// failAfter journals a failed outcome of a step that changed something
// (post holds the etag the change left, so that a rollback knows it for
// vpcshift's own).
func (r *run) failAfter(s *Step, err error, post *PostImage) (StepStatus, string, error) {
	if jerr := r.outcome(s, StatusFailed, post, err.Error()); jerr != nil {
		err = errors.Join(err, jerr)
	}
	return StatusFailed, "", err
}

// succeed journals a successful outcome.
func (r *run) succeed(s *Step, post *PostImage, msg string) (StepStatus, string, error) {
	if err := r.outcome(s, StatusSucceeded, post, msg); err != nil {
		return StatusFailed, "", err
	}
	return StatusSucceeded, msg, nil
}

// records is the journal now (this run's records included).
func (r *run) records() []Record {
	if r.e.Journal != nil {
		return r.e.Journal.Records()
	}
	return r.e.History
}

func (r *run) state() *journalState { return stateOf(r.records()) }

// journaledDone reports whether the journal shows a step done (for steps
// whose result cannot be read back live: checks, confirmations, soaks).
func (r *run) journaledDone(s *Step) bool {
	return r.hist.status(s.ID).done()
}

func (r *run) readConsumer(ctx context.Context, s *Step, kind inventory.ConsumerKind, id string) (*inventory.ConsumerState, error) {
	var st *inventory.ConsumerState
	err := r.retry(ctx, s, "reading "+id, func() error {
		var err error
		st, err = r.e.Target.Consumer(ctx, kind, id)
		return err
	})
	return st, err
}

// targetVPC is the Direct VPC egress a consumer step moves to.
func targetVPC(s *Step) inventory.VPCConfig {
	eg := s.Params.Egress
	if eg == "" {
		eg = inventory.EgressPrivateRangesOnly
	}
	return inventory.VPCConfig{
		Interface: &inventory.NetworkInterface{Network: s.Params.Network, Subnetwork: s.Params.Subnetwork, Tags: append([]string(nil), s.Params.NetworkTags...)},
		Egress:    eg,
	}
}

// sameRef compares two resource references that may be names, resource
// names or URLs.
func sameRef(a, b string) bool {
	a, b = trimCompute(a), trimCompute(b)
	if a == b {
		return true
	}
	if a == "" || b == "" {
		return false
	}
	if !strings.Contains(a, "/") || !strings.Contains(b, "/") {
		return segLast(a) == segLast(b)
	}
	// projects/NUMBER vs projects/ID: same name and location is taken as
	// the same (the etag check guards against anything else).
	return segLast(a) == segLast(b) && segAfter(a, "regions")+segAfter(a, "locations") == segAfter(b, "regions")+segAfter(b, "locations")
}

// onTarget reports whether a consumer's VPC access is the target one.
func onTarget(v, t inventory.VPCConfig) bool {
	if v.Connector != "" || v.Interface == nil || t.Interface == nil {
		return false
	}
	if v.Egress != t.Egress {
		return false
	}
	if t.Interface.Subnetwork != "" && !sameRef(v.Interface.Subnetwork, t.Interface.Subnetwork) {
		return false
	}
	if t.Interface.Network != "" && v.Interface.Network != "" && !sameRef(v.Interface.Network, t.Interface.Network) {
		return false
	}
	return true
}

func sameVPC(a, b inventory.VPCConfig) bool {
	if a.Egress != b.Egress || (a.Connector == "") != (b.Connector == "") || (a.Interface == nil) != (b.Interface == nil) {
		return false
	}
	if a.Connector != "" && !sameRef(a.Connector, b.Connector) {
		return false
	}
	if a.Interface != nil {
		if !sameRef(a.Interface.Subnetwork, b.Interface.Subnetwork) && !(a.Interface.Subnetwork == "" && b.Interface.Subnetwork == "") {
			return false
		}
	}
	return true
}

// checkEtag is the read-modify-write guard: the consumer must still be as
// the plan saw it, or as vpcshift itself left it.
func (r *run) checkEtag(s *Step, st *inventory.ConsumerState) error {
	if s.Params.Etag == "" || st.Etag == s.Params.Etag || r.state().knownEtag(s.Resource, st.Etag) {
		return nil
	}
	return fmt.Errorf("%w: %s changed since the plan was made (etag %s, planned %s, generation %d); vpcshift leaves it alone",
		inventory.ErrConflict, s.Resource, st.Etag, s.Params.Etag, st.Generation)
}

// doUpdateConsumer moves a job, worker pool or gen2 function.
func (r *run) doUpdateConsumer(ctx context.Context, s *Step) (StepStatus, string, error) {
	kind := inventory.ConsumerKind(s.Kind)
	st, err := r.readConsumer(ctx, s, kind, s.Resource)
	if err != nil {
		return r.fail(s, err)
	}
	target := targetVPC(s)
	if onTarget(st.VPC, target) && st.Ready {
		return r.alreadyDone(s, &PostImage{Etag: st.Etag}, "already on Direct VPC egress")
	}
	if err := r.checkEtag(s, st); err != nil {
		return r.fail(s, err)
	}
	if st.VPC.Connector == "" && st.VPC.Interface == nil {
		return r.fail(s, &preconditionError{CheckEtagUnchanged, s.Resource + " has no VPC access now"})
	}
	if err := r.intent(s, &PreImage{Consumer: st}); err != nil {
		return StatusFailed, "", err
	}
	var post *inventory.ConsumerState
	err = r.retry(ctx, s, "updating "+s.Resource, func() error {
		var err error
		post, err = r.e.Target.UpdateConsumerVPC(ctx, kind, s.Resource, st.Etag, target, "", nil, false)
		return err
	})
	if err != nil {
		return r.failAfter(s, err, postOf(post))
	}
	if post == nil || !onTarget(post.VPC, target) || !post.Ready {
		msg := "the consumer is not on the target configuration after the update"
		if post != nil && post.Message != "" {
			msg += ": " + post.Message
		}
		return r.failAfter(s, &verifyError{CheckConsumerMoved, msg}, postOf(post))
	}
	return r.succeed(s, &PostImage{Etag: post.Etag}, fmt.Sprintf("on Direct VPC egress (%s, %s)", segLast(target.Interface.Subnetwork), target.Egress))
}

// doValidate asks the API to check the target configuration (validate_only).
func (r *run) doValidate(ctx context.Context, s *Step) (StepStatus, string, error) {
	if r.journaledDone(s) {
		return StatusAlreadyDone, "validated in an earlier run", nil
	}
	kind := inventory.ConsumerKind(s.Kind)
	err := r.retry(ctx, s, "validating "+s.Resource, func() error {
		_, err := r.e.Target.UpdateConsumerVPC(ctx, kind, s.Resource, "", targetVPC(s), "", nil, true)
		return err
	})
	if errors.Is(err, inventory.ErrInvalid) {
		err = &preconditionError{CheckValidateAccepted, "the API refuses the target configuration: " + err.Error()}
	}
	if err != nil {
		return r.fail(s, err)
	}
	return r.succeed(s, nil, "the API accepts the target configuration")
}

// doCheck runs a preflight check's read-only checks.
func (r *run) doCheck(ctx context.Context, s *Step) (StepStatus, string, error) {
	if r.journaledDone(s) {
		return StatusAlreadyDone, "checked in an earlier run", nil
	}
	var passed, unchecked []string
	for _, c := range append(append([]Check(nil), s.Preconditions...), s.Verify...) {
		ok, err := r.evalCheck(ctx, s, c)
		if err != nil {
			return r.fail(s, err)
		}
		if ok {
			passed = append(passed, string(c.Kind))
		} else {
			unchecked = append(unchecked, string(c.Kind))
		}
	}
	msg := "ok"
	if len(passed) > 0 {
		msg = "ok: " + strings.Join(passed, ", ")
	}
	if len(unchecked) > 0 {
		msg += " (not checked automatically: " + strings.Join(unchecked, ", ") + ")"
	}
	return r.succeed(s, nil, msg)
}

// evalCheck evaluates one read-only check: ok false means it is not one
// the executor can check by itself; an error means it failed.
func (r *run) evalCheck(ctx context.Context, s *Step, c Check) (bool, error) {
	switch c.Kind {
	case CheckNoBlocker:
		if r.plan.Stopped() {
			return true, &preconditionError{c.Kind, (&BlockedError{Blockers: r.plan.Blockers}).Error()}
		}
		return true, nil
	case CheckEtagUnchanged, CheckTrafficOneRevision:
		if !consumerKindSet[s.Kind] || s.Resource == "" {
			return false, nil
		}
		st, err := r.readConsumer(ctx, s, inventory.ConsumerKind(s.Kind), s.Resource)
		if err != nil {
			return true, err
		}
		if c.Kind == CheckEtagUnchanged {
			return true, r.checkEtag(s, st)
		}
		if s.Params.PreviousRevision != "" && st.TrafficByRevision[s.Params.PreviousRevision] != 100 {
			return true, &preconditionError{c.Kind, fmt.Sprintf("%s: %s does not serve 100%% of the traffic (%v)", s.Resource, s.Params.PreviousRevision, st.TrafficByRevision)}
		}
		return true, nil
	case CheckValidateAccepted:
		if !consumerKindSet[s.Kind] || s.Resource == "" {
			return false, nil
		}
		err := r.retry(ctx, s, "validating "+s.Resource, func() error {
			_, err := r.e.Target.UpdateConsumerVPC(ctx, inventory.ConsumerKind(s.Kind), s.Resource, "", targetVPC(s), "", nil, true)
			return err
		})
		if errors.Is(err, inventory.ErrInvalid) {
			return true, &preconditionError{c.Kind, "the API refuses the target configuration: " + err.Error()}
		}
		return true, err
	}
	return false, nil
}

// doManual stops at a step a person must do: done when they confirm it.
func (r *run) doManual(ctx context.Context, s *Step) (StepStatus, string, error) {
	if r.journaledDone(s) {
		return StatusAlreadyDone, "confirmed in an earlier run", nil
	}
	for _, id := range r.opts.ManualDone {
		if id == s.ID {
			return r.succeed(s, nil, "marked done (--done)")
		}
	}
	details := []string{}
	if s.Params.Instructions != "" {
		details = append(details, s.Params.Instructions)
	}
	details = append(details, s.Params.Commands...)
	if r.e.Confirm == nil {
		msg := "a person must do this: " + firstNonBlank(s.Title, s.ID) + "; once done, run apply again with --done " + s.ID + " (or on a terminal, to be asked)"
		r.note(s.ID + ": " + msg)
		return StatusSkipped, msg, nil
	}
	ok, err := r.confirm(ctx, Prompt{Kind: PromptManual, Stage: r.stageOf[s.ID], Step: s.ID, Question: "Has this been done: " + firstNonBlank(s.Title, s.ID) + "?", Details: details})
	if err != nil {
		return r.fail(s, err)
	}
	if !ok {
		return StatusSkipped, "not confirmed: the steps that need it wait", nil
	}
	return r.succeed(s, nil, "confirmed by a person")
}

func firstNonBlank(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// doSoak waits until long enough has passed since the steps it depends on
// finished (counted from the journal: a later run does not wait again).
func (r *run) doSoak(ctx context.Context, s *Step) (StepStatus, string, error) {
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
	now := r.e.Now()
	var last time.Time
	for _, d := range s.DependsOn {
		if t, ok := r.depFinished(d); ok && t.After(last) {
			last = t
		}
	}
	if last.IsZero() {
		last = now
	}
	until := last.Add(wait)
	if remaining := until.Sub(now); remaining > 0 {
		r.emit(r.stepEvent(EventStepProgress, s, fmt.Sprintf("waiting %s (until %s) before going on", remaining.Round(time.Second), until.UTC().Format(time.RFC3339))))
		if err := r.e.Sleep(ctx, remaining); err != nil {
			return r.fail(s, err)
		}
	}
	return r.succeed(s, nil, fmt.Sprintf("%s since the last consumer moved", wait))
}

// subnetRef resolves the subnet a step names.
func subnetRef(s *Step) (project, region, name string) {
	ref := s.Params.Subnet
	if ref == "" {
		ref = s.Resource
	}
	if strings.Contains(ref, "/") {
		ref = trimCompute(ref)
		return segAfter(ref, "projects"), segAfter(ref, "regions"), segLast(ref)
	}
	project, region = s.Project, s.Region
	if project == "" {
		project = segAfter(s.Resource, "projects")
	}
	if region == "" {
		region = segAfter(s.Resource, "regions")
	}
	return project, region, ref
}

// doSetPGA turns Private Google Access on.
func (r *run) doSetPGA(ctx context.Context, s *Step) (StepStatus, string, error) {
	project, region, name := subnetRef(s)
	read := func() (*inventory.Subnet, error) {
		var sn *inventory.Subnet
		err := r.retry(ctx, s, "reading subnet "+name, func() error {
			var err error
			sn, err = r.e.Target.Subnet(ctx, project, region, name)
			return err
		})
		return sn, err
	}
	sn, err := read()
	if err != nil {
		return r.fail(s, err)
	}
	if sn.PrivateIPGoogleAccess {
		return r.alreadyDone(s, nil, "Private Google Access is on")
	}
	off := false
	if err := r.intent(s, &PreImage{PrivateIPGoogleAccess: &off}); err != nil {
		return StatusFailed, "", err
	}
	if err := r.retry(ctx, s, "setting Private Google Access", func() error {
		return r.e.Target.SetPrivateGoogleAccess(ctx, project, region, name, true)
	}); err != nil {
		return r.fail(s, err)
	}
	if sn, err = read(); err != nil {
		return r.fail(s, err)
	}
	if !sn.PrivateIPGoogleAccess {
		return r.fail(s, &verifyError{CheckSubnetPGA, "Private Google Access is still off on " + name})
	}
	return r.succeed(s, nil, "Private Google Access turned on")
}

// doCreateRoute adds the route to 199.36.153.8/30.
func (r *run) doCreateRoute(ctx context.Context, s *Step) (StepStatus, string, error) {
	project := firstNonBlank(s.Project, segAfter(s.Resource, "projects"))
	name := firstNonBlank(s.Params.RouteName, segLast(s.Resource))
	find := func() (*inventory.Route, error) {
		var routes []inventory.Route
		err := r.retry(ctx, s, "listing routes", func() error {
			var err error
			routes, err = r.e.Target.Routes(ctx, project)
			return err
		})
		if err != nil {
			return nil, err
		}
		for i := range routes {
			if routes[i].Name == name {
				return &routes[i], nil
			}
		}
		return nil, nil
	}
	rt, err := find()
	if err != nil {
		return r.fail(s, err)
	}
	if rt != nil {
		if s.Params.DestRange != "" && rt.DestRange != s.Params.DestRange {
			return r.fail(s, &preconditionError{CheckRouteExists, fmt.Sprintf("a route named %s already exists for %s, not %s", name, rt.DestRange, s.Params.DestRange)})
		}
		return r.alreadyDone(s, nil, "the route exists")
	}
	no := false
	if err := r.intent(s, &PreImage{RouteExisted: &no}); err != nil {
		return StatusFailed, "", err
	}
	prio := s.Params.Priority
	if prio == 0 {
		prio = 1000
	}
	route := inventory.Route{Name: name, Network: segLast(s.Params.Network), DestRange: s.Params.DestRange, Priority: prio}
	err = r.retry(ctx, s, "creating route "+name, func() error { return r.e.Target.CreateRoute(ctx, project, route) })
	if err != nil && !errors.Is(err, inventory.ErrConflict) {
		return r.fail(s, err)
	}
	if rt, err = find(); err != nil {
		return r.fail(s, err)
	}
	if rt == nil {
		return r.fail(s, &verifyError{CheckRouteExists, "route " + name + " is not there after creating it"})
	}
	return r.succeed(s, nil, fmt.Sprintf("route %s: %s via the default internet gateway", name, route.DestRange))
}

func hasRecords(z *inventory.DNSZone, want []inventory.DNSRecord) bool {
	for _, w := range want {
		found := false
		for _, h := range z.Records {
			if h.Name == w.Name && h.Type == w.Type && sameSet(h.RRDatas, w.RRDatas) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	for i := range x {
		if !strings.EqualFold(strings.TrimSuffix(x[i], "."), strings.TrimSuffix(y[i], ".")) {
			return false
		}
	}
	return true
}

func shareNetwork(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// doCreateZone creates the private run.app. zone with its records.
func (r *run) doCreateZone(ctx context.Context, s *Step) (StepStatus, string, error) {
	project := firstNonBlank(s.Project, segAfter(s.Resource, "projects"))
	name := firstNonBlank(s.Params.ZoneName, segLast(s.Resource))
	dnsName := firstNonBlank(s.Params.DNSName, "run.app.")
	list := func() ([]inventory.DNSZone, error) {
		var zones []inventory.DNSZone
		err := r.retry(ctx, s, "listing DNS zones", func() error {
			var err error
			zones, err = r.e.Target.Zones(ctx, project)
			return err
		})
		return zones, err
	}
	zones, err := list()
	if err != nil {
		return r.fail(s, err)
	}
	var mine *inventory.DNSZone
	for i := range zones {
		z := &zones[i]
		if z.Name == name {
			mine = z
			continue
		}
		if z.Visibility != "" && z.Visibility != "private" {
			continue
		}
		if (z.DNSName == dnsName || strings.HasSuffix(z.DNSName, "."+dnsName)) && shareNetwork(z.Networks, s.Params.Networks) {
			return r.fail(s, &preconditionError{CheckZoneAbsent, fmt.Sprintf("zone %s (%s) already answers for %s on %s", z.Name, z.DNSName, dnsName, strings.Join(z.Networks, ", "))})
		}
	}
	if mine != nil && mine.DNSName != dnsName {
		return r.fail(s, &preconditionError{CheckZoneAbsent, fmt.Sprintf("a zone named %s exists for %s, not %s", name, mine.DNSName, dnsName)})
	}
	if mine != nil && hasRecords(mine, s.Params.Records) {
		return r.alreadyDone(s, nil, "the zone exists with its records")
	}
	existed := mine != nil
	if err := r.intent(s, &PreImage{ZoneExisted: &existed}); err != nil {
		return StatusFailed, "", err
	}
	z := inventory.DNSZone{Name: name, DNSName: dnsName, Visibility: "private", Networks: s.Params.Networks, Records: s.Params.Records}
	if err := r.retry(ctx, s, "creating DNS zone "+name, func() error {
		return r.e.Target.CreateZone(ctx, project, z, firstNonBlank(s.Params.Description, "vpcshift"))
	}); err != nil {
		return r.fail(s, err)
	}
	if zones, err = list(); err != nil {
		return r.fail(s, err)
	}
	for i := range zones {
		if zones[i].Name == name && hasRecords(&zones[i], s.Params.Records) {
			return r.succeed(s, nil, fmt.Sprintf("zone %s (%s) with %d record(s)", name, dnsName, len(s.Params.Records)))
		}
	}
	return r.fail(s, &verifyError{CheckZoneResolves, "zone " + name + " does not hold its records after creating it"})
}

func (r *run) connectorProjects(s *Step) []string {
	switch {
	case len(s.Params.Projects) > 0:
		return s.Params.Projects
	case len(r.e.Projects) > 0:
		return r.e.Projects
	}
	return r.plan.Source.Projects
}

// doDeleteConnector deletes a connector once a fresh read of every
// consumer kind in every project in scope finds no user.
func (r *run) doDeleteConnector(ctx context.Context, s *Step) (StepStatus, string, error) {
	id := firstNonBlank(s.Params.Connector, s.Resource)
	var conn *inventory.Connector
	err := r.retry(ctx, s, "reading connector", func() error {
		var err error
		conn, err = r.e.Target.Connector(ctx, id)
		return err
	})
	if errors.Is(err, inventory.ErrNotFound) {
		return r.alreadyDone(s, nil, "the connector is gone")
	}
	if err != nil {
		return r.fail(s, err)
	}
	var users []string
	err = r.retry(ctx, s, "looking for the connector's users", func() error {
		var err error
		users, err = r.e.Target.ConnectorUsers(ctx, id, r.connectorProjects(s))
		return err
	})
	if err != nil {
		return r.fail(s, &preconditionError{CheckConnectorUnused, err.Error()})
	}
	if len(users) > 0 {
		return r.fail(s, &preconditionError{CheckConnectorUnused, fmt.Sprintf("connector %s is still used by %s", id, strings.Join(users, ", "))})
	}
	if err := r.intent(s, &PreImage{Connector: conn}); err != nil {
		return StatusFailed, "", err
	}
	err = r.retry(ctx, s, "deleting connector", func() error { return r.e.Target.DeleteConnector(ctx, id) })
	if err != nil && !errors.Is(err, inventory.ErrNotFound) {
		return r.fail(s, err)
	}
	err = r.retry(ctx, s, "reading connector", func() error {
		_, err := r.e.Target.Connector(ctx, id)
		return err
	})
	if !errors.Is(err, inventory.ErrNotFound) {
		if err == nil {
			err = &verifyError{CheckConnectorGone, "connector " + id + " still exists after deleting it"}
		}
		return r.fail(s, err)
	}
	return r.succeed(s, nil, "connector deleted")
}

// natRef resolves the NAT gateway a step names.
func natRef(s *Step) (project, region, router, nat string) {
	project = firstNonBlank(s.Project, segAfter(s.Resource, "projects"))
	region = firstNonBlank(s.Region, segAfter(s.Resource, "regions"))
	router = firstNonBlank(s.Params.Router, segAfter(s.Resource, "routers"))
	nat = firstNonBlank(s.Params.NAT, segAfter(s.Resource, "nats"))
	return
}

func natID(project, region, router, nat string) string {
	return "projects/" + project + "/regions/" + region + "/routers/" + router + "/nats/" + nat
}

// doNAT removes a Cloud NAT gateway, or takes subnets out of one, when
// --allow-nat-removal allows it.
func (r *run) doNAT(ctx context.Context, s *Step) (StepStatus, string, error) {
	project, region, router, nat := natRef(s)
	var cfg *inventory.NATConfig
	err := r.retry(ctx, s, "reading Cloud NAT "+nat, func() error {
		var err error
		cfg, err = r.e.Target.NAT(ctx, project, region, router, nat)
		return err
	})
	if errors.Is(err, inventory.ErrNotFound) {
		return r.alreadyDone(s, nil, "the gateway is gone")
	}
	if err != nil {
		return r.fail(s, err)
	}
	if s.Action == ActionRemoveNATSubnets {
		left := false
		for _, sn := range s.Params.RemoveSubnets {
			for _, have := range cfg.Subnetworks {
				if have == segLast(sn) {
					left = true
				}
			}
		}
		if !left {
			return r.alreadyDone(s, nil, "the gateway no longer serves those subnets")
		}
	}
	if !r.e.AllowNATRemoval {
		msg := "Cloud NAT changes need --allow-nat-removal (" + firstNonBlank(s.Title, string(s.Action)+" "+nat) + ")"
		r.note(s.ID + ": " + msg)
		return StatusSkipped, msg, nil
	}
	// The gateway must be as the plan saw it (unless this plan already
	// changed it).
	id := natID(project, region, router, nat)
	if h := r.state(); !natTouched(h, r.plan, id) {
		for _, rv := range r.plan.Source.Resources {
			if rv.ID != id {
				continue
			}
			snap := inventory.Snapshot{NATs: []inventory.NAT{{ID: id, SourceSubnetworkIPRangesToNat: cfg.SourceSubnetworkIPRangesToNat, Subnetworks: cfg.Subnetworks}}}
			if now := snap.Versions()[0].Version; now != rv.Version {
				return r.fail(s, &preconditionError{CheckNATUnneeded, fmt.Sprintf("Cloud NAT %s changed since the plan was made (%q, planned %q)", nat, now, rv.Version)})
			}
		}
	}
	if err := r.intent(s, &PreImage{NAT: cfg}); err != nil {
		return StatusFailed, "", err
	}
	err = r.retry(ctx, s, string(s.Action)+" "+nat, func() error {
		if s.Action == ActionRemoveNAT {
			return r.e.Target.RemoveNAT(ctx, project, region, router, nat)
		}
		var names []string
		for _, sn := range s.Params.RemoveSubnets {
			names = append(names, segLast(sn))
		}
		return r.e.Target.RemoveNATSubnets(ctx, project, region, router, nat, names)
	})
	if err != nil && !(s.Action == ActionRemoveNAT && errors.Is(err, inventory.ErrNotFound)) {
		return r.fail(s, err)
	}
	var after *inventory.NATConfig
	err = r.retry(ctx, s, "reading Cloud NAT "+nat, func() error {
		var err error
		after, err = r.e.Target.NAT(ctx, project, region, router, nat)
		return err
	})
	if s.Action == ActionRemoveNAT {
		if !errors.Is(err, inventory.ErrNotFound) {
			if err == nil {
				err = &verifyError{CheckNATChanged, "Cloud NAT " + nat + " still exists after removing it"}
			}
			return r.fail(s, err)
		}
		return r.succeed(s, nil, "Cloud NAT "+nat+" removed (its configuration is in the journal)")
	}
	if err != nil {
		return r.fail(s, err)
	}
	for _, sn := range s.Params.RemoveSubnets {
		for _, have := range after.Subnetworks {
			if have == segLast(sn) {
				return r.fail(s, &verifyError{CheckNATChanged, "Cloud NAT " + nat + " still serves " + have})
			}
		}
	}
	return r.succeed(s, nil, fmt.Sprintf("Cloud NAT %s no longer serves %s", nat, strings.Join(s.Params.RemoveSubnets, ", ")))
}

// natTouched reports whether a step of the plan already changed a NAT.
func natTouched(h *journalState, p *Plan, id string) bool {
	for _, st := range p.Stages {
		for i := range st.Steps {
			s := &st.Steps[i]
			if s.Action != ActionRemoveNAT && s.Action != ActionRemoveNATSubnets {
				continue
			}
			pr, rg, rt, n := natRef(s)
			if natID(pr, rg, rt, n) == id {
				if x := h.steps[s.ID]; x != nil && (x.Touched || x.Status.done()) {
					return true
				}
			}
		}
	}
	return false
}

// postOf is the post-image of a consumer state (nil for none).
func postOf(st *inventory.ConsumerState) *PostImage {
	if st == nil {
		return nil
	}
	return &PostImage{Etag: st.Etag}
}
