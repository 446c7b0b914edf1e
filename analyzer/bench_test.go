package analyzer

import (
	"fmt"
	"runtime"
	"testing"

	inv "github.com/vpcshift/vpcshift/internal/inventory"
)

// syntheticSnapshot is an estate of n consumers spread over conns
// connectors in 10 regions of one Shared VPC, with a NAT per region that also
// serves VMs, app subnets, routes and a zone.
func syntheticSnapshot(n, conns int) *inv.Snapshot {
	regions := []string{"us-central1", "us-east1", "us-east4", "us-west1", "europe-west1", "europe-west4", "asia-east1", "asia-northeast1", "europe-north1", "us-south1"}
	const host = "synth-host"
	s := &inv.Snapshot{
		SchemaVersion: inv.SchemaVersion, CollectedAt: collectedAt, UsageWindowDays: 30,
		Scope:    inv.Scope{Org: "1"},
		Projects: []inv.Project{{ID: host, IsSharedVPCHost: true}},
		Networks: []inv.Network{{ID: "projects/" + host + "/global/networks/vpc", Project: host, Name: "vpc"}},
		Routes: []inv.Route{{ID: "projects/" + host + "/global/routes/default", Project: host, Name: "default", Network: "vpc",
			DestRange: "0.0.0.0/0", NextHopGateway: "default-internet-gateway", Priority: 1000}},
	}
	for p := 0; p < 20; p++ {
		id := fmt.Sprintf("synth-svc-%02d", p)
		s.Projects = append(s.Projects, inv.Project{ID: id, SharedVPCHost: host})
		s.Coverage = append(s.Coverage, okCoverage(id)...)
	}
	for i, r := range regions {
		s.Subnets = append(s.Subnets, subnet(host, r, "app-"+r, "vpc", fmt.Sprintf("10.%d.0.0/16", 100+i), i%2 == 0))
		s.NATs = append(s.NATs, inv.NAT{
			ID: fmt.Sprintf("projects/%s/regions/%s/routers/r/nats/nat", host, r), Project: host, Region: r, Router: "r", Name: "nat",
			Network: "vpc", SourceSubnetworkIPRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES", NatIPAllocateOption: "AUTO_ONLY",
			Status: &inv.NATStatus{VMEndpointsWithNATMappings: 60 + i, AutoAllocatedNatIPs: []string{"1.1.1.1", "1.1.1.2"}},
			Usage:  &inv.NATUsage{BytesSent: int64(i+1) << 36, BytesReceived: 1 << 33},
		})
	}
	for c := 0; c < conns; c++ {
		r := regions[c%len(regions)]
		name := fmt.Sprintf("conn-%03d", c)
		id := fmt.Sprintf("projects/%s/locations/%s/connectors/%s", host, r, name)
		sub := "sub-" + name
		s.Subnets = append(s.Subnets, subnet(host, r, sub, "vpc", fmt.Sprintf("10.%d.%d.0/28", c/16, (c%16)*16), false, id))
		mt := "e2-micro"
		if c%7 == 0 {
			mt = "e2-standard-4"
		}
		s.Connectors = append(s.Connectors, inv.Connector{
			ID: id, Project: host, Region: r, Name: name, Network: "vpc", NetworkProject: host, Subnet: sub, SubnetProject: host,
			MachineType: mt, MinInstances: 2, MaxInstances: 10, State: "READY",
			ConnectedProjects: []string{fmt.Sprintf("synth-svc-%02d", c%20)},
			Usage:             &inv.ConnectorUsage{MaxInstances: 2 + c%5, BytesSent: int64(c+1) << 30},
		})
	}
	kinds := []inv.ConsumerKind{inv.KindService, inv.KindService, inv.KindService, inv.KindJob, inv.KindFunction, inv.KindWorkerPool}
	for i := 0; i < n; i++ {
		c := i % conns
		conn := s.Connectors[c]
		project := fmt.Sprintf("synth-svc-%02d", c%20)
		kind := kinds[i%len(kinds)]
		if i%97 == 0 {
			kind = inv.KindFunction1
		}
		egress := inv.EgressPrivateRangesOnly
		if i%3 == 0 {
			egress = inv.EgressAllTraffic
		}
		x := inv.Consumer{
			ID: fmt.Sprintf("projects/%s/locations/%s/services/s%05d", project, conn.Region, i), Kind: kind,
			Project: project, Region: conn.Region, Name: fmt.Sprintf("s%05d", i), Connector: conn.ID, Egress: egress,
			Ingress: inv.IngressInternal, MaxInstances: 10 + i%50,
		}
		if i%4 != 0 {
			x.Usage = &inv.ConsumerUsage{PeakInstances: 1 + i%20, EgressBytes: int64(i%1000+1) << 20}
		}
		if i%50 == 0 {
			x.Ingress, x.Public = inv.IngressAll, true
		}
		s.Consumers = append(s.Consumers, x)
	}
	return s
}

func BenchmarkAnalyze10kConsumers(b *testing.B) {
	snap := syntheticSnapshot(10_000, 200)
	book := mustBook(b)
	opts := Options{Now: fixedNow}
	var peak uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := Analyze(snap, book, opts)
		runtime.ReadMemStats(&after)
		// Heap in use right after the analysis, over what was live before:
		// an upper bound of what it holds at its peak (a GC may have run).
		if d := after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc); d > peak {
			peak = d
		}
		if len(r.Consumers) != 10_000 {
			b.Fatal(len(r.Consumers))
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
