package pricing

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vpcshift/vpcshift/internal/money"
)

var fetched = time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("CET", 3600))

func TestCatalogRoundTrip(t *testing.T) {
	snap := mustSnapshot(t)
	services, skus := CatalogFromBook(snap)
	b, errs := FromCatalog(services, skus, fetched, "USD")
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if b.Source() != "catalog" || b.Date() != "2026-11-25T09:00:00Z" || b.Label() != "catalog@2026-11-25T09:00:00Z" || b.Currency() != "USD" {
		t.Fatalf("header: %s %s %s", b.Label(), b.Date(), b.Currency())
	}
	want, got := snap.Prices(), b.Prices()
	if len(got) != len(want) {
		t.Fatalf("%d prices back, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if g.Kind != w.Kind || g.Region != w.Region || g.Unit != w.Unit || g.UnitPrice.Cmp(w.UnitPrice) != 0 || tiersKey(g) != tiersKey(w) {
			t.Errorf("%s in %s: got %s %s %s, want %s %s %s", w.Kind, w.Region, g.Unit, g.UnitPrice.Exact(), tiersKey(g), w.Unit, w.UnitPrice.Exact(), tiersKey(w))
		}
		if w.SKU != "" && (g.SKU != w.SKU || g.Description != w.Description) {
			t.Errorf("%s in %s: SKU %s %q, want %s %q", w.Kind, w.Region, g.SKU, g.Description, w.SKU, w.Description)
		}
		if w.SKU == "" && !strings.HasPrefix(g.SKU, "EMUL-") {
			t.Errorf("%s in %s: emulator SKU %q", w.Kind, w.Region, g.SKU)
		}
		if g.Source != b.Label() {
			t.Errorf("%s in %s: source %q", g.Kind, g.Region, g.Source)
		}
	}
	// and the machine prices agree to the last digit
	for _, region := range snap.Regions() {
		for _, mt := range []string{"e2-micro", "e2-standard-4", "f1-micro"} {
			a, _, errA := snap.MachineHourly(mt, region)
			c, _, errC := b.MachineHourly(mt, region)
			if errA != nil || errC != nil || a.Cmp(c) != 0 {
				t.Errorf("%s in %s: snapshot %s, catalog %s (%v, %v)", mt, region, a.Exact(), c.Exact(), errA, errC)
			}
		}
	}
}

