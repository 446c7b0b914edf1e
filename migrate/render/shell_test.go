package render_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vpcshift/vpcshift/migrate"
	"github.com/vpcshift/vpcshift/migrate/render"
)

// fakeGcloud records its argv (a count, then each argument, NUL-ended, so
// that any byte survives) and answers the guards' describe calls. With
// FAKE_MODE=done every describe says the step is done; otherwise each says
// it is not done yet.
const fakeGcloud = `#!/usr/bin/env bash
{ printf '%s\0' "$#"; for a in "$@"; do printf '%s\0' "$a"; done; } >> "$FAKE_GCLOUD_LOG"
if [ "${FAKE_MODE:-}" = done ]; then
  case "$1 $2 $3 $4" in
    "compute networks subnets describe") echo True; exit 0 ;;
    "compute networks vpc-access connectors" | "compute routers nats describe") exit 1 ;;
  esac
  case "$1 $2 $3" in
    "run services describe") printf 'vpcshift,10\nvpcshift,50\nTrue,100\n'; exit 0 ;;
    "run jobs describe" | "run worker-pools describe") echo '{"run.googleapis.com/network-interfaces": "[]"}'; exit 0 ;;
  esac
  case "$1 $2" in
    "functions describe") echo VPC_EGRESS_PRIVATE_RANGES_ONLY; exit 0 ;;
  esac
  exit 0
fi
case "$1 $2 $3 $4" in
  "compute networks subnets describe") echo False; exit 0 ;;
  "compute networks vpc-access connectors") echo exists; exit 0 ;;
  "compute routers nats describe") printf '%s\n' "${FAKE_NAT_SUBNETS:-}"; exit 0 ;;
esac
case "$1 $2 $3" in
  "run services describe" | "run jobs describe" | "run worker-pools describe") exit 0 ;;
esac
case "$1 $2" in
  "functions describe") exit 0 ;;
esac
for a in "$@"; do
  if [ "$a" = describe ]; then exit 1; fi
done
exit 0
`

// scriptRun is one run of a generated script.
type scriptRun struct {
	code   int
	out    string
	calls  [][]string
	script string
	dir    string
}

