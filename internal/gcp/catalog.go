package gcp

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/billing/apiv1/billingpb"
	"google.golang.org/api/iterator"

	"github.com/vpcshift/vpcshift/internal/money"
	"github.com/vpcshift/vpcshift/internal/pricing"
)

// catalogServices are the Cloud Billing Catalog services whose SKUs price
// what vpcshift costs, matched by display name (ids are not stable
// knowledge for Cloud DNS; pricing/README.md).
var catalogServices = []string{"Compute Engine", "Networking", "Cloud DNS"}

// LivePrices reads current list prices from the Cloud Billing Catalog API
// in the given currency and builds a price book from them. The second
// result lists prices it could not find (the book then lacks them, and
// the report names each as an error).
func (c *Clients) LivePrices(ctx context.Context, currency string, now time.Time) (*pricing.Book, []error, error) {
	lctx, cancel := context.WithTimeout(ctx, 2*c.cfg.CallTimeout)
	defer cancel()
	var services []pricing.CatalogService
	it := c.Catalog.ListServices(lctx, &billingpb.ListServicesRequest{PageSize: 5000})
	for {
		s, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			return nil, nil, classify(err, "cloudbilling.googleapis.com", "", "listing Cloud Billing Catalog services")
		}
		services = append(services, pricing.CatalogService{Name: s.GetName(), ServiceID: s.GetServiceId(), DisplayName: s.GetDisplayName()})
	}
	var skus []pricing.CatalogSKU
	for _, want := range catalogServices {
		var svc *pricing.CatalogService
		for i := range services {
			if services[i].DisplayName == want {
				svc = &services[i]
				break
			}
		}
		if svc == nil {
			continue // FromCatalog reports the kinds it then lacks
		}
		it := c.Catalog.ListSkus(lctx, &billingpb.ListSkusRequest{Parent: svc.Name, CurrencyCode: currency, PageSize: 5000})
		for {
			s, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return nil, nil, classify(err, "cloudbilling.googleapis.com", "", fmt.Sprintf("listing the SKUs of %s", want))
			}
			skus = append(skus, catalogSKU(s))
		}
	}
	book, errs := pricing.FromCatalog(services, skus, now.UTC(), currency)
	if book == nil {
		return nil, errs, fmt.Errorf("the Cloud Billing Catalog gave no usable price")
	}
	return book, errs, nil
}

// catalogSKU converts a Catalog SKU with its latest pricing info.
func catalogSKU(s *billingpb.Sku) pricing.CatalogSKU {
	out := pricing.CatalogSKU{
		Name:               s.GetName(),
		SKUID:              s.GetSkuId(),
		Description:        s.GetDescription(),
		ServiceDisplayName: s.GetCategory().GetServiceDisplayName(),
		ResourceFamily:     s.GetCategory().GetResourceFamily(),
		ResourceGroup:      s.GetCategory().GetResourceGroup(),
		UsageType:          s.GetCategory().GetUsageType(),
		ServiceRegions:     append([]string(nil), s.GetServiceRegions()...),
	}
	infos := s.GetPricingInfo()
	if len(infos) == 0 {
		return out
	}
	pi := infos[len(infos)-1] // the timeline is chronological
	out.EffectiveTime = pi.GetEffectiveTime().AsTime()
	pe := pi.GetPricingExpression()
	out.UsageUnit = pe.GetUsageUnit()
	out.BaseUnitConversionFactor = pe.GetBaseUnitConversionFactor()
	out.DisplayQuantity = pe.GetDisplayQuantity()
	for _, t := range pe.GetTieredRates() {
		up := t.GetUnitPrice()
		out.CurrencyCode = up.GetCurrencyCode()
		start, err := money.Parse(fmt.Sprintf("%g", t.GetStartUsageAmount()))
		if err != nil {
			start = money.Zero
		}
		out.Tiers = append(out.Tiers, pricing.Tier{StartUsage: start, UnitPrice: money.FromUnitsNanos(up.GetUnits(), up.GetNanos())})
	}
	return out
}
