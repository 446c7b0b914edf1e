// Package pricing is vpcshift's price book: the unit prices of everything the
// analyzer costs (connector VMs, Cloud NAT, Cloud DNS), by SKU kind and
// region, each with the Cloud Billing Catalog SKU it came from.
//
// A Book comes from the embedded, dated snapshot (Snapshot) or is built from
// Cloud Billing Catalog SKUs read live (FromCatalog; the reading itself lives
// in internal/gcp). Either way every price carries its source:
// "snapshot@<date>" or "catalog@<time>".
//
// All money is exact (internal/money); nothing here uses floating point for
// a price.
package pricing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vpcshift/vpcshift/internal/money"
)

// Kind names one priced thing, independent of how the Catalog spells it.
type Kind string

// The kinds vpcshift prices.
const (
	// E2CoreHour is one E2 vCPU for one hour (regional).
	E2CoreHour Kind = "e2-core-hour"
	// E2RAMGiBHour is one GiB of E2 memory for one hour (regional).
	E2RAMGiBHour Kind = "e2-ram-gib-hour"
	// F1MicroHour is one f1-micro instance for one hour (regional).
	F1MicroHour Kind = "f1-micro-hour"
	// NATUptimeVMHour is Cloud NAT gateway uptime per VM with a NAT
	// assignment per hour, up to NATUptimeCapVMs VMs.
	NATUptimeVMHour Kind = "nat-uptime-vm-hour"
	// NATUptimeCapHour is the gateway uptime per hour once more than
	// NATUptimeCapVMs VMs are assigned.
	NATUptimeCapHour Kind = "nat-uptime-cap-hour"
	// NATDataGiB is Cloud NAT data processing per GiB (ingress and egress).
	NATDataGiB Kind = "nat-data-gib"
	// NATIPHour is one external IP address used by a NAT gateway per hour.
	NATIPHour Kind = "nat-ip-hour"
	// DNSZoneHour is one Cloud DNS managed zone per hour (tiered by zone
	// count: the tiers' StartUsage is a number of zones, the unit price is
	// per zone per hour).
	DNSZoneHour Kind = "dns-zone-hour"
	// DNSQueryMillion is one million Cloud DNS queries (tiered by monthly
	// volume: StartUsage in millions of queries per month).
	DNSQueryMillion Kind = "dns-query-million"
)

// Kinds lists every kind vpcshift prices, in a fixed order.
var Kinds = []Kind{
	E2CoreHour, E2RAMGiBHour, F1MicroHour,
	NATUptimeVMHour, NATUptimeCapHour, NATDataGiB, NATIPHour,
	DNSZoneHour, DNSQueryMillion,
}

// kindUnits is the unit each kind's price is expressed in.
var kindUnits = map[Kind]string{
	E2CoreHour:       "h",
	E2RAMGiBHour:     "GiBy.h",
	F1MicroHour:      "h",
	NATUptimeVMHour:  "h",
	NATUptimeCapHour: "h",
	NATDataGiB:       "GiBy",
	NATIPHour:        "h",
	DNSZoneHour:      "h",
	DNSQueryMillion:  "10^6.count",
}

// Known reports whether k is one of Kinds.
func (k Kind) Known() bool { _, ok := kindUnits[k]; return ok }

// Global reports whether k is priced the same in every region (region key
// Global); the machine kinds are regional.
func (k Kind) Global() bool {
	switch k {
	case E2CoreHour, E2RAMGiBHour, F1MicroHour:
		return false
	}
	return true
}

// Unit is the unit k's prices are expressed in ("h", "GiBy.h", "GiBy",
// "10^6.count"), or "" for an unknown kind.
func (k Kind) Unit() string { return kindUnits[k] }

// NATUptimeCapVMs is the number of VMs above which Cloud NAT uptime is a
// flat hourly charge (https://cloud.google.com/nat/pricing: "$0.0014 per VM
// per hour up to 32 VMs, $0.044 per hour above").
const NATUptimeCapVMs = 32

// Global is the region key for prices that do not vary by region.
const Global = "global"

// Tier is one band of a tiered price: the unit price applies from
// StartUsage (in the price's unit) upwards until the next tier starts.
type Tier struct {
	StartUsage money.Amount `json:"startUsage"`
	UnitPrice  money.Amount `json:"unitPrice"`
}

