package migrate

import (
	"errors"
	"strings"
	"testing"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/money"
)

// A full apply of startup reaches the target state, and the report made
// afterwards shows the savings realised.
func TestApplyStartupReachesTheTarget(t *testing.T) {
	e := startEstate(t, "startup")
	before := e.snapshot(t)
	p, rep := e.plan(t, PlanOptions{})
	ex, rec := e.executor(t, p, "")
	res, err := ex.Apply(tctx(t), p, ApplyOptions{})
	if err != nil {
		for _, s := range res.Steps {
			t.Logf("%s %s %s", s.Status, s.ID, s.Message)
		}
		t.Fatal(err)
	}
	if n := res.Count(StatusFailed) + res.Count(StatusSkipped) + res.Count(StatusNotRun); n != 0 {
		t.Fatalf("%d step(s) did not run: %+v", n, res.Steps)
	}
	e.checkTarget(t, p, before)
	e.checkServing(t)
	if got := len(rec.kinds(EventStepSucceeded)); got != len(res.Steps) {
		t.Errorf("%d step-succeeded events for %d steps", got, len(res.Steps))
	}
	for _, ev := range rec.kinds(EventStepSucceeded) {
		if ev.Index == 0 || ev.Total != len(res.Steps) {
			t.Errorf("event %s: index %d of %d", ev.Step, ev.Index, ev.Total)
		}
	}
	// The savings are realised: what the estate costs now is what the
	// analysis said it would cost without the connectors and NAT it removes.
	after := analyze(t, e.snapshot(t), e.clock.Now())
	checkCost(t, p, rep, after)
	for _, c := range after.Consumers {
		if c.Status == analyzer.ConsumerMigratable {
			t.Errorf("%s is still migratable after the apply", c.ID)
		}
	}
}

// checkCost checks that the savings are realised: the report made after
// the apply prices the estate without the connectors the plan deleted and
// the Cloud NAT gateways it removed, to the cent of what the report before
// priced them at; the current monthly cost is lower by exactly that. (A
// gateway that stays keeps its price: the emulator's router status and
// NAT metrics are recorded figures that do not move when a connector's VMs
// go away.)
func checkCost(t *testing.T, p *Plan, before, after *analyzer.Report) {
	t.Helper()
	gone := map[string]bool{}
	for _, st := range p.Stages {
		for _, s := range st.Steps {
			switch s.Action {
			case ActionDeleteConnector:
				gone[s.Params.Connector] = true
			case ActionRemoveNAT:
				gone[s.Resource] = true
			}
		}
	}
	var removed money.Amount
	for _, c := range before.Connectors {
		if gone[c.ID] && c.MonthlyCost != nil {
			removed = removed.Add(c.MonthlyCost.Amount())
		}
	}
	for _, n := range before.NATs {
		if gone[n.ID] && n.MonthlyCost != nil {
			removed = removed.Add(n.MonthlyCost.Amount())
		}
	}
	if removed.Sign() <= 0 {
		t.Fatalf("the plan removes nothing that costs money")
	}
	// A NAT that stays loses the VMs of the connectors it translated for:
	// its router status counts fewer endpoints, so its uptime costs less.
	instances := map[string]int{}
	for _, c := range before.Connectors {
		instances[c.ID] = c.Instances
	}
	for _, n := range before.NATs {
		if gone[n.ID] || n.VMEndpoints == nil {
			continue
		}
		wantVMs := *n.VMEndpoints
		for _, c := range n.Connectors {
			if gone[c] {
				wantVMs -= instances[c]
			}
		}
		for _, a := range after.NATs {
			if a.ID != n.ID {
				continue
			}
			if a.VMEndpoints == nil || *a.VMEndpoints != wantVMs {
				t.Errorf("%s after the apply: %v VM endpoints, want %d", n.ID, a.VMEndpoints, wantVMs)
			}
			if n.MonthlyCost != nil && a.MonthlyCost != nil {
				removed = removed.Add(n.MonthlyCost.Amount().Sub(a.MonthlyCost.Amount()))
			}
		}
	}
	want := before.Summary.CurrentMonthlyCost.Amount().Sub(removed)
	if got := after.Summary.CurrentMonthlyCost.Amount(); got.Cmp(want) != 0 {
		t.Errorf("monthly cost after the apply: %s; want %s (before %s, minus %s for what the plan removed or shrank)", got.Fixed(2), want.Fixed(2), before.Summary.CurrentMonthlyCost, removed.Fixed(2))
	}
	for _, c := range after.Connectors {
		if gone[c.ID] {
			t.Errorf("the report still prices connector %s", c.ID)
		}
	}
}

