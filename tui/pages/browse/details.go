package browse

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/tui/estate"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/styles"
)

// link is where "related" leads from a resource: a tab narrowed to some
// rows, or one resource's details.
type link struct {
	label string // for the help: "its 5 consumers", "its connector"
	tab   Tab
	ids   []string // scope the tab to these
	open  string   // or open this resource
	scope string   // the scope's label
}

// detail is the content of a resource's detail pane.
type detail struct {
	kind, name string
	status     string
	fields     [][2]string
	costs      []analyzer.CostLine
	costTitle  string
	saving     []analyzer.CostLine
	extra      []section
	findings   []analyzer.Finding
	why        []string
	link       *link
}

type section struct {
	title string
	lines []string
}

// describe builds the detail of a resource; ok is false when the ID is
// not a resource the inventory tabs show.
func describe(e *estate.Estate, id string) (detail, bool) {
	if c, ok := e.Connectors[id]; ok {
		return describeConnector(e, c), true
	}
	if c, ok := e.Consumers[id]; ok {
		return describeConsumer(e, c), true
	}
	if n, ok := e.NATs[id]; ok {
		return describeNAT(e, n), true
	}
	return describeNetwork(e, id)
}

// linkFor is where "related" leads from a resource, without building its
// whole detail (the table asks on every frame).
func linkFor(e *estate.Estate, id string) *link {
	if c, ok := e.Connectors[id]; ok {
		if c.Rep != nil && len(c.Rep.Consumers) == 0 {
			return nil
		}
		return describeConnectorLink(c.Inv, e.ConsumersOf(id))
	}
	if c, ok := e.Consumers[id]; ok {
		return consumerLink(e, c.Inv)
	}
	if n, ok := e.NATs[id]; ok {
		if n.Rep == nil {
			return nil
		}
		return natLink(n.Inv, n.Rep)
	}
	if strings.Contains(id, "/networks/") {
		d, _ := describeNetwork(e, id)
		return d.link
	}
	return nil
}

func describeConnectorLink(c *inventory.Connector, consumers []string) *link {
	if len(consumers) == 0 {
		return nil
	}
	label := fmt.Sprintf("its %d consumers", len(consumers))
	if len(consumers) == 1 {
		label = "its consumer"
	}
	return &link{label: label, tab: TabConsumers, ids: consumers,
		scope: "consumers of connector " + c.Name}
}

func consumerLink(e *estate.Estate, c *inventory.Consumer) *link {
	if c.Connector == "" {
		return nil
	}
	if _, ok := e.Connectors[c.Connector]; !ok {
		return nil
	}
	return &link{label: "its connector " + estate.Last(c.Connector), tab: TabConnectors, open: c.Connector}
}

