package emulator

import (
	"errors"
	"slices"
	"testing"
	"time"

	vpcaccess "cloud.google.com/go/vpcaccess/apiv1"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"github.com/googleapis/gax-go/v2"
	"github.com/googleapis/gax-go/v2/apierror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const vpcAccessScenario = `
projects:
  - projectId: p1
    projectNumber: "111"
    connectors:
      - name: projects/p1/locations/us-central1/connectors/conn-a
        network: default
        ipCidrRange: 10.8.0.0/28
        machineType: e2-micro
        minInstances: 2
        maxInstances: 3
      - name: projects/p1/locations/us-central1/connectors/conn-b
        network: default
        ipCidrRange: 10.8.0.16/28
      - name: projects/111/locations/us-central1/connectors/conn-c
        state: ERROR
        connectedProjects: [someone-else]
      - name: projects/p1/locations/europe-west1/connectors/conn-eu
    services:
      - name: projects/p1/locations/us-central1/services/api
        template:
          vpcAccess:
            connector: projects/p1/locations/us-central1/connectors/conn-a
            egress: ALL_TRAFFIC
  - projectId: p2
    projectNumber: "222"
    jobs:
      - name: projects/p2/locations/us-central1/jobs/nightly
        template:
          template:
            vpcAccess:
              connector: projects/111/locations/us-central1/connectors/conn-a
    functions:
      - name: projects/p2/locations/us-central1/functions/fn
        environment: GEN_2
        serviceConfig:
          vpcConnector: projects/p1/locations/us-central1/connectors/conn-b
    appEngineVersions:
      - name: apps/p2/services/default/versions/v1
        vpcAccessConnector:
          name: projects/p1/locations/us-central1/connectors/conn-a
  - projectId: p3
    projectNumber: "333"
    disabledApis: [vpcaccess.googleapis.com]
    connectors:
      - name: projects/p3/locations/us-central1/connectors/hidden
`

func newVPCAccessClient(t *testing.T, srv *Server) *vpcaccess.Client {
	return newGRPCClient(t, srv, vpcaccess.NewClient)
}

func listConnectorNames(t *testing.T, c *vpcaccess.Client, req *vpcaccesspb.ListConnectorsRequest, opts ...gax.CallOption) ([]*vpcaccesspb.Connector, error) {
	return drain(c.ListConnectors(testCtx(t), req, opts...).Next)
}

func TestVPCAccessListConnectorsPagesAndSeeds(t *testing.T) {
	srv := startYAML(t, vpcAccessScenario)
	c := newVPCAccessClient(t, srv)

	got, err := listConnectorNames(t, c, &vpcaccesspb.ListConnectorsRequest{Parent: "projects/p1/locations/us-central1", PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, conn := range got {
		names = append(names, conn.GetName())
	}
	want := []string{
		"projects/111/locations/us-central1/connectors/conn-c",
		"projects/p1/locations/us-central1/connectors/conn-a",
		"projects/p1/locations/us-central1/connectors/conn-b",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("connectors %v, want %v", names, want)
	}
	if n := srv.Calls(methodListConnectors); n != 2 {
		t.Fatalf("ListConnectors RPCs = %d, want 2 (two pages)", n)
	}

	byName := map[string]*vpcaccesspb.Connector{}
	for _, conn := range got {
		byName[conn.GetName()] = conn
	}
	a := byName["projects/p1/locations/us-central1/connectors/conn-a"]
	if a.GetState() != vpcaccesspb.Connector_READY {
		t.Errorf("conn-a state %v, want READY (seeded)", a.GetState())
	}
	if a.GetMachineType() != "e2-micro" || a.GetMinInstances() != 2 || a.GetMaxInstances() != 3 {
		t.Errorf("conn-a fields lost: %v", a)
	}
	// A Run service in p1, a job (by project number) and an App Engine
	// version in p2.
	if cp := a.GetConnectedProjects(); !slices.Equal(cp, []string{"p1", "p2"}) {
		t.Errorf("conn-a connectedProjects %v, want [p1 p2]", cp)
	}
	if cp := byName["projects/p1/locations/us-central1/connectors/conn-b"].GetConnectedProjects(); !slices.Equal(cp, []string{"p2"}) {
		t.Errorf("conn-b connectedProjects %v, want [p2] (a function)", cp)
	}
	cc := byName["projects/111/locations/us-central1/connectors/conn-c"]
	if cc.GetState() != vpcaccesspb.Connector_ERROR || !slices.Equal(cc.GetConnectedProjects(), []string{"someone-else"}) {
		t.Errorf("conn-c: the scenario's state and connectedProjects must be kept: %v", cc)
	}

	// Another region, by project number.
	eu, err := listConnectorNames(t, c, &vpcaccesspb.ListConnectorsRequest{Parent: "projects/111/locations/europe-west1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(eu) != 1 || eu[0].GetName() != "projects/p1/locations/europe-west1/connectors/conn-eu" || len(eu[0].GetConnectedProjects()) != 0 {
		t.Fatalf("europe-west1: %v", eu)
	}
}

func TestVPCAccessListConnectorsRejectsWildcardLocation(t *testing.T) {
	srv := startYAML(t, vpcAccessScenario)
	c := newVPCAccessClient(t, srv)
	_, err := listConnectorNames(t, c, &vpcaccesspb.ListConnectorsRequest{Parent: "projects/p1/locations/-"})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("locations/-: %v, want InvalidArgument", err)
	}
	_, err = listConnectorNames(t, c, &vpcaccesspb.ListConnectorsRequest{Parent: "projects/nobody/locations/us-central1"})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("unknown project: %v, want PermissionDenied", err)
	}
}

func TestVPCAccessGetConnector(t *testing.T) {
	srv := startYAML(t, vpcAccessScenario)
	c := newVPCAccessClient(t, srv)
	ctx := testCtx(t)

	got, err := c.GetConnector(ctx, &vpcaccesspb.GetConnectorRequest{Name: "projects/111/locations/us-central1/connectors/conn-a"})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetName() != "projects/p1/locations/us-central1/connectors/conn-a" || got.GetIpCidrRange() != "10.8.0.0/28" {
		t.Fatalf("got %v", got)
	}
	// The caller's copy is not the emulator's state.
	got.MachineType = "changed"
	if again, _ := srv.Connector("projects/p1/locations/us-central1/connectors/conn-a"); again.GetMachineType() != "e2-micro" {
		t.Fatal("GetConnector handed out the stored connector")
	}

	_, err = c.GetConnector(ctx, &vpcaccesspb.GetConnectorRequest{Name: "projects/p1/locations/us-central1/connectors/nope"})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("missing connector: %v, want NotFound", err)
	}
	_, err = c.GetConnector(ctx, &vpcaccesspb.GetConnectorRequest{Name: "projects/p1/locations/europe-west1/connectors/conn-a"})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("connector in another region: %v, want NotFound", err)
	}
}

func TestVPCAccessDeleteConnector(t *testing.T) {
	srv := startYAML(t, vpcAccessScenario)
	c := newVPCAccessClient(t, srv)
	ctx := testCtx(t)
	name := "projects/p1/locations/us-central1/connectors/conn-a"

	// conn-a still has consumers; the deletion succeeds all the same.
	op, err := c.DeleteConnector(ctx, &vpcaccesspb.DeleteConnectorRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	md, err := op.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	if md.GetTarget() != name || md.GetMethod() != "google.cloud.vpcaccess.v1.VpcAccessService.DeleteConnector" || !md.GetCreateTime().AsTime().Equal(fixedNow) {
		t.Errorf("metadata %v", md)
	}
	if err := op.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if !op.Done() {
		t.Fatal("operation not done after Wait")
	}
	if _, ok := srv.Connector(name); ok {
		t.Fatal("connector still present after its deletion completed")
	}
	if _, err := c.GetConnector(ctx, &vpcaccesspb.GetConnectorRequest{Name: name}); status.Code(err) != codes.NotFound {
		t.Fatalf("GetConnector after delete: %v, want NotFound", err)
	}
	if n := len(srv.Connectors("p1")); n != 3 {
		t.Fatalf("p1 has %d connectors, want 3", n)
	}

	// Deleting it again: NOT_FOUND on the call itself.
	if _, err := c.DeleteConnector(ctx, &vpcaccesspb.DeleteConnectorRequest{Name: name}); status.Code(err) != codes.NotFound {
		t.Fatalf("second delete: %v, want NotFound", err)
	}
}

func TestVPCAccessDeleteConnectorOperationFault(t *testing.T) {
	srv := startYAML(t, vpcAccessScenario)
	c := newVPCAccessClient(t, srv)
	ctx := testCtx(t)
	name := "projects/p1/locations/us-central1/connectors/conn-b"
	if err := srv.InjectFault(Fault{Method: methodDeleteConnector, Operation: true, Code: "FAILED_PRECONDITION", Message: "connector is busy", Times: 1}); err != nil {
		t.Fatal(err)
	}
	op, err := c.DeleteConnector(ctx, &vpcaccesspb.DeleteConnectorRequest{Name: name})
	if err != nil {
		t.Fatalf("the call itself must succeed: %v", err)
	}
	err = op.Wait(ctx)
	if status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("Wait: %v, want the operation to fail with FailedPrecondition", err)
	}
	if _, ok := srv.Connector(name); !ok {
		t.Fatal("a failed deletion must keep the connector")
	}
	// The fault fired once; a retry deletes it.
	op, err = c.DeleteConnector(ctx, &vpcaccesspb.DeleteConnectorRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Connector(name); ok {
		t.Fatal("connector kept after a successful retry")
	}
}

func TestVPCAccessDisabledAPI(t *testing.T) {
	srv := startYAML(t, vpcAccessScenario)
	c := newVPCAccessClient(t, srv)
	_, err := listConnectorNames(t, c, &vpcaccesspb.ListConnectorsRequest{Parent: "projects/p3/locations/us-central1"})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("disabled API: %v, want PermissionDenied", err)
	}
	var ae *apierror.APIError
	if !errors.As(err, &ae) || ae.Reason() != "SERVICE_DISABLED" || ae.Metadata()["service"] != "vpcaccess.googleapis.com" {
		t.Fatalf("ErrorInfo of %v: want reason SERVICE_DISABLED for vpcaccess.googleapis.com", err)
	}
	if _, err := c.GetConnector(testCtx(t), &vpcaccesspb.GetConnectorRequest{Name: "projects/p3/locations/us-central1/connectors/hidden"}); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("GetConnector with the API disabled: %v", err)
	}
}

func TestVPCAccessDeniedPermission(t *testing.T) {
	srv := startYAML(t, `
projects:
  - projectId: p1
    projectNumber: "111"
    deniedPermissions: [vpcaccess.connectors.delete]
    connectors:
      - name: projects/p1/locations/us-central1/connectors/conn-a
`)
	c := newVPCAccessClient(t, srv)
	name := "projects/p1/locations/us-central1/connectors/conn-a"
	if _, err := c.GetConnector(testCtx(t), &vpcaccesspb.GetConnectorRequest{Name: name}); err != nil {
		t.Fatalf("get is allowed: %v", err)
	}
	_, err := c.DeleteConnector(testCtx(t), &vpcaccesspb.DeleteConnectorRequest{Name: name})
	var ae *apierror.APIError
	if status.Code(err) != codes.PermissionDenied || !errors.As(err, &ae) || ae.Reason() != "IAM_PERMISSION_DENIED" || ae.Metadata()["permission"] != "vpcaccess.connectors.delete" {
		t.Fatalf("denied delete: %v", err)
	}
	if _, ok := srv.Connector(name); !ok {
		t.Fatal("a denied deletion removed the connector")
	}
}

// The VPC Access client (v1.16.1) configures no retries for ListConnectors
// (defaultCallOptions has only a 60 s timeout), so vpcshift must pass its
// own retry option; with it, one injected UNAVAILABLE is retried.
func TestVPCAccessListConnectorsUnavailableIsRetried(t *testing.T) {
	srv := startYAML(t, vpcAccessScenario)
	c := newVPCAccessClient(t, srv)
	req := &vpcaccesspb.ListConnectorsRequest{Parent: "projects/p1/locations/us-central1"}

	if err := srv.InjectFault(Fault{Method: methodListConnectors, Code: "UNAVAILABLE", Times: 1}); err != nil {
		t.Fatal(err)
	}
	retry := gax.WithRetry(func() gax.Retryer {
		return gax.OnCodes([]codes.Code{codes.Unavailable}, gax.Backoff{Initial: time.Millisecond, Max: 10 * time.Millisecond, Multiplier: 2})
	})
	got, err := listConnectorNames(t, c, req, retry)
	if err != nil {
		t.Fatalf("with a retry option the injected UNAVAILABLE must be retried: %v", err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d connectors, want 3", len(got))
	}
	if n := srv.Calls(methodListConnectors); n != 2 {
		t.Fatalf("ListConnectors RPCs = %d, want 2 (one failure, one retry)", n)
	}

	// Without it, the client's defaults surface the fault.
	if err := srv.InjectFault(Fault{Method: methodListConnectors, Code: "UNAVAILABLE", Times: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := listConnectorNames(t, c, req); status.Code(err) != codes.Unavailable {
		t.Fatalf("default call options: %v, want Unavailable (no default retry)", err)
	}
}
