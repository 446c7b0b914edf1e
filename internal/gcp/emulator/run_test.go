package emulator

import (
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/iam/apiv1/iampb"
	run "cloud.google.com/go/run/apiv2"
	"cloud.google.com/go/run/apiv2/runpb"
	gax "github.com/googleapis/gax-go/v2"
	"github.com/googleapis/gax-go/v2/apierror"
	"google.golang.org/api/iterator"
	"google.golang.org/genproto/googleapis/cloud/location"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

const runScenario = `
projects:
  - projectId: p1
    projectNumber: "111111111111"
    regions: [us-central1, europe-west1]
    networks:
      - name: default
    subnetworks:
      - name: default
        region: https://www.googleapis.com/compute/v1/projects/p1/regions/us-central1
        network: https://www.googleapis.com/compute/v1/projects/p1/global/networks/default
    connectors:
      - name: projects/p1/locations/us-central1/connectors/conn1
        network: default
        ipCidrRange: 10.8.0.0/28
        state: READY
    services:
      - name: projects/p1/locations/us-central1/services/api
        template:
          vpcAccess:
            connector: projects/111111111111/locations/us-central1/connectors/conn1
            egress: ALL_TRAFFIC
          containers:
            - image: us-docker.pkg.dev/cloudrun/container/hello
      - name: projects/p1/locations/us-central1/services/web
        latestReadyRevision: web-00007-abc
        generation: "7"
        template:
          containers:
            - image: us-docker.pkg.dev/cloudrun/container/hello
      - name: projects/p1/locations/us-central1/services/worker
      - name: projects/p1/locations/europe-west1/services/eu
    iamPolicies:
      projects/p1/locations/us-central1/services/api:
        bindings:
          - role: roles/run.invoker
            members: [allUsers]
    jobs:
      - name: projects/p1/locations/us-central1/jobs/nightly
        template:
          template:
            vpcAccess:
              connector: projects/p1/locations/us-central1/connectors/conn1
              egress: ALL_TRAFFIC
            containers:
              - image: us-docker.pkg.dev/cloudrun/container/job
      - name: projects/p1/locations/us-central1/jobs/hourly
    workerPools:
      - name: projects/p1/locations/us-central1/workerPools/pool
        template:
          vpcAccess:
            connector: projects/p1/locations/us-central1/connectors/conn1
          containers:
            - image: us-docker.pkg.dev/cloudrun/container/pool
      - name: projects/p1/locations/us-central1/workerPools/pool2
  - projectId: svc
    projectNumber: "222222222222"
    sharedVpcHost: host
    regions: [us-central1]
    services:
      - name: projects/svc/locations/us-central1/services/shared
  - projectId: host
    projectNumber: "333333333333"
    regions: [us-central1]
    networks:
      - name: shared-net
    subnetworks:
      - name: run-subnet
        region: us-central1
        network: projects/host/global/networks/shared-net
`

const apiService = "projects/p1/locations/us-central1/services/api"

type runTestClients struct {
	services *run.ServicesClient
	revs     *run.RevisionsClient
	jobs     *run.JobsClient
	pools    *run.WorkerPoolsClient
	locs     *run.LocationsClient
}

func newRunClients(t *testing.T, srv *Server) runTestClients {
	t.Helper()
	return runTestClients{
		services: newGRPCClient(t, srv, run.NewServicesClient),
		revs:     newGRPCClient(t, srv, run.NewRevisionsClient),
		jobs:     newGRPCClient(t, srv, run.NewJobsClient),
		pools:    newGRPCClient(t, srv, run.NewWorkerPoolsClient),
		locs:     newGRPCClient(t, srv, run.NewLocationsClient),
	}
}

func wantCode(t *testing.T, err error, code codes.Code, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %v error, got none", code)
	}
	st, _ := status.FromError(err)
	if st.Code() != code {
		t.Fatalf("want %v, got %v: %v", code, st.Code(), err)
	}
	if !strings.Contains(st.Message(), contains) {
		t.Fatalf("error message %q does not contain %q", st.Message(), contains)
	}
}

func listServiceNames(t *testing.T, c *run.ServicesClient, parent string, pageSize int32, opts ...gax.CallOption) []string {
	t.Helper()
	svcs, err := drain(c.ListServices(testCtx(t), &runpb.ListServicesRequest{Parent: parent, PageSize: pageSize}, opts...).Next)
	if err != nil {
		t.Fatalf("ListServices: %v", err)
	}
	return namesOf(svcs, (*runpb.Service).GetName)
}

