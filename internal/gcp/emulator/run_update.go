package emulator

// Shared update machinery of the Cloud Run emulator: merging a request into
// the stored resource, vpcAccess validation, revisions, traffic and
// conditions, and the long-running operation an update answers with.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Output-only fields: never taken from an update request.
var (
	serviceOutputFields = []string{
		"name", "uid", "generation", "create_time", "update_time", "delete_time", "expire_time",
		"creator", "last_modifier", "observed_generation", "terminal_condition", "conditions",
		"latest_ready_revision", "latest_created_revision", "traffic_statuses", "uri", "urls",
		"satisfies_pzs", "reconciling", "etag",
	}
	jobOutputFields = []string{
		"name", "uid", "generation", "create_time", "update_time", "delete_time", "expire_time",
		"creator", "last_modifier", "observed_generation", "terminal_condition", "conditions",
		"execution_count", "latest_created_execution", "satisfies_pzs", "reconciling", "etag",
	}
	workerPoolOutputFields = []string{
		"name", "uid", "generation", "create_time", "update_time", "delete_time", "expire_time",
		"creator", "last_modifier", "observed_generation", "terminal_condition", "conditions",
		"latest_ready_revision", "latest_created_revision", "instance_split_statuses",
		"satisfies_pzs", "reconciling", "etag",
	}
)

// runPlan is what an update would do, computed without side effects.
type runPlan struct {
	p       *Project
	idx     int
	ref     runRef
	cur     proto.Message // a copy of the stored resource
	next    proto.Message // the resource after the update
	rev     *runRevision  // the new revision, if the template changed
	opErr   *apiError     // how the operation ends (nil: with next)
	persist bool          // whether next (and rev) are stored
}

// runUpdate runs an update: plan (validation errors answer the call), then
// the operation fault, then commit; the answer is a long-running operation
// named projects/P/locations/R/operations/ID.
func (s *Server) runUpdate(method, name string, validateOnly bool, plan func() (*runPlan, *apiError)) (*longrunningpb.Operation, error) {
	s.mu.Lock()
	_, e := plan()
	s.mu.Unlock()
	if e != nil {
		return nil, e.grpcErr()
	}
	var fault *apiError
	if !validateOnly {
		fault = s.opFault(method, s.projectFromName(name))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pl, e := plan() // again: the state may have moved while unlocked
	if e != nil {
		return nil, e.grpcErr()
	}
	opName := fmt.Sprintf("projects/%s/locations/%s/operations/%s", pl.ref.given, pl.ref.location, runUID("operation/"+s.nextID("")))
	switch {
	case fault != nil:
		return s.newOperation(opName, pl.cur, nil, fault), nil
	case validateOnly:
		if !pl.persist {
			return s.newOperation(opName, pl.cur, nil, pl.opErr), nil
		}
		return s.newOperation(opName, pl.next, pl.next, nil), nil
	case !pl.persist:
		return s.newOperation(opName, pl.cur, nil, pl.opErr), nil
	}
	st := s.run()
	st.updates++
	switch v := pl.next.(type) {
	case *runpb.Service:
		pl.p.Services[pl.idx] = v
	case *runpb.Job:
		pl.p.Jobs[pl.idx] = v
	case *runpb.WorkerPool:
		pl.p.WorkerPools[pl.idx] = v
	}
	if pl.rev != nil {
		st.revisions[pl.ref.key()] = append(st.revisions[pl.ref.key()], pl.rev)
	}
	out := proto.Clone(pl.next)
	return s.newOperation(opName, out, out, pl.opErr), nil
}

func staleEtag(name string) *apiError {
	return aborted("The etag in the request does not match the current etag of %s: it has been modified since it was read. Get it again and retry the update.", name)
}

// mergeUpdate applies an update request to a copy of the stored resource:
// the fields of the mask (or every field without one), never the output-only
// fields.
func mergeUpdate(cur, in proto.Message, mask *fieldmaskpb.FieldMask, field string, outputs []string) (proto.Message, *apiError) {
	in = proto.Clone(in)
	var next proto.Message
	paths := mask.GetPaths()
	full := len(paths) == 0
	for _, p := range paths {
		if p == "*" {
			full = true
		}
	}
	if full {
		next = in
	} else {
		next = proto.Clone(cur)
		for _, path := range paths {
			if e := applyMaskPath(next.ProtoReflect(), in.ProtoReflect(), path); e != nil {
				return nil, e
			}
		}
	}
	copyNamedFields(next, proto.Clone(cur), outputs)
	return next, nil
}

func fieldByName(md protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	if f := md.Fields().ByName(protoreflect.Name(name)); f != nil {
		return f
	}
	return md.Fields().ByJSONName(name)
}

func applyMaskPath(dst, src protoreflect.Message, path string) *apiError {
	segs := strings.Split(path, ".")
	for i, seg := range segs {
		f := fieldByName(dst.Descriptor(), seg)
		if f == nil {
			return invalidArgument("Invalid update_mask path %q: no field %q in %s.", path, seg, dst.Descriptor().Name())
		}
		if i == len(segs)-1 {
			if src.Has(f) {
				dst.Set(f, src.Get(f))
			} else {
				dst.Clear(f)
			}
			return nil
		}
		if f.Kind() != protoreflect.MessageKind || f.IsList() || f.IsMap() {
			return invalidArgument("Invalid update_mask path %q: %q is not a message field.", path, seg)
		}
		dst = dst.Mutable(f).Message()
		src = src.Get(f).Message()
	}
	return nil
}

// copyNamedFields sets (or clears) the named fields of dst from src.
func copyNamedFields(dst, src proto.Message, names []string) {
	d, sm := dst.ProtoReflect(), src.ProtoReflect()
	for _, n := range names {
		f := d.Descriptor().Fields().ByName(protoreflect.Name(n))
		if f == nil {
			continue
		}
		if sm.Has(f) {
			d.Set(f, sm.Get(f))
		} else {
			d.Clear(f)
		}
	}
}

// copyCommonFields copies every set field of src that dst has under the
// same name and type (a template into a revision). src must be a copy.
func copyCommonFields(dst, src proto.Message, skip ...string) {
	d, sm := dst.ProtoReflect(), src.ProtoReflect()
	fields := sm.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		if slices.Contains(skip, string(f.Name())) || !sm.Has(f) {
			continue
		}
		g := d.Descriptor().Fields().ByName(f.Name())
		if g == nil || !sameFieldType(f, g) {
			continue
		}
		d.Set(g, sm.Get(f))
	}
}

