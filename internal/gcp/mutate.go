package gcp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"github.com/googleapis/gax-go/v2"
	cloudfunctions "google.golang.org/api/cloudfunctions/v2"
	compute "google.golang.org/api/compute/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// The migration's live reads and changes. Every method takes plain
// inventory types, so that migrate.Target is satisfied without SDK types
// leaving this package. Errors wrap *APIError, which matches the
// inventory.Err* sentinels with errors.Is.

// PollInterval is the pause between polls of a long-running operation
// after the first (immediate) one.
var PollInterval = time.Second

// opError marks a long-running operation that ended in error.
type opError struct {
	op  string
	msg string
}

func (e *opError) Error() string { return e.op + ": " + e.msg }
func (e *opError) Is(target error) bool {
	return target == inventory.ErrOperationFailed
}

// Consumer reads a consumer's live state.
func (c *Clients) Consumer(ctx context.Context, kind inventory.ConsumerKind, id string) (*inventory.ConsumerState, error) {
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	project := inventory.NameSegment(id, "projects")
	switch kind {
	case inventory.KindService:
		s, err := c.Services.GetService(ctx, &runpb.GetServiceRequest{Name: id})
		if err != nil {
			return nil, classify(err, apiRun, project, "reading service "+id)
		}
		return serviceState(s), nil
	case inventory.KindJob:
		j, err := c.Jobs.GetJob(ctx, &runpb.GetJobRequest{Name: id})
		if err != nil {
			return nil, classify(err, apiRun, project, "reading job "+id)
		}
		return jobState(j), nil
	case inventory.KindWorkerPool:
		w, err := c.WorkerPools.GetWorkerPool(ctx, &runpb.GetWorkerPoolRequest{Name: id})
		if err != nil {
			return nil, classify(err, apiRun, project, "reading worker pool "+id)
		}
		return workerPoolState(w), nil
	case inventory.KindFunction, inventory.KindFunction1:
		f, err := c.Functions.Projects.Locations.Functions.Get(id).Context(ctx).Do()
		if err != nil {
			return nil, classify(err, apiFunctions, project, "reading function "+id)
		}
		return functionState(f), nil
	}
	return nil, fmt.Errorf("reading %s: vpcshift cannot change a %s", id, kind)
}

func runVPC(v *runpb.VpcAccess) inventory.VPCConfig {
	return inventory.VPCConfig{Connector: v.GetConnector(), Interface: runDirectVPC(v), Egress: runEgress(v)}
}

func serviceState(s *runpb.Service) *inventory.ConsumerState {
	st := &inventory.ConsumerState{
		ID: s.GetName(), Kind: inventory.KindService, Etag: s.GetEtag(), Generation: s.GetGeneration(),
		VPC:                   runVPC(s.GetTemplate().GetVpcAccess()),
		LatestReadyRevision:   inventory.LastSegment(s.GetLatestReadyRevision()),
		LatestCreatedRevision: inventory.LastSegment(s.GetLatestCreatedRevision()),
		TaggedRevisions:       map[string]string{},
		TrafficByRevision:     map[string]int{},
		Ready:                 true,
	}
	for _, t := range s.GetTraffic() {
		typ := "REVISION"
		if t.GetType() == runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST {
			typ = "LATEST"
		}
		st.Traffic = append(st.Traffic, inventory.TrafficTarget{Type: typ, Revision: inventory.LastSegment(t.GetRevision()), Percent: int(t.GetPercent()), Tag: t.GetTag()})
	}
	for _, t := range s.GetTrafficStatuses() {
		rev := inventory.LastSegment(t.GetRevision())
		if t.GetType() == runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST || rev == "" {
			rev = st.LatestReadyRevision
		}
		if t.GetTag() != "" {
			st.TaggedRevisions[t.GetTag()] = rev
		}
		st.TrafficByRevision[rev] += int(t.GetPercent())
	}
	if tc := s.GetTerminalCondition(); tc != nil && tc.GetState() == runpb.Condition_CONDITION_FAILED {
		st.Ready = false
		st.Message = tc.GetMessage()
	}
	if st.LatestCreatedRevision != "" && st.LatestCreatedRevision != st.LatestReadyRevision {
		st.Ready = false
		if st.Message == "" {
			st.Message = fmt.Sprintf("revision %s is not ready", inventory.LastSegment(st.LatestCreatedRevision))
		}
	}
	return st
}

