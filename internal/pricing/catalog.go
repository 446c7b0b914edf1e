package pricing

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/vpcshift/vpcshift/internal/money"
)

// CatalogService mirrors a Cloud Billing Catalog Service
// (google.cloud.billing.v1.Service).
type CatalogService struct {
	Name        string // "services/6F81-5844-456A"
	ServiceID   string // "6F81-5844-456A"
	DisplayName string // "Compute Engine"
}

// CatalogSKU mirrors a Cloud Billing Catalog Sku with its current
// PricingInfo (google.cloud.billing.v1.Sku, PricingExpression).
type CatalogSKU struct {
	Name, SKUID, Description                                     string
	ServiceDisplayName, ResourceFamily, ResourceGroup, UsageType string
	ServiceRegions                                               []string
	UsageUnit                                                    string  // "h", "GiBy", "GiBy.h", "count"…
	BaseUnitConversionFactor                                     float64 // informational; units are derived from UsageUnit
	DisplayQuantity                                              float64 // informational
	CurrencyCode                                                 string
	EffectiveTime                                                time.Time
	Tiers                                                        []Tier // StartUsage in UsageUnit, UnitPrice per UsageUnit in CurrencyCode
}

// Service ids of the Cloud Billing Catalog.
const (
	// ComputeEngineServiceID is "Compute Engine" (E2 and f1-micro SKUs).
	ComputeEngineServiceID = "6F81-5844-456A"
	// NetworkingServiceID is "Networking" (Cloud NAT SKUs).
	NetworkingServiceID = "E505-1604-58F8"
	// CloudDNSEmulatorServiceID stands in for "Cloud DNS", whose real
	// service id could not be confirmed (one third-party mapping says
	// C2E8-8FAF-4531, but the same file mislabels other ids). It is used
	// only by CatalogFromBook, i.e. by vpcshift's own emulator; FromCatalog
	// matches Cloud DNS by display name, never by id.
	CloudDNSEmulatorServiceID = "EMUL-C10D-0D45"
)

// Service display names in the Catalog.
const (
	computeEngine = "Compute Engine"
	networking    = "Networking"
	cloudDNS      = "Cloud DNS"
)

// natCapDescription is the description the snapshot and the emulator give
// the NAT uptime cap. The real Catalog has no such SKU (see FromCatalog).
const natCapDescription = "Networking Cloud Nat Gateway Uptime above 32 VMs (pricing page rule, no Catalog SKU)"

// skuRule says which Catalog SKUs price a kind. Prefixes are matched
// case-insensitively in order of preference.
type skuRule struct {
	kind     Kind
	services []string // service display names accepted
	group    string   // resource group, when the SKU states one
	prefixes []string
	exact    bool // description must equal a prefix, not just start with it
}

var skuRules = []skuRule{
	{kind: E2CoreHour, services: []string{computeEngine}, group: "CPU", prefixes: []string{"E2 Instance Core running in "}},
	{kind: E2RAMGiBHour, services: []string{computeEngine}, group: "RAM", prefixes: []string{"E2 Instance Ram running in "}},
	{kind: F1MicroHour, services: []string{computeEngine}, group: "F1Micro", prefixes: []string{"Micro Instance with burstable CPU running in "}},
	{kind: NATUptimeCapHour, services: []string{networking, computeEngine}, prefixes: []string{natCapDescription}, exact: true},
	{kind: NATUptimeVMHour, services: []string{networking, computeEngine}, prefixes: []string{"Networking Cloud Nat Gateway Uptime", "NAT Gateway: Uptime charge"}},
	{kind: NATDataGiB, services: []string{networking, computeEngine}, prefixes: []string{"Networking Cloud Nat Data Processing", "NAT Gateway: Data processing charge"}},
	{kind: NATIPHour, services: []string{networking, computeEngine}, prefixes: []string{"Networking Cloud NAT IP Usage", "External IP Charge on a Standard VM"}, exact: true},
	{kind: DNSZoneHour, services: []string{cloudDNS}, prefixes: []string{"ManagedZone"}, exact: true},
	{kind: DNSQueryMillion, services: []string{cloudDNS}, prefixes: []string{"DNS Query (port 53)"}, exact: true},
}

