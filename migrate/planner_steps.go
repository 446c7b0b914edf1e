package migrate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/money"
)

// The stages, step by step. Every step carries what the executor and the
// renderers need: parameters, checks, rollback, cost and risks.

// Risks that recur (sources: gcp-facts §4.1, §5, §9).
const (
	riskStartup = "Direct VPC egress can delay outbound connections by a minute or more while an instance starts (and 30 s more with Cloud NAT): requests that need the VPC right at cold start can fail; a startup probe that tests an egress dependency helps (gcp-facts §4.1, §9 #12)"
	riskPGA     = "Google API traffic from VMs without external IPs on this subnet goes to Google directly instead of through Cloud NAT: allow-lists keyed on the NAT's IPs no longer see it (gcp-facts §9 #10)"
	riskZone    = "from now on every client of the network — VMs, GKE, functions and services still on a connector — resolves *.run.app to 199.36.153.8–.11: it needs Private Google Access on its subnet (the network stage) and a route to 199.36.153.8/30; cloudfunctions.net URLs and custom domains are not covered (gcp-facts §9 #9)"
	riskShadow  = "a record for a name under run.app (a.run.app., us-central1.run.app.) added later, here or in another zone on the network, hides the wildcard for every name below it (gcp-facts §9 #6)"
	riskRoute   = "only a route more specific than /30, or another /30 with a lower priority number, would still win over this one"
	riskLatest  = "traffic follows LATEST from now on, so later deploys take 100% as usual (a pinned split would persist until --to-latest, gcp-facts §9 #17)"
)

func (pl *planner) addDelta(a money.Amount) string {
	if a.Sign() == 0 {
		return ""
	}
	pl.deltas = append(pl.deltas, a)
	return deltaString(a)
}

// --- preflight --------------------------------------------------------------

func (pl *planner) preflightStage() Stage {
	st := Stage{Name: StagePreflight, Title: "Preflight",
		Description: "Read-only checks and what a person must do before anything changes. A blocker that stops the plan is resolved here, or nothing past this stage runs."}
	if pl.stopped {
		var lines []string
		for _, b := range pl.blockers {
			if b.StopsPlan {
				lines = append(lines, fmt.Sprintf("- %s: %s\n  fix: %s", b.Resource, b.Reason, b.Fix))
			}
		}
		st.Steps = append(st.Steps, Step{
			ID: "preflight/blockers", Action: ActionCheck, Kind: "plan", Resource: "plan",
			Title:  "Resolve the blockers that stop the plan",
			Params: Params{Instructions: "Nothing past preflight may run until these are resolved; then make a new plan (vpcshift plan):\n" + strings.Join(lines, "\n")},
			Verify: []Check{{Kind: CheckNoBlocker, Description: "no blocker that stops the plan remains"}},
		})
	}
	st.Steps = append(st.Steps, pl.grantSteps()...)
	if pl.opts.Live {
		for _, m := range pl.moves {
			c := m.c
			id := stepID("preflight", c.Project, c.Region, kindPart(c.Kind), c.Name, "validate")
			pl.validate[c.ID] = id
			st.Steps = append(st.Steps, Step{
				ID: id, Action: ActionValidate, Kind: string(c.Kind), Project: c.Project, Region: c.Region, Resource: c.ID,
				Title:         fmt.Sprintf("Validate %s %s on Direct VPC egress (%s) without changing it", kindWord(c.Kind), c.Name, m.subnet.Name),
				Params:        pl.consumerParams(m),
				Preconditions: []Check{etagCheck(c)},
				Verify:        []Check{{Kind: CheckValidateAccepted, Description: "the API accepts the target configuration with validate_only (nothing is persisted)"}},
			})
		}
	}
	if len(st.Steps) == 0 {
		st.Description += " Nothing to check by hand for this plan."
	}
	return st
}

// grantSteps ask for roles/compute.networkUser on each Shared VPC host
// subnet, for the Cloud Run service agent of each service project that
// moves consumers onto it (gcp-facts §2.1), unless a consumer of that
// project already uses the subnet (then the grant is in place).
func (pl *planner) grantSteps() []Step {
	type grant struct {
		project string
		subnet  *inventory.Subnet
		users   []string
	}
	grants := map[string]*grant{}
	var keys []string
	for _, m := range pl.moves {
		if m.subnet.Project == m.c.Project || pl.grantKnown(m.c.Project, m.subnet) {
			continue
		}
		k := m.c.Project + "|" + m.subnet.ID
		g := grants[k]
		if g == nil {
			g = &grant{project: m.c.Project, subnet: m.subnet}
			grants[k] = g
			keys = append(keys, k)
		}
		g.users = append(g.users, m.c.ID)
	}
	sort.Strings(keys)
	var out []Step
	for _, k := range keys {
		g := grants[k]
		sn := g.subnet
		member := "serviceAccount:service-PROJECT_NUMBER@serverless-robot-prod.iam.gserviceaccount.com"
		note := fmt.Sprintf("PROJECT_NUMBER is the number of %s (gcloud projects describe %s --format='value(projectNumber)')", g.project, g.project)
		if p, ok := pl.snap.Project(g.project); ok && p.Number != "" {
			member = "serviceAccount:service-" + p.Number + "@serverless-robot-prod.iam.gserviceaccount.com"
			note = ""
		}
		bind := []string{"gcloud", "compute", "networks", "subnets", "add-iam-policy-binding", sn.Name, "--region", sn.Region, "--project", sn.Project, "--member", member, "--role", "roles/compute.networkUser"}
		unbind := append([]string{"gcloud", "compute", "networks", "subnets", "remove-iam-policy-binding"}, bind[5:]...)
		id := stepID("preflight", g.project, "network-user", sn.Project, sn.Region, sn.Name)
		pl.grantStep[k] = id
		s := Step{
			ID: id, Action: ActionManual, Kind: "iam-binding", Project: sn.Project, Region: sn.Region, Resource: sn.ID,
			Title: fmt.Sprintf("Let the Cloud Run service agent of %s use subnet %s of %s", g.project, sn.Name, sn.Project),
			Params: Params{
				Instructions: fmt.Sprintf("Direct VPC egress on a Shared VPC subnet needs roles/compute.networkUser on the host subnet for the Cloud Run service agent of the service project (gcp-facts §2.1): grant it on %s to %s, for %s. Then confirm this step.",
					sn.ID, strings.TrimPrefix(member, "serviceAccount:"), names(g.users)),
				Commands: []string{shellJoin(bind...)},
			},
			Verify:   []Check{{Kind: CheckManualConfirmed, Description: "a person confirmed the binding is in place (gcloud compute networks subnets get-iam-policy shows it)"}},
			Rollback: &Rollback{Description: "remove the binding once nothing of " + g.project + " uses the subnet", Commands: []string{shellJoin(unbind...)}},
			Notes:    []string{"roles/compute.networkUser on the whole host project also works, but lets the service project use every subnet"},
		}
		if note != "" {
			s.Notes = append(s.Notes, note)
		}
		out = append(out, s)
	}
	return out
}