func jobState(j *runpb.Job) *inventory.ConsumerState {
	st := &inventory.ConsumerState{ID: j.GetName(), Kind: inventory.KindJob, Etag: j.GetEtag(), Generation: j.GetGeneration(),
		VPC: runVPC(j.GetTemplate().GetTemplate().GetVpcAccess()), Ready: true}
	if tc := j.GetTerminalCondition(); tc != nil && tc.GetState() == runpb.Condition_CONDITION_FAILED {
		st.Ready, st.Message = false, tc.GetMessage()
	}
	return st
}

func workerPoolState(w *runpb.WorkerPool) *inventory.ConsumerState {
	st := &inventory.ConsumerState{ID: w.GetName(), Kind: inventory.KindWorkerPool, Etag: w.GetEtag(), Generation: w.GetGeneration(),
		VPC: runVPC(w.GetTemplate().GetVpcAccess()), LatestReadyRevision: inventory.LastSegment(w.GetLatestReadyRevision()), LatestCreatedRevision: inventory.LastSegment(w.GetLatestCreatedRevision()), Ready: true}
	if tc := w.GetTerminalCondition(); tc != nil && tc.GetState() == runpb.Condition_CONDITION_FAILED {
		st.Ready, st.Message = false, tc.GetMessage()
	}
	return st
}

func functionState(f *cloudfunctions.Function) *inventory.ConsumerState {
	cons := functionConsumer(inventory.NameSegment(f.Name, "projects"), inventory.NameSegment(f.Name, "locations"), f)
	st := &inventory.ConsumerState{ID: f.Name, Kind: cons.Kind, Etag: f.UpdateTime,
		VPC: inventory.VPCConfig{Connector: cons.Connector, Interface: cons.DirectVPC, Egress: cons.Egress}, Ready: f.State == "" || f.State == "ACTIVE"}
	if !st.Ready {
		st.Message = "function state " + f.State
	}
	return st
}

// toRunVPC builds Cloud Run's VpcAccess: exactly one of connector and
// network interfaces (the API refuses both or neither, gcp-facts §9 #3).
func toRunVPC(v inventory.VPCConfig) *runpb.VpcAccess {
	out := &runpb.VpcAccess{Egress: runpb.VpcAccess_PRIVATE_RANGES_ONLY}
	if v.Egress == inventory.EgressAllTraffic {
		out.Egress = runpb.VpcAccess_ALL_TRAFFIC
	}
	if v.Interface != nil {
		out.NetworkInterfaces = []*runpb.VpcAccess_NetworkInterface{{Network: v.Interface.Network, Subnetwork: v.Interface.Subnetwork, Tags: v.Interface.Tags}}
	} else if v.Connector != "" {
		out.Connector = v.Connector
	} else {
		return nil
	}
	return out
}

func toRunTraffic(ts []inventory.TrafficTarget) []*runpb.TrafficTarget {
	var out []*runpb.TrafficTarget
	for _, t := range ts {
		tt := &runpb.TrafficTarget{Revision: t.Revision, Percent: int32(t.Percent), Tag: t.Tag,
			Type: runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION}
		if t.Type == "LATEST" {
			tt.Type = runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
			tt.Revision = ""
		}
		out = append(out, tt)
	}
	return out
}

