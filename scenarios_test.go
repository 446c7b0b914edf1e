package vpcshift

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
)

// Every shipped scenario parses (the emulator refuses malformed ones with
// file, line and field).
func TestShippedScenariosParse(t *testing.T) {
	entries, err := fs.ReadDir(Scenarios, "testdata/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"startup": false, "enterprise": false, "migrated": false, "empty": false}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		data, err := Scenarios.ReadFile("testdata/scenarios/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		sc, err := emulator.ParseScenario(e.Name(), data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if len(sc.Projects) == 0 {
			t.Errorf("%s: no projects", e.Name())
		}
		want[strings.TrimSuffix(e.Name(), ".yaml")] = true
	}
	for name, found := range want {
		if !found {
			t.Errorf("scenario %s.yaml is missing", name)
		}
	}
}
