package emulator

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	billing "cloud.google.com/go/billing/apiv1"
	"cloud.google.com/go/billing/apiv1/billingpb"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpcshift/vpcshift/internal/money"
	"github.com/vpcshift/vpcshift/internal/pricing"
)

func newCatalogClient(t *testing.T, srv *Server) *billing.CloudCatalogClient {
	return newGRPCClient(t, srv, billing.NewCloudCatalogClient)
}

func listSkus(t *testing.T, c *billing.CloudCatalogClient, req *billingpb.ListSkusRequest) ([]*billingpb.Sku, error) {
	return drain(c.ListSkus(testCtx(t), req).Next)
}

func unitPrice(sku *billingpb.Sku) money.Amount {
	rates := sku.GetPricingInfo()[0].GetPricingExpression().GetTieredRates()
	p := rates[len(rates)-1].GetUnitPrice()
	return money.FromUnitsNanos(p.GetUnits(), p.GetNanos())
}

func TestCatalogListServicesPages(t *testing.T) {
	srv := startYAML(t, "projects: []\n")
	c := newCatalogClient(t, srv)
	it := c.ListServices(testCtx(t), &billingpb.ListServicesRequest{PageSize: 1})
	var names []string
	for {
		sv, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, sv.GetDisplayName()+"="+sv.GetServiceId())
	}
	if !slices.Contains(names, "Compute Engine="+pricing.ComputeEngineServiceID) || !slices.Contains(names, "Networking="+pricing.NetworkingServiceID) {
		t.Fatalf("services %v lack Compute Engine or Networking", names)
	}
	if n := srv.Calls(methodListBillingServices); n < 2 || n != len(names) {
		t.Fatalf("ListServices RPCs = %d for %d services of page size 1", n, len(names))
	}
}