// UpdateConsumerVPC changes a consumer's VPC egress to vpc. For a service,
// revision names the new revision (so that traffic can tag it) and traffic,
// when not nil, is set in the same update. etag, when not empty, must match
// (a stale one fails with inventory.ErrConflict and changes nothing).
// validateOnly asks the API to check the change without making it.
func (c *Clients) UpdateConsumerVPC(ctx context.Context, kind inventory.ConsumerKind, id, etag string, vpc inventory.VPCConfig, revision string, traffic []inventory.TrafficTarget, validateOnly bool) (*inventory.ConsumerState, error) {
	project := inventory.NameSegment(id, "projects")
	what := "updating " + string(kind) + " " + id
	if validateOnly {
		what = "validating the target configuration of " + id
	}
	switch kind {
	case inventory.KindService:
		rctx, cancel := c.callCtx(ctx)
		s, err := c.Services.GetService(rctx, &runpb.GetServiceRequest{Name: id})
		cancel()
		if err != nil {
			return nil, classify(err, apiRun, project, what)
		}
		if etag != "" && s.GetEtag() != etag {
			return nil, &APIError{Kind: KindConflict, API: apiRun, Project: project, Op: what, Err: fmt.Errorf("the service changed since it was read (etag %s, expected %s)", s.GetEtag(), etag)}
		}
		s.Template.VpcAccess = toRunVPC(vpc)
		if revision != "" {
			s.Template.Revision = revision
		}
		if traffic != nil {
			s.Traffic = toRunTraffic(traffic)
		}
		return c.updateService(ctx, s, validateOnly, what)
	case inventory.KindJob:
		return readModifyWrite(ctx, c, project, etag, what, validateOnly,
			func(ctx context.Context) (*runpb.Job, error) {
				return c.Jobs.GetJob(ctx, &runpb.GetJobRequest{Name: id})
			},
			func(j *runpb.Job) { j.Template.Template.VpcAccess = toRunVPC(vpc) },
			func(ctx context.Context, j *runpb.Job) (*runpb.Job, error) {
				op, err := c.Jobs.UpdateJob(ctx, &runpb.UpdateJobRequest{Job: j, ValidateOnly: validateOnly})
				if err != nil || validateOnly {
					return j, err
				}
				return op.Wait(ctx)
			},
			(*runpb.Job).GetEtag, jobState)
	case inventory.KindWorkerPool:
		return readModifyWrite(ctx, c, project, etag, what, validateOnly,
			func(ctx context.Context) (*runpb.WorkerPool, error) {
				return c.WorkerPools.GetWorkerPool(ctx, &runpb.GetWorkerPoolRequest{Name: id})
			},
			func(w *runpb.WorkerPool) { w.Template.VpcAccess = toRunVPC(vpc) },
			func(ctx context.Context, w *runpb.WorkerPool) (*runpb.WorkerPool, error) {
				op, err := c.WorkerPools.UpdateWorkerPool(ctx, &runpb.UpdateWorkerPoolRequest{WorkerPool: w, ValidateOnly: validateOnly})
				if err != nil || validateOnly {
					return w, err
				}
				return op.Wait(ctx)
			},
			(*runpb.WorkerPool).GetEtag, workerPoolState)
	case inventory.KindFunction:
		return c.updateFunctionVPC(ctx, id, etag, vpc, validateOnly, what)
	}
	return nil, &APIError{Kind: KindInvalid, Project: project, Op: what, Err: fmt.Errorf("vpcshift cannot change the VPC egress of a %s", kind)}
}

// readModifyWrite reads a Cloud Run resource, checks its etag, changes it
// and writes it back with the etag (a concurrent change is refused by the
// API, never overwritten), waiting for the operation. An update that was
// accepted but whose operation failed is told apart from a refused one.
func readModifyWrite[T any](ctx context.Context, c *Clients, project, etag, what string, validateOnly bool,
	get func(context.Context) (T, error), change func(T), put func(context.Context, T) (T, error),
	etagOf func(T) string, state func(T) *inventory.ConsumerState) (*inventory.ConsumerState, error) {
	rctx, cancel := c.callCtx(ctx)
	cur, err := get(rctx)
	cancel()
	if err != nil {
		return nil, classify(err, apiRun, project, what)
	}
	if etag != "" && etagOf(cur) != etag {
		return nil, &APIError{Kind: KindConflict, API: apiRun, Project: project, Op: what, Err: fmt.Errorf("it changed since it was read (etag %s, expected %s)", etagOf(cur), etag)}
	}
	change(cur)
	wctx, cancel := c.callCtx(ctx)
	defer cancel()
	out, err := put(wctx, cur)
	if err != nil {
		if ae := classify(err, apiRun, project, what); ae.Kind != KindOther {
			return nil, ae
		}
		return nil, waitErr(err, what)
	}
	return state(out), nil
}

