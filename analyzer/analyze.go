// Package analyzer turns an inventory snapshot and a price book into a
// Report: what the connectors and Cloud NAT gateways cost, what moving their
// consumers to Direct VPC egress + Private Google Access + a run.app.
// private zone saves (per connector, per NAT and per consumer), what blocks
// it, and findings with stable IDs.
//
// Analyze is pure: no I/O, no clock (the time comes from Options.Now), and
// deterministic (every list is sorted). All money is exact (internal/money);
// it is rounded to cents only when written.
package analyzer

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/money"
	"github.com/vpcshift/vpcshift/internal/pricing"
)

// Defaults for Options fields left zero.
const (
	// DefaultDNSQueriesPerZoneMonth is the query volume assumed for each new
	// run.app. zone (an assumption, shown in the report).
	DefaultDNSQueriesPerZoneMonth = 1_000_000
	// DefaultMinSubnetPrefix is the smallest subnet Direct VPC egress
	// accepts: /26 (gcp-facts §4.1).
	DefaultMinSubnetPrefix = 26
	// DefaultIPsPerInstance is how many subnet IPs Direct VPC egress uses
	// per instance at steady state (gcp-facts §4.1: ≈ 2×).
	DefaultIPsPerInstance = 2
	// DefaultPeakInstances is Cloud Run's default maximum instance count,
	// used for sizing when neither monitoring nor a configured maximum says
	// more (gcp-facts §3.2: "default max 100").
	DefaultPeakInstances = 100
	// DefaultUsageWindowDays is assumed when the snapshot does not say
	// which window its usage figures cover.
	DefaultUsageWindowDays = 30
)

// Options tunes an analysis. Zero fields take the defaults above.
type Options struct {
	// Now is the report's generatedAt (Analyze reads no clock); zero means
	// the snapshot's collectedAt.
	Now time.Time
	// DNSQueriesPerZoneMonth is the query volume assumed per new zone.
	DNSQueriesPerZoneMonth int64
	// SubnetOverrides maps a region to the subnet name Direct VPC egress
	// should use there (--subnet), instead of the one vpcshift picks.
	SubnetOverrides map[string]string
	// MinSubnetPrefix is the longest prefix a Direct VPC subnet may have.
	MinSubnetPrefix int
	// IPsPerInstance is the subnet IPs needed per peak instance.
	IPsPerInstance int
}

// DefaultOptions returns the defaults.
func DefaultOptions() Options {
	return Options{
		DNSQueriesPerZoneMonth: DefaultDNSQueriesPerZoneMonth,
		MinSubnetPrefix:        DefaultMinSubnetPrefix,
		IPsPerInstance:         DefaultIPsPerInstance,
	}
}

func (o Options) normalised() Options {
	if o.DNSQueriesPerZoneMonth <= 0 {
		o.DNSQueriesPerZoneMonth = DefaultDNSQueriesPerZoneMonth
	}
	if o.MinSubnetPrefix <= 0 || o.MinSubnetPrefix > 32 {
		o.MinSubnetPrefix = DefaultMinSubnetPrefix
	}
	if o.IPsPerInstance <= 0 {
		o.IPsPerInstance = DefaultIPsPerInstance
	}
	return o
}

// consumerAPIs are the APIs whose consumers keep a connector alive.
var consumerAPIs = map[string]bool{
	"run.googleapis.com":            true,
	"cloudfunctions.googleapis.com": true,
	"appengine.googleapis.com":      true,
}

var errNoBook = errors.New("no price book")

type connState struct {
	in        *inventory.Connector
	out       Connector
	netKey    string
	hourly    money.Amount
	monthly   money.Amount
	priced    bool
	consumers []*consState
	// natNow and natBlocked are this connector's part of the NAT savings
	// (now, and once blockers move).
	natNow, natBlocked money.Amount
	natServed          bool
}

type consState struct {
	in      *inventory.Consumer
	out     Consumer
	conn    *connState
	netKey  string
	connAmt money.Amount
	natAmt  money.Amount
	// staticNATs are the NATs with static IPs its ALL_TRAFFIC egress uses.
	staticNATs []string
}

type analysis struct {
	snap       *inventory.Snapshot
	book       *pricing.Book
	opts       Options
	label      string
	windowDays int

	findings findingSet
	errors   []Error
	unpriced map[string]bool

	projByID     map[string]*inventory.Project
	projByNumber map[string]string
	coverage     map[string][]inventory.Coverage
	knownNets    map[string]bool

	conns    []*connState
	connByID map[string]*connState
	cons     []*consState
	nats     []NAT

	subnetByKey      map[string]*inventory.Subnet   // project|region|name
	subnetsByNetReg  map[string][]*inventory.Subnet // netKey|region
	connectorSubnets map[string]bool                // project|region|name
	dnsZones         []DNSZone
	placements       []Placement
	connsByNetRegion map[string][]*connState // netKey|region
	dnsZonesMonthly  money.Amount
}