func sameFieldType(f, g protoreflect.FieldDescriptor) bool {
	if f.Kind() != g.Kind() || f.Cardinality() != g.Cardinality() || f.IsMap() != g.IsMap() {
		return false
	}
	if f.IsMap() {
		return sameFieldType(f.MapKey(), g.MapKey()) && sameFieldType(f.MapValue(), g.MapValue())
	}
	switch f.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return f.Message().FullName() == g.Message().FullName()
	case protoreflect.EnumKind:
		return f.Enum().FullName() == g.Enum().FullName()
	}
	return true
}

// --- conditions and revisions -------------------------------------------------

func runCondition(typ string, ok bool, msg string, now time.Time) *runpb.Condition {
	c := &runpb.Condition{Type: typ, State: runpb.Condition_CONDITION_SUCCEEDED, LastTransitionTime: timestamppb.New(now)}
	if !ok {
		c.State = runpb.Condition_CONDITION_FAILED
		c.Severity = runpb.Condition_ERROR
		c.Message = msg
	}
	return c
}

// newRunRevision makes a revision of a service or worker pool from a copy
// of its template; failure != "" makes it fail to become ready.
func (s *Server) newRunRevision(owner, kind, short string, tmpl proto.Message, failure string) *runRevision {
	now := s.now()
	name := owner + "/revisions/" + short
	rev := &runpb.Revision{
		Name: name, Uid: runUID(name), Generation: 1, ObservedGeneration: 1,
		CreateTime: timestamppb.New(now), UpdateTime: timestamppb.New(now),
		Etag: runEtag(name, 1),
	}
	if parts := strings.Split(owner, "/"); len(parts) == 6 {
		resource := "cloud_run_revision/service_name/"
		if kind == "workerPools" {
			resource = "cloud_run_worker_pool_revision/worker_pool_name/"
		}
		rev.LogUri = fmt.Sprintf("https://console.cloud.google.com/logs/viewer?project=%s&resource=%s%s/revision_name/%s", parts[1], resource, parts[5], short)
	}
	if kind == "services" {
		rev.Service = owner
	}
	copyCommonFields(rev, proto.Clone(tmpl), "revision")
	ready := failure == ""
	rev.Conditions = []*runpb.Condition{
		runCondition("Ready", ready, failure, now),
		runCondition("ResourcesAvailable", ready, failure, now),
		runCondition("ContainerHealthy", true, "", now),
	}
	return &runRevision{rev: rev, template: tmpl, ready: ready}
}

