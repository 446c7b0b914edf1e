package analyzer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// peak is the instance count a consumer's Direct VPC IPs are sized for.
func peak(c *inventory.Consumer) (int, string) {
	if c.Usage != nil && c.Usage.PeakInstances > 0 {
		return c.Usage.PeakInstances, PeakMonitoring
	}
	if c.MaxInstances > 0 {
		return c.MaxInstances, PeakMaxInstances
	}
	return DefaultPeakInstances, PeakDefault
}

// candidate reports whether a subnet can take Direct VPC egress: a plain
// (PRIVATE) subnet with an IPv4 range that no connector uses.
func (a *analysis) candidate(sn *inventory.Subnet) bool {
	if sn.Purpose != "" && sn.Purpose != "PRIVATE" && sn.Purpose != "PRIVATE_RFC_1918" {
		return false
	}
	if a.connectorSubnets[sn.Project+"|"+sn.Region+"|"+sn.Name] {
		return false
	}
	for _, u := range sn.UsedBy {
		if strings.Contains(u, "/connectors/") {
			return false
		}
	}
	_, ok := parseCIDR(sn.IPCIDRRange)
	return ok
}

// prefixFor is the longest prefix that gives at least n usable IPs and is
// no smaller than the minimum.
func prefixFor(n, minPrefix int) int {
	bits := minPrefix
	for bits > 8 && usableIPs(bits) < n {
		bits--
	}
	return bits
}

