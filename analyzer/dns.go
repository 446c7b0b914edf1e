package analyzer

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/money"
	"github.com/vpcshift/vpcshift/internal/pricing"
)

// privateVIP6 is private.googleapis.com over IPv6 (gcp-facts §5).
var privateVIP6 = netip.MustParsePrefix("2600:2d00:2:2000::/64")

// targetNetworks are the VPC networks (PROJECT/NETWORK) the target pattern
// needs a run.app. zone and a VIP route on: those of consumers that use a
// connector (they will move) or are already on the target.
func (a *analysis) targetNetworks() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range a.cons {
		if c.netKey == "" || seen[c.netKey] {
			continue
		}
		switch c.out.Status {
		case ConsumerMigratable, ConsumerBlocked, ConsumerManual, ConsumerOnTarget:
			seen[c.netKey] = true
			out = append(out, c.netKey)
		}
	}
	sort.Strings(out)
	return out
}

// normNet turns a "PROJECT/NETWORK" or network URL into a network key.
func normNet(s string) string {
	if strings.Contains(s, "projects/") {
		p, n := parseRef(s, "")
		return netKey(p, n)
	}
	return s
}

func isRunApp(name string) bool {
	return name == "run.app." || strings.HasSuffix(name, ".run.app.")
}

// vipRecords reports whether records answer only with private.googleapis.com
// (A in 199.36.153.8/30, AAAA in its IPv6 range, or a CNAME to run.app.).
func vipRecords(recs []inventory.DNSRecord) (ok bool, bad string) {
	if len(recs) == 0 {
		return false, "no records"
	}
	for _, r := range recs {
		typ := strings.ToUpper(r.Type)
		for _, rr := range r.RRDatas {
			switch typ {
			case "A":
				if !inVIP(rr) {
					return false, fmt.Sprintf("%s A %s", r.Name, rr)
				}
			case "AAAA":
				ad, err := netip.ParseAddr(rr)
				if err != nil || !privateVIP6.Contains(ad) {
					return false, fmt.Sprintf("%s AAAA %s", r.Name, rr)
				}
			case "CNAME":
				if fqdn(rr) != "run.app." {
					return false, fmt.Sprintf("%s CNAME %s", r.Name, rr)
				}
			default:
				return false, fmt.Sprintf("%s %s %s", r.Name, r.Type, rr)
			}
		}
	}
	return true, ""
}

// checkRunAppZone reports whether a run.app. zone answers *.run.app. with
// the VIP and holds nothing else, and what is wrong otherwise.
func checkRunAppZone(z *inventory.DNSZone) (bool, string) {
	if z.Kind != "" {
		return false, fmt.Sprintf("is a %s zone, not one with records", z.Kind)
	}
	var wildcard, other []inventory.DNSRecord
	for _, r := range z.Records {
		name, typ := fqdn(r.Name), strings.ToUpper(r.Type)
		switch {
		case name == "run.app." && (typ == "SOA" || typ == "NS"):
		case name == "run.app." || name == "*.run.app.":
			wildcard = append(wildcard, r)
		default:
			other = append(other, r)
		}
	}
	if len(other) > 0 {
		return false, fmt.Sprintf("holds other records (%s %s), which hide the wildcard for names under them", other[0].Name, other[0].Type)
	}
	hasWildcard := false
	for _, r := range wildcard {
		if fqdn(r.Name) == "*.run.app." {
			hasWildcard = true
		}
	}
	if !hasWildcard {
		return false, "has no *.run.app. record"
	}
	if ok, bad := vipRecords(wildcard); !ok {
		return false, "answers " + bad + ", not 199.36.153.8/30"
	}
	return true, ""
}