// runScript writes the plan's script and runs it with the fake gcloud
// first on PATH, answering every stage, skipping the canary waits and
// confirming every manual step and soak.
func runScript(t *testing.T, p *migrate.Plan, mode string) scriptRun {
	t.Helper()
	var b bytes.Buffer
	if err := render.Shell(&b, p); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "plan.sh")
	if err := os.WriteFile(script, b.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "gcloud"), []byte(fakeGcloud), 0o755); err != nil {
		t.Fatal(err)
	}
	var confirmed, natSubnets []string
	env := append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"FAKE_GCLOUD_LOG="+filepath.Join(dir, "calls"),
		"FAKE_MODE="+mode,
		"VPCSHIFT_YES=1", "VPCSHIFT_SKIP_WAIT=1", "VPCSHIFT_ALLOW_NAT_REMOVAL=1",
		"VPCSHIFT_CONFIRMED="+filepath.Join(dir, "confirmed"),
	)
	for _, st := range p.Stages {
		for _, s := range st.Steps {
			switch s.Action {
			case migrate.ActionManual, migrate.ActionSoak:
				confirmed = append(confirmed, s.ID)
			case migrate.ActionUpdateFunction:
				env = append(env, sourceEnv(lastSegment(s.Resource))+"=src")
			case migrate.ActionRemoveNATSubnets:
				for _, sn := range s.Params.RemoveSubnets {
					natSubnets = append(natSubnets, "https://www.googleapis.com/compute/v1/projects/"+s.Project+"/regions/"+s.Region+"/subnetworks/"+sn)
				}
			}
		}
	}
	env = append(env, "FAKE_NAT_SUBNETS="+strings.Join(natSubnets, ";"))
	if err := os.WriteFile(filepath.Join(dir, "confirmed"), []byte(strings.Join(confirmed, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", script)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return scriptRun{code: code, out: string(out), calls: readCalls(t, filepath.Join(dir, "calls")), script: b.String(), dir: dir}
}

func readCalls(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Split(string(data), "\x00")
	var calls [][]string
	for i := 0; i < len(fields)-1; {
		n, err := strconv.Atoi(fields[i])
		if err != nil {
			t.Fatalf("bad call log at field %d: %q", i, fields[i])
		}
		calls = append(calls, fields[i+1:i+1+n])
		i += 1 + n
	}
	return calls
}

func sourceEnv(fn string) string {
	var b strings.Builder
	b.WriteString("VPCSHIFT_SOURCE_")
	for _, r := range strings.ToUpper(fn) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func lastSegment(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

func isDescribe(call []string) bool {
	for i, a := range call {
		if i > 5 {
			break
		}
		if a == "describe" {
			return true
		}
	}
	return false
}

func changes(calls [][]string) [][]string {
	var out [][]string
	for _, c := range calls {
		if !isDescribe(c) {
			out = append(out, c)
		}
	}
	return out
}

// callLog writes calls one a line, each argument Go-quoted (a golden that
// shows every byte).
func callLog(calls [][]string) []byte {
	var b bytes.Buffer
	for _, c := range calls {
		for i, a := range c {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.Quote(a))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func TestShellScriptsRunAgainstAFakeGcloud(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			p := planFor(t, sc.path, migrate.PlanOptions{})
			r := runScript(t, p, "")
			wantCode := 0
			if p.Stopped() {
				wantCode = 4
			}
			if r.code != wantCode {
				t.Fatalf("exit %d, want %d\n%s", r.code, wantCode, r.out)
			}
			golden(t, sc.name+".gcloud", callLog(r.calls))
			if p.Stopped() && len(changes(r.calls)) != 0 {
				t.Fatalf("a stopped plan changed something: %q", changes(r.calls))
			}
			// Everything done: a second run changes nothing.
			again := runScript(t, p, "done")
			if again.code != wantCode {
				t.Fatalf("second run: exit %d, want %d\n%s", again.code, wantCode, again.out)
			}
			if c := changes(again.calls); len(c) != 0 {
				t.Fatalf("re-running a finished plan changed something: %q", c)
			}
		})
	}
}

// The startup script makes exactly these changes, in this order.
func TestStartupScriptChanges(t *testing.T) {
	p := planFor(t, "../../testdata/scenarios/startup.yaml", migrate.PlanOptions{})
	r := runScript(t, p, "")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	reg := func(r, p string) string { return "--region " + r + " --project " + p }
	us, eu := reg("us-central1", "acme-startup"), reg("europe-west1", "acme-startup")
	want := []string{
		"compute networks subnets update app-us " + us + " --enable-private-ip-google-access",
		"compute networks subnets update conn-eu " + eu + " --enable-private-ip-google-access",
		"compute networks subnets update conn-us " + us + " --enable-private-ip-google-access",
		"dns managed-zones create run-app --project acme-startup --dns-name run.app. --visibility private --networks acme-vpc --description vpcshift: *.run.app through private.googleapis.com (199.36.153.8/30)",
		"dns record-sets create *.run.app. --type A --ttl 300 --rrdatas 199.36.153.8,199.36.153.9,199.36.153.10,199.36.153.11 --zone run-app --project acme-startup",
		"run services update billing-eu " + eu + " --network acme-vpc --subnet app-eu --vpc-egress private-ranges-only --clear-vpc-connector --no-traffic --tag vpcshift --revision-suffix direct-00007",
		"run services update-traffic billing-eu " + eu + " --to-tags vpcshift=10",
		"run services update-traffic billing-eu " + eu + " --to-tags vpcshift=50",
		"run services update-traffic billing-eu " + eu + " --to-latest",
		"run jobs update nightly-export " + us + " --network acme-vpc --subnet app-us --vpc-egress private-ranges-only --clear-vpc-connector",
		// orders before api: api calls orders.
		"run services update orders " + us + " --network acme-vpc --subnet app-us --vpc-egress private-ranges-only --clear-vpc-connector --no-traffic --tag vpcshift --revision-suffix direct-00010",
		"run services update-traffic orders " + us + " --to-tags vpcshift=10",
		"run services update-traffic orders " + us + " --to-tags vpcshift=50",
		"run services update-traffic orders " + us + " --to-latest",
		"run services update api " + us + " --network acme-vpc --subnet app-us --vpc-egress private-ranges-only --clear-vpc-connector --no-traffic --tag vpcshift --revision-suffix direct-00015",
		"run services update-traffic api " + us + " --to-tags vpcshift=10",
		"run services update-traffic api " + us + " --to-tags vpcshift=50",
		"run services update-traffic api " + us + " --to-latest",
		"compute networks vpc-access connectors delete run-eu " + eu + " --quiet",
		"compute networks vpc-access connectors delete run-us " + us + " --quiet",
		"compute routers nats delete nat-us --router nat-router-us " + us + " --quiet",
	}
	got := changes(r.calls)
	if len(got) != len(want) {
		t.Fatalf("%d changes, want %d:\n%s", len(got), len(want), callLog(got))
	}
	for i := range want {
		if g := strings.Join(got[i], " "); g != want[i] {
			t.Errorf("change %d:\n got  %s\n want %s", i+1, g, want[i])
		}
	}
	// Each change comes after the describe that guards it.
	for i, c := range r.calls {
		if !isDescribe(c) && (i == 0 || !isDescribe(r.calls[i-1])) {
			t.Errorf("call %d (%s) has no guard before it", i+1, strings.Join(c, " "))
		}
	}
}

// Hostile names stay literal arguments: the fake gcloud sees them byte
// for byte, and nothing they hold ran.
func TestHostileNamesStayLiteral(t *testing.T) {
	p := planFor(t, "../testdata/hostile.yaml", migrate.PlanOptions{})
	r := runScript(t, p, "")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	hostile := []string{
		"api'\"`$(id)`", "line\nbreak; echo pwned #", "job;$HOME&&x", "fn$(reboot)",
		"c;rm -rf ~", "conn \"x\" `id`", "vms;ls", "rt'x", "nat\"y",
		"api'\"`$(id)`-direct-00005", "line\nbreak; echo pwned #-00002-i7d",
	}
	seen := map[string]bool{}
	for _, c := range r.calls {
		for _, a := range c {
			seen[a] = true
			for _, h := range hostile {
				if strings.Contains(a, h) {
					seen[h] = true
				}
			}
		}
	}
	for _, h := range hostile[:9] {
		if !seen[h] {
			t.Errorf("the fake gcloud never received %q as (part of) an argument", h)
		}
	}
	for _, want := range [][]string{
		{"run", "services", "update", "api'\"`$(id)`", "--region", "us-central1", "--project", "acme-hostile", "--network", "net'$(touch pwned-net)", "--subnet", "app$(touch pwned)", "--vpc-egress", "private-ranges-only", "--clear-vpc-connector", "--no-traffic", "--tag", "vpcshift", "--revision-suffix", "direct-00005"},
		{"run", "services", "update-traffic", "line\nbreak; echo pwned #", "--region", "us-central1", "--project", "acme-hostile", "--to-latest"},
		{"compute", "networks", "vpc-access", "connectors", "delete", "c;rm -rf ~", "--region", "us-central1", "--project", "acme-hostile", "--quiet"},
		{"compute", "routers", "nats", "update", "nat\"y", "--router", "rt'x", "--region", "us-central1", "--project", "acme-hostile", "--nat-custom-subnet-ip-ranges", "vms;ls"},
	} {
		found := false
		for _, c := range r.calls {
			if strings.Join(c, "\x00") == strings.Join(want, "\x00") {
				found = true
			}
		}
		if !found {
			t.Errorf("no call %q in\n%s", want, callLog(r.calls))
		}
	}
	for _, f := range []string{filepath.Join(r.dir, "pwned"), filepath.Join(r.dir, "pwned-net"), "/tmp/pwned"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s exists: a name was executed", f)
		}
	}
	if strings.Contains(r.out, "uid=") {
		t.Errorf("`id` ran:\n%s", r.out)
	}
	// Comments cannot be broken out of either.
	for i, l := range strings.Split(r.script, "\n") {
		if strings.HasPrefix(l, "echo pwned") || strings.HasPrefix(l, "break;") && !strings.Contains(l, "'") {
			t.Errorf("line %d of the script starts with hostile text: %q", i+1, l)
		}
	}
}