// grantKnown reports whether a consumer of project already uses subnet
// with Direct VPC egress (so the service agent's grant is in place).
func (pl *planner) grantKnown(project string, sn *inventory.Subnet) bool {
	for _, c := range pl.snap.Consumers {
		if c.Project != project || c.DirectVPC == nil || c.DirectVPC.Subnetwork == "" {
			continue
		}
		ref := c.DirectVPC.Subnetwork
		if inventory.LastSegment(ref) != sn.Name || firstNonEmpty(inventory.NameSegment(ref, "regions"), c.Region) != sn.Region {
			continue
		}
		if p := inventory.NameSegment(ref, "projects"); p == "" || p == sn.Project {
			return true
		}
	}
	return false
}

// --- network ----------------------------------------------------------------

func (pl *planner) networkStage() Stage {
	st := Stage{Name: StageNetwork, Title: "Network",
		Description: "Private Google Access on every subnet of each network that gets the run.app. zone (the Direct VPC subnets, the connector subnets and every other subnet whose workloads resolve *.run.app), and a route to 199.36.153.8/30 where none leads to the internet gateway."}
	for _, pla := range pl.heldPlacements {
		project, network := splitNetKey(pla.Network)
		var waiting []string
		for _, pc := range pla.Consumers {
			if rc := pl.repCons[pc.ID]; rc != nil && rc.Status == analyzer.ConsumerMigratable {
				waiting = append(waiting, pc.ID)
			}
		}
		create := shellJoin("gcloud", "compute", "networks", "subnets", "create", "run-"+pla.Region, "--network", network, "--region", pla.Region, "--range", "RANGE", "--enable-private-ip-google-access", "--project", project)
		st.Steps = append(st.Steps, Step{
			ID: stepID("network", project, pla.Region, network, "choose-subnet"), Action: ActionManual, Kind: "subnet",
			Project: project, Region: pla.Region, Resource: fmt.Sprintf("projects/%s/regions/%s/networks/%s", project, pla.Region, network),
			Title: fmt.Sprintf("Choose a Direct VPC egress subnet for %s (vpcshift plan --subnet %s=NAME)", pla.Region, pla.Region),
			Params: Params{
				Instructions: fmt.Sprintf("No subnet of %s in %s fits Direct VPC egress (/26 at least, about 2 IPs per peak instance: %d IPs for %s). Create a /%d or larger subnet with Private Google Access (RFC 6598 space such as 100.64.0.0/10 works), or pick an existing one, then make a new plan with --subnet %s=NAME. Until then these consumers stay on their connector: %s.",
					pla.Network, pla.Region, pla.NeededIPs, names(waiting), prefixFor(pla.NeededIPs), pla.Region, names(waiting)),
				Commands: []string{create},
			},
			Verify: []Check{{Kind: CheckManualConfirmed, Description: "a subnet was chosen and the plan made again with --subnet"}},
		})
	}
	chosen := map[string]bool{}
	for _, m := range pl.moves {
		chosen[m.subnet.ID] = true
	}
	connSubnets := map[string]bool{}
	for _, c := range pl.snap.Connectors {
		if c.Subnet != "" {
			connSubnets[firstNonEmpty(c.SubnetProject, c.NetworkProject, c.Project)+"|"+c.Region+"|"+inventory.LastSegment(c.Subnet)] = true
		}
	}
	nets := sortedKeys(pl.networks)
	for _, net := range nets {
		var subnets []*inventory.Subnet
		for i := range pl.snap.Subnets {
			sn := &pl.snap.Subnets[i]
			if subnetNetKey(sn) != net {
				continue
			}
			switch sn.Purpose {
			case "", "PRIVATE", "PRIVATE_RFC_1918":
			default:
				continue // proxy-only, PSC and the like take no PGA
			}
			subnets = append(subnets, sn)
		}
		sort.SliceStable(subnets, func(i, j int) bool {
			if chosen[subnets[i].ID] != chosen[subnets[j].ID] {
				return chosen[subnets[i].ID]
			}
			return subnets[i].ID < subnets[j].ID
		})
		for _, sn := range subnets {
			if chosen[sn.ID] {
				pl.touch(sn.ID)
			}
			if sn.PrivateIPGoogleAccess {
				continue
			}
			pl.touch(sn.ID)
			why := fmt.Sprintf("its workloads resolve *.run.app through the VPC once the zone exists on %s", net)
			switch {
			case chosen[sn.ID]:
				why = "the Direct VPC egress subnet for " + sn.Region
			case connSubnets[sn.Project+"|"+sn.Region+"|"+sn.Name]:
				why = "a connector subnet: consumers still on the connector resolve *.run.app through the VPC once the zone exists"
			}
			id := stepID("network", sn.Project, sn.Region, sn.Name, "pga")
			pl.pgaStep[sn.ID] = id
			st.Steps = append(st.Steps, Step{
				ID: id, Action: ActionSetPGA, Kind: "subnet", Project: sn.Project, Region: sn.Region, Resource: sn.ID,
				Title:  fmt.Sprintf("Turn on Private Google Access on %s (%s)", sn.Name, why),
				Params: Params{Subnet: sn.Name, Network: networkName(net), PrivateIPGoogleAccess: true},
				Verify: []Check{{Kind: CheckSubnetPGA, Description: "privateIpGoogleAccess is true on " + sn.Name}},
				Rollback: &Rollback{Description: "turn Private Google Access off again",
					Commands: []string{shellJoin("gcloud", "compute", "networks", "subnets", "update", sn.Name, "--region", sn.Region, "--project", sn.Project, "--no-enable-private-ip-google-access")}},
				Risks: []string{riskPGA},
			})
		}
	}
	for _, net := range nets {
		project, network := splitNetKey(net)
		f, ok := pl.findings[analyzer.CodeNoVIPRoute+":"+networkName(net)]
		if !ok {
			continue
		}
		name := pl.routeName(net)
		id := stepID("network", project, network, "route-private-googleapis")
		pl.routeStep[net] = id
		st.Steps = append(st.Steps, Step{
			ID: id, Action: ActionCreateRoute, Kind: "route", Project: project, Resource: "projects/" + project + "/global/routes/" + name,
			Title:         fmt.Sprintf("Route %s (private.googleapis.com) to the default internet gateway on %s", PrivateVIPRange, network),
			Params:        Params{RouteName: name, Network: networkName(net), DestRange: PrivateVIPRange, NextHopGateway: DefaultInternetGateway, Priority: VIPRoutePriority},
			Preconditions: []Check{{Kind: CheckRouteExists, Description: "no route named " + name + " exists yet (one covering " + PrivateVIPRange + " through the internet gateway makes the step a no-op)"}},
			Verify:        []Check{{Kind: CheckRouteExists, Description: "a route covers " + PrivateVIPRange + " through the default internet gateway on " + network}},
			Rollback: &Rollback{Description: "delete the route",
				Commands: []string{shellJoin("gcloud", "compute", "routes", "delete", name, "--project", project, "--quiet")}},
			Risks: []string{riskRoute},
			Notes: []string{f.Message, "traffic to 199.36.153.8/30 stays on Google's network: the range is not announced on the internet (gcp-facts §5)"},
		})
	}
	switch {
	case len(pl.networks) == 0:
		st.Description += " Nothing to change: no network is part of this plan."
	case len(st.Steps) == 0:
		st.Description += " Nothing to change: Private Google Access is on and 199.36.153.8/30 is routed where needed."
	}
	return st
}