// Analyze prices a snapshot with a book and says what the target pattern
// saves. It never fails: what it cannot price or read shows up in the
// report's errors, findings and coverage.
func Analyze(snap *inventory.Snapshot, book *pricing.Book, opts Options) *Report {
	if snap == nil {
		snap = &inventory.Snapshot{}
	}
	a := &analysis{snap: snap, book: book, opts: opts.normalised(), unpriced: map[string]bool{}}
	if book != nil {
		a.label = book.Label()
	}
	a.windowDays = snap.UsageWindowDays
	if a.windowDays <= 0 {
		a.windowDays = DefaultUsageWindowDays
	}
	a.index()
	a.priceConnectors()
	a.classifyConsumers()
	a.classifyConnectors()
	a.analyzeNATs()
	a.attribute()
	a.analyzeDNS()
	a.analyzeRoutes()
	a.analyzePlacements()
	a.consumerFindings()
	a.connectorFindings()
	a.coverageFindings()
	return a.report()
}

func (a *analysis) addError(resource, msg string) {
	a.errors = append(a.errors, Error{Resource: resource, Message: msg})
}

// priceError records a price the book lacks for a resource: an error, a
// price-missing finding, and the resource counted as unpriced.
func (a *analysis) priceError(resource, what string, err error) {
	msg := fmt.Sprintf("cannot price %s: %v", what, err)
	a.addError(resource, msg)
	a.unpriced[resource] = true
	a.findings.add(CodePriceMissing, SeverityHigh, resource, msg+"; shown as unpriced, not as zero",
		"refresh the price book (vpcshift prices refresh, or --prices live) or add the missing price to the snapshot", nil)
}

func (a *analysis) index() {
	s := a.snap
	a.projByID = map[string]*inventory.Project{}
	a.projByNumber = map[string]string{}
	for i := range s.Projects {
		p := &s.Projects[i]
		a.projByID[p.ID] = p
		if p.Number != "" {
			a.projByNumber[p.Number] = p.ID
		}
	}
	a.coverage = map[string][]inventory.Coverage{}
	for _, c := range s.Coverage {
		a.coverage[c.Project] = append(a.coverage[c.Project], c)
	}
	a.knownNets = map[string]bool{}
	for _, n := range s.Networks {
		a.knownNets[netKey(n.Project, n.Name)] = true
	}
	a.subnetByKey = map[string]*inventory.Subnet{}
	a.subnetsByNetReg = map[string][]*inventory.Subnet{}
	for i := range s.Subnets {
		sn := &s.Subnets[i]
		a.subnetByKey[sn.Project+"|"+sn.Region+"|"+sn.Name] = sn
		k := subnetNetKey(sn)
		a.knownNets[k] = true
		a.subnetsByNetReg[k+"|"+sn.Region] = append(a.subnetsByNetReg[k+"|"+sn.Region], sn)
	}
	for k := range a.subnetsByNetReg {
		l := a.subnetsByNetReg[k]
		sort.Slice(l, func(i, j int) bool { return l[i].ID < l[j].ID })
	}

	conns := make([]*connState, 0, len(s.Connectors))
	a.connByID = make(map[string]*connState, len(s.Connectors))
	a.connectorSubnets = map[string]bool{}
	a.connsByNetRegion = map[string][]*connState{}
	for i := range s.Connectors {
		c := &s.Connectors[i]
		cs := &connState{in: c, netKey: netKey(connectorNetProject(c), inventory.LastSegment(c.Network))}
		conns = append(conns, cs)
		a.connByID[c.ID] = cs
		if c.Subnet != "" {
			proj, name := parseRef(c.Subnet, firstNonEmpty(c.SubnetProject, connectorNetProject(c)))
			a.connectorSubnets[proj+"|"+c.Region+"|"+name] = true
		}
	}
	sort.Slice(conns, func(i, j int) bool { return conns[i].in.ID < conns[j].in.ID })
	a.conns = conns
	for _, cs := range conns {
		k := cs.netKey + "|" + cs.in.Region
		a.connsByNetRegion[k] = append(a.connsByNetRegion[k], cs)
	}
}

func subnetNetKey(sn *inventory.Subnet) string {
	proj, name := parseRef(sn.Network, firstNonEmpty(sn.NetworkProject, sn.Project))
	return netKey(proj, name)
}

