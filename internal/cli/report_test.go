package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vpcshift/vpcshift/analyzer"
)

func reportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(analyzer.Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// `vpcshift --demo --report` prints a schema-valid report for every
// shipped scenario.
func TestDemoReportIsSchemaValidForEveryScenario(t *testing.T) {
	sch := reportSchema(t)
	for _, name := range builtinScenarios() {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := run(t, nil, "--demo="+name, "--report")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(stdout))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Fatalf("report does not match its schema: %v", err)
			}
		})
	}
}

// The startup figures, recomputed by hand from the snapshot prices:
// run-us is 3 × (0.25 × 0.02181159 + 1 × 0.00292353) × 730 = 18.344376225.
func TestDemoReportFiguresToTheCent(t *testing.T) {
	code, stdout, stderr := run(t, nil, "--demo", "report", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		`"currentMonthlyCost": "46.73"`,
		`"monthlySavings": "46.13"`,
		`"annualSavings": "553.51"`,
		`"monthlyCost": "18.34"`,
		`"label": "snapshot@2026-02-12"`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %s", want)
		}
	}
}

func TestFailOnSavingsExits3(t *testing.T) {
	code, _, stderr := run(t, nil, "--demo", "report", "--fail-on-savings", "40")
	if code != ExitSavings || !strings.Contains(stderr, "monthly savings of 46.13 USD exceed --fail-on-savings 40.00") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := run(t, nil, "--demo", "report", "--fail-on-savings", "50"); code != 0 {
		t.Fatalf("below the threshold: exit %d", code)
	}
	if code, _, stderr := run(t, nil, "--demo", "report", "--fail-on-savings", "lots"); code != ExitUsage || !strings.Contains(stderr, "--fail-on-savings wants") {
		t.Fatalf("bad amount: exit %d %q", code, stderr)
	}
}

func TestReportSchemaAndFormats(t *testing.T) {
	code, stdout, _ := run(t, nil, "report", "--schema")
	if code != 0 || !strings.Contains(stdout, `"$schema"`) {
		t.Fatalf("--schema: exit %d", code)
	}
	for _, f := range []string{"csv", "markdown", "table"} {
		if code, out, stderr := run(t, nil, "--demo=enterprise", "report", "--format", f); code != 0 || out == "" {
			t.Fatalf("%s: exit %d %s", f, code, stderr)
		}
	}
	// The enterprise report names each blocker, gap, conflict and small subnet.
	_, out, _ := run(t, nil, "--demo=enterprise", "report", "--format", "json")
	for _, want := range []string{"consumer-cannot-move:projects/ent-data/locations/us-east1/functions/legacy-hook", "runapp-zone-conflict", "subnet-too-small", "coverage-gap", "monitoring.timeSeries.list", "run.googleapis.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("enterprise report lacks %q", want)
		}
	}
	if code, _, stderr := run(t, nil, "--demo", "--report", "--format", "csv"); code != ExitUsage || !strings.Contains(stderr, "--report prints JSON") {
		t.Fatalf("--report --format csv: exit %d %q", code, stderr)
	}
}
