package migrate

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

// Blockers: what keeps a consumer (and its connector) where it is, and
// what stops the plan past preflight.

// consumerBlockers lists every consumer the analysis calls blocked or
// manual.
func (pl *planner) consumerBlockers() {
	for _, rc := range pl.rep.Consumers {
		c := pl.consumers[rc.ID]
		if c == nil {
			continue
		}
		where := pl.placementHint(rc)
		switch rc.Status {
		case analyzer.ConsumerBlocked:
			id := analyzer.CodeConsumerCannotMove + ":" + rc.ID
			reason := fmt.Sprintf("%s is a 1st gen function: Direct VPC egress is not available for 1st gen functions, so it keeps connector %s", c.Name, inventory.LastSegment(c.Connector))
			if f, ok := pl.findings[id]; ok {
				reason = f.Message
			}
			pl.blockers = append(pl.blockers, Blocker{ID: id, Resource: rc.ID, Reason: reason,
				Fix: fmt.Sprintf("upgrade it to a 2nd gen function (Cloud Run functions): a 1st gen function cannot be switched in place, so deploy it as 2nd gen (a new function, or the same name after deleting the 1st gen one) with Direct VPC egress (%s), move its callers and triggers to it, then run vpcshift plan again; connector %s goes once nothing else uses it",
					shellJoin(append([]string{"gcloud", "functions", "deploy", c.Name, "--gen2", "--region", c.Region, "--project", c.Project, "--source", "SOURCE_DIR"}, where...)...)+" --direct-vpc-egress=private-ranges-only",
					inventory.LastSegment(c.Connector))})
			pl.hold(rc.ID, "1st gen function: upgrade to 2nd gen")
		case analyzer.ConsumerManual:
			id := analyzer.CodeConsumerManualMove + ":" + rc.ID
			reason := fmt.Sprintf("App Engine standard version %s keeps connector %s: vpcshift cannot change a version in place", c.Name, inventory.LastSegment(c.Connector))
			if f, ok := pl.findings[id]; ok {
				reason = f.Message + " (vpcshift cannot change an App Engine version in place)"
			}
			target := "the Direct VPC network and subnet"
			if pla := pl.placements[rc.Network+"|"+c.Region]; pla != nil && pla.SubnetID != "" {
				target = fmt.Sprintf("network %s and subnet %s", networkName(rc.Network), pla.SubnetID)
			}
			pl.blockers = append(pl.blockers, Blocker{ID: id, Resource: rc.ID, Reason: reason,
				Fix: fmt.Sprintf("redeploy the service with Direct VPC egress: in app.yaml replace vpc_access_connector with %s (egress to private ranges only), deploy a new version (gcloud app deploy --project %s), move traffic to it, then run vpcshift plan again; connector %s goes once nothing else uses it",
					target, c.Project, inventory.LastSegment(c.Connector))})
			pl.hold(rc.ID, "App Engine: redeploy with Direct VPC egress")
		}
	}
}

// placementHint gives the --network/--subnet arguments a consumer would
// use (for the commands of a fix), or placeholders.
func (pl *planner) placementHint(rc analyzer.Consumer) []string {
	pla := pl.placements[rc.Network+"|"+rc.Region]
	if pla == nil || pla.SubnetID == "" {
		return []string{"--network", "NETWORK", "--subnet", "SUBNET"}
	}
	return []string{"--network", networkName(rc.Network), "--subnet", pla.SubnetID}
}

// connectorBlockers lists connectors whose consumers could not all be
// read: they stay, whatever moves.
func (pl *planner) connectorBlockers() {
	for _, rc := range pl.rep.Connectors {
		if rc.Status != analyzer.ConnectorUnknownConsumers {
			continue
		}
		id := analyzer.CodeConnectorUnknownConsumers + ":" + rc.ID
		reason := fmt.Sprintf("connector %s is used by projects whose consumers could not be read (%s): it is kept", rc.Name, strings.Join(rc.UnknownProjects, ", "))
		fix := "grant vpcshift read access (roles/run.viewer, roles/cloudfunctions.viewer, roles/appengine.appViewer) in those projects or add them to the scope, then run vpcshift plan again"
		if f, ok := pl.findings[id]; ok {
			reason = f.Message + "; the connector is kept"
			fix = f.Fix
		}
		pl.blockers = append(pl.blockers, Blocker{ID: id, Resource: rc.ID, Reason: reason, Fix: fix})
	}
}

