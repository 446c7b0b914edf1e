package browse

import (
	"fmt"
	"strings"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/tui/components/table"
	"github.com/vpcshift/vpcshift/tui/estate"
	"github.com/vpcshift/vpcshift/tui/layout"
)

// Tab is one inventory tab.
type Tab int

// The tabs, in order.
const (
	TabConnectors Tab = iota
	TabConsumers
	TabNATs
	TabNetwork
	numTabs
)

var tabTitles = [numTabs]string{"Connectors", "Consumers", "Cloud NAT", "Network & DNS"}

func (t Tab) String() string {
	if t >= 0 && t < numTabs {
		return tabTitles[t]
	}
	return "?"
}

// Row types of the Network & DNS tab.
const (
	typeNetwork   = "network"
	typeSubnet    = "subnet"
	typeRoute     = "route"
	typeZone      = "dns zone"
	typeRunApp    = "run.app zone"
	typePolicy    = "response policy"
	typePlacement = "direct-vpc subnet"
)

// placementID names a placement that has no subnet (so no subnet row).
func placementID(p *analyzer.Placement) string { return "placement:" + p.Network + "|" + p.Region }

// runAppID names a run.app. zone the target needs.
func runAppID(z *analyzer.DNSZone) string { return "runapp:" + z.Network }

func columns(t Tab) []table.Column {
	money := func(title string) table.Column {
		return table.Column{Title: title, Align: layout.Right, Numeric: true, Min: 9}
	}
	switch t {
	case TabConnectors:
		return []table.Column{
			{Title: "NAME", Min: 8}, {Title: "PROJECT", Min: 8, Hide: 3}, {Title: "REGION", Min: 8}, {Title: "NETWORK", Min: 8, Hide: 4},
			{Title: "MACHINE", Min: 6, Hide: 2}, {Title: "INST", Align: layout.Right, Numeric: true, Min: 4, Hide: 1},
			{Title: "USERS", Align: layout.Right, Numeric: true, Min: 5}, {Title: "STATUS", Status: true, Min: 10},
			money("COST/MO"), money("SAVES/MO"),
		}
	case TabConsumers:
		return []table.Column{
			{Title: "NAME", Min: 10}, {Title: "KIND", Min: 7}, {Title: "PROJECT", Min: 8, Hide: 2}, {Title: "REGION", Min: 8},
			{Title: "CONNECTOR", Min: 8}, {Title: "EGRESS", Min: 7, Hide: 1}, {Title: "INGRESS", Min: 7, Hide: 3},
			{Title: "STATUS", Status: true, Min: 10}, money("SAVES/MO"),
		}
	case TabNATs:
		return []table.Column{
			{Title: "NAME", Min: 8}, {Title: "ROUTER", Min: 8, Hide: 4}, {Title: "PROJECT", Min: 8, Hide: 2}, {Title: "REGION", Min: 8},
			{Title: "NETWORK", Min: 8, Hide: 3}, {Title: "VMS", Align: layout.Right, Numeric: true, Min: 3},
			{Title: "SERVERLESS", Align: layout.Right, Numeric: true, Min: 4, Hide: 1},
			money("COST/MO"), money("SAVES/MO"), {Title: "STATUS", Status: true, Min: 10},
		}
	}
	return []table.Column{
		{Title: "TYPE", Min: 6}, {Title: "NAME", Min: 10}, {Title: "PROJECT", Min: 8, Hide: 2}, {Title: "REGION", Min: 8},
		{Title: "NETWORK", Min: 8, Hide: 1}, {Title: "DETAIL", Min: 12, Max: 60}, {Title: "STATUS", Status: true, Min: 10},
	}
}

func shortEgress(s string) string {
	switch s {
	case inventory.EgressAllTraffic:
		return "all-traffic"
	case inventory.EgressPrivateRangesOnly:
		return "private-ranges"
	case "":
		return "-"
	}
	return strings.ToLower(s)
}