func TestRunListServicesPagesAndSeedsStatus(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	names := listServiceNames(t, c.services, "projects/p1/locations/us-central1", 1)
	want := []string{apiService, "projects/p1/locations/us-central1/services/web", "projects/p1/locations/us-central1/services/worker"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("services %v, want %v", names, want)
	}
	if n := srv.Calls("google.cloud.run.v2.Services/ListServices"); n != 3 {
		t.Fatalf("ListServices calls %d, want 3 (one per page)", n)
	}
	// Project number works as well as the ID.
	if got := listServiceNames(t, c.services, "projects/111111111111/locations/europe-west1", 0); len(got) != 1 {
		t.Fatalf("europe-west1 services %v", got)
	}

	svc, err := c.services.GetService(testCtx(t), &runpb.GetServiceRequest{Name: apiService})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Generation != 1 || svc.ObservedGeneration != 1 || svc.Etag == "" || svc.Reconciling {
		t.Fatalf("seeded generation/etag: %d/%d/%q/%v", svc.Generation, svc.ObservedGeneration, svc.Etag, svc.Reconciling)
	}
	if !strings.HasPrefix(svc.Uri, "https://api-") || !strings.HasSuffix(svc.Uri, "-uc.a.run.app") {
		t.Fatalf("uri %q", svc.Uri)
	}
	if !strings.HasPrefix(svc.LatestReadyRevision, apiService+"/revisions/api-00001-") || svc.LatestCreatedRevision != svc.LatestReadyRevision {
		t.Fatalf("revisions: ready %q created %q", svc.LatestReadyRevision, svc.LatestCreatedRevision)
	}
	if len(svc.TrafficStatuses) != 1 || svc.TrafficStatuses[0].Type != trafficLatest || svc.TrafficStatuses[0].Percent != 100 {
		t.Fatalf("traffic statuses %v", svc.TrafficStatuses)
	}
	if svc.TerminalCondition.GetState() != runpb.Condition_CONDITION_SUCCEEDED {
		t.Fatalf("terminal condition %v", svc.TerminalCondition)
	}
	web, _ := srv.Service("projects/111111111111/locations/us-central1/services/web")
	if web.GetLatestReadyRevision() != "projects/p1/locations/us-central1/services/web/revisions/web-00007-abc" || web.Generation != 7 {
		t.Fatalf("web keeps its scenario revision: %q gen %d", web.GetLatestReadyRevision(), web.Generation)
	}
}

func TestRunListServicesRejectsWildcardAndUnknownProject(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	_, err := c.services.ListServices(ctx, &runpb.ListServicesRequest{Parent: "projects/p1/locations/-"}).Next()
	wantCode(t, err, codes.InvalidArgument, `cannot be the "-" wildcard`)
	// A real region the project has nothing in lists nothing; a region
	// that does not exist is refused.
	if _, err = c.services.ListServices(ctx, &runpb.ListServicesRequest{Parent: "projects/p1/locations/asia-east1"}).Next(); err != iterator.Done {
		t.Fatalf("asia-east1: %v, want an empty list", err)
	}
	_, err = c.services.ListServices(ctx, &runpb.ListServicesRequest{Parent: "projects/p1/locations/mars-east1"}).Next()
	wantCode(t, err, codes.InvalidArgument, "mars-east1")
	_, err = c.services.ListServices(ctx, &runpb.ListServicesRequest{Parent: "projects/nope/locations/us-central1"}).Next()
	wantCode(t, err, codes.PermissionDenied, "nope")
}

func TestRunGetServiceNotFound(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	_, err := c.services.GetService(testCtx(t), &runpb.GetServiceRequest{Name: "projects/p1/locations/us-central1/services/missing"})
	wantCode(t, err, codes.NotFound, "Resource 'missing' of kind 'SERVICE' in region 'us-central1' in project 'p1' does not exist.")
}

func TestRunGetIamPolicy(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	pol, err := c.services.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: "projects/111111111111/locations/us-central1/services/api"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pol.Bindings) != 1 || pol.Bindings[0].Role != "roles/run.invoker" || pol.Bindings[0].Members[0] != "allUsers" {
		t.Fatalf("policy %v", pol)
	}
	pol, err = c.services.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: "projects/p1/locations/us-central1/services/web"})
	if err != nil || len(pol.Bindings) != 0 {
		t.Fatalf("web policy %v, %v", pol, err)
	}
	_, err = c.services.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: "projects/p1/locations/us-central1/services/missing"})
	wantCode(t, err, codes.NotFound, "missing")
}

