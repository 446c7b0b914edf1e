// Package estate is the inventory and its analysis as the screens read
// them: each resource of the snapshot joined with its line of the report
// and its findings, looked up by ID, and money written for people.
package estate

import (
	"sort"
	"strconv"
	"strings"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/money"
)

// Estate joins a snapshot and its report.
type Estate struct {
	Snap *inventory.Snapshot
	Rep  *analyzer.Report

	Connectors map[string]*Connector
	Consumers  map[string]*Consumer
	NATs       map[string]*NAT

	findings   map[string][]analyzer.Finding  // by resource ID
	placements map[string]*analyzer.Placement // network|region
	runApp     map[string]*analyzer.DNSZone   // by network PROJECT/NETWORK
}

// Connector is a connector with its report line.
type Connector struct {
	Inv *inventory.Connector
	Rep *analyzer.Connector // nil when the report lacks it
}

// Consumer is a consumer with its report line.
type Consumer struct {
	Inv *inventory.Consumer
	Rep *analyzer.Consumer
}

// NAT is a Cloud NAT gateway with its report line.
type NAT struct {
	Inv *inventory.NAT
	Rep *analyzer.NAT
}

// New joins a snapshot and a report (either may be empty, not nil).
func New(snap *inventory.Snapshot, rep *analyzer.Report) *Estate {
	if snap == nil {
		snap = &inventory.Snapshot{}
	}
	if rep == nil {
		rep = &analyzer.Report{}
	}
	e := &Estate{
		Snap:       snap,
		Rep:        rep,
		Connectors: make(map[string]*Connector, len(snap.Connectors)),
		Consumers:  make(map[string]*Consumer, len(snap.Consumers)),
		NATs:       make(map[string]*NAT, len(snap.NATs)),
		findings:   map[string][]analyzer.Finding{},
		placements: map[string]*analyzer.Placement{},
		runApp:     map[string]*analyzer.DNSZone{},
	}
	for i := range snap.Connectors {
		c := &snap.Connectors[i]
		e.Connectors[c.ID] = &Connector{Inv: c}
	}
	for i := range rep.Connectors {
		r := &rep.Connectors[i]
		if c, ok := e.Connectors[r.ID]; ok {
			c.Rep = r
		}
	}
	for i := range snap.Consumers {
		c := &snap.Consumers[i]
		e.Consumers[c.ID] = &Consumer{Inv: c}
	}
	for i := range rep.Consumers {
		r := &rep.Consumers[i]
		if c, ok := e.Consumers[r.ID]; ok {
			c.Rep = r
		}
	}
	for i := range snap.NATs {
		n := &snap.NATs[i]
		e.NATs[n.ID] = &NAT{Inv: n}
	}
	for i := range rep.NATs {
		r := &rep.NATs[i]
		if n, ok := e.NATs[r.ID]; ok {
			n.Rep = r
		}
	}
	for _, f := range rep.Findings {
		e.findings[f.Resource] = append(e.findings[f.Resource], f)
	}
	for i := range rep.Placements {
		p := &rep.Placements[i]
		e.placements[p.Network+"|"+p.Region] = p
	}
	for i := range rep.DNSZones {
		z := &rep.DNSZones[i]
		e.runApp[z.Network] = z
	}
	return e
}

// Currency is the report's currency (USD when unknown).
func (e *Estate) Currency() string {
	if e.Rep.Prices.Currency == "" {
		return "USD"
	}
	return e.Rep.Prices.Currency
}

// FindingsFor lists the findings about a resource.
func (e *Estate) FindingsFor(id string) []analyzer.Finding { return e.findings[id] }

// Placement is the Direct VPC subnet choice for a network (PROJECT/NETWORK)
// and region, nil when none was made.
func (e *Estate) Placement(network, region string) *analyzer.Placement {
	return e.placements[network+"|"+region]
}

// RunAppZone is the run.app. zone decision for a network (PROJECT/NETWORK).
func (e *Estate) RunAppZone(network string) *analyzer.DNSZone { return e.runApp[network] }

// ConsumersOf lists the IDs of a connector's consumers, sorted.
func (e *Estate) ConsumersOf(connectorID string) []string {
	if c, ok := e.Connectors[connectorID]; ok && c.Rep != nil && len(c.Rep.Consumers) > 0 {
		return c.Rep.Consumers // the report keeps them sorted
	}
	var out []string
	for id, c := range e.Consumers {
		if c.Inv.Connector == connectorID {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Gaps are the coverage entries that are not ok.
func (e *Estate) Gaps() []inventory.Coverage {
	src := e.Rep.Coverage
	if len(src) == 0 {
		src = e.Snap.Coverage
	}
	var out []inventory.Coverage
	for _, c := range src {
		if c.Status != inventory.CoverageOK {
			out = append(out, c)
		}
	}
	return out
}

// Money writes an amount for people: "$1,234.56" in USD, "1,234.56 EUR"
// otherwise.
func (e *Estate) Money(a money.Amount) string { return FormatMoney(a, e.Currency()) }

// MoneyP is Money for a nullable amount ("unpriced" for nil).
func (e *Estate) MoneyP(m *analyzer.Money) string {
	if m == nil {
		return "unpriced"
	}
	return e.Money(m.Amount())
}

// FormatMoney writes an amount with two decimals, thousands separators
// and the currency.
func FormatMoney(a money.Amount, currency string) string {
	s := a.Fixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	s = group(whole) + "." + frac
	switch currency {
	case "USD", "":
		s = "$" + s
	case "EUR":
		s = "€" + s
	case "GBP":
		s = "£" + s
	default:
		s += " " + currency
	}
	if neg {
		s = "-" + s
	}
	return s
}

func group(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	pre := len(digits) % 3
	b.WriteString(digits[:pre])
	for i := pre; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// Count writes n with thousands separators.
func Count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + group(s[1:])
	}
	return group(s)
}

// Last is the last path element of a resource name.
func Last(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// Float is a Money as a float, for sorting and charts only.
func Float(m *analyzer.Money) float64 {
	if m == nil {
		return -1
	}
	return m.Amount().Float64()
}

// ShortName is how a resource is named in lists: the consumer, connector
// or NAT name when the ID is one of those, else the last path element.
func (e *Estate) ShortName(id string) string {
	if c, ok := e.Consumers[id]; ok {
		return c.Inv.Name
	}
	if c, ok := e.Connectors[id]; ok {
		return c.Inv.Name
	}
	if n, ok := e.NATs[id]; ok {
		return n.Inv.Router + "/" + n.Inv.Name
	}
	return Last(id)
}
