package gcp

import (
	"context"
	"sort"
	"strings"

	compute "google.golang.org/api/compute/v1"
	dns "google.golang.org/api/dns/v1"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

func (col *collector) networks(ctx context.Context, project string) {
	_ = col.call(ctx, project, apiCompute, "networks", func(ctx context.Context) (int, error) {
		var got []inventory.Network
		err := col.c.Compute.Networks.List(project).MaxResults(500).Pages(ctx, func(l *compute.NetworkList) error {
			for _, n := range l.Items {
				mode := ""
				if n.RoutingConfig != nil {
					mode = n.RoutingConfig.RoutingMode
				}
				got = append(got, inventory.Network{
					ID: "projects/" + project + "/global/networks/" + n.Name, Project: project, Name: n.Name,
					SelfLink: n.SelfLink, AutoCreateSubnetworks: n.AutoCreateSubnetworks, RoutingMode: mode,
				})
			}
			return nil
		})
		if err != nil {
			return len(got), err
		}
		col.add(func(s *inventory.Snapshot) { s.Networks = append(s.Networks, got...) })
		return len(got), nil
	})
}

func (col *collector) subnets(ctx context.Context, project string) {
	_ = col.call(ctx, project, apiCompute, "subnetworks", func(ctx context.Context) (int, error) {
		var got []inventory.Subnet
		err := col.c.Compute.Subnetworks.AggregatedList(project).MaxResults(500).Pages(ctx, func(l *compute.SubnetworkAggregatedList) error {
			for _, scope := range sortedKeys(l.Items) {
				for _, sn := range l.Items[scope].Subnetworks {
					region := inventory.LastSegment(sn.Region)
					if len(col.opts.Regions) > 0 && !contains(col.opts.Regions, region) {
						continue
					}
					netProject := inventory.NameSegment(sn.Network, "projects")
					if netProject == "" {
						netProject = project
					}
					s := inventory.Subnet{
						ID: "projects/" + project + "/regions/" + region + "/subnetworks/" + sn.Name, Project: project,
						Region: region, Name: sn.Name, Network: inventory.LastSegment(sn.Network), NetworkProject: netProject,
						IPCIDRRange: sn.IpCidrRange, PrivateIPGoogleAccess: sn.PrivateIpGoogleAccess,
						Purpose: sn.Purpose, StackType: sn.StackType, IPv6AccessType: sn.Ipv6AccessType, Fingerprint: sn.Fingerprint,
					}
					for _, r := range sn.SecondaryIpRanges {
						s.SecondaryRanges = append(s.SecondaryRanges, r.RangeName+"="+r.IpCidrRange)
					}
					got = append(got, s)
				}
			}
			return nil
		})
		if err != nil {
			return len(got), err
		}
		col.add(func(s *inventory.Snapshot) { s.Subnets = append(s.Subnets, got...) })
		return len(got), nil
	})
}

func (col *collector) routes(ctx context.Context, project string) {
	_ = col.call(ctx, project, apiCompute, "routes", func(ctx context.Context) (int, error) {
		var got []inventory.Route
		err := col.c.Compute.Routes.List(project).MaxResults(500).Pages(ctx, func(l *compute.RouteList) error {
			for _, r := range l.Items {
				rt := inventory.Route{
					ID: "projects/" + project + "/global/routes/" + r.Name, Project: project, Name: r.Name,
					Network: inventory.LastSegment(r.Network), DestRange: r.DestRange, Priority: int(r.Priority), Tags: r.Tags,
				}
				switch {
				case r.NextHopGateway != "":
					rt.NextHopGateway = inventory.LastSegment(r.NextHopGateway)
				case r.NextHopIp != "":
					rt.NextHop = "ip:" + r.NextHopIp
				case r.NextHopInstance != "":
					rt.NextHop = "instance:" + inventory.LastSegment(r.NextHopInstance)
				case r.NextHopIlb != "":
					rt.NextHop = "ilb:" + r.NextHopIlb
				case r.NextHopVpnTunnel != "":
					rt.NextHop = "vpn:" + inventory.LastSegment(r.NextHopVpnTunnel)
				case r.NextHopPeering != "":
					rt.NextHop = "peering:" + r.NextHopPeering
				case r.NextHopNetwork != "":
					rt.NextHop = "network:" + inventory.LastSegment(r.NextHopNetwork)
				}
				got = append(got, rt)
			}
			return nil
		})
		if err != nil {
			return len(got), err
		}
		col.add(func(s *inventory.Snapshot) { s.Routes = append(s.Routes, got...) })
		return len(got), nil
	})
}

func (col *collector) addresses(ctx context.Context, project string) {
	_ = col.call(ctx, project, apiCompute, "addresses", func(ctx context.Context) (int, error) {
		var got []inventory.Address
		err := col.c.Compute.Addresses.AggregatedList(project).MaxResults(500).Pages(ctx, func(l *compute.AddressAggregatedList) error {
			for _, scope := range sortedKeys(l.Items) {
				for _, a := range l.Items[scope].Addresses {
					region := inventory.LastSegment(a.Region)
					got = append(got, inventory.Address{
						ID: "projects/" + project + "/regions/" + region + "/addresses/" + a.Name, Project: project, Region: region,
						Name: a.Name, Address: a.Address, AddressType: a.AddressType, Purpose: a.Purpose, Status: a.Status, Users: a.Users,
					})
				}
			}
			return nil
		})
		if err != nil {
			return len(got), err
		}
		col.add(func(s *inventory.Snapshot) { s.Addresses = append(s.Addresses, got...) })
		return len(got), nil
	})
}

type routerRef struct{ region, name string }

// routers reads Cloud Routers and their NAT gateways; it returns the
// routers with NAT, whose status is read next.
func (col *collector) routers(ctx context.Context, project string) []routerRef {
	var refs []routerRef
	_ = col.call(ctx, project, apiCompute, "routers and Cloud NAT", func(ctx context.Context) (int, error) {
		refs = refs[:0]
		var got []inventory.NAT
		err := col.c.Compute.Routers.AggregatedList(project).MaxResults(500).Pages(ctx, func(l *compute.RouterAggregatedList) error {
			for _, scope := range sortedKeys(l.Items) {
				for _, r := range l.Items[scope].Routers {
					region := inventory.LastSegment(r.Region)
					if len(col.opts.Regions) > 0 && !contains(col.opts.Regions, region) {
						continue
					}
					if len(r.Nats) > 0 {
						refs = append(refs, routerRef{region: region, name: r.Name})
					}
					for _, n := range r.Nats {
						nat := inventory.NAT{
							ID:      "projects/" + project + "/regions/" + region + "/routers/" + r.Name + "/nats/" + n.Name,
							Project: project, Region: region, Router: r.Name, Name: n.Name, Network: inventory.LastSegment(r.Network),
							SourceSubnetworkIPRangesToNat: n.SourceSubnetworkIpRangesToNat,
							NatIPAllocateOption:           n.NatIpAllocateOption, Type: n.Type,
						}
						for _, sn := range n.Subnetworks {
							nat.Subnetworks = append(nat.Subnetworks, inventory.LastSegment(sn.Name))
						}
						for _, ip := range n.NatIps {
							nat.NatIPs = append(nat.NatIPs, inventory.LastSegment(ip))
						}
						sort.Strings(nat.Subnetworks)
						got = append(got, nat)
					}
				}
			}
			return nil
		})
		if err != nil {
			return len(got), err
		}
		col.add(func(s *inventory.Snapshot) { s.NATs = append(s.NATs, got...) })
		return len(got), nil
	})
	return refs
}

func (col *collector) routerStatus(ctx context.Context, project string, rt routerRef) {
	_ = col.call(ctx, project, apiCompute, "status of router "+rt.name, func(ctx context.Context) (int, error) {
		st, err := col.c.Compute.Routers.GetRouterStatus(project, rt.region, rt.name).Context(ctx).Do()
		if err != nil {
			return 0, err
		}
		if st.Result == nil {
			return 0, nil
		}
		col.add(func(s *inventory.Snapshot) {
			for _, ns := range st.Result.NatStatus {
				id := "projects/" + project + "/regions/" + rt.region + "/routers/" + rt.name + "/nats/" + ns.Name
				for i := range s.NATs {
					if s.NATs[i].ID == id {
						s.NATs[i].Status = &inventory.NATStatus{
							VMEndpointsWithNATMappings: int(ns.NumVmEndpointsWithNatMappings),
							AutoAllocatedNatIPs:        ns.AutoAllocatedNatIps,
							UserAllocatedNatIPs:        ns.UserAllocatedNatIps,
						}
					}
				}
			}
		})
		return len(st.Result.NatStatus), nil
	})
}

// dns reads managed zones (with the records of any run.app zone),
// and response policies with their rules.
func (col *collector) dns(ctx context.Context, project string) {
	var zones []inventory.DNSZone
	err := col.call(ctx, project, apiDNS, "managed zones", func(ctx context.Context) (int, error) {
		zones = zones[:0]
		err := col.c.DNS.ManagedZones.List(project).MaxResults(500).Pages(ctx, func(l *dns.ManagedZonesListResponse) error {
			for _, z := range l.ManagedZones {
				dz := inventory.DNSZone{ID: "projects/" + project + "/managedZones/" + z.Name, Project: project, Name: z.Name, DNSName: z.DnsName, Visibility: z.Visibility}
				if z.PrivateVisibilityConfig != nil {
					for _, n := range z.PrivateVisibilityConfig.Networks {
						dz.Networks = append(dz.Networks, inventory.NameSegment(n.NetworkUrl, "projects")+"/"+inventory.LastSegment(n.NetworkUrl))
					}
				}
				switch {
				case z.ForwardingConfig != nil:
					dz.Kind = "forwarding"
				case z.PeeringConfig != nil:
					dz.Kind = "peering"
				case z.ServiceDirectoryConfig != nil:
					dz.Kind = "service-directory"
				}
				zones = append(zones, dz)
			}
			return nil
		})
		return len(zones), err
	})
	if err != nil {
		return
	}
	for i := range zones {
		z := &zones[i]
		if z.DNSName != "run.app." && !strings.HasSuffix(z.DNSName, ".run.app.") {
			continue
		}
		_ = col.call(ctx, project, apiDNS, "records of zone "+z.Name, func(ctx context.Context) (int, error) {
			z.Records = z.Records[:0]
			err := col.c.DNS.ResourceRecordSets.List(project, z.Name).MaxResults(500).Pages(ctx, func(l *dns.ResourceRecordSetsListResponse) error {
				for _, r := range l.Rrsets {
					z.Records = append(z.Records, inventory.DNSRecord{Name: r.Name, Type: r.Type, TTL: int(r.Ttl), RRDatas: r.Rrdatas})
				}
				return nil
			})
			return len(z.Records), err
		})
	}
	col.add(func(s *inventory.Snapshot) { s.DNSZones = append(s.DNSZones, zones...) })

	var policies []inventory.ResponsePolicy
	err = col.call(ctx, project, apiDNS, "response policies", func(ctx context.Context) (int, error) {
		policies = policies[:0]
		err := col.c.DNS.ResponsePolicies.List(project).MaxResults(500).Pages(ctx, func(l *dns.ResponsePoliciesListResponse) error {
			for _, p := range l.ResponsePolicies {
				rp := inventory.ResponsePolicy{ID: "projects/" + project + "/responsePolicies/" + p.ResponsePolicyName, Project: project, Name: p.ResponsePolicyName}
				for _, n := range p.Networks {
					rp.Networks = append(rp.Networks, inventory.NameSegment(n.NetworkUrl, "projects")+"/"+inventory.LastSegment(n.NetworkUrl))
				}
				policies = append(policies, rp)
			}
			return nil
		})
		return len(policies), err
	})
	if err != nil {
		return
	}
	for i := range policies {
		p := &policies[i]
		_ = col.call(ctx, project, apiDNS, "rules of response policy "+p.Name, func(ctx context.Context) (int, error) {
			p.Rules = p.Rules[:0]
			err := col.c.DNS.ResponsePolicyRules.List(project, p.Name).MaxResults(500).Pages(ctx, func(l *dns.ResponsePolicyRulesListResponse) error {
				for _, r := range l.ResponsePolicyRules {
					rule := inventory.ResponsePolicyRule{Name: r.RuleName, DNSName: r.DnsName, Behavior: r.Behavior}
					if r.LocalData != nil {
						for _, rr := range r.LocalData.LocalDatas {
							rule.LocalData = append(rule.LocalData, inventory.DNSRecord{Name: rr.Name, Type: rr.Type, TTL: int(rr.Ttl), RRDatas: rr.Rrdatas})
						}
					}
					p.Rules = append(p.Rules, rule)
				}
				return nil
			})
			return len(p.Rules), err
		})
	}
	col.add(func(s *inventory.Snapshot) { s.ResponsePolicies = append(s.ResponsePolicies, policies...) })
}
