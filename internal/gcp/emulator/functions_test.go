package emulator

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	cloudfunctions "google.golang.org/api/cloudfunctions/v2"
	"google.golang.org/api/googleapi"
)

const functionsScenario = `
projects:
  - projectId: acme-prod
    projectNumber: "123456789012"
    functions:
      - name: projects/acme-prod/locations/us-central1/functions/api
        environment: GEN_2
        labels: {team: web}
        serviceConfig:
          vpcConnector: projects/acme-prod/locations/us-central1/connectors/conn1
          vpcConnectorEgressSettings: ALL_TRAFFIC
          revision: api-00001-xyz
          availableMemory: 256M
      - name: projects/acme-prod/locations/europe-west1/functions/legacy
        environment: GEN_1
        serviceConfig:
          vpcConnector: projects/acme-prod/locations/europe-west1/connectors/conn2
          vpcConnectorEgressSettings: PRIVATE_RANGES_ONLY
      - name: projects/acme-prod/locations/us-central1/functions/worker
  - projectId: acme-dev
    projectNumber: "222222222222"
    disabledApis: [cloudfunctions.googleapis.com]
    functions:
      - name: projects/acme-dev/locations/us-central1/functions/hello
`

func newFunctionsService(t *testing.T, srv *Server) *cloudfunctions.Service {
	return newRESTService(t, srv, "/", cloudfunctions.NewService)
}

