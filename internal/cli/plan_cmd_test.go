package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcshift/vpcshift/migrate"
)

func TestPlanMarkdownByDefault(t *testing.T) {
	code, stdout, stderr := run(t, nil, "--demo", "plan")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"# vpcshift migration plan", "**Savings** | **$46.13**", "gcloud run services update api --region us-central1 --project acme-startup --network acme-vpc --subnet app-us --vpc-egress private-ranges-only --clear-vpc-connector --no-traffic --tag vpcshift --revision-suffix direct-00015"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing for a plan without blockers", stderr)
	}
}

// -o writes the JSON plan whatever --format prints, and says where.
func TestPlanOutputFileIsAlwaysJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	code, stdout, stderr := run(t, nil, "--demo", "plan", "--format", "shell", "-o", path, "--traffic-steps", "20,100", "--soak", "10m")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "#!/usr/bin/env bash\n") {
		t.Errorf("stdout is not the shell script: %.80q", stdout)
	}
	if !strings.Contains(stderr, "plan written to "+path) {
		t.Errorf("stderr %q does not say where the plan went", stderr)
	}
	p, err := migrate.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Options.TrafficSteps; len(got) != 2 || got[0] != 20 || p.Options.CanarySoak.Short() != "10m" || p.Options.Live {
		t.Errorf("options %+v", p.Options)
	}
	// Rendered again offline: no --demo, no project, no credentials.
	for format, want := range map[string]string{"terraform": `resource "google_dns_managed_zone" "run_app_acme_startup"`, "json": `"formatVersion": "vpcshift.plan/v1"`, "markdown": "# vpcshift migration plan", "shell": "set -euo pipefail"} {
		code, out, errs := run(t, map[string]string{}, "plan", "render", path, "--format", format)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("render --format %s: exit %d, %q; stderr %s", format, code, firstLine(out), errs)
		}
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// A plan that stops at blockers still prints, exits 0 and says so.
func TestPlanStoppedByBlockersExitsZero(t *testing.T) {
	code, stdout, stderr := run(t, nil, "--demo=enterprise", "plan", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	p, err := migrate.Read(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Stopped() || !strings.Contains(stderr, "the plan stops at 1 blocker(s)") || !strings.Contains(stderr, "a-run-app") {
		t.Errorf("stopped %v, stderr %q", p.Stopped(), stderr)
	}
}

func TestPlanUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--demo", "plan", "--format", "xml"}, "--format for plan must be markdown, shell, terraform or json"},
		{[]string{"--demo", "plan", "--traffic-steps", "50,10"}, "traffic steps must increase"},
		{[]string{"--demo", "plan", "--tag", "Bad_Tag"}, "tag \"Bad_Tag\""},
		{[]string{"--demo", "plan", "--soak", "0s"}, "must be positive"},
		{[]string{"plan", "render"}, "accepts 1 arg"},
	} {
		code, _, stderr := run(t, nil, c.args...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, ExitUsage, c.want)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"formatVersion": "other"}`), 0o644)
	code, _, stderr := run(t, nil, "plan", "render", bad)
	if code != ExitFailure || !strings.Contains(stderr, "formatVersion") {
		t.Errorf("bad plan: exit %d, %q", code, stderr)
	}
}
