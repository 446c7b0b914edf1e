package emulator

import (
	"bytes"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	compute "google.golang.org/api/compute/v1"
)

const computeScenario = `
projects:
  - projectId: acme-net
    projectNumber: "111111111111"
    networks:
      - name: default
      - name: shared
    subnetworks:
      - {name: run-a, region: us-central1, network: default, ipCidrRange: 10.0.0.0/26}
      - {name: run-b, region: us-central1, network: "https://www.googleapis.com/compute/v1/projects/acme-net/global/networks/default", ipCidrRange: 10.0.1.0/28}
      - {name: vms, region: us-central1, network: projects/acme-net/global/networks/default, ipCidrRange: 10.0.2.0/24}
      - {name: eu, region: "https://www.googleapis.com/compute/v1/projects/acme-net/regions/europe-west1", network: shared, ipCidrRange: 10.1.0.0/24, privateIpGoogleAccess: true}
    routers:
      - name: nat-router
        region: us-central1
        network: default
        nats:
          - name: nat
            natIpAllocateOption: AUTO_ONLY
            sourceSubnetworkIpRangesToNat: LIST_OF_SUBNETWORKS
            subnetworks:
              - {name: run-a, sourceIpRangesToNat: [ALL_IP_RANGES]}
              - {name: regions/us-central1/subnetworks/run-b, sourceIpRangesToNat: [ALL_IP_RANGES]}
      - name: manual-router
        region: us-central1
        network: default
        nats:
          - name: manual
            natIpAllocateOption: MANUAL_ONLY
            natIps: [nat-ip-1]
            sourceSubnetworkIpRangesToNat: ALL_SUBNETWORKS_ALL_IP_RANGES
      - name: eu-router
        region: europe-west1
        network: shared
    routerStatus:
      eu-router:
        result:
          natStatus:
            - {name: eu-nat, numVmEndpointsWithNatMappings: 7}
    routes:
      - {name: default-route-1, network: default, destRange: 0.0.0.0/0, nextHopGateway: default-internet-gateway, priority: 1000}
      - {name: to-onprem, network: default, destRange: 192.168.0.0/16, nextHopIp: 10.0.2.5, priority: 100}
    addresses:
      - {name: nat-auto-1, region: us-central1, address: 34.1.1.1, purpose: NAT_AUTO, addressType: EXTERNAL, users: [projects/acme-net/regions/us-central1/routers/nat-router]}
      - {name: nat-ip-1, region: us-central1, address: 34.2.2.2, addressType: EXTERNAL, users: [projects/acme-net/regions/us-central1/routers/manual-router]}
      - {name: lb-ip, address: 35.3.3.3, addressType: EXTERNAL}
      - {name: asia-ip, region: asia-east1, address: 34.9.9.9, addressType: EXTERNAL}
  - projectId: acme-app
    projectNumber: "222222222222"
    sharedVpcHost: acme-net
    deniedPermissions: [compute.subnetworks.list]
    subnetworks:
      - {name: app, region: us-east1, network: default, ipCidrRange: 10.9.0.0/24}
  - projectId: acme-off
    projectNumber: "333333333333"
    disabledApis: [compute.googleapis.com]
`

func newComputeClient(t *testing.T, srv *Server) *compute.Service {
	return newRESTService(t, srv, "/compute/v1/", compute.NewService)
}

