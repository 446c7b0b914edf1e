package gcp

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	compute "google.golang.org/api/compute/v1"

	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
)

// benchScenario is one project with resources spread over every Cloud Run
// region: services services, a connector, a subnet and a NAT per region.
func benchScenario(services int) *emulator.Scenario {
	p := &emulator.Project{ProjectID: "bench-project", ProjectNumber: "999000000001", IAMPolicies: map[string]*iampb.Policy{}}
	regions := emulator.DefaultRegions
	p.Networks = []*compute.Network{{Name: "vpc"}}
	for i, r := range regions {
		conn := fmt.Sprintf("projects/bench-project/locations/%s/connectors/conn", r)
		p.Connectors = append(p.Connectors, &vpcaccesspb.Connector{Name: conn, Network: "vpc", MachineType: "e2-micro", MinInstances: 2, MaxInstances: 10, IpCidrRange: fmt.Sprintf("10.200.%d.0/28", i)})
		p.Subnetworks = append(p.Subnetworks, &compute.Subnetwork{Name: "run-" + r, Region: r, Network: "vpc", IpCidrRange: fmt.Sprintf("10.%d.0.0/20", i+1)})
		p.Routers = append(p.Routers, &compute.Router{Name: "nat-" + r, Region: r, Network: "vpc", Nats: []*compute.RouterNat{{Name: "nat", SourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES", NatIpAllocateOption: "AUTO_ONLY"}}})
	}
	for i := 0; i < services; i++ {
		r := regions[i%len(regions)]
		name := fmt.Sprintf("projects/bench-project/locations/%s/services/svc-%04d", r, i)
		p.Services = append(p.Services, &runpb.Service{
			Name: name,
			Template: &runpb.RevisionTemplate{VpcAccess: &runpb.VpcAccess{
				Connector: fmt.Sprintf("projects/bench-project/locations/%s/connectors/conn", r),
				Egress:    runpb.VpcAccess_PRIVATE_RANGES_ONLY,
			}},
		})
	}
	return &emulator.Scenario{Projects: []*emulator.Project{p}}
}

type benchRun struct {
	wall  time.Duration
	calls int
}

func runBenchInventory(b *testing.B, srv *emulator.Server, c *Clients, concurrency int) benchRun {
	b.Helper()
	before := srv.TotalCalls()
	start := time.Now()
	snap, err := c.Collect(context.Background(), CollectOptions{Projects: []string{"bench-project"}, Concurrency: concurrency, Now: testNow})
	if err != nil {
		b.Fatal(err)
	}
	if len(snap.Consumers) == 0 {
		b.Fatal("no consumers collected")
	}
	return benchRun{wall: time.Since(start), calls: srv.TotalCalls() - before}
}

var (
	seqOnce sync.Once
	seqRun  benchRun
)

// BenchmarkInventory500Services measures an inventory of one project with
// 500 services over every Cloud Run region, 50 ms of latency on every
// call: vpcshift (16 calls in flight) against a sequential, region-by-region
// baseline (1 call in flight) and the lower bound ceil(calls/16) × 50 ms.
func BenchmarkInventory500Services(b *testing.B) {
	const latency = 50 * time.Millisecond
	const concurrency = 16
	sc := benchScenario(500)
	sc.Latency = latency
	srv, err := emulator.Start(context.Background(), sc, emulator.WithClock(func() time.Time { return testNow }))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c, err := New(context.Background(), Config{Emulator: srv.Addr})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()

	seqOnce.Do(func() { seqRun = runBenchInventory(b, srv, c, 1) })

	b.ResetTimer()
	var last benchRun
	for i := 0; i < b.N; i++ {
		last = runBenchInventory(b, srv, c, concurrency)
	}
	b.StopTimer()
	lower := time.Duration(math.Ceil(float64(last.calls)/concurrency)) * latency
	b.ReportMetric(float64(last.calls), "calls")
	b.ReportMetric(float64(last.wall.Milliseconds()), "wall-ms")
	b.ReportMetric(float64(lower.Milliseconds()), "lowerbound-ms")
	b.ReportMetric(float64(seqRun.wall.Milliseconds()), "sequential-ms")
	b.ReportMetric(float64(last.wall)/float64(lower), "x-lowerbound")
	b.ReportMetric(float64(seqRun.wall)/float64(last.wall), "x-faster-than-sequential")
	fmt.Printf("inventory of 500 services in %d regions at %s/call: vpcshift %s for %d calls; sequential %s (%d calls); lower bound ceil(%d/%d)×%s = %s; %.2f× the lower bound, %.1f× faster than sequential\n",
		len(emulator.DefaultRegions), latency, last.wall.Round(time.Millisecond), last.calls, seqRun.wall.Round(time.Millisecond), seqRun.calls,
		last.calls, concurrency, latency, lower, float64(last.wall)/float64(lower), float64(seqRun.wall)/float64(last.wall))
}