// SetTraffic sets a service's traffic split, keeping everything else.
func (c *Clients) SetTraffic(ctx context.Context, id, etag string, traffic []inventory.TrafficTarget) (*inventory.ConsumerState, error) {
	project := inventory.NameSegment(id, "projects")
	what := "setting the traffic of " + id
	rctx, cancel := c.callCtx(ctx)
	s, err := c.Services.GetService(rctx, &runpb.GetServiceRequest{Name: id})
	cancel()
	if err != nil {
		return nil, classify(err, apiRun, project, what)
	}
	if etag != "" && s.GetEtag() != etag {
		return nil, &APIError{Kind: KindConflict, API: apiRun, Project: project, Op: what, Err: fmt.Errorf("the service changed since it was read (etag %s, expected %s)", s.GetEtag(), etag)}
	}
	s.Traffic = toRunTraffic(traffic)
	return c.updateService(ctx, s, false, what)
}

func (c *Clients) updateService(ctx context.Context, s *runpb.Service, validateOnly bool, what string) (*inventory.ConsumerState, error) {
	project := inventory.NameSegment(s.GetName(), "projects")
	wctx, cancel := c.callCtx(ctx)
	defer cancel()
	// The etag travels with the request: the API refuses a stale one, so
	// a concurrent deploy is never overwritten.
	op, err := c.Services.UpdateService(wctx, &runpb.UpdateServiceRequest{Service: s, ValidateOnly: validateOnly})
	if err != nil {
		return nil, classify(err, apiRun, project, what)
	}
	if validateOnly {
		return serviceState(s), nil
	}
	out, err := op.Wait(wctx, gax.WithRetry(nil))
	if err != nil {
		// The update was accepted but the revision did not become ready:
		// report the state the service is in now.
		werr := waitErr(err, what)
		rctx, cancel := c.callCtx(ctx)
		defer cancel()
		if now, gerr := c.Services.GetService(rctx, &runpb.GetServiceRequest{Name: s.GetName()}); gerr == nil {
			st := serviceState(now)
			st.Ready = false
			st.Message = short(err)
			return st, werr
		}
		return nil, werr
	}
	return serviceState(out), nil
}

// waitErr classifies a long-running operation's failure.
func waitErr(err error, what string) error {
	ae := classify(err, "", "", what)
	if ae.Kind == KindOther || ae.Kind == KindInvalid {
		if code := grpcCode(err); code == codes.FailedPrecondition || code == codes.Internal || code == codes.Unknown || ae.Kind == KindInvalid {
			return &opError{op: what, msg: short(err)}
		}
	}
	return ae
}

func grpcCode(err error) codes.Code {
	var ae *APIError
	if errors.As(err, &ae) {
		err = ae.Err
	}
	if st, ok := status.FromError(err); ok {
		return st.Code()
	}
	return codes.Unknown
}