func shortIngress(s string) string {
	if s == inventory.IngressInternalLoadBalancer {
		return "internal+lb"
	}
	return dash(s)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func moneyCell(e *estate.Estate, m *analyzer.Money) string {
	if m == nil {
		return "unpriced"
	}
	return e.Money(m.Amount())
}

func connectorRows(e *estate.Estate) []table.Row {
	rows := make([]table.Row, 0, len(e.Snap.Connectors))
	for i := range e.Snap.Connectors {
		c := &e.Snap.Connectors[i]
		v := e.Connectors[c.ID]
		inst, users, status := c.MinInstances, len(e.ConsumersOf(c.ID)), "-"
		cost, saves := "-", "-"
		var costF, savesF float64
		if r := v.Rep; r != nil {
			inst, status = r.Instances, r.Status
			cost, costF = moneyCell(e, r.MonthlyCost), estate.Float(r.MonthlyCost)
			saves, savesF = e.Money(r.MonthlySavings.Amount()), r.MonthlySavings.Amount().Float64()
		}
		rows = append(rows, table.Row{
			ID:    c.ID,
			Cells: []string{c.Name, c.Project, c.Region, c.NetworkProject + "/" + c.Network, c.MachineType, fmt.Sprint(inst), fmt.Sprint(users), status, cost, saves},
			Num:   []float64{0, 0, 0, 0, 0, float64(inst), float64(users), 0, costF, savesF},
		})
	}
	return rows
}

func consumerRows(e *estate.Estate) []table.Row {
	rows := make([]table.Row, 0, len(e.Snap.Consumers))
	for i := range e.Snap.Consumers {
		c := &e.Snap.Consumers[i]
		v := e.Consumers[c.ID]
		conn := "-"
		switch {
		case c.Connector != "":
			conn = estate.Last(c.Connector)
		case c.DirectVPC != nil:
			conn = "direct:" + estate.Last(firstNonEmpty(c.DirectVPC.Subnetwork, c.DirectVPC.Network))
		}
		status, saves := "-", "-"
		var savesF float64
		if r := v.Rep; r != nil {
			status = r.Status
			saves, savesF = e.Money(r.MonthlySavings.Amount()), r.MonthlySavings.Amount().Float64()
		}
		rows = append(rows, table.Row{
			ID:    c.ID,
			Cells: []string{c.Name, string(c.Kind), c.Project, c.Region, conn, shortEgress(c.Egress), shortIngress(c.Ingress), status, saves},
			Num:   []float64{0, 0, 0, 0, 0, 0, 0, 0, savesF},
		})
	}
	return rows
}

func natRows(e *estate.Estate) []table.Row {
	rows := make([]table.Row, 0, len(e.Snap.NATs))
	for i := range e.Snap.NATs {
		n := &e.Snap.NATs[i]
		v := e.NATs[n.ID]
		vms, serverless, cost, saves, status := "?", "-", "-", "-", "-"
		var vmsF, slF, costF, savesF float64
		if n.Status != nil {
			vms, vmsF = fmt.Sprint(n.Status.VMEndpointsWithNATMappings), float64(n.Status.VMEndpointsWithNATMappings)
		}
		if r := v.Rep; r != nil {
			serverless, slF = fmt.Sprint(r.ServerlessEndpoints), float64(r.ServerlessEndpoints)
			cost, costF = moneyCell(e, r.MonthlyCost), estate.Float(r.MonthlyCost)
			saves, savesF = e.Money(r.MonthlySavings.Amount()), r.MonthlySavings.Amount().Float64()
			status = natStatus(r)
		}
		rows = append(rows, table.Row{
			ID:    n.ID,
			Cells: []string{n.Name, n.Router, n.Project, n.Region, n.Network, vms, serverless, cost, saves, status},
			Num:   []float64{0, 0, 0, 0, 0, vmsF, slF, costF, savesF, 0},
		})
	}
	return rows
}

func natStatus(r *analyzer.NAT) string {
	switch {
	case r.Removable:
		return "removable"
	case r.ServesOnlyServerless:
		return "serverless-only"
	case len(r.Connectors) == 0:
		return "not serverless"
	}
	return "shared"
}

func networkRows(e *estate.Estate) []table.Row {
	var rows []table.Row
	add := func(id, typ, name, project, region, network, detail, status string) {
		rows = append(rows, table.Row{ID: id, Cells: []string{typ, name, project, region, network, detail, status}})
	}
	s := e.Snap
	for i := range s.Networks {
		n := &s.Networks[i]
		status := ""
		if z := e.RunAppZone(n.Project + "/" + n.Name); z != nil {
			status = "zone " + z.Status
		}
		detail := dash(strings.ToLower(n.RoutingMode))
		if n.AutoCreateSubnetworks {
			detail += " · auto subnets"
		}
		add(n.ID, typeNetwork, n.Name, n.Project, "global", n.Project+"/"+n.Name, detail, status)
	}
	placed := map[string]bool{}
	for i := range s.Subnets {
		sn := &s.Subnets[i]
		pga := "PGA off"
		if sn.PrivateIPGoogleAccess {
			pga = "PGA on"
		}
		detail := sn.IPCIDRRange + " · " + pga
		if len(sn.UsedBy) > 0 {
			detail += fmt.Sprintf(" · used by %d", len(sn.UsedBy))
		}
		status := ""
		if p := e.Placement(sn.NetworkProject+"/"+sn.Network, sn.Region); p != nil && p.SubnetID == sn.ID {
			status = p.Status
			placed[p.Network+"|"+p.Region] = true
		}
		add(sn.ID, typeSubnet, sn.Name, sn.Project, sn.Region, sn.NetworkProject+"/"+sn.Network, detail, status)
	}
	for i := range e.Rep.Placements {
		p := &e.Rep.Placements[i]
		if placed[p.Network+"|"+p.Region] {
			continue
		}
		name := dash(p.Subnet)
		add(placementID(p), typePlacement, name, p.SubnetProject, p.Region, p.Network, fmt.Sprintf("needs %d IPs", p.NeededIPs), p.Status)
	}
	for i := range s.Routes {
		r := &s.Routes[i]
		hop := firstNonEmpty(r.NextHopGateway, estate.Last(r.NextHop))
		add(r.ID, typeRoute, r.Name, r.Project, "global", r.Project+"/"+r.Network, r.DestRange+" → "+dash(hop), "")
	}
	zoneRow := map[string]int{}
	for i := range s.DNSZones {
		z := &s.DNSZones[i]
		detail := z.DNSName + " · " + z.Visibility
		if z.Kind != "" {
			detail += " · " + z.Kind
		}
		zoneRow[z.ID] = len(rows)
		add(z.ID, typeZone, z.Name, z.Project, "global", strings.Join(z.Networks, ","), detail, "")
	}
	for i := range e.Rep.DNSZones {
		z := &e.Rep.DNSZones[i]
		if at, ok := zoneRow[z.Zone]; ok {
			rows[at].Cells[6] = "run.app " + z.Status
			continue
		}
		project, _, _ := strings.Cut(z.Network, "/")
		for _, c := range z.ConflictWith {
			if at, ok := zoneRow[c]; ok {
				rows[at].Cells[6] = analyzer.ZoneConflict
			}
		}
		add(runAppID(z), typeRunApp, estate.Last(z.Zone), project, "global", z.Network, "run.app. → 199.36.153.8/30 · "+moneyCell(e, z.MonthlyCost)+"/mo", z.Status)
	}
	for i := range s.ResponsePolicies {
		p := &s.ResponsePolicies[i]
		var names []string
		for _, r := range p.Rules {
			names = append(names, r.DNSName)
		}
		status := ""
		if len(e.FindingsFor(p.ID)) > 0 {
			status = analyzer.ZoneConflict
		}
		add(p.ID, typePolicy, p.Name, p.Project, "global", strings.Join(p.Networks, ","), dash(strings.Join(names, " ")), status)
	}
	return rows
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