func TestCatalogListSkusComputeEngineE2Core(t *testing.T) {
	srv := startYAML(t, "projects: []\n")
	c := newCatalogClient(t, srv)
	book, err := pricing.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	want, err := book.Lookup(pricing.E2CoreHour, "us-central1")
	if err != nil {
		t.Fatal(err)
	}

	skus, err := listSkus(t, c, &billingpb.ListSkusRequest{Parent: "services/" + pricing.ComputeEngineServiceID, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls(methodListSkus); n < 2 {
		t.Fatalf("ListSkus RPCs = %d, want ≥ 2 pages", n)
	}
	var core []*billingpb.Sku
	for _, sku := range skus {
		if !strings.HasPrefix(sku.GetName(), "services/"+pricing.ComputeEngineServiceID+"/skus/") {
			t.Errorf("SKU %s is not under the Compute Engine service", sku.GetName())
		}
		if strings.HasPrefix(sku.GetDescription(), "E2 Instance Core running in ") {
			core = append(core, sku)
		}
	}
	if len(core) == 0 {
		t.Fatal("no E2 core SKUs")
	}
	var usc *billingpb.Sku
	for _, sku := range core {
		if slices.Contains(sku.GetServiceRegions(), "us-central1") {
			usc = sku
		}
	}
	if usc == nil {
		t.Fatal("no E2 core SKU serves us-central1")
	}
	if usc.GetSkuId() != want.SKU {
		t.Errorf("SKU id %s, want %s", usc.GetSkuId(), want.SKU)
	}
	cat := usc.GetCategory()
	if cat.GetServiceDisplayName() != "Compute Engine" || cat.GetResourceFamily() != "Compute" || cat.GetResourceGroup() != "CPU" || cat.GetUsageType() != "OnDemand" {
		t.Errorf("category %v", cat)
	}
	info := usc.GetPricingInfo()[0]
	expr := info.GetPricingExpression()
	if expr.GetUsageUnit() != "h" || expr.GetBaseUnit() != "s" || expr.GetBaseUnitConversionFactor() != 3600 {
		t.Errorf("pricing expression %v", expr)
	}
	if info.GetCurrencyConversionRate() != 1 || expr.GetTieredRates()[0].GetUnitPrice().GetCurrencyCode() != "USD" {
		t.Errorf("USD pricing info %v", info)
	}
	if got := unitPrice(usc); got.Cmp(want.UnitPrice) != 0 {
		t.Fatalf("us-central1 E2 core price %s, want the snapshot's %s", got.Exact(), want.UnitPrice.Exact())
	}
	if got := unitPrice(usc).Exact(); got != "0.02181159" {
		t.Fatalf("us-central1 E2 core price %s, want 0.02181159 (gcp-facts.md §8.1)", got)
	}
	// The round trip the product relies on: the Catalog served by the
	// emulator rebuilds the snapshot's price.
	var csvc []pricing.CatalogSKU
	for _, sku := range skus {
		csvc = append(csvc, catalogSKUOf(sku))
	}
	rebuilt, _ := pricing.FromCatalog([]pricing.CatalogService{{Name: "services/" + pricing.ComputeEngineServiceID, ServiceID: pricing.ComputeEngineServiceID, DisplayName: "Compute Engine"}}, csvc, fixedNow, "USD")
	if p, err := rebuilt.Lookup(pricing.E2CoreHour, "us-central1"); err != nil || p.UnitPrice.Cmp(want.UnitPrice) != 0 {
		t.Fatalf("rebuilt book: %v %v", p, err)
	}
}

// catalogSKUOf converts back, as internal/gcp does for a live refresh.
func catalogSKUOf(sku *billingpb.Sku) pricing.CatalogSKU {
	info := sku.GetPricingInfo()[0]
	expr := info.GetPricingExpression()
	out := pricing.CatalogSKU{
		Name: sku.GetName(), SKUID: sku.GetSkuId(), Description: sku.GetDescription(),
		ServiceDisplayName: sku.GetCategory().GetServiceDisplayName(), ResourceFamily: sku.GetCategory().GetResourceFamily(),
		ResourceGroup: sku.GetCategory().GetResourceGroup(), UsageType: sku.GetCategory().GetUsageType(),
		ServiceRegions: sku.GetServiceRegions(), UsageUnit: expr.GetUsageUnit(),
		BaseUnitConversionFactor: expr.GetBaseUnitConversionFactor(), DisplayQuantity: expr.GetDisplayQuantity(),
		EffectiveTime: info.GetEffectiveTime().AsTime(),
	}
	for _, r := range expr.GetTieredRates() {
		out.CurrencyCode = r.GetUnitPrice().GetCurrencyCode()
		start, _ := money.Parse(strconv.FormatFloat(r.GetStartUsageAmount(), 'f', -1, 64))
		out.Tiers = append(out.Tiers, pricing.Tier{StartUsage: start, UnitPrice: money.FromUnitsNanos(r.GetUnitPrice().GetUnits(), r.GetUnitPrice().GetNanos())})
	}
	return out
}

func TestCatalogListSkusCurrencies(t *testing.T) {
	srv := startYAML(t, "projects: []\n")
	c := newCatalogClient(t, srv)
	parent := "services/" + pricing.ComputeEngineServiceID

	usd, err := listSkus(t, c, &billingpb.ListSkusRequest{Parent: parent})
	if err != nil {
		t.Fatal(err)
	}
	eur, err := listSkus(t, c, &billingpb.ListSkusRequest{Parent: parent, CurrencyCode: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	if len(usd) != len(eur) || len(usd) == 0 {
		t.Fatalf("USD %d SKUs, EUR %d", len(usd), len(eur))
	}
	rate := money.MustParse(billingRates["EUR"])
	for i := range usd {
		info := eur[i].GetPricingInfo()[0]
		if info.GetCurrencyConversionRate() != 0.92 {
			t.Fatalf("EUR conversion rate %v", info.GetCurrencyConversionRate())
		}
		p := info.GetPricingExpression().GetTieredRates()[0].GetUnitPrice()
		if p.GetCurrencyCode() != "EUR" {
			t.Fatalf("currency %q", p.GetCurrencyCode())
		}
		want := unitPrice(usd[i]).Mul(rate).Round(9)
		if got := unitPrice(eur[i]); got.Cmp(want) != 0 {
			t.Fatalf("%s: EUR %s, want %s", usd[i].GetDescription(), got.Exact(), want.Exact())
		}
	}
	_, err = listSkus(t, c, &billingpb.ListSkusRequest{Parent: parent, CurrencyCode: "XTS"})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("unsupported currency: %v, want InvalidArgument", err)
	}
}

func TestCatalogListSkusUnknownService(t *testing.T) {
	srv := startYAML(t, "projects: []\n")
	c := newCatalogClient(t, srv)
	_, err := listSkus(t, c, &billingpb.ListSkusRequest{Parent: "services/0000-0000-0000"})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("unknown service: %v, want NotFound", err)
	}
	_, err = listSkus(t, c, &billingpb.ListSkusRequest{Parent: "6F81-5844-456A"})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("bad parent: %v, want InvalidArgument", err)
	}
}

func TestCatalogListSkusInjectedFault(t *testing.T) {
	srv := startYAML(t, `
faults:
  - {method: google.cloud.billing.v1.CloudCatalog/ListSkus, code: RESOURCE_EXHAUSTED, times: 1}
projects: []
`)
	c := newCatalogClient(t, srv)
	parent := "services/" + pricing.NetworkingServiceID
	if _, err := listSkus(t, c, &billingpb.ListSkusRequest{Parent: parent}); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("injected fault: %v, want ResourceExhausted", err)
	}
	skus, err := listSkus(t, c, &billingpb.ListSkusRequest{Parent: parent})
	if err != nil || len(skus) == 0 {
		t.Fatalf("after the fault: %d SKUs, %v", len(skus), err)
	}
	for _, sku := range skus {
		if sku.GetCategory().GetServiceDisplayName() != "Networking" {
			t.Fatalf("Networking SKU %v", sku)
		}
	}
}

func TestBillingMoneyRoundsToNanos(t *testing.T) {
	cases := map[string][2]int64{
		"0.02181159":    {0, 21811590},
		"12.5":          {12, 500000000},
		"0.0000000015":  {0, 2}, // half away from zero
		"-1.25":         {-1, -250000000},
		"0.00000000049": {0, 0},
	}
	for in, want := range cases {
		m := billingMoney(money.MustParse(in), "USD")
		if m.GetUnits() != want[0] || int64(m.GetNanos()) != want[1] {
			t.Errorf("%s → %d units %d nanos, want %v", in, m.GetUnits(), m.GetNanos(), want)
		}
	}
}