// excludedWords mark SKUs that are not on-demand list prices.
var excludedWords = []string{"preemptible", "spot", "commitment", "sole tenancy", "custom", "reserved", "free tier", "sustained use", "premium for"}

// match returns the rank of the first prefix sku matches, or -1.
func (r skuRule) match(sku CatalogSKU, service string) int {
	if !slices.ContainsFunc(r.services, func(s string) bool { return strings.EqualFold(s, service) }) {
		return -1
	}
	if r.group != "" && sku.ResourceGroup != "" && !strings.EqualFold(r.group, sku.ResourceGroup) {
		return -1
	}
	if sku.UsageType != "" && !strings.EqualFold(sku.UsageType, "OnDemand") {
		return -1
	}
	desc := strings.TrimSpace(sku.Description)
	lower := strings.ToLower(desc)
	if r.kind != NATUptimeCapHour && strings.EqualFold(desc, natCapDescription) {
		return -1
	}
	for _, w := range excludedWords {
		if strings.Contains(lower, w) {
			return -1
		}
	}
	for i, p := range r.prefixes {
		if r.exact && strings.EqualFold(desc, p) {
			return i
		}
		if !r.exact && len(desc) >= len(p) && strings.EqualFold(desc[:len(p)], p) {
			return i
		}
	}
	return -1
}

// unitScale is how many catalog usage units make one unit of the book's
// price unit for kind (book price = catalog price × scale; book start =
// catalog start ÷ scale). ok is false for a unit vpcshift cannot convert.
func unitScale(kind Kind, usageUnit string) (scale money.Amount, ok bool) {
	u := strings.TrimSpace(usageUnit)
	hours := map[string]money.Amount{
		"h": money.FromInt(1), "s": money.FromInt(3600), "min": money.FromInt(60),
		"d": money.FromFrac(1, 24), "mo": money.FromFrac(1, money.HoursPerMonth),
	}
	switch kind.Unit() {
	case "h":
		s, ok := hours[u]
		return s, ok
	case "GiBy.h":
		g, rest, found := strings.Cut(u, ".")
		if !found || g != "GiBy" {
			return money.Zero, false
		}
		s, ok := hours[rest]
		return s, ok
	case "GiBy":
		switch u {
		case "GiBy":
			return money.FromInt(1), true
		case "By":
			return money.FromInt(1 << 30), true
		case "KiBy":
			return money.FromInt(1 << 20), true
		case "MiBy":
			return money.FromInt(1 << 10), true
		case "TiBy":
			return money.FromFrac(1, 1<<10), true
		}
	case "10^6.count":
		switch u {
		case "count", "1":
			return money.FromInt(1_000_000), true
		case "10^6.count":
			return money.FromInt(1), true
		}
	}
	return money.Zero, false
}

// zoneHoursPerZone converts DNS zone tier starts: the Catalog counts
// zone-hours (or zone-months) per month, the book counts zones, assuming
// every zone exists for the whole 730-hour month.
var zoneHoursPerZone = money.FromInt(money.HoursPerMonth)

