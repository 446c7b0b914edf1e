package tui

import (
	"context"
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/analyzer"
	inv "github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/pricing"
	"github.com/vpcshift/vpcshift/tui/pages/browse"
	"github.com/vpcshift/vpcshift/tui/pages/loading"
)

// bigEstate is n consumers over 50 connectors in 5 regions of one VPC.
func bigEstate(tb testing.TB, n int) (*inv.Snapshot, *analyzer.Report) {
	tb.Helper()
	regions := []string{"us-central1", "us-east1", "europe-west1", "asia-east1", "us-west1"}
	const host = "big-host"
	s := &inv.Snapshot{SchemaVersion: inv.SchemaVersion, CollectedAt: testNow, UsageWindowDays: 30,
		Projects: []inv.Project{{ID: host}},
		Networks: []inv.Network{{ID: "projects/" + host + "/global/networks/vpc", Project: host, Name: "vpc"}},
	}
	for i, r := range regions {
		s.Subnets = append(s.Subnets, inv.Subnet{ID: fmt.Sprintf("projects/%s/regions/%s/subnetworks/app", host, r), Project: host, Region: r,
			Name: "app", Network: "vpc", NetworkProject: host, IPCIDRRange: fmt.Sprintf("10.%d.0.0/16", 100+i), PrivateIPGoogleAccess: true})
	}
	for c := 0; c < 50; c++ {
		r := regions[c%len(regions)]
		name := fmt.Sprintf("conn-%03d", c)
		s.Connectors = append(s.Connectors, inv.Connector{ID: fmt.Sprintf("projects/%s/locations/%s/connectors/%s", host, r, name),
			Project: host, Region: r, Name: name, Network: "vpc", NetworkProject: host, MachineType: "e2-micro",
			MinInstances: 2, MaxInstances: 10, State: "READY"})
	}
	kinds := []inv.ConsumerKind{inv.KindService, inv.KindService, inv.KindJob, inv.KindFunction, inv.KindWorkerPool}
	for i := 0; i < n; i++ {
		conn := s.Connectors[i%50]
		c := inv.Consumer{Project: host, Region: conn.Region, Name: fmt.Sprintf("svc-%05d", i), Kind: kinds[i%len(kinds)],
			Connector: conn.ID, Egress: inv.EgressPrivateRangesOnly, Ingress: inv.IngressInternal}
		if i%3 == 0 {
			c.Egress = inv.EgressAllTraffic
		}
		c.ID = fmt.Sprintf("projects/%s/locations/%s/%ss/%s", host, c.Region, c.Kind, c.Name)
		s.Consumers = append(s.Consumers, c)
	}
	s.Sort()
	book, err := pricing.Snapshot()
	if err != nil {
		tb.Fatal(err)
	}
	return s, analyzer.Analyze(s, book, analyzer.Options{Now: testNow})
}

// bigModel is the root model on the consumers tab of a 10,000-consumer
// estate at 120×40.
func bigModel(b *testing.B) *Model {
	snap, rep := bigEstate(b, 10_000)
	m := New(context.Background(), Deps{Now: fixedNow})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(loading.Loaded{Snap: snap, Rep: rep})
	m.Update(keyMsg("2"))
	m.Update(keyMsg("<tab>"))
	if m.browse.Tab() != browse.TabConsumers || m.browse.Table(browse.TabConsumers).Len() != 10_000 {
		b.Fatalf("not on a 10,000-row consumers tab")
	}
	return m
}

func keyMsg(s string) tea.KeyMsg { return parseKeys(s)[0] }

// BenchmarkViewInventory10k renders a frame of the consumers tab.
func BenchmarkViewInventory10k(b *testing.B) {
	m := bigModel(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.View()
	}
}

// BenchmarkUpdateCursor10k moves the cursor one row and renders.
func BenchmarkUpdateCursor10k(b *testing.B) {
	m := bigModel(b)
	down, up := keyMsg("<down>"), keyMsg("<up>")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := down
		if (i/500)%2 == 1 {
			k = up
		}
		m.Update(k)
		_ = m.View()
	}
}

// BenchmarkFilter10k types one more character of a filter (and takes it
// back), filtering 10,000 rows each time, and renders.
func BenchmarkFilter10k(b *testing.B) {
	m := bigModel(b)
	for _, k := range parseKeys("/kind:job svc-0") {
		m.Update(k)
	}
	one, back := keyMsg("1"), keyMsg("<backspace>")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := one
		if i%2 == 1 {
			k = back
		}
		m.Update(k)
		_ = m.View()
	}
}
