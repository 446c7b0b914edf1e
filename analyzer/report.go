package analyzer

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/money"
)

// SchemaVersion identifies the JSON form of a Report (schema/report.schema.json).
const SchemaVersion = "vpcshift.report/v1"

// Money is an exact amount of money (internal/money) that is written to
// JSON as a decimal string with exactly two decimals ("18.34"), rounded half
// away from zero. In memory it stays exact: sums and comparisons use the
// exact value, never the rounded one.
type Money struct {
	a money.Amount
}

// M wraps an exact amount.
func M(a money.Amount) Money { return Money{a: a} }

// mp is M returning a pointer, for nullable (possibly unpriced) fields.
func mp(a money.Amount) *Money { m := M(a); return &m }

// Amount is the exact value.
func (m Money) Amount() money.Amount { return m.a }

// String is the value with two decimals.
func (m Money) String() string { return m.a.Fixed(2) }

// MarshalJSON writes the two-decimal string.
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.a.Fixed(2)) }

// UnmarshalJSON reads a decimal string (a report read back keeps only the
// two decimals it was written with).
func (m *Money) UnmarshalJSON(b []byte) error { return m.a.UnmarshalJSON(b) }

// Prices says which price book priced the report.
type Prices struct {
	Source   string `json:"source"`   // "snapshot" or "catalog"
	Date     string `json:"date"`     // snapshot date or Catalog fetch time
	Currency string `json:"currency"` // ISO 4217
	Label    string `json:"label"`    // "snapshot@2026-02-12", what every cost line carries
}

// Summary holds the headline figures. All are monthly (730 h) except
// AnnualSavings (12 × MonthlySavings).
type Summary struct {
	// CurrentMonthlyCost is Σ connector monthly + Σ NAT monthly (the priced
	// ones; see UnpricedResources).
	CurrentMonthlyCost Money `json:"currentMonthlyCost"`
	// TargetMonthlyCost is CurrentMonthlyCost − MonthlySavings.
	TargetMonthlyCost Money `json:"targetMonthlyCost"`
	// MonthlySavings is what can be saved now (removable connectors, NAT
	// shares) minus the cost of the run.app. zones the target needs. It can
	// be negative, and is then reported as such.
	MonthlySavings Money `json:"monthlySavings"`
	AnnualSavings  Money `json:"annualSavings"`
	// BlockedMonthlySavings is what would be saved once blocked and manual
	// consumers move.
	BlockedMonthlySavings Money `json:"blockedMonthlySavings"`
	// ConnectorsMonthlyCost, NATsMonthlyCost and DNSMonthlyCost break the
	// figures down: the first two add up to CurrentMonthlyCost, the last is
	// the cost of the zones the target adds.
	ConnectorsMonthlyCost Money `json:"connectorsMonthlyCost"`
	NATsMonthlyCost       Money `json:"natsMonthlyCost"`
	DNSMonthlyCost        Money `json:"dnsMonthlyCost"`
	// UnpricedResources counts resources whose cost (or part of it) could
	// not be priced; each has an entry in Errors.
	UnpricedResources int `json:"unpricedResources"`
}

// PriceRef is one unit price a cost line used.
type PriceRef struct {
	Kind        string       `json:"kind"`
	Region      string       `json:"region"`
	Unit        string       `json:"unit"`
	UnitPrice   money.Amount `json:"unitPrice"`
	SKU         string       `json:"sku"`
	Description string       `json:"description"`
	// PerUnit is how much of this price one unit of the line uses (0.25
	// vCPU per e2-micro instance-hour, …), when known.
	PerUnit *money.Amount `json:"perUnit,omitempty"`
}

// CostLine is one priced figure: quantity × unit price = monthly. Every
// line names the price (SKU, source) and the usage figure it came from.
type CostLine struct {
	Description string       `json:"description"`
	Quantity    money.Amount `json:"quantity"`
	Unit        string       `json:"unit"`
	// UnitPrice is exact; nil when the line could not be priced.
	UnitPrice *money.Amount `json:"unitPrice"`
	// Monthly is UnitPrice × Quantity; nil when unpriced.
	Monthly     *Money     `json:"monthly"`
	SKU         string     `json:"sku"`
	PriceSource string     `json:"priceSource"`
	Usage       string     `json:"usage"`
	Prices      []PriceRef `json:"prices,omitempty"`
}

// Connector statuses.
const (
	ConnectorIdle             = "idle"
	ConnectorMigratable       = "migratable"
	ConnectorKept             = "kept"
	ConnectorUnknownConsumers = "unknown-consumers"
)

// Attribution methods.
const (
	AttributionEgressBytes = "egress-bytes"
	AttributionEven        = "even"
)

