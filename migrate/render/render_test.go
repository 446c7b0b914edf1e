package render_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
	"github.com/vpcshift/vpcshift/internal/pricing"
	"github.com/vpcshift/vpcshift/migrate"
	"github.com/vpcshift/vpcshift/migrate/render"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// testNow is the fixed clock of every golden.
var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func init() { gcp.PollInterval = time.Millisecond }

// scenarios are the shipped scenarios and the hostile one.
var scenarios = []struct{ name, path string }{
	{"startup", "../../testdata/scenarios/startup.yaml"},
	{"enterprise", "../../testdata/scenarios/enterprise.yaml"},
	{"migrated", "../../testdata/scenarios/migrated.yaml"},
	{"empty", "../../testdata/scenarios/empty.yaml"},
	{"hostile", "../testdata/hostile.yaml"},
}

// planFor inventories a scenario through the emulator and the real
// clients, analyses it with the embedded price book and plans it.
func planFor(t *testing.T, path string, opts migrate.PlanOptions) *migrate.Plan {
	t.Helper()
	sc, err := emulator.LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.Start(context.Background(), sc, emulator.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := gcp.New(context.Background(), gcp.Config{Emulator: srv.Addr, CallTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var projects []string
	for _, p := range sc.Projects {
		projects = append(projects, p.ProjectID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap, err := c.Collect(ctx, gcp.CollectOptions{Projects: projects, Now: testNow,
		Retry: &gcp.RetryPolicy{Attempts: 4, Initial: time.Millisecond, Max: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	book, err := pricing.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	rep := analyzer.Analyze(snap, book, analyzer.Options{Now: testNow, SubnetOverrides: opts.Subnets})
	opts.Now = testNow
	p, err := migrate.NewPlan(snap, rep, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Renderers work from the decoded plan: round-trip it as apply would.
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	decoded, err := migrate.Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	return decoded
}

var formats = []struct {
	ext string
	fn  func(w *bytes.Buffer, p *migrate.Plan) error
}{
	{"json", func(w *bytes.Buffer, p *migrate.Plan) error { return render.JSON(w, p) }},
	{"md", func(w *bytes.Buffer, p *migrate.Plan) error { return render.Markdown(w, p) }},
	{"sh", func(w *bytes.Buffer, p *migrate.Plan) error { return render.Shell(w, p) }},
	{"tf", func(w *bytes.Buffer, p *migrate.Plan) error { return render.Terraform(w, p) }},
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}

// Every shipped scenario in every format, byte for byte.
func TestGoldens(t *testing.T) {
	for _, sc := range scenarios {
		p := planFor(t, sc.path, migrate.PlanOptions{})
		for _, f := range formats {
			t.Run(sc.name+"."+f.ext, func(t *testing.T) {
				var b bytes.Buffer
				if err := f.fn(&b, p); err != nil {
					t.Fatal(err)
				}
				golden(t, sc.name+"."+f.ext, b.Bytes())
			})
		}
	}
}

// The Terraform parses and is already formatted.
func TestTerraformParsesAndIsFormatted(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			p := planFor(t, sc.path, migrate.PlanOptions{})
			var b bytes.Buffer
			if err := render.Terraform(&b, p); err != nil {
				t.Fatal(err)
			}
			if _, diags := hclparse.NewParser().ParseHCL(b.Bytes(), sc.name+".tf"); diags.HasErrors() {
				t.Fatalf("the Terraform does not parse: %v\n%s", diags, b.String())
			}
			if f := hclwrite.Format(b.Bytes()); !bytes.Equal(f, b.Bytes()) {
				t.Fatalf("hclwrite.Format changes the output:\n%s", firstDiff(b.String(), string(f)))
			}
		})
	}
}