// toBookTiers converts catalog tiers of sku to the book's unit for kind.
func toBookTiers(kind Kind, sku CatalogSKU) ([]Tier, error) {
	scale, ok := unitScale(kind, sku.UsageUnit)
	if !ok {
		return nil, fmt.Errorf("pricing: SKU %s (%s): cannot convert usage unit %q to %s for %s", sku.SKUID, sku.Description, sku.UsageUnit, kind.Unit(), kind)
	}
	if len(sku.Tiers) == 0 {
		return nil, fmt.Errorf("pricing: SKU %s (%s) has no tiered rates", sku.SKUID, sku.Description)
	}
	tiers := slices.Clone(sku.Tiers)
	slices.SortStableFunc(tiers, func(a, b Tier) int { return a.StartUsage.Cmp(b.StartUsage) })
	out := make([]Tier, len(tiers))
	for i, t := range tiers {
		start := t.StartUsage.Div(scale)
		if kind == DNSZoneHour {
			start = start.Div(zoneHoursPerZone)
		}
		out[i] = Tier{StartUsage: start, UnitPrice: t.UnitPrice.Mul(scale)}
	}
	if !out[0].StartUsage.IsZero() {
		return nil, fmt.Errorf("pricing: SKU %s (%s): the first tier starts at %s, not 0", sku.SKUID, sku.Description, tiers[0].StartUsage.Exact())
	}
	return out, nil
}

// tieredKinds keep all their tiers; every other kind takes the last tier's
// rate, the steady-state price after any account-wide free band.
var tieredKinds = map[Kind]bool{DNSZoneHour: true, DNSQueryMillion: true}

type candidate struct {
	rank  int
	sku   CatalogSKU
	price Price
}