func connectorNetProject(c *inventory.Connector) string {
	return firstNonEmpty(c.NetworkProject, c.SubnetProject, c.Project)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// --- connectors ------------------------------------------------------------

func (a *analysis) machineHourly(machineType, region string) (money.Amount, []pricing.Price, error) {
	if a.book == nil {
		return money.Zero, nil, errNoBook
	}
	return a.book.MachineHourly(machineType, region)
}

func (a *analysis) lookup(kind pricing.Kind, region string) (pricing.Price, error) {
	if a.book == nil {
		return pricing.Price{}, errNoBook
	}
	return a.book.Lookup(kind, region)
}

// shape is the billed size of a machine type, to show how its hourly price
// is made (pricing.Book.MachineHourly is the authority for the price).
func shape(machineType string) (vcpu, gib money.Amount, ok bool) {
	switch mt := strings.ToLower(strings.TrimSpace(machineType)); mt {
	case "e2-micro":
		return money.FromFrac(1, 4), money.FromInt(1), true
	case "e2-small":
		return money.FromFrac(1, 2), money.FromInt(2), true
	case "e2-medium":
		return money.FromInt(1), money.FromInt(4), true
	default:
		var n int64
		if _, err := fmt.Sscanf(mt, "e2-standard-%d", &n); err == nil && fmt.Sprintf("e2-standard-%d", n) == mt {
			return money.FromInt(n), money.FromInt(4 * n), true
		}
	}
	return money.Zero, money.Zero, false
}

func priceRefs(machineType string, prices []pricing.Price) []PriceRef {
	vcpu, gib, ok := shape(machineType)
	out := make([]PriceRef, 0, len(prices))
	for _, p := range prices {
		r := PriceRef{Kind: string(p.Kind), Region: p.Region, Unit: p.Unit, UnitPrice: p.UnitPrice, SKU: p.SKU, Description: p.Description}
		switch {
		case p.Kind == pricing.F1MicroHour:
			r.PerUnit = amt(money.FromInt(1))
		case ok && p.Kind == pricing.E2CoreHour:
			r.PerUnit = amt(vcpu)
		case ok && p.Kind == pricing.E2RAMGiBHour:
			r.PerUnit = amt(gib)
		}
		out = append(out, r)
	}
	return out
}

func joinSKUs(prices []pricing.Price) string {
	var skus []string
	for _, p := range prices {
		if p.SKU != "" {
			skus = append(skus, p.SKU)
		}
	}
	return strings.Join(skus, "+")
}

func (a *analysis) priceConnectors() {
	for _, cs := range a.conns {
		c := cs.in
		out := Connector{
			ID: c.ID, Project: c.Project, Region: c.Region, Name: c.Name,
			Network: inventory.LastSegment(c.Network), NetworkProject: connectorNetProject(c),
			MachineType: c.MachineType, MinInstances: c.MinInstances, MaxInstances: c.MaxInstances,
			Consumers: []string{}, KeptBy: []string{}, UnknownProjects: []string{}, NATs: []string{},
		}
		inst, src := c.MinInstances, "minInstances"
		usage := fmt.Sprintf("minInstances %d: no Cloud Monitoring instance count, and a connector runs at least its minimum", c.MinInstances)
		if c.Usage != nil && c.Usage.MaxInstances > 0 {
			inst, src = c.Usage.MaxInstances, "monitoring"
			metric := firstNonEmpty(c.Usage.Metric, "vpcaccess.googleapis.com/connector/instances")
			usage = fmt.Sprintf("max of %s over %d days: %d (connectors scale out and do not scale back in)", metric, a.windowDays, inst)
		}
		out.Instances, out.InstancesSource = inst, src
		qty := money.FromInt(int64(inst) * money.HoursPerMonth)
		line := CostLine{
			Description: fmt.Sprintf("%d × %s connector instance × %d h", inst, c.MachineType, money.HoursPerMonth),
			Quantity:    qty, Unit: "h", PriceSource: a.label, Usage: usage,
		}
		hourly, prices, err := a.machineHourly(c.MachineType, c.Region)
		if err != nil {
			a.priceError(c.ID, fmt.Sprintf("connector %s (%s in %s)", c.Name, c.MachineType, c.Region), err)
		} else {
			m := hourly.Mul(qty)
			line.UnitPrice = amt(hourly)
			line.Monthly = mp(m)
			line.SKU = joinSKUs(prices)
			line.Prices = priceRefs(c.MachineType, prices)
			if vcpu, gib, ok := shape(c.MachineType); ok && len(prices) == 2 {
				line.Description += fmt.Sprintf(" (%s vCPU × %s + %s GiB × %s per hour)",
					vcpu.Exact(), prices[0].UnitPrice.Exact(), gib.Exact(), prices[1].UnitPrice.Exact())
			}
			cs.hourly, cs.monthly, cs.priced = hourly, m, true
			out.MonthlyCost = mp(m)
		}
		out.CostLines = []CostLine{line}
		cs.out = out
	}
}

// --- consumers -------------------------------------------------------------

const (
	blockerGen1      = "Direct VPC egress is not available for 1st gen functions"
	blockerAppEngine = "App Engine standard: Direct VPC egress needs a redeploy with app.yaml changes; vpcshift cannot switch a version in place"
)

func (a *analysis) classifyConsumers() {
	s := a.snap
	cons := make([]*consState, 0, len(s.Consumers))
	for i := range s.Consumers {
		c := &s.Consumers[i]
		cs := &consState{in: c}
		out := Consumer{
			ID: c.ID, Kind: string(c.Kind), Project: c.Project, Region: c.Region, Name: c.Name,
			Connector: c.Connector, Egress: c.Egress, Ingress: c.Ingress, Public: c.Public,
			AttributionMethod: "none", NatAttributionMethod: "none",
		}
		switch {
		case c.Connector != "":
			if conn := a.connByID[c.Connector]; conn != nil {
				cs.conn = conn
				cs.netKey = conn.netKey
			} else {
				a.addError(c.ID, fmt.Sprintf("uses connector %s, which is not in the inventory (another project, out of scope?): its cost is not counted", c.Connector))
			}
			switch c.Kind {
			case inventory.KindFunction1:
				out.Status, out.Blocker = ConsumerBlocked, blockerGen1
			case inventory.KindAppEngine:
				out.Status, out.Blocker = ConsumerManual, blockerAppEngine
			default:
				out.Status = ConsumerMigratable
			}
		case c.DirectVPC != nil:
			cs.netKey = a.directVPCNetwork(c)
			if c.Egress == inventory.EgressPrivateRangesOnly {
				out.Status = ConsumerOnTarget
			} else {
				out.Status = ConsumerDirectVPC
			}
		default:
			out.Status = ConsumerNoVPC
		}
		out.Network = cs.netKey
		cs.out = out
		cons = append(cons, cs)
	}
	sort.Slice(cons, func(i, j int) bool { return cons[i].in.ID < cons[j].in.ID })
	a.cons = cons
	for _, cs := range cons {
		if cs.conn != nil {
			cs.conn.consumers = append(cs.conn.consumers, cs)
		}
	}
}

// directVPCNetwork is the PROJECT/NETWORK a Direct VPC consumer uses.
func (a *analysis) directVPCNetwork(c *inventory.Consumer) string {
	ni := c.DirectVPC
	def := c.Project
	if ni.Network == "" && ni.Subnetwork != "" {
		proj, name := parseRef(ni.Subnetwork, def)
		region := firstNonEmpty(regionOf(ni.Subnetwork), c.Region)
		if sn := a.subnetByKey[proj+"|"+region+"|"+name]; sn != nil {
			return subnetNetKey(sn)
		}
		if p := a.projByID[c.Project]; p != nil && p.SharedVPCHost != "" && projectOf(ni.Subnetwork) == "" {
			if sn := a.subnetByKey[p.SharedVPCHost+"|"+region+"|"+name]; sn != nil {
				return subnetNetKey(sn)
			}
		}
		return "" // the subnet is not in the inventory: its network is unknown
	}
	proj, name := parseRef(ni.Network, def)
	if projectOf(ni.Network) == "" && !a.knownNets[netKey(proj, name)] {
		// A bare network name in a Shared VPC service project names the
		// host's network.
		if p := a.projByID[c.Project]; p != nil && p.SharedVPCHost != "" && a.knownNets[netKey(p.SharedVPCHost, name)] {
			proj = p.SharedVPCHost
		}
	}
	return netKey(proj, name)
}

// readable reports whether a project's consumers could be read, and why not.
func (a *analysis) readable(project string) (bool, string) {
	id := project
	if _, ok := a.projByID[id]; !ok {
		if n, ok := a.projByNumber[project]; ok {
			id = n
		} else {
			return false, "not in scope"
		}
	}
	var why []string
	for _, c := range a.coverage[id] {
		if consumerAPIs[c.API] && c.Status != inventory.CoverageOK {
			why = append(why, c.API+" "+c.Status)
		}
	}
	if len(why) > 0 {
		return false, strings.Join(why, ", ")
	}
	return true, ""
}

func (a *analysis) classifyConnectors() {
	for _, cs := range a.conns {
		out := &cs.out
		var reasons []string
		for _, p := range sortedCopy(cs.in.ConnectedProjects) {
			if ok, why := a.readable(p); !ok {
				out.UnknownProjects = append(out.UnknownProjects, p)
				reasons = append(reasons, p+" ("+why+")")
			}
		}
		for _, c := range cs.consumers {
			out.Consumers = append(out.Consumers, c.in.ID)
			if c.out.Status == ConsumerBlocked || c.out.Status == ConsumerManual {
				out.KeptBy = append(out.KeptBy, c.in.ID)
			}
		}
		switch {
		case len(out.UnknownProjects) > 0:
			out.Status = ConnectorUnknownConsumers
		case len(cs.consumers) == 0:
			out.Status = ConnectorIdle
		case len(out.KeptBy) > 0:
			out.Status = ConnectorKept
		default:
			out.Status = ConnectorMigratable
		}
		if cs.priced {
			switch out.Status {
			case ConnectorIdle, ConnectorMigratable:
				out.MonthlySavings = M(cs.monthly)
			case ConnectorKept:
				out.BlockedMonthlySavings = M(cs.monthly)
			}
		}
		out.AttributionMethod = "none"
		if len(cs.consumers) > 0 {
			_, out.AttributionMethod = egressWeights(cs.consumers)
		}
		if len(reasons) > 0 {
			var impact *money.Amount
			if cs.priced {
				impact = amt(cs.monthly)
			}
			a.findings.add(CodeConnectorUnknownConsumers, SeverityHigh, cs.in.ID,
				fmt.Sprintf("connectedProjects names %s, whose consumers could not be read: vpcshift will not call it removable", strings.Join(reasons, ", ")),
				"grant vpcshift read access (roles/run.viewer, roles/cloudfunctions.viewer, roles/appengine.appViewer) in those projects or add them to the scope, then re-run", impact)
		}
	}
}

func sortedCopy(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}

// egressWeights returns the observed egress bytes of consumers as weights
// when every one of them has a monitoring figure and they are not all zero
// (method egress-bytes), else nil (method even).
func egressWeights(cons []*consState) ([]int64, string) {
	w := make([]int64, len(cons))
	var sum int64
	for i, c := range cons {
		u := c.in.Usage
		if u == nil || u.EgressBytes < 0 {
			return nil, AttributionEven
		}
		w[i] = u.EgressBytes
		sum += u.EgressBytes
	}
	if sum <= 0 {
		return nil, AttributionEven
	}
	return w, AttributionEgressBytes
}

// split divides total exactly by weights (evenly when weights is nil): the
// parts always add up to total.
func split(total money.Amount, weights []int64, n int) []money.Amount {
	out := make([]money.Amount, n)
	if n == 0 {
		return out
	}
	if weights == nil {
		part := total.DivInt(int64(n))
		for i := range out {
			out[i] = part
		}
		return out
	}
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if sum == 0 {
		return split(total, nil, n)
	}
	per := total.DivInt(sum)
	for i, w := range weights {
		out[i] = per.MulInt(w)
	}
	return out
}

// attribute shares each connector's cost and its part of NAT savings among
// its consumers, exactly.
func (a *analysis) attribute() {
	for _, cs := range a.conns {
		if len(cs.consumers) == 0 {
			continue
		}
		weights, method := egressWeights(cs.consumers)
		var connParts, natParts []money.Amount
		removable := cs.out.Status == ConnectorMigratable || cs.out.Status == ConnectorKept
		if cs.priced && removable {
			connParts = split(cs.monthly, weights, len(cs.consumers))
		}
		natTotal := cs.natNow.Add(cs.natBlocked)
		if cs.natServed && removable {
			natParts = split(natTotal, weights, len(cs.consumers))
		}
		for i, c := range cs.consumers {
			o := &c.out
			switch {
			case !cs.priced:
				o.AttributedConnectorMonthly = nil // unpriced connector
			case !removable:
				o.AttributedConnectorMonthly = mp(money.Zero)
			default:
				c.connAmt = connParts[i]
				o.AttributedConnectorMonthly = mp(c.connAmt)
				o.AttributionMethod = method
			}
			o.AttributedNatMonthly = mp(money.Zero)
			if natParts != nil {
				c.natAmt = natParts[i]
				o.AttributedNatMonthly = mp(c.natAmt)
				o.NatAttributionMethod = method
			}
			total := c.connAmt.Add(c.natAmt)
			switch cs.out.Status {
			case ConnectorMigratable:
				o.MonthlySavings = M(total)
			case ConnectorKept:
				o.BlockedMonthlySavings = M(total)
			}
		}
	}
	for _, c := range a.cons {
		if c.conn == nil {
			if c.out.AttributedNatMonthly == nil {
				c.out.AttributedNatMonthly = mp(money.Zero)
			}
			if c.in.Connector == "" {
				c.out.AttributedConnectorMonthly = mp(money.Zero)
			}
		}
	}
}

// --- findings on consumers, connectors, coverage ----------------------------

func (a *analysis) consumerFindings() {
	for _, c := range a.cons {
		in, o := c.in, &c.out
		if c.conn != nil && in.Egress == inventory.EgressAllTraffic {
			a.findings.add(CodeConsumerAllTraffic, SeverityLow, in.ID,
				fmt.Sprintf("%s sends all egress, internet included, through connector %s", in.Name, c.conn.in.Name),
				"move it to Direct VPC egress with PRIVATE_RANGES_ONLY: internet traffic then leaves from Google's IPs without a connector or Cloud NAT; keep ALL_TRAFFIC (on Direct VPC) only if it needs a fixed egress IP", nil)
		}
		if len(c.staticNATs) > 0 {
			var share *money.Amount
			if c.natAmt.Sign() > 0 {
				share = amt(c.natAmt)
			}
			a.findings.add(CodeNATStaticEgressIP, SeverityHigh, in.ID,
				fmt.Sprintf("%s sends internet traffic through connector %s and Cloud NAT %s, which uses static IPs: with Direct VPC egress and PRIVATE_RANGES_ONLY it would leave from Google's IPs instead", in.Name, connName(c), strings.Join(c.staticNATs, ", ")),
				"if a partner allow-lists those IPs, keep the NAT and move this consumer with Direct VPC egress ALL_TRAFFIC on a subnet the NAT serves (its NAT share is then not saved); otherwise accept Google's egress IPs", share)
		}
		impact := func() *money.Amount {
			if c.conn == nil || !c.conn.priced {
				return nil
			}
			return amt(c.conn.monthly.Add(c.conn.natBlocked))
		}
		switch o.Status {
		case ConsumerBlocked:
			a.findings.add(CodeConsumerCannotMove, SeverityBlocker, in.ID,
				fmt.Sprintf("%s cannot use Direct VPC egress (%s), so connector %s stays", in.Name, blockerGen1, connName(c)),
				"upgrade it to Cloud Run functions (2nd gen) with Direct VPC egress, then remove the connector", impact())
		case ConsumerManual:
			a.findings.add(CodeConsumerManualMove, SeverityMedium, in.ID,
				fmt.Sprintf("%s keeps connector %s until it is redeployed with Direct VPC egress", in.Name, connName(c)),
				"redeploy the App Engine standard version with Direct VPC egress (network and subnet in app.yaml instead of vpc_access_connector), then remove the connector", impact())
		case ConsumerOnTarget:
			a.findings.add(CodeOnTarget, SeverityInfo, in.ID,
				fmt.Sprintf("%s already uses Direct VPC egress with PRIVATE_RANGES_ONLY", in.Name),
				"nothing to move; keep Private Google Access on its subnet and the run.app. zone on its network", nil)
		}
		if in.Ingress == inventory.IngressAll && in.Public {
			a.findings.add(CodePublicService, SeverityMedium, in.ID,
				fmt.Sprintf("%s has ingress all and allUsers/allAuthenticatedUsers may invoke it: the run.app. zone does not make it private", in.Name),
				"if it should be internal, set ingress to internal (or internal-and-cloud-load-balancing) and remove the public invoker binding; otherwise nothing to do", nil)
		}
	}
}

func connName(c *consState) string {
	if c.conn != nil {
		return c.conn.in.Name
	}
	return inventory.LastSegment(c.in.Connector)
}

func (a *analysis) connectorFindings() {
	for _, cs := range a.conns {
		c, o := cs.in, &cs.out
		var cost *money.Amount
		if cs.priced {
			cost = amt(cs.monthly)
		}
		switch o.Status {
		case ConnectorIdle:
			a.findings.add(CodeConnectorIdle, SeverityMedium, c.ID,
				fmt.Sprintf("no consumer uses connector %s (%s), yet it bills %d × %s", c.Name, c.Region, o.Instances, c.MachineType),
				fmt.Sprintf("delete it: gcloud compute networks vpc-access connectors delete %s --region %s --project %s", c.Name, c.Region, c.Project), cost)
		case ConnectorMigratable:
			a.findings.add(CodeConnectorMigratable, SeverityInfo, c.ID,
				fmt.Sprintf("%s of connector %s can move to Direct VPC egress, then it can be deleted", allConsumers(len(cs.consumers)), c.Name),
				"run vpcshift plan: move each consumer (canary first), then delete the connector", cost)
		case ConnectorKept:
			a.findings.add(CodeConnectorKept, SeverityMedium, c.ID,
				fmt.Sprintf("connector %s stays while %s cannot move", c.Name, joinNames(o.KeptBy)),
				"move the other consumers now; remove the connector once the blocked ones are upgraded or redeployed", cost)
		}
		if c.Usage != nil && c.Usage.MaxInstances > c.MinInstances {
			var excess *money.Amount
			if cs.priced {
				excess = amt(cs.hourly.MulInt(int64(c.Usage.MaxInstances-c.MinInstances) * money.HoursPerMonth))
			}
			a.findings.add(CodeConnectorScaledOut, SeverityLow, c.ID,
				fmt.Sprintf("connector %s scaled out to %d instances (minimum %d) and connectors do not scale back in", c.Name, c.Usage.MaxInstances, c.MinInstances),
				"migrate its consumers to Direct VPC egress; if it must stay, recreate it to drop back to its minimum", excess)
		}
	}
}

func joinNames(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = inventory.LastSegment(id)
	}
	return strings.Join(names, ", ")
}

