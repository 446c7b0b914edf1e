package migrate

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/money"
)

// Defaults for PlanOptions fields left zero.
const (
	DefaultTag              = "vpcshift"
	DefaultCanarySoak       = 5 * time.Minute
	DefaultDecommissionSoak = 24 * time.Hour
)

// DefaultTrafficSteps are the percentages a service's traffic moves
// through when PlanOptions.TrafficSteps is empty.
func DefaultTrafficSteps() []int { return []int{10, 50, 100} }

// The target pattern's fixed values (gcp-facts §5, §6.2).
const (
	// PrivateVIPRange is private.googleapis.com over IPv4.
	PrivateVIPRange = "199.36.153.8/30"
	// PrivateVIP6 is private.googleapis.com over IPv6 (the AAAA record of
	// dual-stack networks).
	PrivateVIP6 = "2600:2d00:0002:2000::"
	// DefaultInternetGateway is the next hop of the VIP route.
	DefaultInternetGateway = "default-internet-gateway"
	// RunAppDNSName is the private zone's DNS name; WildcardRunApp its
	// only record name.
	RunAppDNSName  = "run.app."
	WildcardRunApp = "*.run.app."
	// RecordTTL is the TTL of the records vpcshift creates.
	RecordTTL = 300
	// VIPRoutePriority is the priority of the route vpcshift creates.
	VIPRoutePriority = 1000
	// ZoneDescription is the description of the zones vpcshift creates.
	ZoneDescription = "vpcshift: *.run.app through private.googleapis.com (199.36.153.8/30)"
)

// PrivateVIPs are the four addresses of 199.36.153.8/30.
func PrivateVIPs() []string {
	return []string{"199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"}
}

// PlanOptions are the choices a plan is made with. Zero fields take the
// defaults above.
type PlanOptions struct {
	// Now stamps the plan (CreatedAt); zero means the snapshot's
	// collectedAt. NewPlan reads no clock.
	Now time.Time
	// TrafficSteps are the percentages a service's traffic moves through,
	// increasing, each in 1..100; 100 is added when missing.
	TrafficSteps []int
	// Tag is the revision tag the new revision is deployed under.
	Tag string
	// CanarySoak is how long each traffic step is watched.
	CanarySoak time.Duration
	// DecommissionSoak is how long to wait after the last consumer of a
	// connector moved before deleting it.
	DecommissionSoak time.Duration
	// Subnets are --subnet REGION=NAME choices (the analysis must have
	// been made with the same overrides: its placements say which subnet
	// each region uses).
	Subnets map[string]string
	// Live is true when the plan is made against Google: preflight then
	// validates each consumer's target configuration server-side.
	Live bool
}

var tagRE = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

// normalised checks the options and fills the defaults.
func (o PlanOptions) normalised() (PlanOptions, error) {
	if len(o.TrafficSteps) == 0 {
		o.TrafficSteps = DefaultTrafficSteps()
	} else {
		o.TrafficSteps = append([]int(nil), o.TrafficSteps...)
	}
	prev := 0
	for _, p := range o.TrafficSteps {
		if p < 1 || p > 100 {
			return o, fmt.Errorf("traffic steps must be percentages from 1 to 100, not %d", p)
		}
		if p <= prev {
			return o, fmt.Errorf("traffic steps must increase (%v)", o.TrafficSteps)
		}
		prev = p
	}
	if prev != 100 {
		o.TrafficSteps = append(o.TrafficSteps, 100)
	}
	if o.Tag == "" {
		o.Tag = DefaultTag
	}
	// A tag becomes TAG---SERVICE-HASH in a 63-character DNS label.
	if !tagRE.MatchString(o.Tag) || len(o.Tag) > 40 {
		return o, fmt.Errorf("tag %q: use lower-case letters, digits and dashes, starting with a letter, at most 40 characters", o.Tag)
	}
	if o.CanarySoak < 0 || o.DecommissionSoak < 0 {
		return o, errors.New("soak periods cannot be negative")
	}
	if o.CanarySoak == 0 {
		o.CanarySoak = DefaultCanarySoak
	}
	if o.DecommissionSoak == 0 {
		o.DecommissionSoak = DefaultDecommissionSoak
	}
	if len(o.Subnets) == 0 {
		o.Subnets = nil
	}
	return o, nil
}