// FromCatalog builds a Book from Cloud Billing Catalog SKUs fetched at
// fetchedAt, keeping the SKUs priced in currency.
//
// SKUs are matched by service, resource group and description (see
// skuRules), only on-demand ones (Preemptible, Spot, Commitment, Sole
// Tenancy, Custom, free-tier and discount SKUs are skipped), and placed in
// every region of ServiceRegions (global kinds in Global). Units are
// converted to the book's: time to hours (a month is 730 h), bytes to GiB,
// DNS queries from per count to per million, DNS zone tier starts from
// zone-hours per month to zones (÷ 730).
//
// The Catalog has no SKU for the Cloud NAT uptime cap; unless the SKUs
// contain the emulator's cap SKU, the cap is derived as 32 × the per-VM rate
// (0.0448 for 0.0014, where the pricing page says 0.044) and a note says so.
//
// The errors are not fatal: each names a kind (and region) the book lacks,
// or a SKU that could not be used; the book simply lacks those prices and
// lists them in Missing.
func FromCatalog(services []CatalogService, skus []CatalogSKU, fetchedAt time.Time, currency string) (*Book, []error) {
	if currency == "" {
		currency = "USD"
	}
	date := fetchedAt.UTC().Format(time.RFC3339)
	label := "catalog@" + date
	var errs []error

	serviceByID := map[string]string{}
	for _, s := range services {
		id := s.ServiceID
		if id == "" {
			id = strings.TrimPrefix(s.Name, "services/")
		}
		serviceByID[id] = s.DisplayName
	}
	serviceOf := func(sku CatalogSKU) string {
		if sku.ServiceDisplayName != "" {
			return sku.ServiceDisplayName
		}
		id, _, _ := strings.Cut(strings.TrimPrefix(sku.Name, "services/"), "/")
		return serviceByID[id]
	}

	sorted := slices.Clone(skus)
	slices.SortStableFunc(sorted, func(a, b CatalogSKU) int { return strings.Compare(a.SKUID, b.SKUID) })

	chosen := map[priceKey]candidate{}
	for _, sku := range sorted {
		service := serviceOf(sku)
		for _, rule := range skuRules {
			rank := rule.match(sku, service)
			if rank < 0 {
				continue
			}
			if sku.CurrencyCode != "" && !strings.EqualFold(sku.CurrencyCode, currency) {
				errs = append(errs, fmt.Errorf("pricing: SKU %s (%s) is priced in %s, not %s", sku.SKUID, sku.Description, sku.CurrencyCode, currency))
				break
			}
			tiers, err := toBookTiers(rule.kind, sku)
			if err != nil {
				errs = append(errs, err)
				break
			}
			p := Price{Kind: rule.kind, Unit: rule.kind.Unit(), SKU: sku.SKUID, Description: sku.Description}
			if tieredKinds[rule.kind] && len(tiers) > 1 {
				p.Tiers = tiers
				p.UnitPrice = tiers[0].UnitPrice
			} else {
				p.UnitPrice = tiers[len(tiers)-1].UnitPrice
			}
			var regions []string
			if rule.kind.Global() {
				regions = []string{Global}
			} else {
				for _, r := range sku.ServiceRegions {
					if r != "" && r != Global {
						regions = append(regions, r)
					}
				}
				if len(regions) == 0 {
					errs = append(errs, fmt.Errorf("pricing: SKU %s (%s) names no region", sku.SKUID, sku.Description))
				}
			}
			for _, region := range regions {
				p := p.clone()
				p.Region = region
				k := priceKey{rule.kind, region}
				if prev, ok := chosen[k]; ok && prev.rank <= rank {
					if prev.rank == rank && prev.price.UnitPrice.Cmp(p.UnitPrice) != 0 {
						errs = append(errs, fmt.Errorf("pricing: %s in %s: SKUs %s and %s disagree (%s vs %s); using %s",
							rule.kind, region, prev.sku.SKUID, sku.SKUID, prev.price.UnitPrice.Exact(), p.UnitPrice.Exact(), prev.sku.SKUID))
					}
					continue
				}
				chosen[k] = candidate{rank: rank, sku: sku, price: p}
			}
			break // a SKU prices one kind
		}
	}

	// The NAT uptime cap: derived when the Catalog has no cap SKU.
	capKey := priceKey{NATUptimeCapHour, Global}
	if up, ok := chosen[priceKey{NATUptimeVMHour, Global}]; ok {
		if _, ok := chosen[capKey]; !ok {
			p := up.price.clone()
			p.Kind = NATUptimeCapHour
			p.UnitPrice = p.UnitPrice.MulInt(NATUptimeCapVMs)
			p.Tiers = nil
			p.Note = fmt.Sprintf("derived: %d × the per-VM rate of %s (the Catalog has no cap SKU; cloud.google.com/nat/pricing says 0.044)", NATUptimeCapVMs, p.SKU)
			chosen[capKey] = candidate{price: p}
			errs = append(errs, fmt.Errorf("pricing: %s has no Catalog SKU; derived %d × %s = %s per hour (the pricing page says 0.044)",
				NATUptimeCapHour, NATUptimeCapVMs, up.price.UnitPrice.Exact(), p.UnitPrice.Exact()))
		}
	}

	prices := make([]Price, 0, len(chosen))
	for _, c := range chosen {
		prices = append(prices, c.price)
	}

	// What the book lacks: global kinds not found; regional kinds not found
	// at all, or missing in a region where another machine kind is priced.
	var missing []MissingEntry
	regions := map[string]bool{}
	for k := range chosen {
		if !k.kind.Global() {
			regions[k.region] = true
		}
	}
	for _, kind := range Kinds {
		if kind.Global() {
			if _, ok := chosen[priceKey{kind, Global}]; !ok {
				missing = append(missing, MissingEntry{Kind: kind, Region: Global, Reason: "no matching SKU in the Catalog"})
			}
			continue
		}
		found := false
		for r := range regions {
			if _, ok := chosen[priceKey{kind, r}]; ok {
				found = true
			}
		}
		if !found {
			missing = append(missing, MissingEntry{Kind: kind, Region: "*", Reason: "no matching SKU in the Catalog"})
			continue
		}
		for r := range regions {
			if _, ok := chosen[priceKey{kind, r}]; !ok {
				missing = append(missing, MissingEntry{Kind: kind, Region: r, Reason: "no matching SKU for this region in the Catalog"})
			}
		}
	}
	slices.SortFunc(missing, func(a, b MissingEntry) int {
		return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Region, b.Region))
	})
	for _, m := range missing {
		errs = append(errs, &MissingPriceError{Kind: m.Kind, Region: m.Region, Label: label, Reason: m.Reason})
	}

	sources := []string{"Cloud Billing Catalog API v1 (cloudbilling.googleapis.com services.skus.list), fetched " + date}
	b, err := newBook("catalog", date, strings.ToUpper(currency), sources, nil, missing, prices)
	if err != nil {
		// Only possible for SKUs we produced ourselves; report and return an
		// empty book rather than nothing.
		errs = append(errs, err)
		b, _ = newBook("catalog", date, strings.ToUpper(currency), sources, nil, missing, nil)
	}
	return b, errs
}