// planRevision returns the revision an update creates: one when the
// template differs from the latest created revision's (or force), named
// template.revision or OWNER-GGGGG-xyz. Callers hold s.mu.
func (s *Server) planRevision(ref runRef, owner string, tmpl proto.Message, explicit string, force bool, gen int64, failure, field string) (*runRevision, *apiError) {
	revs := s.run().revisions[ref.key()]
	if !force && len(revs) > 0 && proto.Equal(revs[len(revs)-1].template, tmpl) {
		return nil, nil
	}
	exists := func(n string) bool {
		for _, r := range revs {
			if shortRevision(r.rev.Name) == n {
				return true
			}
		}
		return false
	}
	name := explicit
	if name != "" {
		if !strings.HasPrefix(name, ref.id+"-") {
			return nil, invalidArgument("Violation in %s: revision name %q must be prefixed by the name of the enclosing resource followed by '-' (%s-).", field, name, ref.id)
		}
		if exists(name) {
			return nil, alreadyExists("Revision named '%s' with different configuration already exists.", name)
		}
	} else {
		for attempt := 0; ; attempt++ {
			name = fmt.Sprintf("%s-%05d-%s", ref.id, gen, token(3, "revision", ref.key(), fmt.Sprint(gen), fmt.Sprint(attempt)))
			if !exists(name) {
				break
			}
		}
	}
	return s.newRunRevision(owner, ref.kind, name, proto.Clone(tmpl), failure), nil
}

// revisionIndex maps short revision names to revisions, with the new one.
func (s *Server) revisionIndex(ref runRef, rev *runRevision) map[string]*runRevision {
	out := map[string]*runRevision{}
	for _, r := range s.run().revisions[ref.key()] {
		out[shortRevision(r.rev.Name)] = r
	}
	if rev != nil {
		out[shortRevision(rev.rev.Name)] = rev
	}
	return out
}

// routeError says why traffic cannot go to a revision (nil: it can); the
// new revision's own failure is reported by the caller.
func routeError(revs map[string]*runRevision, name string, created *runRevision) *apiError {
	r := revs[shortRevision(name)]
	if r == nil {
		return newError(codes.Internal, "Revision '%s' does not exist or is deleted. Update all traffic to route to currently available revisions.", shortRevision(name))
	}
	if !r.ready && r != created {
		return failedPrecondition("Revision '%s' is not ready and cannot serve traffic.", shortRevision(name))
	}
	return nil
}

// --- traffic -------------------------------------------------------------------

const (
	trafficLatest   = runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
	trafficRevision = runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
	splitLatest     = runpb.InstanceSplitAllocationType_INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST
	splitRevision   = runpb.InstanceSplitAllocationType_INSTANCE_SPLIT_ALLOCATION_TYPE_REVISION
)

// normalizeTraffic populates defaults: no traffic is 100% to the latest
// ready revision; an unspecified type is REVISION when a revision is named.
func normalizeTraffic(in []*runpb.TrafficTarget) []*runpb.TrafficTarget {
	if len(in) == 0 {
		return []*runpb.TrafficTarget{{Type: trafficLatest, Percent: 100}}
	}
	out := cloneProtos(in)
	for _, t := range out {
		if t.Type == runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_UNSPECIFIED {
			t.Type = trafficLatest
			if t.Revision != "" {
				t.Type = trafficRevision
			}
		}
	}
	return out
}

func validateTraffic(field string, targets []*runpb.TrafficTarget) *apiError {
	sum := int32(0)
	tags := map[string]bool{}
	for i, t := range targets {
		f := fmt.Sprintf("%s[%d]", field, i)
		if t.Percent < 0 || t.Percent > 100 {
			return invalidArgument("Violation in %s.percent: percent must be between 0 and 100, got %d.", f, t.Percent)
		}
		if t.Type == trafficLatest && t.Revision != "" {
			return invalidArgument("Violation in %s.revision: a revision must not be set when type is TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST.", f)
		}
		if t.Type == trafficRevision && t.Revision == "" {
			return invalidArgument("Violation in %s.revision: a revision is required when type is TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION.", f)
		}
		if t.Tag != "" {
			if tags[t.Tag] {
				return invalidArgument("Violation in %s.tag: tag %q is used more than once.", f, t.Tag)
			}
			tags[t.Tag] = true
		}
		sum += t.Percent
	}
	if sum != 100 {
		return invalidArgument("Violation in %s: traffic percentages must add up to 100, got %d.", field, sum)
	}
	return nil
}