// NewPlan turns an inventory and its analysis into a staged migration
// plan. It is pure and deterministic: the same inputs give a plan whose
// JSON is byte for byte the same. A plan that blockers stop is still a
// plan (and not an error): its Blockers say what stops it and how to
// resolve it, and every stage past preflight waits for them.
func NewPlan(snap *inventory.Snapshot, rep *analyzer.Report, opts PlanOptions) (*Plan, error) {
	if snap == nil || rep == nil {
		return nil, errors.New("a plan needs an inventory and its analysis")
	}
	o, err := opts.normalised()
	if err != nil {
		return nil, err
	}
	pl := newPlanner(snap, rep, o)
	pl.decide()
	p := &Plan{
		FormatVersion: FormatVersion,
		CreatedAt:     o.Now.UTC(),
		Scope:         snap.Scope,
		Options: Options{
			TrafficSteps:     o.TrafficSteps,
			Tag:              o.Tag,
			CanarySoak:       Duration(o.CanarySoak),
			DecommissionSoak: Duration(o.DecommissionSoak),
			Subnets:          o.Subnets,
			Live:             o.Live,
		},
	}
	if o.Now.IsZero() {
		p.CreatedAt = snap.CollectedAt.UTC()
	}
	p.Blockers = pl.blockers
	if p.Blockers == nil {
		p.Blockers = []Blocker{}
	}
	p.Stages = []Stage{
		pl.preflightStage(),
		pl.networkStage(),
		pl.dnsStage(),
		pl.servicesStage(),
		pl.decommissionStage(),
	}
	for i := range p.Stages {
		if p.Stages[i].Steps == nil {
			p.Stages[i].Steps = []Step{}
		}
	}
	p.Source = pl.source()
	p.Summary = pl.summary(p)
	return p, nil
}

// planner holds the indexes and decisions NewPlan works from.
type planner struct {
	snap *inventory.Snapshot
	rep  *analyzer.Report
	opts PlanOptions

	consumers   map[string]*inventory.Consumer
	repCons     map[string]*analyzer.Consumer
	connectors  map[string]*inventory.Connector
	repConns    map[string]*analyzer.Connector
	repNATs     map[string]*analyzer.NAT
	placements  map[string]*analyzer.Placement // network|region
	findings    map[string]analyzer.Finding
	subnetByKey map[string]*inventory.Subnet // project|region|name
	zonesByID   map[string]*inventory.DNSZone

	blockers []Blocker
	// moves are the consumers the plan moves, callees before callers.
	moves []*move
	// held are consumers on a connector that the plan does not move, with
	// the reason.
	held map[string]string
	// heldByPlacement are the placements (network|region) whose consumers
	// wait for --subnet.
	heldPlacements []*analyzer.Placement
	// networks are the VPC networks (PROJECT/NETWORK) the network and DNS
	// stages work on.
	networks map[string]bool
	// stopped is true when a blocker stops the plan.
	stopped bool

	// Step IDs the later stages depend on.
	pgaStep   map[string]string // subnet ID → step ID
	routeStep map[string]string // network key → step ID
	zoneStep  map[string]string // network key → step ID
	grantStep map[string]string // project|subnet ID → step ID
	validate  map[string]string // consumer ID → step ID
	lastStep  map[string]string // consumer ID → its last step ID
	firstStep map[string]string // consumer ID → its first step ID

	// deleted are the connectors the decommission stage deletes.
	deleted map[string]bool
	// touched are the resource IDs the plan changes or relies on.
	touched map[string]bool
	// deltas are the monthly cost changes of the steps, exact.
	deltas []money.Amount
}

// move is one consumer the plan moves to Direct VPC egress.
type move struct {
	c         *inventory.Consumer
	rc        *analyzer.Consumer
	conn      *inventory.Connector
	network   string // PROJECT/NETWORK
	subnet    *inventory.Subnet
	placement *analyzer.Placement
	// previous is the revision serving 100% (services).
	previous string
	// otherTags are the 0% tagged entries of the service's traffic, kept.
	otherTags []inventory.TrafficTarget
}