// catalogShape is how CatalogFromBook presents a kind in the Catalog.
type catalogShape struct {
	serviceID, service, family, group string
	usageUnit                         string
	baseFactor, displayQuantity       float64
}

var catalogShapes = map[Kind]catalogShape{
	E2CoreHour:       {ComputeEngineServiceID, computeEngine, "Compute", "CPU", "h", 3600, 1},
	E2RAMGiBHour:     {ComputeEngineServiceID, computeEngine, "Compute", "RAM", "GiBy.h", 3600 * (1 << 30), 1},
	F1MicroHour:      {ComputeEngineServiceID, computeEngine, "Compute", "F1Micro", "h", 3600, 1},
	NATUptimeVMHour:  {NetworkingServiceID, networking, "Network", "Nat", "h", 3600, 1},
	NATUptimeCapHour: {NetworkingServiceID, networking, "Network", "Nat", "h", 3600, 1},
	NATDataGiB:       {NetworkingServiceID, networking, "Network", "Nat", "GiBy", 1 << 30, 1},
	NATIPHour:        {NetworkingServiceID, networking, "Network", "Nat", "h", 3600, 1},
	DNSZoneHour:      {CloudDNSEmulatorServiceID, cloudDNS, "Network", "DNS", "h", 3600, 1},
	DNSQueryMillion:  {CloudDNSEmulatorServiceID, cloudDNS, "Network", "DNS", "count", 1, 1_000_000},
}

// emulatorSKUID is the SKU id CatalogFromBook gives a price whose real SKU
// id is unknown: "EMUL-XXXX-XXXX", a stable hash of kind and regions. Real
// SKU ids are hexadecimal, so these never collide with one.
func emulatorSKUID(kind Kind, regions []string) string {
	h := fnv.New32a()
	h.Write([]byte(string(kind) + "/" + strings.Join(regions, ",")))
	v := h.Sum32()
	return fmt.Sprintf("EMUL-%04X-%04X", v>>16, v&0xffff)
}

// emulatorDescription names a price without a known Catalog description the
// way the Catalog names its neighbours.
func emulatorDescription(p Price) string {
	switch p.Kind {
	case E2CoreHour:
		return "E2 Instance Core running in " + p.Region
	case E2RAMGiBHour:
		return "E2 Instance Ram running in " + p.Region
	case F1MicroHour:
		return "Micro Instance with burstable CPU running in " + p.Region
	case NATUptimeCapHour:
		return natCapDescription
	}
	for _, r := range skuRules {
		if r.kind == p.Kind {
			return r.prefixes[0]
		}
	}
	return string(p.Kind)
}

