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
	page, next, err := runJobKind.list(r.s, req)
	if err != nil {
		return nil, err
	}
	return &runpb.ListJobsResponse{Jobs: page, NextPageToken: next}, nil
}

func (r *runJobs) GetJob(_ context.Context, req *runpb.GetJobRequest) (*runpb.Job, error) {
	v, e := runJobKind.get(r.s, req.GetName())
	if e != nil {
		return nil, e.grpcErr()
	}
	return v, nil
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
	pl, cur, job, e := runJobKind.merge(s, in, nil, field, jobOutputFields)
	if e != nil {
		return nil, e
	}
	failure, e := s.checkVPCAccess(field+".template.template.vpc_access", job.GetTemplate().GetTemplate().GetVpcAccess(), pl.ref)
	if e != nil {
		return nil, e
	}
	now := s.now()
	gen := cur.Generation + 1
	job.Generation, job.ObservedGeneration = gen, gen
	job.UpdateTime = timestamppb.New(now)
	job.Reconciling = false
	job.Etag = runEtag(cur.Name, s.run().updates+1)
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
	page, next, err := runWorkerPoolKind.list(r.s, req)
	if err != nil {
		return nil, err
	}
	return &runpb.ListWorkerPoolsResponse{WorkerPools: page, NextPageToken: next}, nil
}

func (r *runWorkerPools) GetWorkerPool(_ context.Context, req *runpb.GetWorkerPoolRequest) (*runpb.WorkerPool, error) {
	v, e := runWorkerPoolKind.get(r.s, req.GetName())
	if e != nil {
		return nil, e.grpcErr()
	}
	return v, nil
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
	pl, cur, wp, e := runWorkerPoolKind.merge(s, in, req.GetUpdateMask(), field, workerPoolOutputFields)
	if e != nil {
		return nil, e
	}
	ref := pl.ref
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
	pl.rev = rev
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