func TestComputeSubnetworksListPagesAndNormalises(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)

	var names []string
	pages := 0
	err := svc.Subnetworks.List("acme-net", "us-central1").MaxResults(1).Pages(ctx, func(l *compute.SubnetworkList) error {
		pages++
		if l.Kind != "compute#subnetworkList" {
			t.Errorf("kind %q", l.Kind)
		}
		for _, sn := range l.Items {
			names = append(names, sn.Name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, ","); got != "run-a,run-b,vms" || pages != 3 {
		t.Fatalf("got %s in %d pages", got, pages)
	}
	if n := srv.Calls(PatComputeListSubnets); n != 3 {
		t.Fatalf("want 3 list calls, got %d", n)
	}

	sn, err := svc.Subnetworks.Get("acme-net", "us-central1", "run-a").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if sn.Kind != "compute#subnetwork" || sn.Id == 0 || sn.Fingerprint == "" ||
		sn.SelfLink != "https://www.googleapis.com/compute/v1/projects/acme-net/regions/us-central1/subnetworks/run-a" ||
		sn.Network != "https://www.googleapis.com/compute/v1/projects/acme-net/global/networks/default" ||
		sn.Region != "https://www.googleapis.com/compute/v1/projects/acme-net/regions/us-central1" ||
		sn.Purpose != "PRIVATE" {
		t.Fatalf("subnetwork not normalised: %+v", sn)
	}
	// A project number works as the project.
	if _, err := svc.Subnetworks.Get("111111111111", "europe-west1", "eu").Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}

	nets, err := svc.Networks.List("acme-net").MaxResults(1).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(nets.Items) != 1 || nets.Items[0].Name != "default" || nets.NextPageToken == "" {
		t.Fatalf("networks page: %+v", nets)
	}
	if len(nets.Items[0].Subnetworks) != 3 {
		t.Fatalf("network subnetworks: %v", nets.Items[0].Subnetworks)
	}
	n, err := svc.Networks.Get("acme-net", "shared").Context(ctx).Do()
	if err != nil || n.SelfLink != computeLink("acme-net", "global/networks/shared") {
		t.Fatalf("network get: %+v %v", n, err)
	}
}

func TestComputeSubnetworksAggregatedList(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)

	var got []string
	warnings := map[string]int{}
	pages := 0
	err := svc.Subnetworks.AggregatedList("acme-net").MaxResults(2).Pages(ctx, func(l *compute.SubnetworkAggregatedList) error {
		pages++
		for scope, sl := range l.Items {
			for _, sn := range sl.Subnetworks {
				got = append(got, scope+":"+sn.Name)
			}
			if sl.Warning != nil {
				if sl.Warning.Code != "NO_RESULTS_ON_PAGE" || len(sl.Subnetworks) != 0 ||
					len(sl.Warning.Data) != 1 || sl.Warning.Data[0].Value != scope {
					t.Errorf("bad warning for %s: %+v", scope, sl.Warning)
				}
				warnings[scope]++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	want := "regions/europe-west1:eu,regions/us-central1:run-a,regions/us-central1:run-b,regions/us-central1:vms"
	if strings.Join(got, ",") != want || pages != 2 {
		t.Fatalf("got %v in %d pages", got, pages)
	}
	// asia-east1 only holds an address, global only a global address: no
	// subnetwork on any page; europe-west1 is empty on page 1.
	if warnings["regions/asia-east1"] != 2 || warnings["global"] != 2 || warnings["regions/europe-west1"] != 1 {
		t.Fatalf("warnings: %v", warnings)
	}
}

func TestComputeNotFound(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)

	_, err := svc.Subnetworks.Get("acme-net", "us-central1", "nope").Context(ctx).Do()
	ge := apiErr(t, err, 404, "notFound")
	if ge.Message != "The resource 'projects/acme-net/regions/us-central1/subnetworks/nope' was not found" {
		t.Fatalf("message %q", ge.Message)
	}
	_, err = svc.Routers.Get("acme-net", "us-central1", "nope").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
	_, err = svc.Routes.Get("acme-net", "nope").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
	_, err = svc.Networks.Get("acme-net", "nope").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
	_, err = svc.Networks.List("no-such-project").Context(ctx).Do()
	ge = apiErr(t, err, 404, "notFound")
	if ge.Message != "The resource 'projects/no-such-project' was not found" {
		t.Fatalf("message %q", ge.Message)
	}
	_, err = svc.RegionOperations.Get("acme-net", "us-central1", "operation-nope").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
	_, err = svc.Subnetworks.List("acme-net", "us-central1").PageToken("x").Context(ctx).Do()
	apiErr(t, err, 400, "")
	_, err = svc.Subnetworks.List("acme-net", "us-central1").MaxResults(501).Context(ctx).Do()
	apiErr(t, err, 400, "invalid")
}

func TestComputeSetPrivateIpGoogleAccess(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)

	before, _ := srv.Subnetwork("acme-net", "us-central1", "run-a")
	op, err := svc.Subnetworks.SetPrivateIpGoogleAccess("acme-net", "us-central1", "run-a",
		&compute.SubnetworksSetPrivateIpGoogleAccessRequest{PrivateIpGoogleAccess: true}).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if op.Status != "RUNNING" || op.OperationType != "setPrivateIpGoogleAccess" || op.Kind != "compute#operation" ||
		op.TargetLink != before.SelfLink || op.TargetId != before.Id ||
		op.Region != computeLink("acme-net", "regions/us-central1") ||
		op.SelfLink != computeLink("acme-net", "regions/us-central1/operations", op.Name) {
		t.Fatalf("operation: %+v", op)
	}
	done, err := svc.RegionOperations.Get("acme-net", "us-central1", op.Name).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != "DONE" || done.Error != nil || done.Progress != 100 || done.EndTime == "" {
		t.Fatalf("first poll: %+v", done)
	}
	// Wait on a done operation answers it again.
	if w, err := svc.RegionOperations.Wait("acme-net", "us-central1", op.Name).Context(ctx).Do(); err != nil || w.Status != "DONE" {
		t.Fatalf("wait: %+v %v", w, err)
	}
	// Polled in the wrong region, it does not exist.
	_, err = svc.RegionOperations.Get("acme-net", "europe-west1", op.Name).Context(ctx).Do()
	apiErr(t, err, 404, "notFound")

	sn, err := svc.Subnetworks.Get("acme-net", "us-central1", "run-a").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if !sn.PrivateIpGoogleAccess || sn.Fingerprint == before.Fingerprint {
		t.Fatalf("after: pga=%v fingerprint %q (before %q)", sn.PrivateIpGoogleAccess, sn.Fingerprint, before.Fingerprint)
	}
	if got, _ := srv.Subnetwork("acme-net", "us-central1", "run-a"); !got.PrivateIpGoogleAccess {
		t.Fatal("inspection does not see the change")
	}

	// false travels as {} (omitempty) and turns it off.
	op, err = svc.Subnetworks.SetPrivateIpGoogleAccess("acme-net", "europe-west1", "eu",
		&compute.SubnetworksSetPrivateIpGoogleAccessRequest{}).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if w, err := svc.RegionOperations.Wait("acme-net", "europe-west1", op.Name).Context(ctx).Do(); err != nil || w.Status != "DONE" {
		t.Fatalf("wait: %+v %v", w, err)
	}
	if got, _ := srv.Subnetwork("acme-net", "europe-west1", "eu"); got.PrivateIpGoogleAccess {
		t.Fatal("privateIpGoogleAccess still on")
	}

	_, err = svc.Subnetworks.SetPrivateIpGoogleAccess("acme-net", "us-central1", "nope",
		&compute.SubnetworksSetPrivateIpGoogleAccessRequest{PrivateIpGoogleAccess: true}).Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
}

func TestComputePendingPolls(t *testing.T) {
	srv := startYAML(t, computeScenario, WithPendingPolls(1))
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)
	op, err := svc.Subnetworks.SetPrivateIpGoogleAccess("acme-net", "us-central1", "vms",
		&compute.SubnetworksSetPrivateIpGoogleAccessRequest{PrivateIpGoogleAccess: true}).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"RUNNING", "DONE", "DONE"} {
		got, err := svc.RegionOperations.Get("acme-net", "us-central1", op.Name).Context(ctx).Do()
		if err != nil || got.Status != want {
			t.Fatalf("poll %d: %+v %v, want %s", i+1, got, err, want)
		}
	}
}