func natLink(n *inventory.NAT, r *analyzer.NAT) *link {
	if len(r.Connectors) == 0 {
		return nil
	}
	label := fmt.Sprintf("the %d connectors it serves", len(r.Connectors))
	if len(r.Connectors) == 1 {
		label = "the connector it serves"
	}
	return &link{label: label, tab: TabConnectors, ids: r.Connectors,
		scope: "connectors behind NAT " + n.Name}
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func describeConnector(e *estate.Estate, v *estate.Connector) detail {
	c := v.Inv
	d := detail{kind: "connector", name: c.Name, findings: e.FindingsFor(c.ID)}
	observed := "not read"
	if c.Usage != nil {
		observed = fmt.Sprintf("max %d, last %d instances (%s)", c.Usage.MaxInstances, c.Usage.LastInstances, dash(c.Usage.Metric))
	}
	d.fields = [][2]string{
		{"id", c.ID},
		{"project", c.Project}, {"region", c.Region},
		{"network", c.NetworkProject + "/" + c.Network},
		{"subnet", strings.Trim(c.SubnetProject+"/"+c.Subnet, "/")},
		{"ip range", c.IPCIDRRange},
		{"machine type", c.MachineType},
		{"instances", fmt.Sprintf("min %d, max %d", c.MinInstances, c.MaxInstances)},
		{"observed", observed},
		{"state", c.State},
		{"connected projects", strings.Join(c.ConnectedProjects, ", ")},
	}
	consumers := e.ConsumersOf(c.ID)
	if r := v.Rep; r != nil {
		d.status = r.Status
		d.fields = append(d.fields,
			[2]string{"paid instances", fmt.Sprintf("%d (from %s)", r.Instances, r.InstancesSource)},
			[2]string{"monthly cost", e.MoneyP(r.MonthlyCost)},
			[2]string{"saves", e.Money(r.MonthlySavings.Amount()) + "/mo now, " + e.Money(r.BlockedMonthlySavings.Amount()) + "/mo once blockers move"},
			[2]string{"cost split", r.AttributionMethod},
			[2]string{"NAT", names(e, r.NATs)},
		)
		d.costs, d.costTitle = r.CostLines, "Cost"
		d.why = append(d.why, connectorWhy(e, r)...)
	}
	var cl []string
	for _, id := range consumers {
		line := e.ShortName(id)
		if cv, ok := e.Consumers[id]; ok && cv.Rep != nil {
			line = fmt.Sprintf("%-22s %-12s %s", cv.Inv.Name, cv.Inv.Kind, cv.Rep.Status)
		}
		cl = append(cl, line)
	}
	if len(cl) == 0 {
		cl = []string{"none"}
	}
	d.extra = append(d.extra, section{title: fmt.Sprintf("Consumers (%d)", len(consumers)), lines: cl})
	d.link = describeConnectorLink(c, consumers)
	return d
}

func connectorWhy(e *estate.Estate, r *analyzer.Connector) []string {
	switch r.Status {
	case analyzer.ConnectorIdle:
		return []string{"No consumer uses it: it can be deleted now, which saves its whole cost (" + e.MoneyP(r.MonthlyCost) + "/mo)."}
	case analyzer.ConnectorMigratable:
		return []string{"Every consumer can move to Direct VPC egress; once they have, the connector is deleted and its cost saved."}
	case analyzer.ConnectorKept:
		return []string{"Kept: " + names(e, r.KeptBy) + " cannot move yet, so the connector stays until they do. " +
			e.Money(r.BlockedMonthlySavings.Amount()) + "/mo is saved once they move."}
	case analyzer.ConnectorUnknownConsumers:
		return []string{"Some connected projects could not be read (" + strings.Join(r.UnknownProjects, ", ") + "): it may have consumers vpcshift cannot see, so it is not deleted."}
	}
	return nil
}

func names(e *estate.Estate, ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = e.ShortName(id)
	}
	return strings.Join(out, ", ")
}

func describeConsumer(e *estate.Estate, v *estate.Consumer) detail {
	c := v.Inv
	d := detail{kind: string(c.Kind), name: c.Name, findings: e.FindingsFor(c.ID)}
	direct := ""
	if c.DirectVPC != nil {
		direct = strings.Trim(c.DirectVPC.Network+" "+c.DirectVPC.Subnetwork, " ")
		if len(c.DirectVPC.Tags) > 0 {
			direct += " tags " + strings.Join(c.DirectVPC.Tags, ",")
		}
	}
	var traffic []string
	for _, t := range c.Traffic {
		s := fmt.Sprintf("%d%% %s", t.Percent, firstNonEmpty(t.Revision, t.Type))
		if t.Tag != "" {
			s += " (tag " + t.Tag + ")"
		}
		traffic = append(traffic, s)
	}
	d.fields = [][2]string{
		{"id", c.ID},
		{"kind", string(c.Kind)}, {"project", c.Project}, {"region", c.Region},
		{"connector", c.Connector},
		{"direct vpc", direct},
		{"egress", c.Egress},
		{"ingress", c.Ingress},
		{"public", yes(c.Public)},
		{"invokers", strings.Join(c.Invokers, ", ")},
		{"url", c.URI},
		{"service account", c.ServiceAccount},
		{"revision", c.LatestReadyRevision},
		{"traffic", strings.Join(traffic, ", ")},
		{"max instances", maxInst(c)},
		{"calls", names(e, c.Calls)},
	}
	if c.UnderlyingService != "" {
		d.fields = append(d.fields, [2]string{"run service", c.UnderlyingService})
	}
	if c.Usage != nil {
		d.fields = append(d.fields, [2]string{"usage", fmt.Sprintf("peak %d instances, %s sent", c.Usage.PeakInstances, bytes(c.Usage.EgressBytes))})
	}
	if r := v.Rep; r != nil {
		d.status = r.Status
		d.fields = append(d.fields,
			[2]string{"network", r.Network},
			[2]string{"blocker", r.Blocker},
			[2]string{"connector share", e.MoneyP(r.AttributedConnectorMonthly) + "/mo (" + dash(r.AttributionMethod) + ")"},
			[2]string{"NAT share", e.MoneyP(r.AttributedNatMonthly) + "/mo (" + dash(r.NatAttributionMethod) + ")"},
			[2]string{"saves", e.Money(r.MonthlySavings.Amount()) + "/mo now, " + e.Money(r.BlockedMonthlySavings.Amount()) + "/mo once blockers move"},
		)
		d.why = consumerWhy(e, c, r)
	}
	d.link = consumerLink(e, c)
	return d
}