// routeName is the name of the VIP route of a network, unique in its
// project.
func (pl *planner) routeName(net string) string {
	project, network := splitNetKey(net)
	taken := map[string]bool{}
	for _, r := range pl.snap.Routes {
		if r.Project == project {
			taken[r.Name] = true
		}
	}
	n := 0
	for other := range pl.networks {
		if p, _ := splitNetKey(other); p == project {
			n++
		}
	}
	name := "vpcshift-private-googleapis"
	if n > 1 || taken[name] {
		name = dnsLabel(name + "-" + network)
	}
	for i := 2; taken[name]; i++ {
		name = dnsLabel(fmt.Sprintf("vpcshift-private-googleapis-%s-%d", network, i))
	}
	return name
}

// --- dns --------------------------------------------------------------------

func (pl *planner) dnsStage() Stage {
	st := Stage{Name: StageDNS, Title: "DNS",
		Description: "The private zone run.app. on each network that needs it (in the project that owns the network: the Shared VPC host where that applies), answering *.run.app. with 199.36.153.8–.11."}
	zones := append([]analyzer.DNSZone(nil), pl.rep.DNSZones...)
	sort.Slice(zones, func(i, j int) bool { return zones[i].Network < zones[j].Network })
	var exists []string
	for _, dz := range zones {
		if !pl.networks[dz.Network] {
			continue
		}
		need := dz.Status == analyzer.ZoneNeeded
		if dz.Status == analyzer.ZoneConflict {
			// A conflict: create the wildcard zone unless the conflict is
			// the run.app. zone itself (its records are fixed by hand).
			_, hasRunApp := pl.zonesByID[dz.Zone]
			need = !hasRunApp
		}
		if dz.Status == analyzer.ZoneExists {
			exists = append(exists, fmt.Sprintf("%s (%s)", dz.Network, dz.Zone))
		}
		if !need {
			continue
		}
		project, network := splitNetKey(dz.Network)
		zone := pl.zoneName(dz.Network)
		recs := []inventory.DNSRecord{{Name: WildcardRunApp, Type: "A", TTL: RecordTTL, RRDatas: PrivateVIPs()}}
		dual := false
		for _, m := range pl.moves {
			if m.network == dz.Network && strings.EqualFold(m.subnet.StackType, "IPV4_IPV6") {
				dual = true
			}
		}
		if dual {
			recs = append(recs, inventory.DNSRecord{Name: WildcardRunApp, Type: "AAAA", TTL: RecordTTL, RRDatas: []string{PrivateVIP6}})
		}
		var rollback []string
		for _, r := range recs {
			rollback = append(rollback, shellJoin("gcloud", "dns", "record-sets", "delete", r.Name, "--type", r.Type, "--zone", zone, "--project", project))
		}
		rollback = append(rollback, shellJoin("gcloud", "dns", "managed-zones", "delete", zone, "--project", project))
		id := stepID("dns", project, network, "run-app-zone")
		pl.zoneStep[dz.Network] = id
		var deps []string
		if r := pl.routeStep[dz.Network]; r != "" {
			deps = append(deps, r)
		}
		for i := range pl.snap.Subnets {
			sn := &pl.snap.Subnets[i]
			if s := pl.pgaStep[sn.ID]; s != "" && subnetNetKey(sn) == dz.Network {
				deps = append(deps, s)
			}
		}
		s := Step{
			ID: id, Action: ActionCreateZone, Kind: "dns-zone", Project: project, Resource: "projects/" + project + "/managedZones/" + zone,
			Title:            fmt.Sprintf("Create the private zone run.app. (%s) on %s with *.run.app. → 199.36.153.8–.11", zone, network),
			Params:           Params{ZoneName: zone, DNSName: RunAppDNSName, Networks: []string{dz.Network}, Records: recs, Description: ZoneDescription},
			DependsOn:        deps,
			Preconditions:    []Check{{Kind: CheckZoneAbsent, Description: fmt.Sprintf("no zone named %s in %s, and no run.app. zone or response policy rule for run.app on %s", zone, project, dz.Network)}},
			Verify:           []Check{{Kind: CheckZoneResolves, Description: "the zone holds *.run.app. A 199.36.153.8–.11" + map[bool]string{true: " and AAAA " + PrivateVIP6, false: ""}[dual]}},
			Rollback:         &Rollback{Description: "delete the records, then the zone (run.app names resolve publicly again)", Commands: rollback},
			MonthlyCostDelta: pl.addDelta(moneyOf(dz.MonthlyCost)),
			Risks:            []string{riskZone, riskShadow},
		}
		if dual {
			s.Notes = append(s.Notes, "AAAA "+PrivateVIP6+" because a Direct VPC subnet on the network is dual-stack (IPV4_IPV6)")
		}
		for _, z := range pl.snap.DNSZones {
			for _, n := range z.Networks {
				if netKeyOf(n, z.Project) == dz.Network && fqdn(z.DNSName) != RunAppDNSName && !strings.HasSuffix(fqdn(z.DNSName), ".run.app.") {
					s.Notes = append(s.Notes, fmt.Sprintf("zone %s (%s) on the same network is not affected", z.Name, z.DNSName))
				}
			}
		}
		st.Steps = append(st.Steps, s)
	}
	if len(exists) > 0 {
		st.Description += " Already in place, left alone: " + strings.Join(exists, ", ") + "."
	}
	if len(st.Steps) == 0 && len(exists) == 0 {
		st.Description += " Nothing to create."
	}
	return st
}