var apiLeavesOut = map[string]string{
	"run.googleapis.com":            "Cloud Run services, jobs and worker pools (connector consumers, ingress, invokers)",
	"cloudfunctions.googleapis.com": "functions (connector consumers)",
	"appengine.googleapis.com":      "App Engine standard versions (connector consumers)",
	"vpcaccess.googleapis.com":      "Serverless VPC Access connectors and their cost",
	"compute.googleapis.com":        "networks, subnets, routes, Cloud NAT and addresses",
	"dns.googleapis.com":            "private zones and response policies (run.app. conflicts)",
	"monitoring.googleapis.com":     "usage: connector instance counts fall back to minInstances, peaks to maxInstances, NAT bytes and egress are missing (attribution is even)",
}

func coverageSeverity(api, status string) string {
	switch {
	case consumerAPIs[api] || api == "vpcaccess.googleapis.com" || api == "compute.googleapis.com":
		if status == inventory.CoverageDisabled {
			return SeverityMedium
		}
		return SeverityHigh
	case api == "monitoring.googleapis.com":
		return SeverityMedium
	case api == "dns.googleapis.com":
		if status == inventory.CoverageDisabled {
			return SeverityLow
		}
		return SeverityMedium
	}
	return SeverityLow
}

func (a *analysis) coverageFindings() {
	for _, c := range a.sortedCoverage() {
		if c.Status == inventory.CoverageOK {
			continue
		}
		what := c.Status
		switch {
		case c.Status == inventory.CoverageDenied && c.Permission != "":
			what = "denied: " + c.Permission
		case c.Detail != "":
			what += ": " + c.Detail
		}
		leaves := firstNonEmpty(c.LeavesOut, apiLeavesOut[c.API], "what that API would have shown")
		fix := c.Fix
		if fix == "" {
			switch c.Status {
			case inventory.CoverageDisabled:
				fix = fmt.Sprintf("if the project uses it: gcloud services enable %s --project %s", c.API, c.Project)
			case inventory.CoverageDenied:
				fix = fmt.Sprintf("grant the identity vpcshift runs as a role with %s in %s (e.g. roles/viewer)", firstNonEmpty(c.Permission, "read access"), c.Project)
			default:
				fix = "re-run; if it persists, check the error detail"
			}
		}
		a.findings.add(CodeCoverageGap, coverageSeverity(c.API, c.Status), "projects/"+c.Project+"/services/"+c.API,
			fmt.Sprintf("%s in %s could not be read (%s): the report lacks %s", c.API, c.Project, what, leaves), fix, nil)
	}
}