// placementBlockers holds the consumers of a region that has no usable
// Direct VPC subnet until --subnet REGION=NAME names one.
func (pl *planner) placementBlockers() {
	for i := range pl.rep.Placements {
		pla := &pl.rep.Placements[i]
		project, network := splitNetKey(pla.Network)
		var id, reason, fix string
		switch {
		case pla.Status == analyzer.PlacementTooSmall:
			id = analyzer.CodeSubnetTooSmall + ":" + pla.SubnetID
			reason = fmt.Sprintf("the best subnet for Direct VPC egress in %s, %s (%s, %d usable IPs), is too small: /26 at least and %d IPs for the peak instances", pla.Region, pla.Subnet, pla.IPCIDRRange, pla.AvailableIPs, pla.NeededIPs)
		case pla.Status == analyzer.PlacementNone:
			id = analyzer.CodeNoSubnet + ":projects/" + project + "/regions/" + pla.Region + "/networks/" + network
			reason = fmt.Sprintf("network %s has no subnet in %s that Direct VPC egress could use (connector subnets do not count)", pla.Network, pla.Region)
		case pla.Status == analyzer.PlacementOverride && pla.SubnetID == "":
			reason = fmt.Sprintf("--subnet %s=%s names no subnet of network %s in %s", pla.Region, pla.Subnet, pla.Network, pla.Region)
		default:
			continue
		}
		var held []string
		for _, pc := range pla.Consumers {
			rc := pl.repCons[pc.ID]
			if rc == nil || rc.Status != analyzer.ConsumerMigratable {
				continue
			}
			held = append(held, pc.ID)
		}
		if len(held) == 0 {
			continue
		}
		if f, ok := pl.findings[id]; ok && id != "" {
			reason = f.Message
		}
		prefix := prefixFor(pla.NeededIPs)
		fix = fmt.Sprintf("create a /%d or larger subnet with Private Google Access in %s on network %s (%s; RFC 6598 space such as 100.64.0.0/10 works), then run vpcshift plan --subnet %s=NAME; until then %s stay on their connector",
			prefix, pla.Region, pla.Network,
			shellJoin("gcloud", "compute", "networks", "subnets", "create", "run-"+pla.Region, "--network", network, "--region", pla.Region, "--range", "RANGE", "--enable-private-ip-google-access", "--project", project),
			pla.Region, names(held))
		pl.blockers = append(pl.blockers, Blocker{ID: id, Resource: fmt.Sprintf("projects/%s/regions/%s/networks/%s", project, pla.Region, network), Reason: reason, Fix: fix})
		for _, c := range held {
			pl.hold(c, "waits for a subnet: --subnet "+pla.Region+"=NAME")
		}
		pl.heldPlacements = append(pl.heldPlacements, pla)
	}
}

// prefixFor is the longest prefix (at most /26) with room for n IPs (4
// addresses of each subnet are reserved).
func prefixFor(n int) int {
	bits := 26
	for bits > 8 && (1<<(32-bits))-4 < n {
		bits--
	}
	return bits
}

func names(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = inventory.LastSegment(id)
	}
	return strings.Join(out, ", ")
}

// coverageBlockers stop the plan where an API that a decision rests on
// could not be read in a project that owns a network the plan changes.
func (pl *planner) coverageBlockers() {
	owners := map[string]bool{}
	for net := range pl.networks {
		p, _ := splitNetKey(net)
		owners[p] = true
	}
	for _, cv := range pl.rep.Coverage {
		if !owners[cv.Project] || (cv.Status != inventory.CoverageDenied && cv.Status != inventory.CoverageError) {
			continue
		}
		var why string
		switch cv.API {
		case "dns.googleapis.com":
			why = "whether its networks already have a run.app. zone or a response policy is unknown: creating one could clash with, or be shadowed by, what is there"
		case "compute.googleapis.com":
			why = "its subnets, routes and Cloud NAT could not be read: Private Google Access, the route to 199.36.153.8/30 and the NAT cannot be decided"
		default:
			continue
		}
		id := analyzer.CodeCoverageGap + ":projects/" + cv.Project + "/services/" + cv.API
		fix := cv.Fix
		if f, ok := pl.findings[id]; ok && f.Fix != "" {
			fix = f.Fix
		}
		pl.blockers = append(pl.blockers, Blocker{ID: id, Resource: "projects/" + cv.Project, StopsPlan: true,
			Reason: fmt.Sprintf("%s in %s could not be read (%s): %s", cv.API, cv.Project, firstNonEmpty(cv.Detail, cv.Status), why),
			Fix:    firstNonEmpty(fix, "grant vpcshift read access to "+cv.API+" in "+cv.Project) + ", then run vpcshift plan again"})
	}
}