func newPlanner(snap *inventory.Snapshot, rep *analyzer.Report, o PlanOptions) *planner {
	pl := &planner{
		snap: snap, rep: rep, opts: o,
		consumers:   map[string]*inventory.Consumer{},
		repCons:     map[string]*analyzer.Consumer{},
		connectors:  map[string]*inventory.Connector{},
		repConns:    map[string]*analyzer.Connector{},
		repNATs:     map[string]*analyzer.NAT{},
		placements:  map[string]*analyzer.Placement{},
		findings:    map[string]analyzer.Finding{},
		subnetByKey: map[string]*inventory.Subnet{},
		zonesByID:   map[string]*inventory.DNSZone{},
		held:        map[string]string{},
		networks:    map[string]bool{},
		pgaStep:     map[string]string{},
		routeStep:   map[string]string{},
		zoneStep:    map[string]string{},
		grantStep:   map[string]string{},
		validate:    map[string]string{},
		lastStep:    map[string]string{},
		firstStep:   map[string]string{},
		deleted:     map[string]bool{},
		touched:     map[string]bool{},
	}
	for i := range snap.Consumers {
		pl.consumers[snap.Consumers[i].ID] = &snap.Consumers[i]
	}
	for i := range rep.Consumers {
		pl.repCons[rep.Consumers[i].ID] = &rep.Consumers[i]
	}
	for i := range snap.Connectors {
		pl.connectors[snap.Connectors[i].ID] = &snap.Connectors[i]
	}
	for i := range rep.Connectors {
		pl.repConns[rep.Connectors[i].ID] = &rep.Connectors[i]
	}
	for i := range rep.NATs {
		pl.repNATs[rep.NATs[i].ID] = &rep.NATs[i]
	}
	for i := range rep.Placements {
		p := &rep.Placements[i]
		pl.placements[p.Network+"|"+p.Region] = p
	}
	for _, f := range rep.Findings {
		pl.findings[f.ID] = f
	}
	for i := range snap.Subnets {
		sn := &snap.Subnets[i]
		pl.subnetByKey[sn.Project+"|"+sn.Region+"|"+sn.Name] = sn
	}
	for i := range snap.DNSZones {
		pl.zonesByID[snap.DNSZones[i].ID] = &snap.DNSZones[i]
	}
	return pl
}

