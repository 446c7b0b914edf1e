package tui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/tui/estate"
	"github.com/vpcshift/vpcshift/tui/pages/browse"
	"github.com/vpcshift/vpcshift/tui/pages/overview"
)

// holdAfterFirstPartial makes the enterprise load (four projects, 20 ms on
// every call) stop once it has handed the first project's inventory to
// the UI, until release is called: the test then looks at the screens
// while the rest "loads". The other projects are slowed down so that the
// first is most likely ent-payments (services, a worker pool, App Engine
// and their connector's cost) rather than the empty ent-legacy; the
// checks hold whichever comes first.
func holdAfterFirstPartial(t *testing.T, env *estateEnv) (release func()) {
	env.srv.SetLatency(20 * time.Millisecond)
	for _, p := range []string{"ent-net-host", "ent-data", "ent-legacy"} {
		if err := env.srv.InjectFault(emulator.Fault{Method: "GET /compute/v1/projects/{project}", Project: p, Delay: 250 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	}
	ch := make(chan struct{})
	var once, hold sync.Once
	t.Cleanup(func() { once.Do(func() { close(ch) }) })
	env.onPartial = func(ctx context.Context, _ *inventory.Snapshot) {
		hold.Do(func() {
			select {
			case <-ch:
			case <-ctx.Done():
			}
		})
	}
	return func() { once.Do(func() { close(ch) }) }
}

// TestProgressiveLoad: on the enterprise estate, the overview, inventory
// and findings can be browsed as soon as the first project is read, with
// a banner saying how far the inventory is and that the figures are
// partial; the plan and apply screens refuse to work from part of the
// inventory and say so; once the load completes, every screen refreshes
// in place (the screen in view and the inventory's cursor stay) and
// equals, screen by screen, what a non-progressive load shows.
func TestProgressiveLoad(t *testing.T) {
	env := startEstate(t, "enterprise")
	release := holdAfterFirstPartial(t, env)
	d := startDrive(t, env.fullDeps(t, true), 120, 40)
	defer d.m.apply.Cancel()

	d.waitFor("the first project's inventory", func() bool { return d.m.Partial() })
	if !d.m.loading.Loading() {
		t.Fatal("the load ended although it is held")
	}
	partial := d.m.estate
	if n := len(partial.Snap.Projects); n != 1 {
		t.Fatalf("the partial inventory holds %d projects, want the first one", n)
	}
	t.Logf("first project read: %s (%d consumers, %d findings)", partial.Snap.Projects[0].ID, len(partial.Snap.Consumers), len(partial.Rep.Findings))
	const banner = "loading: 1 of 4 projects read · figures are partial"
	if v := d.view(); d.m.Screen() != ScreenLoading || !strings.Contains(v, banner) ||
		!strings.Contains(v, "1 of 4 projects read · 1 overview, 2 inventory, 3 findings show them now") {
		t.Fatalf("the loading screen does not offer the partial figures:\n%s", v)
	}

	// The overview: the partial figures, under the banner.
	d.press("1")
	d.waitFor("the overview", func() bool { return d.m.Screen() == ScreenOverview })
	v := d.view()
	lines := strings.Split(v, "\n")
	if len(lines) != 40 || !strings.HasPrefix(lines[1], banner+" · r shows the progress") {
		t.Fatalf("no banner under the header (%d lines):\n%s", len(lines), v)
	}
	if !strings.Contains(v, "Cost now and after the migration") || !strings.Contains(flat(v), "· 1 project") {
		t.Errorf("the overview does not show the first project's figures:\n%s", v)
	}
	want := strings.Split(overview.Render(d.m.st, estate.New(partial.Snap, partial.Rep), 120), "\n")
	for i, line := range strings.Split(d.m.overview.View(), "\n")[:10] {
		if strings.TrimRight(line, " ") != strings.TrimRight(want[i], " ") {
			t.Errorf("overview line %d is %q, want the partial estate's %q", i, line, want[i])
		}
	}

	// The inventory: the first project's rows; the cursor moves.
	d.press("2")
	d.waitFor("the inventory", func() bool { return d.m.Screen() == ScreenInventory })
	tab := browse.TabConsumers
	d.press("<tab>")
	tb := d.m.browse.Table(tab)
	if tb.Len() != len(partial.Snap.Consumers) {
		t.Errorf("the consumers tab has %d rows, want the %d of the partial inventory", tb.Len(), len(partial.Snap.Consumers))
	}
	var selected string
	if tb.Len() > 1 {
		d.press("<down>")
	}
	if r, ok := tb.Selected(); ok {
		selected = r.ID
	}

	// The findings: browsable too.
	d.press("3")
	d.waitFor("the findings", func() bool { return d.m.Screen() == ScreenFindings })
	if d.m.findings.Len() != len(partial.Rep.Findings) {
		t.Errorf("%d findings shown, want the %d of the partial analysis", d.m.findings.Len(), len(partial.Rep.Findings))
	}

	// The plan waits, and says so; its keys do nothing.
	d.press("4")
	d.waitFor("the plan screen", func() bool { return d.m.Screen() == ScreenPlan })
	if v := flat(d.view()); !strings.Contains(v, "The plan waits for the whole inventory") || !strings.Contains(v, "1 of 4 projects read so far") {
		t.Errorf("the plan screen does not say it waits:\n%s", d.view())
	}
	d.press("w<tab>")
	if d.m.plan.Capturing() || d.m.plan.Plan() != nil {
		t.Error("the plan screen acts on a partial inventory")
	}

	// Apply (with --allow-apply) refuses, and says why.
	d.press("5")
	d.waitFor("the apply screen", func() bool { return d.m.Screen() == ScreenApply })
	if v := flat(d.view()); !strings.Contains(v, "Nothing can be applied before the whole inventory is read") {
		t.Errorf("the apply screen does not say it waits:\n%s", d.view())
	}
	d.press("a")
	d.waitFor("the refusal", func() bool { s, _ := d.m.bar.Status(); return s != "" })
	if s, isErr := d.m.bar.Status(); !isErr || !strings.Contains(s, "still being read") || d.m.apply.Capturing() {
		t.Errorf("a on a partial inventory: status %q, confirmation open %v", s, d.m.apply.Capturing())
	}

	// r shows the progress (it does not start another load).
	d.press("r")
	if d.m.Screen() != ScreenLoading || env.loads.Load() != 1 {
		t.Errorf("r while loading: screen %s, %d loads; want the loading screen, 1 load", d.m.Screen(), env.loads.Load())
	}

	// The rest comes in: the inventory in view refreshes in place.
	d.press("2")
	release()
	d.waitLoaded()
	d.settle() // the plan reaches the apply screen
	if d.m.Screen() != ScreenInventory || d.m.browse.Tab() != tab {
		t.Errorf("after the load: screen %s tab %s, want to stay on the inventory's consumers", d.m.Screen(), d.m.browse.Tab())
	}
	if strings.Contains(d.view(), "figures are partial") || len(d.m.estate.Snap.Projects) != 4 {
		t.Errorf("after the load the banner stays or projects are missing (%d):\n%s", len(d.m.estate.Snap.Projects), d.view())
	}
	if r, _ := tb.Selected(); selected != "" && r.ID != selected {
		t.Errorf("the cursor moved from %s to %s", selected, r.ID)
	}

	// Every screen equals a non-progressive load's.
	plain := startEstate(t, "enterprise")
	plain.plain = true
	p := newDrive(t, plain.fullDeps(t, true), 120, 40)
	defer p.m.apply.Cancel()
	// The consumers' cursor was moved while loading: it stayed on its row,
	// so both go to the top; every other cursor stayed at the top.
	p.press("2<tab>")
	for _, keys := range []string{"g", "<tab>", "<tab>", "<tab>", "1", "3", "4", "4<tab>", "5"} {
		d.press(keys)
		p.press(keys)
		if got, want := d.view(), p.view(); got != want {
			t.Errorf("after %q the screen differs from a non-progressive load's:\n--- progressive\n%s\n--- non-progressive\n%s", keys, got, want)
		}
	}
}

// TestProgressiveLoadFailure: a load that fails after partial figures
// were shown (here: cancelled) drops them and goes back to the loading
// screen, which says why.
func TestProgressiveLoadFailure(t *testing.T) {
	env := startEstate(t, "enterprise")
	holdAfterFirstPartial(t, env)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := startDriveCtx(t, ctx, env.fullDeps(t, false), 120, 40)
	d.waitFor("the first project's inventory", func() bool { return d.m.Partial() })
	d.press("2")
	d.waitFor("the inventory", func() bool { return d.m.Screen() == ScreenInventory })
	cancel()
	d.waitFor("the failure", func() bool { s, _ := d.m.bar.Status(); return strings.HasPrefix(s, "the inventory failed") })
	if d.m.Screen() != ScreenLoading || d.m.Partial() || d.m.estate != nil {
		t.Errorf("after the failure: screen %s, partial %v", d.m.Screen(), d.m.Partial())
	}
	if v := d.view(); !strings.Contains(v, "The inventory could not be read") || strings.Contains(v, "figures are partial") {
		t.Errorf("the failure is not shown:\n%s", v)
	}
	d.press("1")
	if d.m.Screen() != ScreenLoading {
		t.Error("the overview opens without an inventory")
	}
}
