package emulator

import (
	"context"

	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// --- Jobs -----------------------------------------------------------------------------

type runJobs struct {
	runpb.UnimplementedJobsServer
	s *Server
}

// ListJobs lists a location's jobs. Its proto does not say whether "-" is
// accepted (it does for services and worker pools: it is not); the emulator
// rejects it too, so that callers list per region.
func (r *runJobs) ListJobs(_ context.Context, req *runpb.ListJobsRequest) (*runpb.ListJobsResponse, error) {
	s := r.s
	s.mu.Lock()
	p, loc, e := s.runParent(req.GetParent())
	if e != nil {
		s.mu.Unlock()
		return nil, e.grpcErr()
	}
	var items []*runpb.Job
	for _, v := range p.Jobs {
		if s.inLocation(v.GetName(), "jobs", loc) {
			items = append(items, cloneProto(v))
		}
	}
	s.mu.Unlock()
	page, next, err := runPage(s, items, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &runpb.ListJobsResponse{Jobs: page, NextPageToken: next}, nil
}

func (r *runJobs) GetJob(_ context.Context, req *runpb.GetJobRequest) (*runpb.Job, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	p, i, _, e := s.runLookup(req.GetName(), "jobs")
	if e != nil {
		return nil, e.grpcErr()
	}
	return cloneProto(p.Jobs[i]), nil
}

func (r *runJobs) GetIamPolicy(_ context.Context, req *iampb.GetIamPolicyRequest) (*iampb.Policy, error) {
	return r.s.runIamPolicy(req.GetResource(), "jobs")
}

func (r *runJobs) UpdateJob(_ context.Context, req *runpb.UpdateJobRequest) (*longrunningpb.Operation, error) {
	s := r.s
	return s.runUpdate(runUpdateJobMethod, req.GetJob().GetName(), req.GetValidateOnly(), func() (*runPlan, *apiError) {
		return s.planJobUpdate(req)
	})
}

// planJobUpdate computes an UpdateJob; callers hold s.mu. A job has no
// revisions: a connector that does not exist fails the job's Ready
// condition and the operation.
func (s *Server) planJobUpdate(req *runpb.UpdateJobRequest) (*runPlan, *apiError) {
	const field = "UpdateJobRequest.job"
	in := req.GetJob()
	if in == nil {
		return nil, invalidArgument("Violation in %s: the job is required.", field)
	}
	p, idx, ref, e := s.runLookup(in.GetName(), "jobs")
	if e != nil {
		return nil, e
	}
	cur := p.Jobs[idx]
	if in.Etag != "" && in.Etag != cur.Etag {
		return nil, staleEtag(cur.Name)
	}
	m, e := mergeUpdate(cur, in, nil, field, jobOutputFields)
	if e != nil {
		return nil, e
	}
	job := m.(*runpb.Job)
	failure, e := s.checkVPCAccess(field+".template.template.vpc_access", job.GetTemplate().GetTemplate().GetVpcAccess(), ref)
	if e != nil {
		return nil, e
	}
	now := s.now()
	gen := cur.Generation + 1
	job.Generation, job.ObservedGeneration = gen, gen
	job.UpdateTime = timestamppb.New(now)
	job.Reconciling = false
	job.Etag = runEtag(cur.Name, s.run().updates+1)
	pl := &runPlan{p: p, idx: idx, ref: ref, cur: cloneProto(cur), next: job, persist: true}
	if failure != "" {
		job.TerminalCondition = runCondition("Ready", false, failure, now)
		pl.opErr = failedPrecondition("%s", failure)
		return pl, nil
	}
	job.TerminalCondition = runCondition("Ready", true, "", now)
	return pl, nil
}

// --- WorkerPools --------------------------------------------------------------------

type runWorkerPools struct {
	runpb.UnimplementedWorkerPoolsServer
	s *Server
}

func (r *runWorkerPools) ListWorkerPools(_ context.Context, req *runpb.ListWorkerPoolsRequest) (*runpb.ListWorkerPoolsResponse, error) {
	s := r.s
	s.mu.Lock()
	p, loc, e := s.runParent(req.GetParent())
	if e != nil {
		s.mu.Unlock()
		return nil, e.grpcErr()
	}
	var items []*runpb.WorkerPool
	for _, v := range p.WorkerPools {
		if s.inLocation(v.GetName(), "workerPools", loc) {
			items = append(items, cloneProto(v))
		}
	}
	s.mu.Unlock()
	page, next, err := runPage(s, items, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &runpb.ListWorkerPoolsResponse{WorkerPools: page, NextPageToken: next}, nil
}

func (r *runWorkerPools) GetWorkerPool(_ context.Context, req *runpb.GetWorkerPoolRequest) (*runpb.WorkerPool, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	p, i, _, e := s.runLookup(req.GetName(), "workerPools")
	if e != nil {
		return nil, e.grpcErr()
	}
	return cloneProto(p.WorkerPools[i]), nil
}

func (r *runWorkerPools) GetIamPolicy(_ context.Context, req *iampb.GetIamPolicyRequest) (*iampb.Policy, error) {
	return r.s.runIamPolicy(req.GetResource(), "workerPools")
}

func (r *runWorkerPools) UpdateWorkerPool(_ context.Context, req *runpb.UpdateWorkerPoolRequest) (*longrunningpb.Operation, error) {
	s := r.s
	return s.runUpdate(runUpdateWorkerPoolMethod, req.GetWorkerPool().GetName(), req.GetValidateOnly(), func() (*runPlan, *apiError) {
		return s.planWorkerPoolUpdate(req)
	})
}

// planWorkerPoolUpdate computes an UpdateWorkerPool (revisions and instance
// splits, as services have revisions and traffic); callers hold s.mu.
func (s *Server) planWorkerPoolUpdate(req *runpb.UpdateWorkerPoolRequest) (*runPlan, *apiError) {
	const field = "UpdateWorkerPoolRequest.worker_pool"
	in := req.GetWorkerPool()
	if in == nil {
		return nil, invalidArgument("Violation in %s: the worker pool is required.", field)
	}
	p, idx, ref, e := s.runLookup(in.GetName(), "workerPools")
	if e != nil {
		return nil, e
	}
	cur := p.WorkerPools[idx]
	if in.Etag != "" && in.Etag != cur.Etag {
		return nil, staleEtag(cur.Name)
	}
	m, e := mergeUpdate(cur, in, req.GetUpdateMask(), field, workerPoolOutputFields)
	if e != nil {
		return nil, e
	}
	wp := m.(*runpb.WorkerPool)
	if wp.Template == nil {
		wp.Template = &runpb.WorkerPoolRevisionTemplate{}
	}
	failure, e := s.checkVPCAccess(field+".template.vpc_access", wp.Template.VpcAccess, ref)
	if e != nil {
		return nil, e
	}
	wp.InstanceSplits = normalizeSplits(wp.InstanceSplits)
	if e := validateSplits(field+".instance_splits", wp.InstanceSplits); e != nil {
		return nil, e
	}
	gen := cur.Generation + 1
	rev, e := s.planRevision(ref, cur.Name, wp.Template, wp.Template.GetRevision(), req.GetForceNewRevision(), gen, failure, field+".template.revision")
	if e != nil {
		return nil, e
	}
	pl := &runPlan{p: p, idx: idx, ref: ref, cur: cloneProto(cur), next: wp, rev: rev, persist: true}
	revs := s.revisionIndex(ref, rev)
	for _, t := range wp.InstanceSplits {
		if t.Type != splitRevision {
			continue
		}
		if e := routeError(revs, t.Revision, rev); e != nil {
			pl.opErr, pl.persist = e, false
			return pl, nil
		}
	}
	now := s.now()
	wp.Generation, wp.ObservedGeneration = gen, gen
	wp.UpdateTime = timestamppb.New(now)
	wp.Reconciling = false
	wp.Etag = runEtag(cur.Name, s.run().updates+1)
	if rev != nil {
		wp.LatestCreatedRevision = rev.rev.Name
		if rev.ready {
			wp.LatestReadyRevision = rev.rev.Name
		}
	}
	if rev != nil && !rev.ready {
		msg := "Revision '" + shortRevision(rev.rev.Name) + "' is not ready. " + failure
		wp.TerminalCondition = runCondition("Ready", false, msg, now)
		wp.InstanceSplitStatuses = cloneProtos(cur.InstanceSplitStatuses)
		pl.opErr = failedPrecondition("%s", msg)
		return pl, nil
	}
	wp.TerminalCondition = runCondition("Ready", true, "", now)
	wp.InstanceSplitStatuses = splitStatuses(wp.InstanceSplits)
	return pl, nil
}