func TestComputeOperationFault(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)
	if err := srv.InjectFault(Fault{Method: PatComputeSetPGA, Operation: true, Code: "RESOURCE_EXHAUSTED", Message: "Quota exceeded", Times: 1}); err != nil {
		t.Fatal(err)
	}
	op, err := svc.Subnetworks.SetPrivateIpGoogleAccess("acme-net", "us-central1", "run-b",
		&compute.SubnetworksSetPrivateIpGoogleAccessRequest{PrivateIpGoogleAccess: true}).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	done, err := svc.RegionOperations.Get("acme-net", "us-central1", op.Name).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != "DONE" || done.Error == nil || len(done.Error.Errors) != 1 ||
		done.Error.Errors[0].Code != "QUOTA_EXCEEDED" || done.Error.Errors[0].Message != "Quota exceeded" ||
		done.HttpErrorStatusCode != 429 || done.HttpErrorMessage != "TOO MANY REQUESTS" {
		t.Fatalf("failed operation: %+v %+v", done, done.Error)
	}
	if sn, _ := srv.Subnetwork("acme-net", "us-central1", "run-b"); sn.PrivateIpGoogleAccess {
		t.Fatal("a failed operation applied its change")
	}
	// The fault fired once; the retry succeeds.
	op, err = svc.Subnetworks.SetPrivateIpGoogleAccess("acme-net", "us-central1", "run-b",
		&compute.SubnetworksSetPrivateIpGoogleAccessRequest{PrivateIpGoogleAccess: true}).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if done, err := svc.RegionOperations.Get("acme-net", "us-central1", op.Name).Context(ctx).Do(); err != nil || done.Error != nil {
		t.Fatalf("retry: %+v %v", done, err)
	}
	if sn, _ := srv.Subnetwork("acme-net", "us-central1", "run-b"); !sn.PrivateIpGoogleAccess {
		t.Fatal("retry not applied")
	}
}

