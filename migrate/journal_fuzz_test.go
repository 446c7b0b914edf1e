package migrate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// The journal reader and the plan decoder read files a crash, a disk or a
// person may have mangled: whatever the input, they return an error or a
// value, never panic. CI runs them briefly: go test ./migrate -run '^$'
// -fuzz FuzzReadJournal -fuzztime 20s (and FuzzReadPlan).

func FuzzReadJournal(f *testing.F) {
	f.Add([]byte(`{"type":"header","format":"vpcshift.journal/v1","fingerprint":"sha256:aa","planDigest":"sha256:bb"}` + "\n" +
		`{"type":"run","run":1,"mode":"apply","pid":7}` + "\n" +
		`{"type":"intent","step":"s1","action":"set-private-google-access","pre":{"privateIpGoogleAccess":false}}` + "\n" +
		`{"type":"outcome","step":"s1","status":"succeeded","post":{"etag":"e1","revision":"r","percent":10}}` + "\n"))
	f.Add([]byte(`{"type":"intent","step":"s1","pre":{"consumer":{"id":"x","kind":"service","vpc":{"connector":"c"},"traffic":[{"type":"LATEST","percent":100}]}}}` + "\n" + `{"type":"outc`))
	f.Add([]byte("\x00\x00\n\n{}\n"))
	f.Add([]byte(`{"type":"rollback-outcome","step":"s1","status":"rolled-back"}` + "\n" + `{"type":1}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, torn, err := ReadJournal(bytes.NewReader(data))
		if err != nil {
			return
		}
		// What was read is usable: the state derived from it and the
		// revision choice on it never panic.
		st := stateOf(recs)
		for id := range st.steps {
			_ = st.status(id)
		}
		_, _ = chooseRevision(recs, &Step{ID: "s1"}, &inventory.ConsumerState{}, "svc-00001-vpcshift")
		_ = firstConsumerPre(recs, "x")
		_ = torn
	})
}

func FuzzReadPlan(f *testing.F) {
	// Plans kept as test data (goldens of the planner), when there are any.
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	var b bytes.Buffer
	p := &Plan{FormatVersion: FormatVersion, Stages: []Stage{{Name: StageServices, Steps: []Step{{ID: "a", Action: ActionShiftTraffic,
		Params: Params{Percent: 10, Wait: Duration(5e9)}, Verify: []Check{{Kind: CheckTrafficAt}}}}}}}
	_ = p.Write(&b)
	f.Add(b.Bytes())
	f.Add([]byte(`{"formatVersion":"vpcshift.plan/v1","options":{"canarySoak":"5m"},"stages":[{"name":"dns","steps":[{"id":"z","params":{"wait":"x"}}]}]}`))
	f.Add([]byte(`{"formatVersion":"vpcshift.plan/v1","stages":null,"blockers":[{"stopsPlan":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Read(bytes.NewReader(data))
		if err != nil {
			if p != nil {
				t.Fatal("Read returned a plan with an error")
			}
			return
		}
		// A decoded plan can be looked at, written and read back.
		_ = p.Stopped()
		for _, st := range p.Stages {
			_, _ = p.Stage(st.Name)
			for _, s := range st.Steps {
				_, _ = p.Step(s.ID)
				_ = touchedIDs(&s)
			}
		}
		var out bytes.Buffer
		if err := p.Write(&out); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(strings.NewReader(out.String())); err != nil {
			t.Fatalf("a plan written by Write does not read back: %v\n%s", err, out.String())
		}
	})
}