// dnsBlockers stop the plan on a run.app. zone or response policy that
// conflicts with the wildcard, with the exact way out.
func (pl *planner) dnsBlockers() {
	for _, dz := range pl.rep.DNSZones {
		if dz.Status != analyzer.ZoneConflict || !pl.networks[dz.Network] {
			continue
		}
		for _, res := range dz.ConflictWith {
			if strings.Contains(res, "/responsePolicies/") {
				pl.responsePolicyBlocker(dz, res)
				continue
			}
			z := pl.zonesByID[res]
			if z == nil {
				continue
			}
			pl.touch(z.ID)
			id := analyzer.CodeRunAppZoneConflict + ":" + z.ID
			reason := fmt.Sprintf("private zone %s (%s) conflicts with the *.run.app. wildcard on %s", z.DNSName, z.Name, dz.Network)
			if f, ok := pl.findings[id]; ok {
				reason = f.Message
			}
			pl.blockers = append(pl.blockers, Blocker{ID: id, Resource: z.ID, Reason: reason, Fix: pl.zoneFix(dz.Network, z), StopsPlan: true})
		}
	}
}

// zoneFix says exactly how to resolve a conflicting zone.
func (pl *planner) zoneFix(net string, z *inventory.DNSZone) string {
	name := fqdn(z.DNSName)
	if name != RunAppDNSName && z.Kind == "" {
		// A narrower zone: the wildcard first, then its records and the zone go.
		var dels []string
		for _, r := range z.Records {
			if fqdn(r.Name) == name && (strings.EqualFold(r.Type, "SOA") || strings.EqualFold(r.Type, "NS")) {
				continue
			}
			dels = append(dels, shellJoin("gcloud", "dns", "record-sets", "delete", r.Name, "--type", r.Type, "--zone", z.Name, "--project", z.Project))
		}
		dels = append(dels, shellJoin("gcloud", "dns", "managed-zones", "delete", z.Name, "--project", z.Project))
		return fmt.Sprintf("delete the narrower zone after the wildcard exists, in this order: (1) make 199.36.153.8/30 reachable from %s: the network stage of this plan (route, Private Google Access), by hand with the commands shown there; (2) create the wildcard zone: %s; (3) delete %s, records first: %s; (4) run vpcshift plan again: the run.app. zone is then in place and the plan goes on from there",
			net, strings.Join(pl.zoneCreateCommands(net), " && "), z.Name, strings.Join(dels, " && "))
	}
	if z.Kind != "" {
		return fmt.Sprintf("%s is a %s zone for run.app., not one that answers it: delete it (%s; between the deletion and the next plan *.run.app resolves publicly), then run vpcshift plan again: the plan then creates run.app. with the wildcard",
			z.Name, z.Kind, shellJoin("gcloud", "dns", "managed-zones", "delete", z.Name, "--project", z.Project))
	}
	// A run.app. zone with records that do not belong.
	var cmds []string
	hasWildcard := false
	for _, r := range z.Records {
		rn, typ := fqdn(r.Name), strings.ToUpper(r.Type)
		switch {
		case rn == RunAppDNSName && (typ == "SOA" || typ == "NS"):
			continue
		case rn == WildcardRunApp && typ == "A":
			if allVIP(r.RRDatas) {
				hasWildcard = true
				continue
			}
			hasWildcard = true
			cmds = append(cmds, shellJoin("gcloud", "dns", "record-sets", "update", WildcardRunApp, "--type", "A", "--ttl", fmt.Sprint(RecordTTL), "--rrdatas", strings.Join(PrivateVIPs(), ","), "--zone", z.Name, "--project", z.Project))
			continue
		case (rn == WildcardRunApp || rn == RunAppDNSName) && recordOnVIP(typ, r.RRDatas):
			continue
		}
		cmds = append(cmds, shellJoin("gcloud", "dns", "record-sets", "delete", r.Name, "--type", r.Type, "--zone", z.Name, "--project", z.Project))
	}
	if !hasWildcard {
		cmds = append(cmds, shellJoin("gcloud", "dns", "record-sets", "create", WildcardRunApp, "--type", "A", "--ttl", fmt.Sprint(RecordTTL), "--rrdatas", strings.Join(PrivateVIPs(), ","), "--zone", z.Name, "--project", z.Project))
	}
	if len(cmds) == 0 {
		return "make its only records *.run.app. A 199.36.153.8, .9, .10, .11 (plus the apex SOA and NS), then run vpcshift plan again"
	}
	return fmt.Sprintf("remove the conflicting records and keep only *.run.app. A 199.36.153.8–.11 (plus the apex SOA and NS): %s; then run vpcshift plan again", strings.Join(cmds, " && "))
}