func TestComputeRoutersPatchNAT(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)

	rt, err := svc.Routers.Get("acme-net", "us-central1", "nat-router").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	subs := rt.Nats[0].Subnetworks
	if len(subs) != 2 || subs[1].Name != computeLink("acme-net", "regions/us-central1/subnetworks/run-b") {
		t.Fatalf("nat subnetworks not normalised: %+v", subs)
	}
	// Remove run-b from the NAT: PATCH with the whole nats list.
	rt.Nats[0].Subnetworks = subs[:1]
	op, err := svc.Routers.Patch("acme-net", "us-central1", "nat-router", &compute.Router{Nats: rt.Nats}).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if op.OperationType != "patch" || op.Status != "RUNNING" {
		t.Fatalf("operation %+v", op)
	}
	if done, err := svc.RegionOperations.Get("acme-net", "us-central1", op.Name).Context(ctx).Do(); err != nil || done.Status != "DONE" {
		t.Fatalf("poll: %+v %v", done, err)
	}
	got, err := svc.Routers.Get("acme-net", "us-central1", "nat-router").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Nats) != 1 || len(got.Nats[0].Subnetworks) != 1 || lastSegment(got.Nats[0].Subnetworks[0].Name) != "run-a" ||
		got.Nats[0].NatIpAllocateOption != "AUTO_ONLY" || got.Network != rt.Network || got.Id != rt.Id {
		t.Fatalf("after patch: %+v / %+v", got, got.Nats[0])
	}
	if insp, _ := srv.Router("acme-net", "us-central1", "nat-router"); len(insp.Nats[0].Subnetworks) != 1 {
		t.Fatal("inspection does not see the patch")
	}

	// A patch that does not name nats leaves them alone.
	if _, err := svc.Routers.Patch("acme-net", "us-central1", "nat-router", &compute.Router{Description: "edge"}).Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
	if insp, _ := srv.Router("acme-net", "us-central1", "nat-router"); insp.Description != "edge" || len(insp.Nats) != 1 {
		t.Fatalf("merge: %+v", insp)
	}

	// An empty LIST_OF_SUBNETWORKS is refused; nothing changes.
	rt.Nats[0].Subnetworks = nil
	_, err = svc.Routers.Patch("acme-net", "us-central1", "nat-router", &compute.Router{Nats: rt.Nats}).Context(ctx).Do()
	apiErr(t, err, 400, "invalid")
	// A subnetwork that does not exist is refused.
	rt.Nats[0].Subnetworks = []*compute.RouterNatSubnetworkToNat{{Name: "ghost", SourceIpRangesToNat: []string{"ALL_IP_RANGES"}}}
	_, err = svc.Routers.Patch("acme-net", "us-central1", "nat-router", &compute.Router{Nats: rt.Nats}).Context(ctx).Do()
	apiErr(t, err, 400, "invalid")

	// Removing every NAT needs nats sent explicitly as [].
	if _, err = svc.Routers.Patch("acme-net", "us-central1", "nat-router", &compute.Router{ForceSendFields: []string{"Nats"}}).Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
	if insp, _ := srv.Router("acme-net", "us-central1", "nat-router"); len(insp.Nats) != 0 {
		t.Fatalf("nats not removed: %+v", insp.Nats)
	}

	// PUT replaces the router.
	full, _ := svc.Routers.Get("acme-net", "us-central1", "manual-router").Context(ctx).Do()
	full.Description = "replaced"
	full.Nats = nil
	op, err = svc.Routers.Update("acme-net", "us-central1", "manual-router", full).Context(ctx).Do()
	if err != nil || op.OperationType != "update" {
		t.Fatalf("update: %+v %v", op, err)
	}
	if insp, _ := srv.Router("acme-net", "us-central1", "manual-router"); insp.Description != "replaced" || len(insp.Nats) != 0 {
		t.Fatalf("put: %+v", insp)
	}
	_, err = svc.Routers.Patch("acme-net", "us-central1", "nope", &compute.Router{}).Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
}

