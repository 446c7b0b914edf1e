package migrate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"

	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

const billingEU = "projects/acme-startup/locations/europe-west1/services/billing-eu"

// otherDeploy is someone else's change to a service: a new environment
// variable, deployed through the real client (as gcloud would).
func otherDeploy(ctx context.Context, e *estate, name string) error {
	s, err := e.c.Services.GetService(ctx, &runpb.GetServiceRequest{Name: name})
	if err != nil {
		return err
	}
	c := s.GetTemplate().GetContainers()[0]
	c.Env = append(c.Env, &runpb.EnvVar{Name: "FEATURE_X", Values: &runpb.EnvVar_Value{Value: "on"}})
	op, err := e.c.Services.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: s})
	if err != nil {
		return err
	}
	_, err = op.Wait(ctx)
	return err
}

// hasOtherChange reports whether the service still carries that change.
func hasOtherChange(e *estate, name string) bool {
	s, _ := e.srv.Service(name)
	for _, env := range s.GetTemplate().GetContainers()[0].GetEnv() {
		if env.GetName() == "FEATURE_X" {
			return true
		}
	}
	return false
}

// A change to a service between plan and apply makes the plan stale: the
// apply refuses, naming the service, and changes nothing.
func TestConcurrentChangeBeforeApplyIsAStalePlan(t *testing.T) {
	e := startEstate(t, "startup")
	p, _ := e.plan(t, PlanOptions{})
	if err := otherDeploy(tctx(t), e, billingEU); err != nil {
		t.Fatal(err)
	}
	calls := e.srv.TotalCalls()
	_ = calls
	ex, _ := e.executor(t, p, "")
	_, err := ex.Apply(tctx(t), p, ApplyOptions{})
	var se *StaleError
	if !errors.Is(err, ErrStalePlan) || !errors.As(err, &se) {
		t.Fatalf("err = %v, want a stale plan", err)
	}
	if len(se.Changes) != 1 || se.Changes[0].ID != billingEU || !strings.Contains(err.Error(), billingEU) {
		t.Fatalf("changes = %+v", se.Changes)
	}
	if e.srv.Calls(mUpdateService) != 1 || e.srv.Calls(emulator.PatComputeSetPGA) != 0 {
		t.Errorf("the stale apply changed something: %d UpdateService, %d setPrivateIpGoogleAccess", e.srv.Calls(mUpdateService)-1, e.srv.Calls(emulator.PatComputeSetPGA))
	}
	if !hasOtherChange(e, billingEU) {
		t.Error("the other change was lost")
	}
	// A dry run says the same.
	ex.Journal.Close()
	dry := &Executor{Target: e.c, Now: e.clock.Now, Sleep: e.clock.Sleep, Reinventory: e.collect}
	if _, err := dry.Apply(tctx(t), p, ApplyOptions{DryRun: true}); !errors.Is(err, ErrStalePlan) {
		t.Errorf("dry run of a stale plan: %v", err)
	}
}

