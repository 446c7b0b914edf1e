package emulator

import (
	"strings"

	compute "google.golang.org/api/compute/v1"
)

// adjustRouterStatus keeps a scenario's router status true to the current
// state: gateways removed from the router disappear, and the VM endpoints
// of connectors deleted since the scenario was loaded no longer count (a
// connector's instances are VMs that get NAT mappings). Callers hold s.mu.
func (s *Server) adjustRouterStatus(p *Project, rt *compute.Router, st *compute.RouterStatusResponse) {
	if st.Result == nil {
		return
	}
	current := map[string]*compute.RouterNat{}
	for _, n := range rt.Nats {
		current[n.Name] = n
	}
	original := map[string]bool{}
	if s.scenario != nil {
		for _, sp := range s.scenario.Projects {
			if sp.ProjectID != p.ProjectID {
				continue
			}
			for _, r := range sp.Routers {
				if r.Name == rt.Name && lastSegment(r.Region) == lastSegment(rt.Region) {
					for _, n := range r.Nats {
						original[n.Name] = true
					}
				}
			}
		}
	}
	var keep []*compute.RouterStatusNatStatus
	for _, ns := range st.Result.NatStatus {
		nat, ok := current[ns.Name]
		if !ok {
			if original[ns.Name] {
				continue // the gateway was removed since
			}
			keep = append(keep, ns)
			continue
		}
		gone := s.deletedConnectorVMs(p, rt, nat)
		if gone > 0 {
			ns.NumVmEndpointsWithNatMappings -= gone
			if ns.NumVmEndpointsWithNatMappings < 0 {
				ns.NumVmEndpointsWithNatMappings = 0
			}
			ns.ForceSendFields = append(ns.ForceSendFields, "NumVmEndpointsWithNatMappings")
		}
		keep = append(keep, ns)
	}
	st.Result.NatStatus = keep
}

// deletedConnectorVMs counts the instances of the scenario's connectors
// that this gateway translated and that no longer exist.
func (s *Server) deletedConnectorVMs(p *Project, rt *compute.Router, nat *compute.RouterNat) int64 {
	if s.scenario == nil {
		return 0
	}
	region := lastSegment(rt.Region)
	network := lastSegment(rt.Network)
	listed := map[string]bool{}
	for _, sn := range nat.Subnetworks {
		listed[lastSegment(sn.Name)] = true
	}
	var n int64
	for _, sp := range s.scenario.Projects {
		for _, c := range sp.Connectors {
			parts := strings.Split(c.GetName(), "/")
			if len(parts) != 6 || parts[3] != region || c.GetNetwork() != network {
				continue
			}
			subnetProject := sp.ProjectID
			if c.GetSubnet().GetProjectId() != "" {
				subnetProject = c.GetSubnet().GetProjectId()
			}
			if subnetProject != p.ProjectID && sp.ProjectID != p.ProjectID {
				continue
			}
			if nat.SourceSubnetworkIpRangesToNat == "LIST_OF_SUBNETWORKS" && !listed[c.GetSubnet().GetName()] {
				continue
			}
			if s.connectorExists(c.GetName()) {
				continue
			}
			n += s.connectorInstances(sp, parts[3], parts[5], int64(c.GetMinInstances()))
		}
	}
	return n
}

func (s *Server) connectorExists(name string) bool {
	for _, p := range s.projects {
		for _, c := range p.Connectors {
			if c.GetName() == name {
				return true
			}
		}
	}
	return false
}

// connectorInstances is the connector's instance count as the scenario's
// monitoring shows it (the last point), else its minimum (default 2).
func (s *Server) connectorInstances(sp *Project, region, name string, min int64) int64 {
	for _, ts := range sp.TimeSeries {
		if ts.GetMetric().GetType() != "vpcaccess.googleapis.com/connector/instances" {
			continue
		}
		l := ts.GetResource().GetLabels()
		if l["location"] != region || l["connector_name"] != name || len(ts.GetPoints()) == 0 {
			continue
		}
		var latest int64
		var at int64
		for _, pt := range ts.GetPoints() {
			if t := pt.GetInterval().GetEndTime().AsTime().Unix(); t >= at {
				at, latest = t, pt.GetValue().GetInt64Value()
			}
		}
		return latest
	}
	if min == 0 {
		min = 2
	}
	return min
}
