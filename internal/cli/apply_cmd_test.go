package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"

	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
	"github.com/vpcshift/vpcshift/migrate"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files")
	}
	gcp.PollInterval = time.Millisecond
}

func updateGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/NAME.golden (rewritten under -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updateGoldens() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// demoPlan writes the plan of a built-in scenario (as --demo sees it).
func demoPlan(t *testing.T, scenario string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	code, _, stderr := run(t, nil, "--demo="+scenario, "plan", "-o", path, "--format", "json")
	if code != 0 {
		t.Fatalf("vpcshift plan: exit %d: %s", code, stderr)
	}
	return path
}

// The dry run prints exactly what would happen, step by step, and changes
// nothing (golden).
func TestApplyDryRunGolden(t *testing.T) {
	plan := demoPlan(t, "startup")
	code, stdout, stderr := run(t, nil, "--demo", "apply", plan, "--journal", filepath.Join("testdata", "no-such.journal"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "apply-dry-run-startup", strings.ReplaceAll(stdout, plan, "PLAN"))
	if !strings.Contains(stderr, "the plan is current") {
		t.Errorf("stderr %q", stderr)
	}
}

// --yes executes: a line per step on stderr, exit 0, a journal.
func TestApplyYesOnTheDemo(t *testing.T) {
	plan := demoPlan(t, "startup")
	journal := filepath.Join(t.TempDir(), "j.journal")
	code, stdout, stderr := run(t, nil, "--demo", "apply", plan, "--yes", "--journal", journal,
		"--soak", "0s", "--decommission-soak", "0s", "--accept-no-metrics", "--allow-nat-removal")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
	for _, want := range []string{
		"== stage services",
		"✓ services/acme-startup/us-central1/service/api/traffic-100 (0s): api-direct-00015 serves 100%",
		"✓ decommission/acme-startup/us-central1/nat/nat-router-us/nat-us/remove (0s)",
		"22 succeeded, 0 already done, 0 skipped, 0 failed, 0 rolled back, 0 not run",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !regexp.MustCompile(`(?m)^\[1/22\] ✓ `).MatchString(stderr) {
		t.Errorf("no numbered step lines:\n%s", stderr)
	}
	recs, torn, err := migrate.LoadJournal(journal)
	if err != nil || torn != "" || len(recs) < 40 {
		t.Fatalf("journal: %d records, torn %q, %v", len(recs), torn, err)
	}
}

// startEmulatorFor serves a scenario in-process for --emulator runs.
func startEmulatorFor(t *testing.T, name, text string) *emulator.Server {
	t.Helper()
	sc, err := emulator.ParseScenario(name+".yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.Start(context.Background(), sc, emulator.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func scenarioFile(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scenarios", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func emulatorPlan(t *testing.T, addr string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	code, _, stderr := run(t, nil, "--emulator", addr, "plan", "-o", path, "--format", "json")
	if code != 0 {
		t.Fatalf("vpcshift plan: exit %d: %s", code, stderr)
	}
	return path
}

// A plan whose service changed since it was made is refused: exit 5, the
// service named, the fix given.
func TestApplyStalePlanExits5(t *testing.T) {
	srv := startEmulatorFor(t, "startup", scenarioFile(t, "startup"))
	plan := emulatorPlan(t, srv.Addr)
	c, err := gcp.New(context.Background(), gcp.Config{Emulator: srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	name := "projects/acme-startup/locations/us-central1/services/orders"
	s, err := c.Services.GetService(context.Background(), &runpb.GetServiceRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	s.Labels["release"] = "hotfix"
	if op, err := c.Services.UpdateService(context.Background(), &runpb.UpdateServiceRequest{Service: s}); err != nil {
		t.Fatal(err)
	} else if _, err := op.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, yes := range []bool{false, true} {
		args := []string{"--emulator", srv.Addr, "apply", plan, "--journal", filepath.Join(t.TempDir(), "j")}
		if yes {
			args = append(args, "--yes")
		}
		code, _, stderr := run(t, nil, args...)
		if code != ExitStalePlan || !strings.Contains(stderr, name+": changed") || !strings.Contains(stderr, "fix: make a new plan") {
			t.Errorf("--yes=%v: exit %d, stderr:\n%s", yes, code, stderr)
		}
	}
}

// A bad canary (5xx for the new revision) rolls back and exits 6.
func TestApplyBadCanaryExits6(t *testing.T) {
	text := scenarioFile(t, "startup")
	probe := startEmulatorFor(t, "probe", text)
	svc, _ := probe.Service("projects/acme-startup/locations/europe-west1/services/billing-eu")
	prev := svc.GetLatestReadyRevision()
	prev = prev[strings.LastIndex(prev, "/")+1:]
	series := func(rev, class, n string) string {
		return `      - metric: {type: run.googleapis.com/request_count, labels: {response_code_class: ` + class + `}}
        resource: {type: cloud_run_revision, labels: {project_id: acme-startup, location: europe-west1, service_name: billing-eu, revision_name: ` + rev + `}}
        metricKind: DELTA
        valueType: INT64
        points:
          - {interval: {startTime: "2026-11-19T23:59:30Z", endTime: "2026-11-20T00:00:00Z"}, value: {int64Value: "` + n + `"}}
`
	}
	text += series("billing-eu-direct-00007", "5xx", "300") + series("billing-eu-direct-00007", "2xx", "700") + series(prev, "2xx", "1000")
	srv := startEmulatorFor(t, "bad-canary", text)
	plan := emulatorPlan(t, srv.Addr)
	code, _, stderr := run(t, nil, "--emulator", srv.Addr, "apply", plan, "--yes", "--parallel", "1", "--soak", "0s",
		"--journal", filepath.Join(t.TempDir(), "j"))
	if code != ExitRolledBack {
		t.Fatalf("exit %d, want %d:\n%s", code, ExitRolledBack, stderr)
	}
	for _, want := range []string{"30.00%", "(rolled back)", "↺ services/acme-startup/europe-west1/service/billing-eu/traffic-10", "fix: "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	svc, _ = srv.Service("projects/acme-startup/locations/europe-west1/services/billing-eu")
	if svc.GetTemplate().GetVpcAccess().GetConnector() == "" {
		t.Error("billing-eu is not back on its connector")
	}
}

// Two applies of one plan at once: the second stops at the lock.
func TestApplyLockedJournal(t *testing.T) {
	plan := demoPlan(t, "startup")
	journal := filepath.Join(t.TempDir(), "j.journal")
	host, _ := os.Hostname()
	os.WriteFile(journal+".lock", []byte(fmt.Sprintf(`{"pid":%d,"host":%q}`+"\n", os.Getpid(), host)), 0o600)
	code, _, stderr := run(t, nil, "--demo", "apply", plan, "--yes", "--journal", journal)
	if code != ExitFailure || !strings.Contains(stderr, "is applying this plan") || !strings.Contains(stderr, ".lock") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
}

// Apply, then roll back through the same emulator: dry run first, then
// --yes.
func TestRollbackCommand(t *testing.T) {
	srv := startEmulatorFor(t, "startup", scenarioFile(t, "startup"))
	plan := emulatorPlan(t, srv.Addr)
	journal := filepath.Join(t.TempDir(), "j.journal")
	code, _, stderr := run(t, nil, "--emulator", srv.Addr, "apply", plan, "--yes", "--stage", "services", "--journal", journal, "--soak", "0s", "--accept-no-metrics")
	// The services stage needs the network and dns stages first.
	if code != 0 || !strings.Contains(stderr, "waiting for network/") {
		t.Fatalf("services alone: exit %d:\n%s", code, stderr)
	}
	for _, st := range []string{"network", "dns", "services"} {
		code, _, stderr = run(t, nil, "--emulator", srv.Addr, "apply", plan, "--yes", "--resume", "--stage", st, "--journal", journal, "--soak", "0s", "--accept-no-metrics")
		if code != 0 {
			t.Fatalf("stage %s: exit %d:\n%s", st, code, stderr)
		}
	}
	code, stdout, stderr := run(t, nil, "--emulator", srv.Addr, "rollback", plan, "--journal", journal)
	if code != 0 || !strings.Contains(stdout, "would put projects/acme-startup/locations/us-central1/services/api back as it was") ||
		!strings.Contains(stdout, "would delete DNS zone run-app (vpcshift created it)") {
		t.Fatalf("rollback dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = run(t, nil, "--emulator", srv.Addr, "rollback", plan, "--yes", "--revert-pga", "--journal", journal)
	if code != 0 {
		t.Fatalf("rollback: exit %d:\n%s", code, stderr)
	}
	svc, _ := srv.Service("projects/acme-startup/locations/us-central1/services/api")
	if svc.GetTemplate().GetVpcAccess().GetConnector() == "" || len(srv.ManagedZones("acme-startup")) != 0 {
		t.Errorf("not rolled back: %v, zones %d", svc.GetTemplate().GetVpcAccess(), len(srv.ManagedZones("acme-startup")))
	}
	if sn, _ := srv.Subnetwork("acme-startup", "us-central1", "app-us"); sn.PrivateIpGoogleAccess {
		t.Error("--revert-pga left Private Google Access on")
	}
}

func TestApplyUsageErrors(t *testing.T) {
	plan := demoPlan(t, "startup")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"apply"}, ExitUsage, "accepts 1 arg"},
		{[]string{"--demo", "apply", plan, "--parallel", "0"}, ExitUsage, "--parallel must be between 1 and 64"},
		{[]string{"--demo", "apply", plan, "--stage", "nope"}, ExitUsage, "--stage must be one of"},
		{[]string{"--demo", "apply", plan, "--only", "api"}, ExitUsage, "--only wants KIND/NAME"},
		{[]string{"--demo", "apply", plan, "--soak", "-1s"}, ExitUsage, "cannot be negative"},
		{[]string{"--demo", "apply", plan, "--project", "other"}, ExitUsage, "the scope comes from the plan"},
		{[]string{"--demo", "apply", filepath.Join(t.TempDir(), "none.json")}, ExitFailure, "fix: make one with 'vpcshift plan -o plan.json'"},
		{[]string{"--demo", "apply", plan, "--only", "service/nope"}, ExitFailure, "matches no step of the plan"},
		{[]string{"--demo", "rollback", plan, "--journal", filepath.Join(t.TempDir(), "none")}, ExitFailure, "no journal for this plan"},
	} {
		code, _, stderr := run(t, nil, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

// On a terminal, --yes asks before each stage that changes something,
// naming the changes; a "no" stops there.
func TestApplyAsksPerStageOnATerminal(t *testing.T) {
	plan := demoPlan(t, "startup")
	var out, errb bytes.Buffer
	env := &Env{
		In: strings.NewReader("y\nn\n"), Out: &out, Err: &errb,
		InTTY: true, OutTTY: true, ErrTTY: true,
		Getenv:  func(string) string { return "" },
		Now:     func() time.Time { return testNow },
		HomeDir: t.TempDir(), Version: "test",
	}
	code := Main([]string{"--demo", "apply", plan, "--yes", "--journal", filepath.Join(t.TempDir(), "j")}, env)
	stderr := errb.String()
	if code != ExitFailure {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{
		"Apply stage network (3 change(s))? [y/N]",
		"  - Turn on Private Google Access on app-us",
		"Apply stage dns (1 change(s))? [y/N]",
		"stage dns was not confirmed",
		"fix: run again with --resume when ready",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "Apply stage services") {
		t.Error("asked about services after a no")
	}
}