func maxInst(c *inventory.Consumer) string {
	if c.MaxInstances == 0 {
		return "default"
	}
	return fmt.Sprint(c.MaxInstances)
}

func consumerWhy(e *estate.Estate, c *inventory.Consumer, r *analyzer.Consumer) []string {
	var why []string
	switch r.Status {
	case analyzer.ConsumerMigratable:
		s := "It can move to Direct VPC egress with PRIVATE_RANGES_ONLY"
		if p := e.Placement(r.Network, c.Region); p != nil && p.Subnet != "" {
			s += fmt.Sprintf(" in subnet %s (%s, %s)", p.Subnet, p.IPCIDRRange, p.Status)
		}
		s += "; moving it frees " + e.Money(r.MonthlySavings.Amount()) + "/mo."
		why = append(why, s)
		if r.Egress == inventory.EgressAllTraffic {
			why = append(why, "Today it sends all traffic through the VPC; after the move only private ranges go to the VPC and Google APIs and run.app are reached through Private Google Access and the run.app. zone.")
		}
	case analyzer.ConsumerBlocked:
		why = append(why, "It cannot move: "+r.Blocker+".")
	case analyzer.ConsumerManual:
		why = append(why, "It needs a person: "+r.Blocker+".")
	case analyzer.ConsumerOnTarget:
		why = append(why, "It already uses Direct VPC egress with PRIVATE_RANGES_ONLY: nothing to do.")
	case analyzer.ConsumerDirectVPC:
		why = append(why, "It uses Direct VPC egress with ALL_TRAFFIC: there is no connector to remove.")
	case analyzer.ConsumerNoVPC:
		why = append(why, "It has no VPC access: nothing to migrate (listed for DNS and ingress findings).")
	}
	if p := e.Placement(r.Network, c.Region); p != nil && r.Status != analyzer.ConsumerOnTarget && p.Status != analyzer.PlacementOK {
		why = append(why, fmt.Sprintf("Its Direct VPC subnet in %s is %s: %s.", c.Region, p.Status, placementWhy(p)))
	}
	return why
}

func placementWhy(p *analyzer.Placement) string {
	switch p.Status {
	case analyzer.PlacementOK:
		return fmt.Sprintf("%s has room for the %d IPs needed and Private Google Access is on", p.Subnet, p.NeededIPs)
	case analyzer.PlacementNeedsPGA:
		return fmt.Sprintf("%s has room, but Private Google Access must be turned on (the plan does it)", p.Subnet)
	case analyzer.PlacementTooSmall:
		return fmt.Sprintf("%s has %d usable IPs and %d are needed; choose a larger subnet (--subnet %s=NAME) or create a /%d", p.Subnet, p.AvailableIPs, p.NeededIPs, p.Region, p.Prefix)
	case analyzer.PlacementNone:
		return fmt.Sprintf("no subnet in the network fits; create one of /%d or larger and pass --subnet %s=NAME", p.Prefix, p.Region)
	case analyzer.PlacementOverride:
		return "chosen with --subnet"
	}
	return p.Status
}

