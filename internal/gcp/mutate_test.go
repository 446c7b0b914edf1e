package gcp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

func init() { PollInterval = time.Millisecond }

func mctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

const apiSvc = "projects/acme-startup/locations/us-central1/services/api"

var directVPC = inventory.VPCConfig{
	Interface: &inventory.NetworkInterface{Network: "projects/acme-startup/global/networks/acme-vpc", Subnetwork: "projects/acme-startup/regions/us-central1/subnetworks/app-us", Tags: []string{"api"}},
	Egress:    inventory.EgressPrivateRangesOnly,
}

// A service moves to Direct VPC egress as a tagged revision with no
// traffic, then takes traffic in steps.
func TestServiceCanaryThroughTheRealClient(t *testing.T) {
	_, c := startScenario(t, "startup")
	ctx := mctx(t)
	before, err := c.Consumer(ctx, inventory.KindService, apiSvc)
	if err != nil {
		t.Fatal(err)
	}
	if before.VPC.Connector == "" || before.LatestReadyRevision == "" || before.TrafficByRevision[before.LatestReadyRevision] != 100 {
		t.Fatalf("before = %+v", before)
	}
	prev := before.LatestReadyRevision
	rev := "api-direct-00015"
	st, err := c.UpdateConsumerVPC(ctx, inventory.KindService, apiSvc, before.Etag, directVPC, rev,
		[]inventory.TrafficTarget{{Type: "REVISION", Revision: prev, Percent: 100}, {Type: "REVISION", Revision: rev, Percent: 0, Tag: "vpcshift"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Ready || st.VPC.Connector != "" || st.VPC.Interface == nil || st.TaggedRevisions["vpcshift"] != rev || st.TrafficByRevision[prev] != 100 {
		t.Fatalf("after deploy = %+v", st)
	}
	// A stale etag is refused and changes nothing.
	if _, err := c.SetTraffic(ctx, apiSvc, before.Etag, nil); !errors.Is(err, inventory.ErrConflict) {
		t.Fatalf("stale etag: %v, want ErrConflict", err)
	}
	st, err = c.SetTraffic(ctx, apiSvc, st.Etag, []inventory.TrafficTarget{{Type: "REVISION", Revision: prev, Percent: 90}, {Type: "REVISION", Revision: rev, Percent: 10, Tag: "vpcshift"}})
	if err != nil || st.TrafficByRevision[rev] != 10 {
		t.Fatalf("10%%: %+v %v", st, err)
	}
	st, err = c.SetTraffic(ctx, apiSvc, st.Etag, []inventory.TrafficTarget{{Type: "LATEST", Percent: 100}})
	if err != nil || st.TrafficByRevision[rev] != 100 {
		t.Fatalf("100%%: %+v %v", st, err)
	}
	// validate_only accepts the target without changing anything.
	if _, err := c.UpdateConsumerVPC(ctx, inventory.KindService, "projects/acme-startup/locations/us-central1/services/orders", "", directVPC, "", nil, true); err != nil {
		t.Fatalf("validate: %v", err)
	}
	orders, _ := c.Consumer(ctx, inventory.KindService, "projects/acme-startup/locations/us-central1/services/orders")
	if orders.VPC.Connector == "" {
		t.Fatal("validate_only changed the service")
	}
}

// A deploy onto a connector that no longer exists is accepted but does not
// become ready: the error says so and the service keeps serving.
func TestDeployOntoADeletedConnectorIsNotReady(t *testing.T) {
	_, c := startScenario(t, "startup")
	ctx := mctx(t)
	if err := c.DeleteConnector(ctx, "projects/acme-startup/locations/us-central1/connectors/run-us"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Connector(ctx, "projects/acme-startup/locations/us-central1/connectors/run-us"); !errors.Is(err, inventory.ErrNotFound) {
		t.Fatalf("connector after delete: %v", err)
	}
	before, _ := c.Consumer(ctx, inventory.KindService, apiSvc)
	st, err := c.UpdateConsumerVPC(ctx, inventory.KindService, apiSvc, before.Etag,
		inventory.VPCConfig{Connector: "projects/acme-startup/locations/us-central1/connectors/run-us", Egress: inventory.EgressAllTraffic}, "api-again-00015", nil, false)
	if !errors.Is(err, inventory.ErrOperationFailed) {
		t.Fatalf("err = %v, want ErrOperationFailed", err)
	}
	if st == nil || st.Ready || st.LatestReadyRevision != before.LatestReadyRevision {
		t.Fatalf("state = %+v", st)
	}
}

func TestJobWorkerPoolAndFunctionMove(t *testing.T) {
	_, c := startScenario(t, "enterprise")
	ctx := mctx(t)
	host := inventory.VPCConfig{
		Interface: &inventory.NetworkInterface{Network: "projects/ent-net-host/global/networks/shared-vpc", Subnetwork: "projects/ent-net-host/regions/us-central1/subnetworks/svc-us-central1"},
		Egress:    inventory.EgressPrivateRangesOnly,
	}
	wp := "projects/ent-payments/locations/us-central1/workerPools/settlement-worker"
	st, err := c.UpdateConsumerVPC(ctx, inventory.KindWorkerPool, wp, "", host, "", nil, false)
	if err != nil || st.VPC.Interface == nil || st.VPC.Connector != "" {
		t.Fatalf("worker pool: %+v %v", st, err)
	}
	east := host
	east.Interface = &inventory.NetworkInterface{Network: "projects/ent-net-host/global/networks/shared-vpc", Subnetwork: "projects/ent-net-host/regions/us-east1/subnetworks/svc-us-east1"}
	job := "projects/ent-data/locations/us-east1/jobs/etl"
	if st, err = c.UpdateConsumerVPC(ctx, inventory.KindJob, job, "", east, "", nil, false); err != nil || st.VPC.Interface == nil {
		t.Fatalf("job: %+v %v", st, err)
	}
	fn := "projects/ent-data/locations/us-east1/functions/ingest"
	if st, err = c.UpdateConsumerVPC(ctx, inventory.KindFunction, fn, "", east, "", nil, false); err != nil || st.VPC.Interface == nil || st.VPC.Connector != "" || st.VPC.Egress != inventory.EgressPrivateRangesOnly {
		t.Fatalf("function: %+v %v", st, err)
	}
	if _, err := c.UpdateConsumerVPC(ctx, inventory.KindFunction1, "projects/ent-data/locations/us-east1/functions/legacy-hook", "", east, "", nil, false); err == nil {
		t.Fatal("a gen1 function was moved")
	}
	users, err := c.ConnectorUsers(ctx, "projects/ent-net-host/locations/us-east1/connectors/data-conn", []string{"ent-net-host", "ent-payments", "ent-data"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"projects/ent-data/locations/us-east1/functions/legacy-hook", "projects/ent-payments/locations/us-east1/services/receipts"}
	if len(users) != 2 || users[0] != want[0] || users[1] != want[1] {
		t.Fatalf("users of data-conn = %v, want %v", users, want)
	}
	// Monitoring denied in ent-data does not matter here; Cloud Run
	// disabled in ent-legacy is not a user.
	if _, err := c.ConnectorUsers(ctx, "projects/ent-net-host/locations/us-east1/connectors/data-conn", []string{"ent-legacy"}); err != nil {
		t.Fatalf("a project with Cloud Run disabled: %v", err)
	}
}

func TestNetworkDNSAndNATChanges(t *testing.T) {
	srv, c := startScenario(t, "startup")
	ctx := mctx(t)
	if err := c.SetPrivateGoogleAccess(ctx, "acme-startup", "us-central1", "app-us", true); err != nil {
		t.Fatal(err)
	}
	if sn, err := c.Subnet(ctx, "acme-startup", "us-central1", "app-us"); err != nil || !sn.PrivateIPGoogleAccess {
		t.Fatalf("subnet %+v %v", sn, err)
	}
	r := inventory.Route{Name: "vpcshift-private-googleapis", Network: "acme-vpc", DestRange: "199.36.153.8/30", Priority: 1000}
	if err := c.CreateRoute(ctx, "acme-startup", r); err != nil {
		t.Fatal(err)
	}
	routes, _ := c.Routes(ctx, "acme-startup")
	if len(routes) != 2 {
		t.Fatalf("routes %+v", routes)
	}
	if err := c.DeleteRoute(ctx, "acme-startup", r.Name); err != nil {
		t.Fatal(err)
	}
	z := inventory.DNSZone{Name: "vpcshift-run-app", DNSName: "run.app.", Networks: []string{"acme-startup/acme-vpc"},
		Records: []inventory.DNSRecord{{Name: "*.run.app.", Type: "A", TTL: 300, RRDatas: []string{"199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"}}}}
	for i := 0; i < 2; i++ { // the second run is harmless
		if err := c.CreateZone(ctx, "acme-startup", z, "vpcshift"); err != nil {
			t.Fatalf("create zone (run %d): %v", i+1, err)
		}
	}
	zones, err := c.Zones(ctx, "acme-startup")
	if err != nil || len(zones) != 1 || len(zones[0].Records) != 3 {
		t.Fatalf("zones %+v %v", zones, err)
	}
	if err := c.DeleteZone(ctx, "acme-startup", z.Name); err != nil {
		t.Fatal(err)
	}
	if zones, _ := c.Zones(ctx, "acme-startup"); len(zones) != 0 {
		t.Fatalf("zone not deleted: %+v", zones)
	}
	cfg, err := c.NAT(ctx, "acme-startup", "us-central1", "nat-router-us", "nat-us")
	if err != nil || cfg.VMEndpointsWithNATMappings != 3 || len(cfg.Subnetworks) != 1 {
		t.Fatalf("nat %+v %v", cfg, err)
	}
	if err := c.RemoveNATSubnets(ctx, "acme-startup", "us-central1", "nat-router-us", "nat-us", []string{"conn-us"}); !errors.Is(err, inventory.ErrInvalid) {
		t.Fatalf("removing the only subnet: %v, want ErrInvalid", err)
	}
	if err := c.RemoveNAT(ctx, "acme-startup", "us-central1", "nat-router-us", "nat-us"); err != nil {
		t.Fatal(err)
	}
	if rt, _ := srv.Router("acme-startup", "us-central1", "nat-router-us"); rt == nil || len(rt.Nats) != 0 {
		t.Fatalf("router after removal: %+v", rt)
	}
	if err := c.RestoreNAT(ctx, *cfg); err != nil {
		t.Fatal(err)
	}
	if rt, _ := srv.Router("acme-startup", "us-central1", "nat-router-us"); rt == nil || len(rt.Nats) != 1 {
		t.Fatalf("router after restore: %+v", rt)
	}
}

func TestRevisionHealthFromMonitoring(t *testing.T) {
	srv, c := startScenario(t, "startup")
	_ = srv
	h, err := c.RevisionHealth(mctx(t), apiSvc, "api-00014-xag", 5*time.Minute, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if h.Known {
		t.Fatalf("no request_count series in startup, yet health is known: %+v", h)
	}
	_ = emulator.Fault{}
}
