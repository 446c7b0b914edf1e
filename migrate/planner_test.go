package migrate_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/money"
	"github.com/vpcshift/vpcshift/internal/pricing"
	"github.com/vpcshift/vpcshift/migrate"
)

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func init() { gcp.PollInterval = time.Millisecond }

func scenarioPath(name string) string {
	if name == "hostile" {
		return filepath.Join("testdata", "hostile.yaml")
	}
	return filepath.Join("..", "testdata", "scenarios", name+".yaml")
}

// estate is a scenario served by the emulator, with clients pointed at it.
type estate struct {
	srv     *emulator.Server
	clients *gcp.Clients
	sc      *emulator.Scenario
}

func startEstate(t *testing.T, name string) *estate {
	t.Helper()
	sc, err := emulator.LoadScenario(scenarioPath(name))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.Start(context.Background(), sc, emulator.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c, err := gcp.New(context.Background(), gcp.Config{Emulator: srv.Addr, CallTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &estate{srv: srv, clients: c, sc: sc}
}

// inventory collects the estate and analyses it.
func (e *estate) analyse(t *testing.T, subnets map[string]string) (*inventory.Snapshot, *analyzer.Report) {
	t.Helper()
	var projects []string
	for _, p := range e.sc.Projects {
		projects = append(projects, p.ProjectID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap, err := e.clients.Collect(ctx, gcp.CollectOptions{Projects: projects, Now: testNow,
		Retry: &gcp.RetryPolicy{Attempts: 4, Initial: time.Millisecond, Max: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	book, err := pricing.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return snap, analyzer.Analyze(snap, book, analyzer.Options{Now: testNow, SubnetOverrides: subnets})
}

func planScenario(t *testing.T, name string, opts migrate.PlanOptions) *migrate.Plan {
	t.Helper()
	e := startEstate(t, name)
	snap, rep := e.analyse(t, opts.Subnets)
	opts.Now = testNow
	p, err := migrate.NewPlan(snap, rep, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func jsonOf(t *testing.T, p *migrate.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func steps(p *migrate.Plan) []migrate.Step {
	var out []migrate.Step
	for _, st := range p.Stages {
		out = append(out, st.Steps...)
	}
	return out
}

// Same inputs, byte-identical plans; stages in the documented order.
func TestPlanIsDeterministic(t *testing.T) {
	for _, name := range []string{"startup", "enterprise", "migrated", "empty", "hostile"} {
		t.Run(name, func(t *testing.T) {
			e := startEstate(t, name)
			snap, rep := e.analyse(t, nil)
			a, err := migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			b, err := migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if jsonOf(t, a) != jsonOf(t, b) {
				t.Fatal("two plans of the same inputs differ")
			}
			var names []migrate.StageName
			for _, st := range a.Stages {
				names = append(names, st.Name)
			}
			if len(names) != len(migrate.Stages) {
				t.Fatalf("stages %v, want %v", names, migrate.Stages)
			}
			for i := range names {
				if names[i] != migrate.Stages[i] {
					t.Fatalf("stages %v, want %v", names, migrate.Stages)
				}
			}
			// The plan reads back as it was written.
			back, err := migrate.Read(strings.NewReader(jsonOf(t, a)))
			if err != nil {
				t.Fatal(err)
			}
			if jsonOf(t, back) != jsonOf(t, a) {
				t.Fatal("the plan does not survive a JSON round trip")
			}
			seen := map[string]bool{}
			for _, s := range steps(a) {
				if seen[s.ID] {
					t.Errorf("step ID %s twice", s.ID)
				}
				seen[s.ID] = true
				for _, d := range s.DependsOn {
					if !seen[d] {
						t.Errorf("%s depends on %s, which does not come before it", s.ID, d)
					}
				}
			}
		})
	}
}

// The enterprise plan stops at the conflicting a.run.app. zone, and keeps
// the gen1 function, the App Engine version and us-east1's consumers
// (whose only subnet is a /28) where they are.
func TestEnterpriseStopsAtTheRightBlockers(t *testing.T) {
	p := planScenario(t, "enterprise", migrate.PlanOptions{})
	if !p.Stopped() {
		t.Fatal("the enterprise plan should stop")
	}
	type bl struct {
		id    string
		stops bool
	}
	want := []bl{
		{"runapp-zone-conflict:projects/ent-net-host/managedZones/a-run-app", true},
		{"consumer-manual-move:apps/ent-payments/services/default/versions/v20261102t1200", false},
		{"consumer-cannot-move:projects/ent-data/locations/us-east1/functions/legacy-hook", false},
		{"subnet-too-small:projects/ent-net-host/regions/us-east1/subnetworks/svc-us-east1", false},
	}
	if len(p.Blockers) != len(want) {
		t.Fatalf("%d blockers, want %d: %+v", len(p.Blockers), len(want), p.Blockers)
	}
	for i, w := range want {
		b := p.Blockers[i]
		if b.ID != w.id || b.StopsPlan != w.stops {
			t.Errorf("blocker %d = %s (stops %v), want %s (stops %v)", i, b.ID, b.StopsPlan, w.id, w.stops)
		}
		if b.Reason == "" || b.Fix == "" {
			t.Errorf("blocker %s has no reason or fix", b.ID)
		}
	}
	zone := p.Blockers[0].Fix
	for _, s := range []string{"after the wildcard exists", "gcloud dns managed-zones create run-app --project ent-net-host --dns-name run.app. --visibility private --networks shared-vpc",
		"gcloud dns record-sets delete ledger-x2a9pq4rmb-uc.a.run.app. --type A --zone a-run-app --project ent-net-host", "gcloud dns managed-zones delete a-run-app --project ent-net-host"} {
		if !strings.Contains(zone, s) {
			t.Errorf("the zone fix does not say %q:\n%s", s, zone)
		}
	}
	if !strings.Contains(p.Blockers[2].Fix, "2nd gen") || !strings.Contains(p.Blockers[1].Fix, "app.yaml") {
		t.Errorf("gen1/App Engine fixes: %q / %q", p.Blockers[2].Fix, p.Blockers[1].Fix)
	}
	if p.Summary.ConsumersMoved != 5 || p.Summary.ConsumersBlocked != 5 {
		t.Errorf("moved %d, blocked %d; want 5 and 5", p.Summary.ConsumersMoved, p.Summary.ConsumersBlocked)
	}
	ids := map[string]migrate.Step{}
	for _, s := range steps(p) {
		ids[s.ID] = s
	}
	for _, id := range []string{
		"preflight/blockers",
		"preflight/ent-payments/network-user/ent-net-host/us-central1/svc-us-central1",
		"network/ent-net-host/us-east1/shared-vpc/choose-subnet",
		"network/ent-net-host/us-central1/svc-us-central1/pga",
		"network/ent-net-host/us-central1/vms-us-central1/pga",
		"network/ent-net-host/us-central1/conn-us-central1/pga",
		"network/ent-net-host/shared-vpc/route-private-googleapis",
		"dns/ent-net-host/shared-vpc/run-app-zone",
		"services/ent-payments/us-central1/service/checkout/traffic-50",
		"services/ent-payments/us-central1/worker-pool/settlement-worker/update",
		"decommission/ent-net-host/asia-northeast1/connector/old-conn/delete",
		"decommission/ent-net-host/us-central1/connector/pay-conn/soak",
		"decommission/ent-net-host/us-central1/connector/pay-conn/delete",
	} {
		if _, ok := ids[id]; !ok {
			t.Errorf("no step %s", id)
		}
	}
	for id := range ids {
		for _, gone := range []string{"receipts", "etl", "ingest", "legacy-hook", "v20261102t1200", "data-conn/delete", "eu-conn/delete", "core-nat"} {
			if strings.Contains(id, gone) {
				t.Errorf("step %s should not be in the plan", id)
			}
		}
	}
	// The grant names the service agent of ent-payments.
	g := ids["preflight/ent-payments/network-user/ent-net-host/us-central1/svc-us-central1"]
	if g.Action != migrate.ActionManual || !strings.Contains(g.Params.Commands[0], "service-711000000002@serverless-robot-prod.iam.gserviceaccount.com") ||
		!strings.Contains(g.Params.Commands[0], "--role roles/compute.networkUser") {
		t.Errorf("grant step: %+v", g)
	}
	// Callees first: fraud and ledger before checkout, checkout before storefront.
	order := map[string]int{}
	for i, s := range steps(p) {
		if s.Action == migrate.ActionDeployRevision {
			order[s.Resource[strings.LastIndex(s.Resource, "/")+1:]] = i
		}
	}
	if !(order["fraud"] < order["checkout"] && order["ledger"] < order["checkout"] && order["checkout"] < order["storefront"]) {
		t.Errorf("deploy order %v: callees must come before callers", order)
	}
	// pay-conn's delete saves its cost and its share of core-nat, which
	// stays (it serves VMs) — and says so.
	del := ids["decommission/ent-net-host/us-central1/connector/pay-conn/delete"]
	if del.MonthlyCostDelta != "-785.45" || len(del.Notes) == 0 || !strings.Contains(del.Notes[0], "core-nat") {
		t.Errorf("pay-conn delete: delta %s notes %q", del.MonthlyCostDelta, del.Notes)
	}
	if s := ids["decommission/ent-net-host/asia-northeast1/connector/old-conn/delete"]; len(s.DependsOn) != 0 {
		t.Errorf("an idle connector waits for nothing: %v", s.DependsOn)
	}
}

// --subnet REGION=NAME releases the consumers a placement held.
func TestSubnetOverrideReleasesTheRegion(t *testing.T) {
	p := planScenario(t, "enterprise", migrate.PlanOptions{Subnets: map[string]string{"us-east1": "svc-us-east1"}})
	for _, b := range p.Blockers {
		if strings.HasPrefix(b.ID, "subnet-too-small:") {
			t.Errorf("the override did not release us-east1: %+v", b)
		}
	}
	found := map[string]bool{}
	for _, s := range steps(p) {
		found[s.ID] = true
	}
	for _, id := range []string{
		"services/ent-payments/us-east1/service/receipts/deploy",
		"services/ent-data/us-east1/job/etl/update",
		"services/ent-data/us-east1/function/ingest/update",
		"preflight/ent-data/network-user/ent-net-host/us-east1/svc-us-east1",
	} {
		if !found[id] {
			t.Errorf("no step %s with --subnet us-east1=svc-us-east1", id)
		}
	}
	if found["network/ent-net-host/us-east1/shared-vpc/choose-subnet"] {
		t.Error("the subnet was chosen: no step should ask for one")
	}
	if found["decommission/ent-net-host/us-east1/connector/data-conn/delete"] {
		t.Error("data-conn is kept by the gen1 function")
	}
	if p.Options.Subnets["us-east1"] != "svc-us-east1" {
		t.Errorf("options %+v", p.Options)
	}
}

// The summary's savings are the sum of the steps' monthly changes.
func TestSavingsAreTheStepsSum(t *testing.T) {
	for _, name := range []string{"startup", "enterprise", "migrated", "empty", "hostile"} {
		t.Run(name, func(t *testing.T) {
			p := planScenario(t, name, migrate.PlanOptions{})
			sum := money.Zero
			for _, s := range steps(p) {
				if s.MonthlyCostDelta == "" {
					continue
				}
				sum = sum.Add(money.MustParse(s.MonthlyCostDelta))
			}
			savings := money.MustParse(p.Summary.MonthlySavings)
			diff := sum.Neg().Sub(savings)
			if diff.Cmp(money.FromFrac(-5, 100)) < 0 || diff.Cmp(money.FromFrac(5, 100)) > 0 {
				t.Errorf("steps sum to %s, summary saves %s", sum.Fixed(2), p.Summary.MonthlySavings)
			}
			cur := money.MustParse(p.Summary.CurrentMonthlyCost)
			if cur.Sub(savings).Fixed(2) != p.Summary.TargetMonthlyCost {
				t.Errorf("current %s − savings %s ≠ target %s", p.Summary.CurrentMonthlyCost, p.Summary.MonthlySavings, p.Summary.TargetMonthlyCost)
			}
		})
	}
	p := planScenario(t, "startup", migrate.PlanOptions{})
	if p.Summary.MonthlySavings != "46.13" || p.Summary.Currency != "USD" || p.Summary.ConsumersMoved != 4 {
		t.Errorf("startup summary %+v", p.Summary)
	}
}

// The fingerprint covers what the plan touches and nothing else.
func TestFingerprintCoversWhatThePlanTouches(t *testing.T) {
	e := startEstate(t, "startup")
	snap, rep := e.analyse(t, nil)
	p, err := migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if p.Source.Fingerprint != inventory.Fingerprint(p.Source.Resources) {
		t.Fatal("the fingerprint is not the hash of the resources")
	}
	has := map[string]bool{}
	for _, r := range p.Source.Resources {
		has[r.ID] = true
	}
	for _, id := range []string{
		"projects/acme-startup/locations/us-central1/services/api",
		"projects/acme-startup/locations/us-central1/jobs/nightly-export",
		"projects/acme-startup/locations/us-central1/connectors/run-us",
		"projects/acme-startup/regions/us-central1/subnetworks/app-us",
		"projects/acme-startup/regions/us-central1/subnetworks/conn-us",
		"projects/acme-startup/global/routes/default-route-4b1c2e9f0a7d3e51",
		"projects/acme-startup/regions/us-central1/routers/nat-router-us/nats/nat-us",
	} {
		if !has[id] {
			t.Errorf("the fingerprint leaves out %s", id)
		}
	}
	if has["projects/acme-startup/locations/us-central1/services/web"] {
		t.Error("web (no VPC access) is not touched by the plan, yet it is fingerprinted")
	}
	// A change to something untouched keeps the fingerprint; a change to a
	// moved consumer changes it.
	for i := range snap.Consumers {
		if snap.Consumers[i].Name == "web" {
			snap.Consumers[i].Etag = "changed"
		}
	}
	p2, _ := migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: testNow})
	if p2.Source.Fingerprint != p.Source.Fingerprint {
		t.Error("an untouched service changed the fingerprint")
	}
	for i := range snap.Consumers {
		if snap.Consumers[i].Name == "api" {
			snap.Consumers[i].Etag = "changed"
		}
	}
	p3, _ := migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: testNow})
	if p3.Source.Fingerprint == p.Source.Fingerprint {
		t.Error("a changed consumer kept the fingerprint")
	}
}

func TestOptions(t *testing.T) {
	e := startEstate(t, "startup")
	snap, rep := e.analyse(t, nil)
	for _, bad := range []migrate.PlanOptions{
		{TrafficSteps: []int{50, 10}},
		{TrafficSteps: []int{0, 100}},
		{TrafficSteps: []int{10, 101}},
		{Tag: "Not_A_Tag"},
		{CanarySoak: -time.Second},
	} {
		if _, err := migrate.NewPlan(snap, rep, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	p, err := migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: testNow, TrafficSteps: []int{25}, Tag: "canary", CanarySoak: time.Minute, Live: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Options.TrafficSteps; len(got) != 2 || got[0] != 25 || got[1] != 100 {
		t.Errorf("traffic steps %v, want [25 100] (100 added)", got)
	}
	var validates, traffic int
	for _, s := range steps(p) {
		switch s.Action {
		case migrate.ActionValidate:
			validates++
		case migrate.ActionShiftTraffic:
			traffic++
			if s.Params.Tag != "canary" || s.Params.Wait.Std() != time.Minute {
				t.Errorf("%s: tag %q wait %s", s.ID, s.Params.Tag, s.Params.Wait.Std())
			}
		}
	}
	if validates != 4 || traffic != 6 {
		t.Errorf("%d validate steps (want 4, Live), %d traffic steps (want 3 services × 2)", validates, traffic)
	}
	def, _ := migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: testNow})
	if def.Options.Tag != "vpcshift" || def.Options.CanarySoak.Std() != 5*time.Minute || def.Options.DecommissionSoak.Std() != 24*time.Hour {
		t.Errorf("defaults %+v", def.Options)
	}
}

// A service whose traffic is split cannot take a canary: it is a blocker
// and stays, and so does its connector.
func TestSplitTrafficHoldsTheService(t *testing.T) {
	e := startEstate(t, "startup")
	snap, rep := e.analyse(t, nil)
	for i := range snap.Consumers {
		if snap.Consumers[i].Name == "orders" {
			snap.Consumers[i].Traffic = []inventory.TrafficTarget{{Type: "REVISION", Revision: "orders-00008-old", Percent: 50}, {Type: "LATEST", Percent: 50}}
		}
	}
	p, err := migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	var blocked bool
	for _, b := range p.Blockers {
		if strings.HasSuffix(b.Resource, "/services/orders") && strings.Contains(b.Reason, "split") {
			blocked = true
		}
	}
	if !blocked {
		t.Fatalf("no blocker for the split service: %+v", p.Blockers)
	}
	for _, s := range steps(p) {
		if strings.Contains(s.ID, "/orders/") || strings.HasSuffix(s.ID, "connector/run-us/delete") || strings.Contains(s.ID, "nat-us") {
			t.Errorf("step %s should wait for orders", s.ID)
		}
	}
	if p.Summary.ConsumersBlocked != 1 {
		t.Errorf("blocked %d, want 1", p.Summary.ConsumersBlocked)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":                "''",
		"plain-name_1.2":  "plain-name_1.2",
		"*.run.app.":      "'*.run.app.'",
		"it's":            `'it'\''s'`,
		"$(id)":           "'$(id)'",
		"a b":             "'a b'",
		"new\nline":       "'new\nline'",
		"vpcshift=10":     "vpcshift=10",
		"~":               "'~'",
		"value(name)":     "'value(name)'",
		"--rrdatas=a,b,c": "--rrdatas=a,b,c",
	} {
		if got := migrate.ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// reanalyse prices a changed snapshot again.
func reanalyse(t *testing.T, snap *inventory.Snapshot) *analyzer.Report {
	t.Helper()
	book, err := pricing.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return analyzer.Analyze(snap, book, analyzer.Options{Now: testNow})
}

// A run.app. zone with records of its own, a response policy that answers
// run.app names, and a network project whose DNS could not be read each
// stop the plan, with the exact way out.
func TestDNSConflictsAndUnreadableDNSStopThePlan(t *testing.T) {
	e := startEstate(t, "startup")
	base, _ := e.analyse(t, nil)
	clone := func() *inventory.Snapshot {
		var b bytes.Buffer
		if err := base.Write(&b); err != nil {
			t.Fatal(err)
		}
		s, err := inventory.Read(&b)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cases := []struct {
		name   string
		change func(s *inventory.Snapshot)
		id     string
		fix    []string
	}{
		{
			name: "run.app zone with a stray record",
			change: func(s *inventory.Snapshot) {
				s.DNSZones = append(s.DNSZones, inventory.DNSZone{ID: "projects/acme-startup/managedZones/old-run", Project: "acme-startup", Name: "old-run",
					DNSName: "run.app.", Visibility: "private", Networks: []string{"acme-startup/acme-vpc"},
					Records: []inventory.DNSRecord{{Name: "api-7kx2mz3qfa-uc.a.run.app.", Type: "A", TTL: 300, RRDatas: []string{"10.0.0.5"}}}})
			},
			id: "runapp-zone-conflict:projects/acme-startup/managedZones/old-run",
			fix: []string{"gcloud dns record-sets delete api-7kx2mz3qfa-uc.a.run.app. --type A --zone old-run --project acme-startup",
				"gcloud dns record-sets create '*.run.app.' --type A --ttl 300 --rrdatas 199.36.153.8,199.36.153.9,199.36.153.10,199.36.153.11 --zone old-run --project acme-startup"},
		},
		{
			name: "response policy",
			change: func(s *inventory.Snapshot) {
				s.ResponsePolicies = append(s.ResponsePolicies, inventory.ResponsePolicy{ID: "projects/acme-startup/responsePolicies/rp", Project: "acme-startup", Name: "rp",
					Networks: []string{"acme-startup/acme-vpc"},
					Rules:    []inventory.ResponsePolicyRule{{Name: "runapp", DNSName: "*.run.app.", LocalData: []inventory.DNSRecord{{Name: "*.run.app.", Type: "A", TTL: 300, RRDatas: []string{"10.9.9.9"}}}}}})
			},
			id:  "response-policy-conflict:projects/acme-startup/responsePolicies/rp/rules/runapp",
			fix: []string{"gcloud dns response-policies rules delete runapp --response-policy rp --project acme-startup", "gcloud dns managed-zones create run-app"},
		},
		{
			name: "DNS unreadable",
			change: func(s *inventory.Snapshot) {
				for i := range s.Coverage {
					if s.Coverage[i].API == "dns.googleapis.com" {
						s.Coverage[i].Status, s.Coverage[i].Permission = inventory.CoverageDenied, "dns.managedZones.list"
					}
				}
			},
			id:  "coverage-gap:projects/acme-startup/services/dns.googleapis.com",
			fix: []string{"run vpcshift plan again"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap := clone()
			c.change(snap)
			snap.Sort()
			p, err := migrate.NewPlan(snap, reanalyse(t, snap), migrate.PlanOptions{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			var b *migrate.Blocker
			for i := range p.Blockers {
				if p.Blockers[i].ID == c.id {
					b = &p.Blockers[i]
				}
			}
			if b == nil || !b.StopsPlan {
				t.Fatalf("no plan-stopping blocker %s: %+v", c.id, p.Blockers)
			}
			for _, f := range c.fix {
				if !strings.Contains(b.Fix, f) {
					t.Errorf("the fix does not say %q:\n%s", f, b.Fix)
				}
			}
			if st := p.Stages[0]; len(st.Steps) == 0 || st.Steps[0].ID != "preflight/blockers" {
				t.Errorf("preflight does not start with the blockers check")
			}
		})
	}
}
