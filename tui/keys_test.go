package tui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/tui/event"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/pages/browse"
)

// keyCase tests one binding of keys.KeyMap (by field name) on the running
// model (startup estate, emulator, 120×40).
type keyCase struct {
	binding string
	name    string
	allow   bool
	ask     bool // the executor asks about canaries without health data
	run     func(t *testing.T, d *drive, env *estateEnv)
}

var keyCases = []keyCase{
	{binding: "Quit", name: "quits", run: func(t *testing.T, d *drive, _ *estateEnv) {
		if !d.quits("q") || !d.quits("<ctrl+c>") {
			t.Error("q and ctrl+c do not quit")
		}
	}},
	{binding: "Quit", name: "asks while a change runs", allow: true, ask: true, run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("5ay")
		d.waitFor("the run's question", func() bool { return d.m.apply.Capturing() })
		if d.quits("<ctrl+c>") {
			t.Fatal("ctrl+c quit while a change was running")
		}
		if !strings.Contains(d.view(), "A change is running. Quit anyway?") {
			t.Fatalf("no quit confirmation:\n%s", d.view())
		}
		d.keys("n")
		if !d.m.apply.Running() || !d.m.apply.Capturing() {
			t.Fatal("n did not return to the running apply and its question")
		}
		if d.quits("<ctrl+c>") {
			t.Fatal("ctrl+c quit without asking the second time")
		}
		if !d.quits("y") {
			t.Error("y in the quit confirmation does not quit")
		}
	}},
	{binding: "Help", name: "opens and closes", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("2?")
		if v := d.view(); !strings.Contains(v, "Keys: Inventory") || !strings.Contains(v, "sort by next column") {
			t.Fatalf("no full help:\n%s", v)
		}
		d.keys("?")
		if d.m.showHelp {
			t.Error("? does not close the help")
		}
		d.keys("?<esc>")
		if d.m.showHelp {
			t.Error("esc does not close the help")
		}
	}},
	{binding: "Overview", run: screenKey("21", ScreenOverview)},
	{binding: "Inventory", run: screenKey("2", ScreenInventory)},
	{binding: "Findings", run: screenKey("3", ScreenFindings)},
	{binding: "Plan", run: screenKey("4", ScreenPlan)},
	{binding: "Apply", run: screenKey("5", ScreenApply)},
	{binding: "Down", name: "findings", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("3<down>j")
		wantFinding(t, d, 2)
	}},
	{binding: "Up", name: "findings", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("3<down><down><down><up>k")
		wantFinding(t, d, 1)
	}},
	{binding: "PageDown", name: "overview scrolls", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("<pgdown>")
		if d.m.overview.View() == "" || !strings.Contains(d.view(), "Prices and usage") {
			t.Errorf("page down did not scroll to the end of the overview:\n%s", d.view())
		}
	}},
	{binding: "PageUp", name: "findings", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("3<pgdown><pgup>")
		wantFinding(t, d, 0)
	}},
	{binding: "Bottom", name: "findings", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("3G")
		wantFinding(t, d, len(d.m.estate.Rep.Findings)-1)
	}},
	{binding: "Top", name: "findings", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("3Gg")
		wantFinding(t, d, 0)
	}},
	{binding: "NextTab", name: "inventory tabs", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("2<tab>")
		wantTab(t, d, browse.TabConsumers)
		d.keys("]]]")
		wantTab(t, d, browse.TabConnectors)
	}},
	{binding: "NextTab", name: "plan steps and runbook", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("4<tab>")
		if !d.m.plan.ShowingRunbook() || !strings.Contains(d.view(), "VPCSHIFT MIGRATION PLAN") {
			t.Fatalf("tab does not show the runbook:\n%s", d.view())
		}
		d.keys("<tab>")
		if d.m.plan.ShowingRunbook() {
			t.Error("tab does not go back to the steps")
		}
	}},
	{binding: "PrevTab", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("2<shift+tab>")
		wantTab(t, d, browse.TabNetwork)
		d.keys("[")
		wantTab(t, d, browse.TabNATs)
	}},
	{binding: "Filter", name: "inventory", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("2<tab>/status:migratable egress:all<enter>")
		if n := d.m.browse.Table(browse.TabConsumers).Visible(); n != 2 {
			t.Errorf("%d consumers match, want 2 (nightly-export, api):\n%s", n, d.view())
		}
	}},
	{binding: "Filter", name: "findings", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("3/severity:info<enter>")
		if n := d.m.findings.Len(); n != 3 {
			t.Errorf("%d findings match, want 3:\n%s", n, d.view())
		}
		d.keys("<esc>")
		if n := d.m.findings.Len(); n != 9 {
			t.Errorf("esc leaves %d findings, want all 9", n)
		}
	}},
	{binding: "Filter", name: "q types into the filter", run: func(t *testing.T, d *drive, _ *estateEnv) {
		if d.quits("2/q") {
			t.Error("q in a filter quit")
		}
	}},
	{binding: "Sort", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("2s")
		if col, _ := d.m.browse.Table(browse.TabConnectors).Sort(); col != 0 {
			t.Errorf("sort column %d, want 0", col)
		}
	}},
	{binding: "SortReverse", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("2sS")
		tb := d.m.browse.Table(browse.TabConnectors)
		if _, desc := tb.Sort(); !desc {
			t.Error("not descending")
		}
		if r, _ := tb.Selected(); !strings.HasSuffix(r.ID, "/run-eu") {
			t.Errorf("cursor on %s, want it to stay on run-eu", r.ID)
		}
	}},
	{binding: "Open", name: "inventory", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("2<enter>")
		if !strings.HasSuffix(d.m.browse.Detail(), "/connectors/run-eu") {
			t.Errorf("details of %q, want run-eu", d.m.browse.Detail())
		}
	}},
	{binding: "Open", name: "findings show their resource", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("3<enter>")
		f := d.m.estate.Rep.Findings[0]
		if d.m.Screen() != ScreenInventory || d.m.browse.Detail() != f.Resource {
			t.Errorf("screen %s with %q, want the details of %s", d.m.Screen(), d.m.browse.Detail(), f.Resource)
		}
	}},
	{binding: "Back", name: "from details", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("2<enter><esc>")
		if d.m.browse.Detail() != "" {
			t.Error("esc does not close the details")
		}
	}},
	{binding: "Back", name: "to the findings", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("3<down><enter><backspace>")
		if d.m.Screen() != ScreenFindings {
			t.Errorf("back goes to %s, want Findings", d.m.Screen())
		}
		wantFinding(t, d, 1)
	}},
	{binding: "Follow", name: "connector to consumers and back", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("2<down>c")
		tb := d.m.browse.Table(browse.TabConsumers)
		if d.m.browse.Tab() != browse.TabConsumers || tb.Visible() != 3 {
			t.Fatalf("c shows tab %s with %d rows, want the 3 consumers of run-us", d.m.browse.Tab(), tb.Visible())
		}
		d.keys("<esc>")
		if d.m.browse.Tab() != browse.TabConnectors || tb.Scope() != nil {
			t.Errorf("esc goes to %s (scope %v), want the connectors", d.m.browse.Tab(), tb.Scope())
		}
	}},
	{binding: "Follow", name: "consumer to connector", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("2<tab><enter>c")
		if !strings.HasSuffix(d.m.browse.Detail(), "/connectors/run-eu") {
			t.Errorf("c from billing-eu shows %q, want connector run-eu", d.m.browse.Detail())
		}
		d.keys("<esc>")
		if !strings.HasSuffix(d.m.browse.Detail(), "/services/billing-eu") {
			t.Errorf("back shows %q, want billing-eu", d.m.browse.Detail())
		}
	}},
	{binding: "Write", run: func(t *testing.T, d *drive, _ *estateEnv) {
		dir := filepath.Join(t.TempDir(), "out")
		d.keys("4w")
		if !d.m.plan.Capturing() {
			t.Fatal("w does not ask for a directory")
		}
		for range "vpcshift-plan" {
			d.keys("<backspace>")
		}
		d.keys(dir + "<enter>")
		d.waitFor("the files", func() bool { s, _ := d.m.bar.Status(); return strings.HasPrefix(s, "wrote") })
		for _, f := range PlanFiles {
			if st, err := os.Stat(filepath.Join(dir, f.Name)); err != nil || st.Size() == 0 {
				t.Errorf("%s: %v", f.Name, err)
			}
		}
	}},
	{binding: "Start", name: "read-only", run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("5a")
		if s, isErr := d.m.bar.Status(); !isErr || !strings.Contains(s, "--allow-apply") {
			t.Errorf("status %q, want the read-only explanation", s)
		}
		if d.m.apply.Capturing() {
			t.Error("a confirmation opened in read-only mode")
		}
	}},
	{binding: "Start", name: "asks first", allow: true, run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("5a")
		if !d.m.apply.Capturing() || !strings.Contains(d.view(), "DELETE connectors 2: run-eu, run-us") {
			t.Errorf("no confirmation naming the changes:\n%s", d.view())
		}
	}},
	{binding: "No", allow: true, run: func(t *testing.T, d *drive, env *estateEnv) {
		d.keys("5an")
		if d.m.apply.Running() || d.m.apply.Capturing() {
			t.Error("n did not cancel")
		}
		if _, ok := env.srv.Connector("projects/acme-startup/locations/us-central1/connectors/run-us"); !ok {
			t.Error("something was applied")
		}
	}},
	{binding: "Yes", allow: true, run: func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys("5ay")
		d.waitFor("the run's end", func() bool { return d.m.apply.Result() != "" })
		if d.m.apply.Err() != nil || !strings.HasPrefix(d.m.apply.Result(), "apply finished") {
			t.Errorf("result %q (%v)", d.m.apply.Result(), d.m.apply.Err())
		}
	}},
	{binding: "Stop", allow: true, ask: true, run: func(t *testing.T, d *drive, env *estateEnv) {
		stopAtFirstCanary(t, d)
		if !strings.Contains(d.m.apply.Result(), "stopped after the current step") {
			t.Errorf("result %q, want a stop after the current step", d.m.apply.Result())
		}
		// The canary step that was running finished; nothing after it ran.
		p := d.m.plan.Plan()
		var later []string
		seenShift := false
		for _, st := range p.Stages {
			for _, s := range st.Steps {
				ph, started := d.m.apply.StepPhase(s.ID)
				if seenShift && started {
					later = append(later, s.ID+"="+ph.String())
				}
				if strings.HasSuffix(s.ID, "traffic-10") && !seenShift {
					seenShift = true
					if ph != event.Done {
						t.Errorf("the step in progress when stop was asked (%s) is %s, want done", s.ID, ph)
					}
				}
			}
		}
		if len(later) > 0 {
			t.Errorf("steps ran after the stop: %v", later)
		}
		if _, ok := env.srv.Connector("projects/acme-startup/locations/us-central1/connectors/run-us"); !ok {
			t.Error("a connector was deleted although the run stopped")
		}
	}},
	{binding: "Rollback", allow: true, ask: true, run: func(t *testing.T, d *drive, env *estateEnv) {
		stopAtFirstCanary(t, d)
		name := "projects/acme-startup/locations/europe-west1/services/billing-eu"
		if svc, _ := env.srv.Service(name); len(svc.GetTemplate().GetVpcAccess().GetNetworkInterfaces()) == 0 {
			t.Fatal("billing-eu was not moved before the rollback")
		}
		d.keys("R")
		if !strings.Contains(d.view(), "Roll back what the migration changed?") {
			t.Fatalf("no rollback confirmation:\n%s", d.view())
		}
		d.keys("y")
		d.waitFor("the rollback's end", func() bool { return strings.HasPrefix(d.m.apply.Result(), "rollback") })
		if d.m.apply.Err() != nil {
			t.Fatalf("rollback failed: %v\n%s", d.m.apply.Err(), d.view())
		}
		svc, _ := env.srv.Service(name)
		if got := svc.GetTemplate().GetVpcAccess().GetConnector(); !strings.HasSuffix(got, "/connectors/run-eu") {
			t.Errorf("after the rollback billing-eu uses connector %q, want run-eu", got)
		}
	}},
	{binding: "Reload", run: func(t *testing.T, d *drive, env *estateEnv) {
		d.keys("3r")
		d.waitFor("the inventory again", func() bool { return d.m.Screen() == ScreenOverview })
		if env.loads.Load() != 2 {
			t.Errorf("%d loads, want 2", env.loads.Load())
		}
	}},
}

