package emulator

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestParseScenarioRefusesMalformedInputWithFileLineAndField(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown top-level key", "latency: 0ms\nprojetcs: []\n", "bad.yaml:2: projetcs: unknown field"},
		{"bad latency", "latency: fast\n", "bad.yaml:1: latency:"},
		{"missing project number", "projects:\n  - projectId: p1\n", "bad.yaml:2: projects[0].projectNumber: missing"},
		{"unknown field in a REST resource", `projects:
  - projectId: p1
    projectNumber: "1"
    subnetworks:
      - name: s1
        region: us-central1
        network: n
        privateIpGoogleAcess: true
`, "bad.yaml:8: projects[0].subnetworks[0].privateIpGoogleAcess: unknown field"},
		{"unknown field in a proto resource", `projects:
  - projectId: p1
    projectNumber: "1"
    services:
      - name: projects/p1/locations/us-central1/services/api
        template:
          vpcAcess: {}
`, "bad.yaml:7: projects[0].services[0].vpcAcess"},
		{"bad enum", `projects:
  - projectId: p1
    projectNumber: "1"
    services:
      - name: projects/p1/locations/us-central1/services/api
        template:
          vpcAccess:
            egress: SOMETIMES
`, "bad.yaml:8: projects[0].services[0].egress"},
		{"name of another project", `projects:
  - projectId: p1
    projectNumber: "1"
    connectors:
      - name: projects/p2/locations/us-central1/connectors/c
`, `bad.yaml:5: projects[0].connectors[0].name: "projects/p2/locations/us-central1/connectors/c" belongs to project "p2"`},
		{"bad fault code", "faults:\n  - {method: x, code: SOMETIMES}\n", "bad.yaml:1: faults[0].code: unknown error code"},
		{"records for a missing zone", `projects:
  - projectId: p1
    projectNumber: "1"
    resourceRecordSets:
      nozone: []
`, `bad.yaml:5: projects[0].resourceRecordSets.nozone: no managed zone named "nozone"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseScenario("bad.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatalf("want error containing %q, got none", c.want)
			}
			var se *ScenarioError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *ScenarioError: %v", err, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestOneAddressServesBothProtocols(t *testing.T) {
	srv := startYAML(t, "projects: []\n")
	// REST: an unknown route gets Google's JSON error envelope.
	resp, err := http.Get(srv.HTTPURL() + "/nothing/here")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET unknown route: status %d, want 404", resp.StatusCode)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
}
