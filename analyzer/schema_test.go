package analyzer

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, name string, b []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s does not match the schema: %v", name, err)
	}
}

// TestGoldensMatchSchema validates every golden report, and reports built
// for the edge cases the goldens do not show, against the embedded schema.
func TestGoldensMatchSchema(t *testing.T) {
	sch := compileSchema(t)
	goldens, _ := filepath.Glob(filepath.Join("testdata", "*.golden"))
	if len(goldens) < len(testSnapshots) {
		t.Fatalf("only %d goldens", len(goldens))
	}
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		validate(t, sch, g, b)
	}
	// Unpriced resources, unknown NAT status, negative savings, overrides.
	edge := map[string]*Report{}
	s := startupSnapshot()
	s.Connectors[1].MachineType = "n2-standard-2"
	s.NATs[0].Status, s.NATs[0].Usage = nil, nil
	edge["unpriced"] = analyze(t, s)
	m := migratedSnapshot()
	m.DNSZones = nil
	edge["negative"] = analyze(t, m)
	edge["nobook"] = Analyze(enterpriseSnapshot(), nil, Options{Now: fixedNow, SubnetOverrides: map[string]string{"us-east1": "missing"}})
	e := enterpriseSnapshot()
	e.Connectors[0].ConnectedProjects = append(e.Connectors[0].ConnectedProjects, "ent-legacy")
	edge["unknown"] = analyze(t, e)
	edge["synthetic"] = analyze(t, syntheticSnapshot(300, 12))
	for name, r := range edge {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		validate(t, sch, name, b)
	}
	// And the schema rejects what it should.
	var r map[string]any
	b, _ := os.ReadFile(filepath.Join("testdata", "startup.golden"))
	_ = json.Unmarshal(b, &r)
	r["summary"].(map[string]any)["monthlySavings"] = "46.1"
	bad, _ := json.Marshal(r)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if sch.Validate(inst) == nil {
		t.Error("schema accepts money with one decimal")
	}
	r["summary"].(map[string]any)["monthlySavings"] = "46.13"
	r["extra"] = true
	bad, _ = json.Marshal(r)
	inst, _ = jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if sch.Validate(inst) == nil {
		t.Error("schema accepts an unknown top-level field")
	}
}

// TestFindingCodesDocumented keeps docs/findings.md, the schema's code enum
// and the codes Analyze emits in step.
func TestFindingCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "findings.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^## `([a-z0-9-]+)`").FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = true
	}
	all := FindingCodes()
	for _, c := range all {
		if !documented[c] {
			t.Errorf("finding code %s is not documented in docs/findings.md (## `%s`)", c, c)
		}
	}
	for c := range documented {
		if !slices.Contains(all, c) {
			t.Errorf("docs/findings.md documents %s, which FindingCodes does not list", c)
		}
	}
	// Every code used by a report is a known one.
	used := map[string]bool{}
	for _, ts := range testSnapshots {
		for _, f := range analyze(t, ts.snap()).Findings {
			used[f.Code] = true
			if !strings.HasPrefix(f.ID, f.Code+":") || f.Resource == "" || f.Message == "" || f.Fix == "" {
				t.Errorf("finding %+v lacks an ID, resource, message or fix", f)
			}
			if strings.Contains(f.Message, "\n") {
				t.Errorf("finding %s has a multi-line message", f.ID)
			}
		}
	}
	for c := range used {
		if !slices.Contains(all, c) {
			t.Errorf("code %s used but not in FindingCodes", c)
		}
	}
	// The schema's enum is the same list.
	var sch struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(Schema(), &sch); err != nil {
		t.Fatal(err)
	}
	enum := sch.Defs["finding"].Properties["code"].Enum
	sort.Strings(enum)
	if !slices.Equal(enum, all) {
		t.Errorf("schema finding codes %v\nFindingCodes %v", enum, all)
	}
}