func (a *analysis) analyzeDNS() {
	nets := a.targetNetworks()
	zonesByNet := map[string][]*inventory.DNSZone{}
	for i := range a.snap.DNSZones {
		z := &a.snap.DNSZones[i]
		if !strings.EqualFold(z.Visibility, "private") {
			continue
		}
		for _, n := range z.Networks {
			k := normNet(n)
			zonesByNet[k] = append(zonesByNet[k], z)
		}
	}
	rpByNet := map[string][]*inventory.ResponsePolicy{}
	for i := range a.snap.ResponsePolicies {
		p := &a.snap.ResponsePolicies[i]
		for _, n := range p.Networks {
			k := normNet(n)
			rpByNet[k] = append(rpByNet[k], p)
		}
	}
	existing := int64(len(a.snap.DNSZones))
	newZones := int64(0)
	queriesM := money.FromInt(a.opts.DNSQueriesPerZoneMonth).DivInt(1_000_000)
	a.dnsZones = make([]DNSZone, 0, len(nets))
	for _, key := range nets {
		project, network, _ := strings.Cut(key, "/")
		dz := DNSZone{Network: key, CostLines: []CostLine{}, ConflictWith: []string{}}
		zones := zonesByNet[key]
		sort.Slice(zones, func(i, j int) bool { return zones[i].ID < zones[j].ID })
		var runApp *inventory.DNSZone
		var exists []string
		for _, z := range zones {
			name := fqdn(z.DNSName)
			switch {
			case name == "run.app.":
				runApp = z
				if ok, problem := checkRunAppZone(z); ok {
					exists = append(exists, z.ID)
					a.findings.add(CodeRunAppZoneExists, SeverityInfo, z.ID,
						fmt.Sprintf("private zone run.app. (%s) already answers *.run.app. with 199.36.153.8/30 for %s", z.Name, key),
						"nothing to do: it is already paid for (left out of current and target cost)", nil)
				} else {
					dz.ConflictWith = append(dz.ConflictWith, z.ID)
					a.findings.add(CodeRunAppZoneConflict, SeverityHigh, z.ID,
						fmt.Sprintf("private zone run.app. (%s) visible to %s %s", z.Name, key, problem),
						"make its only records *.run.app. A 199.36.153.8, .9, .10, .11 (plus SOA and NS); vpcshift plan shows the change", nil)
				}
			case isRunApp(name):
				dz.ConflictWith = append(dz.ConflictWith, z.ID)
				a.findings.add(CodeRunAppZoneConflict, SeverityHigh, z.ID,
					fmt.Sprintf("private zone %s (%s) visible to %s is narrower than run.app.: from that network every %s name it does not hold fails to resolve, and it would shadow the *.run.app. wildcard", name, z.Name, key, "*."+name),
					fmt.Sprintf("replace it with one run.app. zone whose *.run.app. A record points at 199.36.153.8–.11, then delete %s (gcloud dns managed-zones delete %s --project %s)", z.Name, z.Name, z.Project), nil)
			}
		}
		rpExists := false
		pols := rpByNet[key]
		sort.Slice(pols, func(i, j int) bool { return pols[i].ID < pols[j].ID })
		for _, p := range pols {
			for _, rule := range p.Rules {
				name := fqdn(rule.DNSName)
				if !isRunApp(name) {
					continue
				}
				if len(rule.LocalData) == 0 {
					continue // bypassResponsePolicy: normal resolution, private zones included
				}
				res := p.ID + "/rules/" + rule.Name
				if ok, bad := vipRecords(rule.LocalData); ok {
					if name == "*.run.app." {
						rpExists = true
						exists = append(exists, res)
						a.findings.add(CodeRunAppZoneExists, SeverityInfo, res,
							fmt.Sprintf("response policy %s rule %s already answers *.run.app. with 199.36.153.8/30 for %s", p.Name, rule.Name, key),
							"nothing to do: a run.app. zone is not needed on this network", nil)
					}
				} else {
					dz.ConflictWith = append(dz.ConflictWith, res)
					a.findings.add(CodeResponsePolicyConflict, SeverityHigh, res,
						fmt.Sprintf("response policy %s rule %s (%s) answers %s on %s and overrides any private zone", p.Name, rule.Name, name, bad, key),
						fmt.Sprintf("point the rule at 199.36.153.8–.11 or delete it (gcloud dns response-policies rules delete %s --response-policy %s --project %s)", rule.Name, p.Name, p.Project), nil)
				}
			}
		}
		needNew := false
		switch {
		case len(dz.ConflictWith) > 0:
			dz.Status = ZoneConflict
			needNew = runApp == nil && !rpExists
		case len(exists) > 0:
			dz.Status = ZoneExists
		default:
			dz.Status = ZoneNeeded
			needNew = true
		}
		switch {
		case runApp != nil:
			dz.Zone = runApp.ID
		case len(exists) > 0:
			dz.Zone = exists[0]
		default:
			dz.Zone = "projects/" + project + "/managedZones/run-app"
		}
		if needNew {
			newZones++
			a.priceZone(&dz, network, existing+newZones, newZones, queriesM)
		} else {
			dz.MonthlyCost = mp(money.Zero)
		}
		a.dnsZones = append(a.dnsZones, dz)
	}
}

