package tui

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
)

// The main flows, driven through a real Bubble Tea program (teatest) at
// 120×40 without colour, on the emulator with the real clients, planner
// and executor. Each ends on a screen compared with a golden file under
// testdata/TestFlows/.

type flow struct {
	t   *testing.T
	tm  *teatest.TestModel
	env *estateEnv
}

func startFlow(t *testing.T, scenario string, allowApply bool, tweak ...func(*estateEnv)) *flow {
	t.Helper()
	env := startEstate(t, scenario)
	for _, f := range tweak {
		f(env)
	}
	deps := env.fullDeps(t, allowApply)
	m := New(context.Background(), deps)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	f := &flow{t: t, tm: tm, env: env}
	f.waitFor("Cost now and after the migration")
	return f
}

// press sends keys (see parseKeys).
func (f *flow) press(keys string) {
	for _, k := range parseKeys(keys) {
		f.tm.Send(k)
	}
}

// waitFor waits until the screen has shown text.
func (f *flow) waitFor(text string) {
	f.t.Helper()
	teatest.WaitFor(f.t, f.tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
		teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// final quits and returns the model's last screen.
func (f *flow) final() *Model {
	f.t.Helper()
	if err := f.tm.Quit(); err != nil {
		f.t.Fatal(err)
	}
	return f.tm.FinalModel(f.t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
}

// golden compares the last screen with testdata/<test name>.golden.
func (f *flow) golden() *Model {
	f.t.Helper()
	m := f.final()
	golden.RequireEqual(f.t, []byte(m.View()))
	return m
}

func TestFlows(t *testing.T) {
	t.Run("overview", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.golden()
	})
	t.Run("inventory", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("2")
		f.waitFor("[Connectors 2]")
		m := f.golden()
		if m.Screen() != ScreenInventory {
			t.Errorf("screen %s, want Inventory", m.Screen())
		}
	})
	t.Run("consumers_sorted", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("2<tab>")
		f.waitFor("[Consumers 5]")
		f.press("sssssssssS")
		f.waitFor("sorted by saves/mo, descending")
		f.golden()
	})
	t.Run("filter", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("2<tab>/kind:service !api<enter>")
		f.waitFor("filter /kind:service !api")
		f.golden()
	})
	t.Run("detail", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("2<down><enter>")
		f.waitFor("Connectors › run-us")
		f.golden()
	})
	t.Run("connector_consumers", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("2<down><enter>c")
		f.waitFor("consumers of connector run-us")
		f.golden()
	})
	t.Run("connector_consumers_back", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("2<down><enter>c")
		f.waitFor("consumers of connector run-us")
		f.press("<esc>")
		f.waitFor("c its 3 consumers · esc back")
		m := f.golden()
		if m.browse.Detail() != "projects/acme-startup/locations/us-central1/connectors/run-us" {
			t.Errorf("back from the consumers shows %q, want connector run-us", m.browse.Detail())
		}
	})
	t.Run("findings", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("3<down><down>")
		f.waitFor("3 of 9")
		f.golden()
	})
	t.Run("finding_resource", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("3<enter>")
		f.waitFor("Consumers › api")
		f.golden()
	})
	t.Run("plan", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("4")
		f.waitFor("[Steps]")
		f.golden()
	})
	t.Run("runbook", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("4")
		f.waitFor("[Steps]") // the plan is made asynchronously; wait for it
		f.press("<tab>")
		f.waitFor("[Runbook]")
		f.golden()
	})
	t.Run("apply_read_only", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("5")
		f.waitFor("Read-only")
		f.golden()
	})
	t.Run("apply_confirm", func(t *testing.T) {
		f := startFlow(t, "startup", true)
		f.press("5")
		f.waitFor("Ready to apply")
		f.press("a")
		f.waitFor("Apply the migration plan?")
		f.golden()
	})
	t.Run("apply_done", func(t *testing.T) {
		f := startFlow(t, "startup", true)
		f.press("5")
		f.waitFor("Ready to apply")
		f.press("a")
		f.waitFor("Apply the migration plan?")
		f.press("y")
		f.waitFor("r reads the inventory again")
		m := f.golden()
		if m.apply.Err() != nil {
			t.Errorf("apply failed: %v", m.apply.Err())
		}
		// What the run did is live.
		if _, ok := f.env.srv.Connector("projects/acme-startup/locations/us-central1/connectors/run-us"); ok {
			t.Error("connector run-us still exists after the apply")
		}
		svc, ok := f.env.srv.Service("projects/acme-startup/locations/us-central1/services/api")
		if !ok {
			t.Fatal("service api is gone")
		}
		if tpl := svc.GetTemplate(); tpl.GetVpcAccess().GetConnector() != "" || len(tpl.GetVpcAccess().GetNetworkInterfaces()) == 0 {
			t.Errorf("service api is not on Direct VPC egress: %v", tpl.GetVpcAccess())
		}
	})
	t.Run("result_overview", func(t *testing.T) {
		f := startFlow(t, "startup", true)
		f.press("5")
		f.waitFor("Ready to apply")
		f.press("a")
		f.waitFor("Apply the migration plan?")
		f.press("y")
		f.waitFor("r reads the inventory again")
		f.press("r")
		f.waitFor("0 connectors")
		f.golden()
	})
	t.Run("help", func(t *testing.T) {
		f := startFlow(t, "startup", false)
		f.press("2?")
		f.waitFor("Keys: Inventory")
		f.golden()
	})
	t.Run("quit_while_running", func(t *testing.T) {
		f := startFlow(t, "startup", true, askHealth)
		f.press("5")
		f.waitFor("Ready to apply")
		f.press("a")
		f.waitFor("Apply the migration plan?")
		f.press("y")
		f.waitFor("without health data?")
		f.press("<ctrl+c>")
		f.waitFor("A change is running. Quit anyway?")
		m := f.golden()
		if !m.apply.Running() {
			t.Error("the run ended although quitting was not confirmed")
		}
		m.apply.Cancel()
	})
}

// askHealth makes the executor ask whether to go on when a canary has no
// health data (the emulator has none), so that a run waits for the user.
func askHealth(env *estateEnv) { env.askHealth = true }