// Price is one unit price with its provenance.
type Price struct {
	Kind        Kind         `json:"kind"`
	Region      string       `json:"region"`
	Unit        string       `json:"unit"` // "h", "GiBy", "GiBy.h", "10^6.count" …
	UnitPrice   money.Amount `json:"unitPrice"`
	Tiers       []Tier       `json:"tiers,omitempty"` // when tiered; UnitPrice is then the first tier
	SKU         string       `json:"sku"`             // Catalog sku_id, e.g. "CF4E-A0C7-E3BF"; "" when none is known
	Description string       `json:"description"`     // Catalog SKU description
	Note        string       `json:"note,omitempty"`  // why a figure is special (derived, no SKU …)
	Source      string       `json:"source"`          // "snapshot@2026-07-30" or "catalog@2026-11-25T10:00:00Z"
}

func (p Price) clone() Price {
	p.Tiers = slices.Clone(p.Tiers)
	return p
}

// MissingEntry records a price a book deliberately lacks, and why. Region
// "*" means every region.
type MissingEntry struct {
	Kind   Kind   `json:"kind"`
	Region string `json:"region"`
	Reason string `json:"reason"`
}

// Book is an immutable set of unit prices. Build one with Snapshot, Load or
// FromCatalog; every method is safe for concurrent use.
type Book struct {
	source   string // "snapshot" or "catalog"
	date     string // "2026-02-12" or RFC 3339 UTC
	currency string
	sources  []string
	notes    []string
	missing  []MissingEntry
	prices   []Price // sorted by (kind, region)
	index    map[priceKey]int
}

type priceKey struct {
	kind   Kind
	region string
}

// newBook validates and indexes prices (which it owns) and stamps each with
// the book's label.
func newBook(source, date, currency string, sources, notes []string, missing []MissingEntry, prices []Price) (*Book, error) {
	if source != "snapshot" && source != "catalog" {
		return nil, fmt.Errorf("pricing: source %q is neither snapshot nor catalog", source)
	}
	if strings.TrimSpace(date) == "" {
		return nil, fmt.Errorf("pricing: the price book has no date")
	}
	if strings.TrimSpace(currency) == "" {
		return nil, fmt.Errorf("pricing: the price book has no currency")
	}
	b := &Book{
		source: source, date: date, currency: currency,
		sources: slices.Clone(sources), notes: slices.Clone(notes),
		missing: slices.Clone(missing),
		index:   make(map[priceKey]int, len(prices)),
	}
	label := b.Label()
	for i := range prices {
		p := prices[i].clone()
		if err := validatePrice(p); err != nil {
			return nil, err
		}
		p.Source = label
		prices[i] = p
	}
	slices.SortFunc(prices, func(a, c Price) int {
		if x := strings.Compare(string(a.Kind), string(c.Kind)); x != 0 {
			return x
		}
		return strings.Compare(a.Region, c.Region)
	})
	for i, p := range prices {
		k := priceKey{p.Kind, p.Region}
		if _, dup := b.index[k]; dup {
			return nil, fmt.Errorf("pricing: two prices for %s in %s", p.Kind, p.Region)
		}
		b.index[k] = i
	}
	b.prices = prices
	slices.SortFunc(b.missing, func(a, c MissingEntry) int {
		if x := strings.Compare(string(a.Kind), string(c.Kind)); x != 0 {
			return x
		}
		return strings.Compare(a.Region, c.Region)
	})
	return b, nil
}

func validatePrice(p Price) error {
	where := fmt.Sprintf("%s in %s", p.Kind, p.Region)
	if !p.Kind.Known() {
		return fmt.Errorf("pricing: unknown kind %q (region %q)", p.Kind, p.Region)
	}
	switch {
	case p.Region == "":
		return fmt.Errorf("pricing: %s: empty region", p.Kind)
	case p.Kind.Global() && p.Region != Global:
		return fmt.Errorf("pricing: %s is global, so its region must be %q", where, Global)
	case !p.Kind.Global() && p.Region == Global:
		return fmt.Errorf("pricing: %s is regional and cannot be %q", p.Kind, Global)
	case p.Unit != p.Kind.Unit():
		return fmt.Errorf("pricing: %s: unit %q, want %q", where, p.Unit, p.Kind.Unit())
	case p.UnitPrice.Sign() < 0:
		return fmt.Errorf("pricing: %s: negative unit price %s", where, p.UnitPrice.Exact())
	}
	for i, t := range p.Tiers {
		if t.UnitPrice.Sign() < 0 {
			return fmt.Errorf("pricing: %s: tier %d has a negative unit price", where, i)
		}
		if i == 0 {
			if !t.StartUsage.IsZero() {
				return fmt.Errorf("pricing: %s: the first tier starts at %s, not 0", where, t.StartUsage.Exact())
			}
			if t.UnitPrice.Cmp(p.UnitPrice) != 0 {
				return fmt.Errorf("pricing: %s: unit price %s differs from the first tier's %s", where, p.UnitPrice.Exact(), t.UnitPrice.Exact())
			}
			continue
		}
		if t.StartUsage.Cmp(p.Tiers[i-1].StartUsage) <= 0 {
			return fmt.Errorf("pricing: %s: tier %d does not start after tier %d", where, i, i-1)
		}
	}
	return nil
}

