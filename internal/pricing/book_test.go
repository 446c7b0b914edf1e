package pricing

import (
	"errors"
	"strings"
	"testing"

	"github.com/vpcshift/vpcshift/internal/money"
)

func TestMachineHourly(t *testing.T) {
	b := mustSnapshot(t)
	tests := []struct {
		machine, region string
		want            string // exact hourly price
		kinds           []Kind
	}{
		// 0.25 × 0.02181159 + 1 × 0.00292353
		{"e2-micro", "us-central1", "0.0083764275", []Kind{E2CoreHour, E2RAMGiBHour}},
		// 0.5 × 0.02181159 + 2 × 0.00292353
		{"e2-small", "us-central1", "0.016752855", []Kind{E2CoreHour, E2RAMGiBHour}},
		// 1 × 0.02181159 + 4 × 0.00292353
		{"e2-medium", "us-central1", "0.03350571", []Kind{E2CoreHour, E2RAMGiBHour}},
		// 4 × 0.02181159 + 16 × 0.00292353
		{"e2-standard-4", "us-central1", "0.13402284", []Kind{E2CoreHour, E2RAMGiBHour}},
		// 4 × 0.02399337 + 16 × 0.00321609
		{"e2-standard-4", "europe-west1", "0.14743092", []Kind{E2CoreHour, E2RAMGiBHour}},
		// 4 × 0.02802642 + 16 × 0.00373911
		{"e2-standard-4", "asia-northeast1", "0.17193144", []Kind{E2CoreHour, E2RAMGiBHour}},
		// 32 × 0.02181159 + 128 × 0.00292353 (pricing.yml e2-standard-32 hour)
		{"e2-standard-32", "us-central1", "1.07218272", []Kind{E2CoreHour, E2RAMGiBHour}},
		{"e2-micro", "europe-west1", "0.0092144325", []Kind{E2CoreHour, E2RAMGiBHour}},
		{"e2-micro", "asia-northeast1", "0.010745715", []Kind{E2CoreHour, E2RAMGiBHour}},
		{"E2-Micro ", "us-central1", "0.0083764275", []Kind{E2CoreHour, E2RAMGiBHour}},
		{"f1-micro", "us-central1", "0.0076", []Kind{F1MicroHour}},
		{"f1-micro", "europe-west1", "0.0086", []Kind{F1MicroHour}},
		{"f1-micro", "asia-northeast1", "0.0092", []Kind{F1MicroHour}},
	}
	for _, tt := range tests {
		t.Run(tt.machine+"/"+tt.region, func(t *testing.T) {
			got, used, err := b.MachineHourly(tt.machine, tt.region)
			if err != nil {
				t.Fatal(err)
			}
			if got.Exact() != tt.want {
				t.Errorf("hourly = %s, want %s", got.Exact(), tt.want)
			}
			if len(used) != len(tt.kinds) {
				t.Fatalf("used %d prices, want %d", len(used), len(tt.kinds))
			}
			for i, p := range used {
				if p.Kind != tt.kinds[i] || p.Region != tt.region || p.Source != b.Label() {
					t.Errorf("used[%d] = %s in %s from %s", i, p.Kind, p.Region, p.Source)
				}
			}
		})
	}
}

func TestConnectorMonthlyToTheCent(t *testing.T) {
	b := mustSnapshot(t)
	tests := []struct {
		machine, region string
		instances       int64
		want            string
	}{
		// gcp-facts.md §8.1, 730 h
		{"e2-micro", "us-central1", 2, "12.23"},
		{"e2-micro", "europe-west1", 2, "13.45"},
		{"e2-micro", "asia-northeast1", 2, "15.69"},
		{"e2-micro", "us-central1", 3, "18.34"},
		{"e2-micro", "us-central1", 10, "61.15"},
		{"f1-micro", "us-central1", 2, "11.10"},
		{"e2-standard-4", "us-central1", 2, "195.67"},
		{"e2-standard-4", "europe-west1", 10, "1076.25"},
		{"e2-standard-4", "asia-northeast1", 10, "1255.10"},
	}
	for _, tt := range tests {
		hourly, _, err := b.MachineHourly(tt.machine, tt.region)
		if err != nil {
			t.Fatal(err)
		}
		got := hourly.MulInt(tt.instances).MulInt(money.HoursPerMonth)
		if got.String() != tt.want {
			t.Errorf("%d × %s in %s × 730 h = %s (exact %s), want %s", tt.instances, tt.machine, tt.region, got, got.Exact(), tt.want)
		}
	}
	hourly, _, _ := b.MachineHourly("e2-micro", "us-central1")
	if got := hourly.MulInt(2).MulInt(money.HoursPerMonth).Exact(); got != "12.22958415" {
		t.Errorf("2 × e2-micro × 730 = %s, want 12.22958415 exactly", got)
	}
}