func (c *Clients) updateFunctionVPC(ctx context.Context, id, etag string, vpc inventory.VPCConfig, validateOnly bool, what string) (*inventory.ConsumerState, error) {
	project := inventory.NameSegment(id, "projects")
	rctx, cancel := c.callCtx(ctx)
	f, err := c.Functions.Projects.Locations.Functions.Get(id).Context(rctx).Do()
	cancel()
	if err != nil {
		return nil, classify(err, apiFunctions, project, what)
	}
	if etag != "" && f.UpdateTime != etag {
		return nil, &APIError{Kind: KindConflict, API: apiFunctions, Project: project, Op: what, Err: fmt.Errorf("the function changed since it was read (updated %s)", f.UpdateTime)}
	}
	if validateOnly {
		// Functions have no validate_only: the check is that the function
		// is gen2 and active (the API refuses Direct VPC on gen1).
		if f.Environment == "GEN_1" {
			return nil, &APIError{Kind: KindInvalid, API: apiFunctions, Project: project, Op: what, Err: errors.New("1st gen functions cannot use Direct VPC egress")}
		}
		return functionState(f), nil
	}
	sc := &cloudfunctions.ServiceConfig{}
	mask := []string{"serviceConfig.vpcConnector", "serviceConfig.vpcConnectorEgressSettings", "serviceConfig.directVpcNetworkInterface", "serviceConfig.directVpcEgress"}
	if vpc.Interface != nil {
		sc.DirectVpcNetworkInterface = []*cloudfunctions.DirectVpcNetworkInterface{{Network: vpc.Interface.Network, Subnetwork: vpc.Interface.Subnetwork, Tags: vpc.Interface.Tags}}
		sc.DirectVpcEgress = "VPC_EGRESS_PRIVATE_RANGES_ONLY"
		if vpc.Egress == inventory.EgressAllTraffic {
			sc.DirectVpcEgress = "VPC_EGRESS_ALL_TRAFFIC"
		}
	} else if vpc.Connector != "" {
		sc.VpcConnector = vpc.Connector
		sc.VpcConnectorEgressSettings = "PRIVATE_RANGES_ONLY"
		if vpc.Egress == inventory.EgressAllTraffic {
			sc.VpcConnectorEgressSettings = "ALL_TRAFFIC"
		}
	}
	wctx, cancel := c.callCtx(ctx)
	defer cancel()
	op, err := c.Functions.Projects.Locations.Functions.Patch(id, &cloudfunctions.Function{ServiceConfig: sc}).UpdateMask(strings.Join(mask, ",")).Context(wctx).Do()
	if err != nil {
		return nil, classify(err, apiFunctions, project, what)
	}
	for !op.Done {
		if err := sleepCtx(wctx, PollInterval); err != nil {
			return nil, err
		}
		if op, err = c.Functions.Projects.Locations.Operations.Get(op.Name).Context(wctx).Do(); err != nil {
			return nil, classify(err, apiFunctions, project, what)
		}
	}
	if op.Error != nil {
		return nil, &opError{op: what, msg: op.Error.Message}
	}
	return c.Consumer(ctx, inventory.KindFunction, id)
}

// sleepCtx sleeps d unless ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// RevisionHealth reads a revision's requests and 5xx responses over the
// window from Cloud Monitoring (run.googleapis.com/request_count, label
// response_code_class).
func (c *Clients) RevisionHealth(ctx context.Context, service, revision string, window time.Duration, now time.Time) (inventory.RevisionHealth, error) {
	project := inventory.NameSegment(service, "projects")
	h := inventory.RevisionHealth{Window: window}
	col := &collector{c: c, opts: CollectOptions{Now: now}, sem: make(chan struct{}, 1), retry: DefaultRetry, coverage: map[string]*inventory.Coverage{}, snap: &inventory.Snapshot{}}
	series, err := col.aggregateFilter(ctx, project,
		fmt.Sprintf(`metric.type = %q AND resource.type = "cloud_run_revision" AND resource.labels.service_name = %q AND resource.labels.revision_name = %q`, MetricRunRequests, inventory.LastSegment(service), inventory.LastSegment(revision)),
		window, []string{"metric.labels.response_code_class"})
	if err != nil {
		return h, err
	}
	for _, s := range series {
		h.Known = true
		n := int64(s.value)
		h.Requests += n
		if s.labels["metric.labels.response_code_class"] == "5xx" {
			h.Errors5xx += n
		}
	}
	return h, nil
}

