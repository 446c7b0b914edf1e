package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// binary is vpcshift built once for the tests that need a second process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vpcshift-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildBinary builds cmd/vpcshift once per test binary.
func buildBinary(t *testing.T) string {
	t.Helper()
	if binary != "" {
		return binary
	}
	out := filepath.Join(t.TempDir(), "vpcshift")
	cmd := exec.Command("go", "build", "-o", out, "github.com/vpcshift/vpcshift/cmd/vpcshift")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building vpcshift: %v\n%s", err, b)
	}
	// Keep it for later tests in this process: copy out of the test's
	// temp dir, which is removed when the test ends.
	keep := filepath.Join(os.TempDir(), fmt.Sprintf("vpcshift-test-%d", os.Getpid()))
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keep, data, 0o755); err != nil {
		t.Fatal(err)
	}
	binary = keep
	t.Cleanup(func() {})
	return binary
}

// run runs vpcshift in-process with a test Env and returns exit code,
// stdout and stderr.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{
		In: strings.NewReader(""), Out: &out, Err: &errb,
		Getenv:  func(k string) string { return env[k] },
		Now:     func() time.Time { return testNow },
		HomeDir: t.TempDir(),
		Version: "test",
	}
	code := Main(args, e)
	return code, out.String(), errb.String()
}

func TestUsageErrorsExit2WithAMessage(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "unknown flag: --bogus"},
		{[]string{"--prices", "cheap", "inventory"}, "--prices must be snapshot or live"},
		{[]string{"--org", "1", "--folder", "2", "inventory"}, "--org and --folder cannot be used together"},
		{[]string{"--concurrency", "0", "inventory"}, "--concurrency must be between 1 and 256"},
		{[]string{"--usage-window", "90d", "inventory"}, "invalid argument"},
		{[]string{"--subnet", "us-central1", "inventory"}, "--subnet wants REGION=SUBNET"},
		{[]string{"--demo", "--emulator", "127.0.0.1:1", "inventory"}, "--demo and --emulator cannot be used together"},
		{[]string{"--demo", "inventory", "--format", "xml"}, "--format for inventory must be table, json or csv"},
		{[]string{"--demo=nosuchscenario", "inventory"}, "no scenario file \"nosuchscenario\" and no built-in scenario of that name"},
		{[]string{}, "no terminal for the interactive UI"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, stderr := run(t, nil, c.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr: %s", code, ExitUsage, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q does not contain %q", stderr, c.want)
			}
		})
	}
}

func TestNoProjectSaysHowToChooseOne(t *testing.T) {
	code, _, stderr := run(t, map[string]string{}, "inventory", "--emulator", "")
	if code != ExitUsage || !strings.Contains(stderr, "no project to inventory") || !strings.Contains(stderr, "--project") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestProjectFromGcloudConfig(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, ".config", "gcloud", "configurations")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(home, ".config", "gcloud", "active_config"), []byte("work\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "config_work"), []byte("[core]\naccount = me@example.com\nproject = from-gcloud\n\n[compute]\nregion = us-central1\n"), 0o644)
	env := &Env{Getenv: func(string) string { return "" }, HomeDir: home}
	if got := gcloudProject(env); got != "from-gcloud" {
		t.Fatalf("gcloudProject = %q", got)
	}
	o := &globalOpts{env: &Env{Getenv: func(k string) string {
		if k == "CLOUDSDK_CORE_PROJECT" {
			return "from-env"
		}
		return ""
	}, HomeDir: home}}
	if ps, _ := o.resolveProjects(nil); len(ps) != 1 || ps[0] != "from-env" {
		t.Fatalf("CLOUDSDK_CORE_PROJECT should win over the gcloud config: %v", ps)
	}
	o.projects = []string{"a,b", "a"}
	if ps, _ := o.resolveProjects(nil); strings.Join(ps, " ") != "a b" {
		t.Fatalf("--project should win and be deduplicated: %v", ps)
	}
}

func TestDemoInventoryJSON(t *testing.T) {
	code, stdout, stderr := run(t, nil, "--demo", "inventory", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	snap, err := inventory.Read(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Connectors) != 2 || len(snap.Consumers) != 5 || len(snap.NATs) != 1 {
		t.Fatalf("startup inventory: %d connectors, %d consumers, %d NATs", len(snap.Connectors), len(snap.Consumers), len(snap.NATs))
	}
	if stderr != "" {
		t.Errorf("stderr should be empty when not a terminal, got %q", stderr)
	}
}

// The emulator runs in one process and an inventory in another reads it
// through VPCSHIFT_EMULATOR_HOST (issue: "prints its address, and
// VPCSHIFT_EMULATOR_HOST=<that address> vpcshift inventory in a second
// process lists what the scenario holds").
func TestEmulatorServesASecondProcess(t *testing.T) {
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	emu := exec.CommandContext(ctx, bin, "emulator", "--scenario", filepath.Join("..", "..", "testdata", "scenarios", "startup.yaml"))
	stdout, err := emu.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	emu.Stderr = os.Stderr
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { emu.Process.Kill(); emu.Wait() }()
	addrRE := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)
	sc := bufio.NewScanner(stdout)
	addr := ""
	for sc.Scan() {
		if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	if addr == "" {
		t.Fatal("the emulator did not print its address")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	inv := exec.CommandContext(ctx, bin, "inventory", "--format", "json")
	inv.Env = append(os.Environ(), "VPCSHIFT_EMULATOR_HOST="+addr, "CLOUDSDK_CORE_PROJECT=")
	out, err := inv.Output()
	if err != nil {
		t.Fatalf("inventory against %s: %v", addr, err)
	}
	var snap inventory.Snapshot
	if err := json.Unmarshal(out, &snap); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range snap.Consumers {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "billing-eu,nightly-export,api,orders,web" {
		t.Errorf("consumers listed through the second process: %v", names)
	}
}