func TestComputeRouterStaleFingerprint(t *testing.T) {
	// compute/v1 Router has no fingerprint field, so the discovery client
	// cannot send one; a raw REST caller can, and the emulator honours it.
	srv := startYAML(t, computeScenario)
	url := srv.HTTPURL() + "/compute/v1/projects/acme-net/regions/us-central1/routers/nat-router"
	do := func(method string, body any) (int, map[string]any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequestWithContext(testCtx(t), method, url, rd)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	code, got := do("GET", nil)
	fp, _ := got["fingerprint"].(string)
	if code != 200 || fp == "" {
		t.Fatalf("GET: %d %v", code, got)
	}
	if code, out := do("PATCH", map[string]any{"description": "one", "fingerprint": fp}); code != 200 || out["status"] != "RUNNING" {
		t.Fatalf("PATCH with current fingerprint: %d %v", code, out)
	}
	code, out := do("PATCH", map[string]any{"description": "two", "fingerprint": fp})
	if code != 412 {
		t.Fatalf("PATCH with stale fingerprint: %d %v", code, out)
	}
	errs, _ := out["error"].(map[string]any)["errors"].([]any)
	if len(errs) != 1 || errs[0].(map[string]any)["reason"] != "conditionNotMet" {
		t.Fatalf("412 envelope: %v", out)
	}
	if rt, _ := srv.Router("acme-net", "us-central1", "nat-router"); rt.Description != "one" {
		t.Fatalf("stale patch applied: %q", rt.Description)
	}
	if code, out := do("PATCH", map[string]any{"bogus": 1}); code != 400 {
		t.Fatalf("unknown field: %d %v", code, out)
	}
}

func TestComputeRoutersListsAndStatus(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)

	var names []string
	err := svc.Routers.List("acme-net", "us-central1").MaxResults(1).Pages(ctx, func(l *compute.RouterList) error {
		for _, r := range l.Items {
			names = append(names, r.Name)
		}
		return nil
	})
	if err != nil || strings.Join(names, ",") != "manual-router,nat-router" {
		t.Fatalf("list: %v %v", names, err)
	}
	names = nil
	warned := map[string]bool{}
	pages := 0
	err = svc.Routers.AggregatedList("acme-net").MaxResults(2).Pages(ctx, func(l *compute.RouterAggregatedList) error {
		pages++
		for scope, sl := range l.Items {
			for _, r := range sl.Routers {
				names = append(names, scope+":"+r.Name)
			}
			if sl.Warning != nil {
				warned[scope] = true
			}
		}
		return nil
	})
	sort.Strings(names)
	if err != nil || pages != 2 || strings.Join(names, ",") != "regions/europe-west1:eu-router,regions/us-central1:manual-router,regions/us-central1:nat-router" {
		t.Fatalf("aggregated: %v in %d pages, %v", names, pages, err)
	}
	if !warned["regions/asia-east1"] || !warned["global"] {
		t.Fatalf("warnings: %v", warned)
	}

	st, err := svc.Routers.GetRouterStatus("acme-net", "europe-west1", "eu-router").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if st.Result.NatStatus[0].NumVmEndpointsWithNatMappings != 7 || st.Result.Network != computeLink("acme-net", "global/networks/shared") {
		t.Fatalf("scenario status: %+v", st.Result)
	}
	st, err = svc.Routers.GetRouterStatus("acme-net", "us-central1", "nat-router").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	ns := st.Result.NatStatus
	if len(ns) != 1 || ns[0].Name != "nat" || ns[0].NumVmEndpointsWithNatMappings != 0 || strings.Join(ns[0].AutoAllocatedNatIps, ",") != "34.1.1.1" {
		t.Fatalf("computed status: %+v", ns[0])
	}
	st, err = svc.Routers.GetRouterStatus("acme-net", "us-central1", "manual-router").Context(ctx).Do()
	if err != nil || strings.Join(st.Result.NatStatus[0].UserAllocatedNatIps, ",") != "34.2.2.2" {
		t.Fatalf("manual status: %+v %v", st, err)
	}
	_, err = svc.Routers.GetRouterStatus("acme-net", "us-central1", "nope").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
}

