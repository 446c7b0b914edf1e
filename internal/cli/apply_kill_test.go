package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"

	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

// vpcshift apply, killed with SIGKILL at random points and resumed, ends
// in the same emulator state as an uninterrupted run; between kills, every
// service serves 100% of its traffic from Ready revisions.
//
// The emulator runs as a process of its own ('vpcshift emulator', state
// across commands), apply as another. To keep it fast the canary and
// decommission soaks are skipped (--soak 0s --decommission-soak 0s) and
// the emulator's operations finish on their first poll.
// VPCSHIFT_KILL_SEED and VPCSHIFT_KILL_RUNS change the seed and the count.
func TestApplySurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	bin := buildBinary(t)
	seed := int64(20261125)
	if s := os.Getenv("VPCSHIFT_KILL_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	runs := 20
	if s := os.Getenv("VPCSHIFT_KILL_RUNS"); s != "" {
		runs, _ = strconv.Atoi(s)
	}
	rng := rand.New(rand.NewSource(seed))
	t.Logf("seed %d, %d runs", seed, runs)

	ref, lines := killRun(t, bin, nil)
	if !strings.Contains(ref, "direct=projects/acme-startup") {
		t.Fatalf("the uninterrupted run did not migrate:\n%s", ref)
	}
	// Kill points: after a random number of journal lines (so that they
	// spread over the whole apply, from its first record to its last),
	// plus a random few hundred microseconds (so that some land inside an
	// API call, between an intent and its outcome, or inside a write).
	var plans [][]killPoint
	for i := 0; i < runs; i++ {
		n := 1 + rng.Intn(3)
		var at []int
		for k := 0; k < n; k++ {
			at = append(at, 2+rng.Intn(lines-2))
		}
		sort.Ints(at)
		var pts []killPoint
		for _, a := range at {
			pts = append(pts, killPoint{lines: a, jitter: time.Duration(rng.Intn(800)) * time.Microsecond})
		}
		plans = append(plans, pts)
	}
	for i, pts := range plans {
		t.Run(fmt.Sprintf("run-%02d", i+1), func(t *testing.T) {
			t.Parallel()
			got, _ := killRun(t, bin, pts)
			if got != ref {
				t.Errorf("kills at %v: the state differs from an uninterrupted run:\n%s", pts, diffLines(got, ref))
			}
		})
	}
}

// killPoint is where a run is killed: once the journal has that many
// lines, after the jitter.
type killPoint struct {
	lines  int
	jitter time.Duration
}

func (k killPoint) String() string { return fmt.Sprintf("line %d+%s", k.lines, k.jitter) }

// journalLines counts the lines of a journal (0 when it does not exist).
func journalLines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte("\n"))
}