// responsePolicyBlocker stops the plan on a response policy rule that
// answers run.app names with something else.
func (pl *planner) responsePolicyBlocker(dz analyzer.DNSZone, res string) {
	polID, rule, _ := strings.Cut(res, "/rules/")
	var pol *inventory.ResponsePolicy
	for i := range pl.snap.ResponsePolicies {
		if pl.snap.ResponsePolicies[i].ID == polID {
			pol = &pl.snap.ResponsePolicies[i]
		}
	}
	if pol == nil {
		return
	}
	pl.touch(pol.ID)
	id := analyzer.CodeResponsePolicyConflict + ":" + res
	reason := fmt.Sprintf("response policy %s rule %s answers run.app names on %s with something other than 199.36.153.8/30, and a response policy overrides any private zone", pol.Name, rule, dz.Network)
	if f, ok := pl.findings[id]; ok {
		reason = f.Message
	}
	fix := fmt.Sprintf("remove the conflicting rule once the wildcard zone exists: (1) create it: %s; (2) %s; (3) run vpcshift plan again. Alternatively point the rule's local data at 199.36.153.8–.11 and keep it",
		strings.Join(pl.zoneCreateCommands(dz.Network), " && "),
		shellJoin("gcloud", "dns", "response-policies", "rules", "delete", rule, "--response-policy", pol.Name, "--project", pol.Project))
	pl.blockers = append(pl.blockers, Blocker{ID: id, Resource: res, Reason: reason, Fix: fix, StopsPlan: true})
}

// zoneCreateCommands are the commands that create the wildcard zone of a
// network by hand.
func (pl *planner) zoneCreateCommands(net string) []string {
	project, network := splitNetKey(net)
	zone := pl.zoneName(net)
	return []string{
		shellJoin("gcloud", "dns", "managed-zones", "create", zone, "--project", project, "--dns-name", RunAppDNSName, "--visibility", "private", "--networks", network, "--description", ZoneDescription),
		shellJoin("gcloud", "dns", "record-sets", "create", WildcardRunApp, "--zone", zone, "--project", project, "--type", "A", "--ttl", fmt.Sprint(RecordTTL), "--rrdatas", strings.Join(PrivateVIPs(), ",")),
	}
}

// zoneName is the name of the zone vpcshift creates for a network: the
// analysis's proposal (run-app) unless the project already has a zone of
// that name or another planned network takes it.
func (pl *planner) zoneName(net string) string {
	project, network := splitNetKey(net)
	taken := map[string]bool{}
	for _, z := range pl.snap.DNSZones {
		if z.Project == project {
			taken[z.Name] = true
		}
	}
	// Networks of the same project that need a zone, in order: the first
	// gets run-app, the others run-app-NETWORK.
	var same []string
	for _, dz := range pl.rep.DNSZones {
		p, _ := splitNetKey(dz.Network)
		if p == project && (dz.Status == analyzer.ZoneNeeded || dz.Status == analyzer.ZoneConflict) {
			same = append(same, dz.Network)
		}
	}
	sort.Strings(same)
	name := "run-app"
	if len(same) > 0 && same[0] != net || taken[name] {
		name = dnsLabel("run-app-" + network)
	}
	for i := 2; taken[name]; i++ {
		name = dnsLabel(fmt.Sprintf("run-app-%s-%d", network, i))
	}
	return name
}

// dnsLabel makes a valid zone or route name: lower-case letters, digits
// and dashes, starting with a letter, at most 63 characters.
func dnsLabel(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := b.String()
	if len(out) > 63 {
		out = out[:63]
	}
	out = strings.TrimRight(out, "-")
	if out == "" || out[0] < 'a' || out[0] > 'z' {
		out = "v" + out
	}
	return out
}

func fqdn(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

var (
	privateVIP4  = netip.MustParsePrefix(PrivateVIPRange)
	privateVIP6p = netip.MustParsePrefix("2600:2d00:2:2000::/64")
)

func allVIP(rrs []string) bool {
	if len(rrs) == 0 {
		return false
	}
	for _, rr := range rrs {
		a, err := netip.ParseAddr(rr)
		if err != nil || !privateVIP4.Contains(a) {
			return false
		}
	}
	return true
}

// recordOnVIP reports whether a record answers only with the VIP (A,
// AAAA) or points at run.app. (CNAME).
func recordOnVIP(typ string, rrs []string) bool {
	switch typ {
	case "A":
		return allVIP(rrs)
	case "AAAA":
		for _, rr := range rrs {
			a, err := netip.ParseAddr(rr)
			if err != nil || !privateVIP6p.Contains(a) {
				return false
			}
		}
		return len(rrs) > 0
	case "CNAME":
		for _, rr := range rrs {
			if fqdn(rr) != RunAppDNSName {
				return false
			}
		}
		return len(rrs) > 0
	}
	return false
}