func TestComputeRoutesInsertDelete(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)

	var names []string
	err := svc.Routes.List("acme-net").MaxResults(1).Pages(ctx, func(l *compute.RouteList) error {
		for _, r := range l.Items {
			names = append(names, r.Name)
		}
		return nil
	})
	if err != nil || strings.Join(names, ",") != "default-route-1,to-onprem" {
		t.Fatalf("list: %v %v", names, err)
	}
	def, _ := svc.Routes.Get("acme-net", "default-route-1").Context(ctx).Do()
	if def.NextHopGateway != computeLink("acme-net", "global/gateways/default-internet-gateway") {
		t.Fatalf("gateway not normalised: %q", def.NextHopGateway)
	}

	op, err := svc.Routes.Insert("acme-net", &compute.Route{
		Name: "private-googleapis", Network: "global/networks/default", DestRange: "199.36.153.8/30",
		NextHopGateway: "global/gateways/default-internet-gateway",
	}).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if op.OperationType != "insert" || op.Region != "" || op.SelfLink != computeLink("acme-net", "global/operations", op.Name) {
		t.Fatalf("operation %+v", op)
	}
	if done, err := svc.GlobalOperations.Get("acme-net", op.Name).Context(ctx).Do(); err != nil || done.Status != "DONE" {
		t.Fatalf("poll: %+v %v", done, err)
	}
	// A global operation is not a region operation.
	_, err = svc.RegionOperations.Get("acme-net", "us-central1", op.Name).Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
	rt, err := svc.Routes.Get("acme-net", "private-googleapis").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if rt.Priority != 1000 || rt.Network != computeLink("acme-net", "global/networks/default") || rt.Id == 0 || rt.Kind != "compute#route" {
		t.Fatalf("inserted route: %+v", rt)
	}
	if len(srv.Routes("acme-net")) != 3 {
		t.Fatalf("inspection: %d routes", len(srv.Routes("acme-net")))
	}

	_, err = svc.Routes.Insert("acme-net", &compute.Route{Name: "private-googleapis", Network: "default", DestRange: "199.36.153.8/30", NextHopGateway: "default-internet-gateway"}).Context(ctx).Do()
	ge := apiErr(t, err, 409, "alreadyExists")
	if ge.Message != "The resource 'projects/acme-net/global/routes/private-googleapis' already exists" {
		t.Fatalf("message %q", ge.Message)
	}
	_, err = svc.Routes.Insert("acme-net", &compute.Route{Name: "r2", Network: "nope", DestRange: "199.36.153.8/30", NextHopGateway: "default-internet-gateway"}).Context(ctx).Do()
	apiErr(t, err, 400, "invalid")
	_, err = svc.Routes.Insert("acme-net", &compute.Route{Name: "r3", Network: "default", NextHopGateway: "default-internet-gateway"}).Context(ctx).Do()
	apiErr(t, err, 400, "")

	op, err = svc.Routes.Delete("acme-net", "private-googleapis").Context(ctx).Do()
	if err != nil || op.OperationType != "delete" {
		t.Fatalf("delete: %+v %v", op, err)
	}
	if done, err := svc.GlobalOperations.Wait("acme-net", op.Name).Context(ctx).Do(); err != nil || done.Status != "DONE" {
		t.Fatalf("wait: %+v %v", done, err)
	}
	_, err = svc.Routes.Get("acme-net", "private-googleapis").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
	_, err = svc.Routes.Delete("acme-net", "private-googleapis").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
}