// decide makes every decision the stages render: blockers, which
// consumers move and in which order, which networks change, which
// connectors go.
func (pl *planner) decide() {
	pl.consumerBlockers()
	pl.connectorBlockers()
	pl.placementBlockers()
	var moves []*move
	for _, rc := range pl.rep.Consumers {
		c := pl.consumers[rc.ID]
		if c == nil {
			continue
		}
		switch rc.Status {
		case analyzer.ConsumerOnTarget:
			if rc.Network != "" {
				pl.networks[rc.Network] = true
			}
			continue
		case analyzer.ConsumerMigratable:
		default:
			continue
		}
		if _, held := pl.held[c.ID]; held {
			continue
		}
		m, why := pl.newMove(c, pl.repCons[rc.ID])
		if m == nil {
			pl.hold(c.ID, why)
			continue
		}
		moves = append(moves, m)
	}
	pl.moves = orderMoves(moves)
	for _, m := range pl.moves {
		pl.networks[m.network] = true
		pl.touch(m.c.ID, m.conn.ID, m.subnet.ID)
	}
	pl.coverageBlockers()
	pl.dnsBlockers()
	for _, b := range pl.blockers {
		if b.StopsPlan {
			pl.stopped = true
		}
	}
	pl.chooseDeletions()
	sort.SliceStable(pl.blockers, func(i, j int) bool {
		a, b := pl.blockers[i], pl.blockers[j]
		if a.StopsPlan != b.StopsPlan {
			return a.StopsPlan
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.ID < b.ID
	})
}

func (pl *planner) touch(ids ...string) {
	for _, id := range ids {
		if id != "" {
			pl.touched[id] = true
		}
	}
}

// hold keeps a consumer where it is, with the reason (the first reason
// given wins).
func (pl *planner) hold(id, why string) {
	if _, ok := pl.held[id]; !ok {
		pl.held[id] = why
	}
}

// newMove works out where a migratable consumer goes, or why it cannot.
func (pl *planner) newMove(c *inventory.Consumer, rc *analyzer.Consumer) (*move, string) {
	switch c.Kind {
	case inventory.KindService, inventory.KindJob, inventory.KindWorkerPool, inventory.KindFunction:
	default:
		return nil, fmt.Sprintf("vpcshift cannot move a %s", c.Kind)
	}
	conn := pl.connectors[c.Connector]
	if conn == nil || rc.Network == "" {
		pl.blockers = append(pl.blockers, Blocker{
			Resource: c.ID,
			Reason:   fmt.Sprintf("%s uses connector %s, which is not in the inventory: its VPC network, and so the subnet to move it to, are unknown", c.Name, c.Connector),
			Fix:      fmt.Sprintf("add the connector's project (%s) to the scope (--project), then run vpcshift plan again", inventory.NameSegment(c.Connector, "projects")),
		})
		return nil, "its connector is not in the inventory"
	}
	pla := pl.placements[rc.Network+"|"+conn.Region]
	if pla == nil || pla.SubnetID == "" {
		return nil, "no Direct VPC subnet in " + conn.Region
	}
	sn := pl.subnetByKey[pla.SubnetProject+"|"+pla.Region+"|"+pla.Subnet]
	if sn == nil {
		return nil, "subnet " + pla.SubnetID + " is not in the inventory"
	}
	m := &move{c: c, rc: rc, conn: conn, network: rc.Network, subnet: sn, placement: pla}
	if c.Kind == inventory.KindService {
		prev, others, why := servingRevision(c, pl.opts.Tag)
		if why != "" {
			pl.blockers = append(pl.blockers, Blocker{
				Resource: c.ID,
				Reason:   fmt.Sprintf("%s: %s", c.Name, why),
				Fix: fmt.Sprintf("finish or undo that rollout first (e.g. %s), then run vpcshift plan again",
					shellJoin("gcloud", "run", "services", "update-traffic", c.Name, "--region", c.Region, "--project", c.Project, "--to-latest")),
			})
			return nil, why
		}
		m.previous, m.otherTags = prev, others
	}
	return m, ""
}

// servingRevision finds the one revision serving 100% of a service, and
// the tagged entries at 0% to keep; why says what prevents a canary.
func servingRevision(c *inventory.Consumer, tag string) (prev string, others []inventory.TrafficTarget, why string) {
	traffic := c.Traffic
	if len(traffic) == 0 {
		traffic = []inventory.TrafficTarget{{Type: "LATEST", Percent: 100}}
	}
	for _, t := range traffic {
		if t.Tag == tag {
			return "", nil, fmt.Sprintf("its traffic already has a tag %q (on %s): choose another tag with --tag", tag, firstNonEmpty(t.Revision, "LATEST"))
		}
		switch {
		case t.Percent == 100:
			if prev != "" {
				return "", nil, "its traffic targets are inconsistent"
			}
			prev = t.Revision
			if t.Type == "LATEST" || prev == "" {
				prev = c.LatestReadyRevision
			}
			if t.Tag != "" {
				others = append(others, inventory.TrafficTarget{Type: "REVISION", Revision: prev, Percent: 0, Tag: t.Tag})
			}
		case t.Percent == 0 && t.Tag != "" && t.Type != "LATEST" && t.Revision != "":
			others = append(others, inventory.TrafficTarget{Type: "REVISION", Revision: t.Revision, Percent: 0, Tag: t.Tag})
		case t.Percent == 0:
		default:
			var parts []string
			for _, t := range traffic {
				parts = append(parts, fmt.Sprintf("%s %d%%", firstNonEmpty(t.Revision, "LATEST"), t.Percent))
			}
			return "", nil, "its traffic is split between revisions (" + strings.Join(parts, ", ") + "), and a canary needs 100% on one revision"
		}
	}
	if prev == "" {
		return "", nil, "no ready revision serves its traffic"
	}
	return prev, others, ""
}

// orderMoves puts callees before callers (Consumer.Calls), otherwise by
// ID; a cycle is broken at the smallest ID.
func orderMoves(moves []*move) []*move {
	byID := map[string]*move{}
	for _, m := range moves {
		byID[m.c.ID] = m
	}
	// deps[x] = the moving consumers x calls.
	indeg := map[string]int{}
	callers := map[string][]string{}
	for _, m := range moves {
		indeg[m.c.ID] += 0
		seen := map[string]bool{}
		for _, callee := range m.c.Calls {
			if byID[callee] == nil || callee == m.c.ID || seen[callee] {
				continue
			}
			seen[callee] = true
			indeg[m.c.ID]++
			callers[callee] = append(callers[callee], m.c.ID)
		}
	}
	var out []*move
	done := map[string]bool{}
	for len(out) < len(moves) {
		var ready []string
		for id, d := range indeg {
			if d == 0 && !done[id] {
				ready = append(ready, id)
			}
		}
		if len(ready) == 0 { // a cycle: take the smallest ID left
			for id := range indeg {
				if !done[id] {
					ready = append(ready, id)
				}
			}
			sort.Strings(ready)
			ready = ready[:1]
		}
		sort.Strings(ready)
		id := ready[0]
		done[id] = true
		out = append(out, byID[id])
		for _, caller := range callers[id] {
			indeg[caller]--
		}
	}
	return out
}

// chooseDeletions decides which connectors the decommission stage
// deletes: idle ones, and migratable ones whose every consumer moves.
func (pl *planner) chooseDeletions() {
	moving := map[string]bool{}
	for _, m := range pl.moves {
		moving[m.c.ID] = true
	}
	for _, rc := range pl.rep.Connectors {
		switch rc.Status {
		case analyzer.ConnectorIdle:
			pl.deleted[rc.ID] = true
		case analyzer.ConnectorMigratable:
			all := len(rc.Consumers) > 0
			for _, id := range rc.Consumers {
				if !moving[id] {
					all = false
				}
			}
			if all {
				pl.deleted[rc.ID] = true
			}
		}
	}
	for id := range pl.deleted {
		pl.touch(id)
	}
}

// source is the fingerprint over what the plan touches or relies on.
func (pl *planner) source() Source {
	for net := range pl.networks {
		for _, r := range pl.snap.Routes {
			if netKeyOf(r.Network, r.Project) == net {
				pl.touch(r.ID)
			}
		}
		for _, z := range pl.snap.DNSZones {
			for _, n := range z.Networks {
				if netKeyOf(n, z.Project) == net {
					pl.touch(z.ID)
				}
			}
		}
		for _, rp := range pl.snap.ResponsePolicies {
			for _, n := range rp.Networks {
				if netKeyOf(n, rp.Project) == net {
					pl.touch(rp.ID)
				}
			}
		}
	}
	var res []inventory.ResourceVersion
	for _, v := range pl.snap.Versions() {
		if pl.touched[v.ID] {
			res = append(res, v)
		}
	}
	if res == nil {
		res = []inventory.ResourceVersion{}
	}
	projects := make([]string, 0, len(pl.snap.Projects))
	for _, p := range pl.snap.Projects {
		projects = append(projects, p.ID)
	}
	sort.Strings(projects)
	return Source{Fingerprint: inventory.Fingerprint(res), Resources: res, Prices: pl.rep.Prices.Label, Projects: projects}
}

// summary states what the plan changes in money: the sum of its steps'
// monthly deltas is the plan's saving; what the analysis saves beyond it
// (consumers the plan holds back) counts as blocked.
func (pl *planner) summary(p *Plan) Summary {
	rs := pl.rep.Summary
	var delta money.Amount
	for _, d := range pl.deltas {
		delta = delta.Add(d)
	}
	savings := delta.Neg()
	current := rs.CurrentMonthlyCost.Amount()
	blocked := rs.BlockedMonthlySavings.Amount().Add(rs.MonthlySavings.Amount().Sub(savings))
	if blocked.Sign() < 0 {
		blocked = money.Zero
	}
	s := Summary{
		CurrentMonthlyCost:    current.Fixed(2),
		TargetMonthlyCost:     current.Sub(savings).Fixed(2),
		MonthlySavings:        savings.Fixed(2),
		AnnualSavings:         savings.MulInt(12).Fixed(2),
		BlockedMonthlySavings: blocked.Fixed(2),
		Currency:              firstNonEmpty(pl.rep.Prices.Currency, "USD"),
		ConsumersMoved:        len(pl.moves),
	}
	for _, rc := range pl.rep.Consumers {
		switch rc.Status {
		case analyzer.ConsumerBlocked, analyzer.ConsumerManual:
			s.ConsumersBlocked++
		case analyzer.ConsumerMigratable:
			if _, ok := pl.held[rc.ID]; ok {
				s.ConsumersBlocked++
			}
		}
	}
	return s
}

// --- small helpers --------------------------------------------------------

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// netKeyOf turns a network reference (name, PROJECT/NETWORK, resource
// name or URL) into PROJECT/NETWORK, with def as the project of a bare
// name.
func netKeyOf(ref, def string) string {
	if p := inventory.NameSegment(ref, "projects"); p != "" {
		return p + "/" + inventory.LastSegment(ref)
	}
	if i := strings.Index(ref, "/"); i >= 0 {
		return ref
	}
	return def + "/" + ref
}

func splitNetKey(key string) (project, network string) {
	project, network, _ = strings.Cut(key, "/")
	return project, network
}

func networkName(key string) string {
	p, n := splitNetKey(key)
	return "projects/" + p + "/global/networks/" + n
}

func subnetName(sn *inventory.Subnet) string {
	return "projects/" + sn.Project + "/regions/" + sn.Region + "/subnetworks/" + sn.Name
}

// subnetNetKey is the PROJECT/NETWORK of a subnet.
func subnetNetKey(sn *inventory.Subnet) string {
	return netKeyOf(sn.Network, firstNonEmpty(sn.NetworkProject, sn.Project))
}

func moneyOf(m *analyzer.Money) money.Amount {
	if m == nil {
		return money.Zero
	}
	return m.Amount()
}

// deltaString writes a monthly change as a signed decimal ("-18.34",
// "0.60"), "" when zero.
func deltaString(a money.Amount) string {
	if a.Sign() == 0 {
		return ""
	}
	return a.Fixed(2)
}

// Short writes a duration without zero units: "5m", "24h", "1h30m".
func (d Duration) Short() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func short(d time.Duration) string { return Duration(d).Short() }
