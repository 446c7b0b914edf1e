package migrate

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/internal/pricing"
)

// The executor's tests run the real Google clients (internal/gcp) against
// the emulator, seeded with the shipped scenarios (or a scenario derived
// from one).

var execNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func init() { gcp.PollInterval = time.Millisecond }

// clock is a test clock that Sleep moves forward (nothing sleeps).
type clock struct {
	mu     sync.Mutex
	t      time.Time
	slept  time.Duration
	sleeps int
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.slept += d
	c.sleeps++
	c.mu.Unlock()
	return ctx.Err()
}

// estate is a running emulator and the clients that talk to it.
type estate struct {
	srv      *emulator.Server
	c        *gcp.Clients
	projects []string
	clock    *clock
	dir      string
}

func scenarioText(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "scenarios", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// startEstate starts an emulator seeded with a shipped scenario.
func startEstate(t *testing.T, name string) *estate {
	t.Helper()
	return startEstateText(t, name, scenarioText(t, name))
}

// startEstateText starts an emulator seeded with scenario text.
func startEstateText(t *testing.T, name, text string) *estate {
	t.Helper()
	sc, err := emulator.ParseScenario(name+".yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	ck := &clock{t: execNow}
	srv, err := emulator.Start(context.Background(), sc, emulator.WithClock(ck.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c, err := gcp.New(context.Background(), gcp.Config{Emulator: srv.Addr, CallTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var ps []string
	for _, p := range sc.Projects {
		ps = append(ps, p.ProjectID)
	}
	return &estate{srv: srv, c: c, projects: ps, clock: ck, dir: t.TempDir()}
}

func tctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (e *estate) collect(ctx context.Context) (*inventory.Snapshot, error) {
	return e.c.Collect(ctx, gcp.CollectOptions{Projects: e.projects, Now: e.clock.Now(), Retry: &gcp.RetryPolicy{Attempts: 2, Initial: time.Millisecond, Max: time.Millisecond}})
}

func (e *estate) snapshot(t *testing.T) *inventory.Snapshot {
	t.Helper()
	snap, err := e.collect(tctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func analyze(t *testing.T, snap *inventory.Snapshot, now time.Time) *analyzer.Report {
	t.Helper()
	book, err := pricing.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return analyzer.Analyze(snap, book, analyzer.Options{Now: now})
}

// plan inventories the estate, analyses it and makes a plan.
func (e *estate) plan(t *testing.T, opts PlanOptions) (*Plan, *analyzer.Report) {
	t.Helper()
	snap := e.snapshot(t)
	rep := analyze(t, snap, e.clock.Now())
	if opts.Now.IsZero() {
		opts.Now = e.clock.Now()
	}
	p, err := NewPlan(snap, rep, opts)
	if err != nil {
		t.Fatal(err)
	}
	// What apply reads is the plan as saved.
	var b strings.Builder
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	p2, err := Read(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return p2, rep
}

// recorder keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) add(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder) kinds(k EventKind) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// executor builds an executor on the estate with a journal at path ("":
// one in the test's directory), a clock that does not sleep, and the
// options a test run needs (no metrics in the shipped scenarios).
func (e *estate) executor(t *testing.T, p *Plan, path string) (*Executor, *recorder) {
	t.Helper()
	if path == "" {
		path = JournalPath(e.dir, p)
	}
	j, err := OpenJournal(path, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	rec := &recorder{}
	return &Executor{
		Target: e.c, Journal: j, Now: e.clock.Now, Sleep: e.clock.Sleep, Parallel: 4,
		AcceptNoMetrics: true, AllowNATRemoval: true, Events: rec.add,
		Reinventory: e.collect, Projects: e.projects,
	}, rec
}

// revisionReady reports whether the emulator's revision is Ready.
func revisionReady(r *runpb.Revision) bool {
	for _, c := range r.GetConditions() {
		if c.GetType() == "Ready" {
			return c.GetState() == runpb.Condition_CONDITION_SUCCEEDED
		}
	}
	return false
}

// checkServing asserts the invariant every failure must keep: each service
// serves 100% of its traffic from Ready revisions whose egress works (a
// connector that exists, or a subnet that exists), and every other
// consumer is ready on a working egress configuration.
func (e *estate) checkServing(t *testing.T) {
	t.Helper()
	works := func(what string, va *runpb.VpcAccess) {
		t.Helper()
		if va == nil {
			return
		}
		if va.GetConnector() != "" {
			if cn, ok := e.srv.Connector(va.GetConnector()); !ok || cn.GetState().String() != "READY" {
				t.Errorf("%s: egress through connector %s, which is gone or not ready", what, va.GetConnector())
			}
			return
		}
		for _, ni := range va.GetNetworkInterfaces() {
			sub := trimCompute(ni.GetSubnetwork())
			if _, ok := e.srv.Subnetwork(segAfter(sub, "projects"), segAfter(sub, "regions"), segLast(sub)); !ok {
				t.Errorf("%s: egress through subnet %s, which does not exist", what, sub)
			}
		}
	}
	for _, p := range e.projects {
		for _, svc := range e.srv.Services(p) {
			revs := map[string]*runpb.Revision{}
			for _, r := range e.srv.Revisions(svc.GetName()) {
				revs[segLast(r.GetName())] = r
			}
			total := 0
			for _, ts := range svc.GetTrafficStatuses() {
				rev := segLast(ts.GetRevision())
				if ts.GetType() == runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST || rev == "" {
					rev = segLast(svc.GetLatestReadyRevision())
				}
				if ts.GetPercent() == 0 {
					continue
				}
				r := revs[rev]
				if r == nil {
					if len(revs) == 0 && rev != "" { // seeded without revision records
						total += int(ts.GetPercent())
						continue
					}
					t.Errorf("%s: %d%% of its traffic goes to %s, which does not exist", svc.GetName(), ts.GetPercent(), rev)
					continue
				}
				if !revisionReady(r) {
					t.Errorf("%s: %d%% of its traffic goes to %s, which is not Ready", svc.GetName(), ts.GetPercent(), rev)
				}
				works(svc.GetName()+" revision "+rev, r.GetVpcAccess())
				total += int(ts.GetPercent())
			}
			if total != 100 {
				t.Errorf("%s: Ready revisions serve %d%% of its traffic, not 100%%", svc.GetName(), total)
			}
		}
	}
	for _, cons := range e.snapshot(t).Consumers {
		switch cons.Kind {
		case inventory.KindJob:
			j, _ := e.srv.Job(cons.ID)
			works(cons.ID, j.GetTemplate().GetTemplate().GetVpcAccess())
		case inventory.KindWorkerPool:
			w, _ := e.srv.WorkerPool(cons.ID)
			works(cons.ID, w.GetTemplate().GetVpcAccess())
		case inventory.KindFunction:
			st, err := e.c.Consumer(tctx(t), cons.Kind, cons.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Ready {
				t.Errorf("%s is not ready: %s", cons.ID, st.Message)
			}
			if st.VPC.Connector != "" {
				if cn, ok := e.srv.Connector(st.VPC.Connector); !ok || cn.GetState().String() != "READY" {
					t.Errorf("%s: egress through connector %s, which is gone", cons.ID, st.VPC.Connector)
				}
			}
		}
	}
}

// checkTarget asserts the target state after a full apply: no consumer the
// plan moves references a connector; each has a network interface and
// PRIVATE_RANGES_ONLY; the zones and their records exist; the connectors
// the plan deletes are gone; the consumers it does not move are untouched.
func (e *estate) checkTarget(t *testing.T, p *Plan, before *inventory.Snapshot) {
	t.Helper()
	after := e.snapshot(t)
	moved := map[string]bool{}
	for _, st := range p.Stages {
		for _, s := range st.Steps {
			if consumerAction(s.Action) {
				moved[s.Resource] = true
			}
		}
	}
	if len(moved) == 0 {
		t.Fatal("the plan moves no consumer")
	}
	was := map[string]inventory.Consumer{}
	for _, c := range before.Consumers {
		was[c.ID] = c
	}
	for _, c := range after.Consumers {
		if moved[c.ID] {
			if c.Connector != "" || c.DirectVPC == nil || c.Egress != inventory.EgressPrivateRangesOnly {
				t.Errorf("%s was not moved: connector %q, direct VPC %+v, egress %s", c.ID, c.Connector, c.DirectVPC, c.Egress)
			}
			continue
		}
		if w := was[c.ID]; w.Connector != c.Connector || w.Egress != c.Egress {
			t.Errorf("%s, which the plan does not move, changed: connector %q → %q, egress %s → %s", c.ID, w.Connector, c.Connector, w.Egress, c.Egress)
		}
	}
	for _, st := range p.Stages {
		for _, s := range st.Steps {
			switch s.Action {
			case ActionCreateZone:
				var found bool
				for _, z := range after.DNSZones {
					if z.Project == s.Project && z.Name == s.Params.ZoneName {
						found = hasRecords(&z, s.Params.Records)
					}
				}
				if !found {
					t.Errorf("zone %s with its records is missing", s.Params.ZoneName)
				}
			case ActionDeleteConnector:
				if _, ok := after.Connector(s.Params.Connector); ok {
					t.Errorf("connector %s still exists", s.Params.Connector)
				}
			case ActionSetPGA:
				if sn, ok := after.Subnet(s.Project, s.Region, s.Params.Subnet); !ok || !sn.PrivateIPGoogleAccess {
					t.Errorf("subnet %s: Private Google Access is not on", s.Params.Subnet)
				}
			case ActionCreateRoute:
				found := false
				for _, r := range after.Routes {
					found = found || (r.Project == s.Project && r.Name == s.Params.RouteName && r.DestRange == s.Params.DestRange)
				}
				if !found {
					t.Errorf("route %s is missing", s.Params.RouteName)
				}
			}
		}
	}
}

// normalState is the part of the emulator's state a migration changes,
// written so that two runs can be compared.
func (e *estate) normalState(t *testing.T) string {
	t.Helper()
	snap := e.snapshot(t)
	var lines []string
	for _, c := range snap.Connectors {
		lines = append(lines, "connector "+c.ID+" "+c.State)
	}
	for _, c := range snap.Consumers {
		di := ""
		if c.DirectVPC != nil {
			di = c.DirectVPC.Network + " " + c.DirectVPC.Subnetwork + " " + strings.Join(c.DirectVPC.Tags, ",")
		}
		var tr []string
		for _, t := range c.Traffic {
			tr = append(tr, trafficKey(t))
		}
		lines = append(lines, "consumer "+c.ID+" conn="+c.Connector+" egress="+c.Egress+" direct="+di+" traffic="+strings.Join(tr, ";")+" ready="+c.LatestReadyRevision)
	}
	for _, s := range snap.Subnets {
		lines = append(lines, "subnet "+s.ID+" pga="+map[bool]string{true: "on", false: "off"}[s.PrivateIPGoogleAccess])
	}
	for _, r := range snap.Routes {
		lines = append(lines, "route "+r.ID+" "+r.DestRange)
	}
	for _, n := range snap.NATs {
		lines = append(lines, "nat "+n.ID+" "+n.SourceSubnetworkIPRangesToNat+" "+strings.Join(n.Subnetworks, ","))
	}
	for _, z := range snap.DNSZones {
		var recs []string
		for _, r := range z.Records {
			recs = append(recs, r.Name+" "+r.Type+" "+strings.Join(r.RRDatas, ","))
		}
		sort.Strings(recs)
		lines = append(lines, "zone "+z.ID+" "+z.DNSName+" "+strings.Join(z.Networks, ",")+" "+strings.Join(recs, ";"))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
