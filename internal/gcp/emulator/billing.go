package emulator

// Cloud Billing Catalog API v1 (google.cloud.billing.v1.CloudCatalog):
// ListServices and ListSkus, served from vpcshift's own price snapshot
// (pricing.Snapshot through pricing.CatalogFromBook), so that a live price
// refresh against the emulator reproduces the snapshot. The Catalog is not
// project-scoped: no call is gated by a project.
//
// Behaviour:
//   - ListSkus parent must be services/{service_id}; an unknown service is
//     NOT_FOUND.
//   - currency_code: empty or the book's currency (USD) prices as the book
//     does, with currencyConversionRate 1. A few other currencies are
//     converted with the fixed, illustrative rates of billingRates (NOT
//     market rates: the emulator must stay deterministic), rounded to nanos,
//     with currencyConversionRate set to the rate used. Any other code is
//     INVALID_ARGUMENT.
//   - start_time/end_time: the snapshot has one price version, returned for
//     every range; a start after the end or in the future is
//     INVALID_ARGUMENT.
//   - paging: page_size (default 5000, as documented) and page_token.
//   - Every SKU has one PricingInfo (effective at the book's date), account
//     level monthly aggregation and a geo taxonomy derived from its regions.

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"

	"cloud.google.com/go/billing/apiv1/billingpb"
	moneypb "google.golang.org/genproto/googleapis/type/money"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/vpcshift/vpcshift/internal/money"
	"github.com/vpcshift/vpcshift/internal/pricing"
)

const (
	methodListBillingServices = "google.cloud.billing.v1.CloudCatalog/ListServices"
	methodListSkus            = "google.cloud.billing.v1.CloudCatalog/ListSkus"

	billingDefaultPageSize = 5000 // as documented
)

func init() {
	grpcRegistrars = append(grpcRegistrars, func(s *Server, g *grpc.Server) {
		billingpb.RegisterCloudCatalogServer(g, &catalogServer{s: s})
	})
	addSpecs("cloudbilling.googleapis.com", map[string]string{
		methodListBillingServices: "",
		methodListSkus:            "",
	})
}

// billingRates converts USD list prices for currency_code. They are fixed,
// illustrative figures chosen for the emulator (roughly the 2026 order of
// magnitude), not exchange rates: tests and demos must not drift.
var billingRates = map[string]string{
	"USD": "1",
	"EUR": "0.92",
	"GBP": "0.79",
	"CHF": "0.88",
	"JPY": "150",
	"CAD": "1.36",
	"AUD": "1.52",
	"INR": "83",
}

// billingCatalog is the snapshot's catalog, in the book's currency.
type billingCatalog struct {
	currency string
	services []*billingpb.Service
	skus     map[string][]pricing.CatalogSKU // by service ID, sorted by name
}

// loadBillingCatalog loads the catalog once; its error is the gRPC status
// every call answers when the snapshot cannot be loaded.
var loadBillingCatalog = sync.OnceValues(func() (*billingCatalog, error) {
	book, err := pricing.Snapshot()
	if err != nil {
		return nil, newError(codes.Internal, "loading the price snapshot: %v", err).grpcErr()
	}
	services, skus := pricing.CatalogFromBook(book)
	c := &billingCatalog{currency: "USD", skus: map[string][]pricing.CatalogSKU{}}
	for _, sv := range services {
		c.services = append(c.services, &billingpb.Service{
			Name:               sv.Name,
			ServiceId:          sv.ServiceID,
			DisplayName:        sv.DisplayName,
			BusinessEntityName: "businessEntities/GCP",
		})
		c.skus[sv.ServiceID] = nil
	}
	sort.Slice(c.services, func(i, j int) bool { return c.services[i].GetName() < c.services[j].GetName() })
	for _, sku := range skus {
		if sku.CurrencyCode != "" {
			c.currency = strings.ToUpper(sku.CurrencyCode)
		}
		id, _, _ := strings.Cut(strings.TrimPrefix(sku.Name, "services/"), "/")
		c.skus[id] = append(c.skus[id], sku)
	}
	for id := range c.skus {
		list := c.skus[id]
		sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	}
	return c, nil
})

type catalogServer struct {
	billingpb.UnimplementedCloudCatalogServer
	s *Server
}

func (c *catalogServer) ListServices(_ context.Context, req *billingpb.ListServicesRequest) (*billingpb.ListServicesResponse, error) {
	cat, err := loadBillingCatalog()
	if err != nil {
		return nil, err
	}
	page, next, err := grpcPage(c.s, cat.services, req, billingDefaultPageSize)
	if err != nil {
		return nil, err
	}
	return &billingpb.ListServicesResponse{Services: cloneProtos(page), NextPageToken: next}, nil
}