// Subnet reads one subnet.
func (c *Clients) Subnet(ctx context.Context, project, region, name string) (*inventory.Subnet, error) {
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	sn, err := c.Compute.Subnetworks.Get(project, region, name).Context(ctx).Do()
	if err != nil {
		return nil, classify(err, apiCompute, project, fmt.Sprintf("reading subnet %s in %s", name, region))
	}
	return &inventory.Subnet{ID: "projects/" + project + "/regions/" + region + "/subnetworks/" + name, Project: project, Region: region, Name: name,
		Network: inventory.LastSegment(sn.Network), NetworkProject: inventory.NameSegment(sn.Network, "projects"), IPCIDRRange: sn.IpCidrRange,
		PrivateIPGoogleAccess: sn.PrivateIpGoogleAccess, Purpose: sn.Purpose, StackType: sn.StackType, Fingerprint: sn.Fingerprint}, nil
}

// SetPrivateGoogleAccess turns Private Google Access on or off.
func (c *Clients) SetPrivateGoogleAccess(ctx context.Context, project, region, name string, on bool) error {
	what := fmt.Sprintf("setting Private Google Access on subnet %s in %s", name, region)
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	op, err := c.Compute.Subnetworks.SetPrivateIpGoogleAccess(project, region, name, &compute.SubnetworksSetPrivateIpGoogleAccessRequest{PrivateIpGoogleAccess: on, ForceSendFields: []string{"PrivateIpGoogleAccess"}}).Context(ctx).Do()
	if err != nil {
		return classify(err, apiCompute, project, what)
	}
	return c.waitRegionOp(ctx, project, region, op.Name, op.Status, what)
}

// Routes lists a project's routes.
func (c *Clients) Routes(ctx context.Context, project string) ([]inventory.Route, error) {
	col := &collector{c: c, sem: make(chan struct{}, 1), retry: DefaultRetry, coverage: map[string]*inventory.Coverage{}, snap: &inventory.Snapshot{}}
	col.routes(ctx, project)
	if cv := col.coverage[project+"|"+apiCompute]; cv != nil && cv.Status != inventory.CoverageOK {
		return nil, fmt.Errorf("listing the routes of %s: %s", project, cv.Detail)
	}
	return col.snap.Routes, nil
}

// CreateRoute inserts a route whose next hop is the default internet
// gateway.
func (c *Clients) CreateRoute(ctx context.Context, project string, r inventory.Route) error {
	what := fmt.Sprintf("creating route %s (%s) in %s", r.Name, r.DestRange, project)
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	op, err := c.Compute.Routes.Insert(project, &compute.Route{
		Name: r.Name, DestRange: r.DestRange, Priority: int64(r.Priority), Tags: r.Tags,
		Network:        "projects/" + project + "/global/networks/" + r.Network,
		NextHopGateway: "projects/" + project + "/global/gateways/default-internet-gateway",
		Description:    "vpcshift: reach private.googleapis.com (199.36.153.8/30) for *.run.app",
	}).Context(ctx).Do()
	if err != nil {
		return classify(err, apiCompute, project, what)
	}
	return c.waitGlobalOp(ctx, project, op.Name, op.Status, what)
}

// DeleteRoute deletes a route.
func (c *Clients) DeleteRoute(ctx context.Context, project, name string) error {
	what := fmt.Sprintf("deleting route %s in %s", name, project)
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	op, err := c.Compute.Routes.Delete(project, name).Context(ctx).Do()
	if err != nil {
		return classify(err, apiCompute, project, what)
	}
	return c.waitGlobalOp(ctx, project, op.Name, op.Status, what)
}

func (c *Clients) waitRegionOp(ctx context.Context, project, region, name, status, what string) error {
	for first := true; ; first = false {
		if !first || status != "DONE" {
			if !first {
				if err := sleepCtx(ctx, PollInterval); err != nil {
					return err
				}
			}
			op, err := c.Compute.RegionOperations.Get(project, region, name).Context(ctx).Do()
			if err != nil {
				return classify(err, apiCompute, project, what)
			}
			status = op.Status
			if status == "DONE" {
				if op.Error != nil && len(op.Error.Errors) > 0 {
					return &opError{op: what, msg: op.Error.Errors[0].Message}
				}
				return nil
			}
			continue
		}
		return nil
	}
}