// stopAtFirstCanary applies, asks to stop while the first canary waits for
// its health question, answers it, and waits for the run to end.
func stopAtFirstCanary(t *testing.T, d *drive) {
	t.Helper()
	d.keys("5ay")
	d.waitFor("the canary question", func() bool { return d.m.apply.Capturing() })
	d.keys("x") // the question does not hold the stop key
	d.keys("y")
	d.waitFor("the run's end", func() bool { return d.m.apply.Result() != "" })
}

func screenKey(k string, s Screen) func(t *testing.T, d *drive, _ *estateEnv) {
	return func(t *testing.T, d *drive, _ *estateEnv) {
		d.keys(k)
		if d.m.Screen() != s {
			t.Errorf("%q shows %s, want %s", k, d.m.Screen(), s)
		}
	}
}

func wantFinding(t *testing.T, d *drive, i int) {
	t.Helper()
	f, ok := d.m.findings.Selected()
	if !ok || f.ID != d.m.estate.Rep.Findings[i].ID {
		t.Errorf("cursor on %v, want finding %d %s", f, i, d.m.estate.Rep.Findings[i].ID)
	}
}

func wantTab(t *testing.T, d *drive, tab browse.Tab) {
	t.Helper()
	if d.m.browse.Tab() != tab {
		t.Errorf("tab %s, want %s", d.m.browse.Tab(), tab)
	}
}