func TestComputeAddresses(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)

	l, err := svc.Addresses.List("acme-net", "us-central1").Context(ctx).Do()
	if err != nil || len(l.Items) != 2 || l.Items[0].Name != "nat-auto-1" || l.Items[0].Status != "IN_USE" {
		t.Fatalf("regional: %+v %v", l, err)
	}
	var got []string
	err = svc.Addresses.AggregatedList("acme-net").MaxResults(3).Pages(ctx, func(l *compute.AddressAggregatedList) error {
		for scope, sl := range l.Items {
			for _, a := range sl.Addresses {
				got = append(got, scope+":"+a.Name)
			}
		}
		return nil
	})
	sort.Strings(got)
	if err != nil || strings.Join(got, ",") != "global:lb-ip,regions/asia-east1:asia-ip,regions/us-central1:nat-auto-1,regions/us-central1:nat-ip-1" {
		t.Fatalf("aggregated: %v %v", got, err)
	}
}

func TestComputeProjects(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)

	host, err := svc.Projects.Get("acme-net").Context(ctx).Do()
	if err != nil || host.Name != "acme-net" || host.Id != 111111111111 || host.XpnProjectStatus != "HOST" {
		t.Fatalf("host: %+v %v", host, err)
	}
	svcProj, err := svc.Projects.Get("acme-app").Context(ctx).Do()
	if err != nil || svcProj.XpnProjectStatus != "" {
		t.Fatalf("service project: %+v %v", svcProj, err)
	}
	x, err := svc.Projects.GetXpnHost("acme-app").Context(ctx).Do()
	if err != nil || x.Name != "acme-net" || x.Id != 111111111111 || x.XpnProjectStatus != "HOST" {
		t.Fatalf("xpn host: %+v %v", x, err)
	}
	x, err = svc.Projects.GetXpnHost("acme-net").Context(ctx).Do()
	if err != nil || x.Name != "" {
		t.Fatalf("no xpn host: %+v %v", x, err)
	}
	_, err = svc.Projects.Get("nope").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
}