// trafficStatuses is the routing that traffic results in; LATEST entries
// carry no revision name, tags get their https://TAG---HOST URL.
func trafficStatuses(uri string, targets []*runpb.TrafficTarget) []*runpb.TrafficTargetStatus {
	var out []*runpb.TrafficTargetStatus
	for _, t := range targets {
		st := &runpb.TrafficTargetStatus{Type: t.Type, Percent: t.Percent, Tag: t.Tag, Uri: tagURI(uri, t.Tag)}
		if t.Type == trafficRevision {
			st.Revision = shortRevision(t.Revision)
		}
		out = append(out, st)
	}
	return out
}

func normalizeSplits(in []*runpb.InstanceSplit) []*runpb.InstanceSplit {
	if len(in) == 0 {
		return []*runpb.InstanceSplit{{Type: splitLatest, Percent: 100}}
	}
	out := cloneProtos(in)
	for _, t := range out {
		if t.Type == runpb.InstanceSplitAllocationType_INSTANCE_SPLIT_ALLOCATION_TYPE_UNSPECIFIED {
			t.Type = splitLatest
			if t.Revision != "" {
				t.Type = splitRevision
			}
		}
	}
	return out
}

func validateSplits(field string, splits []*runpb.InstanceSplit) *apiError {
	sum := int32(0)
	for i, t := range splits {
		f := fmt.Sprintf("%s[%d]", field, i)
		if t.Percent < 0 || t.Percent > 100 {
			return invalidArgument("Violation in %s.percent: percent must be between 0 and 100, got %d.", f, t.Percent)
		}
		if t.Type == splitLatest && t.Revision != "" {
			return invalidArgument("Violation in %s.revision: a revision must not be set when type is INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST.", f)
		}
		if t.Type == splitRevision && t.Revision == "" {
			return invalidArgument("Violation in %s.revision: a revision is required when type is INSTANCE_SPLIT_ALLOCATION_TYPE_REVISION.", f)
		}
		sum += t.Percent
	}
	if sum != 100 {
		return invalidArgument("Violation in %s: instance split percentages must add up to 100, got %d.", field, sum)
	}
	return nil
}

func splitStatuses(splits []*runpb.InstanceSplit) []*runpb.InstanceSplitStatus {
	var out []*runpb.InstanceSplitStatus
	for _, t := range splits {
		st := &runpb.InstanceSplitStatus{Type: t.Type, Percent: t.Percent}
		if t.Type == splitRevision {
			st.Revision = shortRevision(t.Revision)
		}
		out = append(out, st)
	}
	return out
}

// --- vpcAccess ---------------------------------------------------------------------

var (
	reNetworkRef    = regexp.MustCompile(`(?:^|/)projects/([^/]+)/global/networks/([^/]+)$`)
	reSubnetworkRef = regexp.MustCompile(`(?:^|/)projects/([^/]+)/regions/([^/]+)/subnetworks/([^/]+)$`)
)

// checkVPCAccess validates a template's vpcAccess. An invalid one is an
// error of the call; a connector that does not exist (or is not ready) is
// not: it is returned as the reason the new revision fails. Callers hold
// s.mu.
func (s *Server) checkVPCAccess(field string, va *runpb.VpcAccess, ref runRef) (string, *apiError) {
	if va == nil {
		return "", nil
	}
	hasConnector, hasInterfaces := va.Connector != "", len(va.NetworkInterfaces) > 0
	if hasConnector == hasInterfaces {
		return "", invalidArgument("Violation in %s.connector: one and only one of connector and network_interfaces must be set.", field)
	}
	if hasConnector {
		m := reConnector.FindStringSubmatch(va.Connector)
		if m == nil {
			return "", invalidArgument("Violation in %s.connector: %q is not of the form projects/{project}/locations/{location}/connectors/{connector}.", field, va.Connector)
		}
		return s.connectorFailure(va.Connector, m), nil
	}
	if len(va.NetworkInterfaces) > 1 {
		return "", invalidArgument("Violation in %s.network_interfaces: only a single network interface is supported.", field)
	}
	return "", s.checkNetworkInterface(field+".network_interfaces[0]", va.NetworkInterfaces[0], ref)
}