func TestFunctionsListAllLocationsPaged(t *testing.T) {
	srv := startYAML(t, functionsScenario)
	svc := newFunctionsService(t, srv)
	ctx := testCtx(t)

	var names []string
	pages := 0
	err := svc.Projects.Locations.Functions.List("projects/acme-prod/locations/-").PageSize(1).Pages(ctx, func(r *cloudfunctions.ListFunctionsResponse) error {
		pages++
		for _, f := range r.Functions {
			names = append(names, f.Name)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []string{
		"projects/acme-prod/locations/europe-west1/functions/legacy",
		"projects/acme-prod/locations/us-central1/functions/api",
		"projects/acme-prod/locations/us-central1/functions/worker",
	}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("names = %v, want %v", names, want)
	}
	if pages != 3 || srv.Calls(fnListPattern) != 3 {
		t.Fatalf("pages = %d, calls = %d, want 3 and 3", pages, srv.Calls(fnListPattern))
	}

	// One location, by project number; the defaults the seeder fills in.
	resp, err := svc.Projects.Locations.Functions.List("projects/123456789012/locations/us-central1").Context(ctx).Do()
	if err != nil {
		t.Fatalf("List us-central1: %v", err)
	}
	if len(resp.Functions) != 2 || resp.NextPageToken != "" {
		t.Fatalf("us-central1: %d functions, token %q; want 2 and none", len(resp.Functions), resp.NextPageToken)
	}
	w := resp.Functions[1]
	if w.State != "ACTIVE" || w.Environment != "GEN_2" || w.Url != "https://us-central1-acme-prod.cloudfunctions.net/worker" ||
		w.ServiceConfig == nil || w.ServiceConfig.Service != "projects/acme-prod/locations/us-central1/services/worker" {
		t.Fatalf("seeded worker = %+v / %+v", w, w.ServiceConfig)
	}

	// A bad page token.
	_, err = svc.Projects.Locations.Functions.List("projects/acme-prod/locations/-").PageToken("bogus").Context(ctx).Do()
	apiErr(t, err, http.StatusBadRequest, "")
}

func TestFunctionsGetNotFound(t *testing.T) {
	srv := startYAML(t, functionsScenario)
	svc := newFunctionsService(t, srv)
	ctx := testCtx(t)

	f, err := svc.Projects.Locations.Functions.Get("projects/acme-prod/locations/us-central1/functions/api").Context(ctx).Do()
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if f.ServiceConfig.VpcConnector != "projects/acme-prod/locations/us-central1/connectors/conn1" || f.Labels["team"] != "web" {
		t.Fatalf("Get = %+v", f.ServiceConfig)
	}

	_, err = svc.Projects.Locations.Functions.Get("projects/acme-prod/locations/us-central1/functions/nope").Context(ctx).Do()
	ge := apiErr(t, err, http.StatusNotFound, "")
	if !strings.Contains(ge.Message, "functions/nope") {
		t.Fatalf("message = %q", ge.Message)
	}
	// Same name in another location.
	_, err = svc.Projects.Locations.Functions.Get("projects/acme-prod/locations/europe-west1/functions/api").Context(ctx).Do()
	apiErr(t, err, http.StatusNotFound, "")
}

// pollFunctionOp polls an operation until it is done (done on the first
// poll by default).
func pollFunctionOp(t *testing.T, svc *cloudfunctions.Service, op *cloudfunctions.Operation) *cloudfunctions.Operation {
	t.Helper()
	ctx := testCtx(t)
	for i := 0; i < 5 && !op.Done; i++ {
		var err error
		op, err = svc.Projects.Locations.Operations.Get(op.Name).Context(ctx).Do()
		if err != nil {
			t.Fatalf("Operations.Get: %v", err)
		}
	}
	if !op.Done {
		t.Fatalf("operation %s not done after 5 polls", op.Name)
	}
	return op
}

func TestFunctionsUpdateConnectorToDirectVPC(t *testing.T) {
	srv := startYAML(t, functionsScenario)
	svc := newFunctionsService(t, srv)
	ctx := testCtx(t)
	const name = "projects/acme-prod/locations/us-central1/functions/api"

	patch := &cloudfunctions.Function{ServiceConfig: &cloudfunctions.ServiceConfig{
		DirectVpcNetworkInterface: []*cloudfunctions.DirectVpcNetworkInterface{{Network: "default", Subnetwork: "serverless", Tags: []string{"fn"}}},
		DirectVpcEgress:           "VPC_EGRESS_ALL_TRAFFIC",
	}}
	mask := "serviceConfig.vpcConnector,serviceConfig.vpcConnectorEgressSettings,serviceConfig.directVpcNetworkInterface,serviceConfig.directVpcEgress"
	op, err := svc.Projects.Locations.Functions.Patch(name, patch).UpdateMask(mask).Context(ctx).Do()
	if err != nil {
		t.Fatalf("Patch: %v", err)
	}
	if op.Done || !strings.HasPrefix(op.Name, "projects/acme-prod/locations/us-central1/operations/") {
		t.Fatalf("Patch returned %+v, want a not-done operation in the function's location", op)
	}
	var md cloudfunctions.GoogleCloudFunctionsV2OperationMetadata
	if err := json.Unmarshal(op.Metadata, &md); err != nil || md.Target != name || md.OperationType != "UPDATE_FUNCTION" {
		t.Fatalf("metadata = %s (%v)", op.Metadata, err)
	}

	op = pollFunctionOp(t, svc, op)
	if op.Error != nil {
		t.Fatalf("operation failed: %+v", op.Error)
	}
	var resp struct {
		Type string `json:"@type"`
		cloudfunctions.Function
	}
	if err := json.Unmarshal(op.Response, &resp); err != nil {
		t.Fatalf("response: %v", err)
	}
	if resp.Type != "type.googleapis.com/google.cloud.functions.v2.Function" || resp.Name != name {
		t.Fatalf("response @type %q name %q", resp.Type, resp.Name)
	}

	got, err := svc.Projects.Locations.Functions.Get(name).Context(ctx).Do()
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	sc := got.ServiceConfig
	if sc.VpcConnector != "" || sc.VpcConnectorEgressSettings != "" {
		t.Errorf("connector still set: %q %q", sc.VpcConnector, sc.VpcConnectorEgressSettings)
	}
	if len(sc.DirectVpcNetworkInterface) != 1 || sc.DirectVpcNetworkInterface[0].Subnetwork != "serverless" ||
		!reflect.DeepEqual(sc.DirectVpcNetworkInterface[0].Tags, []string{"fn"}) || sc.DirectVpcEgress != "VPC_EGRESS_ALL_TRAFFIC" {
		t.Errorf("direct VPC = %+v, egress %q", sc.DirectVpcNetworkInterface, sc.DirectVpcEgress)
	}
	if sc.AvailableMemory != "256M" || got.Labels["team"] != "web" || got.Environment != "GEN_2" {
		t.Errorf("fields outside the mask changed: %+v labels %v", sc, got.Labels)
	}
	if got.UpdateTime != fixedNow.Format("2006-01-02T15:04:05Z07:00") {
		t.Errorf("updateTime = %q", got.UpdateTime)
	}
	if sc.Revision == "api-00001-xyz" || !strings.HasPrefix(sc.Revision, "api-00002-") {
		t.Errorf("revision = %q, want a new api-00002-…", sc.Revision)
	}
	if f, ok := srv.Function(name); !ok || f.ServiceConfig.DirectVpcEgress != "VPC_EGRESS_ALL_TRAFFIC" {
		t.Errorf("srv.Function = %+v, %v", f, ok)
	}

	// Labels only; the rest stays.
	op, err = svc.Projects.Locations.Functions.Patch(name, &cloudfunctions.Function{Labels: map[string]string{"team": "platform"}}).UpdateMask("labels").Context(ctx).Do()
	if err != nil {
		t.Fatalf("Patch labels: %v", err)
	}
	pollFunctionOp(t, svc, op)
	f, _ := srv.Function(name)
	if f.Labels["team"] != "platform" || f.ServiceConfig.DirectVpcEgress != "VPC_EGRESS_ALL_TRAFFIC" {
		t.Errorf("after labels patch: %v %+v", f.Labels, f.ServiceConfig)
	}

	// An unknown operation.
	_, err = svc.Projects.Locations.Operations.Get("projects/acme-prod/locations/us-central1/operations/nope").Context(ctx).Do()
	apiErr(t, err, http.StatusNotFound, "")
}

func TestFunctionsUpdateRejects(t *testing.T) {
	srv := startYAML(t, functionsScenario)
	svc := newFunctionsService(t, srv)
	ctx := testCtx(t)
	direct := &cloudfunctions.ServiceConfig{
		DirectVpcNetworkInterface: []*cloudfunctions.DirectVpcNetworkInterface{{Network: "default"}},
		DirectVpcEgress:           "VPC_EGRESS_PRIVATE_RANGES_ONLY",
	}
	for _, tc := range []struct {
		name, fn, mask string
		body           *cloudfunctions.Function
		want           string
	}{
		{"gen1 refuses Direct VPC", "projects/acme-prod/locations/europe-west1/functions/legacy",
			"serviceConfig.vpcConnector,serviceConfig.directVpcNetworkInterface,serviceConfig.directVpcEgress",
			&cloudfunctions.Function{ServiceConfig: direct}, "1st gen"},
		{"connector and Direct VPC at once", "projects/acme-prod/locations/us-central1/functions/api",
			"serviceConfig.directVpcNetworkInterface", &cloudfunctions.Function{ServiceConfig: direct}, "at the same time"},
		{"Cloud Run's egress name", "projects/acme-prod/locations/us-central1/functions/worker",
			"serviceConfig.directVpcNetworkInterface,serviceConfig.directVpcEgress",
			&cloudfunctions.Function{ServiceConfig: &cloudfunctions.ServiceConfig{
				DirectVpcNetworkInterface: direct.DirectVpcNetworkInterface, DirectVpcEgress: "ALL_TRAFFIC"}}, "direct_vpc_egress"},
		{"unknown mask path", "projects/acme-prod/locations/us-central1/functions/api",
			"serviceConfig.vpcConector", &cloudfunctions.Function{}, "vpcConector"},
		{"changing the generation", "projects/acme-prod/locations/europe-west1/functions/legacy",
			"environment", &cloudfunctions.Function{Environment: "GEN_2"}, "environment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := srv.Function(tc.fn)
			_, err := svc.Projects.Locations.Functions.Patch(tc.fn, tc.body).UpdateMask(tc.mask).Context(ctx).Do()
			ge := apiErr(t, err, http.StatusBadRequest, "")
			if !strings.Contains(ge.Message, tc.want) {
				t.Errorf("message = %q, want it to mention %q", ge.Message, tc.want)
			}
			if after, _ := srv.Function(tc.fn); !reflect.DeepEqual(before, after) {
				t.Errorf("function changed:\n%+v\n%+v", before, after)
			}
		})
	}

	// Not found.
	_, err := svc.Projects.Locations.Functions.Patch("projects/acme-prod/locations/us-central1/functions/nope", &cloudfunctions.Function{}).UpdateMask("labels").Context(ctx).Do()
	apiErr(t, err, http.StatusNotFound, "")
}

func TestFunctionsUpdateOperationFault(t *testing.T) {
	srv := startYAML(t, functionsScenario)
	svc := newFunctionsService(t, srv)
	ctx := testCtx(t)
	const name = "projects/acme-prod/locations/us-central1/functions/api"
	if err := srv.InjectFault(Fault{Method: fnPatchPattern, Code: "FAILED_PRECONDITION", Message: "deployment failed", Operation: true, Times: 1}); err != nil {
		t.Fatal(err)
	}
	before, _ := srv.Function(name)

	patch := &cloudfunctions.Function{ServiceConfig: &cloudfunctions.ServiceConfig{
		DirectVpcNetworkInterface: []*cloudfunctions.DirectVpcNetworkInterface{{Network: "default"}},
	}}
	mask := "serviceConfig.vpcConnector,serviceConfig.vpcConnectorEgressSettings,serviceConfig.directVpcNetworkInterface"
	op, err := svc.Projects.Locations.Functions.Patch(name, patch).UpdateMask(mask).Context(ctx).Do()
	if err != nil {
		t.Fatalf("Patch: %v", err)
	}
	op = pollFunctionOp(t, svc, op)
	if op.Error == nil || op.Error.Code != 9 || op.Error.Message != "deployment failed" || op.Response != nil {
		t.Fatalf("operation = error %+v response %s, want FAILED_PRECONDITION", op.Error, op.Response)
	}
	if after, _ := srv.Function(name); !reflect.DeepEqual(before, after) {
		t.Fatalf("function changed by a failed operation:\n%+v\n%+v", before, after)
	}

	// The fault fired once; the retry succeeds.
	op, err = svc.Projects.Locations.Functions.Patch(name, patch).UpdateMask(mask).Context(ctx).Do()
	if err != nil {
		t.Fatalf("Patch again: %v", err)
	}
	if op = pollFunctionOp(t, svc, op); op.Error != nil {
		t.Fatalf("second operation failed: %+v", op.Error)
	}
	if f, _ := srv.Function(name); f.ServiceConfig.VpcConnector != "" || len(f.ServiceConfig.DirectVpcNetworkInterface) != 1 {
		t.Fatalf("after retry: %+v", f.ServiceConfig)
	}
}

func TestFunctionsPendingPolls(t *testing.T) {
	srv := startYAML(t, functionsScenario, WithPendingPolls(1))
	svc := newFunctionsService(t, srv)
	ctx := testCtx(t)
	op, err := svc.Projects.Locations.Functions.Patch("projects/acme-prod/locations/us-central1/functions/worker",
		&cloudfunctions.Function{Labels: map[string]string{"a": "b"}}).UpdateMask("labels").Context(ctx).Do()
	if err != nil {
		t.Fatalf("Patch: %v", err)
	}
	op, err = svc.Projects.Locations.Operations.Get(op.Name).Context(ctx).Do()
	if err != nil || op.Done {
		t.Fatalf("first poll: done=%v err=%v, want not done", op.Done, err)
	}
	op, err = svc.Projects.Locations.Operations.Get(op.Name).Context(ctx).Do()
	if err != nil || !op.Done || op.Response == nil {
		t.Fatalf("second poll: %+v err=%v, want done with a response", op, err)
	}
}

func TestFunctionsListInjected503(t *testing.T) {
	srv := startYAML(t, functionsScenario)
	svc := newFunctionsService(t, srv)
	ctx := testCtx(t)
	if err := srv.InjectFault(Fault{Method: fnListPattern, Code: "503", Times: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Projects.Locations.Functions.List("projects/acme-prod/locations/-").Context(ctx).Do()
	apiErr(t, err, http.StatusServiceUnavailable, "")
	resp, err := svc.Projects.Locations.Functions.List("projects/acme-prod/locations/-").Context(ctx).Do()
	if err != nil || len(resp.Functions) != 3 {
		t.Fatalf("second List: %v, %v", resp, err)
	}
	if n := srv.Calls(fnListPattern); n != 2 {
		t.Fatalf("calls = %d, want 2 (the discovery client does not retry)", n)
	}
}

func TestFunctionsDisabledAPI(t *testing.T) {
	srv := startYAML(t, functionsScenario)
	svc := newFunctionsService(t, srv)
	ctx := testCtx(t)
	for _, call := range []func() error{
		func() error {
			_, err := svc.Projects.Locations.Functions.List("projects/acme-dev/locations/-").Context(ctx).Do()
			return err
		},
		func() error {
			_, err := svc.Projects.Locations.Functions.Get("projects/acme-dev/locations/us-central1/functions/hello").Context(ctx).Do()
			return err
		},
	} {
		ge := apiErr(t, call(), http.StatusForbidden, "")
		if !fnHasReason(ge, "SERVICE_DISABLED") || !strings.Contains(ge.Message, "Cloud Functions API has not been used in project 222222222222") {
			t.Fatalf("error = %v, details %v", ge, ge.Details)
		}
	}
}

func TestFunctionsDeniedPermission(t *testing.T) {
	srv := startYAML(t, `
projects:
  - projectId: acme-prod
    projectNumber: "123456789012"
    deniedPermissions: [cloudfunctions.functions.update]
    functions:
      - name: projects/acme-prod/locations/us-central1/functions/api
`)
	svc := newFunctionsService(t, srv)
	ctx := testCtx(t)
	_, err := svc.Projects.Locations.Functions.Patch("projects/acme-prod/locations/us-central1/functions/api", &cloudfunctions.Function{}).UpdateMask("labels").Context(ctx).Do()
	ge := apiErr(t, err, http.StatusForbidden, "")
	if !strings.Contains(ge.Message, "cloudfunctions.functions.update") || !fnHasReason(ge, "IAM_PERMISSION_DENIED") {
		t.Fatalf("error = %v", ge)
	}
	// Reading is still allowed.
	if _, err := svc.Projects.Locations.Functions.Get("projects/acme-prod/locations/us-central1/functions/api").Context(ctx).Do(); err != nil {
		t.Fatalf("Get: %v", err)
	}
	// An unknown project.
	_, err = svc.Projects.Locations.Functions.List("projects/nobody/locations/-").Context(ctx).Do()
	apiErr(t, err, http.StatusForbidden, "")
}

// fnHasReason reports whether a REST error carries an ErrorInfo
// detail with the reason.
func fnHasReason(ge *googleapi.Error, reason string) bool {
	for _, d := range ge.Details {
		m, ok := d.(map[string]any)
		if ok && m["@type"] == "type.googleapis.com/google.rpc.ErrorInfo" && m["reason"] == reason {
			return true
		}
	}
	return false
}

func TestFunctionsUpdateWithoutMask(t *testing.T) {
	srv := startYAML(t, functionsScenario)
	svc := newFunctionsService(t, srv)
	ctx := testCtx(t)
	const name = "projects/acme-prod/locations/us-central1/functions/api"

	// Read-modify-write of the whole function, as without a mask every
	// updatable field is replaced; output-only fields are ignored.
	f, err := svc.Projects.Locations.Functions.Get(name).Context(ctx).Do()
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	f.ServiceConfig.VpcConnector, f.ServiceConfig.VpcConnectorEgressSettings = "", ""
	f.ServiceConfig.DirectVpcNetworkInterface = []*cloudfunctions.DirectVpcNetworkInterface{{Subnetwork: "serverless"}}
	f.ServiceConfig.Service = "projects/acme-prod/locations/us-central1/services/other"
	f.Labels = nil
	f.State = "FAILED"
	op, err := svc.Projects.Locations.Functions.Patch(name, f).Context(ctx).Do()
	if err != nil {
		t.Fatalf("Patch: %v", err)
	}
	if op = pollFunctionOp(t, svc, op); op.Error != nil {
		t.Fatalf("operation failed: %+v", op.Error)
	}
	got, _ := srv.Function(name)
	sc := got.ServiceConfig
	if sc.VpcConnector != "" || len(sc.DirectVpcNetworkInterface) != 1 || sc.AvailableMemory != "256M" || got.Labels != nil {
		t.Errorf("after replace: %+v labels %v", sc, got.Labels)
	}
	if got.State != "ACTIVE" || sc.Service != "projects/acme-prod/locations/us-central1/services/api" {
		t.Errorf("output-only fields changed: state %q service %q", got.State, sc.Service)
	}
}