// quits reports whether keys make the model quit (following the
// messages the last key's commands produce).
func (d *drive) quits(keys string) bool {
	ks := parseKeys(keys)
	for i, k := range ks {
		_, cmd := d.m.Update(k)
		if i < len(ks)-1 {
			d.exec(cmd)
			d.settle()
			continue
		}
		return d.leadsToQuit(cmd, 0)
	}
	return false
}

func (d *drive) leadsToQuit(cmd tea.Cmd, depth int) bool {
	if cmd == nil || depth > 5 {
		return false
	}
	message := cmd()
	if seq, ok := sequence(message); ok {
		for _, c := range seq {
			if d.leadsToQuit(c, depth+1) {
				return true
			}
		}
		return false
	}
	switch m := message.(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range m {
			if d.leadsToQuit(c, depth+1) {
				return true
			}
		}
	case nil:
	default:
		if isAnimation(m) {
			return false
		}
		_, next := d.m.Update(m)
		return d.leadsToQuit(next, depth+1)
	}
	return false
}

func TestKeyBindings(t *testing.T) {
	for _, tc := range keyCases {
		name := tc.binding
		if tc.name != "" {
			name += "/" + tc.name
		}
		t.Run(name, func(t *testing.T) {
			env := startEstate(t, "startup")
			env.askHealth = tc.ask
			d := newDrive(t, env.fullDeps(t, tc.allow), 120, 40)
			tc.run(t, d, env)
			d.m.apply.Cancel()
		})
	}
}