// A change that lands after the stale check, while vpcshift works, is
// caught by the etag: the consumer is left alone (not overwritten, not
// rolled back) and the run stops.
func TestConcurrentChangeDuringApplyIsNotOverwritten(t *testing.T) {
	for _, when := range []string{"before-the-step", "inside-the-update"} {
		t.Run(when, func(t *testing.T) {
			e := startEstate(t, "startup")
			p, _ := e.plan(t, PlanOptions{})
			ex, _ := e.executor(t, p, "")
			ex.Parallel = 1
			var once sync.Once
			var changeErr error
			var changed chan error
			switch when {
			case "before-the-step":
				// Right after the stale check read the estate.
				ex.Reinventory = func(ctx context.Context) (*inventory.Snapshot, error) {
					snap, err := e.collect(ctx)
					once.Do(func() { changeErr = otherDeploy(ctx, e, billingEU) })
					return snap, err
				}
			case "inside-the-update":
				// Between vpcshift's read of the service and its write: the
				// write is held back, the other deploy lands first.
				e.srv.InjectFault(emulator.Fault{Method: mUpdateService, Delay: 300 * time.Millisecond, Times: 1})
				changed = make(chan error, 1)
				go func() {
					for e.srv.Calls(mUpdateService) == 0 {
						time.Sleep(time.Millisecond)
					}
					changed <- otherDeploy(context.Background(), e, billingEU)
				}()
			}
			res, err := ex.Apply(tctx(t), p, ApplyOptions{})
			if changed != nil {
				changeErr = <-changed
			}
			if changeErr != nil {
				t.Fatal(changeErr)
			}
			if !errors.Is(err, inventory.ErrConflict) || !errors.Is(err, ErrStopped) {
				t.Fatalf("err = %v, want a conflict that stops the run", err)
			}
			if !hasOtherChange(e, billingEU) {
				t.Error("the other change was lost")
			}
			st, _ := e.c.Consumer(tctx(t), inventory.KindService, billingEU)
			if st.VPC.Connector == "" {
				t.Errorf("billing-eu was moved over the other change: %+v", st.VPC)
			}
			for _, s := range res.Steps {
				if s.Status == StatusRolledBack {
					t.Errorf("%s was rolled back: a rollback would undo the other change", s.ID)
				}
			}
			e.checkServing(t)
		})
	}
}

// badCanary is startup with Cloud Monitoring figures for billing-eu's new
// revision: 12% of its requests answered 5xx in the first minutes, against
// 0.1% for the revision before.
func badCanary(t *testing.T) string {
	series := func(rev, class, n string) string {
		return `      - metric: {type: run.googleapis.com/request_count, labels: {response_code_class: ` + class + `}}
        resource: {type: cloud_run_revision, labels: {project_id: acme-startup, location: europe-west1, service_name: billing-eu, revision_name: ` + rev + `}}
        metricKind: DELTA
        valueType: INT64
        points:
          - {interval: {startTime: "2026-11-20T00:02:00Z", endTime: "2026-11-20T00:03:00Z"}, value: {int64Value: "` + n + `"}}
`
	}
	text := scenarioText(t, "startup")
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	prev := servingRevision0(t, text, billingEU)
	return text + series("billing-eu-direct-00007", "5xx", "120") + series("billing-eu-direct-00007", "2xx", "880") +
		series(prev, "5xx", "5") + series(prev, "2xx", "4995")
}

// servingRevision0 is the revision the emulator seeds a service with.
func servingRevision0(t *testing.T, text, service string) string {
	t.Helper()
	e := startEstateText(t, "probe", text)
	s, ok := e.srv.Service(service)
	if !ok {
		t.Fatalf("no service %s", service)
	}
	return segLast(s.GetLatestReadyRevision())
}