// connectorFailure is why a revision using a connector cannot become ready
// ("" if it can).
func (s *Server) connectorFailure(name string, m []string) string {
	if p := s.project(m[1]); p != nil {
		for _, c := range p.Connectors {
			cm := reConnector.FindStringSubmatch(c.GetName())
			if cm == nil || s.projectID(cm[1]) != p.ProjectID || cm[2] != m[2] || cm[3] != m[3] {
				continue
			}
			switch c.GetState() {
			case vpcaccesspb.Connector_STATE_UNSPECIFIED, vpcaccesspb.Connector_READY, vpcaccesspb.Connector_UPDATING:
				return ""
			default:
				return fmt.Sprintf("VPC connector %s is not ready (state %s).", name, c.GetState())
			}
		}
	}
	return fmt.Sprintf("VPC connector %s does not exist, or Cloud Run does not have permission to use it.", name)
}

// checkNetworkInterface resolves a Direct VPC network interface against the
// emulator's networks and subnetworks, in the resource's project or its
// Shared VPC host (names, projects/P/global/networks/N,
// projects/P/regions/R/subnetworks/S and full URLs are accepted).
func (s *Server) checkNetworkInterface(field string, ni *runpb.VpcAccess_NetworkInterface, ref runRef) *apiError {
	home := s.projects[ref.project]
	if ni.Network == "" && ni.Subnetwork == "" {
		return invalidArgument("Violation in %s: at least one of network or subnetwork must be set.", field)
	}
	candidates := func(explicit string) []*Project {
		if explicit != "" {
			if p := s.project(explicit); p != nil {
				return []*Project{p}
			}
			return nil
		}
		out := []*Project{home}
		if home.SharedVPCHost != "" {
			if h := s.project(home.SharedVPCHost); h != nil && h != home {
				out = append(out, h)
			}
		}
		return out
	}
	var netProject *Project
	netName := ""
	if ni.Network != "" {
		explicit, name := "", ni.Network
		if m := reNetworkRef.FindStringSubmatch(ni.Network); m != nil {
			explicit, name = m[1], m[2]
		} else if strings.Contains(ni.Network, "/") {
			return invalidArgument("Violation in %s.network: %q is not a network name, projects/{project}/global/networks/{network} or a network URL.", field, ni.Network)
		}
		for _, p := range candidates(explicit) {
			for _, n := range p.Networks {
				if n.Name == name && netProject == nil {
					netProject, netName = p, name
				}
			}
		}
		if netProject == nil {
			return invalidArgument("Violation in %s.network: the network '%s' was not found.", field, ni.Network)
		}
	}
	explicit, region, name := "", ref.location, ni.Subnetwork
	if ni.Subnetwork != "" {
		if m := reSubnetworkRef.FindStringSubmatch(ni.Subnetwork); m != nil {
			explicit, region, name = m[1], m[2], m[3]
		} else if strings.Contains(ni.Subnetwork, "/") {
			return invalidArgument("Violation in %s.subnetwork: %q is not a subnetwork name, projects/{project}/regions/{region}/subnetworks/{subnetwork} or a subnetwork URL.", field, ni.Subnetwork)
		}
		if region != ref.location {
			return invalidArgument("Violation in %s.subnetwork: the subnetwork '%s' is in region %s, not in %s.", field, ni.Subnetwork, region, ref.location)
		}
	} else {
		name = netName // only a network: the subnetwork of the same name
	}
	projects := candidates(explicit)
	if explicit == "" && netProject != nil {
		projects = []*Project{netProject}
	}
	for _, p := range projects {
		for _, sn := range p.Subnetworks {
			if sn.Name != name || lastSegment(sn.Region) != region {
				continue
			}
			if netName != "" {
				if lastSegment(sn.Network) != netName || p != netProject {
					return invalidArgument("Violation in %s.subnetwork: the subnetwork '%s' does not belong to the network '%s'.", field, name, ni.Network)
				}
			}
			return nil
		}
	}
	if ni.Subnetwork == "" {
		return invalidArgument("Violation in %s.subnetwork: the network '%s' has no subnetwork named '%s' in region %s; set subnetwork.", field, ni.Network, name, region)
	}
	return invalidArgument("Violation in %s.subnetwork: the subnetwork '%s' was not found in region %s.", field, ni.Subnetwork, region)
}