func TestMachineHourlyErrors(t *testing.T) {
	b := mustSnapshot(t)
	for _, mt := range []string{"n1-standard-1", "e2-standard-3", "e2-standard-04", "e2-highcpu-2", "e2-standard-", "", "g1-small"} {
		_, _, err := b.MachineHourly(mt, "us-central1")
		var u *UnknownMachineTypeError
		if !errors.As(err, &u) || u.MachineType != mt {
			t.Errorf("MachineHourly(%q) err = %v, want *UnknownMachineTypeError", mt, err)
		}
	}
	_, _, err := b.MachineHourly("e2-micro", "mars-east1")
	var mp *MissingPriceError
	if !errors.As(err, &mp) || mp.Kind != E2CoreHour || mp.Region != "mars-east1" {
		t.Fatalf("err = %v", err)
	}
}

func TestMissingPriceErrorText(t *testing.T) {
	b := mustSnapshot(t)
	_, err := b.Lookup(E2CoreHour, "mars-east1")
	want := "no price for e2-core-hour in region mars-east1 in snapshot@2026-02-12"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	var mp *MissingPriceError
	if !errors.As(err, &mp) || mp.Kind != E2CoreHour || mp.Region != "mars-east1" || mp.Label != b.Label() {
		t.Fatalf("err = %#v", err)
	}
	_, err = b.Lookup(Kind("gpu-hour"), "us-central1")
	if err == nil || !strings.Contains(err.Error(), "gpu-hour") || !strings.Contains(err.Error(), "unknown kind") {
		t.Fatalf("unknown kind err = %v", err)
	}
}

func TestGlobalKindsAnyRegion(t *testing.T) {
	b := mustSnapshot(t)
	for _, region := range []string{Global, "us-central1", "mars-east1", ""} {
		p, err := b.Lookup(NATDataGiB, region)
		if err != nil {
			t.Fatalf("%q: %v", region, err)
		}
		if p.Region != Global || p.UnitPrice.Exact() != "0.045" {
			t.Fatalf("%q: %+v", region, p)
		}
	}
}

func TestNATUptimeAndCap(t *testing.T) {
	b := mustSnapshot(t)
	if NATUptimeCapVMs != 32 {
		t.Fatalf("NATUptimeCapVMs = %d", NATUptimeCapVMs)
	}
	tests := []struct {
		vms  int64
		want string
		kind Kind
	}{
		{0, "0", NATUptimeVMHour},
		{1, "0.0014", NATUptimeVMHour},
		{14, "0.0196", NATUptimeVMHour},
		{32, "0.0448", NATUptimeVMHour}, // at the cap boundary: still per VM
		{33, "0.044", NATUptimeCapHour}, // above: the page's flat rate
		{1000, "0.044", NATUptimeCapHour},
	}
	for _, tt := range tests {
		got, p, err := b.NATUptimeHourly(tt.vms, "europe-west1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Exact() != tt.want || p.Kind != tt.kind {
			t.Errorf("%d VMs: %s (%s), want %s (%s)", tt.vms, got.Exact(), p.Kind, tt.want, tt.kind)
		}
	}
	if _, _, err := b.NATUptimeHourly(-1, Global); err == nil {
		t.Error("negative VM count accepted")
	}
	// The pricing page's worked examples (720 h): 14 VMs + 100 GiB → $18.61;
	// 36 VMs + 200 GiB → $40.68.
	for _, ex := range []struct {
		vms, gib int64
		want     string
	}{{14, 100, "18.61"}, {36, 200, "40.68"}} {
		up, _, _ := b.NATUptimeHourly(ex.vms, Global)
		data, err := b.TieredCost(NATDataGiB, Global, money.FromInt(ex.gib))
		if err != nil {
			t.Fatal(err)
		}
		if got := up.MulInt(720).Add(data).String(); got != ex.want {
			t.Errorf("%d VMs + %d GiB = %s, want %s", ex.vms, ex.gib, got, ex.want)
		}
	}
}

