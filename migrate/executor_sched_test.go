package migrate

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

// --only narrows the consumer steps: preflight, network and dns run, the
// other consumers and decommission do not.
func TestApplyOnlyOneConsumer(t *testing.T) {
	e := startEstate(t, "startup")
	p, _ := e.plan(t, PlanOptions{})
	ex, _ := e.executor(t, p, "")
	res, err := ex.Apply(tctx(t), p, ApplyOptions{Only: []string{"service/orders"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Steps {
		switch {
		case s.Stage == StageDecommission:
			t.Errorf("%s ran under --only", s.ID)
		case s.Stage == StageServices && !strings.Contains(s.ID, "/orders/"):
			t.Errorf("%s ran under --only service/orders", s.ID)
		case s.Status != StatusSucceeded:
			t.Errorf("%s: %s %s", s.ID, s.Status, s.Message)
		}
	}
	for _, c := range e.snapshot(t).Consumers {
		if c.Name == "web" { // no VPC access at all
			continue
		}
		if moved := c.DirectVPC != nil && c.Connector == ""; moved != (c.Name == "orders") {
			t.Errorf("%s: moved %v under --only service/orders", c.Name, moved)
		}
	}
	if _, err := ex.Apply(tctx(t), p, ApplyOptions{Only: []string{"service/nope"}}); err == nil || !strings.Contains(err.Error(), "matches no step") {
		t.Errorf("--only service/nope: %v", err)
	}
}

// Consumers of a stage move in parallel, up to Parallel at once, and a
// caller waits for its callee (api calls orders).
func TestParallelConsumers(t *testing.T) {
	for _, parallel := range []int{1, 2, 4} {
		e := startEstate(t, "startup")
		p, _ := e.plan(t, PlanOptions{})
		e.srv.SetLatency(3 * time.Millisecond)
		ex, _ := e.executor(t, p, "")
		ex.Parallel = parallel
		var mu sync.Mutex
		busy := map[string]int{}
		peak := 0
		order := []string{}
		ex.Events = func(ev Event) {
			if ev.Stage != StageServices {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			switch ev.Kind {
			case EventStepStarted:
				busy[ev.Resource]++
				if len(busy) > peak {
					peak = len(busy)
				}
			case EventStepSucceeded, EventStepFailed:
				if busy[ev.Resource]--; busy[ev.Resource] == 0 {
					delete(busy, ev.Resource)
				}
				order = append(order, ev.Step)
			}
		}
		if _, err := ex.Apply(tctx(t), p, ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		want := parallel
		if want > 3 {
			want = 3 // billing-eu, the job and orders; api waits for orders
		}
		if peak != want {
			t.Errorf("parallel %d: at most %d consumer(s) at once, want %d", parallel, peak, want)
		}
		ordersDone, apiStart := -1, -1
		for i, s := range order {
			if strings.HasSuffix(s, "/orders/traffic-100") {
				ordersDone = i
			}
			if strings.HasSuffix(s, "/api/deploy") {
				apiStart = i
			}
		}
		if ordersDone < 0 || apiStart < ordersDone {
			t.Errorf("parallel %d: api deployed (%d) before orders finished (%d)", parallel, apiStart, ordersDone)
		}
	}
}

// UNAVAILABLE and quota errors (RESOURCE_EXHAUSTED) are retried with
// backoff; the apply goes through.
func TestRetriesTransientErrors(t *testing.T) {
	e := startEstate(t, "startup")
	p, _ := e.plan(t, PlanOptions{})
	e.srv.InjectFault(emulator.Fault{Method: mUpdateService, Code: "UNAVAILABLE", Times: 2})
	e.srv.InjectFault(emulator.Fault{Method: emulator.PatComputeSetPGA, Code: "RESOURCE_EXHAUSTED", Times: 3})
	e.srv.InjectFault(emulator.Fault{Method: mUpdateJob, Code: "429", Times: 1})
	ex, rec := e.executor(t, p, "")
	if _, err := ex.Apply(tctx(t), p, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	retries := 0
	for _, ev := range rec.kinds(EventStepProgress) {
		if strings.Contains(ev.Message, "retrying in") {
			retries++
		}
	}
	if retries != 6 {
		t.Errorf("%d retries, want 6", retries)
	}
	if e.clock.slept < 7*time.Second { // 1+2 (+1+2+4 on the subnet) backoff, at least
		t.Errorf("backoff slept %s", e.clock.slept)
	}
	st, _ := e.c.Consumer(tctx(t), inventory.KindJob, "projects/acme-startup/locations/us-central1/jobs/nightly-export")
	if st.VPC.Interface == nil {
		t.Error("the job did not move")
	}
}

// A connector is deleted only when a fresh read finds no user: a consumer
// put on it after the plan keeps it. A Cloud NAT change without
// AllowNATRemoval is skipped and said.
func TestDecommissionRefusesWhatIsStillNeeded(t *testing.T) {
	e := startEstate(t, "startup")
	p, _ := e.plan(t, PlanOptions{})
	ex, _ := e.executor(t, p, "")
	ex.AllowNATRemoval = false
	for _, st := range []StageName{StageNetwork, StageDNS, StageServices} {
		if _, err := ex.Apply(tctx(t), p, ApplyOptions{Stage: st}); err != nil {
			t.Fatal(err)
		}
	}
	// Someone puts web on run-us meanwhile.
	web := "projects/acme-startup/locations/us-central1/services/web"
	st, err := e.c.Consumer(tctx(t), inventory.KindService, web)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.UpdateConsumerVPC(tctx(t), inventory.KindService, web, st.Etag,
		inventory.VPCConfig{Connector: "projects/acme-startup/locations/us-central1/connectors/run-us", Egress: inventory.EgressPrivateRangesOnly}, "", nil, false); err != nil {
		t.Fatal(err)
	}
	res, err := ex.Apply(tctx(t), p, ApplyOptions{Stage: StageDecommission})
	if err == nil || !strings.Contains(err.Error(), "still used by "+web) {
		t.Fatalf("err = %v", err)
	}
	if _, ok := e.srv.Connector("projects/acme-startup/locations/us-central1/connectors/run-us"); !ok {
		t.Fatal("run-us was deleted while web uses it")
	}
	e.checkServing(t)
	// Put web back: the decommission goes on; the NAT is left alone.
	st, _ = e.c.Consumer(tctx(t), inventory.KindService, web)
	if _, err := e.c.UpdateConsumerVPC(tctx(t), inventory.KindService, web, st.Etag, inventory.VPCConfig{}, "", nil, false); err != nil {
		t.Fatal(err)
	}
	res, err = ex.Apply(tctx(t), p, ApplyOptions{Stage: StageDecommission, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	var nat *StepResult
	for i := range res.Steps {
		if res.Steps[i].Action == ActionRemoveNAT {
			nat = &res.Steps[i]
		}
	}
	if nat == nil || nat.Status != StatusSkipped || !strings.Contains(nat.Message, "--allow-nat-removal") || len(res.Notes) == 0 {
		t.Errorf("NAT step: %+v, notes %v", nat, res.Notes)
	}
	if rt, _ := e.srv.Router("acme-startup", "us-central1", "nat-router-us"); len(rt.Nats) != 1 {
		t.Error("the NAT was removed without AllowNATRemoval")
	}
	if _, ok := e.srv.Connector("projects/acme-startup/locations/us-central1/connectors/run-us"); ok {
		t.Error("run-us was not deleted once unused")
	}
}

// The decommission soak counts from when the journal recorded the last
// consumer's move: a later run does not wait again.
func TestSoakCountsFromTheJournal(t *testing.T) {
	e := startEstate(t, "startup")
	p, _ := e.plan(t, PlanOptions{})
	ex, _ := e.executor(t, p, "")
	for _, st := range []StageName{StageNetwork, StageDNS, StageServices} {
		if _, err := ex.Apply(tctx(t), p, ApplyOptions{Stage: st}); err != nil {
			t.Fatal(err)
		}
	}
	// A day and an hour later, the whole plan again.
	e.clock.mu.Lock()
	e.clock.t = e.clock.t.Add(25 * time.Hour)
	slept := e.clock.slept
	e.clock.mu.Unlock()
	if _, err := ex.Apply(tctx(t), p, ApplyOptions{Resume: true}); err != nil {
		t.Fatal(err)
	}
	if d := e.clock.slept - slept; d != 0 {
		t.Errorf("waited %s although the soak had passed", d)
	}
	// Two hours after the moves, a fresh estate waits the 22 hours left.
	e2 := startEstate(t, "startup")
	p2, _ := e2.plan(t, PlanOptions{})
	ex2, _ := e2.executor(t, p2, "")
	for _, st := range []StageName{StageNetwork, StageDNS, StageServices} {
		if _, err := ex2.Apply(tctx(t), p2, ApplyOptions{Stage: st}); err != nil {
			t.Fatal(err)
		}
	}
	e2.clock.mu.Lock()
	e2.clock.t = e2.clock.t.Add(2 * time.Hour)
	slept = e2.clock.slept
	e2.clock.mu.Unlock()
	if _, err := ex2.Apply(tctx(t), p2, ApplyOptions{Stage: StageDecommission}); err != nil {
		t.Fatal(err)
	}
	// Two connectors soak; the test clock is shared, so the first wait of
	// 22h lets the second find its time passed.
	if d := e2.clock.slept - slept; d != 22*time.Hour {
		t.Errorf("waited %s, want the 22h left", d)
	}
}