// The migration this tool performs: connector → Direct VPC egress with
// PRIVATE_RANGES_ONLY as a 0% tagged revision, then 10/90, then 100%.
func TestRunUpdateServiceMigratesToDirectVPCWithCanary(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)

	svc, err := c.services.GetService(ctx, &runpb.GetServiceRequest{Name: apiService})
	if err != nil {
		t.Fatal(err)
	}
	oldRev := shortRevision(svc.LatestReadyRevision)
	oldEtag := svc.Etag
	svc.Template.VpcAccess = &runpb.VpcAccess{
		Egress:            runpb.VpcAccess_PRIVATE_RANGES_ONLY,
		NetworkInterfaces: []*runpb.VpcAccess_NetworkInterface{{Network: "default", Subnetwork: "default"}},
	}
	svc.Traffic = []*runpb.TrafficTarget{
		{Type: trafficRevision, Revision: oldRev, Percent: 100},
		{Type: trafficLatest, Percent: 0, Tag: "direct"},
	}
	op, err := c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: svc})
	if err != nil {
		t.Fatalf("UpdateService: %v", err)
	}
	if !strings.HasPrefix(op.Name(), "projects/p1/locations/us-central1/operations/") {
		t.Fatalf("operation name %q", op.Name())
	}
	got, err := op.Wait(ctx)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	newRev := shortRevision(got.LatestCreatedRevision)
	if got.Generation != 2 || got.ObservedGeneration != 2 || got.Etag == oldEtag || newRev == oldRev || got.LatestReadyRevision != got.LatestCreatedRevision {
		t.Fatalf("after canary deploy: gen %d/%d etag %q ready %q created %q", got.Generation, got.ObservedGeneration, got.Etag, got.LatestReadyRevision, got.LatestCreatedRevision)
	}
	if !strings.HasPrefix(newRev, "api-00002-") {
		t.Fatalf("new revision %q", newRev)
	}
	if ts := got.TrafficStatuses; len(ts) != 2 || ts[0].Revision != oldRev || ts[0].Percent != 100 ||
		ts[1].Type != trafficLatest || ts[1].Percent != 0 || ts[1].Tag != "direct" ||
		ts[1].Uri != "https://direct---"+strings.TrimPrefix(got.Uri, "https://") {
		t.Fatalf("traffic statuses %v", ts)
	}
	revs := srv.Revisions(apiService)
	if len(revs) != 2 {
		t.Fatalf("%d revisions, want 2", len(revs))
	}
	nr := revs[1]
	if nr.VpcAccess.GetConnector() != "" || len(nr.VpcAccess.GetNetworkInterfaces()) != 1 || nr.VpcAccess.Egress != runpb.VpcAccess_PRIVATE_RANGES_ONLY ||
		nr.Conditions[0].State != runpb.Condition_CONDITION_SUCCEEDED || nr.Service != apiService || len(nr.Containers) != 1 {
		t.Fatalf("new revision %v", nr)
	}

	// 10% to the new revision by name.
	got.Traffic = []*runpb.TrafficTarget{
		{Type: trafficRevision, Revision: oldRev, Percent: 90},
		{Type: trafficRevision, Revision: newRev, Percent: 10, Tag: "direct"},
	}
	op, err = c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: got})
	if err != nil {
		t.Fatal(err)
	}
	got, err = op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Generation != 3 || len(srv.Revisions(apiService)) != 2 {
		t.Fatalf("a traffic-only update bumps the generation (%d) and creates no revision (%d)", got.Generation, len(srv.Revisions(apiService)))
	}
	if ts := got.TrafficStatuses; len(ts) != 2 || ts[1].Revision != newRev || ts[1].Percent != 10 || ts[1].Uri == "" {
		t.Fatalf("traffic statuses %v", ts)
	}

	// All traffic to the latest revision (empty traffic means that).
	got.Traffic = nil
	op, err = c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: got})
	if err != nil {
		t.Fatal(err)
	}
	got, err = op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ts := got.TrafficStatuses; len(ts) != 1 || ts[0].Type != trafficLatest || ts[0].Percent != 100 {
		t.Fatalf("traffic statuses %v", ts)
	}
	stored, _ := srv.Service(apiService)
	if stored.Generation != 4 || stored.Template.VpcAccess.GetConnector() != "" || shortRevision(stored.LatestReadyRevision) != newRev {
		t.Fatalf("stored %v", stored)
	}

	// The revisions through the Revisions API.
	it := c.revs.ListRevisions(ctx, &runpb.ListRevisionsRequest{Parent: apiService, PageSize: 1})
	var names []string
	for {
		r, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, shortRevision(r.Name))
	}
	if len(names) != 2 || names[0] != oldRev || names[1] != newRev {
		t.Fatalf("revisions %v", names)
	}
	r, err := c.revs.GetRevision(ctx, &runpb.GetRevisionRequest{Name: apiService + "/revisions/" + newRev})
	if err != nil || r.VpcAccess.Egress != runpb.VpcAccess_PRIVATE_RANGES_ONLY {
		t.Fatalf("GetRevision %v, %v", r, err)
	}
}

