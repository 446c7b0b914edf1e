package tui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/vpcshift/vpcshift/tui/pages/browse"
)

// flat joins a screen's wrapped lines so that text wrapped over several
// lines (long resource names) can be searched for.
var wrapBreak = regexp.MustCompile(`[ ]*\n[ ]*`)

func flat(s string) string { return wrapBreak.ReplaceAllString(s, "") }

// seenText collects the screens shown while walking.
type seenText struct{ b strings.Builder }

func (s *seenText) has(text string) bool {
	return strings.Contains(s.b.String(), strings.ReplaceAll(text, " ", ""))
}

// add keeps a screen, without spaces (a wrapped line may break anywhere).
func (s *seenText) add(view string) { s.b.WriteString(strings.ReplaceAll(flat(view), " ", "")) }

// TestEnterpriseEverythingReachable walks the screens of the enterprise
// estate (read-only, 120×40) and checks that every finding, every coverage
// gap and every blocker (of the report and of the plan) can be read on
// them.
func TestEnterpriseEverythingReachable(t *testing.T) {
	env := startEstate(t, "enterprise")
	d := newDrive(t, env.fullDeps(t, false), 120, 40)
	rep := d.m.estate.Rep
	if len(rep.Findings) == 0 || len(d.m.estate.Gaps()) == 0 {
		t.Fatal("the enterprise estate should have findings and coverage gaps")
	}

	// Findings: walk the list; the one under the cursor shows its ID,
	// message and fix.
	var findings seenText
	d.keys("3")
	for range rep.Findings {
		findings.add(d.view())
		d.keys("<down>")
	}
	for _, f := range rep.Findings {
		for _, text := range []string{"id: " + f.ID, f.Message, "fix: " + f.Fix} {
			if !findings.has(text) {
				t.Errorf("finding %s: %q never shown on the findings screen", f.ID, text)
			}
		}
	}

	// Coverage gaps: on the overview, scrolled to the end.
	var overview seenText
	d.keys("1")
	for i := 0; i < 10; i++ {
		overview.add(d.view())
		d.keys("<pgdown>")
	}
	for _, g := range d.m.estate.Gaps() {
		for _, text := range []string{g.Project + "  " + g.API, g.LeavesOut, g.Fix} {
			if !overview.has(text) {
				t.Errorf("coverage gap %s %s: %q never shown on the overview", g.Project, g.API, text)
			}
		}
	}

	// Blockers of the report: each consumer that cannot move (or needs a
	// person) shows why in its details, reached by filtering the
	// consumers tab.
	blocked := 0
	for _, c := range rep.Consumers {
		if c.Blocker == "" {
			continue
		}
		blocked++
		d.keys("2")
		for d.m.browse.Tab() != browse.TabConsumers {
			d.keys("<tab>")
		}
		d.keys("/name:" + c.Name + "<enter><enter>")
		var detail seenText
		for i := 0; i < 4; i++ {
			detail.add(d.view())
			d.keys("<pgdown>")
		}
		if !detail.has(c.Blocker) {
			t.Errorf("consumer %s: blocker %q not in its details", c.Name, c.Blocker)
		}
		d.keys("<esc><esc>")
	}
	if blocked == 0 {
		t.Error("the enterprise estate should have blocked consumers")
	}

	// Blockers of the plan: listed first on the plan screen, each with its
	// reason and fix under the cursor.
	d.keys("4")
	p := d.m.plan.Plan()
	if p == nil || len(p.Blockers) == 0 {
		t.Fatalf("the enterprise plan should have blockers (plan %v)", p)
	}
	var plan seenText
	for range p.Blockers {
		plan.add(d.view())
		d.keys("<down>")
	}
	for _, b := range p.Blockers {
		for _, text := range []string{b.Reason, b.Fix} {
			if !plan.has(text) {
				t.Errorf("plan blocker %s: %q never shown on the plan screen", b.ID, text)
			}
		}
	}

	// Every finding about a resource the inventory lists opens its details
	// from the findings screen, and the details name the finding.
	d.keys("3<home>")
	for i, f := range rep.Findings {
		if !d.m.browse.Table(browse.TabConnectors).Has(f.Resource) && !d.m.browse.Table(browse.TabConsumers).Has(f.Resource) &&
			!d.m.browse.Table(browse.TabNATs).Has(f.Resource) && !d.m.browse.Table(browse.TabNetwork).Has(f.Resource) {
			d.keys("<down>")
			continue
		}
		d.keys("<enter>")
		if d.m.Screen() != ScreenInventory || d.m.browse.Detail() != f.Resource {
			t.Errorf("finding %d %s: enter shows %s %q, want the details of %s", i, f.ID, d.m.Screen(), d.m.browse.Detail(), f.Resource)
		}
		var detail seenText
		for j := 0; j < 6; j++ {
			detail.add(d.view())
			d.keys("<pgdown>")
		}
		if !detail.has(f.ID) {
			t.Errorf("details of %s do not name finding %s", f.Resource, f.ID)
		}
		d.keys("<esc>")
		if d.m.Screen() != ScreenFindings {
			t.Fatalf("back from the details of %s: screen %s, want Findings", f.Resource, d.m.Screen())
		}
		d.keys("<down>")
	}
	t.Logf("checked %d findings, %d coverage gaps, %d blocked consumers, %d plan blockers", len(rep.Findings), len(d.m.estate.Gaps()), blocked, len(p.Blockers))
}
