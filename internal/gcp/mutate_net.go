package gcp

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	compute "google.golang.org/api/compute/v1"
	dns "google.golang.org/api/dns/v1"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// Zones lists a project's managed zones, with the records of any zone for
// run.app or below it.
func (c *Clients) Zones(ctx context.Context, project string) ([]inventory.DNSZone, error) {
	col := &collector{c: c, sem: make(chan struct{}, 4), retry: DefaultRetry, coverage: map[string]*inventory.Coverage{}, snap: &inventory.Snapshot{}}
	col.dns(ctx, project)
	if cv := col.coverage[project+"|"+apiDNS]; cv != nil && cv.Status != inventory.CoverageOK {
		return nil, fmt.Errorf("listing the DNS zones of %s: %s", project, cv.Detail)
	}
	return col.snap.DNSZones, nil
}

func networkURL(ref string) string {
	// ref is PROJECT/NETWORK
	p, n := ref, ref
	if i := len(ref) - len(inventory.LastSegment(ref)); i > 0 {
		p, n = ref[:i-1], inventory.LastSegment(ref)
	}
	return "https://www.googleapis.com/compute/v1/projects/" + p + "/global/networks/" + n
}

// CreateZone creates a private zone visible to z.Networks (PROJECT/NETWORK)
// and adds z.Records in one atomic change. A zone of that name that already
// exists with the same DNS name is taken as done (re-running is harmless).
func (c *Clients) CreateZone(ctx context.Context, project string, z inventory.DNSZone, description string) error {
	what := fmt.Sprintf("creating DNS zone %s (%s) in %s", z.Name, z.DNSName, project)
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	mz := &dns.ManagedZone{Name: z.Name, DnsName: z.DNSName, Description: description, Visibility: "private",
		PrivateVisibilityConfig: &dns.ManagedZonePrivateVisibilityConfig{}}
	for _, n := range z.Networks {
		mz.PrivateVisibilityConfig.Networks = append(mz.PrivateVisibilityConfig.Networks, &dns.ManagedZonePrivateVisibilityConfigNetwork{NetworkUrl: networkURL(n)})
	}
	if _, err := c.DNS.ManagedZones.Create(project, mz).Context(ctx).Do(); err != nil {
		ae := classify(err, apiDNS, project, what)
		if ae.Kind != KindConflict {
			return ae
		}
		existing, gerr := c.DNS.ManagedZones.Get(project, z.Name).Context(ctx).Do()
		if gerr != nil || existing.DnsName != z.DNSName {
			return ae
		}
	}
	// Records not yet there.
	have := map[string]bool{}
	if err := c.DNS.ResourceRecordSets.List(project, z.Name).Pages(ctx, func(l *dns.ResourceRecordSetsListResponse) error {
		for _, r := range l.Rrsets {
			have[r.Name+" "+r.Type] = true
		}
		return nil
	}); err != nil {
		return classify(err, apiDNS, project, what)
	}
	change := &dns.Change{}
	for _, r := range z.Records {
		if !have[r.Name+" "+r.Type] {
			change.Additions = append(change.Additions, &dns.ResourceRecordSet{Name: r.Name, Type: r.Type, Ttl: int64(r.TTL), Rrdatas: r.RRDatas})
		}
	}
	if len(change.Additions) == 0 {
		return nil
	}
	ch, err := c.DNS.Changes.Create(project, z.Name, change).Context(ctx).Do()
	if err != nil {
		return classify(err, apiDNS, project, what)
	}
	for ch.Status != "done" {
		if err := sleepCtx(ctx, PollInterval/4); err != nil {
			return err
		}
		if ch, err = c.DNS.Changes.Get(project, z.Name, ch.Id).Context(ctx).Do(); err != nil {
			return classify(err, apiDNS, project, what)
		}
	}
	return nil
}

// DeleteZone removes every record but the apex SOA and NS, then the zone.
// A zone already gone is not an error.
func (c *Clients) DeleteZone(ctx context.Context, project, name string) error {
	what := fmt.Sprintf("deleting DNS zone %s in %s", name, project)
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	z, err := c.DNS.ManagedZones.Get(project, name).Context(ctx).Do()
	if err != nil {
		if ae := classify(err, apiDNS, project, what); ae.Kind == KindNotFound {
			return nil
		}
		return classify(err, apiDNS, project, what)
	}
	change := &dns.Change{}
	if err := c.DNS.ResourceRecordSets.List(project, name).Pages(ctx, func(l *dns.ResourceRecordSetsListResponse) error {
		for _, r := range l.Rrsets {
			if r.Name == z.DnsName && (r.Type == "SOA" || r.Type == "NS") {
				continue
			}
			change.Deletions = append(change.Deletions, r)
		}
		return nil
	}); err != nil {
		return classify(err, apiDNS, project, what)
	}
	if len(change.Deletions) > 0 {
		ch, err := c.DNS.Changes.Create(project, name, change).Context(ctx).Do()
		if err != nil {
			return classify(err, apiDNS, project, what)
		}
		for ch.Status != "done" {
			if err := sleepCtx(ctx, PollInterval/4); err != nil {
				return err
			}
			if ch, err = c.DNS.Changes.Get(project, name, ch.Id).Context(ctx).Do(); err != nil {
				return classify(err, apiDNS, project, what)
			}
		}
	}
	if err := c.DNS.ManagedZones.Delete(project, name).Context(ctx).Do(); err != nil {
		return classify(err, apiDNS, project, what)
	}
	return nil
}