func TestComputeInjectedFault(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)
	if err := srv.InjectFault(Fault{Method: PatComputeAggRouters, Code: "503", Times: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Routers.AggregatedList("acme-net").Context(ctx).Do()
	apiErr(t, err, 503, "")
	if _, err := svc.Routers.AggregatedList("acme-net").Context(ctx).Do(); err != nil {
		t.Fatalf("second call: %v", err)
	}
	if n := srv.Calls(PatComputeAggRouters); n != 2 {
		t.Fatalf("the client retried: %d calls", n)
	}
}

func TestComputeScenarioFault(t *testing.T) {
	srv := startYAML(t, `
faults:
  - {method: "GET /compute/v1/projects/{project}/global/networks", code: UNAVAILABLE, times: 1, project: acme-net}
`+strings.TrimPrefix(computeScenario, "\n"))
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)
	_, err := svc.Networks.List("acme-app").Context(ctx).Do()
	if err != nil {
		t.Fatalf("other project faulted: %v", err)
	}
	_, err = svc.Networks.List("acme-net").Context(ctx).Do()
	apiErr(t, err, 503, "")
	if _, err := svc.Networks.List("acme-net").Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
}

func TestComputeDisabledAPI(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	_, err := svc.Subnetworks.AggregatedList("acme-off").Context(testCtx(t)).Do()
	ge := apiErr(t, err, 403, "accessNotConfigured")
	if !strings.Contains(ge.Message, "Compute Engine API has not been used in project 333333333333") {
		t.Fatalf("message %q", ge.Message)
	}
	found := false
	for _, d := range ge.Details {
		m, _ := d.(map[string]any)
		if m["reason"] == "SERVICE_DISABLED" && m["metadata"].(map[string]any)["service"] == "compute.googleapis.com" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no SERVICE_DISABLED ErrorInfo in %v", ge.Details)
	}
}

func TestComputeDeniedPermission(t *testing.T) {
	srv := startYAML(t, computeScenario)
	svc := newComputeClient(t, srv)
	ctx := testCtx(t)
	for _, call := range []func() error{
		func() error { _, err := svc.Subnetworks.List("acme-app", "us-east1").Context(ctx).Do(); return err },
		func() error { _, err := svc.Subnetworks.AggregatedList("acme-app").Context(ctx).Do(); return err },
	} {
		ge := apiErr(t, call(), 403, "forbidden")
		if !strings.Contains(ge.Message, "compute.subnetworks.list") {
			t.Fatalf("message %q", ge.Message)
		}
	}
	// Get needs compute.subnetworks.get, which is granted.
	if _, err := svc.Subnetworks.Get("acme-app", "us-east1", "app").Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
}

// Deleting a connector takes its VMs out of the router status of the NAT
// that served it, as Google's would; a removed gateway leaves the status.
func TestRouterStatusFollowsDeletedConnectors(t *testing.T) {
	sc, err := LoadScenario("../../../testdata/scenarios/enterprise.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sc)
	ctx := testCtx(t)
	svc, err := compute.NewService(ctx, restOpts(srv, "/compute/v1/")...)
	if err != nil {
		t.Fatal(err)
	}
	vms := func() int64 {
		st, err := svc.Routers.GetRouterStatus("ent-net-host", "us-central1", "core-router").Context(ctx).Do()
		if err != nil {
			t.Fatal(err)
		}
		return st.Result.NatStatus[0].NumVmEndpointsWithNatMappings
	}
	if got := vms(); got != 12 {
		t.Fatalf("before: %d VMs, want 12", got)
	}
	srv.mu.Lock()
	p := srv.projects["ent-net-host"]
	var keep []*vpcaccesspb.Connector
	for _, c := range p.Connectors {
		if !strings.HasSuffix(c.GetName(), "/pay-conn") {
			keep = append(keep, c)
		}
	}
	p.Connectors = keep
	srv.mu.Unlock()
	if got := vms(); got != 5 {
		t.Fatalf("after deleting pay-conn (7 instances): %d VMs, want 5", got)
	}
}