func TestRunUpdateServiceTrafficValidation(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	svc, err := c.services.GetService(ctx, &runpb.GetServiceRequest{Name: apiService})
	if err != nil {
		t.Fatal(err)
	}
	svc.Traffic = []*runpb.TrafficTarget{{Type: trafficLatest, Percent: 50}}
	_, err = c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: svc})
	wantCode(t, err, codes.InvalidArgument, "must add up to 100")

	// Traffic to a revision that does not exist fails the operation.
	svc.Traffic = []*runpb.TrafficTarget{{Type: trafficRevision, Revision: "api-00009-zzz", Percent: 100}}
	op, err := c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	_, err = op.Wait(ctx)
	wantCode(t, err, codes.Internal, "Revision 'api-00009-zzz' does not exist or is deleted.")
	if after, _ := srv.Service(apiService); after.Generation != 1 {
		t.Fatalf("failed update changed the service: generation %d", after.Generation)
	}
}

func TestRunUpdateServiceValidateOnlyDoesNotPersist(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	before, _ := srv.Service(apiService)
	svc := cloneProto(before)
	svc.Template.VpcAccess = &runpb.VpcAccess{NetworkInterfaces: []*runpb.VpcAccess_NetworkInterface{{Subnetwork: "default"}}}
	op, err := c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: svc, ValidateOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Template.VpcAccess.GetNetworkInterfaces()) != 1 {
		t.Fatalf("validate_only answer %v", got.Template.VpcAccess)
	}
	after, _ := srv.Service(apiService)
	if after.Etag != before.Etag || after.Generation != 1 || after.Template.VpcAccess.GetConnector() == "" || len(srv.Revisions(apiService)) != 1 {
		t.Fatalf("validate_only persisted: %v", after)
	}
	// validate_only still rejects what is invalid.
	svc.Template.VpcAccess = &runpb.VpcAccess{NetworkInterfaces: []*runpb.VpcAccess_NetworkInterface{{Subnetwork: "nope"}}}
	_, err = c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: svc, ValidateOnly: true})
	wantCode(t, err, codes.InvalidArgument, "nope")
}

func TestRunUpdateServiceStaleEtagIsAborted(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	svc, err := c.services.GetService(ctx, &runpb.GetServiceRequest{Name: apiService})
	if err != nil {
		t.Fatal(err)
	}
	stale := cloneProto(svc)
	svc.Labels = map[string]string{"team": "a"}
	op, err := c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	stale.Labels = map[string]string{"team": "b"}
	_, err = c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: stale})
	wantCode(t, err, codes.Aborted, "etag")
	if after, _ := srv.Service(apiService); after.Labels["team"] != "a" {
		t.Fatalf("labels %v", after.Labels)
	}
}

func TestRunUpdateServiceRejectsBothOrNeitherConnectorAndInterfaces(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	const msg = "one and only one of connector and network_interfaces must be set"
	for name, va := range map[string]*runpb.VpcAccess{
		"both": {
			Connector:         "projects/p1/locations/us-central1/connectors/conn1",
			NetworkInterfaces: []*runpb.VpcAccess_NetworkInterface{{Network: "default"}},
		},
		"neither": {Egress: runpb.VpcAccess_PRIVATE_RANGES_ONLY},
	} {
		t.Run(name, func(t *testing.T) {
			svc, _ := srv.Service(apiService)
			svc.Template.VpcAccess = va
			_, err := c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: svc})
			wantCode(t, err, codes.InvalidArgument, msg)
			if !strings.HasSuffix(status.Convert(err).Message(), msg+".") {
				t.Fatalf("message %q", status.Convert(err).Message())
			}
		})
	}
}

func TestRunUpdateServiceNetworkInterfaces(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	update := func(name string, ni *runpb.VpcAccess_NetworkInterface) error {
		svc, _ := srv.Service(name)
		svc.Template.VpcAccess = &runpb.VpcAccess{NetworkInterfaces: []*runpb.VpcAccess_NetworkInterface{ni}}
		op, err := c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: svc})
		if err != nil {
			return err
		}
		_, err = op.Wait(ctx)
		return err
	}
	for _, ni := range []*runpb.VpcAccess_NetworkInterface{
		{Network: "default"},
		{Subnetwork: "projects/p1/regions/us-central1/subnetworks/default"},
		{Network: "https://www.googleapis.com/compute/v1/projects/p1/global/networks/default",
			Subnetwork: "https://www.googleapis.com/compute/v1/projects/p1/regions/us-central1/subnetworks/default"},
	} {
		if err := update(apiService, ni); err != nil {
			t.Fatalf("%v: %v", ni, err)
		}
	}
	// A Shared VPC service project uses its host's subnetwork.
	shared := "projects/svc/locations/us-central1/services/shared"
	if err := update(shared, &runpb.VpcAccess_NetworkInterface{Network: "shared-net", Subnetwork: "run-subnet"}); err != nil {
		t.Fatalf("shared VPC: %v", err)
	}
	if err := update(shared, &runpb.VpcAccess_NetworkInterface{Subnetwork: "projects/host/regions/us-central1/subnetworks/run-subnet"}); err != nil {
		t.Fatalf("shared VPC by path: %v", err)
	}
	wantCode(t, update(apiService, &runpb.VpcAccess_NetworkInterface{Network: "nope"}), codes.InvalidArgument, "'nope'")
	wantCode(t, update(apiService, &runpb.VpcAccess_NetworkInterface{Subnetwork: "projects/p1/regions/us-central1/subnetworks/gone"}), codes.InvalidArgument, "gone")
	wantCode(t, update(apiService, &runpb.VpcAccess_NetworkInterface{Subnetwork: "projects/p1/regions/europe-west1/subnetworks/default"}), codes.InvalidArgument, "europe-west1")
}