// CatalogFromBook presents b as Cloud Billing Catalog services and SKUs, the
// inverse of FromCatalog: the emulator serves these, so a live refresh
// against it reproduces b. Regions sharing a SKU id and price become one SKU
// with several ServiceRegions. Prices without a known SKU id get an
// emulator id (emulatorSKUID) and, without a description, one in the
// Catalog's style; the NAT uptime cap, which the real Catalog lacks, is an
// emulator SKU too. Cloud DNS uses CloudDNSEmulatorServiceID.
func CatalogFromBook(b *Book) ([]CatalogService, []CatalogSKU) {
	services := []CatalogService{
		{Name: "services/" + ComputeEngineServiceID, ServiceID: ComputeEngineServiceID, DisplayName: computeEngine},
		{Name: "services/" + NetworkingServiceID, ServiceID: NetworkingServiceID, DisplayName: networking},
		{Name: "services/" + CloudDNSEmulatorServiceID, ServiceID: CloudDNSEmulatorServiceID, DisplayName: cloudDNS},
	}
	effective := b.effectiveTime()

	type group struct {
		kind    Kind
		sku     string
		desc    string
		price   Price
		regions []string
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, p := range b.prices {
		id, desc := p.SKU, p.Description
		if p.Kind == NATUptimeCapHour {
			// The Catalog has no cap SKU: the cap always travels as the
			// emulator's cap SKU, whatever SKU or name the book gives it
			// (a derived cap carries the per-VM SKU), so it comes back as
			// the cap.
			id, desc = "", ""
		}
		if desc == "" {
			desc = emulatorDescription(p)
		}
		if id != "" && !p.Kind.Global() {
			key := string(p.Kind) + "|" + id + "|" + desc + "|" + tiersKey(p)
			if g, ok := byKey[key]; ok {
				g.regions = append(g.regions, p.Region)
				continue
			}
			g := &group{kind: p.Kind, sku: id, desc: desc, price: p, regions: []string{p.Region}}
			byKey[key] = g
			groups = append(groups, g)
			continue
		}
		groups = append(groups, &group{kind: p.Kind, sku: id, desc: desc, price: p, regions: []string{p.Region}})
	}

	usedIDs := map[string]bool{}
	var skus []CatalogSKU
	for _, g := range groups {
		shape := catalogShapes[g.kind]
		id := g.sku
		if id == "" || usedIDs[id] {
			id = emulatorSKUID(g.kind, g.regions)
		}
		usedIDs[id] = true
		regions := slices.Clone(g.regions)
		if g.kind.Global() {
			regions = []string{Global}
		}
		slices.Sort(regions)
		skus = append(skus, CatalogSKU{
			Name:                     "services/" + shape.serviceID + "/skus/" + id,
			SKUID:                    id,
			Description:              g.desc,
			ServiceDisplayName:       shape.service,
			ResourceFamily:           shape.family,
			ResourceGroup:            shape.group,
			UsageType:                "OnDemand",
			ServiceRegions:           regions,
			UsageUnit:                shape.usageUnit,
			BaseUnitConversionFactor: shape.baseFactor,
			DisplayQuantity:          shape.displayQuantity,
			CurrencyCode:             b.currency,
			EffectiveTime:            effective,
			Tiers:                    toCatalogTiers(g.price),
		})
	}
	slices.SortFunc(skus, func(a, c CatalogSKU) int { return strings.Compare(a.Name, c.Name) })
	return services, skus
}

func tiersKey(p Price) string {
	var sb strings.Builder
	sb.WriteString(p.UnitPrice.Exact())
	for _, t := range p.Tiers {
		sb.WriteString(";" + t.StartUsage.Exact() + "=" + t.UnitPrice.Exact())
	}
	return sb.String()
}

// toCatalogTiers converts a book price to tiered rates in the Catalog unit
// CatalogFromBook uses for its kind.
func toCatalogTiers(p Price) []Tier {
	shape := catalogShapes[p.Kind]
	scale, _ := unitScale(p.Kind, shape.usageUnit)
	tiers := p.Tiers
	if len(tiers) == 0 {
		tiers = []Tier{{StartUsage: money.Zero, UnitPrice: p.UnitPrice}}
	}
	out := make([]Tier, len(tiers))
	for i, t := range tiers {
		start := t.StartUsage
		if p.Kind == DNSZoneHour {
			start = start.Mul(zoneHoursPerZone)
		}
		out[i] = Tier{StartUsage: start.Mul(scale), UnitPrice: t.UnitPrice.Div(scale)}
	}
	return out
}

// effectiveTime is the book's date as a time: midnight UTC for a snapshot
// date, the fetch time for a catalog book, zero if unparseable.
func (b *Book) effectiveTime() time.Time {
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, b.date); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
