package gcp

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var fastRetry = &RetryPolicy{Attempts: 4, Initial: time.Millisecond, Max: 5 * time.Millisecond}

// startScenario starts the emulator on a shipped scenario and returns
// clients pointed at it.
func startScenario(t *testing.T, name string, opts ...emulator.Option) (*emulator.Server, *Clients) {
	t.Helper()
	sc, err := emulator.LoadScenario(filepath.Join("..", "..", "testdata", "scenarios", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]emulator.Option{emulator.WithClock(func() time.Time { return testNow })}, opts...)
	srv, err := emulator.Start(context.Background(), sc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c, err := New(context.Background(), Config{Emulator: srv.Addr, CallTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return srv, c
}

func collect(t *testing.T, c *Clients, projects ...string) *inventory.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap, err := c.Collect(ctx, CollectOptions{Projects: projects, Now: testNow, Retry: fastRetry, Concurrency: 8})
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	return snap
}

func jsonOf(t *testing.T, s *inventory.Snapshot) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestCollectStartup(t *testing.T) {
	_, c := startScenario(t, "startup")
	snap := collect(t, c, "acme-startup")

	if len(snap.Connectors) != 2 {
		t.Fatalf("connectors: got %d, want 2", len(snap.Connectors))
	}
	us, ok := snap.Connector("projects/acme-startup/locations/us-central1/connectors/run-us")
	if !ok {
		t.Fatal("run-us missing")
	}
	if us.MachineType != "e2-micro" || us.MinInstances != 2 || us.Usage == nil || us.Usage.MaxInstances != 3 {
		t.Errorf("run-us = %+v usage %+v, want e2-micro min 2 observed 3", us, us.Usage)
	}
	if us.Subnet != "conn-us" || us.NetworkProject != "acme-startup" {
		t.Errorf("run-us subnet %q network project %q", us.Subnet, us.NetworkProject)
	}
	if got := len(snap.ConsumersOf(us.ID)); got != 3 {
		t.Errorf("consumers of run-us: %d, want 3 (api, orders, nightly-export)", got)
	}
	var api, web, job *inventory.Consumer
	for i := range snap.Consumers {
		switch snap.Consumers[i].Name {
		case "api":
			api = &snap.Consumers[i]
		case "web":
			web = &snap.Consumers[i]
		case "nightly-export":
			job = &snap.Consumers[i]
		}
	}
	if api == nil || web == nil || job == nil {
		t.Fatalf("missing consumers: %+v", snap.Consumers)
	}
	if api.Egress != inventory.EgressAllTraffic || api.Ingress != inventory.IngressAll || !api.Public {
		t.Errorf("api = egress %q ingress %q public %v", api.Egress, api.Ingress, api.Public)
	}
	if len(api.Calls) != 1 || api.Calls[0] != "projects/acme-startup/locations/us-central1/services/orders" {
		t.Errorf("api calls %v, want orders", api.Calls)
	}
	if api.Usage == nil || api.Usage.PeakInstances != 12 || api.Usage.EgressBytes != 150323855360 {
		t.Errorf("api usage %+v", api.Usage)
	}
	if web.Connector != "" || web.Egress != "" || !web.Public {
		t.Errorf("web = %+v", web)
	}
	if job.Kind != inventory.KindJob || job.Egress != inventory.EgressAllTraffic {
		t.Errorf("job = %+v", job)
	}
	if len(snap.NATs) != 1 {
		t.Fatalf("nats: %d", len(snap.NATs))
	}
	nat := snap.NATs[0]
	if nat.Status == nil || nat.Status.VMEndpointsWithNATMappings != 3 || len(nat.Status.AutoAllocatedNatIPs) != 1 {
		t.Errorf("nat status %+v", nat.Status)
	}
	if nat.Usage == nil || nat.Usage.BytesSent+nat.Usage.BytesReceived != 180<<30 {
		t.Errorf("nat usage %+v, want 180 GiB", nat.Usage)
	}
	if len(nat.Subnetworks) != 1 || nat.Subnetworks[0] != "conn-us" {
		t.Errorf("nat subnetworks %v", nat.Subnetworks)
	}
	if len(snap.Subnets) != 4 || len(snap.Routes) != 1 || len(snap.Networks) != 1 {
		t.Errorf("subnets %d routes %d networks %d", len(snap.Subnets), len(snap.Routes), len(snap.Networks))
	}
	if p, _ := snap.Project("acme-startup"); p.Number != "482913374650" {
		t.Errorf("project number %q", p.Number)
	}
	for _, cv := range snap.Coverage {
		if cv.Status != inventory.CoverageOK {
			t.Errorf("coverage gap in startup: %+v", cv)
		}
	}
}

// An injected UNAVAILABLE on any list call is retried and the result is
// unchanged.
func TestCollectRetriesUnavailable(t *testing.T) {
	_, c := startScenario(t, "startup")
	want := jsonOf(t, collect(t, c, "acme-startup"))

	// Every call an inventory makes.
	for _, method := range []string{
		"google.cloud.run.v2.Services/ListServices",
		"google.cloud.run.v2.Services/GetIamPolicy",
		"google.cloud.run.v2.Jobs/ListJobs",
		"google.cloud.run.v2.WorkerPools/ListWorkerPools",
		"google.cloud.vpcaccess.v1.VpcAccessService/ListConnectors",
		"google.cloud.asset.v1.AssetService/SearchAllResources",
		"google.monitoring.v3.MetricService/ListTimeSeries",
		"GET /v2/projects/{project}/locations/{location}/functions",
		"GET /v1/apps/{appsId}",
		emulator.PatComputeGetProject,
		emulator.PatComputeGetXpnHost,
		emulator.PatComputeListNetworks,
		emulator.PatComputeAggSubnets,
		emulator.PatComputeListRoutes,
		emulator.PatComputeAggAddresses,
		emulator.PatComputeAggRouters,
		emulator.PatComputeRouterStatus,
		emulator.PatDNSListZones,
		emulator.PatDNSListResponsePolicies,
	} {
		t.Run(method, func(t *testing.T) {
			srv, c := startScenario(t, "startup")
			if err := srv.InjectFault(emulator.Fault{Method: method, Code: "UNAVAILABLE", Times: 2}); err != nil {
				t.Fatal(err)
			}
			got := jsonOf(t, collect(t, c, "acme-startup"))
			if got != want {
				t.Errorf("snapshot changed after a retried UNAVAILABLE on %s", method)
			}
			if srv.Calls(method) < 3 {
				t.Errorf("%s called %d times, want at least 3 (2 failures, then success)", method, srv.Calls(method))
			}
		})
	}
}

// An injected PERMISSION_DENIED lands in coverage; the rest is still read.
func TestCollectPermissionDeniedLandsInCoverage(t *testing.T) {
	srv, c := startScenario(t, "startup")
	if err := srv.InjectFault(emulator.Fault{Method: "GET /compute/v1/projects/{project}/aggregated/routers", Code: "PERMISSION_DENIED", Message: "Required 'compute.routers.list' permission for 'projects/acme-startup'"}); err != nil {
		t.Fatal(err)
	}
	snap := collect(t, c, "acme-startup")
	if len(snap.NATs) != 0 {
		t.Errorf("NATs read despite the denial: %d", len(snap.NATs))
	}
	if len(snap.Connectors) != 2 || len(snap.Consumers) != 5 {
		t.Errorf("the rest was not read: %d connectors, %d consumers", len(snap.Connectors), len(snap.Consumers))
	}
	found := false
	for _, cv := range snap.Coverage {
		if cv.API == "compute.googleapis.com" {
			found = true
			if cv.Status != inventory.CoverageDenied || cv.Permission != "compute.routers.list" || cv.Fix == "" {
				t.Errorf("coverage = %+v, want denied compute.routers.list with a fix", cv)
			}
		}
	}
	if !found {
		t.Error("no coverage row for compute")
	}
}

func TestCollectEnterpriseCoverageAndSharedVPC(t *testing.T) {
	_, c := startScenario(t, "enterprise")
	snap := collect(t, c, "ent-net-host", "ent-payments", "ent-data", "ent-legacy")
	gaps := map[string]string{}
	for _, cv := range snap.Coverage {
		if cv.Status != inventory.CoverageOK {
			gaps[cv.Project+" "+cv.API] = cv.Status + " " + cv.Permission
		}
	}
	for key, want := range map[string]string{
		"ent-legacy run.googleapis.com":      "disabled ",
		"ent-data monitoring.googleapis.com": "denied monitoring.timeSeries.list",
	} {
		if gaps[key] != want {
			t.Errorf("coverage %s = %q, want %q (all gaps: %v)", key, gaps[key], want, gaps)
		}
	}
	p, _ := snap.Project("ent-payments")
	if p.SharedVPCHost != "ent-net-host" {
		t.Errorf("ent-payments host = %q", p.SharedVPCHost)
	}
	if h, _ := snap.Project("ent-net-host"); !h.IsSharedVPCHost {
		t.Error("ent-net-host is not marked as a Shared VPC host")
	}
	pay, _ := snap.Connector("projects/ent-net-host/locations/us-central1/connectors/pay-conn")
	if pay == nil || pay.Usage == nil || pay.Usage.MaxInstances != 7 {
		t.Fatalf("pay-conn usage = %+v", pay)
	}
	if got := len(snap.ConsumersOf(pay.ID)); got != 5 {
		t.Errorf("pay-conn consumers: %d, want 5 (4 services and a worker pool)", got)
	}
	kinds := map[inventory.ConsumerKind]int{}
	for _, c := range snap.Consumers {
		kinds[c.Kind]++
	}
	if kinds[inventory.KindFunction1] != 1 || kinds[inventory.KindFunction] != 1 || kinds[inventory.KindAppEngine] != 1 || kinds[inventory.KindWorkerPool] != 1 {
		t.Errorf("consumer kinds %v", kinds)
	}
	var zone *inventory.DNSZone
	for i := range snap.DNSZones {
		if snap.DNSZones[i].DNSName == "a.run.app." {
			zone = &snap.DNSZones[i]
		}
	}
	if zone == nil || len(zone.Records) != 3 || len(zone.Networks) != 1 || zone.Networks[0] != "ent-net-host/shared-vpc" {
		t.Errorf("a.run.app zone = %+v", zone)
	}
}

func TestCollectNothingReadIsAnError(t *testing.T) {
	_, c := startScenario(t, "startup")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := c.Collect(ctx, CollectOptions{Projects: []string{"no-such-project"}, Now: testNow, Retry: fastRetry, Regions: []string{"us-central1"}})
	if !errors.Is(err, ErrNothingRead) {
		t.Fatalf("err = %v, want ErrNothingRead", err)
	}
}
