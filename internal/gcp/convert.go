package gcp

import (
	"regexp"
	"sort"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	appengine "google.golang.org/api/appengine/v1"
	cloudfunctions "google.golang.org/api/cloudfunctions/v2"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// runAppURL matches the run.app URLs a workload's environment may hold
// (how vpcshift learns who calls whom).
var runAppURL = regexp.MustCompile(`https://[a-z0-9][a-z0-9.-]*\.run\.app\b`)

// runEgress normalises Cloud Run's VpcEgress (ALL_TRAFFIC=1,
// PRIVATE_RANGES_ONLY=2; unset means PRIVATE_RANGES_ONLY, gcp-facts §3.3).
func runEgress(v *runpb.VpcAccess) string {
	if v == nil || (v.GetConnector() == "" && len(v.GetNetworkInterfaces()) == 0) {
		return ""
	}
	if v.GetEgress() == runpb.VpcAccess_ALL_TRAFFIC {
		return inventory.EgressAllTraffic
	}
	return inventory.EgressPrivateRangesOnly
}

func runDirectVPC(v *runpb.VpcAccess) *inventory.NetworkInterface {
	if v == nil || len(v.GetNetworkInterfaces()) == 0 {
		return nil
	}
	ni := v.GetNetworkInterfaces()[0]
	return &inventory.NetworkInterface{Network: ni.GetNetwork(), Subnetwork: ni.GetSubnetwork(), Tags: append([]string(nil), ni.GetTags()...)}
}

func runIngress(i runpb.IngressTraffic) string {
	switch i {
	case runpb.IngressTraffic_INGRESS_TRAFFIC_ALL:
		return inventory.IngressAll
	case runpb.IngressTraffic_INGRESS_TRAFFIC_INTERNAL_ONLY:
		return inventory.IngressInternal
	case runpb.IngressTraffic_INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER:
		return inventory.IngressInternalLoadBalancer
	case runpb.IngressTraffic_INGRESS_TRAFFIC_NONE:
		return inventory.IngressNone
	}
	return ""
}

func callURLs(containers []*runpb.Container) []string {
	seen := map[string]bool{}
	for _, c := range containers {
		for _, e := range c.GetEnv() {
			for _, u := range runAppURL.FindAllString(e.GetValue(), -1) {
				seen[u] = true
			}
		}
	}
	return sortedKeys(seen)
}

func serviceConsumer(project, region string, s *runpb.Service) inventory.Consumer {
	t := s.GetTemplate()
	c := inventory.Consumer{
		ID:                  s.GetName(),
		Kind:                inventory.KindService,
		Project:             project,
		Region:              region,
		Name:                inventory.LastSegment(s.GetName()),
		Connector:           t.GetVpcAccess().GetConnector(),
		Egress:              runEgress(t.GetVpcAccess()),
		DirectVPC:           runDirectVPC(t.GetVpcAccess()),
		Ingress:             runIngress(s.GetIngress()),
		URI:                 s.GetUri(),
		Etag:                s.GetEtag(),
		Generation:          s.GetGeneration(),
		LatestReadyRevision: inventory.LastSegment(s.GetLatestReadyRevision()),
		ServiceAccount:      t.GetServiceAccount(),
		MaxInstances:        int(t.GetScaling().GetMaxInstanceCount()),
		Labels:              s.GetLabels(),
		CallURLs:            callURLs(t.GetContainers()),
		// With the invoker IAM check disabled anyone may invoke it.
		Public: s.GetInvokerIamDisabled(),
	}
	for _, tt := range s.GetTraffic() {
		typ := "REVISION"
		if tt.GetType() == runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST {
			typ = "LATEST"
		}
		c.Traffic = append(c.Traffic, inventory.TrafficTarget{Type: typ, Revision: inventory.LastSegment(tt.GetRevision()), Percent: int(tt.GetPercent()), Tag: tt.GetTag()})
	}
	return c
}

func jobConsumer(project, region string, j *runpb.Job) inventory.Consumer {
	t := j.GetTemplate().GetTemplate()
	return inventory.Consumer{
		ID:             j.GetName(),
		Kind:           inventory.KindJob,
		Project:        project,
		Region:         region,
		Name:           inventory.LastSegment(j.GetName()),
		Connector:      t.GetVpcAccess().GetConnector(),
		Egress:         runEgress(t.GetVpcAccess()),
		DirectVPC:      runDirectVPC(t.GetVpcAccess()),
		Etag:           j.GetEtag(),
		Generation:     j.GetGeneration(),
		ServiceAccount: t.GetServiceAccount(),
		Labels:         j.GetLabels(),
		CallURLs:       callURLs(t.GetContainers()),
	}
}

func workerPoolConsumer(project, region string, w *runpb.WorkerPool) inventory.Consumer {
	t := w.GetTemplate()
	return inventory.Consumer{
		ID:             w.GetName(),
		Kind:           inventory.KindWorkerPool,
		Project:        project,
		Region:         region,
		Name:           inventory.LastSegment(w.GetName()),
		Connector:      t.GetVpcAccess().GetConnector(),
		Egress:         runEgress(t.GetVpcAccess()),
		DirectVPC:      runDirectVPC(t.GetVpcAccess()),
		Etag:           w.GetEtag(),
		Generation:     w.GetGeneration(),
		ServiceAccount: t.GetServiceAccount(),
		Labels:         w.GetLabels(),
		CallURLs:       callURLs(t.GetContainers()),
	}
}

// functionConsumer converts a Cloud Functions v2 Function (gen1 or gen2).
// Functions number their egress enum the other way round from Cloud Run
// (PRIVATE_RANGES_ONLY=1, ALL_TRAFFIC=2); the REST surface spells names,
// and Direct VPC uses VPC_EGRESS_* (default VPC_EGRESS_PRIVATE_RANGES_ONLY
// per the discovery document's field comment).
func functionConsumer(project, region string, f *cloudfunctions.Function) inventory.Consumer {
	sc := f.ServiceConfig
	if sc == nil {
		sc = &cloudfunctions.ServiceConfig{}
	}
	kind := inventory.KindFunction
	if f.Environment == "GEN_1" {
		kind = inventory.KindFunction1
	}
	c := inventory.Consumer{
		ID:                f.Name,
		Kind:              kind,
		Project:           project,
		Region:            region,
		Name:              inventory.LastSegment(f.Name),
		Connector:         sc.VpcConnector,
		URI:               f.Url,
		ServiceAccount:    sc.ServiceAccountEmail,
		UnderlyingService: sc.Service,
		MaxInstances:      int(sc.MaxInstanceCount),
		Labels:            f.Labels,
	}
	switch sc.IngressSettings {
	case "ALLOW_ALL":
		c.Ingress = inventory.IngressAll
	case "ALLOW_INTERNAL_ONLY":
		c.Ingress = inventory.IngressInternal
	case "ALLOW_INTERNAL_AND_GCLB":
		c.Ingress = inventory.IngressInternalLoadBalancer
	}
	if sc.VpcConnector != "" {
		c.Egress = inventory.EgressPrivateRangesOnly
		if sc.VpcConnectorEgressSettings == "ALL_TRAFFIC" {
			c.Egress = inventory.EgressAllTraffic
		}
	}
	if len(sc.DirectVpcNetworkInterface) > 0 {
		ni := sc.DirectVpcNetworkInterface[0]
		c.DirectVPC = &inventory.NetworkInterface{Network: ni.Network, Subnetwork: ni.Subnetwork, Tags: append([]string(nil), ni.Tags...)}
		c.Egress = inventory.EgressPrivateRangesOnly
		if sc.DirectVpcEgress == "VPC_EGRESS_ALL_TRAFFIC" {
			c.Egress = inventory.EgressAllTraffic
		}
	}
	var urls []string
	for _, v := range sc.EnvironmentVariables {
		urls = append(urls, runAppURL.FindAllString(v, -1)...)
	}
	sort.Strings(urls)
	c.CallURLs = dedupeStrings(urls)
	return c
}

// appEngineConsumer converts an App Engine standard version. App Engine
// spells private-ranges egress PRIVATE_IP_RANGES (gcp-facts §2).
func appEngineConsumer(project string, region string, v *appengine.Version) inventory.Consumer {
	c := inventory.Consumer{
		ID:             v.Name,
		Kind:           inventory.KindAppEngine,
		Project:        project,
		Region:         region,
		Name:           strings.TrimPrefix(strings.Replace(v.Name, "/versions/", "/", 1), "apps/"+project+"/services/"),
		ServiceAccount: v.ServiceAccount,
	}
	if v.VpcAccessConnector != nil && v.VpcAccessConnector.Name != "" {
		c.Connector = v.VpcAccessConnector.Name
		c.Egress = inventory.EgressPrivateRangesOnly
		if v.VpcAccessConnector.EgressSetting == "ALL_TRAFFIC" {
			c.Egress = inventory.EgressAllTraffic
		}
	}
	if v.VpcAccess != nil && len(v.VpcAccess.NetworkInterfaces) > 0 {
		ni := v.VpcAccess.NetworkInterfaces[0]
		c.DirectVPC = &inventory.NetworkInterface{Network: ni.Network, Subnetwork: ni.Subnet, Tags: append([]string(nil), ni.Tags...)}
		if c.Egress == "" {
			c.Egress = inventory.EgressPrivateRangesOnly
			if v.VpcAccess.VpcEgress == "ALL_TRAFFIC" {
				c.Egress = inventory.EgressAllTraffic
			}
		}
	}
	return c
}

func connectorOf(project, region string, cn *vpcaccesspb.Connector) inventory.Connector {
	c := inventory.Connector{
		ID:                cn.GetName(),
		Project:           project,
		Region:            region,
		Name:              inventory.LastSegment(cn.GetName()),
		Network:           cn.GetNetwork(),
		NetworkProject:    project,
		IPCIDRRange:       cn.GetIpCidrRange(),
		MachineType:       cn.GetMachineType(),
		MinInstances:      int(cn.GetMinInstances()),
		MaxInstances:      int(cn.GetMaxInstances()),
		MinThroughput:     int(cn.GetMinThroughput()),
		MaxThroughput:     int(cn.GetMaxThroughput()),
		State:             cn.GetState().String(),
		ConnectedProjects: append([]string(nil), cn.GetConnectedProjects()...),
	}
	if c.MachineType == "" {
		c.MachineType = "e2-micro" // the API's documented default
	}
	if c.MinInstances == 0 {
		c.MinInstances = 2 // the API's documented default
	}
	if sn := cn.GetSubnet(); sn != nil && sn.GetName() != "" {
		c.Subnet = sn.GetName()
		c.SubnetProject = project
		if sn.GetProjectId() != "" {
			c.SubnetProject = sn.GetProjectId()
		}
		c.NetworkProject = c.SubnetProject
	}
	return c
}