// TestEveryBindingIsTested keeps keyCases complete: each binding of the
// key map has a case.
func TestEveryBindingIsTested(t *testing.T) {
	tested := map[string]bool{}
	for _, tc := range keyCases {
		tested[tc.binding] = true
	}
	typ := reflect.TypeOf(keys.KeyMap{})
	for i := 0; i < typ.NumField(); i++ {
		if name := typ.Field(i).Name; !tested[name] {
			t.Errorf("binding %s has no test in keyCases", name)
		}
	}
}

// TestMouseWheel scrolls lists and panes.
func TestMouseWheel(t *testing.T) {
	env := startEstate(t, "startup")
	d := newDrive(t, env.fullDeps(t, false), 120, 30)
	wheel := func(b tea.MouseButton) { d.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: b}) }
	wheel(tea.MouseButtonWheelDown)
	if d.m.overview.View() == "" || !strings.Contains(d.view(), "Prices and usage") {
		t.Errorf("the wheel does not scroll the overview:\n%s", d.view())
	}
	d.keys("3")
	wheel(tea.MouseButtonWheelDown)
	wantFinding(t, d, 3)
	wheel(tea.MouseButtonWheelUp)
	wantFinding(t, d, 0)
	d.keys("2<tab>")
	wheel(tea.MouseButtonWheelDown)
	if r, _ := d.m.browse.Table(browse.TabConsumers).Selected(); !strings.HasSuffix(r.ID, "/services/orders") {
		t.Errorf("the wheel moved the consumers' cursor to %s, want the 4th row (orders)", r.ID)
	}
}