// Source is "snapshot" or "catalog".
func (b *Book) Source() string { return b.source }

// Date is the snapshot's date ("2026-02-12") or the Catalog fetch time (RFC
// 3339, UTC).
func (b *Book) Date() string { return b.date }

// Label is what every price and report line carries as its source:
// "snapshot@2026-02-12" or "catalog@2026-11-25T10:00:00Z".
func (b *Book) Label() string { return b.source + "@" + b.date }

// Currency is the ISO 4217 code of every price in the book ("USD").
func (b *Book) Currency() string { return b.currency }

// Sources lists where the figures come from (URLs, repository@commit paths).
func (b *Book) Sources() []string { return slices.Clone(b.sources) }

// Notes are caveats about the figures (derivations, discrepancies).
func (b *Book) Notes() []string { return slices.Clone(b.notes) }

// Missing lists the prices the book knowingly lacks, sorted by kind and
// region.
func (b *Book) Missing() []MissingEntry { return slices.Clone(b.missing) }

// Prices returns every price, sorted by kind then region.
func (b *Book) Prices() []Price {
	out := make([]Price, len(b.prices))
	for i, p := range b.prices {
		out[i] = p.clone()
	}
	return out
}

// Regions returns the regions with at least one regional price, sorted.
// Global is not among them.
func (b *Book) Regions() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range b.prices {
		if p.Region != Global && !seen[p.Region] {
			seen[p.Region] = true
			out = append(out, p.Region)
		}
	}
	slices.Sort(out)
	return out
}

// MissingPriceError is returned when the book has no price for a kind in a
// region.
type MissingPriceError struct {
	Kind   Kind
	Region string
	Label  string // the book's label, e.g. "snapshot@2026-02-12"
	Reason string // why the book lacks it, when the book records a reason
}