// --- services ---------------------------------------------------------------

func (pl *planner) servicesStage() Stage {
	steps := pl.opts.TrafficSteps
	var pct []string
	for _, p := range steps {
		pct = append(pct, fmt.Sprint(p))
	}
	st := Stage{Name: StageServices, Title: "Services",
		Description: fmt.Sprintf("Each consumer moves to Direct VPC egress with PRIVATE_RANGES_ONLY and its connector cleared, callees before callers. A service first gets a new revision with no traffic under the tag %s, then traffic in steps (%s %%), each watched for %s; jobs, worker pools and functions move in one update.",
			pl.opts.Tag, strings.Join(pct, " → "), short(pl.opts.CanarySoak))}
	if len(pl.held) > 0 {
		var ids []string
		for id := range pl.held {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		var parts []string
		for _, id := range ids {
			parts = append(parts, fmt.Sprintf("%s (%s)", inventory.LastSegment(id), pl.held[id]))
		}
		st.Description += " Staying where they are (see blockers): " + strings.Join(parts, "; ") + "."
	}
	for _, m := range pl.moves {
		c := m.c
		var deps []string
		add := func(id string) {
			if id != "" {
				deps = append(deps, id)
			}
		}
		add(pl.validate[c.ID])
		add(pl.grantStep[c.Project+"|"+m.subnet.ID])
		add(pl.pgaStep[m.subnet.ID])
		add(pl.routeStep[m.network])
		add(pl.zoneStep[m.network])
		for _, callee := range c.Calls {
			add(pl.lastStep[callee])
		}
		switch c.Kind {
		case inventory.KindService:
			st.Steps = append(st.Steps, pl.serviceSteps(m, deps)...)
		default:
			st.Steps = append(st.Steps, pl.updateStep(m, deps))
		}
	}
	if len(st.Steps) == 0 {
		st.Description += " Nothing moves in this plan."
	}
	return st
}

func kindPart(k inventory.ConsumerKind) string { return string(k) }

func kindWord(k inventory.ConsumerKind) string {
	switch k {
	case inventory.KindService:
		return "service"
	case inventory.KindJob:
		return "job"
	case inventory.KindWorkerPool:
		return "worker pool"
	case inventory.KindFunction:
		return "function"
	}
	return string(k)
}

func etagCheck(c *inventory.Consumer) Check {
	d := fmt.Sprintf("%s is unchanged since the inventory (etag %s, generation %d)", c.Name, c.Etag, c.Generation)
	if c.Etag == "" {
		d = fmt.Sprintf("%s still uses connector %s, as in the inventory (it has no etag to compare)", c.Name, inventory.LastSegment(c.Connector))
	}
	return Check{Kind: CheckEtagUnchanged, Description: d}
}

func (pl *planner) consumerParams(m *move) Params {
	c := m.c
	p := Params{
		Network:       networkName(m.network),
		Subnetwork:    subnetName(m.subnet),
		Egress:        inventory.EgressPrivateRangesOnly,
		FromConnector: c.Connector,
		FromEgress:    c.Egress,
		Etag:          c.Etag,
		Generation:    c.Generation,
	}
	if c.DirectVPC != nil && len(c.DirectVPC.Tags) > 0 {
		p.NetworkTags = append([]string(nil), c.DirectVPC.Tags...)
	}
	return p
}

// consumerRisks are the risks of moving one consumer.
func (pl *planner) consumerRisks(m *move) []string {
	c := m.c
	pla := m.placement
	risks := []string{riskStartup,
		fmt.Sprintf("each instance takes about 2 IPs from %s (%s, %d usable): %d IPs are needed for the peak instances of every consumer placed there (gcp-facts §4.1); when it runs out, new instances fail to start", m.subnet.Name, m.subnet.IPCIDRRange, pla.AvailableIPs, pla.NeededIPs)}
	src := "the connector's subnet"
	if m.conn.IPCIDRRange != "" {
		src = m.conn.IPCIDRRange
	} else if sn := pl.subnetByKey[firstNonEmpty(m.conn.SubnetProject, m.conn.NetworkProject, m.conn.Project)+"|"+m.conn.Region+"|"+inventory.LastSegment(m.conn.Subnet)]; sn != nil {
		src = sn.Name + ", " + sn.IPCIDRRange
	}
	risks = append(risks, fmt.Sprintf("its VPC traffic now comes from %s (%s) instead of through connector %s (from %s): firewall rules that allow the connector's range or network tags do not match it; allow %s in them before traffic moves",
		m.subnet.IPCIDRRange, m.subnet.Name, m.conn.Name, src, m.subnet.IPCIDRRange))
	if c.Egress == inventory.EgressAllTraffic {
		risks = append(risks, "it sent ALL_TRAFFIC through the connector: with PRIVATE_RANGES_ONLY its internet traffic leaves from Google's IPs, not through the VPC and Cloud NAT — a partner that allow-lists the NAT's IPs will refuse it")
	}
	if f, ok := pl.findings[analyzer.CodeNATStaticEgressIP+":"+c.ID]; ok {
		risks = append(risks, f.Message+" — "+f.Fix)
	}
	return risks
}

// revisionName is the revision deploy-revision creates:
// SERVICE-direct-GGGGG with the next generation. Cloud Run requires the
// service name as prefix and service names are under 50 characters, so
// it fits 63; a longer one drops "direct-".
func revisionName(c *inventory.Consumer) string {
	suffix := fmt.Sprintf("direct-%05d", c.Generation+1)
	if len(c.Name)+1+len(suffix) > 63 {
		suffix = fmt.Sprintf("d%05d", c.Generation+1)
	}
	return c.Name + "-" + suffix
}

func (pl *planner) serviceSteps(m *move, deps []string) []Step {
	c := m.c
	tag := pl.opts.Tag
	rev := revisionName(c)
	base := []string{"services", c.Project, c.Region, "service", c.Name}
	params := pl.consumerParams(m)
	params.Tag, params.Revision, params.PreviousRevision = tag, rev, m.previous
	params.Traffic = append([]inventory.TrafficTarget{
		{Type: "REVISION", Revision: m.previous, Percent: 100},
		{Type: "REVISION", Revision: rev, Percent: 0, Tag: tag},
	}, m.otherTags...)
	connector := c.Connector
	undoDeploy := []string{
		shellJoin("gcloud", "run", "services", "update-traffic", c.Name, "--region", c.Region, "--project", c.Project, "--to-revisions", m.previous+"=100"),
		shellJoin("gcloud", "run", "services", "update", c.Name, "--region", c.Region, "--project", c.Project, "--vpc-connector", connector, "--vpc-egress", egressFlag(c.Egress), "--clear-network"),
		shellJoin("gcloud", "run", "services", "update-traffic", c.Name, "--region", c.Region, "--project", c.Project, "--to-latest"),
	}
	tagURL := ""
	if c.URI != "" {
		tagURL = strings.Replace(c.URI, "://", "://"+tag+"---", 1)
	}
	deploy := Step{
		ID: stepID(append(base, "deploy")...), Action: ActionDeployRevision, Kind: string(c.Kind), Project: c.Project, Region: c.Region, Resource: c.ID,
		Title:     fmt.Sprintf("Deploy %s as revision %s on Direct VPC egress (%s, %s), with no traffic, tagged %s", c.Name, rev, m.subnet.Name, "PRIVATE_RANGES_ONLY", tag),
		Params:    params,
		DependsOn: deps,
		Preconditions: []Check{etagCheck(c),
			{Kind: CheckTrafficOneRevision, Description: fmt.Sprintf("100%% of the traffic goes to %s", m.previous)}},
		Verify: []Check{{Kind: CheckRevisionReady, Description: fmt.Sprintf("revision %s is Ready and tag %s names it, at 0%%", rev, tag)}},
		Rollback: &Rollback{
			Description: fmt.Sprintf("send all traffic back to %s, put the service back on connector %s, and let traffic follow LATEST again", m.previous, inventory.LastSegment(connector)),
			Commands:    undoDeploy,
		},
		Risks: pl.consumerRisks(m),
	}
	if tagURL != "" {
		deploy.Notes = append(deploy.Notes, fmt.Sprintf("before any traffic moves, the new revision answers at %s (from inside the VPC when ingress is internal)", tagURL))
	}
	if len(params.NetworkTags) > 0 {
		deploy.Notes = append(deploy.Notes, "keeps its network tags: "+strings.Join(params.NetworkTags, ", "))
	}
	out := []Step{deploy}
	prevID := deploy.ID
	for i, p := range pl.opts.TrafficSteps {
		last := i == len(pl.opts.TrafficSteps)-1
		sp := Params{Tag: tag, Percent: p, Revision: rev, PreviousRevision: m.previous, Wait: Duration(pl.opts.CanarySoak)}
		var title, verify, risk string
		if last {
			sp.Traffic = append([]inventory.TrafficTarget{{Type: "LATEST", Percent: 100}, {Type: "REVISION", Revision: rev, Percent: 0, Tag: tag}}, m.otherTags...)
			title = fmt.Sprintf("Send 100%% of %s's traffic to LATEST (%s)", c.Name, rev)
			verify = fmt.Sprintf("LATEST (%s) serves 100%%", rev)
			risk = riskLatest
		} else {
			sp.Traffic = append([]inventory.TrafficTarget{{Type: "REVISION", Revision: m.previous, Percent: 100 - p}, {Type: "REVISION", Revision: rev, Percent: p, Tag: tag}}, m.otherTags...)
			title = fmt.Sprintf("Send %d%% of %s's traffic to %s (tag %s)", p, c.Name, rev, tag)
			verify = fmt.Sprintf("tag %s (%s) serves %d%%, %s %d%%", tag, rev, p, m.previous, 100-p)
			risk = fmt.Sprintf("%d%% of requests now run on Direct VPC egress: watch errors and latency for %s before the next step", p, short(pl.opts.CanarySoak))
		}
		s := Step{
			ID: stepID(append(base, fmt.Sprintf("traffic-%d", p))...), Action: ActionShiftTraffic, Kind: string(c.Kind), Project: c.Project, Region: c.Region, Resource: c.ID,
			Title:     title,
			Params:    sp,
			DependsOn: []string{prevID},
			Verify: []Check{
				{Kind: CheckTrafficAt, Description: verify},
				{Kind: CheckRevisionHealthy, Description: fmt.Sprintf("after %s, the 5xx ratio of %s is no worse than %s's", short(pl.opts.CanarySoak), rev, m.previous)},
			},
			Rollback: &Rollback{Description: "send 100% back to " + m.previous,
				Commands: []string{shellJoin("gcloud", "run", "services", "update-traffic", c.Name, "--region", c.Region, "--project", c.Project, "--to-revisions", m.previous+"=100")}},
			Risks: []string{risk},
		}
		if last {
			s.Notes = append(s.Notes, fmt.Sprintf("tag %s stays on %s at 0%%; remove it when done (%s)", tag, rev,
				shellJoin("gcloud", "run", "services", "update-traffic", c.Name, "--region", c.Region, "--project", c.Project, "--remove-tags", tag)))
		}
		out = append(out, s)
		prevID = s.ID
	}
	pl.firstStep[c.ID] = deploy.ID
	pl.lastStep[c.ID] = prevID
	return out
}

func egressFlag(e string) string {
	if e == inventory.EgressAllTraffic {
		return "all-traffic"
	}
	return "private-ranges-only"
}

// updateStep moves a job, worker pool or gen2 function in one update.
func (pl *planner) updateStep(m *move, deps []string) Step {
	c := m.c
	params := pl.consumerParams(m)
	s := Step{
		ID: stepID("services", c.Project, c.Region, kindPart(c.Kind), c.Name, "update"), Kind: string(c.Kind), Project: c.Project, Region: c.Region, Resource: c.ID,
		Params:        params,
		DependsOn:     deps,
		Preconditions: []Check{etagCheck(c)},
		Verify:        []Check{{Kind: CheckConsumerMoved, Description: fmt.Sprintf("%s has no connector, a network interface on %s and egress PRIVATE_RANGES_ONLY", c.Name, m.subnet.Name)}},
		Risks:         pl.consumerRisks(m),
	}
	conn := c.Connector
	switch c.Kind {
	case inventory.KindJob:
		s.Action = ActionUpdateJob
		s.Title = fmt.Sprintf("Move job %s to Direct VPC egress (%s, PRIVATE_RANGES_ONLY)", c.Name, m.subnet.Name)
		s.Rollback = &Rollback{Description: "put the job back on connector " + inventory.LastSegment(conn),
			Commands: []string{shellJoin("gcloud", "run", "jobs", "update", c.Name, "--region", c.Region, "--project", c.Project, "--vpc-connector", conn, "--vpc-egress", egressFlag(c.Egress), "--clear-network")}}
		s.Risks = append(s.Risks, "executions already running keep the connector until they end: the decommission soak covers them")
	case inventory.KindWorkerPool:
		s.Action = ActionUpdateWorkerPool
		s.Title = fmt.Sprintf("Move worker pool %s to Direct VPC egress (%s, PRIVATE_RANGES_ONLY)", c.Name, m.subnet.Name)
		s.Rollback = &Rollback{Description: "put the worker pool back on connector " + inventory.LastSegment(conn) + ": gcloud run worker-pools has no --vpc-connector flag, so vpcshift rollback does it through the API (or set template.vpcAccess.connector in your Terraform/YAML)"}
		s.Risks = append(s.Risks, "a worker pool has no traffic split: all its instances move at once")
	case inventory.KindFunction:
		s.Action = ActionUpdateFunction
		s.Title = fmt.Sprintf("Move function %s to Direct VPC egress (%s, VPC_EGRESS_PRIVATE_RANGES_ONLY)", c.Name, m.subnet.Name)
		egress := "private-ranges-only"
		if c.Egress == inventory.EgressAllTraffic {
			egress = "all"
		}
		s.Rollback = &Rollback{Description: "put the function back on connector " + inventory.LastSegment(conn) + " (vpcshift rollback does it through the API, without a rebuild)",
			Commands: []string{shellJoin("gcloud", "functions", "deploy", c.Name, "--gen2", "--region", c.Region, "--project", c.Project, "--source", "SOURCE_DIR", "--vpc-connector", conn, "--egress-settings", egress, "--clear-network", "--clear-network-tags")}}
		s.Risks = append(s.Risks, "gcloud functions deploy rebuilds the function from source; vpcshift apply changes only serviceConfig's VPC fields through the API (no rebuild)",
			"a function has no traffic split: the next instances start on Direct VPC egress")
		s.Notes = append(s.Notes, "gcloud's --direct-vpc-egress defaults to all: the runbook passes private-ranges-only explicitly (gcp-facts §2)")
	}
	pl.firstStep[c.ID] = s.ID
	pl.lastStep[c.ID] = s.ID
	return s
}

// --- decommission -------------------------------------------------------------

// natAction is what the decommission stage does to a Cloud NAT gateway.
type natAction struct {
	rn      *analyzer.NAT
	n       *inventory.NAT
	action  Action // ActionRemoveNAT, ActionRemoveNATSubnets, or "" (nothing)
	remove  []string
	conns   []string // the deleted connectors it serves
	allGone bool     // every connector it serves is deleted
}

func (pl *planner) natActions() []*natAction {
	invNATs := map[string]*inventory.NAT{}
	for i := range pl.snap.NATs {
		invNATs[pl.snap.NATs[i].ID] = &pl.snap.NATs[i]
	}
	var out []*natAction
	for i := range pl.rep.NATs {
		rn := &pl.rep.NATs[i]
		n := invNATs[rn.ID]
		if n == nil {
			continue
		}
		a := &natAction{rn: rn, n: n, allGone: len(rn.Connectors) > 0}
		for _, id := range rn.Connectors {
			if pl.deleted[id] {
				a.conns = append(a.conns, id)
			} else {
				a.allGone = false
			}
		}
		if len(a.conns) == 0 {
			continue
		}
		switch {
		case rn.Removable && a.allGone:
			a.action = ActionRemoveNAT
		case n.SourceSubnetworkIPRangesToNat == "LIST_OF_SUBNETWORKS":
			drop := map[string]bool{}
			for _, id := range a.conns {
				if c := pl.connectors[id]; c != nil && c.Subnet != "" {
					drop[inventory.LastSegment(c.Subnet)] = true
				}
			}
			var keep []string
			for _, s := range n.Subnetworks {
				if drop[inventory.LastSegment(s)] {
					a.remove = append(a.remove, inventory.LastSegment(s))
				} else {
					keep = append(keep, s)
				}
			}
			if len(a.remove) > 0 && len(keep) > 0 {
				a.action = ActionRemoveNATSubnets
			}
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rn.ID < out[j].rn.ID })
	return out
}

// natShare is a connector's part of the NAT savings, as the analysis
// attributed it to its consumers.
func (pl *planner) natShare(connID string) money.Amount {
	var sum money.Amount
	for _, rc := range pl.rep.Consumers {
		if rc.Connector == connID {
			sum = sum.Add(moneyOf(rc.AttributedNatMonthly))
		}
	}
	return sum
}

func (pl *planner) decommissionStage() Stage {
	st := Stage{Name: StageDecommission, Title: "Decommission",
		Description: fmt.Sprintf("Connectors nothing uses any more go, %s after the last of their consumers moved (idle ones at once); a Cloud NAT gateway goes, or drops the connector subnets, only when nothing else needs it.", short(pl.opts.DecommissionSoak))}
	nats := pl.natActions()
	natOf := map[string][]*natAction{} // connector → NATs serving it
	for _, a := range nats {
		for _, id := range a.conns {
			natOf[id] = append(natOf[id], a)
		}
	}
	var idle, migr []string
	for id := range pl.deleted {
		if rc := pl.repConns[id]; rc != nil && rc.Status == analyzer.ConnectorIdle {
			idle = append(idle, id)
		} else {
			migr = append(migr, id)
		}
	}
	sort.Strings(idle)
	sort.Strings(migr)
	deleteStep := map[string]string{}
	for _, id := range append(idle, migr...) {
		c := pl.connectors[id]
		rc := pl.repConns[id]
		if c == nil || rc == nil {
			continue
		}
		base := []string{"decommission", c.Project, c.Region, "connector", c.Name}
		var deps []string
		if rc.Status != analyzer.ConnectorIdle {
			var last []string
			for _, cid := range rc.Consumers {
				if s := pl.lastStep[cid]; s != "" {
					last = append(last, s)
				}
			}
			soak := Step{
				ID: stepID(append(base, "soak")...), Action: ActionSoak, Kind: "connector", Project: c.Project, Region: c.Region, Resource: c.ID,
				Title:     fmt.Sprintf("Wait %s after the last consumer of %s moved", short(pl.opts.DecommissionSoak), c.Name),
				Params:    Params{Wait: Duration(pl.opts.DecommissionSoak), Connector: c.ID},
				DependsOn: last,
				Verify:    []Check{{Kind: CheckSoakElapsed, Description: fmt.Sprintf("%s have passed since %s moved", short(pl.opts.DecommissionSoak), names(rc.Consumers))}},
				Notes:     []string{"the soak leaves room to roll a consumer back onto the connector; job executions started before the move end on it"},
			}
			st.Steps = append(st.Steps, soak)
			deps = []string{soak.ID}
		}
		delta := moneyOf(rc.MonthlyCost).Neg()
		var notes []string
		for _, a := range natOf[id] {
			if a.action != "" {
				continue
			}
			share := pl.natShare(id)
			if rc.Status == analyzer.ConnectorIdle && a.allGone {
				share = a.rn.MonthlySavings.Amount() // no consumer carries it
			}
			delta = delta.Sub(share)
			notes = append(notes, natNote(a, rc, share))
		}
		projects := pl.connectorProjects(c)
		recreate := []string{"gcloud", "compute", "networks", "vpc-access", "connectors", "create", c.Name, "--region", c.Region, "--project", c.Project}
		if c.Subnet != "" {
			recreate = append(recreate, "--subnet", inventory.LastSegment(c.Subnet))
			if sp := firstNonEmpty(c.SubnetProject, c.NetworkProject); sp != "" && sp != c.Project {
				recreate = append(recreate, "--subnet-project", sp)
			}
		} else {
			recreate = append(recreate, "--network", c.Network, "--range", c.IPCIDRRange)
		}
		recreate = append(recreate, "--machine-type", c.MachineType, "--min-instances", fmt.Sprint(c.MinInstances), "--max-instances", fmt.Sprint(c.MaxInstances))
		title := fmt.Sprintf("Delete connector %s (%d × %s)", c.Name, rc.Instances, c.MachineType)
		if rc.Status == analyzer.ConnectorIdle {
			title += ", which nothing uses"
		}
		s := Step{
			ID: stepID(append(base, "delete")...), Action: ActionDeleteConnector, Kind: "connector", Project: c.Project, Region: c.Region, Resource: c.ID,
			Title:         title,
			Params:        Params{Connector: c.ID, Projects: projects},
			DependsOn:     deps,
			Preconditions: []Check{{Kind: CheckConnectorUnused, Description: "a fresh read of every consumer kind in " + strings.Join(projects, ", ") + " finds nothing on " + c.Name}},
			Verify:        []Check{{Kind: CheckConnectorGone, Description: c.Name + " no longer exists"}},
			Rollback: &Rollback{Description: "a deleted connector cannot be restored: recreate it (minutes), then point each consumer at it again with --vpc-connector",
				Commands: []string{shellJoin(recreate...)}},
			MonthlyCostDelta: pl.addDelta(delta),
			Risks: []string{
				"a consumer outside the inventory (another project using this connector) would lose its VPC access: the precondition reads every project again and refuses if anything still uses it",
				"the firewall rules created for the connector can linger after it is gone and block deleting the network later (gcp-facts §9 #14)",
			},
			Notes: notes,
		}
		st.Steps = append(st.Steps, s)
		deleteStep[id] = s.ID
	}
	for _, a := range nats {
		if a.action == "" {
			continue
		}
		n := a.n
		var deps []string
		for _, id := range a.conns {
			if s := deleteStep[id]; s != "" {
				deps = append(deps, s)
			}
		}
		base := []string{"decommission", n.Project, n.Region, "nat", n.Router, n.Name}
		var share money.Amount
		if a.allGone {
			share = a.rn.MonthlySavings.Amount()
		} else {
			for _, id := range a.conns {
				share = share.Add(pl.natShare(id))
			}
		}
		switch a.action {
		case ActionRemoveNAT:
			st.Steps = append(st.Steps, Step{
				ID: stepID(append(base, "remove")...), Action: ActionRemoveNAT, Kind: "nat", Project: n.Project, Region: n.Region, Resource: n.ID,
				Title:         fmt.Sprintf("Remove Cloud NAT %s from router %s (it served only connector subnets)", n.Name, n.Router),
				Params:        Params{Router: n.Router, NAT: n.Name, Instructions: "vpcshift apply removes a Cloud NAT gateway only with --allow-nat-removal; without it, this step stops and asks"},
				DependsOn:     deps,
				Preconditions: []Check{{Kind: CheckNATUnneeded, Description: fmt.Sprintf("the router status shows no VM endpoint on %s beyond the deleted connectors' instances, and no consumer sending ALL_TRAFFIC through the VPC in %s", n.Name, n.Region)}},
				Verify:        []Check{{Kind: CheckNATChanged, Description: n.Name + " is gone from router " + n.Router + " (the router stays)"}},
				Rollback: &Rollback{Description: "recreate the gateway (vpcshift rollback restores the recorded configuration exactly)",
					Commands: []string{shellJoin(natCreateArgs(n)...)}},
				MonthlyCostDelta: pl.addDelta(share.Neg()),
				Risks: []string{
					"anything else in " + n.Region + " on " + n.Network + " that reaches the internet without an external IP loses it: VMs added since the inventory, consumers still sending ALL_TRAFFIC",
					"its external IPs are released: anything that allow-listed them stops matching",
				},
			})
		case ActionRemoveNATSubnets:
			ranges := keepRanges(n, a.remove)
			st.Steps = append(st.Steps, Step{
				ID: stepID(append(base, "remove-subnets")...), Action: ActionRemoveNATSubnets, Kind: "nat", Project: n.Project, Region: n.Region, Resource: n.ID,
				Title:         fmt.Sprintf("Take %s out of Cloud NAT %s (it keeps serving %s)", strings.Join(a.remove, ", "), n.Name, strings.Join(ranges, ", ")),
				Params:        Params{Router: n.Router, NAT: n.Name, RemoveSubnets: a.remove, KeepSubnets: ranges},
				DependsOn:     deps,
				Preconditions: []Check{{Kind: CheckNATUnneeded, Description: "the connectors on " + strings.Join(a.remove, ", ") + " are gone"}},
				Verify:        []Check{{Kind: CheckNATChanged, Description: n.Name + " no longer lists " + strings.Join(a.remove, ", ")}},
				Rollback: &Rollback{Description: "give the gateway its subnets back",
					Commands: []string{shellJoin("gcloud", "compute", "routers", "nats", "update", n.Name, "--router", n.Router, "--region", n.Region, "--project", n.Project, "--nat-custom-subnet-ip-ranges", strings.Join(subnetNames(n.Subnetworks), ","))}},
				MonthlyCostDelta: pl.addDelta(share.Neg()),
				Risks:            []string{"nothing else should be on a connector subnet; if something is, it loses internet egress"},
			})
		}
		pl.touch(n.ID)
	}
	var kept []string
	for _, rc := range pl.rep.Connectors {
		if !pl.deleted[rc.ID] {
			why := rc.Status
			switch {
			case len(rc.KeptBy) > 0:
				why = "kept by " + names(rc.KeptBy)
			case rc.Status == analyzer.ConnectorUnknownConsumers:
				why = "consumers in " + strings.Join(rc.UnknownProjects, ", ") + " could not be read"
			case rc.Status == analyzer.ConnectorMigratable:
				why = "some consumers wait for a subnet"
			}
			kept = append(kept, fmt.Sprintf("%s (%s)", rc.Name, why))
		}
	}
	if len(kept) > 0 {
		st.Description += " Staying: " + strings.Join(kept, "; ") + "."
	}
	if len(st.Steps) == 0 {
		st.Description += " Nothing to remove in this plan."
	}
	return st
}

// natCreateArgs recreate a gateway as the inventory saw it.
func natCreateArgs(n *inventory.NAT) []string {
	args := []string{"gcloud", "compute", "routers", "nats", "create", n.Name, "--router", n.Router, "--region", n.Region, "--project", n.Project}
	switch n.SourceSubnetworkIPRangesToNat {
	case "LIST_OF_SUBNETWORKS":
		args = append(args, "--nat-custom-subnet-ip-ranges", strings.Join(subnetNames(n.Subnetworks), ","))
	case "ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES":
		args = append(args, "--nat-primary-subnet-ip-ranges")
	default:
		args = append(args, "--nat-all-subnet-ip-ranges")
	}
	if len(n.NatIPs) > 0 {
		args = append(args, "--nat-external-ip-pool", strings.Join(subnetNames(n.NatIPs), ","))
	} else {
		args = append(args, "--auto-allocate-nat-external-ips")
	}
	return args
}

func subnetNames(refs []string) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = inventory.LastSegment(r)
	}
	return out
}