func TestTieredCost(t *testing.T) {
	b := mustSnapshot(t)
	tests := []struct {
		name     string
		kind     Kind
		quantity string
		want     string
	}{
		// 25 × 0.000273973 + 5 × 0.000136986 per hour
		{"30 zones", DNSZoneHour, "30", "0.007534255"},
		{"1 zone", DNSZoneHour, "1", "0.000273973"},
		{"25 zones", DNSZoneHour, "25", "0.006849325"},
		{"0 zones", DNSZoneHour, "0", "0"},
		// 25 × 0.000273973 + 9975 × 0.000136986 + 5 × 0.000041096
		{"10005 zones", DNSZoneHour, "10005", "1.373490155"},
		// 2 B queries = 2000 million: 1000 × 0.40 + 1000 × 0.20
		{"2 B queries", DNSQueryMillion, "2000", "600"},
		{"0.5 million queries", DNSQueryMillion, "0.5", "0.2"},
		{"1 B queries", DNSQueryMillion, "1000", "400"},
		// untiered: quantity × unit price
		{"NAT 100 GiB", NATDataGiB, "100", "4.5"},
		{"NAT IPs 2 × 730 h", NATIPHour, "1460", "7.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := b.TieredCost(tt.kind, Global, money.MustParse(tt.quantity))
			if err != nil {
				t.Fatal(err)
			}
			if got.Exact() != tt.want {
				t.Errorf("= %s, want %s", got.Exact(), tt.want)
			}
		})
	}
	// one private zone for a month: 730 × 0.000273973 ≈ $0.20
	z, _ := b.TieredCost(DNSZoneHour, Global, money.FromInt(1))
	if got := z.MulInt(money.HoursPerMonth).String(); got != "0.20" {
		t.Errorf("one zone-month = %s", got)
	}
	if _, err := b.TieredCost(DNSQueryMillion, Global, money.FromInt(-1)); err == nil {
		t.Error("negative quantity accepted")
	}
	if _, err := b.TieredCost(E2CoreHour, "mars-east1", money.FromInt(1)); err == nil {
		t.Error("missing price accepted")
	}
}

func TestPricesAndRegionsAreSortedCopies(t *testing.T) {
	b := mustSnapshot(t)
	ps := b.Prices()
	for i := 1; i < len(ps); i++ {
		a, c := ps[i-1], ps[i]
		if a.Kind > c.Kind || (a.Kind == c.Kind && a.Region >= c.Region) {
			t.Fatalf("prices not sorted at %d: %s/%s then %s/%s", i, a.Kind, a.Region, c.Kind, c.Region)
		}
	}
	if len(ps) != 3*len(cloudRunRegions)+6 {
		t.Fatalf("%d prices", len(ps))
	}
	// mutating the copies does not change the book
	for i := range ps {
		ps[i].UnitPrice = money.Zero
		ps[i].Tiers = nil
	}
	p, _ := b.Lookup(DNSZoneHour, Global)
	if len(p.Tiers) != 3 || p.UnitPrice.IsZero() {
		t.Fatal("Prices() leaked the book's slices")
	}
	p.Tiers[0].UnitPrice = money.FromInt(99)
	if q, _ := b.Lookup(DNSZoneHour, Global); q.Tiers[0].UnitPrice.Exact() != "0.000273973" {
		t.Fatal("Lookup leaked the book's tiers")
	}
	rs := b.Regions()
	rs[0] = "zzz"
	if b.Regions()[0] != "africa-south1" {
		t.Fatal("Regions() leaked")
	}
}