func (a *analysis) sortedCoverage() []inventory.Coverage {
	out := append([]inventory.Coverage{}, a.snap.Coverage...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Project != out[j].Project {
			return out[i].Project < out[j].Project
		}
		return out[i].API < out[j].API
	})
	return out
}

// --- the report ------------------------------------------------------------

func (a *analysis) report() *Report {
	s := a.snap
	r := &Report{
		SchemaVersion: SchemaVersion,
		GeneratedAt:   a.opts.Now.UTC(),
		Scope: inventory.Scope{
			Projects: append([]string(nil), s.Scope.Projects...), Org: s.Scope.Org,
			Folder: s.Scope.Folder, Regions: append([]string(nil), s.Scope.Regions...),
		},
		UsageWindowDays: a.windowDays,
		Connectors:      make([]Connector, 0, len(a.conns)),
		NATs:            a.nats,
		Consumers:       make([]Consumer, 0, len(a.cons)),
		DNSZones:        a.dnsZones,
		Placements:      a.placements,
		Coverage:        a.sortedCoverage(),
	}
	if a.opts.Now.IsZero() {
		r.GeneratedAt = s.CollectedAt.UTC()
	}
	if a.book != nil {
		r.Prices = Prices{Source: a.book.Source(), Date: a.book.Date(), Currency: a.book.Currency(), Label: a.book.Label()}
	} else {
		a.addError("prices", "no price book: nothing is priced")
	}
	var connCost, natCost, saveNow, blocked money.Amount
	for _, cs := range a.conns {
		r.Connectors = append(r.Connectors, cs.out)
		if cs.priced {
			connCost = connCost.Add(cs.monthly)
		}
		saveNow = saveNow.Add(cs.out.MonthlySavings.Amount())
		blocked = blocked.Add(cs.out.BlockedMonthlySavings.Amount())
	}
	for _, n := range a.nats {
		if n.MonthlyCost != nil {
			natCost = natCost.Add(n.MonthlyCost.Amount())
		}
		saveNow = saveNow.Add(n.MonthlySavings.Amount())
		blocked = blocked.Add(n.BlockedMonthlySavings.Amount())
	}
	for _, c := range a.cons {
		r.Consumers = append(r.Consumers, c.out)
	}
	current := connCost.Add(natCost)
	savings := saveNow.Sub(a.dnsZonesMonthly)
	r.Summary = Summary{
		CurrentMonthlyCost:    M(current),
		TargetMonthlyCost:     M(current.Sub(savings)),
		MonthlySavings:        M(savings),
		AnnualSavings:         M(savings.MulInt(12)),
		BlockedMonthlySavings: M(blocked),
		ConnectorsMonthlyCost: M(connCost),
		NATsMonthlyCost:       M(natCost),
		DNSMonthlyCost:        M(a.dnsZonesMonthly),
		UnpricedResources:     len(a.unpriced),
	}
	if savings.Sign() < 0 {
		a.findings.add(CodeNegativeSavings, SeverityLow, "summary",
			fmt.Sprintf("the target costs %s a month more than today: the run.app. zone(s) it adds (%s) cost more than what can be removed now (%s)",
				savings.Neg().Fixed(2), a.dnsZonesMonthly.Fixed(2), saveNow.Fixed(2)),
			"nothing to remove now; the zone is what the target pattern costs (it replaces per-service DNS workarounds)", amt(savings))
	}
	r.Findings = a.findings.sorted()
	sort.SliceStable(a.errors, func(i, j int) bool {
		if a.errors[i].Resource != a.errors[j].Resource {
			return a.errors[i].Resource < a.errors[j].Resource
		}
		return a.errors[i].Message < a.errors[j].Message
	})
	r.Errors = append([]Error{}, a.errors...)
	r.Assumptions = a.assumptionTexts()
	if r.NATs == nil {
		r.NATs = []NAT{}
	}
	if r.DNSZones == nil {
		r.DNSZones = []DNSZone{}
	}
	if r.Placements == nil {
		r.Placements = []Placement{}
	}
	if r.Coverage == nil {
		r.Coverage = []inventory.Coverage{}
	}
	return r
}