func bytes(n int64) string {
	const gib = 1 << 30
	if n >= gib {
		return fmt.Sprintf("%.1f GiB", float64(n)/gib)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func describeNAT(e *estate.Estate, v *estate.NAT) detail {
	n := v.Inv
	d := detail{kind: "Cloud NAT", name: n.Router + "/" + n.Name, findings: e.FindingsFor(n.ID)}
	src := n.SourceSubnetworkIPRangesToNat
	if len(n.Subnetworks) > 0 {
		src += ": " + strings.Join(n.Subnetworks, ", ")
	}
	vms := "not read"
	if n.Status != nil {
		vms = fmt.Sprint(n.Status.VMEndpointsWithNATMappings)
	}
	d.fields = [][2]string{
		{"id", n.ID}, {"project", n.Project}, {"region", n.Region}, {"router", n.Router}, {"network", n.Network},
		{"sources", src}, {"ip allocation", n.NatIPAllocateOption}, {"nat ips", strings.Join(n.NatIPs, ", ")},
		{"vm endpoints", vms},
	}
	if n.Usage != nil {
		d.fields = append(d.fields, [2]string{"traffic", fmt.Sprintf("%s sent, %s received, %s serverless", bytes(n.Usage.BytesSent), bytes(n.Usage.BytesReceived), bytes(n.Usage.ServerlessBytes))})
	}
	if r := v.Rep; r != nil {
		d.status = natStatus(r)
		d.fields = append(d.fields,
			[2]string{"serverless endpoints", fmt.Sprint(r.ServerlessEndpoints)},
			[2]string{"connectors", names(e, r.Connectors)},
			[2]string{"monthly cost", e.MoneyP(r.MonthlyCost)},
			[2]string{"saves", e.Money(r.MonthlySavings.Amount()) + "/mo now, " + e.Money(r.BlockedMonthlySavings.Amount()) + "/mo once blockers move"},
			[2]string{"method", r.Method},
		)
		d.costs, d.costTitle = r.CostLines, "Cost"
		d.saving = r.SavingLines
		switch {
		case r.Removable:
			d.why = append(d.why, "It serves only serverless traffic that the migration moves: it can be removed, which saves its whole cost.")
		case r.ServesOnlyServerless:
			d.why = append(d.why, "It serves only serverless traffic, but some of it cannot move yet: it stays until then.")
		case len(r.Connectors) > 0:
			d.why = append(d.why, "It also serves VMs or other traffic: it stays, and only the part serverless traffic causes is saved.")
		default:
			d.why = append(d.why, "It serves no connector subnet: the migration does not change it.")
		}
		d.link = natLink(n, r)
	}
	return d
}

func describeNetwork(e *estate.Estate, id string) (detail, bool) {
	s := e.Snap
	for i := range s.Networks {
		n := &s.Networks[i]
		if n.ID != id {
			continue
		}
		key := n.Project + "/" + n.Name
		d := detail{kind: typeNetwork, name: n.Name, findings: e.FindingsFor(id)}
		d.fields = [][2]string{{"id", n.ID}, {"project", n.Project}, {"routing mode", n.RoutingMode}, {"auto subnets", yes(n.AutoCreateSubnetworks)}}
		var subnets []string
		for j := range s.Subnets {
			if s.Subnets[j].NetworkProject+"/"+s.Subnets[j].Network == key {
				subnets = append(subnets, s.Subnets[j].ID)
			}
		}
		if z := e.RunAppZone(key); z != nil {
			d.status = "zone " + z.Status
			d.fields = append(d.fields, [2]string{"run.app zone", z.Zone + " (" + z.Status + ")"})
			d.costs, d.costTitle = z.CostLines, "Target cost (run.app. zone)"
		}
		for _, p := range e.Rep.Placements {
			if p.Network == key {
				d.why = append(d.why, fmt.Sprintf("Direct VPC subnet in %s: %s (%s): %s.", p.Region, dash(p.Subnet), p.Status, placementWhy(&p)))
			}
		}
		if len(subnets) > 0 {
			d.link = &link{label: fmt.Sprintf("its %d subnets", len(subnets)), tab: TabNetwork, ids: subnets, scope: "subnets of " + n.Name}
		}
		return d, true
	}
	for i := range s.Subnets {
		sn := &s.Subnets[i]
		if sn.ID != id {
			continue
		}
		d := detail{kind: typeSubnet, name: sn.Name, findings: e.FindingsFor(id)}
		d.fields = [][2]string{
			{"id", sn.ID}, {"project", sn.Project}, {"region", sn.Region}, {"network", sn.NetworkProject + "/" + sn.Network},
			{"range", sn.IPCIDRRange}, {"secondary", strings.Join(sn.SecondaryRanges, ", ")},
			{"private google access", yes(sn.PrivateIPGoogleAccess)}, {"purpose", sn.Purpose}, {"stack", sn.StackType},
			{"used by", names(e, sn.UsedBy)},
		}
		if p := e.Placement(sn.NetworkProject+"/"+sn.Network, sn.Region); p != nil && p.SubnetID == sn.ID {
			d.status = p.Status
			d.fields = append(d.fields, [2]string{"direct vpc", fmt.Sprintf("chosen for %s: %d IPs needed, %d available", sn.Region, p.NeededIPs, p.AvailableIPs)})
			d.why = append(d.why, "Direct VPC egress in "+sn.Region+" would use this subnet: "+placementWhy(p)+".")
			d.extra = append(d.extra, placementSection(e, p))
		}
		return d, true
	}
	for i := range e.Rep.Placements {
		p := &e.Rep.Placements[i]
		if placementID(p) != id {
			continue
		}
		d := detail{kind: typePlacement, name: p.Network + " " + p.Region, status: p.Status}
		d.fields = [][2]string{{"network", p.Network}, {"region", p.Region}, {"subnet", p.Subnet}, {"ips needed", fmt.Sprint(p.NeededIPs)}, {"prefix", fmt.Sprintf("/%d", p.Prefix)}}
		d.why = []string{placementWhy(p) + "."}
		d.extra = append(d.extra, placementSection(e, p))
		return d, true
	}
	for i := range s.Routes {
		r := &s.Routes[i]
		if r.ID != id {
			continue
		}
		d := detail{kind: typeRoute, name: r.Name, findings: e.FindingsFor(id)}
		d.fields = [][2]string{{"id", r.ID}, {"project", r.Project}, {"network", r.Network}, {"destination", r.DestRange},
			{"next hop", firstNonEmpty(r.NextHopGateway, r.NextHop)}, {"priority", fmt.Sprint(r.Priority)}, {"tags", strings.Join(r.Tags, ", ")}}
		return d, true
	}
	for i := range s.DNSZones {
		z := &s.DNSZones[i]
		if z.ID != id {
			continue
		}
		d := detail{kind: typeZone, name: z.Name, findings: e.FindingsFor(id)}
		d.fields = [][2]string{{"id", z.ID}, {"project", z.Project}, {"dns name", z.DNSName}, {"visibility", z.Visibility},
			{"networks", strings.Join(z.Networks, ", ")}, {"kind", z.Kind}}
		var recs []string
		for _, r := range z.Records {
			recs = append(recs, fmt.Sprintf("%s %s %d %s", r.Name, r.Type, r.TTL, strings.Join(r.RRDatas, " ")))
		}
		if len(recs) > 0 {
			d.extra = append(d.extra, section{title: fmt.Sprintf("Records (%d)", len(recs)), lines: recs})
		}
		for _, rz := range e.Rep.DNSZones {
			if rz.Zone == z.ID {
				d.status = "run.app " + rz.Status
				d.why = append(d.why, "This is the run.app. private zone of "+rz.Network+": the target needs nothing more here.")
				d.costs, d.costTitle = rz.CostLines, "Cost"
			}
			for _, c := range rz.ConflictWith {
				if c == z.ID {
					d.status = analyzer.ZoneConflict
					d.why = append(d.why, "It overrides part of run.app. for "+rz.Network+", so the run.app. zone the target needs would not answer for it: resolve it before the DNS stage.")
				}
			}
		}
		return d, true
	}
	for i := range e.Rep.DNSZones {
		z := &e.Rep.DNSZones[i]
		if runAppID(z) != id {
			continue
		}
		d := detail{kind: typeRunApp, name: estate.Last(z.Zone), status: z.Status, findings: e.FindingsFor(z.Zone)}
		d.fields = [][2]string{{"zone", z.Zone}, {"network", z.Network}, {"records", "*.run.app. A 199.36.153.8 199.36.153.9 199.36.153.10 199.36.153.11"},
			{"monthly cost", e.MoneyP(z.MonthlyCost)}, {"conflicts with", names(e, z.ConflictWith)}}
		d.costs, d.costTitle = z.CostLines, "Target cost"
		switch z.Status {
		case analyzer.ZoneNeeded:
			d.why = []string{"Consumers on " + z.Network + " move to PRIVATE_RANGES_ONLY: a private run.app. zone sends their calls to other Cloud Run services through Private Google Access (the plan creates it)."}
		case analyzer.ZoneConflict:
			d.why = []string{"A zone or response policy already answers for part of run.app. on " + z.Network + " (" + names(e, z.ConflictWith) + "): resolve that first; the plan stops until then."}
		}
		return d, true
	}
	for i := range s.ResponsePolicies {
		p := &s.ResponsePolicies[i]
		if p.ID != id {
			continue
		}
		d := detail{kind: typePolicy, name: p.Name, findings: e.FindingsFor(id)}
		d.fields = [][2]string{{"id", p.ID}, {"project", p.Project}, {"networks", strings.Join(p.Networks, ", ")}}
		var rules []string
		for _, r := range p.Rules {
			rules = append(rules, fmt.Sprintf("%s %s %s", r.Name, r.DNSName, dash(r.Behavior)))
		}
		d.extra = append(d.extra, section{title: "Rules", lines: rules})
		return d, true
	}
	return detail{}, false
}

func placementSection(e *estate.Estate, p *analyzer.Placement) section {
	var lines []string
	cs := append([]analyzer.PlacementConsumer(nil), p.Consumers...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	for _, c := range cs {
		lines = append(lines, fmt.Sprintf("%-24s peak %d (%s)", e.ShortName(c.ID), c.PeakInstances, c.PeakSource))
	}
	if len(lines) == 0 {
		lines = []string{"none"}
	}
	return section{title: fmt.Sprintf("Sized for (%d consumers, %d IPs)", len(cs), p.NeededIPs), lines: lines}
}

// render writes a detail in width cells.
func (d detail) render(st *styles.Styles, e *estate.Estate, width int) string {
	w := max(30, width-1)
	var b strings.Builder
	head := st.Title.Render(d.kind+" "+d.name) + "  "
	if d.status != "" {
		head += st.Status(d.status).Render("[" + d.status + "]")
	}
	b.WriteString(head)
	for _, l := range d.why {
		b.WriteString("\n" + layout.WrapIndent(st.Label.Render("why: ")+l, w, 5))
	}
	b.WriteString("\n\n")
	var fields [][2]string
	for _, f := range d.fields {
		if f[1] != "" {
			fields = append(fields, f)
		}
	}
	b.WriteString(layout.KeyValues(fields, w, st.Label, st.Value))
	heading := func(s string) { b.WriteString("\n\n" + st.Heading.Render(s) + "\n") }
	writeLines := func(lines []analyzer.CostLine) {
		for i, c := range lines {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(layout.WrapIndent("• "+c.Description, w, 2) + "\n")
			price := "unpriced"
			if c.UnitPrice != nil {
				price = c.UnitPrice.Exact()
			}
			monthly := "unpriced"
			if c.Monthly != nil {
				monthly = e.Money(c.Monthly.Amount())
			}
			b.WriteString(layout.WrapIndent(fmt.Sprintf("  %s %s × %s = %s/mo", c.Quantity.Exact(), c.Unit, price, st.Money.Render(monthly)), w, 4) + "\n")
			src := c.PriceSource
			if c.SKU != "" {
				src = "SKU " + c.SKU + " · " + src
			}
			b.WriteString(st.Muted.Render(layout.WrapIndent("  price: "+src, w, 4)))
			if c.Usage != "" {
				b.WriteString("\n" + st.Muted.Render(layout.WrapIndent("  usage: "+c.Usage, w, 4)))
			}
		}
	}
	if len(d.costs) > 0 {
		heading(d.costTitle)
		writeLines(d.costs)
	}
	if len(d.saving) > 0 {
		heading("Savings")
		writeLines(d.saving)
	}
	for _, s := range d.extra {
		heading(s.title)
		for i, l := range s.lines {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(layout.Truncate(l, w))
		}
	}
	heading(fmt.Sprintf("Findings (%d)", len(d.findings)))
	if len(d.findings) == 0 {
		b.WriteString(st.Muted.Render("none"))
	}
	for i, f := range d.findings {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(st.Severity(f.Severity).Render(strings.ToUpper(f.Severity)) + " " + f.Code)
		if f.MonthlyImpact != nil {
			b.WriteString(st.Muted.Render(" · " + e.Money(f.MonthlyImpact.Amount()) + "/mo at stake"))
		}
		b.WriteString("\n" + layout.WrapIndent("  "+f.Message, w, 2))
		if f.Fix != "" {
			b.WriteString("\n" + st.Good.Render(layout.WrapIndent("  fix: "+f.Fix, w, 4)))
		}
		b.WriteString("\n" + st.Muted.Render(layout.Truncate("  "+f.ID, w)))
	}
	return b.String()
}
