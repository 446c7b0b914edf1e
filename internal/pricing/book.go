// Package pricing is vpcshift's price book: the unit prices of everything the
// analyzer costs (connector VMs, Cloud NAT, Cloud DNS), by SKU kind and
// region, each with the Cloud Billing Catalog SKU it came from.
//
// A Book comes from the embedded, dated snapshot (Snapshot) or is built from
// Cloud Billing Catalog SKUs read live (FromCatalog; the reading itself lives
// in internal/gcp). Either way every price carries its source:
// "snapshot@<date>" or "catalog@<time>".
package pricing

import (
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
	// DNSZoneHour is one Cloud DNS managed zone per hour (tiered by zone count).
	DNSZoneHour Kind = "dns-zone-hour"
	// DNSQueryMillion is one million Cloud DNS queries (tiered by volume).
	DNSQueryMillion Kind = "dns-query-million"
)

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
	Unit        string       `json:"unit"` // "h", "GiBy", "GiBy.h", "count" …
	UnitPrice   money.Amount `json:"unitPrice"`
	Tiers       []Tier       `json:"tiers,omitempty"` // when tiered; UnitPrice is then the first tier
	SKU         string       `json:"sku"`             // Catalog sku_id, e.g. "CF4E-A0C7-E3BF"
	Description string       `json:"description"`     // Catalog SKU description
	Source      string       `json:"source"`          // "snapshot@2026-07-30" or "catalog@2026-11-25T10:00:00Z"
}