// priceZone costs the nth new zone: the marginal zone-hour tier (after the
// zones already counted) and the marginal query tier.
func (a *analysis) priceZone(dz *DNSZone, network string, zoneNumber, nth int64, queriesM money.Amount) {
	hours := money.FromInt(money.HoursPerMonth)
	total, ok := money.Zero, true
	zp, err := a.lookup(pricing.DNSZoneHour, pricing.Global)
	zl := CostLine{
		Description: fmt.Sprintf("private zone run.app. for %s × %d h", network, money.HoursPerMonth),
		Quantity:    hours, Unit: "h", PriceSource: a.label,
		Usage: fmt.Sprintf("one zone for network %s; zone number %d counting the %d zone(s) in the inventory (zone-count tiers)", dz.Network, zoneNumber, zoneNumber-nth),
	}
	if err == nil {
		hi, e1 := zp.Cost(money.FromInt(zoneNumber))
		lo, e2 := zp.Cost(money.FromInt(zoneNumber - 1))
		if e1 == nil && e2 == nil {
			unit := hi.Sub(lo)
			zl.UnitPrice, zl.SKU, zl.Monthly = amt(unit), zp.SKU, mp(unit.Mul(hours))
			total = total.Add(unit.Mul(hours))
		} else {
			err = fmt.Errorf("%v %v", e1, e2)
		}
	}
	if err != nil {
		ok = false
		a.priceError(dz.Zone, "the run.app. zone", err)
	}
	dz.CostLines = append(dz.CostLines, zl)

	qp, err := a.lookup(pricing.DNSQueryMillion, pricing.Global)
	ql := CostLine{
		Description: fmt.Sprintf("queries: %s a month", groupDigits(a.opts.DNSQueriesPerZoneMonth)),
		Quantity:    queriesM, Unit: "10^6.count", PriceSource: a.label,
		Usage: fmt.Sprintf("assumption: %s queries per zone a month (--dns-queries); Cloud Monitoring does not count private-zone queries per zone", groupDigits(a.opts.DNSQueriesPerZoneMonth)),
	}
	if err == nil {
		hi, e1 := qp.Cost(queriesM.MulInt(nth))
		lo, e2 := qp.Cost(queriesM.MulInt(nth - 1))
		if e1 == nil && e2 == nil {
			m := hi.Sub(lo)
			ql.Monthly, ql.SKU = mp(m), qp.SKU
			if queriesM.Sign() > 0 {
				ql.UnitPrice = amt(m.Div(queriesM))
			}
			total = total.Add(m)
		} else {
			err = fmt.Errorf("%v %v", e1, e2)
		}
	}
	if err != nil {
		ok = false
		a.priceError(dz.Zone, "run.app. zone queries", err)
	}
	dz.CostLines = append(dz.CostLines, ql)
	if ok {
		dz.MonthlyCost = mp(total)
	}
	a.dnsZonesMonthly = a.dnsZonesMonthly.Add(total)
}

// analyzeRoutes checks that each target network routes 199.36.153.8/30 to
// the default internet gateway: the most specific route covering it wins
// (then the lowest priority number); routes limited to tags are ignored.
func (a *analysis) analyzeRoutes() {
	byNet := map[string][]*inventory.Route{}
	for i := range a.snap.Routes {
		r := &a.snap.Routes[i]
		k := netKey(firstNonEmpty(projectOf(r.Network), r.Project), inventory.LastSegment(r.Network))
		byNet[k] = append(byNet[k], r)
	}
	for _, key := range a.targetNetworks() {
		var best *inventory.Route
		var bestBits int
		routes := byNet[key]
		sort.Slice(routes, func(i, j int) bool { return routes[i].ID < routes[j].ID })
		for _, r := range routes {
			if len(r.Tags) > 0 {
				continue
			}
			p, ok := parseCIDR(r.DestRange)
			if !ok || !contains(p, privateVIP) {
				continue
			}
			if best == nil || p.Bits() > bestBits || (p.Bits() == bestBits && r.Priority < best.Priority) {
				best, bestBits = r, p.Bits()
			}
		}
		fix := fmt.Sprintf("add a route: gcloud compute routes create private-googleapis --network %s --destination-range 199.36.153.8/30 --next-hop-gateway default-internet-gateway --project %s",
			inventory.LastSegment(key), strings.SplitN(key, "/", 2)[0])
		switch {
		case best == nil:
			a.findings.add(CodeNoVIPRoute, SeverityHigh, networkID(key),
				fmt.Sprintf("no route in %s covers 199.36.153.8/30 (private.googleapis.com), so *.run.app. answers from the zone would be unreachable", key), fix, nil)
		case !isDefaultInternetGateway(best.NextHopGateway):
			a.findings.add(CodeNoVIPRoute, SeverityHigh, networkID(key),
				fmt.Sprintf("in %s the most specific route covering 199.36.153.8/30 is %s (%s) to %s, not the default internet gateway", key, best.Name, best.DestRange, firstNonEmpty(best.NextHop, best.NextHopGateway, "another next hop")), fix, nil)
		}
	}
}
