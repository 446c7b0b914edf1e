package migrate

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

// Methods the faults are injected on (gRPC full methods, REST routes).
const (
	mUpdateService    = "google.cloud.run.v2.Services/UpdateService"
	mUpdateJob        = "google.cloud.run.v2.Jobs/UpdateJob"
	mUpdateWorkerPool = "google.cloud.run.v2.WorkerPools/UpdateWorkerPool"
	mDeleteConnector  = "google.cloud.vpcaccess.v1.VpcAccessService/DeleteConnector"
	mPatchFunction    = "PATCH /v2/projects/{project}/locations/{location}/functions/{function}"
)

// startupWithFunction is startup plus a gen2 function on run-us, so that
// the plan has an update-function step.
func startupWithFunction(t *testing.T) string {
	t.Helper()
	fn := `    functions:
      - name: projects/acme-startup/locations/us-central1/functions/thumbs
        environment: GEN_2
        state: ACTIVE
        url: https://thumbs-7kx2mz3qfa-uc.a.run.app
        buildConfig: {runtime: go125, entryPoint: Thumbs}
        serviceConfig:
          service: projects/acme-startup/locations/us-central1/services/thumbs
          vpcConnector: projects/acme-startup/locations/us-central1/connectors/run-us
          vpcConnectorEgressSettings: PRIVATE_RANGES_ONLY
          ingressSettings: ALLOW_INTERNAL_ONLY
          serviceAccountEmail: thumbs@acme-startup.iam.gserviceaccount.com

    networks:
`
	text := scenarioText(t, "startup")
	if !strings.Contains(text, "\n    networks:\n") {
		t.Fatal("startup.yaml changed shape: no networks key")
	}
	return strings.Replace(text, "\n    networks:\n", "\n"+fn, 1)
}

// startupNATWithVMs is startup with its Cloud NAT also serving app-us
// (and two VMs there), so that the plan takes the connector subnet out of
// it rather than removing it.
func startupNATWithVMs(t *testing.T) string {
	t.Helper()
	conn := `              - name: https://www.googleapis.com/compute/v1/projects/acme-startup/regions/us-central1/subnetworks/conn-us
                sourceIpRangesToNat: [ALL_IP_RANGES]
`
	text := scenarioText(t, "startup")
	if !strings.Contains(text, conn) {
		t.Fatal("startup.yaml changed shape: no conn-us in the NAT")
	}
	text = strings.Replace(text, conn, conn+strings.ReplaceAll(conn, "conn-us", "app-us"), 1)
	return strings.Replace(text, "numVmEndpointsWithNatMappings: 3", "numVmEndpointsWithNatMappings: 5", 1)
}

// enterpriseText is enterprise with ent-data listing asia-northeast1 (see
// TestApplyEnterpriseMigratablePart).
func enterpriseText(t *testing.T) string {
	return strings.Replace(scenarioText(t, "enterprise"), "regions: [us-central1, us-east1, europe-west1]\n", "regions: [us-central1, us-east1, europe-west1, asia-northeast1]\n", 1)
}

// resolvedEnterprise is enterprise with its plan-stopping zone removed.
func resolvedEnterprise(t *testing.T) *estate {
	t.Helper()
	e := startEstateText(t, "enterprise", enterpriseText(t))
	if err := e.c.DeleteZone(tctx(t), "ent-net-host", "a-run-app"); err != nil {
		t.Fatal(err)
	}
	return e
}

func manualSteps(p *Plan) []string {
	var out []string
	for _, st := range p.Stages {
		for _, s := range st.Steps {
			if s.Action == ActionManual {
				out = append(out, s.ID)
			}
		}
	}
	return out
}