func (e *MissingPriceError) Error() string {
	msg := fmt.Sprintf("no price for %s in region %s in %s", e.Kind, e.Region, e.Label)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// UnknownMachineTypeError is returned by MachineHourly for a machine type
// vpcshift does not price.
type UnknownMachineTypeError struct {
	MachineType string
}

func (e *UnknownMachineTypeError) Error() string {
	return fmt.Sprintf("unknown machine type %q: vpcshift prices e2-micro, e2-small, e2-medium, e2-standard-{2,4,8,16,32} and f1-micro", e.MachineType)
}

// Lookup returns the price of kind in region. For global kinds any region
// (or Global) finds the global price. A price the book lacks is a
// *MissingPriceError naming both.
func (b *Book) Lookup(kind Kind, region string) (Price, error) {
	key := region
	if kind.Global() {
		key = Global
	}
	if i, ok := b.index[priceKey{kind, key}]; ok {
		return b.prices[i].clone(), nil
	}
	e := &MissingPriceError{Kind: kind, Region: region, Label: b.Label()}
	if !kind.Known() {
		e.Reason = "unknown kind"
	}
	for _, m := range b.missing {
		if m.Kind == kind && (m.Region == key || m.Region == region || m.Region == "*") {
			e.Reason = m.Reason
		}
	}
	return Price{}, e
}

// machineShape is what one VM of a machine type is billed for: vCPUs and
// GiB of E2 memory, or the flat f1-micro SKU.
type machineShape struct {
	vcpu, gib money.Amount
	f1        bool
}

// e2StandardSizes are the predefined e2-standard-N machine types.
var e2StandardSizes = []int64{2, 4, 8, 16, 32}

// shapeOf returns the billed shape of machineType.
//
// E2 shared-core types bill a fraction of a vCPU: e2-micro 0.25 vCPU + 1 GiB,
// e2-small 0.5 + 2, e2-medium 1 + 4 (Cyclenerd pricing.yml
// compute.instance.e2-micro "cpu: 0.25, ram: 1" and e2-medium "cpu: 1,
// ram: 4"; build/gcp.yml "Fractional vCPU of 0.25"; the same formulas
// reproduce Google's published us-central1 e2-small/e2-medium prices).
// e2-standard-N is N vCPU + 4N GiB. f1-micro is its own flat SKU.
func shapeOf(machineType string) (machineShape, bool) {
	switch mt := strings.ToLower(strings.TrimSpace(machineType)); mt {
	case "f1-micro":
		return machineShape{f1: true}, true
	case "e2-micro":
		return machineShape{vcpu: money.FromFrac(1, 4), gib: money.FromInt(1)}, true
	case "e2-small":
		return machineShape{vcpu: money.FromFrac(1, 2), gib: money.FromInt(2)}, true
	case "e2-medium":
		return machineShape{vcpu: money.FromInt(1), gib: money.FromInt(4)}, true
	default:
		n, ok := strings.CutPrefix(mt, "e2-standard-")
		if !ok {
			return machineShape{}, false
		}
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil || !slices.Contains(e2StandardSizes, v) || strconv.FormatInt(v, 10) != n {
			return machineShape{}, false
		}
		return machineShape{vcpu: money.FromInt(v), gib: money.FromInt(4 * v)}, true
	}
}

// MachineHourly is the on-demand hourly price of one VM of machineType in
// region (a Serverless VPC Access connector instance), with the prices it
// used: E2 core and RAM for e2 types, the f1-micro SKU for f1-micro.
func (b *Book) MachineHourly(machineType, region string) (money.Amount, []Price, error) {
	shape, ok := shapeOf(machineType)
	if !ok {
		return money.Zero, nil, &UnknownMachineTypeError{MachineType: machineType}
	}
	if shape.f1 {
		p, err := b.Lookup(F1MicroHour, region)
		if err != nil {
			return money.Zero, nil, err
		}
		return p.UnitPrice, []Price{p}, nil
	}
	core, err := b.Lookup(E2CoreHour, region)
	if err != nil {
		return money.Zero, nil, err
	}
	ram, err := b.Lookup(E2RAMGiBHour, region)
	if err != nil {
		return money.Zero, nil, err
	}
	hourly := core.UnitPrice.Mul(shape.vcpu).Add(ram.UnitPrice.Mul(shape.gib))
	return hourly, []Price{core, ram}, nil
}

// TieredCost is the cost of quantity (in the price's unit; for DNSZoneHour a
// number of zones, giving a cost per hour) of kind in region: each tier's
// unit price applies to the part of quantity inside that tier's band. An
// untiered price is quantity × unit price.
func (b *Book) TieredCost(kind Kind, region string, quantity money.Amount) (money.Amount, error) {
	p, err := b.Lookup(kind, region)
	if err != nil {
		return money.Zero, err
	}
	return p.Cost(quantity)
}

// Cost is the cost of quantity at this price, applying its tiers.
func (p Price) Cost(quantity money.Amount) (money.Amount, error) {
	if quantity.Sign() < 0 {
		return money.Zero, fmt.Errorf("pricing: negative quantity %s of %s", quantity.Exact(), p.Kind)
	}
	if len(p.Tiers) == 0 {
		return quantity.Mul(p.UnitPrice), nil
	}
	total := money.Zero
	for i, t := range p.Tiers {
		if quantity.Cmp(t.StartUsage) <= 0 {
			break
		}
		top := quantity
		if i+1 < len(p.Tiers) {
			top = money.Min(quantity, p.Tiers[i+1].StartUsage)
		}
		total = total.Add(top.Sub(t.StartUsage).Mul(t.UnitPrice))
	}
	return total, nil
}

// NATUptimeHourly is a Cloud NAT gateway's uptime charge per hour for vms
// VMs with a NAT assignment: vms × NATUptimeVMHour up to NATUptimeCapVMs
// VMs, NATUptimeCapHour flat above (https://cloud.google.com/nat/pricing).
// It returns the price it used.
func (b *Book) NATUptimeHourly(vms int64, region string) (money.Amount, Price, error) {
	if vms < 0 {
		return money.Zero, Price{}, fmt.Errorf("pricing: negative VM count %d", vms)
	}
	if vms > NATUptimeCapVMs {
		p, err := b.Lookup(NATUptimeCapHour, region)
		if err != nil {
			return money.Zero, Price{}, err
		}
		return p.UnitPrice, p, nil
	}
	p, err := b.Lookup(NATUptimeVMHour, region)
	if err != nil {
		return money.Zero, Price{}, err
	}
	return p.UnitPrice.MulInt(vms), p, nil
}