func TestCatalogFromBookShape(t *testing.T) {
	services, skus := CatalogFromBook(mustSnapshot(t))
	ids := map[string]string{}
	for _, s := range services {
		ids[s.DisplayName] = s.ServiceID
		if s.Name != "services/"+s.ServiceID {
			t.Errorf("service name %q", s.Name)
		}
	}
	if ids["Compute Engine"] != "6F81-5844-456A" || ids["Networking"] != "E505-1604-58F8" || ids["Cloud DNS"] != CloudDNSEmulatorServiceID {
		t.Fatalf("services %v", ids)
	}
	seen := map[string]bool{}
	var americas *CatalogSKU
	for i, s := range skus {
		if seen[s.SKUID] {
			t.Errorf("duplicate SKU id %s", s.SKUID)
		}
		seen[s.SKUID] = true
		if !strings.HasSuffix(s.Name, "/skus/"+s.SKUID) || s.CurrencyCode != "USD" || s.UsageType != "OnDemand" {
			t.Errorf("sku %+v", s)
		}
		if !s.EffectiveTime.Equal(time.Date(2026, 2, 12, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("effective time %v", s.EffectiveTime)
		}
		if s.SKUID == "CF4E-A0C7-E3BF" {
			americas = &skus[i]
		}
		if s.Description == "DNS Query (port 53)" {
			if s.UsageUnit != "count" || len(s.Tiers) != 2 || s.Tiers[0].UnitPrice.Exact() != "0.0000004" || s.Tiers[1].StartUsage.Exact() != "1000000000" {
				t.Errorf("DNS query SKU %+v", s)
			}
		}
		if s.Description == "ManagedZone" {
			if s.UsageUnit != "h" || len(s.Tiers) != 3 || s.Tiers[1].StartUsage.Exact() != "18250" {
				t.Errorf("zone SKU %+v", s)
			}
		}
	}
	if americas == nil || strings.Join(americas.ServiceRegions, ",") != "us-central1,us-east1,us-west1" || americas.Description != "E2 Instance Core running in Americas" {
		t.Fatalf("Americas E2 core SKU: %+v", americas)
	}
}

func usd(s string) money.Amount { return money.MustParse(s) }

func sku(id, service, group, desc, unit string, regions []string, tiers ...Tier) CatalogSKU {
	return CatalogSKU{
		Name: "services/x/skus/" + id, SKUID: id, Description: desc, ServiceDisplayName: service,
		ResourceFamily: "Compute", ResourceGroup: group, UsageType: "OnDemand",
		ServiceRegions: regions, UsageUnit: unit, CurrencyCode: "USD", Tiers: tiers,
	}
}

func flat(price string) Tier { return Tier{StartUsage: money.Zero, UnitPrice: usd(price)} }

// A catalog shaped like the real one: seconds and per-count units, monthly
// zone prices, decoys that must be skipped, the older NAT descriptions and
// the External IP SKU with its free band.
func TestFromCatalogMatchingAndUnits(t *testing.T) {
	iowa := []string{"us-central1"}
	dns := func(id, desc, unit string, tiers ...Tier) CatalogSKU {
		s := sku(id, "", "DNS", desc, unit, []string{"global"}, tiers...)
		s.Name = "services/DNS0-0000-0000/skus/" + id
		return s
	}
	services := []CatalogService{{Name: "services/DNS0-0000-0000", DisplayName: "Cloud DNS"}}
	skus := []CatalogSKU{
		sku("AAAA-0000-0001", "Compute Engine", "CPU", "E2 Instance Core running in Americas", "h", []string{"us-central1", "us-east1"}, flat("0.02181159")),
		// decoys
		sku("AAAA-0000-0002", "Compute Engine", "CPU", "Spot Preemptible E2 Instance Core running in Americas", "h", iowa, flat("0.001")),
		sku("AAAA-0000-0003", "Compute Engine", "CPU", "Commitment v1: E2 Cpu in Americas for 1 Year", "h", iowa, flat("0.002")),
		sku("AAAA-0000-0004", "Compute Engine", "CPU", "E2 Instance Core running free tier discount", "h", iowa, flat("-0.005")),
		sku("AAAA-0000-0005", "Compute Engine", "CPU", "E2 Custom Instance Core running in Americas", "h", iowa, flat("0.003")),
		sku("AAAA-0000-0006", "Compute Engine", "CPU", "Sole Tenancy Premium for E2 Instance Core running in Americas", "h", iowa, flat("0.004")),
		func() CatalogSKU {
			s := sku("AAAA-0000-0007", "Compute Engine", "CPU", "E2 Instance Core running in Americas", "h", []string{"us-west1"}, flat("0.005"))
			s.UsageType = "Preemptible"
			return s
		}(),
		// RAM priced per GiB-second: 0.00292353 / 3600
		sku("AAAA-0000-0010", "Compute Engine", "RAM", "E2 Instance Ram running in Americas", "GiBy.s", []string{"us-central1", "us-east1"}, flat("292353/360000000000")),
		sku("AAAA-0000-0020", "Compute Engine", "F1Micro", "Micro Instance with burstable CPU running in Americas", "h", []string{"us-central1"}, flat("0.0076")),
		// older NAT SKUs under Compute Engine, data per byte: 0.045 / 2^30
		sku("AAAA-0000-0030", "Compute Engine", "Nat", "NAT Gateway: Uptime charge", "h", []string{"global"}, flat("0.0014")),
		sku("AAAA-0000-0031", "Compute Engine", "Nat", "NAT Gateway: Data processing charge", "By", []string{"global"}, flat("45/1073741824000")),
		// External IP with its account-wide free band: the steady rate is used
		sku("C054-7F72-A02E", "Compute Engine", "IpAddress", "External IP Charge on a Standard VM", "h", []string{"global"},
			flat("0"), Tier{StartUsage: usd("720"), UnitPrice: usd("0.005")}),
		// Cloud DNS, service resolved from the SKU name; zones priced per month
		dns("DDDD-0000-0001", "ManagedZone", "mo", Tier{usd("0"), usd("0.2")}, Tier{usd("25"), usd("0.1")}, Tier{usd("10000"), usd("0.03")}),
		dns("DDDD-0000-0002", "DNS Query (port 53)", "count", Tier{usd("0"), usd("0.0000004")}, Tier{usd("1000000000"), usd("0.0000002")}),
		dns("DDDD-0000-0003", "DNS Query (port 53) with routing policy", "count", flat("0.0000007")),
		// another currency: reported, not used
		func() CatalogSKU {
			s := sku("AAAA-0000-0040", "Compute Engine", "F1Micro", "Micro Instance with burstable CPU running in EMEA", "h", []string{"europe-west1"}, flat("0.008"))
			s.CurrencyCode = "EUR"
			return s
		}(),
	}
	b, errs := FromCatalog(services, skus, fetched, "")
	check := func(kind Kind, region, want string) {
		t.Helper()
		p, err := b.Lookup(kind, region)
		if err != nil {
			t.Error(err)
			return
		}
		if p.UnitPrice.Exact() != want {
			t.Errorf("%s in %s = %s, want %s (SKU %s)", kind, region, p.UnitPrice.Exact(), want, p.SKU)
		}
	}
	check(E2CoreHour, "us-central1", "0.02181159")
	check(E2CoreHour, "us-east1", "0.02181159")
	check(E2RAMGiBHour, "us-east1", "0.00292353")
	check(F1MicroHour, "us-central1", "0.0076")
	check(NATUptimeVMHour, Global, "0.0014")
	check(NATDataGiB, Global, "0.045")
	check(NATIPHour, Global, "0.005")
	check(NATUptimeCapHour, Global, "0.0448") // derived 32 × 0.0014
	check(DNSQueryMillion, Global, "0.4")
	check(DNSZoneHour, Global, "0.000273972602739726") // 0.2 / 730, shown to 18 places

	if _, err := b.Lookup(E2CoreHour, "us-west1"); err == nil {
		t.Error("the preemptible SKU priced us-west1")
	}
	zone, _ := b.Lookup(DNSZoneHour, Global)
	if len(zone.Tiers) != 3 || zone.Tiers[1].StartUsage.Exact() != "25" || zone.Tiers[2].StartUsage.Exact() != "10000" {
		t.Errorf("zone tiers %+v", zone.Tiers)
	}
	if c, _ := b.TieredCost(DNSZoneHour, Global, money.FromInt(30)); c.MulInt(money.HoursPerMonth).Exact() != "5.5" {
		t.Errorf("30 zones a month = %s, want 5.5 (25 × 0.20 + 5 × 0.10)", c.MulInt(money.HoursPerMonth).Exact())
	}
	if q, _ := b.TieredCost(DNSQueryMillion, Global, money.FromInt(2000)); q.Exact() != "600" {
		t.Errorf("2 B queries = %s", q.Exact())
	}
	capPrice, _ := b.Lookup(NATUptimeCapHour, Global)
	if !strings.Contains(capPrice.Note, "derived") {
		t.Errorf("cap note %q", capPrice.Note)
	}

	// errors: the EUR SKU, the derived cap, and f1-micro missing in us-east1
	var text []string
	for _, err := range errs {
		text = append(text, err.Error())
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{
		"priced in EUR, not USD",
		"nat-uptime-cap-hour has no Catalog SKU; derived 32 × 0.0014 = 0.0448",
		"no price for f1-micro-hour in region us-east1 in catalog@2026-11-25T09:00:00Z",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
	if len(errs) != 3 {
		t.Errorf("%d errors:\n%s", len(errs), all)
	}
	_, err := b.Lookup(F1MicroHour, "us-east1")
	var mp *MissingPriceError
	if !errors.As(err, &mp) || mp.Reason == "" {
		t.Errorf("missing f1 in us-east1: %v", err)
	}
}

func TestFromCatalogPrefersNATIPUsageSKU(t *testing.T) {
	g := []string{"global"}
	skus := []CatalogSKU{
		sku("C054-7F72-A02E", "Compute Engine", "IpAddress", "External IP Charge on a Standard VM", "h", g, flat("0"), Tier{usd("720"), usd("0.005")}),
		sku("8515-9425-D2CE", "Networking", "Nat", "Networking Cloud NAT IP Usage", "h", g, flat("0.005")),
	}
	b, _ := FromCatalog(nil, skus, fetched, "USD")
	p, err := b.Lookup(NATIPHour, Global)
	if err != nil || p.SKU != "8515-9425-D2CE" {
		t.Fatalf("NAT IP = %+v, %v", p, err)
	}
}

func TestFromCatalogReportsWhatItCannotFind(t *testing.T) {
	skus := []CatalogSKU{
		sku("AAAA-0000-0001", "Compute Engine", "CPU", "E2 Instance Core running in Americas", "h", []string{"us-central1"}, flat("0.02181159")),
		sku("AAAA-0000-0002", "Compute Engine", "RAM", "E2 Instance Ram running in Americas", "GiBy.mystery", []string{"us-central1"}, flat("1")),
		sku("AAAA-0000-0003", "Networking", "Nat", "Networking Cloud Nat Data Processing", "GiBy", []string{"global"}),
		sku("AAAA-0000-0004", "Compute Engine", "F1Micro", "Micro Instance with burstable CPU running in Americas", "h", nil, flat("0.0076")),
	}
	b, errs := FromCatalog(nil, skus, fetched, "USD")
	all := ""
	for _, e := range errs {
		all += e.Error() + "\n"
	}
	for _, want := range []string{
		`cannot convert usage unit "GiBy.mystery"`,
		"AAAA-0000-0003 (Networking Cloud Nat Data Processing) has no tiered rates",
		"AAAA-0000-0004 (Micro Instance with burstable CPU running in Americas) names no region",
		"no price for e2-ram-gib-hour in region * in catalog@2026-11-25T09:00:00Z: no matching SKU in the Catalog",
		"no price for nat-uptime-vm-hour in region global",
		"no price for nat-uptime-cap-hour in region global",
		"no price for dns-zone-hour in region global",
		"no price for dns-query-million in region global",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
	if p, err := b.Lookup(E2CoreHour, "us-central1"); err != nil || p.UnitPrice.Exact() != "0.02181159" {
		t.Errorf("the core price found is kept: %v", err)
	}
	if _, _, err := b.MachineHourly("e2-micro", "us-central1"); err == nil || !strings.Contains(err.Error(), "e2-ram-gib-hour") {
		t.Errorf("e2-micro without RAM: %v", err)
	}
	if len(b.Missing()) == 0 {
		t.Error("the book does not list what it lacks")
	}
}

func TestCatalogBookWritesAndLoads(t *testing.T) {
	services, skus := CatalogFromBook(mustSnapshot(t))
	b, errs := FromCatalog(services, skus, fetched, "USD")
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	var sb strings.Builder
	if err := b.Write(&sb); err != nil {
		t.Fatal(err)
	}
	again, err := Load(strings.NewReader(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	if again.Label() != b.Label() || len(again.Prices()) != len(b.Prices()) {
		t.Fatalf("reloaded %s with %d prices", again.Label(), len(again.Prices()))
	}
	var sb2 strings.Builder
	if err := again.Write(&sb2); err != nil {
		t.Fatal(err)
	}
	if sb.String() != sb2.String() {
		t.Fatal("a refreshed book does not Load/Write byte-identically")
	}
}

// A refreshed book whose cap was derived (and so carries the uptime SKU)
// still presents and reads back its cap as the cap.
func TestDerivedCapSurvivesTheEmulator(t *testing.T) {
	g := []string{"global"}
	b, _ := FromCatalog(nil, []CatalogSKU{
		sku("32E2-4EFC-EF9F", "Networking", "Nat", "Networking Cloud Nat Gateway Uptime", "h", g, flat("0.0014")),
	}, fetched, "USD")
	services, skus := CatalogFromBook(b)
	again, errs := FromCatalog(services, skus, fetched, "USD")
	for _, err := range errs {
		if strings.Contains(err.Error(), "derived") || strings.Contains(err.Error(), "disagree") {
			t.Errorf("unexpected: %v", err)
		}
	}
	up, _ := again.Lookup(NATUptimeVMHour, Global)
	capPrice, _ := again.Lookup(NATUptimeCapHour, Global)
	if up.SKU != "32E2-4EFC-EF9F" || up.UnitPrice.Exact() != "0.0014" || capPrice.UnitPrice.Exact() != "0.0448" {
		t.Fatalf("uptime %+v cap %+v", up, capPrice)
	}
}
