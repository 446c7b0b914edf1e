package analyzer

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	inv "github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/money"
	"github.com/vpcshift/vpcshift/internal/pricing"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// fixedNow is the clock of every test report.
var fixedNow = time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)

func mustBook(t testing.TB) *pricing.Book {
	t.Helper()
	b, err := pricing.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func analyze(t testing.TB, s *inv.Snapshot) *Report {
	t.Helper()
	return Analyze(s, mustBook(t), Options{Now: fixedNow})
}

func dec(s string) money.Amount { return money.MustParse(s) }

// wantExact checks an exact amount and its two-decimal form.
func wantExact(t *testing.T, what string, got money.Amount, exact money.Amount, cents string) {
	t.Helper()
	if got.Cmp(exact) != 0 {
		t.Errorf("%s = %s, want exactly %s", what, got.Exact(), exact.Exact())
	}
	if got.Fixed(2) != cents {
		t.Errorf("%s = %s, want %s to the cent", what, got.Fixed(2), cents)
	}
}

func findConnector(t *testing.T, r *Report, name string) Connector {
	t.Helper()
	for _, c := range r.Connectors {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no connector %s", name)
	return Connector{}
}

func findConsumer(t *testing.T, r *Report, name string) Consumer {
	t.Helper()
	for _, c := range r.Consumers {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no consumer %s", name)
	return Consumer{}
}

func findFinding(r *Report, id string) (Finding, bool) {
	for _, f := range r.Findings {
		if f.ID == id {
			return f, true
		}
	}
	return Finding{}, false
}

func mustFinding(t *testing.T, r *Report, id string) Finding {
	t.Helper()
	f, ok := findFinding(r, id)
	if !ok {
		var ids []string
		for _, f := range r.Findings {
			ids = append(ids, f.ID)
		}
		t.Fatalf("no finding %s; have:\n%s", id, strings.Join(ids, "\n"))
	}
	return f
}

func codes(r *Report) map[string]int {
	out := map[string]int{}
	for _, f := range r.Findings {
		out[f.Code]++
	}
	return out
}

// e2Hourly recomputes an e2 machine's hourly price by hand from the book's
// core and RAM prices.
func e2Hourly(t *testing.T, region string, vcpu, gib money.Amount) money.Amount {
	t.Helper()
	b := mustBook(t)
	core, err := b.Lookup(pricing.E2CoreHour, region)
	if err != nil {
		t.Fatal(err)
	}
	ram, err := b.Lookup(pricing.E2RAMGiBHour, region)
	if err != nil {
		t.Fatal(err)
	}
	return core.UnitPrice.Mul(vcpu).Add(ram.UnitPrice.Mul(gib))
}

func TestStartupFigures(t *testing.T) {
	r := analyze(t, startupSnapshot())
	quarter, one := money.FromFrac(1, 4), money.FromInt(1)

	// us-central1: 3 × e2-micro (observed) × 730 h.
	us := findConnector(t, r, "run-us")
	microUS := e2Hourly(t, "us-central1", quarter, one)
	if microUS.Cmp(dec("0.0083764275")) != 0 {
		t.Fatalf("e2-micro us-central1 hourly = %s", microUS.Exact())
	}
	wantExact(t, "run-us monthly", us.MonthlyCost.Amount(), microUS.MulInt(3*730), "18.34")
	wantExact(t, "run-us monthly", us.MonthlyCost.Amount(), dec("18.344376225"), "18.34")
	if us.Instances != 3 || us.InstancesSource != "monitoring" || us.Status != ConnectorMigratable {
		t.Errorf("run-us: %d instances from %s, status %s", us.Instances, us.InstancesSource, us.Status)
	}
	if l := us.CostLines[0]; l.UnitPrice.Cmp(microUS) != 0 || l.Quantity.Cmp(money.FromInt(2190)) != 0 || l.PriceSource != "snapshot@2026-02-12" {
		t.Errorf("run-us line = %+v", l)
	}

	// europe-west1: 2 × e2-micro at that region's two prices.
	eu := findConnector(t, r, "run-eu")
	microEU := e2Hourly(t, "europe-west1", quarter, one)
	wantExact(t, "run-eu monthly", eu.MonthlyCost.Amount(), microEU.MulInt(2*730), "13.45")

	// NAT: 3 VMs × 0.0014 × 730; 180 GiB over 30 days → 182.5 GiB a month × 0.045; 1 IP × 0.005 × 730.
	if len(r.NATs) != 1 {
		t.Fatalf("%d NATs", len(r.NATs))
	}
	n := r.NATs[0]
	uptime := dec("0.0014").MulInt(3 * 730)
	gibMonth := money.FromInt(180).MulInt(730).DivInt(720)
	data := gibMonth.Mul(dec("0.045"))
	ips := dec("0.005").MulInt(730)
	wantExact(t, "NAT uptime", n.CostLines[0].Monthly.Amount(), uptime, "3.07")
	if n.CostLines[1].Quantity.Cmp(dec("182.5")) != 0 {
		t.Errorf("NAT GiB a month = %s, want 182.5", n.CostLines[1].Quantity.Exact())
	}
	wantExact(t, "NAT data", n.CostLines[1].Monthly.Amount(), data, "8.21")
	wantExact(t, "NAT IPs", n.CostLines[2].Monthly.Amount(), ips, "3.65")
	natTotal := uptime.Add(data).Add(ips)
	wantExact(t, "NAT monthly", n.MonthlyCost.Amount(), natTotal, "14.93")
	if !n.ServesOnlyServerless || !n.Removable || n.MonthlySavings.Amount().Cmp(natTotal) != 0 {
		t.Errorf("NAT: servesOnly %v removable %v savings %s", n.ServesOnlyServerless, n.Removable, n.MonthlySavings)
	}
	if *n.VMEndpoints != 3 || n.ServerlessEndpoints != 3 || *n.OtherEndpoints != 0 {
		t.Errorf("NAT endpoints %d/%d/%d", *n.VMEndpoints, n.ServerlessEndpoints, *n.OtherEndpoints)
	}

	// One run.app. zone for acme-vpc: 0.000273973 × 730 + 1 M queries × 0.40.
	zone := dec("0.000273973").MulInt(730).Add(dec("0.4"))
	if len(r.DNSZones) != 1 || r.DNSZones[0].Status != ZoneNeeded {
		t.Fatalf("dnsZones = %+v", r.DNSZones)
	}
	wantExact(t, "zone", r.DNSZones[0].MonthlyCost.Amount(), zone, "0.60")

	current := microUS.MulInt(3 * 730).Add(microEU.MulInt(2 * 730)).Add(natTotal)
	wantExact(t, "current", r.Summary.CurrentMonthlyCost.Amount(), current, "46.73")
	wantExact(t, "savings", r.Summary.MonthlySavings.Amount(), current.Sub(zone), "46.13")
	wantExact(t, "target", r.Summary.TargetMonthlyCost.Amount(), zone, "0.60")
	wantExact(t, "annual", r.Summary.AnnualSavings.Amount(), current.Sub(zone).MulInt(12), "553.51")
	wantExact(t, "blocked", r.Summary.BlockedMonthlySavings.Amount(), money.Zero, "0.00")

	// Placements: us-central1 app-us without PGA, europe-west1 app-eu ok.
	if len(r.Placements) != 2 {
		t.Fatalf("placements = %+v", r.Placements)
	}
	eup, usp := r.Placements[0], r.Placements[1]
	if eup.Subnet != "app-eu" || eup.Status != PlacementOK || eup.NeededIPs != 4 || eup.AvailableIPs != 4092 {
		t.Errorf("europe-west1 placement = %+v", eup)
	}
	// api 12 (monitoring) + orders 4 (monitoring) + nightly-export 100 (default) = 116 × 2.
	if usp.Subnet != "app-us" || usp.Status != PlacementNeedsPGA || usp.NeededIPs != 232 {
		t.Errorf("us-central1 placement = %+v", usp)
	}

	for _, id := range []string{
		"connector-migratable:projects/acme-startup/locations/us-central1/connectors/run-us",
		"connector-migratable:projects/acme-startup/locations/europe-west1/connectors/run-eu",
		"connector-scaled-out:projects/acme-startup/locations/us-central1/connectors/run-us",
		"consumer-all-traffic:projects/acme-startup/locations/us-central1/services/api",
		"consumer-all-traffic:projects/acme-startup/locations/us-central1/jobs/nightly-export",
		"nat-serverless-only:projects/acme-startup/regions/us-central1/routers/nat-router-us/nats/nat-us",
		"subnet-no-pga:projects/acme-startup/regions/us-central1/subnetworks/app-us",
		"public-service:projects/acme-startup/locations/us-central1/services/api",
		"public-service:projects/acme-startup/locations/us-central1/services/web",
	} {
		mustFinding(t, r, id)
	}
	// One extra instance above the minimum, priced.
	f := mustFinding(t, r, "connector-scaled-out:projects/acme-startup/locations/us-central1/connectors/run-us")
	wantExact(t, "scaled-out impact", f.MonthlyImpact.Amount(), microUS.MulInt(730), "6.11")
	if c := codes(r); c[CodeNoVIPRoute] != 0 || c[CodeNATStaticEgressIP] != 0 || c[CodeCoverageGap] != 0 {
		t.Errorf("unexpected findings: %v", c)
	}
	if len(r.Errors) != 0 {
		t.Errorf("errors: %+v", r.Errors)
	}
}

func TestEnterpriseFigures(t *testing.T) {
	r := analyze(t, enterpriseSnapshot())

	// pay-conn: 7 observed × e2-standard-4 (4 vCPU + 16 GiB) in us-central1; all five consumers can move.
	pay := findConnector(t, r, "pay-conn")
	std4 := e2Hourly(t, "us-central1", money.FromInt(4), money.FromInt(16))
	payCost := std4.MulInt(7 * 730)
	wantExact(t, "pay-conn monthly", pay.MonthlyCost.Amount(), payCost, "684.86")
	wantExact(t, "pay-conn monthly", payCost, dec("684.8567124"), "684.86")
	if pay.Status != ConnectorMigratable || len(pay.Consumers) != 5 || pay.MonthlySavings.Amount().Cmp(payCost) != 0 {
		t.Errorf("pay-conn: %s, %d consumers, saves %s", pay.Status, len(pay.Consumers), pay.MonthlySavings)
	}

	// data-conn: kept by the gen1 function; its cost is blocked savings.
	data := findConnector(t, r, "data-conn")
	dataCost := e2Hourly(t, "us-east1", money.FromFrac(1, 4), money.FromInt(1)).MulInt(2 * 730)
	wantExact(t, "data-conn monthly", data.MonthlyCost.Amount(), dataCost, "12.23")
	if data.Status != ConnectorKept || len(data.KeptBy) != 1 || data.KeptBy[0] != "projects/ent-data/locations/us-east1/functions/legacy-hook" {
		t.Errorf("data-conn: %s kept by %v", data.Status, data.KeptBy)
	}
	wantExact(t, "data-conn blocked", data.BlockedMonthlySavings.Amount(), dataCost, "12.23")
	wantExact(t, "data-conn now", data.MonthlySavings.Amount(), money.Zero, "0.00")
	hook := findConsumer(t, r, "legacy-hook")
	if hook.Status != ConsumerBlocked || !strings.Contains(hook.Blocker, "1st gen") {
		t.Errorf("legacy-hook: %s %q", hook.Status, hook.Blocker)
	}

	// eu-conn: 2 × f1-micro at minInstances (no monitoring), kept by App Engine (manual).
	eu := findConnector(t, r, "eu-conn")
	f1, _ := mustBook(t).Lookup(pricing.F1MicroHour, "europe-west1")
	euCost := f1.UnitPrice.MulInt(2 * 730)
	wantExact(t, "eu-conn monthly", eu.MonthlyCost.Amount(), euCost, "12.56")
	if eu.Status != ConnectorKept || eu.InstancesSource != "minInstances" {
		t.Errorf("eu-conn: %s, instances from %s", eu.Status, eu.InstancesSource)
	}
	if ae := findConsumer(t, r, "default/v20261102t1200"); ae.Status != ConsumerManual {
		t.Errorf("App Engine: %s", ae.Status)
	}

	// old-conn: idle, 2 × e2-micro in asia-northeast1.
	old := findConnector(t, r, "old-conn")
	oldCost := e2Hourly(t, "asia-northeast1", money.FromFrac(1, 4), money.FromInt(1)).MulInt(2 * 730)
	wantExact(t, "old-conn monthly", old.MonthlyCost.Amount(), oldCost, "15.69")
	if old.Status != ConnectorIdle || old.MonthlySavings.Amount().Cmp(oldCost) != 0 {
		t.Errorf("old-conn: %s saves %s", old.Status, old.MonthlySavings)
	}

	// core-nat: 12 VM endpoints, 7 are pay-conn instances. Keep it; save the serverless share.
	n := r.NATs[0]
	if *n.VMEndpoints != 12 || n.ServerlessEndpoints != 7 || *n.OtherEndpoints != 5 || n.Removable || n.ServesOnlyServerless || !n.StaticIPs {
		t.Errorf("core-nat: vm %d serverless %d other %d removable %v", *n.VMEndpoints, n.ServerlessEndpoints, *n.OtherEndpoints, n.Removable)
	}
	vmH := dec("0.0014")
	uptime := vmH.MulInt(12 * 730)
	natGiB := money.FromInt(3072).MulInt(730).DivInt(720) // 3 TiB over 30 days
	natData := natGiB.Mul(dec("0.045"))
	natIPs := dec("0.005").MulInt(2 * 730)
	wantExact(t, "core-nat uptime", n.CostLines[0].Monthly.Amount(), uptime, "12.26")
	wantExact(t, "core-nat data", n.CostLines[1].Monthly.Amount(), natData, "140.16")
	wantExact(t, "core-nat IPs", n.CostLines[2].Monthly.Amount(), natIPs, "7.30")
	natCost := uptime.Add(natData).Add(natIPs)
	wantExact(t, "core-nat monthly", n.MonthlyCost.Amount(), natCost, "159.72")
	// Uptime saved: cost(12) − cost(5) = 7 × 0.0014; data: pay-conn's 2 TiB (under the NAT's 3 TiB).
	upSave := vmH.MulInt(12).Sub(vmH.MulInt(5)).MulInt(730)
	dataSave := money.FromInt(2048).MulInt(730).DivInt(720).Mul(dec("0.045"))
	natSave := upSave.Add(dataSave)
	wantExact(t, "core-nat savings", n.MonthlySavings.Amount(), natSave, "100.59")
	if !strings.Contains(n.Method, "connector-bytes") {
		t.Errorf("core-nat method = %q", n.Method)
	}

	// DNS: the a.run.app. zone conflicts; a run.app. zone is still needed (zone #3 in the inventory).
	if len(r.DNSZones) != 1 {
		t.Fatalf("dnsZones = %+v", r.DNSZones)
	}
	z := r.DNSZones[0]
	zone := dec("0.000273973").MulInt(730).Add(dec("0.4"))
	if z.Network != "ent-net-host/shared-vpc" || z.Status != ZoneConflict || len(z.ConflictWith) != 1 || z.ConflictWith[0] != "projects/ent-net-host/managedZones/a-run-app" {
		t.Errorf("zone = %+v", z)
	}
	wantExact(t, "zone", z.MonthlyCost.Amount(), zone, "0.60")

	// Summary.
	conns := payCost.Add(dataCost).Add(euCost).Add(oldCost)
	current := conns.Add(natCost)
	savings := payCost.Add(oldCost).Add(natSave).Sub(zone)
	wantExact(t, "current", r.Summary.CurrentMonthlyCost.Amount(), current, "885.06")
	wantExact(t, "savings", r.Summary.MonthlySavings.Amount(), savings, "800.54")
	wantExact(t, "target", r.Summary.TargetMonthlyCost.Amount(), current.Sub(savings), "84.52")
	wantExact(t, "annual", r.Summary.AnnualSavings.Amount(), savings.MulInt(12), "9606.47")
	wantExact(t, "blocked", r.Summary.BlockedMonthlySavings.Amount(), dataCost.Add(euCost), "24.79")

	// Placements.
	want := map[string]struct {
		subnet, status string
		needed         int
	}{
		"us-central1":  {"svc-us-central1", PlacementNeedsPGA, 2 * (64 + 22 + 100 + 100 + 100)},
		"us-east1":     {"svc-us-east1", PlacementTooSmall, 2 * (9 + 100 + 100)},
		"europe-west1": {"svc-eu", PlacementOK, 2 * 100},
	}
	if len(r.Placements) != len(want) {
		t.Errorf("placements = %+v", r.Placements)
	}
	for _, p := range r.Placements {
		w := want[p.Region]
		if p.Subnet != w.subnet || p.Status != w.status || p.NeededIPs != w.needed {
			t.Errorf("%s placement: %s %s %d, want %+v", p.Region, p.Subnet, p.Status, p.NeededIPs, w)
		}
	}

	for _, id := range []string{
		"consumer-cannot-move:projects/ent-data/locations/us-east1/functions/legacy-hook",
		"consumer-manual-move:apps/ent-payments/services/default/versions/v20261102t1200",
		"connector-kept:projects/ent-net-host/locations/us-east1/connectors/data-conn",
		"connector-kept:projects/ent-net-host/locations/europe-west1/connectors/eu-conn",
		"connector-idle:projects/ent-net-host/locations/asia-northeast1/connectors/old-conn",
		"connector-migratable:projects/ent-net-host/locations/us-central1/connectors/pay-conn",
		"connector-scaled-out:projects/ent-net-host/locations/us-central1/connectors/pay-conn",
		"nat-shared-with-vms:projects/ent-net-host/regions/us-central1/routers/core-router/nats/core-nat",
		"nat-static-egress-ip:projects/ent-payments/locations/us-central1/services/checkout",
		"nat-static-egress-ip:projects/ent-payments/locations/us-central1/workerPools/settlement-worker",
		"runapp-zone-conflict:projects/ent-net-host/managedZones/a-run-app",
		"no-vip-route:projects/ent-net-host/global/networks/shared-vpc",
		"subnet-too-small:projects/ent-net-host/regions/us-east1/subnetworks/svc-us-east1",
		"subnet-no-pga:projects/ent-net-host/regions/us-central1/subnetworks/svc-us-central1",
		"public-service:projects/ent-payments/locations/us-central1/services/storefront",
		"on-target:projects/ent-data/locations/europe-west1/services/reports",
		"coverage-gap:projects/ent-data/services/monitoring.googleapis.com",
		"coverage-gap:projects/ent-legacy/services/run.googleapis.com",
		"coverage-gap:projects/ent-legacy/services/appengine.googleapis.com",
	} {
		mustFinding(t, r, id)
	}
	f := mustFinding(t, r, "consumer-cannot-move:projects/ent-data/locations/us-east1/functions/legacy-hook")
	if f.Severity != SeverityBlocker || f.MonthlyImpact.Amount().Cmp(dataCost) != 0 {
		t.Errorf("cannot-move: %+v", f)
	}
	if r.Findings[0].Severity != SeverityBlocker {
		t.Errorf("findings not sorted by severity: first is %s", r.Findings[0].ID)
	}
	if c := codes(r); c[CodeCoverageGap] != 3 || c[CodeNATServerlessOnly] != 0 || c[CodeRunAppZoneExists] != 0 {
		t.Errorf("codes = %v", c)
	}
	if len(r.Errors) != 0 {
		t.Errorf("errors: %+v", r.Errors)
	}
}

func TestMigratedSavesNothingAndSaysSo(t *testing.T) {
	r := analyze(t, migratedSnapshot())
	if len(r.Connectors) != 0 || len(r.NATs) != 0 || len(r.Placements) != 0 {
		t.Fatalf("connectors %d, nats %d, placements %d", len(r.Connectors), len(r.NATs), len(r.Placements))
	}
	if r.Summary.MonthlySavings.Amount().Sign() > 0 {
		t.Errorf("savings %s > 0", r.Summary.MonthlySavings)
	}
	if len(r.DNSZones) != 1 || r.DNSZones[0].Status != ZoneExists || r.DNSZones[0].MonthlyCost.Amount().Sign() != 0 {
		t.Errorf("dnsZones = %+v", r.DNSZones)
	}
	c := codes(r)
	if c[CodeOnTarget] != 3 || c[CodeRunAppZoneExists] != 1 || c[CodeNegativeSavings] != 0 {
		t.Errorf("codes = %v", c)
	}
	for _, x := range r.Consumers {
		if x.Status != ConsumerOnTarget {
			t.Errorf("%s: %s", x.ID, x.Status)
		}
	}

	// Without its zone, the target costs a zone more than today: said, not hidden.
	s := migratedSnapshot()
	s.DNSZones = nil
	r = analyze(t, s)
	zone := dec("0.000273973").MulInt(730).Add(dec("0.4"))
	wantExact(t, "savings", r.Summary.MonthlySavings.Amount(), zone.Neg(), "-0.60")
	wantExact(t, "target", r.Summary.TargetMonthlyCost.Amount(), zone, "0.60")
	wantExact(t, "annual", r.Summary.AnnualSavings.Amount(), zone.Neg().MulInt(12), "-7.20")
	f := mustFinding(t, r, "negative-savings:summary")
	if f.MonthlyImpact == nil || f.MonthlyImpact.String() != "-0.60" {
		t.Errorf("negative-savings = %+v", f)
	}
}

func TestEmptyIsZero(t *testing.T) {
	r := analyze(t, emptySnapshot())
	for what, m := range map[string]Money{
		"current": r.Summary.CurrentMonthlyCost, "target": r.Summary.TargetMonthlyCost,
		"savings": r.Summary.MonthlySavings, "annual": r.Summary.AnnualSavings, "blocked": r.Summary.BlockedMonthlySavings,
	} {
		if m.Amount().Sign() != 0 || m.String() != "0.00" {
			t.Errorf("%s = %s", what, m)
		}
	}
	if len(r.Findings) != 0 || len(r.Errors) != 0 || len(r.DNSZones) != 0 {
		t.Errorf("findings %v errors %v zones %v", r.Findings, r.Errors, r.DNSZones)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(":null")) {
		t.Errorf("empty report has nulls: %s", b)
	}
}

// allParts checks that the attribution to consumers sums exactly to each
// connector's and NAT's saveable cost.
func allParts(t *testing.T, name string, r *Report) {
	t.Helper()
	byConn := map[string][]Consumer{}
	for _, c := range r.Consumers {
		if c.Connector != "" {
			byConn[c.Connector] = append(byConn[c.Connector], c)
		}
	}
	var natFromConsumers, consumerNow, consumerBlocked money.Amount
	for _, c := range r.Connectors {
		cons := byConn[c.ID]
		if len(cons) == 0 || c.MonthlyCost == nil || (c.Status != ConnectorMigratable && c.Status != ConnectorKept) {
			continue
		}
		var sum money.Amount
		for _, x := range cons {
			sum = sum.Add(x.AttributedConnectorMonthly.Amount())
		}
		if sum.Cmp(c.MonthlyCost.Amount()) != 0 {
			t.Errorf("%s: %s: consumers' shares sum to %s, not %s", name, c.ID, sum.Exact(), c.MonthlyCost.Amount().Exact())
		}
	}
	for _, x := range r.Consumers {
		if x.AttributedNatMonthly != nil {
			natFromConsumers = natFromConsumers.Add(x.AttributedNatMonthly.Amount())
		}
		consumerNow = consumerNow.Add(x.MonthlySavings.Amount())
		consumerBlocked = consumerBlocked.Add(x.BlockedMonthlySavings.Amount())
	}
	var natSave, connNow, connBlocked money.Amount
	for _, n := range r.NATs {
		natSave = natSave.Add(n.MonthlySavings.Amount()).Add(n.BlockedMonthlySavings.Amount())
	}
	idleNAT := false
	for _, c := range r.Connectors {
		if c.Status == ConnectorMigratable {
			connNow = connNow.Add(c.MonthlySavings.Amount())
		}
		connBlocked = connBlocked.Add(c.BlockedMonthlySavings.Amount())
		if c.Status == ConnectorIdle && len(c.NATs) > 0 {
			idleNAT = true
		}
	}
	if !idleNAT {
		if natFromConsumers.Cmp(natSave) != 0 {
			t.Errorf("%s: consumers' NAT shares sum to %s, NAT savings are %s", name, natFromConsumers.Exact(), natSave.Exact())
		}
		var natNow, natBlk money.Amount
		for _, n := range r.NATs {
			natNow = natNow.Add(n.MonthlySavings.Amount())
			natBlk = natBlk.Add(n.BlockedMonthlySavings.Amount())
		}
		if consumerNow.Cmp(connNow.Add(natNow)) != 0 {
			t.Errorf("%s: consumers save %s now, connectors + NATs %s", name, consumerNow.Exact(), connNow.Add(natNow).Exact())
		}
		if consumerBlocked.Cmp(connBlocked.Add(natBlk)) != 0 {
			t.Errorf("%s: consumers' blocked savings %s, connectors + NATs %s", name, consumerBlocked.Exact(), connBlocked.Add(natBlk).Exact())
		}
	}
}

func TestAttributionSumsExactly(t *testing.T) {
	for _, ts := range testSnapshots {
		allParts(t, ts.name, analyze(t, ts.snap()))
	}
	// By egress bytes, in thirds that do not divide evenly.
	s := startupSnapshot()
	for i := range s.Consumers {
		if s.Consumers[i].Name == "nightly-export" {
			s.Consumers[i].Usage = &inv.ConsumerUsage{EgressBytes: 1}
		}
		if s.Consumers[i].Name == "api" {
			s.Consumers[i].Usage.EgressBytes = 1
		}
		if s.Consumers[i].Name == "orders" {
			s.Consumers[i].Usage.EgressBytes = 1
		}
	}
	r := analyze(t, s)
	allParts(t, "startup-thirds", r)
	if m := findConnector(t, r, "run-us").AttributionMethod; m != AttributionEgressBytes {
		t.Errorf("method = %s", m)
	}
	// Weighted: api sent 7 parts, orders 2, the job 1.
	for i := range s.Consumers {
		switch s.Consumers[i].Name {
		case "api":
			s.Consumers[i].Usage.EgressBytes = 7
		case "orders":
			s.Consumers[i].Usage.EgressBytes = 2
		case "nightly-export":
			s.Consumers[i].Usage.EgressBytes = 1
		}
	}
	r = analyze(t, s)
	allParts(t, "startup-weighted", r)
	us := findConnector(t, r, "run-us")
	api := findConsumer(t, r, "api")
	if want := us.MonthlyCost.Amount().MulInt(7).DivInt(10); api.AttributedConnectorMonthly.Amount().Cmp(want) != 0 || api.AttributionMethod != AttributionEgressBytes {
		t.Errorf("api share = %s (%s), want %s", api.AttributedConnectorMonthly.Amount().Exact(), api.AttributionMethod, want.Exact())
	}
	allParts(t, "synthetic", analyze(t, syntheticSnapshot(500, 20)))
}

func TestNATUptimeCap(t *testing.T) {
	// Uptime saved = NATUptimeHourly(vms) − NATUptimeHourly(vms that stay),
	// so the 32-VM cap is handled. It can even be negative: the page's cap
	// ($0.044/h) is below 32 × $0.0014, so going from 33 VMs to 32 costs more.
	b := mustBook(t)
	cost := func(v int) money.Amount {
		h, _, err := b.NATUptimeHourly(int64(v), "us-central1")
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	for _, c := range []struct {
		vms, serverless int
		hourly          string
	}{
		{12, 7, "0.0098"},   // 7 × 0.0014
		{40, 10, "0.002"},   // 0.044 − 30 × 0.0014
		{36, 2, "0"},        // both above the cap
		{33, 2, "0.0006"},   // 0.044 − 31 × 0.0014
		{33, 1, "-0.0008"},  // 0.044 − 32 × 0.0014
		{100, 100, "0.044"}, // all of it (removable)
		{5, 8, "0.007"},     // status below the connector count: nothing stays
		{100, 80, "0.016"},  // 0.044 − 20 × 0.0014
		{64, 33, "0.0006"},  // 0.044 − 31 × 0.0014
		{3, 3, "0.0042"},    // startup
		{200, 150, "0"},     // 50 stay: still capped
		{41, 40, "0.0426"},  // 1 stays
		{32, 32, "0.0448"},  // all of it, not yet capped
		{45, 45, "0.044"},   // all of it, capped
		{34, 2, "-0.0008"},  // 32 stay: 0.044 − 32 × 0.0014
	} {
		r := analyze(t, natSnapshot(c.vms, c.serverless))
		l := r.NATs[0].SavingLines[0]
		if l.UnitPrice.Cmp(dec(c.hourly)) != 0 {
			t.Errorf("%d VMs, %d serverless: %s/h saved, want %s", c.vms, c.serverless, l.UnitPrice.Exact(), c.hourly)
		}
		want := cost(c.vms).Sub(cost(max(c.vms-c.serverless, 0))).MulInt(730)
		if l.Monthly.Amount().Cmp(want) != 0 {
			t.Errorf("%d VMs, %d serverless: %s a month saved, want %s", c.vms, c.serverless, l.Monthly.Amount().Exact(), want.Exact())
		}
		allParts(t, "cap", r)
	}
}

// natSnapshot is one connector with serverless instances behind one NAT
// with vms VM endpoints.
func natSnapshot(vms, serverless int) *inv.Snapshot {
	s := startupSnapshot()
	s.Connectors[0].Usage.MaxInstances = serverless // run-us, behind nat-us
	s.Connectors[0].MaxInstances = 10
	s.NATs[0].Status.VMEndpointsWithNATMappings = vms
	return s
}

func TestUnknownConsumersAreNeverRemovable(t *testing.T) {
	s := enterpriseSnapshot()
	s.Connectors[0].ConnectedProjects = []string{"ent-legacy", "ent-payments", "outside-scope"}
	r := analyze(t, s)
	pay := findConnector(t, r, "pay-conn")
	if pay.Status != ConnectorUnknownConsumers || pay.MonthlySavings.Amount().Sign() != 0 || pay.BlockedMonthlySavings.Amount().Sign() != 0 {
		t.Errorf("pay-conn: %s saves %s / %s", pay.Status, pay.MonthlySavings, pay.BlockedMonthlySavings)
	}
	if len(pay.UnknownProjects) != 2 || pay.UnknownProjects[0] != "ent-legacy" || pay.UnknownProjects[1] != "outside-scope" {
		t.Errorf("unknown projects %v", pay.UnknownProjects)
	}
	f := mustFinding(t, r, "connector-unknown-consumers:projects/ent-net-host/locations/us-central1/connectors/pay-conn")
	if !strings.Contains(f.Message, "run.googleapis.com disabled") || !strings.Contains(f.Message, "outside-scope (not in scope)") {
		t.Errorf("message = %s", f.Message)
	}
	if _, ok := findFinding(r, "connector-migratable:projects/ent-net-host/locations/us-central1/connectors/pay-conn"); ok {
		t.Error("pay-conn called migratable")
	}
	if n := r.NATs[0]; n.MonthlySavings.Amount().Sign() != 0 {
		t.Errorf("core-nat saves %s for a connector that stays", n.MonthlySavings)
	}
	// A project number in connectedProjects resolves to its project.
	s = enterpriseSnapshot()
	s.Connectors[0].ConnectedProjects = []string{"711000000002"}
	if pay := findConnector(t, analyze(t, s), "pay-conn"); pay.Status != ConnectorMigratable {
		t.Errorf("by number: %s", pay.Status)
	}
}

func TestMissingPricesAreNamedNotZero(t *testing.T) {
	// A book without europe-west1.
	full := mustBook(t)
	var buf bytes.Buffer
	if err := full.Write(&buf); err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	var kept []any
	for _, p := range f["prices"].([]any) {
		if p.(map[string]any)["region"] != "europe-west1" {
			kept = append(kept, p)
		}
	}
	f["prices"] = kept
	raw, _ := json.Marshal(f)
	book, err := pricing.Load(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	s := startupSnapshot()
	s.Connectors = append(s.Connectors, s.Connectors[0])
	s.Connectors[2].ID = "projects/acme-startup/locations/us-central1/connectors/odd"
	s.Connectors[2].Name, s.Connectors[2].MachineType, s.Connectors[2].Subnet = "odd", "n2-standard-2", ""
	r := Analyze(s, book, Options{Now: fixedNow})

	eu := findConnector(t, r, "run-eu")
	if eu.MonthlyCost != nil || eu.CostLines[0].Monthly != nil || eu.CostLines[0].UnitPrice != nil {
		t.Errorf("run-eu priced without a price: %+v", eu.CostLines[0])
	}
	odd := findConnector(t, r, "odd")
	if odd.MonthlyCost != nil {
		t.Errorf("odd priced: %s", odd.MonthlyCost)
	}
	msgs := map[string]string{}
	for _, e := range r.Errors {
		msgs[e.Resource] = e.Message
	}
	if m := msgs[eu.ID]; !strings.Contains(m, "e2-core-hour") || !strings.Contains(m, "europe-west1") {
		t.Errorf("run-eu error = %q", m)
	}
	if m := msgs[odd.ID]; !strings.Contains(m, "n2-standard-2") {
		t.Errorf("odd error = %q", m)
	}
	mustFinding(t, r, "price-missing:"+eu.ID)
	if r.Summary.UnpricedResources != 2 {
		t.Errorf("unpriced = %d", r.Summary.UnpricedResources)
	}
	// The rest is still priced: run-us and the NAT.
	us := findConnector(t, r, "run-us")
	wantExact(t, "current", r.Summary.CurrentMonthlyCost.Amount(), us.MonthlyCost.Amount().Add(r.NATs[0].MonthlyCost.Amount()), "33.27")
	allParts(t, "missing", r)
	// And the JSON says null, not 0.00.
	b, _ := json.Marshal(eu)
	if !bytes.Contains(b, []byte(`"monthlyCost":null`)) {
		t.Errorf("json: %s", b)
	}
	// No book at all: nothing priced, every resource named.
	r = Analyze(startupSnapshot(), nil, Options{Now: fixedNow})
	if r.Summary.CurrentMonthlyCost.Amount().Sign() != 0 || r.Summary.UnpricedResources == 0 {
		t.Errorf("no book: %+v", r.Summary)
	}
}

func TestRouteToTheVIP(t *testing.T) {
	gw := "default-internet-gateway"
	route := func(name, dest, gateway, hop string, prio int) inv.Route {
		return inv.Route{ID: "projects/acme-startup/global/routes/" + name, Project: "acme-startup", Name: name,
			Network: "acme-vpc", DestRange: dest, NextHopGateway: gateway, NextHop: hop, Priority: prio}
	}
	cases := []struct {
		name   string
		routes []inv.Route
		want   bool // finding expected
	}{
		{"default route", []inv.Route{route("d", "0.0.0.0/0", gw, "", 1000)}, false},
		{"none", nil, true},
		{"only the restricted VIP", []inv.Route{route("r", "199.36.153.4/30", gw, "", 1000)}, true},
		{"explicit VIP route", []inv.Route{route("p", "199.36.153.8/30", gw, "", 1000)}, false},
		{"more specific elsewhere wins", []inv.Route{route("d", "0.0.0.0/0", gw, "", 1000), route("x", "199.36.153.0/24", "", "10.0.0.2", 2000)}, true},
		{"most specific to the gateway wins", []inv.Route{route("x", "199.36.0.0/16", "", "10.0.0.2", 0), route("p", "199.36.153.8/30", gw, "", 1000)}, false},
		{"tagged route ignored", []inv.Route{func() inv.Route { r := route("p", "199.36.153.8/30", gw, "", 1000); r.Tags = []string{"x"}; return r }()}, true},
		{"lower priority number wins a tie", []inv.Route{route("a", "0.0.0.0/0", gw, "", 1000), route("b", "0.0.0.0/0", "", "10.0.0.9", 900)}, true},
	}
	for _, c := range cases {
		s := startupSnapshot()
		s.Routes = c.routes
		_, got := findFinding(analyze(t, s), "no-vip-route:projects/acme-startup/global/networks/acme-vpc")
		if got != c.want {
			t.Errorf("%s: finding %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRunAppZonesAndResponsePolicies(t *testing.T) {
	vip := []string{"199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"}
	zone := func(dns string, recs ...inv.DNSRecord) inv.DNSZone {
		return inv.DNSZone{ID: "projects/acme-startup/managedZones/z", Project: "acme-startup", Name: "z", DNSName: dns,
			Visibility: "private", Networks: []string{"acme-startup/acme-vpc"}, Records: recs}
	}
	wild := inv.DNSRecord{Name: "*.run.app.", Type: "A", TTL: 300, RRDatas: vip}
	cases := []struct {
		name   string
		zones  []inv.DNSZone
		pols   []inv.ResponsePolicy
		status string
		code   string
		cost   bool
	}{
		{"none", nil, nil, ZoneNeeded, "", true},
		{"good zone", []inv.DNSZone{zone("run.app.", wild, inv.DNSRecord{Name: "run.app.", Type: "SOA"})}, nil, ZoneExists, CodeRunAppZoneExists, false},
		{"zone elsewhere", []inv.DNSZone{zone("run.app.", inv.DNSRecord{Name: "*.run.app.", Type: "A", RRDatas: []string{"10.0.0.5"}})}, nil, ZoneConflict, CodeRunAppZoneConflict, false},
		{"zone with other records", []inv.DNSZone{zone("run.app.", wild, inv.DNSRecord{Name: "x.a.run.app.", Type: "A", RRDatas: vip})}, nil, ZoneConflict, CodeRunAppZoneConflict, false},
		{"narrower zone", []inv.DNSZone{zone("a.run.app.", inv.DNSRecord{Name: "x.a.run.app.", Type: "A", RRDatas: vip})}, nil, ZoneConflict, CodeRunAppZoneConflict, true},
		{"zone on another network", []inv.DNSZone{func() inv.DNSZone { z := zone("run.app.", wild); z.Networks = []string{"acme-startup/other"}; return z }()}, nil, ZoneNeeded, "", true},
		{"public zone ignored", []inv.DNSZone{func() inv.DNSZone { z := zone("run.app.", wild); z.Visibility = "public"; return z }()}, nil, ZoneNeeded, "", true},
		{"response policy to the VIP", nil, []inv.ResponsePolicy{{ID: "projects/acme-startup/responsePolicies/rp", Project: "acme-startup", Name: "rp",
			Networks: []string{"acme-startup/acme-vpc"}, Rules: []inv.ResponsePolicyRule{{Name: "run", DNSName: "*.run.app.", LocalData: []inv.DNSRecord{wild}}}}}, ZoneExists, CodeRunAppZoneExists, false},
		{"response policy elsewhere", nil, []inv.ResponsePolicy{{ID: "projects/acme-startup/responsePolicies/rp", Project: "acme-startup", Name: "rp",
			Networks: []string{"acme-startup/acme-vpc"}, Rules: []inv.ResponsePolicyRule{{Name: "run", DNSName: "*.run.app.",
				LocalData: []inv.DNSRecord{{Name: "*.run.app.", Type: "A", RRDatas: []string{"34.1.2.3"}}}}}}}, ZoneConflict, CodeResponsePolicyConflict, true},
		{"bypass rule is harmless", nil, []inv.ResponsePolicy{{ID: "projects/acme-startup/responsePolicies/rp", Project: "acme-startup", Name: "rp",
			Networks: []string{"acme-startup/acme-vpc"}, Rules: []inv.ResponsePolicyRule{{Name: "run", DNSName: "*.run.app.", Behavior: "bypassResponsePolicy"}}}}, ZoneNeeded, "", true},
	}
	for _, c := range cases {
		s := startupSnapshot()
		s.DNSZones, s.ResponsePolicies = c.zones, c.pols
		r := analyze(t, s)
		z := r.DNSZones[0]
		if z.Status != c.status {
			t.Errorf("%s: status %s, want %s", c.name, z.Status, c.status)
		}
		if c.code != "" && codes(r)[c.code] != 1 {
			t.Errorf("%s: no %s finding: %v", c.name, c.code, codes(r))
		}
		if got := z.MonthlyCost.Amount().Sign() > 0; got != c.cost {
			t.Errorf("%s: costed %v (%s), want %v", c.name, got, z.MonthlyCost, c.cost)
		}
	}
}

func TestSubnetPlacement(t *testing.T) {
	// --subnet overrides the choice.
	s := startupSnapshot()
	s.Subnets = append(s.Subnets, subnet("acme-startup", "us-central1", "tiny", "acme-vpc", "10.50.0.0/27", true))
	r := Analyze(s, mustBook(t), Options{Now: fixedNow, SubnetOverrides: map[string]string{"us-central1": "tiny"}})
	p := r.Placements[1]
	if p.Region != "us-central1" || p.Subnet != "tiny" || p.Status != PlacementOverride || p.AvailableIPs != 28 || p.Prefix != 27 {
		t.Errorf("override placement = %+v", p)
	}
	mustFinding(t, r, "subnet-too-small:projects/acme-startup/regions/us-central1/subnetworks/tiny")

	// PGA beats size; connector subnets never count.
	s = startupSnapshot()
	s.Subnets = append(s.Subnets, subnet("acme-startup", "us-central1", "pga-small", "acme-vpc", "10.60.0.0/23", true))
	r = analyze(t, s)
	if p := r.Placements[1]; p.Subnet != "pga-small" || p.Status != PlacementOK || p.AvailableIPs != 508 {
		t.Errorf("placement = %+v", p)
	}

	// No subnet at all in the region (conn-us is the connector's).
	r = analyze(t, startupWithout(t, "app-us"))
	if p := r.Placements[1]; p.Status != PlacementNone || p.Subnet != "" {
		t.Errorf("placement = %+v", p)
	}
	mustFinding(t, r, "no-subnet:projects/acme-startup/regions/us-central1/networks/acme-vpc")

	// Smaller IPs-per-instance and minimum prefix options.
	r = Analyze(startupSnapshot(), mustBook(t), Options{Now: fixedNow, IPsPerInstance: 4, MinSubnetPrefix: 24})
	if p := r.Placements[1]; p.NeededIPs != 4*116 {
		t.Errorf("needed = %d", p.NeededIPs)
	}
}

func startupWithout(t *testing.T, subnetName string) *inv.Snapshot {
	t.Helper()
	s := startupSnapshot()
	var keep []inv.Subnet
	for _, sn := range s.Subnets {
		if sn.Name != subnetName {
			keep = append(keep, sn)
		}
	}
	s.Subnets = keep
	return s
}

func TestNATWithoutStatusOrUsage(t *testing.T) {
	s := startupSnapshot()
	s.NATs[0].Status = nil
	s.NATs[0].Usage = nil
	r := analyze(t, s)
	n := r.NATs[0]
	if n.VMEndpoints != nil || n.OtherEndpoints != nil || n.NATIPs != nil || n.Removable || n.ServesOnlyServerless {
		t.Errorf("NAT = %+v", n)
	}
	// Uptime for the 3 connector instances (a lower bound); data and IPs unknown, named.
	wantExact(t, "monthly", n.MonthlyCost.Amount(), dec("0.0014").MulInt(3*730), "3.07")
	if n.CostLines[1].Monthly != nil || n.CostLines[2].Monthly != nil {
		t.Errorf("unknown lines priced: %+v", n.CostLines)
	}
	if len(r.Errors) != 2 {
		t.Errorf("errors = %+v", r.Errors)
	}
	mustFinding(t, r, "nat-status-unknown:"+n.ID)
	mustFinding(t, r, "usage-missing:"+n.ID)
	allParts(t, "nat-unknown", r)
}

func TestDeterministic(t *testing.T) {
	s := enterpriseSnapshot()
	a, _ := json.Marshal(analyze(t, s))
	// Reverse every slice: the report must not change.
	rev := enterpriseSnapshot()
	reverse(rev.Connectors)
	reverse(rev.Consumers)
	reverse(rev.Subnets)
	reverse(rev.Routes)
	reverse(rev.Coverage)
	reverse(rev.DNSZones)
	reverse(rev.Projects)
	b, _ := json.Marshal(analyze(t, rev))
	if !bytes.Equal(a, b) {
		t.Error("report depends on input order")
	}
	// And the input is not modified.
	c, _ := json.Marshal(s)
	d, _ := json.Marshal(enterpriseSnapshot())
	if !bytes.Equal(c, d) {
		t.Error("Analyze modified its snapshot")
	}
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

func TestMoneyJSON(t *testing.T) {
	for in, want := range map[string]string{"18.344376225": `"18.34"`, "0.005": `"0.01"`, "-0.59999029": `"-0.60"`, "0": `"0.00"`, "-0.001": `"0.00"`} {
		b, err := json.Marshal(M(dec(in)))
		if err != nil || string(b) != want {
			t.Errorf("%s → %s (%v), want %s", in, b, err, want)
		}
	}
	var m Money
	if err := json.Unmarshal([]byte(`"12.30"`), &m); err != nil || m.Amount().Cmp(dec("12.3")) != 0 {
		t.Errorf("unmarshal: %v %s", err, m)
	}
}

func TestGoldenReports(t *testing.T) {
	for _, ts := range testSnapshots {
		t.Run(ts.name, func(t *testing.T) {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(analyze(t, ts.snap())); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			path := filepath.Join("testdata", ts.name+".golden")
			if updating() {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./analyzer -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the analysis; run go test ./analyzer -update and review the diff", path)
			}
		})
	}
}