func (c *catalogServer) ListSkus(_ context.Context, req *billingpb.ListSkusRequest) (*billingpb.ListSkusResponse, error) {
	cat, err := loadBillingCatalog()
	if err != nil {
		return nil, err
	}
	id, ok := strings.CutPrefix(req.GetParent(), "services/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return nil, invalidArgument("Invalid parent %q: expected services/{service_id}.", req.GetParent()).grpcErr()
	}
	skus, ok := cat.skus[id]
	if !ok {
		return nil, notFound("Service %q was not found.", req.GetParent()).grpcErr()
	}
	if st, et := req.GetStartTime(), req.GetEndTime(); st != nil || et != nil {
		if st != nil && et != nil && st.AsTime().After(et.AsTime()) {
			return nil, invalidArgument("start_time must not be after end_time.").grpcErr()
		}
		if st != nil && st.AsTime().After(c.s.Now()) {
			return nil, invalidArgument("start_time must not be in the future.").grpcErr()
		}
	}
	currency := strings.ToUpper(strings.TrimSpace(req.GetCurrencyCode()))
	if currency == "" {
		currency = cat.currency
	}
	rate := money.FromInt(1)
	if currency != cat.currency {
		r, ok := billingRates[currency]
		if !ok || cat.currency != "USD" {
			return nil, invalidArgument("Currency code %q is not supported.", req.GetCurrencyCode()).grpcErr()
		}
		rate = money.MustParse(r)
	}
	page, next, err := grpcPage(c.s, skus, req, billingDefaultPageSize)
	if err != nil {
		return nil, err
	}
	resp := &billingpb.ListSkusResponse{NextPageToken: next}
	for _, sku := range page {
		resp.Skus = append(resp.Skus, billingSku(sku, currency, rate))
	}
	return resp, nil
}

// billingSku converts a snapshot SKU, priced in currency at rate × the
// book's price.
func billingSku(sku pricing.CatalogSKU, currency string, rate money.Amount) *billingpb.Sku {
	expr := &billingpb.PricingExpression{
		UsageUnit:                sku.UsageUnit,
		UsageUnitDescription:     billingUnitDescriptions[sku.UsageUnit],
		BaseUnit:                 billingBaseUnits[sku.UsageUnit],
		BaseUnitDescription:      billingUnitDescriptions[billingBaseUnits[sku.UsageUnit]],
		BaseUnitConversionFactor: sku.BaseUnitConversionFactor,
		DisplayQuantity:          sku.DisplayQuantity,
	}
	for _, t := range sku.Tiers {
		expr.TieredRates = append(expr.TieredRates, &billingpb.PricingExpression_TierRate{
			StartUsageAmount: t.StartUsage.Float64(),
			UnitPrice:        billingMoney(t.UnitPrice.Mul(rate), currency),
		})
	}
	info := &billingpb.PricingInfo{
		PricingExpression: expr,
		AggregationInfo: &billingpb.AggregationInfo{
			AggregationLevel:    billingpb.AggregationInfo_ACCOUNT,
			AggregationInterval: billingpb.AggregationInfo_MONTHLY,
			AggregationCount:    1,
		},
		CurrencyConversionRate: rate.Float64(),
	}
	if !sku.EffectiveTime.IsZero() {
		info.EffectiveTime = timestamppb.New(sku.EffectiveTime)
	}
	geo := &billingpb.GeoTaxonomy{}
	switch {
	case len(sku.ServiceRegions) == 1 && sku.ServiceRegions[0] == pricing.Global:
		geo.Type = billingpb.GeoTaxonomy_GLOBAL
	case len(sku.ServiceRegions) == 1:
		geo.Type = billingpb.GeoTaxonomy_REGIONAL
		geo.Regions = []string{sku.ServiceRegions[0]}
	case len(sku.ServiceRegions) > 1:
		geo.Type = billingpb.GeoTaxonomy_MULTI_REGIONAL
		geo.Regions = append([]string(nil), sku.ServiceRegions...)
	}
	return &billingpb.Sku{
		Name:        sku.Name,
		SkuId:       sku.SKUID,
		Description: sku.Description,
		Category: &billingpb.Category{
			ServiceDisplayName: sku.ServiceDisplayName,
			ResourceFamily:     sku.ResourceFamily,
			ResourceGroup:      sku.ResourceGroup,
			UsageType:          sku.UsageType,
		},
		ServiceRegions:      append([]string(nil), sku.ServiceRegions...),
		PricingInfo:         []*billingpb.PricingInfo{info},
		ServiceProviderName: "Google",
		GeoTaxonomy:         geo,
	}
}

// billingBaseUnits and billingUnitDescriptions follow the Catalog's unit vocabulary.
var (
	billingBaseUnits = map[string]string{
		"h": "s", "mo": "s", "d": "s", "min": "s", "s": "s",
		"GiBy": "By", "GiBy.h": "By.s", "GiBy.mo": "By.s", "count": "count",
	}
	billingUnitDescriptions = map[string]string{
		"h": "hour", "mo": "month", "d": "day", "min": "minute", "s": "second",
		"GiBy": "gibibyte", "GiBy.h": "gibibyte hour", "GiBy.mo": "gibibyte month",
		"By": "byte", "By.s": "byte second", "count": "count",
	}
)

// billingMoney rounds an exact amount to nanos (half away from zero) as a
// google.type.Money.
func billingMoney(a money.Amount, currency string) *moneypb.Money {
	s := a.Fixed(9)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	units, _ := strconv.ParseInt(whole, 10, 64)
	nanos, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 32)
	if neg {
		units, nanos = -units, -nanos
	}
	return &moneypb.Money{CurrencyCode: currency, Units: units, Nanos: int32(nanos)}
}
