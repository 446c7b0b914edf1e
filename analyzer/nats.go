package analyzer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/money"
	"github.com/vpcshift/vpcshift/internal/pricing"
)

const gib = 1 << 30

// serves reports whether a NAT translates traffic from a connector's subnet:
// same network and region, and either all subnetworks or a list naming the
// connector's subnet.
func serves(n *inventory.NAT, c *inventory.Connector) bool {
	switch n.SourceSubnetworkIPRangesToNat {
	case "ALL_SUBNETWORKS_ALL_IP_RANGES", "ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES":
		return true
	case "LIST_OF_SUBNETWORKS":
		if c.Subnet == "" {
			return false // a connector on an ipCidrRange has no subnet a list can name
		}
		cproj, cname := parseRef(c.Subnet, firstNonEmpty(c.SubnetProject, connectorNetProject(c)))
		for _, s := range n.Subnetworks {
			proj, name := parseRef(s, n.Project)
			if name == cname && proj == cproj {
				return true
			}
		}
	}
	return false
}

// gibPerMonth converts bytes over the usage window to GiB per 730-hour month.
func (a *analysis) gibPerMonth(bytes money.Amount) money.Amount {
	return bytes.MulInt(money.HoursPerMonth).DivInt(int64(a.windowDays) * 24 * gib)
}

func (a *analysis) natUptime(vms int, region string) (money.Amount, pricing.Price, error) {
	if a.book == nil {
		return money.Zero, pricing.Price{}, errNoBook
	}
	if vms < 0 {
		vms = 0
	}
	return a.book.NATUptimeHourly(int64(vms), region)
}

// natGroup is a set of served connectors sharing one fate (removed now,
// or once blockers move).
type natGroup struct {
	conns     []*connState
	instances int
}

func (g *natGroup) add(cs *connState) {
	g.conns = append(g.conns, cs)
	g.instances += cs.out.Instances
}

func (a *analysis) analyzeNATs() {
	nats := make([]*inventory.NAT, 0, len(a.snap.NATs))
	for i := range a.snap.NATs {
		nats = append(nats, &a.snap.NATs[i])
	}
	sort.Slice(nats, func(i, j int) bool { return nats[i].ID < nats[j].ID })
	a.nats = make([]NAT, 0, len(nats))
	for _, n := range nats {
		a.nats = append(a.nats, a.analyzeNAT(n))
	}
}