func (a *analysis) analyzePlacements() {
	type group struct {
		net, region string
		consumers   []PlacementConsumer
		needed      int
	}
	groups := map[string]*group{}
	var keys []string
	for _, c := range a.cons {
		if c.conn == nil || (c.out.Status != ConsumerMigratable && c.out.Status != ConsumerManual) {
			continue
		}
		k := c.conn.netKey + "|" + c.conn.in.Region
		g := groups[k]
		if g == nil {
			g = &group{net: c.conn.netKey, region: c.conn.in.Region}
			groups[k] = g
			keys = append(keys, k)
		}
		p, src := peak(c.in)
		g.consumers = append(g.consumers, PlacementConsumer{ID: c.in.ID, PeakInstances: p, PeakSource: src})
		g.needed += p * a.opts.IPsPerInstance
	}
	sort.Strings(keys)
	a.placements = make([]Placement, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		pl := Placement{Network: g.net, Region: g.region, NeededIPs: g.needed, Consumers: g.consumers}
		var chosen *inventory.Subnet
		override, isOverride := a.opts.SubnetOverrides[g.region]
		if isOverride {
			pl.Status = PlacementOverride
			name := inventory.LastSegment(override)
			for _, sn := range a.subnetsByNetReg[k] {
				if sn.Name == name {
					chosen = sn
				}
			}
			if chosen == nil {
				pl.Subnet = name
				a.addError(fmt.Sprintf("projects/%s/regions/%s/subnetworks/%s", strings.SplitN(g.net, "/", 2)[0], g.region, name),
					fmt.Sprintf("--subnet %s=%s: no such subnet in network %s in %s", g.region, name, g.net, g.region))
			}
		} else {
			var cands []*inventory.Subnet
			for _, sn := range a.subnetsByNetReg[k] {
				if a.candidate(sn) {
					cands = append(cands, sn)
				}
			}
			sort.SliceStable(cands, func(i, j int) bool {
				x, y := cands[i], cands[j]
				if x.PrivateIPGoogleAccess != y.PrivateIPGoogleAccess {
					return x.PrivateIPGoogleAccess
				}
				px, _ := parseCIDR(x.IPCIDRRange)
				py, _ := parseCIDR(y.IPCIDRRange)
				if px.Bits() != py.Bits() {
					return px.Bits() < py.Bits()
				}
				return x.ID < y.ID
			})
			if len(cands) > 0 {
				chosen = cands[0]
			}
		}
		project, network, _ := strings.Cut(g.net, "/")
		if chosen == nil {
			if !isOverride {
				pl.Status = PlacementNone
				a.findings.add(CodeNoSubnet, SeverityHigh, fmt.Sprintf("projects/%s/regions/%s/networks/%s", project, g.region, network),
					fmt.Sprintf("network %s has no subnet in %s that Direct VPC egress could use (connector subnets do not count)", g.net, g.region),
					fmt.Sprintf("create a /%d or larger subnet with Private Google Access in %s (gcloud compute networks subnets create run-%s --network %s --region %s --range RANGE --enable-private-ip-google-access --project %s)",
						prefixFor(g.needed, a.opts.MinSubnetPrefix), g.region, g.region, network, g.region, project), nil)
			}
			a.placements = append(a.placements, pl)
			continue
		}
		pfx, _ := parseCIDR(chosen.IPCIDRRange)
		pl.Subnet, pl.SubnetProject, pl.SubnetID = chosen.Name, chosen.Project, chosen.ID
		pl.IPCIDRRange = chosen.IPCIDRRange
		pl.Prefix = pfx.Bits()
		pl.AvailableIPs = usableIPs(pfx.Bits())
		pl.PrivateGoogleAccess = chosen.PrivateIPGoogleAccess
		tooSmall := pfx.Bits() > a.opts.MinSubnetPrefix || pl.AvailableIPs < pl.NeededIPs
		if !isOverride {
			switch {
			case tooSmall:
				pl.Status = PlacementTooSmall
			case !chosen.PrivateIPGoogleAccess:
				pl.Status = PlacementNeedsPGA
			default:
				pl.Status = PlacementOK
			}
		}
		if tooSmall {
			want := max(prefixFor(pl.NeededIPs, a.opts.MinSubnetPrefix), 8)
			a.findings.add(CodeSubnetTooSmall, SeverityHigh, chosen.ID,
				fmt.Sprintf("%s (%s, %d usable IPs) is the best subnet in %s for Direct VPC egress but is too small: /%d minimum and %d IPs for %d consumers' peak instances",
					chosen.Name, chosen.IPCIDRRange, pl.AvailableIPs, g.region, a.opts.MinSubnetPrefix, pl.NeededIPs, len(g.consumers)),
				fmt.Sprintf("create a /%d or larger subnet with Private Google Access in %s (RFC 6598 100.64.0.0/10 space works) and pass it with --subnet %s=NAME", want, g.region, g.region), nil)
		}
		if !chosen.PrivateIPGoogleAccess {
			a.pgaFinding(chosen, fmt.Sprintf("the Direct VPC egress subnet for %s in %s", g.net, g.region))
		}
		a.placements = append(a.placements, pl)
	}
	// Subnets already used by consumers on the target pattern need PGA too.
	for _, c := range a.cons {
		if c.out.Status != ConsumerOnTarget || c.in.DirectVPC == nil || c.in.DirectVPC.Subnetwork == "" {
			continue
		}
		defProject, _, _ := strings.Cut(c.netKey, "/")
		proj, name := parseRef(c.in.DirectVPC.Subnetwork, firstNonEmpty(defProject, c.in.Project))
		sn := a.subnetByKey[proj+"|"+firstNonEmpty(regionOf(c.in.DirectVPC.Subnetwork), c.in.Region)+"|"+name]
		if sn != nil && !sn.PrivateIPGoogleAccess {
			a.pgaFinding(sn, "used by "+c.in.Name+" (already on Direct VPC egress)")
		}
	}
}

func (a *analysis) pgaFinding(sn *inventory.Subnet, why string) {
	a.findings.add(CodeSubnetNoPGA, SeverityMedium, sn.ID,
		fmt.Sprintf("subnet %s (%s) has Private Google Access off; it is %s, and *.run.app. through 199.36.153.8/30 needs it", sn.Name, sn.Region, why),
		fmt.Sprintf("gcloud compute networks subnets update %s --region %s --enable-private-ip-google-access --project %s", sn.Name, sn.Region, sn.Project), nil)
}