// A connector deleted while a service still uses it: the update is
// accepted, but its new revision never becomes ready, the operation fails
// and traffic stays on the previous revision.
func TestRunUpdateWithDeletedConnectorLeavesRevisionNotReady(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	srv.mu.Lock()
	p := srv.projects["p1"]
	p.Connectors = p.Connectors[:0]
	srv.mu.Unlock()

	before, _ := srv.Service(apiService)
	svc := cloneProto(before)
	svc.Template.Containers[0].Env = []*runpb.EnvVar{{Name: "A", Values: &runpb.EnvVar_Value{Value: "1"}}}
	op, err := c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: svc})
	if err != nil {
		t.Fatalf("UpdateService: %v", err)
	}
	_, err = op.Wait(ctx)
	wantCode(t, err, codes.FailedPrecondition, "is not ready and cannot serve traffic. VPC connector projects/111111111111/locations/us-central1/connectors/conn1 does not exist, or Cloud Run does not have permission to use it.")
	after, _ := srv.Service(apiService)
	if after.LatestReadyRevision != before.LatestReadyRevision || after.LatestCreatedRevision == before.LatestCreatedRevision {
		t.Fatalf("ready %q created %q", after.LatestReadyRevision, after.LatestCreatedRevision)
	}
	if after.TerminalCondition.GetState() != runpb.Condition_CONDITION_FAILED || !strings.Contains(after.TerminalCondition.Message, "Revision 'api-00002-") {
		t.Fatalf("terminal condition %v", after.TerminalCondition)
	}
	if len(after.TrafficStatuses) != 1 || after.TrafficStatuses[0].Percent != 100 {
		t.Fatalf("traffic statuses %v", after.TrafficStatuses)
	}
	revs := srv.Revisions(apiService)
	if len(revs) != 2 || revs[1].Conditions[0].State != runpb.Condition_CONDITION_FAILED {
		t.Fatalf("revisions %v", revs)
	}
	// Moving to Direct VPC egress repairs it.
	after.Template.VpcAccess = &runpb.VpcAccess{NetworkInterfaces: []*runpb.VpcAccess_NetworkInterface{{Subnetwork: "default"}}}
	op, err = c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: after})
	if err != nil {
		t.Fatal(err)
	}
	got, err := op.Wait(ctx)
	if err != nil || got.TerminalCondition.GetState() != runpb.Condition_CONDITION_SUCCEEDED || got.LatestReadyRevision != got.LatestCreatedRevision {
		t.Fatalf("repair: %v, %v", got, err)
	}
}