func keepRanges(n *inventory.NAT, remove []string) []string {
	drop := map[string]bool{}
	for _, r := range remove {
		drop[r] = true
	}
	var keep []string
	for _, s := range subnetNames(n.Subnetworks) {
		if !drop[s] {
			keep = append(keep, s)
		}
	}
	return keep
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedUnique(ss []string) []string {
	sort.Strings(ss)
	var out []string
	for i, s := range ss {
		if s != "" && (i == 0 || s != ss[i-1]) {
			out = append(out, s)
		}
	}
	return out
}

// natNote says why a NAT serving a deleted connector gets no step of its
// own, and what its share of the savings is.
func natNote(a *natAction, rc *analyzer.Connector, share money.Amount) string {
	n, rn := a.n, a.rn
	counted := fmt.Sprintf("Its share of the NAT cost (%s a month: uptime and data of the connector's traffic) is counted in this step", share.Fixed(2))
	switch {
	case rn.OtherEndpoints != nil && *rn.OtherEndpoints > 0:
		return fmt.Sprintf("Cloud NAT %s (%s) stays: it also serves %d other VM endpoints; the connector's %d VMs simply drop out of it, nothing to change there. %s",
			n.Name, n.SourceSubnetworkIPRangesToNat, *rn.OtherEndpoints, rc.Instances, counted)
	case rn.VMEndpoints == nil:
		return fmt.Sprintf("Cloud NAT %s stays: its router status could not be read, so vpcshift cannot tell whether anything else needs it; if nothing does, remove it by hand (%s). %s",
			n.Name, shellJoin("gcloud", "compute", "routers", "nats", "delete", n.Name, "--router", n.Router, "--region", n.Region, "--project", n.Project, "--quiet"), counted)
	case !a.allGone:
		return fmt.Sprintf("Cloud NAT %s stays while other connectors it serves remain; it can go in a later plan. %s", n.Name, counted)
	}
	return fmt.Sprintf("Cloud NAT %s stays; the connector's %d VMs drop out of it. %s", n.Name, rc.Instances, counted)
}

// connectorProjects are the projects whose consumers could use a
// connector: its own, those the API names (connectedProjects), and the
// Shared VPC service projects of its project that list its region (or
// whose regions are unknown).
func (pl *planner) connectorProjects(c *inventory.Connector) []string {
	projects := append([]string{c.Project}, c.ConnectedProjects...)
	for _, p := range pl.snap.Projects {
		if p.SharedVPCHost != c.Project {
			continue
		}
		in := len(p.Regions) == 0
		for _, r := range p.Regions {
			in = in || r == c.Region
		}
		if in {
			projects = append(projects, p.ID)
		}
	}
	return sortedUnique(projects)
}