// The migratable part of enterprise: its plan-stopping blocker (the
// narrower a.run.app. zone) resolved as the blocker's fix says, the manual
// grant confirmed, everything else the plan moves reaches the target;
// what it holds back (gen1 function, App Engine, the /28 region) stays.
func TestApplyEnterpriseMigratablePart(t *testing.T) {
	// Cloud Run lists services in every region of every project; the
	// emulator refuses a region a project's scenario does not list, and
	// gcp.ConnectorUsers reads the connector's region in every project in
	// scope (asia-northeast1 for the idle old-conn). Give ent-data that
	// region so that the fresh read before deleting old-conn can succeed.
	text := strings.Replace(scenarioText(t, "enterprise"), "regions: [us-central1, us-east1, europe-west1]\n", "regions: [us-central1, us-east1, europe-west1, asia-northeast1]\n", 1)
	e := startEstateText(t, "enterprise", text)
	blocked, _ := e.plan(t, PlanOptions{})
	if !blocked.Stopped() {
		t.Fatal("the enterprise plan is not stopped by the a.run.app. zone")
	}
	// A stopped plan runs only preflight.
	ex, _ := e.executor(t, blocked, "")
	res, err := ex.Apply(tctx(t), blocked, ApplyOptions{})
	if !errors.Is(err, ErrPlanBlocked) || !strings.Contains(err.Error(), "a-run-app") {
		t.Fatalf("apply of a blocked plan: %v", err)
	}
	for _, s := range res.Steps {
		if s.Stage != StagePreflight {
			t.Errorf("step %s of stage %s ran in a blocked plan", s.ID, s.Stage)
		}
	}
	if err := e.c.DeleteZone(tctx(t), "ent-net-host", "a-run-app"); err != nil {
		t.Fatal(err)
	}
	before := e.snapshot(t)
	p, rep := e.plan(t, PlanOptions{})
	if p.Stopped() {
		t.Fatalf("still stopped: %+v", p.Blockers)
	}
	var manual []string
	for _, st := range p.Stages {
		for _, s := range st.Steps {
			if s.Action == ActionManual && s.Kind == "iam-binding" {
				manual = append(manual, s.ID)
			}
		}
	}
	ex, _ = e.executor(t, p, "")
	res, err = ex.Apply(tctx(t), p, ApplyOptions{ManualDone: manual})
	if err != nil {
		for _, s := range res.Steps {
			t.Logf("%s %s %s", s.Status, s.ID, s.Message)
		}
		t.Fatal(err)
	}
	for _, s := range res.Steps {
		if s.Status != StatusSucceeded && s.Status != StatusAlreadyDone && !(s.Action == ActionManual && s.Status == StatusSkipped) {
			t.Errorf("%s: %s %s", s.ID, s.Status, s.Message)
		}
	}
	e.checkTarget(t, p, before)
	e.checkServing(t)
	after := analyze(t, e.snapshot(t), e.clock.Now())
	checkCost(t, p, rep, after)
	// Held back: still on their connectors.
	for _, c := range after.Consumers {
		switch c.Name {
		case "legacy-hook", "receipts", "v20261102t1200", "etl", "ingest":
			if c.Connector == "" {
				t.Errorf("%s, which the plan holds back, lost its connector", c.ID)
			}
		}
	}
}