// Connector is one Serverless VPC Access connector, priced.
type Connector struct {
	ID             string `json:"id"`
	Project        string `json:"project"`
	Region         string `json:"region"`
	Name           string `json:"name"`
	Network        string `json:"network"`
	NetworkProject string `json:"networkProject"`
	MachineType    string `json:"machineType"`
	// Instances is what is paid for: the observed maximum when monitoring
	// gave one (InstancesSource "monitoring"), else MinInstances
	// ("minInstances").
	Instances       int        `json:"instances"`
	InstancesSource string     `json:"instancesSource"`
	MinInstances    int        `json:"minInstances"`
	MaxInstances    int        `json:"maxInstances"`
	CostLines       []CostLine `json:"costLines"`
	// MonthlyCost is nil when the connector could not be priced.
	MonthlyCost *Money   `json:"monthlyCost"`
	Consumers   []string `json:"consumers"`
	Status      string   `json:"status"`
	// KeptBy lists the consumers that cannot move (yet).
	KeptBy []string `json:"keptBy"`
	// UnknownProjects are connectedProjects whose consumers could not be
	// read.
	UnknownProjects []string `json:"unknownProjects"`
	// AttributionMethod is how its cost is split among its consumers.
	AttributionMethod     string `json:"attributionMethod"`
	MonthlySavings        Money  `json:"monthlySavings"`
	BlockedMonthlySavings Money  `json:"blockedMonthlySavings"`
	// NATs are the Cloud NAT gateways that translate its traffic.
	NATs []string `json:"nats"`
}

// NAT is one Cloud NAT gateway, priced, with the part that serverless
// traffic causes.
type NAT struct {
	ID      string `json:"id"`
	Project string `json:"project"`
	Region  string `json:"region"`
	Router  string `json:"router"`
	Name    string `json:"name"`
	Network string `json:"network"`
	// VMEndpoints is from the router status; nil when it could not be read.
	VMEndpoints *int `json:"vmEndpoints"`
	// ServerlessEndpoints is the instances of the connectors it serves.
	ServerlessEndpoints int `json:"serverlessEndpoints"`
	// OtherEndpoints is VMEndpoints − ServerlessEndpoints; nil when unknown.
	OtherEndpoints *int `json:"otherEndpoints"`
	// NATIPs is the number of external IPs it uses; nil when unknown.
	NATIPs *int `json:"natIps"`
	// StaticIPs is true when it uses reserved (manually allocated) IPs.
	StaticIPs bool `json:"staticIps"`
	// Connectors are the connectors whose subnets it translates.
	Connectors []string   `json:"connectors"`
	CostLines  []CostLine `json:"costLines"`
	// SavingLines show how MonthlySavings + BlockedMonthlySavings were
	// computed.
	SavingLines []CostLine `json:"savingLines"`
	// MonthlyCost is the sum of the priced lines; nil when none could be
	// priced.
	MonthlyCost           *Money `json:"monthlyCost"`
	ServesOnlyServerless  bool   `json:"servesOnlyServerless"`
	Removable             bool   `json:"removable"`
	MonthlySavings        Money  `json:"monthlySavings"`
	BlockedMonthlySavings Money  `json:"blockedMonthlySavings"`
	// Method says how the serverless share was computed.
	Method string `json:"method"`
}

// Consumer statuses.
const (
	ConsumerMigratable = "migratable"
	ConsumerBlocked    = "blocked"
	ConsumerManual     = "manual"
	ConsumerOnTarget   = "on-target"
	ConsumerDirectVPC  = "direct-vpc" // Direct VPC egress with ALL_TRAFFIC: no connector to remove
	ConsumerNoVPC      = "no-vpc"
)

// Consumer is one workload and what moving it saves.
type Consumer struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Project   string `json:"project"`
	Region    string `json:"region"`
	Name      string `json:"name"`
	Connector string `json:"connector"`
	Egress    string `json:"egress"`
	Ingress   string `json:"ingress"`
	Public    bool   `json:"public"`
	// Network is the VPC network (PROJECT/NETWORK) it uses or will use.
	Network string `json:"network"`
	Status  string `json:"status"`
	Blocker string `json:"blocker"`
	// AttributedConnectorMonthly is its share of its connector's cost
	// (what moving it frees, now or once blockers move); nil when the
	// connector is unpriced or not in the inventory.
	AttributedConnectorMonthly *Money `json:"attributedConnectorMonthly"`
	// AttributedNatMonthly is its share of the NAT cost serverless traffic
	// causes.
	AttributedNatMonthly  *Money `json:"attributedNatMonthly"`
	MonthlySavings        Money  `json:"monthlySavings"`
	BlockedMonthlySavings Money  `json:"blockedMonthlySavings"`
	AttributionMethod     string `json:"attributionMethod"`
	NatAttributionMethod  string `json:"natAttributionMethod"`
}

// DNS zone statuses.
const (
	ZoneNeeded   = "needed"
	ZoneExists   = "exists"
	ZoneConflict = "conflict"
)

// DNSZone is the run.app. private zone a VPC network needs, or has.
type DNSZone struct {
	Network string `json:"network"` // PROJECT/NETWORK
	Status  string `json:"status"`
	// Zone is the existing zone's ID, or the proposed one when needed.
	Zone         string     `json:"zone"`
	CostLines    []CostLine `json:"costLines"`
	MonthlyCost  *Money     `json:"monthlyCost"`
	ConflictWith []string   `json:"conflictWith"`
}