func (c *Clients) waitGlobalOp(ctx context.Context, project, name, status, what string) error {
	for first := true; ; first = false {
		if !first {
			if err := sleepCtx(ctx, PollInterval); err != nil {
				return err
			}
		}
		op, err := c.Compute.GlobalOperations.Get(project, name).Context(ctx).Do()
		if err != nil {
			return classify(err, apiCompute, project, what)
		}
		if op.Status == "DONE" {
			if op.Error != nil && len(op.Error.Errors) > 0 {
				return &opError{op: what, msg: op.Error.Errors[0].Message}
			}
			return nil
		}
	}
}

// Connector reads a connector (inventory.ErrNotFound when it is gone).
func (c *Clients) Connector(ctx context.Context, id string) (*inventory.Connector, error) {
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	cn, err := c.VPCAccess.GetConnector(ctx, &vpcaccesspb.GetConnectorRequest{Name: id})
	if err != nil {
		return nil, classify(err, apiVPCAccess, inventory.NameSegment(id, "projects"), "reading connector "+id)
	}
	conn := connectorOf(inventory.NameSegment(id, "projects"), inventory.NameSegment(id, "locations"), cn)
	return &conn, nil
}

// DeleteConnector deletes a connector and waits for it to be gone.
func (c *Clients) DeleteConnector(ctx context.Context, id string) error {
	what := "deleting connector " + id
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	op, err := c.VPCAccess.DeleteConnector(ctx, &vpcaccesspb.DeleteConnectorRequest{Name: id})
	if err != nil {
		return classify(err, apiVPCAccess, inventory.NameSegment(id, "projects"), what)
	}
	if err := op.Wait(ctx); err != nil {
		return waitErr(err, what)
	}
	return nil
}

// ConnectorUsers reads afresh every consumer kind in every project given
// and returns the IDs of those that use the connector. Any read that fails
// makes it fail: a connector is never called unused on partial knowledge.
func (c *Clients) ConnectorUsers(ctx context.Context, connector string, projects []string) ([]string, error) {
	region := inventory.NameSegment(connector, "locations")
	col := &collector{c: c, opts: CollectOptions{Regions: []string{region}}, sem: make(chan struct{}, 8), retry: DefaultRetry,
		coverage: map[string]*inventory.Coverage{}, numbers: map[string]string{}, snap: &inventory.Snapshot{}}
	done := make(chan struct{})
	n := 0
	for _, p := range projects {
		for _, f := range []func(){
			func() { col.services(ctx, p, region) }, func() { col.jobs(ctx, p, region) }, func() { col.workerPools(ctx, p, region) },
			func() { col.functions(ctx, p) }, func() { col.appEngine(ctx, p) },
		} {
			n++
			go func() { f(); done <- struct{}{} }()
		}
	}
	for i := 0; i < n; i++ {
		<-done
	}
	for _, k := range sortedKeys(col.coverage) {
		cv := col.coverage[k]
		if cv.Status == inventory.CoverageError || cv.Status == inventory.CoverageDenied {
			return nil, fmt.Errorf("cannot tell whether connector %s is still used: %s %s: %s", connector, cv.Project, cv.API, cv.Detail)
		}
	}
	// Project numbers in references: map them through a fresh lookup.
	var users []string
	for _, cons := range col.snap.Consumers {
		if sameConnector(cons.Connector, connector, c, ctx) {
			users = append(users, cons.ID)
		}
	}
	sort.Strings(users)
	return users, nil
}

// sameConnector compares connector names that may use a project number.
func sameConnector(ref, connector string, c *Clients, ctx context.Context) bool {
	if ref == "" {
		return false
	}
	if ref == connector {
		return true
	}
	if inventory.LastSegment(ref) != inventory.LastSegment(connector) || inventory.NameSegment(ref, "locations") != inventory.NameSegment(connector, "locations") {
		return false
	}
	// Same name and region, different project spelling: resolve the number.
	pr, err := c.Compute.Projects.Get(inventory.NameSegment(connector, "projects")).Context(ctx).Do()
	if err != nil {
		return true // cannot tell: treat as a user (safe side)
	}
	return fmt.Sprint(pr.Id) == inventory.NameSegment(ref, "projects")
}