// killRun serves startup in an emulator process, plans, applies (killing
// the apply at each kill point, then resuming), finishes with a resume, and
// returns the emulator's state and the journal's length.
func killRun(t *testing.T, bin string, kills []killPoint) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	emu := exec.CommandContext(ctx, bin, "emulator", "--scenario", filepath.Join("..", "..", "testdata", "scenarios", "startup.yaml"))
	stdout, err := emu.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { emu.Process.Kill(); emu.Wait() }()
	addr := ""
	sc := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
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
	planPath := filepath.Join(dir, "plan.json")
	if code, _, stderr := run(t, nil, "--emulator", addr, "plan", "-o", planPath, "--format", "json"); code != 0 {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	c, err := gcp.New(ctx, gcp.Config{Emulator: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	journal := filepath.Join(dir, "plan.journal")
	apply := func(resume bool) *exec.Cmd {
		args := []string{"--emulator", addr, "apply", planPath, "--yes", "--journal", journal,
			"--soak", "0s", "--decommission-soak", "0s", "--accept-no-metrics", "--allow-nat-removal"}
		if resume {
			args = append(args, "--resume")
		}
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_STATE_HOME="+dir, gcp.EmulatorEnv+"=", "CLOUDSDK_CORE_PROJECT=")
		return cmd
	}
	started := false
	for i, k := range kills {
		cmd := apply(started)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		started = true
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		finished := false
	wait:
		for journalLines(journal) < k.lines {
			select {
			case <-exited:
				finished = true
				break wait
			case <-time.After(200 * time.Microsecond):
			}
		}
		if !finished {
			time.Sleep(k.jitter)
			cmd.Process.Kill() // SIGKILL
			if err := <-exited; err == nil {
				finished = true
			}
		}
		if finished {
			t.Logf("kill %d at %s: the apply had finished", i+1, k)
		}
		checkAllServing(t, ctx, c)
		if t.Failed() {
			t.Fatalf("after the kill at %s:\n%s", k, errb.String())
		}
	}
	cmd := apply(started)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		recs, _ := os.ReadFile(journal)
		t.Fatalf("the final apply (kills at %v): %v\n%s\njournal:\n%s", kills, err, errb.String(), recs)
	}
	checkAllServing(t, ctx, c)
	if b, err := os.ReadFile(journal); err == nil && len(kills) > 0 {
		t.Logf("kills at %v: %d run(s); %d step(s) found done after an interrupted run",
			kills, bytes.Count(b, []byte(`"type":"run"`)), bytes.Count(b, []byte("found done after an interrupted run")))
	}
	return emulatorState(t, ctx, c), journalLines(journal)
}

// checkAllServing asserts that every service serves 100% of its traffic
// from Ready revisions.
func checkAllServing(t *testing.T, ctx context.Context, c *gcp.Clients) {
	t.Helper()
	snap, err := c.Collect(ctx, gcp.CollectOptions{Projects: []string{"acme-startup"}, Now: time.Now(), UsageWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, cons := range snap.Consumers {
		if cons.Kind != inventory.KindService {
			continue
		}
		st, err := c.Consumer(ctx, inventory.KindService, cons.ID)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for rev, pct := range st.TrafficByRevision {
			if pct == 0 {
				continue
			}
			r, err := c.Revisions.GetRevision(ctx, &runpb.GetRevisionRequest{Name: cons.ID + "/revisions/" + rev})
			if err != nil {
				t.Errorf("%s: %d%% to %s, which cannot be read: %v", cons.ID, pct, rev, err)
				continue
			}
			ready := false
			for _, cond := range r.GetConditions() {
				if cond.GetType() == "Ready" {
					ready = cond.GetState() == runpb.Condition_CONDITION_SUCCEEDED
				}
			}
			if !ready {
				t.Errorf("%s: %d%% of its traffic goes to %s, which is not Ready", cons.ID, pct, rev)
			}
			total += pct
		}
		if total != 100 {
			t.Errorf("%s: Ready revisions serve %d%% of its traffic (%v)", cons.ID, total, st.TrafficByRevision)
		}
	}
}

// emulatorState is what a migration changes, in a stable form.
func emulatorState(t *testing.T, ctx context.Context, c *gcp.Clients) string {
	t.Helper()
	snap, err := c.Collect(ctx, gcp.CollectOptions{Projects: []string{"acme-startup"}, Now: time.Now(), UsageWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, cn := range snap.Connectors {
		lines = append(lines, "connector "+cn.ID+" "+cn.State)
	}
	for _, cs := range snap.Consumers {
		di := ""
		if cs.DirectVPC != nil {
			di = cs.DirectVPC.Network + " " + cs.DirectVPC.Subnetwork
		}
		var tr []string
		for _, x := range cs.Traffic {
			tr = append(tr, fmt.Sprintf("%s/%s/%d/%s", x.Type, x.Revision, x.Percent, x.Tag))
		}
		sort.Strings(tr)
		lines = append(lines, fmt.Sprintf("consumer %s conn=%s egress=%s direct=%s ready=%s traffic=%s", cs.ID, cs.Connector, cs.Egress, di, cs.LatestReadyRevision, strings.Join(tr, ";")))
	}
	for _, s := range snap.Subnets {
		lines = append(lines, fmt.Sprintf("subnet %s pga=%v", s.ID, s.PrivateIPGoogleAccess))
	}
	for _, r := range snap.Routes {
		lines = append(lines, "route "+r.ID+" "+r.DestRange)
	}
	for _, n := range snap.NATs {
		lines = append(lines, "nat "+n.ID+" "+strings.Join(n.Subnetworks, ","))
	}
	for _, z := range snap.DNSZones {
		var recs []string
		for _, r := range z.Records {
			recs = append(recs, r.Name+" "+r.Type+" "+strings.Join(r.RRDatas, ","))
		}
		sort.Strings(recs)
		lines = append(lines, "zone "+z.ID+" "+z.DNSName+" "+strings.Join(recs, ";"))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func diffLines(got, want string) string {
	g, w := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
	}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	var out []string
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			out = append(out, "+ "+l)
		}
	}
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			out = append(out, "- "+l)
		}
	}
	return strings.Join(out, "\n")
}
