package emulator

import (
	"context"

	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// runDefaultPageSize is the page size when a list request sets none.
const runDefaultPageSize = 100

// runPage sorts items by name and cuts the page a list request asks for.
func runPage[T runResource](s *Server, items []T, req pageRequest) ([]T, string, error) {
	sortByKey(items, func(v T) string { return v.GetName() })
	return grpcPage(s, items, req, runDefaultPageSize)
}

// runResource is a resource the Services, Jobs and WorkerPools servers
// store.
type runResource interface {
	proto.Message
	GetName() string
	GetEtag() string
}

// runResourceKind is one kind of Cloud Run resource and where a project
// keeps it; it serves what every kind does alike.
type runResourceKind[T runResource] struct {
	kind   string // as names spell it: services, jobs, workerPools
	stored func(*Project) []T
}

var (
	runServiceKind    = runResourceKind[*runpb.Service]{"services", func(p *Project) []*runpb.Service { return p.Services }}
	runJobKind        = runResourceKind[*runpb.Job]{"jobs", func(p *Project) []*runpb.Job { return p.Jobs }}
	runWorkerPoolKind = runResourceKind[*runpb.WorkerPool]{"workerPools", func(p *Project) []*runpb.WorkerPool { return p.WorkerPools }}
)

// runListRequest is a List request of Services, Jobs or WorkerPools.
type runListRequest interface {
	pageRequest
	GetParent() string
}

// list answers one page of the resources of a location (List*).
func (c runResourceKind[T]) list(s *Server, req runListRequest) ([]T, string, error) {
	s.mu.Lock()
	p, loc, e := s.runParent(req.GetParent())
	if e != nil {
		s.mu.Unlock()
		return nil, "", e.grpcErr()
	}
	var items []T
	for _, v := range c.stored(p) {
		if s.inLocation(v.GetName(), c.kind, loc) {
			items = append(items, cloneProto(v))
		}
	}
	s.mu.Unlock()
	return runPage(s, items, req)
}

// get returns a copy of a resource by name (Get*, and the inspection API).
func (c runResourceKind[T]) get(s *Server, name string) (T, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, i, _, e := s.runLookup(name, c.kind)
	if e != nil {
		var none T
		return none, e
	}
	return cloneProto(c.stored(p)[i]), nil
}

// copies returns copies of a project's resources, in stored order.
func (c runResourceKind[T]) copies(p *Project) []T { return cloneProtos(c.stored(p)) }

// merge begins the plan of an update (callers hold s.mu): it looks up the
// stored resource the request's resource in names, checks in's etag, if it
// has one, against the stored one and merges in into a copy of it (see
// mergeUpdate). It returns the plan, the stored resource and the merged
// copy (the plan's next).
func (c runResourceKind[T]) merge(s *Server, in T, mask *fieldmaskpb.FieldMask, field string, outputs []string) (*runPlan, T, T, *apiError) {
	var none T
	p, idx, ref, e := s.runLookup(in.GetName(), c.kind)
	if e != nil {
		return nil, none, none, e
	}
	cur := c.stored(p)[idx]
	if in.GetEtag() != "" && in.GetEtag() != cur.GetEtag() {
		return nil, none, none, staleEtag(cur.GetName())
	}
	m, e := mergeUpdate(cur, in, mask, field, outputs)
	if e != nil {
		return nil, none, none, e
	}
	next := m.(T)
	return &runPlan{p: p, idx: idx, ref: ref, cur: cloneProto(cur), next: next, persist: true}, cur, next, nil
}

// runIamPolicy answers GetIamPolicy from the project's iamPolicies, keyed
// by the resource's full name (project ID or number) or its short name; an
// empty policy when there is none.
func (s *Server) runIamPolicy(resource, kind string) (*iampb.Policy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, _, ref, e := s.runLookup(resource, kind)
	if e != nil {
		return nil, e.grpcErr()
	}
	tail := "/locations/" + ref.location + "/" + ref.kind + "/" + ref.id
	for _, k := range []string{resource, "projects/" + p.ProjectID + tail, "projects/" + p.ProjectNumber + tail, ref.id} {
		if pol := p.IAMPolicies[k]; pol != nil {
			return cloneProto(pol), nil
		}
	}
	return &iampb.Policy{}, nil
}

// --- Services ---------------------------------------------------------------------

type runServices struct {
	runpb.UnimplementedServicesServer
	s *Server
}

func (r *runServices) ListServices(_ context.Context, req *runpb.ListServicesRequest) (*runpb.ListServicesResponse, error) {
	page, next, err := runServiceKind.list(r.s, req)
	if err != nil {
		return nil, err
	}
	return &runpb.ListServicesResponse{Services: page, NextPageToken: next}, nil
}

func (r *runServices) GetService(_ context.Context, req *runpb.GetServiceRequest) (*runpb.Service, error) {
	v, e := runServiceKind.get(r.s, req.GetName())
	if e != nil {
		return nil, e.grpcErr()
	}
	return v, nil
}

func (r *runServices) GetIamPolicy(_ context.Context, req *iampb.GetIamPolicyRequest) (*iampb.Policy, error) {
	return r.s.runIamPolicy(req.GetResource(), "services")
}

func (r *runServices) UpdateService(_ context.Context, req *runpb.UpdateServiceRequest) (*longrunningpb.Operation, error) {
	s := r.s
	return s.runUpdate(runUpdateServiceMethod, req.GetService().GetName(), req.GetValidateOnly(), func() (*runPlan, *apiError) {
		return s.planServiceUpdate(req)
	})
}

// planServiceUpdate computes an UpdateService; callers hold s.mu.
func (s *Server) planServiceUpdate(req *runpb.UpdateServiceRequest) (*runPlan, *apiError) {
	const field = "UpdateServiceRequest.service"
	in := req.GetService()
	if in == nil {
		return nil, invalidArgument("Violation in %s: the service is required.", field)
	}
	pl, cur, svc, e := runServiceKind.merge(s, in, req.GetUpdateMask(), field, serviceOutputFields)
	if e != nil {
		return nil, e
	}
	ref := pl.ref
	if svc.Template == nil {
		svc.Template = &runpb.RevisionTemplate{}
	}
	failure, e := s.checkVPCAccess(field+".template.vpc_access", svc.Template.VpcAccess, ref)
	if e != nil {
		return nil, e
	}
	svc.Traffic = normalizeTraffic(svc.Traffic)
	if e := validateTraffic(field+".traffic", svc.Traffic); e != nil {
		return nil, e
	}
	gen := cur.Generation + 1
	rev, e := s.planRevision(ref, cur.Name, svc.Template, svc.Template.GetRevision(), req.GetForceNewRevision(), gen, failure, field+".template.revision")
	if e != nil {
		return nil, e
	}
	pl.rev = rev
	revs := s.revisionIndex(ref, rev)
	for _, t := range svc.Traffic {
		if t.Type != trafficRevision {
			continue
		}
		if e := routeError(revs, t.Revision, rev); e != nil {
			pl.opErr, pl.persist = e, false
			return pl, nil
		}
	}
	now := s.now()
	svc.Generation, svc.ObservedGeneration = gen, gen
	svc.UpdateTime = timestamppb.New(now)
	svc.Reconciling = false
	svc.Etag = runEtag(cur.Name, s.run().updates+1)
	if rev != nil {
		svc.LatestCreatedRevision = rev.rev.Name
		if rev.ready {
			svc.LatestReadyRevision = rev.rev.Name
		}
	}
	if rev != nil && !rev.ready {
		msg := "Revision '" + shortRevision(rev.rev.Name) + "' is not ready and cannot serve traffic. " + failure
		svc.TerminalCondition = runCondition("Ready", false, msg, now)
		svc.Conditions = []*runpb.Condition{
			runCondition("RoutesReady", true, "", now),
			runCondition("ConfigurationsReady", false, msg, now),
		}
		svc.TrafficStatuses = cloneProtos(cur.TrafficStatuses) // traffic stays where it was
		pl.opErr = failedPrecondition("%s", msg)
		return pl, nil
	}
	svc.TerminalCondition = runCondition("Ready", true, "", now)
	svc.Conditions = []*runpb.Condition{runCondition("RoutesReady", true, "", now), runCondition("ConfigurationsReady", true, "", now)}
	svc.TrafficStatuses = trafficStatuses(svc.Uri, svc.Traffic)
	return pl, nil
}

// --- Revisions ---------------------------------------------------------------------

type runRevisions struct {
	runpb.UnimplementedRevisionsServer
	s *Server
}

// ListRevisions lists the revisions of a service, or of every service of a
// location with "-" as the service.
func (r *runRevisions) ListRevisions(_ context.Context, req *runpb.ListRevisionsRequest) (*runpb.ListRevisionsResponse, error) {
	s := r.s
	s.mu.Lock()
	parent := req.GetParent()
	ref, ok := s.parseRunRef(parent, "services")
	if !ok {
		s.mu.Unlock()
		return nil, badRunName("parent", parent, "projects/{project}/locations/{location}/services/{service}").grpcErr()
	}
	if _, _, e := s.runParent("projects/" + ref.given + "/locations/" + ref.location); e != nil {
		s.mu.Unlock()
		return nil, e.grpcErr()
	}
	var keys []string
	if ref.id == "-" {
		for _, v := range s.projects[ref.project].Services {
			if r, ok := s.parseRunRef(v.GetName(), "services"); ok && r.location == ref.location {
				keys = append(keys, r.key())
			}
		}
	} else {
		if _, _, _, e := s.runLookup(parent, "services"); e != nil {
			s.mu.Unlock()
			return nil, e.grpcErr()
		}
		keys = []string{ref.key()}
	}
	var items []*runpb.Revision
	for _, k := range keys {
		for _, rv := range s.run().revisions[k] {
			items = append(items, cloneProto(rv.rev))
		}
	}
	s.mu.Unlock()
	page, next, err := runPage(s, items, req)
	if err != nil {
		return nil, err
	}
	return &runpb.ListRevisionsResponse{Revisions: page, NextPageToken: next}, nil
}

func (r *runRevisions) GetRevision(_ context.Context, req *runpb.GetRevisionRequest) (*runpb.Revision, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	m := reRunRevision.FindStringSubmatch(req.GetName())
	if m == nil {
		return nil, badRunName("name", req.GetName(), "projects/{project}/locations/{location}/services/{service}/revisions/{revision}").grpcErr()
	}
	_, _, ref, e := s.runLookup("projects/"+m[1]+"/locations/"+m[2]+"/services/"+m[3], "services")
	if e != nil {
		return nil, e.grpcErr()
	}
	for _, rv := range s.run().revisions[ref.key()] {
		if shortRevision(rv.rev.Name) == m[4] {
			return cloneProto(rv.rev), nil
		}
	}
	return nil, notFound("Resource '%s' of kind 'REVISION' in region '%s' in project '%s' does not exist.", m[4], m[2], m[1]).grpcErr()
}