func TestRunUpdateServiceOperationFault(t *testing.T) {
	srv := startYAML(t, runScenario)
	if err := srv.InjectFault(Fault{Method: "google.cloud.run.v2.Services/UpdateService", Code: "INTERNAL", Operation: true, Times: 1, Message: "deploy failed"}); err != nil {
		t.Fatal(err)
	}
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	before, _ := srv.Service(apiService)
	svc := cloneProto(before)
	svc.Template.VpcAccess = &runpb.VpcAccess{NetworkInterfaces: []*runpb.VpcAccess_NetworkInterface{{Subnetwork: "default"}}}
	op, err := c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: svc})
	if err != nil {
		t.Fatalf("UpdateService: %v", err)
	}
	_, err = op.Wait(ctx)
	wantCode(t, err, codes.Internal, "deploy failed")
	got, err := c.services.GetService(ctx, &runpb.GetServiceRequest{Name: apiService})
	if err != nil {
		t.Fatal(err)
	}
	if got.Etag != before.Etag || got.LatestReadyRevision != before.LatestReadyRevision || got.Template.VpcAccess.GetConnector() == "" {
		t.Fatalf("service changed by a failed operation: %v", got)
	}
	// The next attempt goes through.
	op, err = c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRunUpdateServiceWithUpdateMask(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	op, err := c.services.UpdateService(ctx, &runpb.UpdateServiceRequest{
		Service: &runpb.Service{
			Name:     apiService,
			Labels:   map[string]string{"only": "this"},
			Template: &runpb.RevisionTemplate{VpcAccess: &runpb.VpcAccess{Connector: "ignored, not in the mask"}},
		},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Labels["only"] != "this" || got.Template.VpcAccess.GetConnector() != "projects/111111111111/locations/us-central1/connectors/conn1" {
		t.Fatalf("masked update %v", got)
	}
}

func TestRunListServicesRetriesUnavailable(t *testing.T) {
	srv := startYAML(t, `
faults:
  - {method: google.cloud.run.v2.Services/ListServices, code: UNAVAILABLE, times: 1}
`+strings.TrimPrefix(runScenario, "\n"))
	c := newRunClients(t, srv)
	// The client's own retry policy retries UNAVAILABLE after ~1 s; the
	// same policy with a 1 ms backoff keeps the test fast.
	fast := gax.WithRetry(func() gax.Retryer {
		return gax.OnCodes([]codes.Code{codes.Unavailable}, gax.Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond, Multiplier: 1.3})
	})
	names := listServiceNames(t, c.services, "projects/p1/locations/us-central1", 0, fast)
	if len(names) != 3 {
		t.Fatalf("services %v", names)
	}
	if n := srv.Calls("google.cloud.run.v2.Services/ListServices"); n != 2 {
		t.Fatalf("ListServices calls %d, want 2 (one failure, one retry)", n)
	}
}

func TestRunDisabledAPIAndDeniedPermission(t *testing.T) {
	srv := startYAML(t, `
projects:
  - projectId: off
    projectNumber: "444444444444"
    disabledApis: [run.googleapis.com]
    services:
      - name: projects/off/locations/us-central1/services/a
  - projectId: locked
    projectNumber: "555555555555"
    deniedPermissions: [run.services.list]
    services:
      - name: projects/locked/locations/us-central1/services/a
`)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	_, err := c.services.ListServices(ctx, &runpb.ListServicesRequest{Parent: "projects/off/locations/us-central1"}).Next()
	wantCode(t, err, codes.PermissionDenied, "Cloud Run Admin API has not been used in project 444444444444")
	ae, ok := apierror.FromError(err)
	if !ok || ae.Reason() != "SERVICE_DISABLED" || ae.Metadata()["service"] != "run.googleapis.com" {
		t.Fatalf("ErrorInfo: %v", err)
	}
	_, err = c.jobs.GetJob(ctx, &runpb.GetJobRequest{Name: "projects/off/locations/us-central1/jobs/j"})
	wantCode(t, err, codes.PermissionDenied, "Cloud Run Admin API")

	_, err = c.services.ListServices(ctx, &runpb.ListServicesRequest{Parent: "projects/locked/locations/us-central1"}).Next()
	wantCode(t, err, codes.PermissionDenied, "Permission 'run.services.list' denied on resource 'projects/locked'")
	// Other permissions are still granted.
	if _, err := c.services.GetService(ctx, &runpb.GetServiceRequest{Name: "projects/locked/locations/us-central1/services/a"}); err != nil {
		t.Fatal(err)
	}
}

func TestRunRevisions(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	it := c.revs.ListRevisions(ctx, &runpb.ListRevisionsRequest{Parent: "projects/p1/locations/us-central1/services/-", PageSize: 2})
	n := 0
	for {
		r, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Conditions[0].State != runpb.Condition_CONDITION_SUCCEEDED {
			t.Fatalf("revision %v", r)
		}
		n++
	}
	if n != 3 {
		t.Fatalf("%d revisions in us-central1, want 3", n)
	}
	if calls := srv.Calls("google.cloud.run.v2.Revisions/ListRevisions"); calls != 2 {
		t.Fatalf("ListRevisions calls %d, want 2", calls)
	}
	_, err := c.revs.GetRevision(ctx, &runpb.GetRevisionRequest{Name: apiService + "/revisions/api-99999-xyz"})
	wantCode(t, err, codes.NotFound, "api-99999-xyz")
	_, err = c.revs.ListRevisions(ctx, &runpb.ListRevisionsRequest{Parent: "projects/p1/locations/us-central1/services/missing"}).Next()
	wantCode(t, err, codes.NotFound, "missing")
	web, err := c.revs.GetRevision(ctx, &runpb.GetRevisionRequest{Name: "projects/p1/locations/us-central1/services/web/revisions/web-00007-abc"})
	if err != nil || len(web.Containers) != 1 {
		t.Fatalf("web revision %v, %v", web, err)
	}
}

func TestRunJobs(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	it := c.jobs.ListJobs(ctx, &runpb.ListJobsRequest{Parent: "projects/p1/locations/us-central1", PageSize: 1})
	var names []string
	for {
		j, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, lastSegment(j.Name))
	}
	if strings.Join(names, ",") != "hourly,nightly" || srv.Calls("google.cloud.run.v2.Jobs/ListJobs") != 2 {
		t.Fatalf("jobs %v in %d calls", names, srv.Calls("google.cloud.run.v2.Jobs/ListJobs"))
	}
	_, err := c.jobs.GetJob(ctx, &runpb.GetJobRequest{Name: "projects/p1/locations/us-central1/jobs/missing"})
	wantCode(t, err, codes.NotFound, "Resource 'missing' of kind 'JOB'")

	job, err := c.jobs.GetJob(ctx, &runpb.GetJobRequest{Name: "projects/p1/locations/us-central1/jobs/nightly"})
	if err != nil {
		t.Fatal(err)
	}
	job.Template.Template.VpcAccess.NetworkInterfaces = []*runpb.VpcAccess_NetworkInterface{{Network: "default"}}
	_, err = c.jobs.UpdateJob(ctx, &runpb.UpdateJobRequest{Job: job})
	wantCode(t, err, codes.InvalidArgument, "UpdateJobRequest.job.template.template.vpc_access.connector: one and only one of connector and network_interfaces must be set")

	job.Template.Template.VpcAccess = &runpb.VpcAccess{Egress: runpb.VpcAccess_PRIVATE_RANGES_ONLY, NetworkInterfaces: []*runpb.VpcAccess_NetworkInterface{{Network: "default"}}}
	op, err := c.jobs.UpdateJob(ctx, &runpb.UpdateJobRequest{Job: job})
	if err != nil {
		t.Fatal(err)
	}
	got, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Generation != 2 || got.Etag == job.Etag || got.Template.Template.VpcAccess.GetConnector() != "" {
		t.Fatalf("updated job %v", got)
	}
	stored, _ := srv.Job("projects/222222222222/locations/us-central1/jobs/nightly")
	if stored != nil {
		t.Fatalf("job found under another project's number")
	}
	stored, _ = srv.Job("projects/111111111111/locations/us-central1/jobs/nightly")
	if stored.GetGeneration() != 2 {
		t.Fatalf("stored job %v", stored)
	}
	// Stale etag.
	_, err = c.jobs.UpdateJob(ctx, &runpb.UpdateJobRequest{Job: job})
	wantCode(t, err, codes.Aborted, "etag")
	// validate_only does not persist.
	got.Labels = map[string]string{"x": "y"}
	op, err = c.jobs.UpdateJob(ctx, &runpb.UpdateJobRequest{Job: got, ValidateOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if j, _ := srv.Job(got.Name); j.Labels["x"] != "" {
		t.Fatalf("validate_only persisted %v", j.Labels)
	}
}

func TestRunWorkerPools(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	_, err := c.pools.ListWorkerPools(ctx, &runpb.ListWorkerPoolsRequest{Parent: "projects/p1/locations/-"}).Next()
	wantCode(t, err, codes.InvalidArgument, `cannot be the "-" wildcard`)
	it := c.pools.ListWorkerPools(ctx, &runpb.ListWorkerPoolsRequest{Parent: "projects/p1/locations/us-central1", PageSize: 1})
	var names []string
	for {
		w, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, lastSegment(w.Name))
	}
	if strings.Join(names, ",") != "pool,pool2" || srv.Calls("google.cloud.run.v2.WorkerPools/ListWorkerPools") != 3 {
		t.Fatalf("worker pools %v", names)
	}
	_, err = c.pools.GetWorkerPool(ctx, &runpb.GetWorkerPoolRequest{Name: "projects/p1/locations/us-central1/workerPools/missing"})
	wantCode(t, err, codes.NotFound, "of kind 'WORKER_POOL'")

	wp, err := c.pools.GetWorkerPool(ctx, &runpb.GetWorkerPoolRequest{Name: "projects/p1/locations/us-central1/workerPools/pool"})
	if err != nil {
		t.Fatal(err)
	}
	if wp.LatestReadyRevision == "" || len(wp.InstanceSplitStatuses) != 1 {
		t.Fatalf("seeded worker pool %v", wp)
	}
	wp.Template.VpcAccess = &runpb.VpcAccess{}
	_, err = c.pools.UpdateWorkerPool(ctx, &runpb.UpdateWorkerPoolRequest{WorkerPool: wp})
	wantCode(t, err, codes.InvalidArgument, "UpdateWorkerPoolRequest.worker_pool.template.vpc_access.connector: one and only one of connector and network_interfaces must be set")

	wp.Template.VpcAccess = &runpb.VpcAccess{NetworkInterfaces: []*runpb.VpcAccess_NetworkInterface{{Subnetwork: "default"}}}
	op, err := c.pools.UpdateWorkerPool(ctx, &runpb.UpdateWorkerPoolRequest{WorkerPool: wp})
	if err != nil {
		t.Fatal(err)
	}
	got, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Generation != 2 || got.LatestReadyRevision == wp.LatestReadyRevision || got.LatestReadyRevision != got.LatestCreatedRevision {
		t.Fatalf("updated worker pool %v", got)
	}
	if revs := srv.Revisions(got.Name); len(revs) != 2 || len(revs[1].VpcAccess.GetNetworkInterfaces()) != 1 {
		t.Fatalf("worker pool revisions %v", revs)
	}
	// An operation fault leaves it as it was.
	if err := srv.InjectFault(Fault{Method: "google.cloud.run.v2.WorkerPools/UpdateWorkerPool", Operation: true, Times: 1}); err != nil {
		t.Fatal(err)
	}
	got.Labels = map[string]string{"a": "b"}
	op, err = c.pools.UpdateWorkerPool(ctx, &runpb.UpdateWorkerPoolRequest{WorkerPool: got})
	if err != nil {
		t.Fatal(err)
	}
	_, err = op.Wait(ctx)
	wantCode(t, err, codes.Internal, "")
	if w, _ := srv.WorkerPool(got.Name); w.Generation != 2 {
		t.Fatalf("faulted update persisted: %v", w)
	}
}

func TestRunLocations(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	it := c.locs.ListLocations(ctx, &location.ListLocationsRequest{Name: "projects/p1", PageSize: 1})
	var ids []string
	for {
		l, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if l.Name != "projects/p1/locations/"+l.LocationId {
			t.Fatalf("location %v", l)
		}
		ids = append(ids, l.LocationId)
	}
	if strings.Join(ids, ",") != "europe-west1,us-central1" || srv.Calls("google.cloud.location.Locations/ListLocations") != 2 {
		t.Fatalf("locations %v", ids)
	}
	_, err := c.locs.ListLocations(ctx, &location.ListLocationsRequest{Name: "projects/nope"}).Next()
	wantCode(t, err, codes.PermissionDenied, "nope")
	l, err := c.locs.GetLocation(ctx, &location.GetLocationRequest{Name: "projects/p1/locations/us-central1"})
	if err != nil || l.LocationId != "us-central1" {
		t.Fatalf("GetLocation %v, %v", l, err)
	}
	_, err = c.locs.GetLocation(ctx, &location.GetLocationRequest{Name: "projects/p1/locations/asia-east1"})
	wantCode(t, err, codes.NotFound, "asia-east1")
}

func TestRunJobAndWorkerPoolWithDeletedConnector(t *testing.T) {
	srv := startYAML(t, runScenario)
	c := newRunClients(t, srv)
	ctx := testCtx(t)
	srv.mu.Lock()
	p := srv.projects["p1"]
	p.Connectors = nil
	srv.mu.Unlock()
	const gone = "VPC connector projects/p1/locations/us-central1/connectors/conn1 does not exist, or Cloud Run does not have permission to use it."

	job, _ := srv.Job("projects/p1/locations/us-central1/jobs/nightly")
	job.Labels = map[string]string{"touch": "1"}
	op, err := c.jobs.UpdateJob(ctx, &runpb.UpdateJobRequest{Job: job})
	if err != nil {
		t.Fatal(err)
	}
	_, err = op.Wait(ctx)
	wantCode(t, err, codes.FailedPrecondition, gone)
	if j, _ := srv.Job(job.Name); j.TerminalCondition.GetState() != runpb.Condition_CONDITION_FAILED {
		t.Fatalf("job condition %v", j.TerminalCondition)
	}

	wp, _ := srv.WorkerPool("projects/p1/locations/us-central1/workerPools/pool")
	wp.Template.Labels = map[string]string{"touch": "1"}
	op2, err := c.pools.UpdateWorkerPool(ctx, &runpb.UpdateWorkerPoolRequest{WorkerPool: wp})
	if err != nil {
		t.Fatal(err)
	}
	_, err = op2.Wait(ctx)
	wantCode(t, err, codes.FailedPrecondition, gone)
	after, _ := srv.WorkerPool(wp.Name)
	if after.LatestReadyRevision != wp.LatestReadyRevision || after.LatestCreatedRevision == wp.LatestCreatedRevision {
		t.Fatalf("worker pool revisions: ready %q created %q", after.LatestReadyRevision, after.LatestCreatedRevision)
	}
}