// The emulator reports 5xx for the new revision: the canary routes 100%
// back, restores the service, records it and stops (ErrRolledBack).
func TestBadVerificationRollsBack(t *testing.T) {
	e := startEstateText(t, "bad-canary", badCanary(t))
	before, _ := e.srv.Service(billingEU)
	p, _ := e.plan(t, PlanOptions{})
	ex, rec := e.executor(t, p, "")
	ex.Parallel = 1
	ex.AcceptNoMetrics = false
	res, err := ex.Apply(tctx(t), p, ApplyOptions{})
	if !errors.Is(err, ErrRolledBack) {
		t.Fatalf("err = %v, want ErrRolledBack", err)
	}
	if !strings.Contains(err.Error(), "12.00%") || !strings.Contains(err.Error(), segLast(before.GetLatestReadyRevision())+": 0.10%") {
		t.Errorf("the error does not give the figures: %v", err)
	}
	if len(res.RolledBack) != 1 || res.RolledBack[0] != billingEU {
		t.Errorf("rolled back: %v", res.RolledBack)
	}
	if len(rec.kinds(EventStepRolledBack)) == 0 {
		t.Error("no rolled-back event")
	}
	st, _ := e.c.Consumer(tctx(t), inventory.KindService, billingEU)
	if st.VPC.Connector != "projects/acme-startup/locations/europe-west1/connectors/run-eu" || st.VPC.Interface != nil {
		t.Errorf("billing-eu's VPC access was not restored: %+v", st.VPC)
	}
	if !sameTrafficSpec(st.Traffic, []inventory.TrafficTarget{{Type: "LATEST", Percent: 100}}) || st.TrafficByRevision[st.LatestReadyRevision] != 100 {
		t.Errorf("billing-eu's traffic was not restored: %+v %v", st.Traffic, st.TrafficByRevision)
	}
	if _, tagged := st.TaggedRevisions["vpcshift"]; tagged {
		t.Errorf("the canary tag is still there: %v", st.TaggedRevisions)
	}
	if st.LatestReadyRevision == "billing-eu-direct-00007" {
		t.Error("the bad revision is still the latest ready one")
	}
	e.checkServing(t)
	// Nothing else ran after the stop.
	for _, s := range res.Steps {
		if s.Stage == StageDecommission && s.Status != StatusNotRun {
			t.Errorf("%s: %s after the stop", s.ID, s.Status)
		}
	}
	// The journal says it: a resume redeploys under a new name (the bad
	// revision's name is taken).
	recs := ex.Journal.Records()
	rolled := 0
	for _, r := range recs {
		if r.Type == RecordRollbackOutcome && r.Status == StatusRolledBack && r.Resource == billingEU {
			rolled++
		}
	}
	if rolled != 2 { // deploy and traffic-10
		t.Errorf("%d rollback records for billing-eu, want 2", rolled)
	}
	rev, _ := chooseRevision(recs, deployStep(t, p, billingEU), st, "billing-eu-direct-00007")
	if rev != "billing-eu-direct-00007-2" {
		t.Errorf("next attempt's revision = %s", rev)
	}
}

func deployStep(t *testing.T, p *Plan, resource string) *Step {
	for i := range p.Stages {
		for j := range p.Stages[i].Steps {
			if s := &p.Stages[i].Steps[j]; s.Action == ActionDeployRevision && s.Resource == resource {
				return s
			}
		}
	}
	t.Fatalf("no deploy step for %s", resource)
	return nil
}

// No metrics and nobody to ask: the canary stops where it is (both
// revisions Ready) and says how to go on; asked, a person decides.
func TestInconclusiveHealthAsksOrStops(t *testing.T) {
	e := startEstate(t, "startup")
	p, _ := e.plan(t, PlanOptions{})
	ex, _ := e.executor(t, p, "")
	ex.Parallel = 1
	ex.AcceptNoMetrics = false
	_, err := ex.Apply(tctx(t), p, ApplyOptions{})
	var se *StopError
	if !errors.Is(err, ErrNeedsDecision) || !errors.As(err, &se) || !strings.Contains(se.Hint, "--accept-no-metrics") {
		t.Fatalf("err = %v", err)
	}
	st, _ := e.c.Consumer(tctx(t), inventory.KindService, billingEU)
	if st.TrafficByRevision[st.TaggedRevisions["vpcshift"]] != 10 {
		t.Errorf("the canary did not stay at 10%%: %v", st.TrafficByRevision)
	}
	e.checkServing(t)
	// On a terminal, a person is asked; yes goes on.
	var asked []Prompt
	ex.Journal.Close()
	ex2, _ := e.executor(t, p, ex.Journal.Path())
	ex2.AcceptNoMetrics = false
	ex2.Confirm = func(ctx context.Context, pr Prompt) (bool, error) {
		asked = append(asked, pr)
		return true, nil
	}
	if _, err := ex2.Apply(tctx(t), p, ApplyOptions{Resume: true}); err != nil {
		t.Fatal(err)
	}
	kinds := map[PromptKind]int{}
	for _, a := range asked {
		kinds[a.Kind]++
	}
	if kinds[PromptStage] == 0 || kinds[PromptInconclusive] == 0 {
		t.Errorf("prompts: %v", kinds)
	}
	for _, a := range asked {
		if a.Kind == PromptStage && a.Stage == StageServices && len(a.Details) == 0 {
			t.Error("the stage prompt does not say what changes")
		}
	}
}