// For every kind of step that calls an API, a fault that persists
// (UNAVAILABLE), a missing permission (PERMISSION_DENIED) and an operation
// that ends in error leave every consumer serving from a Ready revision
// with a working egress configuration; after the fault is lifted, --resume
// finishes the plan.
func TestInjectedFailuresEveryStepKind(t *testing.T) {
	type kase struct {
		action Action
		estate func(t *testing.T) *estate
		live   bool
		method string
		after  int
		// opMethod replaces method for the operation fault (DNS changes
		// have no long-running operation: a failing change after the zone
		// is created leaves the step half done instead).
		opMethod string
		noOp     bool
	}
	startup := func(t *testing.T) *estate { return startEstate(t, "startup") }
	withFn := func(t *testing.T) *estate { return startEstateText(t, "startup-fn", startupWithFunction(t)) }
	cases := []kase{
		{action: ActionValidate, estate: startup, live: true, method: mUpdateService, noOp: true},
		{action: ActionSetPGA, estate: startup, method: emulator.PatComputeSetPGA},
		{action: ActionCreateRoute, estate: resolvedEnterprise, method: emulator.PatComputeInsertRoute},
		{action: ActionCreateZone, estate: startup, method: emulator.PatDNSCreateZone, opMethod: emulator.PatDNSCreateChange},
		{action: ActionDeployRevision, estate: startup, method: mUpdateService},
		{action: ActionShiftTraffic, estate: startup, method: mUpdateService, after: 1},
		{action: ActionUpdateJob, estate: startup, method: mUpdateJob},
		{action: ActionUpdateWorkerPool, estate: resolvedEnterprise, method: mUpdateWorkerPool},
		{action: ActionUpdateFunction, estate: withFn, method: mPatchFunction},
		{action: ActionDeleteConnector, estate: startup, method: mDeleteConnector},
		{action: ActionRemoveNAT, estate: startup, method: emulator.PatComputePatchRouter},
		{action: ActionRemoveNATSubnets, estate: func(t *testing.T) *estate { return startEstateText(t, "startup-nat", startupNATWithVMs(t)) }, method: emulator.PatComputePatchRouter},
	}
	faults := []struct {
		name  string
		fault func(k kase) (emulator.Fault, bool)
	}{
		{"unavailable", func(k kase) (emulator.Fault, bool) {
			return emulator.Fault{Method: k.method, Code: "UNAVAILABLE", After: k.after}, true
		}},
		{"permission-denied", func(k kase) (emulator.Fault, bool) {
			return emulator.Fault{Method: k.method, Code: "PERMISSION_DENIED", After: k.after}, true
		}},
		{"operation-error", func(k kase) (emulator.Fault, bool) {
			if k.noOp {
				return emulator.Fault{}, false
			}
			if k.opMethod != "" {
				return emulator.Fault{Method: k.opMethod, Code: "INTERNAL", After: k.after}, true
			}
			return emulator.Fault{Method: k.method, Operation: true, After: k.after}, true
		}},
	}
	for _, k := range cases {
		for _, f := range faults {
			fault, ok := f.fault(k)
			if !ok {
				continue
			}
			t.Run(string(k.action)+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				e := k.estate(t)
				before := e.snapshot(t)
				p, _ := e.plan(t, PlanOptions{Live: k.live})
				done := manualSteps(p)
				if err := e.srv.InjectFault(fault); err != nil {
					t.Fatal(err)
				}
				ex, _ := e.executor(t, p, "")
				ex.Parallel = 1 // the fault hits the step it is meant for
				res, err := ex.Apply(tctx(t), p, ApplyOptions{ManualDone: done})
				if err == nil {
					t.Fatalf("the apply succeeded despite the fault")
				}
				if !errors.Is(err, ErrStopped) && !errors.Is(err, ErrRolledBack) {
					t.Fatalf("error %v, want a stop", err)
				}
				var failed *StepResult
				for i := range res.Steps {
					if s := &res.Steps[i]; (s.Status == StatusFailed || s.Status == StatusRolledBack) && failed == nil {
						failed = s
					}
				}
				if failed == nil || failed.Action != k.action {
					t.Fatalf("failed step %+v, want a %s step (error %v)", failed, k.action, err)
				}
				t.Logf("stopped as expected: %v", err)
				e.checkServing(t)
				if t.Failed() {
					return
				}
				// Lift the fault and resume.
				e.srv.ClearFaults()
				ex.Journal.Close()
				ex2, _ := e.executor(t, p, ex.Journal.Path())
				res2, err := ex2.Apply(tctx(t), p, ApplyOptions{Resume: true, ManualDone: done})
				if err != nil {
					for _, s := range res2.Steps {
						t.Logf("%s %s: %s", s.Status, s.ID, s.Message)
					}
					t.Fatalf("resume: %v", err)
				}
				e.checkTarget(t, p, before)
				e.checkServing(t)
			})
		}
	}
}

// A step journaled as started but not finished is re-checked: redone when
// its result is not there, recorded as done when it is.
func TestResumeAfterAnInterruptedStep(t *testing.T) {
	for _, landed := range []bool{false, true} {
		t.Run(fmt.Sprintf("change-landed=%v", landed), func(t *testing.T) {
			e := startEstate(t, "startup")
			before := e.snapshot(t)
			p, _ := e.plan(t, PlanOptions{})
			var deploy *Step
			for i := range p.Stages {
				for j := range p.Stages[i].Steps {
					if s := &p.Stages[i].Steps[j]; s.Action == ActionDeployRevision && deploy == nil {
						deploy = s
					}
				}
			}
			ex, _ := e.executor(t, p, "")
			// Stages up to dns, then the intent of the deploy as a crash
			// would leave it (and, when the change landed, the change).
			if _, err := ex.Apply(tctx(t), p, ApplyOptions{Stage: StageNetwork}); err != nil {
				t.Fatal(err)
			}
			if _, err := ex.Apply(tctx(t), p, ApplyOptions{Stage: StageDNS}); err != nil {
				t.Fatal(err)
			}
			st, err := e.c.Consumer(tctx(t), inventory.KindService, deploy.Resource)
			if err != nil {
				t.Fatal(err)
			}
			if err := ex.Journal.Append(Record{Type: RecordIntent, Step: deploy.ID, Action: deploy.Action, Resource: deploy.Resource, Pre: &PreImage{Consumer: st}, Post: &PostImage{Revision: deploy.Params.Revision}}); err != nil {
				t.Fatal(err)
			}
			if landed {
				if _, err := e.c.UpdateConsumerVPC(tctx(t), inventory.KindService, deploy.Resource, st.Etag, targetVPC(deploy), deploy.Params.Revision, deploy.Params.Traffic, false); err != nil {
					t.Fatal(err)
				}
			}
			calls := e.srv.Calls(mUpdateService)
			ex.Journal.Close()
			ex2, _ := e.executor(t, p, ex.Journal.Path())
			res, err := ex2.Apply(tctx(t), p, ApplyOptions{Resume: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range res.Steps {
				if s.ID == deploy.ID && s.Status != StatusSucceeded {
					t.Errorf("the interrupted deploy ended %s (%s)", s.Status, s.Message)
				}
			}
			// Three traffic steps per service, a deploy per service unless
			// it had landed.
			services := 0
			for _, st := range p.Stages {
				for _, s := range st.Steps {
					if s.Action == ActionDeployRevision {
						services++
					}
				}
			}
			want := services * 4
			if landed {
				want--
			}
			if got := e.srv.Calls(mUpdateService) - calls; got != want {
				t.Errorf("%d UpdateService calls on resume, want %d", got, want)
			}
			e.checkTarget(t, p, before)
			e.checkServing(t)
		})
	}
}