func (a *analysis) analyzeNAT(n *inventory.NAT) NAT {
	key := netKey(firstNonEmpty(projectOf(n.Network), n.Project), inventory.LastSegment(n.Network))
	out := NAT{
		ID: n.ID, Project: n.Project, Region: n.Region, Router: n.Router, Name: n.Name, Network: key,
		Connectors: []string{}, CostLines: []CostLine{}, SavingLines: []CostLine{},
	}
	var served []*connState
	for _, cs := range a.connsByNetRegion[key+"|"+n.Region] {
		if serves(n, cs.in) {
			served = append(served, cs)
		}
	}
	var now, blk natGroup
	unknown := 0
	S := 0
	for _, cs := range served {
		out.Connectors = append(out.Connectors, cs.in.ID)
		cs.out.NATs = append(cs.out.NATs, n.ID)
		cs.natServed = true
		S += cs.out.Instances
		switch cs.out.Status {
		case ConnectorIdle, ConnectorMigratable:
			now.add(cs)
		case ConnectorKept:
			blk.add(cs)
		default:
			unknown++
		}
	}
	out.ServerlessEndpoints = S

	statusKnown := n.Status != nil
	V := 0
	if statusKnown {
		V = n.Status.VMEndpointsWithNATMappings
		other := max(V-S, 0)
		out.VMEndpoints, out.OtherEndpoints = intp(V), intp(other)
	} else {
		a.findings.add(CodeNATStatusUnknown, SeverityMedium, n.ID,
			fmt.Sprintf("the router status of %s could not be read: how many VMs it serves is unknown, so it is not called removable and its uptime is costed for the %d connector instances only", n.Name, S),
			"grant compute.routers.get (roles/compute.networkViewer) on the router's project and re-run", nil)
	}
	servesOnly := statusKnown && S > 0 && V <= S
	out.ServesOnlyServerless = servesOnly

	// NAT IPs in use.
	ips, ipsKnown, ipsFrom := 0, false, ""
	switch {
	case statusKnown:
		ips, ipsKnown = len(n.Status.AutoAllocatedNatIPs)+len(n.Status.UserAllocatedNatIPs), true
		ipsFrom = fmt.Sprintf("autoAllocatedNatIps + userAllocatedNatIps from the router status: %d", ips)
	case len(n.NatIPs) > 0:
		ips, ipsKnown = len(n.NatIPs), true
		ipsFrom = fmt.Sprintf("natIps configured on the gateway: %d", ips)
	}
	if ipsKnown {
		out.NATIPs = intp(ips)
	}
	out.StaticIPs = n.NatIPAllocateOption == "MANUAL_ONLY" || len(n.NatIPs) > 0 || (statusKnown && len(n.Status.UserAllocatedNatIPs) > 0)

	hours := money.FromInt(money.HoursPerMonth)
	var total money.Amount
	anyPriced := false
	addCost := func(l CostLine) {
		out.CostLines = append(out.CostLines, l)
		if l.Monthly != nil {
			total = total.Add(l.Monthly.Amount())
			anyPriced = true
		}
	}

	// Uptime.
	vms := V
	upUsage := fmt.Sprintf("numVmEndpointsWithNatMappings from the router status: %d (%d connector instances, %d other)", V, min(S, V), max(V-S, 0))
	if !statusKnown {
		vms = S
		upUsage = fmt.Sprintf("router status not read: the %d instances of the connectors it serves (a lower bound)", S)
	}
	upHourly, upPrice, upErr := a.natUptime(vms, n.Region)
	upLine := CostLine{Unit: "h", PriceSource: a.label, Usage: upUsage}
	if vms > pricing.NATUptimeCapVMs {
		upLine.Description = fmt.Sprintf("gateway uptime: %d VMs, above %d so the flat hourly cap applies, × %d h", vms, pricing.NATUptimeCapVMs, money.HoursPerMonth)
		upLine.Quantity = hours
	} else {
		upLine.Description = fmt.Sprintf("gateway uptime: %d VMs × %d h", vms, money.HoursPerMonth)
		upLine.Quantity = money.FromInt(int64(vms) * money.HoursPerMonth)
	}
	if upErr != nil {
		a.priceError(n.ID, "Cloud NAT uptime", upErr)
	} else {
		upLine.UnitPrice, upLine.SKU = amt(upPrice.UnitPrice), upPrice.SKU
		upLine.Monthly = mp(upHourly.Mul(hours))
	}
	addCost(upLine)

	// Data processing.
	dataPrice, dataErr := a.lookup(pricing.NATDataGiB, n.Region)
	if dataErr != nil {
		a.priceError(n.ID, "Cloud NAT data processing", dataErr)
	}
	var totalBytes int64
	if n.Usage != nil {
		totalBytes = n.Usage.BytesSent + n.Usage.BytesReceived
		q := a.gibPerMonth(money.FromInt(totalBytes))
		l := CostLine{
			Description: fmt.Sprintf("data processing: %s GiB a month", q.Fixed(2)),
			Quantity:    q, Unit: "GiBy", PriceSource: a.label,
			Usage: fmt.Sprintf("router.googleapis.com/nat/sent_bytes_count + received_bytes_count over %d days: %d + %d bytes = %s GiB, × 730 / %d h",
				a.windowDays, n.Usage.BytesSent, n.Usage.BytesReceived, money.FromInt(totalBytes).DivInt(gib).Exact(), a.windowDays*24),
		}
		if dataErr == nil {
			l.UnitPrice, l.SKU, l.Monthly = amt(dataPrice.UnitPrice), dataPrice.SKU, mp(q.Mul(dataPrice.UnitPrice))
		}
		addCost(l)
	} else {
		a.addError(n.ID, fmt.Sprintf("no Cloud Monitoring byte counts for %s: its data processing is not counted", n.Name))
		a.findings.add(CodeUsageMissing, SeverityLow, n.ID,
			fmt.Sprintf("no NAT byte counts for %s: data processing ($0.045/GiB) is left out of its cost and savings", n.Name),
			"grant monitoring.timeSeries.list (roles/monitoring.viewer) in its project and re-run", nil)
		addCost(CostLine{Description: "data processing: unknown", Quantity: money.Zero, Unit: "GiBy", PriceSource: a.label,
			Usage: "router.googleapis.com/nat/sent_bytes_count and received_bytes_count could not be read"})
	}

	// NAT IPs.
	ipPrice, ipErr := a.lookup(pricing.NATIPHour, n.Region)
	var ipLine CostLine
	if ipsKnown {
		ipLine = CostLine{
			Description: fmt.Sprintf("NAT IPs: %d × %d h", ips, money.HoursPerMonth),
			Quantity:    money.FromInt(int64(ips) * money.HoursPerMonth), Unit: "h", PriceSource: a.label, Usage: ipsFrom,
		}
		if ipErr != nil {
			a.priceError(n.ID, "Cloud NAT IPs", ipErr)
		} else {
			ipLine.UnitPrice, ipLine.SKU, ipLine.Monthly = amt(ipPrice.UnitPrice), ipPrice.SKU, mp(ipLine.Quantity.Mul(ipPrice.UnitPrice))
		}
		addCost(ipLine)
	} else {
		a.addError(n.ID, fmt.Sprintf("the number of IPs %s uses is unknown (no router status, no natIps): NAT IP cost is not counted", n.Name))
		addCost(CostLine{Description: "NAT IPs: unknown", Quantity: money.Zero, Unit: "h", PriceSource: a.label, Usage: "router status not read and no natIps configured"})
	}
	if anyPriced {
		out.MonthlyCost = mp(total)
	}

	// Savings.
	if len(served) == 0 {
		out.Method = "serves no connector subnet: nothing to save"
		return out
	}
	var methods []string
	upNowH, upBlkH := money.Zero, money.Zero
	vNow := max(V-now.instances, 0)
	vBlk := max(vNow-blk.instances, 0)
	if statusKnown && upErr == nil {
		cost := func(v int) money.Amount {
			h, _, _ := a.natUptime(v, n.Region)
			return h
		}
		upNowH = cost(V).Sub(cost(vNow))
		upBlkH = cost(vNow).Sub(cost(vBlk))
		methods = append(methods, fmt.Sprintf("uptime: cost(%d VMs) − cost(%d VMs that stay)", V, max(V-S, 0)))
	} else if !statusKnown {
		methods = append(methods, "uptime: not counted (router status unknown)")
	}

	// Serverless bytes and their split among the served connectors.
	var B money.Amount
	dataMethod := ""
	connBytes := make([]int64, len(served))
	allConnBytes := true
	var sumConnBytes int64
	for i, cs := range served {
		u := cs.in.Usage
		if u == nil {
			allConnBytes = false
			continue
		}
		connBytes[i] = u.BytesSent + u.BytesReceived
		sumConnBytes += connBytes[i]
	}
	if n.Usage != nil {
		switch {
		case servesOnly:
			B = money.FromInt(totalBytes)
			dataMethod = "all of it (it serves only connector subnets)"
		case n.Usage.ServerlessBytes > 0:
			B = money.FromInt(min(n.Usage.ServerlessBytes, totalBytes))
			dataMethod = "serverless-bytes: the NAT's serverless bytes from monitoring"
		case allConnBytes && sumConnBytes > 0:
			B = money.FromInt(min(sumConnBytes, totalBytes))
			dataMethod = "connector-bytes: the served connectors' sent + received bytes, capped at the NAT's total (an upper bound: connector traffic to private ranges does not cross the NAT)"
		case statusKnown && V > 0:
			B = money.FromInt(totalBytes).MulInt(int64(min(S, V))).DivInt(int64(V))
			dataMethod = fmt.Sprintf("endpoint-share: the NAT's bytes × %d connector instances / %d VM endpoints", min(S, V), V)
		default:
			dataMethod = "unknown: no way to tell serverless bytes apart; data savings not counted"
		}
		methods = append(methods, "data: "+dataMethod)
	} else {
		methods = append(methods, "data: not counted (no byte counts)")
	}
	var weights []int64
	if allConnBytes && sumConnBytes > 0 {
		weights = connBytes
	} else {
		weights = make([]int64, len(served))
		for i, cs := range served {
			weights[i] = int64(cs.out.Instances)
		}
	}
	dataParts := split(B, weights, len(served))
	var bNow, bBlk money.Amount
	dataOf := map[*connState]money.Amount{}
	for i, cs := range served {
		dataOf[cs] = dataParts[i]
		switch cs.out.Status {
		case ConnectorIdle, ConnectorMigratable:
			bNow = bNow.Add(dataParts[i])
		case ConnectorKept:
			bBlk = bBlk.Add(dataParts[i])
		}
	}

	removable := servesOnly && unknown == 0 && blk.instances == 0 && len(blk.conns) == 0 && len(now.conns) > 0
	removableLater := servesOnly && unknown == 0 && len(blk.conns) > 0
	out.Removable = removable
	ipMonthly := money.Zero
	if ipLine.Monthly != nil {
		ipMonthly = ipLine.Monthly.Amount()
	}
	switch {
	case removable:
		methods = append(methods, "NAT IPs: saved (the gateway can be removed)")
	case removableLater:
		methods = append(methods, "NAT IPs: saved once the blocked consumers move (the gateway can then be removed)")
	default:
		methods = append(methods, "NAT IPs: kept")
	}

	// Saving lines and per-connector shares.
	addSaving := func(when string, g *natGroup, upH, bytes money.Amount, withIPs bool, from, to int) money.Amount {
		if len(g.conns) == 0 {
			return money.Zero
		}
		var sum money.Amount
		upM := upH.Mul(hours)
		if statusKnown && upErr == nil {
			out.SavingLines = append(out.SavingLines, CostLine{
				Description: fmt.Sprintf("%s: uptime of %d connector instances", when, g.instances),
				Quantity:    hours, Unit: "h", UnitPrice: amt(upH), Monthly: mp(upM), SKU: upPrice.SKU, PriceSource: a.label,
				Usage: fmt.Sprintf("cost(%d VMs) − cost(%d VMs) per hour", from, to),
			})
			sum = sum.Add(upM)
		}
		var dataM money.Amount
		if n.Usage != nil && dataErr == nil && bytes.Sign() > 0 {
			q := a.gibPerMonth(bytes)
			dataM = q.Mul(dataPrice.UnitPrice)
			out.SavingLines = append(out.SavingLines, CostLine{
				Description: fmt.Sprintf("%s: data processing of serverless traffic", when),
				Quantity:    q, Unit: "GiBy", UnitPrice: amt(dataPrice.UnitPrice), Monthly: mp(dataM), SKU: dataPrice.SKU, PriceSource: a.label,
				Usage: dataMethod,
			})
			sum = sum.Add(dataM)
		}
		var ipM money.Amount
		if withIPs && ipLine.Monthly != nil {
			ipM = ipMonthly
			l := ipLine
			l.Description = fmt.Sprintf("%s: %s (gateway removed)", when, ipLine.Description)
			out.SavingLines = append(out.SavingLines, l)
			sum = sum.Add(ipM)
		}
		// Per-connector shares: uptime and IPs by instances, data as split.
		w := make([]int64, len(g.conns))
		for i, cs := range g.conns {
			w[i] = int64(cs.out.Instances)
		}
		upParts := split(upM.Add(ipM), w, len(g.conns))
		for i, cs := range g.conns {
			share := upParts[i]
			if n.Usage != nil && dataErr == nil && bytes.Sign() > 0 {
				share = share.Add(dataM.Mul(dataOf[cs]).Div(bytes))
			}
			if when == "now" {
				cs.natNow = cs.natNow.Add(share)
			} else {
				cs.natBlocked = cs.natBlocked.Add(share)
			}
		}
		return sum
	}
	nowSave := addSaving("now", &now, upNowH, bNow, removable, V, vNow)
	blkSave := addSaving("once blockers move", &blk, upBlkH, bBlk, removableLater, vNow, vBlk)
	out.MonthlySavings = M(nowSave)
	out.BlockedMonthlySavings = M(blkSave)
	if unknown > 0 {
		methods = append(methods, fmt.Sprintf("%d served connector(s) with consumers that could not be read: their share is not counted", unknown))
	}
	out.Method = strings.Join(methods, "; ")

	// Findings.
	switch {
	case servesOnly:
		impact := nowSave
		if !removable {
			impact = nowSave.Add(blkSave)
		}
		msg := fmt.Sprintf("%s translates only connector subnets (%d of %d VM endpoints are connector instances): remove it once the connectors are gone", n.Name, S, V)
		a.findings.add(CodeNATServerlessOnly, SeverityInfo, n.ID, msg,
			"after the migration, check nothing else needs internet egress in that region (no VMs, no ALL_TRAFFIC consumer that needs a fixed IP), then remove the NAT config from the router", amt(impact))
	case statusKnown:
		a.findings.add(CodeNATSharedWithVMs, SeverityInfo, n.ID,
			fmt.Sprintf("%s also serves %d other VM endpoints: keep it; only the serverless share (%d connector instances and their traffic) is saved", n.Name, max(V-S, 0), min(S, V)),
			"keep the gateway; after the migration, if it uses LIST_OF_SUBNETWORKS drop the connector subnets from it", amt(nowSave.Add(blkSave)))
	}
	if out.StaticIPs {
		for _, cs := range served {
			for _, c := range cs.consumers {
				if c.in.Egress == inventory.EgressAllTraffic {
					c.staticNATs = append(c.staticNATs, n.Name)
				}
			}
		}
	}
	return out
}

func intp(i int) *int { return &i }