// NAT reads one Cloud NAT gateway's configuration (to change it, or to
// restore it), with its live VM endpoint count.
func (c *Clients) NAT(ctx context.Context, project, region, router, nat string) (*inventory.NATConfig, error) {
	what := fmt.Sprintf("reading Cloud NAT %s on router %s in %s", nat, router, region)
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	r, err := c.Compute.Routers.Get(project, region, router).Context(ctx).Do()
	if err != nil {
		return nil, classify(err, apiCompute, project, what)
	}
	for _, n := range r.Nats {
		if n.Name != nat {
			continue
		}
		raw, _ := json.Marshal(n)
		cfg := &inventory.NATConfig{Project: project, Region: region, Router: router, Name: nat, Raw: raw,
			SourceSubnetworkIPRangesToNat: n.SourceSubnetworkIpRangesToNat, VMEndpointsWithNATMappings: -1}
		for _, s := range n.Subnetworks {
			cfg.Subnetworks = append(cfg.Subnetworks, inventory.LastSegment(s.Name))
		}
		sort.Strings(cfg.Subnetworks)
		if st, err := c.Compute.Routers.GetRouterStatus(project, region, router).Context(ctx).Do(); err == nil && st.Result != nil {
			for _, ns := range st.Result.NatStatus {
				if ns.Name == nat {
					cfg.VMEndpointsWithNATMappings = int(ns.NumVmEndpointsWithNatMappings)
				}
			}
		}
		return cfg, nil
	}
	return nil, &APIError{Kind: KindNotFound, API: apiCompute, Project: project, Op: what, Err: fmt.Errorf("router %s has no NAT named %s", router, nat)}
}

// patchNATs replaces the router's NAT list after edit changes it.
func (c *Clients) patchNATs(ctx context.Context, project, region, router, what string, edit func([]*compute.RouterNat) ([]*compute.RouterNat, error)) error {
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	r, err := c.Compute.Routers.Get(project, region, router).Context(ctx).Do()
	if err != nil {
		return classify(err, apiCompute, project, what)
	}
	nats, err := edit(r.Nats)
	if err != nil {
		return err
	}
	patch := &compute.Router{Nats: nats, ForceSendFields: []string{"Nats"}}
	if nats == nil {
		patch.Nats = []*compute.RouterNat{}
	}
	op, err := c.Compute.Routers.Patch(project, region, router, patch).Context(ctx).Do()
	if err != nil {
		return classify(err, apiCompute, project, what)
	}
	return c.waitRegionOp(ctx, project, region, op.Name, op.Status, what)
}

// RemoveNATSubnets takes subnets out of a LIST_OF_SUBNETWORKS gateway.
func (c *Clients) RemoveNATSubnets(ctx context.Context, project, region, router, nat string, subnets []string) error {
	what := fmt.Sprintf("removing subnets %v from Cloud NAT %s", subnets, nat)
	drop := map[string]bool{}
	for _, s := range subnets {
		drop[s] = true
	}
	return c.patchNATs(ctx, project, region, router, what, func(nats []*compute.RouterNat) ([]*compute.RouterNat, error) {
		for _, n := range nats {
			if n.Name != nat {
				continue
			}
			var keep []*compute.RouterNatSubnetworkToNat
			for _, s := range n.Subnetworks {
				if !drop[inventory.LastSegment(s.Name)] {
					keep = append(keep, s)
				}
			}
			if len(keep) == 0 {
				return nil, &APIError{Kind: KindInvalid, API: apiCompute, Project: project, Op: what, Err: fmt.Errorf("that would leave %s with no subnet: remove the gateway instead", nat)}
			}
			n.Subnetworks = keep
			return nats, nil
		}
		return nil, &APIError{Kind: KindNotFound, API: apiCompute, Project: project, Op: what, Err: fmt.Errorf("router %s has no NAT named %s", router, nat)}
	})
}

// RemoveNAT deletes a gateway from its router (the router stays).
func (c *Clients) RemoveNAT(ctx context.Context, project, region, router, nat string) error {
	what := fmt.Sprintf("removing Cloud NAT %s from router %s", nat, router)
	return c.patchNATs(ctx, project, region, router, what, func(nats []*compute.RouterNat) ([]*compute.RouterNat, error) {
		var keep []*compute.RouterNat
		found := false
		for _, n := range nats {
			if n.Name == nat {
				found = true
				continue
			}
			keep = append(keep, n)
		}
		if !found {
			return nil, &APIError{Kind: KindNotFound, API: apiCompute, Project: project, Op: what, Err: fmt.Errorf("router %s has no NAT named %s", router, nat)}
		}
		return keep, nil
	})
}

// RestoreNAT puts a gateway back as cfg.Raw recorded it (replacing one of
// the same name).
func (c *Clients) RestoreNAT(ctx context.Context, cfg inventory.NATConfig) error {
	what := fmt.Sprintf("restoring Cloud NAT %s on router %s", cfg.Name, cfg.Router)
	var n compute.RouterNat
	if err := json.Unmarshal(cfg.Raw, &n); err != nil {
		return fmt.Errorf("%s: the recorded configuration is unreadable: %w", what, err)
	}
	return c.patchNATs(ctx, cfg.Project, cfg.Region, cfg.Router, what, func(nats []*compute.RouterNat) ([]*compute.RouterNat, error) {
		var out []*compute.RouterNat
		for _, x := range nats {
			if x.Name != cfg.Name {
				out = append(out, x)
			}
		}
		return append(out, &n), nil
	})
}