func (a *analysis) assumptionTexts() []string {
	o := a.opts
	out := []string{
		fmt.Sprintf("A month is %d hours: every hourly price is multiplied by %d.", money.HoursPerMonth, money.HoursPerMonth),
		"Prices are on-demand list prices from the price book named in prices; no committed-use or sustained-use discounts.",
		fmt.Sprintf("Usage figures cover the last %d days of Cloud Monitoring and are scaled to a 730-hour month (× 730 / %d h).", a.windowDays, a.windowDays*24),
		"Connector instances: the maximum observed over the window (connectors scale out and do not scale back in), else minInstances.",
		fmt.Sprintf("Each new run.app. private zone is assumed to answer %s queries a month (--dns-queries); zone and query tiers are applied after the %d zone(s) already in the inventory.", groupDigits(o.DNSQueriesPerZoneMonth), len(a.snap.DNSZones)),
		"An existing run.app. zone that already answers *.run.app. with 199.36.153.8/30 is already paid for: it is left out of both current and target cost.",
		"Savings assume consumers move to Direct VPC egress with PRIVATE_RANGES_ONLY; internet traffic then leaves from Google's IPs, not through Cloud NAT.",
		"Cloud NAT uptime saved = cost(all VMs) − cost(VMs that stay), so the 32-VM cap is handled; NAT data processing saved is the serverless bytes (method per NAT); NAT IPs are saved only when the gateway can be removed.",
		"Connector and NAT savings are attributed to consumers by their observed egress bytes when monitoring gives them for every consumer of the connector, else evenly.",
		fmt.Sprintf("Direct VPC egress subnets: %d IPs per peak instance, /%d or larger; peak = observed peak instances, else the configured maximum, else %d (Cloud Run's default maximum).", o.IPsPerInstance, o.MinSubnetPrefix, DefaultPeakInstances),
	}
	if a.snap.UsageWindowDays <= 0 {
		out = append(out, fmt.Sprintf("The snapshot does not say which window its usage covers; %d days assumed.", DefaultUsageWindowDays))
	}
	return out
}

func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func allConsumers(n int) string {
	if n == 1 {
		return "the only consumer"
	}
	return fmt.Sprintf("all %d consumers", n)
}