// Placement statuses.
const (
	PlacementOK       = "ok"
	PlacementNeedsPGA = "needs-pga"
	PlacementTooSmall = "too-small"
	PlacementNone     = "none"
	PlacementOverride = "override"
)

// Peak sources.
const (
	PeakMonitoring   = "monitoring"
	PeakMaxInstances = "maxInstances"
	PeakDefault      = "default"
)

// PlacementConsumer is one consumer counted in a placement's size.
type PlacementConsumer struct {
	ID            string `json:"id"`
	PeakInstances int    `json:"peakInstances"`
	// PeakSource is "monitoring" (observed peak), "maxInstances" (its
	// scaling limit) or "default" (Cloud Run's default limit of 100).
	PeakSource string `json:"peakSource"`
}

// Placement is the subnet Direct VPC egress would use for one network and
// region.
type Placement struct {
	Network             string              `json:"network"` // PROJECT/NETWORK
	Region              string              `json:"region"`
	Subnet              string              `json:"subnet"`
	SubnetProject       string              `json:"subnetProject"`
	SubnetID            string              `json:"subnetId"`
	IPCIDRRange         string              `json:"ipCidrRange"`
	NeededIPs           int                 `json:"neededIps"`
	AvailableIPs        int                 `json:"availableIps"`
	Prefix              int                 `json:"prefix"`
	PrivateGoogleAccess bool                `json:"privateGoogleAccess"`
	Status              string              `json:"status"`
	Consumers           []PlacementConsumer `json:"consumers"`
}

// Severities, most severe first.
const (
	SeverityBlocker = "blocker"
	SeverityHigh    = "high"
	SeverityMedium  = "medium"
	SeverityLow     = "low"
	SeverityInfo    = "info"
)

var severityRank = map[string]int{SeverityBlocker: 0, SeverityHigh: 1, SeverityMedium: 2, SeverityLow: 3, SeverityInfo: 4}

// Severities lists the severities, most severe first.
func Severities() []string {
	return []string{SeverityBlocker, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}
}

// Finding is one thing worth knowing, with a stable ID (CODE:resource).
type Finding struct {
	ID       string `json:"id"`
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Resource string `json:"resource"`
	Message  string `json:"message"`
	Fix      string `json:"fix"`
	// MonthlyImpact is the money at stake, when there is some.
	MonthlyImpact *Money `json:"monthlyImpact,omitempty"`
}

// Error is a figure the report could not compute: a price the book lacks,
// a usage figure that is missing. The resource's cost shows as unpriced.
type Error struct {
	Resource string `json:"resource"`
	Message  string `json:"message"`
}

// Report is the whole analysis.
type Report struct {
	SchemaVersion string          `json:"schemaVersion"`
	GeneratedAt   time.Time       `json:"generatedAt"`
	Scope         inventory.Scope `json:"scope"`
	// UsageWindowDays is the monitoring window usage figures cover.
	UsageWindowDays int                  `json:"usageWindowDays"`
	Prices          Prices               `json:"prices"`
	Summary         Summary              `json:"summary"`
	Connectors      []Connector          `json:"connectors"`
	NATs            []NAT                `json:"nats"`
	Consumers       []Consumer           `json:"consumers"`
	DNSZones        []DNSZone            `json:"dnsZones"`
	Placements      []Placement          `json:"placements"`
	Findings        []Finding            `json:"findings"`
	Coverage        []inventory.Coverage `json:"coverage"`
	Errors          []Error              `json:"errors"`
	Assumptions     []string             `json:"assumptions"`
}

// FindingsBySeverity groups the findings, most severe first (each group in
// ID order).
func (r *Report) FindingsBySeverity() map[string][]Finding {
	out := map[string][]Finding{}
	for _, f := range r.Findings {
		out[f.Severity] = append(out[f.Severity], f)
	}
	return out
}

// ResourceCostLines is a cost line with the resource it belongs to (for
// CSV and other flat views).
type ResourceCostLines struct {
	ResourceType string // connector, nat, dns-zone
	ResourceID   string
	Project      string
	Region       string
	Lines        []CostLine
}

// AllCostLines lists every current and target cost line, grouped by
// resource: connectors, NATs, then the DNS zones of the target.
func (r *Report) AllCostLines() []ResourceCostLines {
	var out []ResourceCostLines
	for _, c := range r.Connectors {
		out = append(out, ResourceCostLines{"connector", c.ID, c.Project, c.Region, c.CostLines})
	}
	for _, n := range r.NATs {
		out = append(out, ResourceCostLines{"nat", n.ID, n.Project, n.Region, n.CostLines})
	}
	for _, z := range r.DNSZones {
		if len(z.CostLines) == 0 {
			continue
		}
		project, _, _ := strings.Cut(z.Network, "/")
		out = append(out, ResourceCostLines{"dns-zone", z.Zone, project, "global", z.CostLines})
	}
	return out
}

func (f Finding) String() string { return fmt.Sprintf("[%s] %s: %s", f.Severity, f.ID, f.Message) }