// Resuming a finished plan re-checks every step and changes nothing.
func TestResumeIsIdempotent(t *testing.T) {
	e := startEstate(t, "startup")
	p, _ := e.plan(t, PlanOptions{})
	ex, _ := e.executor(t, p, "")
	if _, err := ex.Apply(tctx(t), p, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	state := e.normalState(t)
	mutations := func() int {
		n := 0
		for _, m := range []string{mUpdateService, mUpdateJob, mDeleteConnector, emulator.PatComputeSetPGA, emulator.PatComputePatchRouter, emulator.PatDNSCreateZone, emulator.PatDNSCreateChange} {
			n += e.srv.Calls(m)
		}
		return n
	}
	before := mutations()
	records := len(ex.Journal.Records())
	// Without --resume, the journal's started steps are pointed out.
	if _, err := ex.Apply(tctx(t), p, ApplyOptions{}); err == nil || !strings.Contains(err.Error(), "already started") {
		t.Fatalf("a second apply without --resume: %v", err)
	}
	for i := 0; i < 2; i++ {
		res, err := ex.Apply(tctx(t), p, ApplyOptions{Resume: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range res.Steps {
			if s.Status != StatusAlreadyDone {
				t.Errorf("resume %d: %s is %s", i+1, s.ID, s.Status)
			}
		}
	}
	if got := mutations(); got != before {
		t.Errorf("resuming a finished plan made %d change(s)", got-before)
	}
	if got := e.normalState(t); got != state {
		t.Errorf("the state moved:\n%s\nwant\n%s", got, state)
	}
	for _, r := range ex.Journal.Records()[records:] {
		if r.Type == RecordIntent || r.Type == RecordOutcome {
			t.Errorf("resume journaled %s for %s", r.Type, r.Step)
		}
	}
}

// A dry run reads and says exactly what it would do; it changes nothing
// and needs no journal.
func TestDryRunChangesNothing(t *testing.T) {
	e := startEstate(t, "startup")
	p, _ := e.plan(t, PlanOptions{})
	state := e.normalState(t)
	rec := &recorder{}
	ex := &Executor{Target: e.c, Now: e.clock.Now, Sleep: e.clock.Sleep, Reinventory: e.collect, Events: rec.add}
	res, err := ex.Apply(tctx(t), p, ApplyOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.normalState(t); got != state {
		t.Fatal("the dry run changed the estate")
	}
	if e.srv.Calls(mUpdateService) != 0 {
		t.Errorf("%d UpdateService calls in a dry run", e.srv.Calls(mUpdateService))
	}
	var details []string
	for _, s := range res.Steps {
		details = append(details, s.Details...)
	}
	all := strings.Join(details, "\n")
	for _, want := range []string{
		"new revision billing-eu-direct-00007; traffic: " + servingRevision0(t, scenarioText(t, "startup"), billingEU) + " 100%, billing-eu-direct-00007 0% (tag vpcshift)",
		"set privateIpGoogleAccess=true on projects/acme-startup/regions/us-central1/subnetworks/app-us",
		"record *.run.app. A 300 199.36.153.8,199.36.153.9,199.36.153.10,199.36.153.11",
		"remove Cloud NAT nat-us from router nat-router-us",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the dry run does not say %q", want)
		}
	}
	if res.Count(StatusPlanned) == 0 || len(rec.kinds(EventStepPlanned)) != res.Count(StatusPlanned) {
		t.Errorf("%d planned steps, %d events", res.Count(StatusPlanned), len(rec.kinds(EventStepPlanned)))
	}
}

// Rollback undoes what the journal says, in reverse: services back on
// their connectors with their traffic split, the zone vpcshift created
// removed, Private Google Access left on unless --revert-pga.
func TestRollbackRestoresTheEstate(t *testing.T) {
	e := startEstate(t, "startup")
	before := e.snapshot(t)
	p, _ := e.plan(t, PlanOptions{})
	ex, _ := e.executor(t, p, "")
	for _, st := range []StageName{StageNetwork, StageDNS, StageServices} {
		if _, err := ex.Apply(tctx(t), p, ApplyOptions{Stage: st}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := ex.Rollback(tctx(t), p, RollbackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	after := e.snapshot(t)
	was := map[string]inventory.Consumer{}
	for _, c := range before.Consumers {
		was[c.ID] = c
	}
	for _, c := range after.Consumers {
		w := was[c.ID]
		if c.Connector != w.Connector || c.Egress != w.Egress || (c.DirectVPC == nil) != (w.DirectVPC == nil) || !sameTrafficSpec(c.Traffic, w.Traffic) {
			t.Errorf("%s not restored: connector %q egress %s direct %v traffic %+v; was %q %s %v %+v", c.ID, c.Connector, c.Egress, c.DirectVPC, c.Traffic, w.Connector, w.Egress, w.DirectVPC, w.Traffic)
		}
	}
	if len(after.DNSZones) != len(before.DNSZones) {
		t.Errorf("zones: %d, were %d", len(after.DNSZones), len(before.DNSZones))
	}
	pgaKept := 0
	for _, s := range res.Steps {
		if s.Action == ActionSetPGA && s.Status == StatusSkipped && strings.Contains(s.Message, "--revert-pga") {
			pgaKept++
		}
	}
	if pgaKept != 3 {
		t.Errorf("%d PGA steps kept with a note, want 3: %+v", pgaKept, res.Steps)
	}
	e.checkServing(t)
	// --revert-pga turns off what vpcshift turned on.
	if _, err := ex.Rollback(tctx(t), p, RollbackOptions{RevertPGA: true}); err != nil {
		t.Fatal(err)
	}
	for _, sn := range e.snapshot(t).Subnets {
		w, _ := before.Subnet(sn.Project, sn.Region, sn.Name)
		if sn.PrivateIPGoogleAccess != w.PrivateIPGoogleAccess {
			t.Errorf("subnet %s: PGA %v, was %v", sn.Name, sn.PrivateIPGoogleAccess, w.PrivateIPGoogleAccess)
		}
	}
	// And the plan can be applied again from there.
	ex.Journal.Close()
	ex2, _ := e.executor(t, p, ex.Journal.Path())
	if _, err := ex2.Apply(tctx(t), p, ApplyOptions{Resume: true}); err != nil {
		t.Fatal(err)
	}
	e.checkTarget(t, p, before)
}

// After the decommission stage, a rollback says that a deleted connector
// cannot be restored, leaves its consumers on Direct VPC egress, and
// keeps the DNS and network they need.
func TestRollbackAfterDecommission(t *testing.T) {
	e := startEstate(t, "startup")
	p, _ := e.plan(t, PlanOptions{})
	ex, _ := e.executor(t, p, "")
	if _, err := ex.Apply(tctx(t), p, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := ex.Rollback(tctx(t), p, RollbackOptions{})
	if err == nil || !strings.Contains(err.Error(), "cannot be restored") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "gcloud compute networks vpc-access connectors create run-us") {
		t.Errorf("notes do not say how to recreate the connector: %v", res.Notes)
	}
	snap := e.snapshot(t)
	if len(snap.DNSZones) != 1 {
		t.Errorf("the zone was removed while consumers on Direct VPC egress need it")
	}
	if len(snap.NATs) != 1 {
		t.Errorf("the NAT was not restored: %+v", snap.NATs)
	}
	e.checkServing(t)
}
