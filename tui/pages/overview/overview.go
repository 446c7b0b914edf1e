// Package overview is the money at a glance: what the estate pays now and
// after the migration, monthly and annual, as a bar chart; where the money
// goes; the top findings; the coverage gaps; and where the prices came
// from.
package overview

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/money"
	"github.com/vpcshift/vpcshift/tui/component"
	"github.com/vpcshift/vpcshift/tui/components/barchart"
	"github.com/vpcshift/vpcshift/tui/components/pane"
	"github.com/vpcshift/vpcshift/tui/estate"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/styles"
)

// TopFindings is how many findings the overview lists.
const TopFindings = 6

// Model is the overview screen.
type Model struct {
	st    *styles.Styles
	km    keys.KeyMap
	e     *estate.Estate
	pane  *pane.Model
	width int
}

var _ component.Component[*Model] = (*Model)(nil)

// New makes the overview.
func New(st *styles.Styles, km keys.KeyMap) *Model {
	return &Model{st: st, km: km, pane: pane.New(km)}
}

// SetEstate shows an analysed estate.
func (m *Model) SetEstate(e *estate.Estate) {
	m.e = e
	m.render()
}

// SetSize sets the screen size.
func (m *Model) SetSize(w, h int) {
	m.width = w
	m.pane.SetSize(w, h)
	m.render()
}

// KeyMap lists the overview's keys.
func (m *Model) KeyMap() help.KeyMap { return m.pane.KeyMap() }

// Update scrolls.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	var cmd tea.Cmd
	m.pane, cmd = m.pane.Update(msg)
	return m, cmd
}

// View renders the screen.
func (m *Model) View() string { return m.pane.View() }

func (m *Model) render() {
	if m.e == nil || m.width <= 0 {
		return
	}
	m.pane.SetContent(Render(m.st, m.e, m.width))
}

// Render writes the overview of an estate in width cells.
func Render(st *styles.Styles, e *estate.Estate, width int) string {
	w := max(40, width-2)
	r := e.Rep
	s := r.Summary
	var b strings.Builder
	section := func(title, right string) {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		left := st.Heading.Render(title)
		if right != "" {
			gap := w - layout.Width(title) - layout.Width(right)
			if gap >= 2 {
				left += strings.Repeat(" ", gap) + st.Muted.Render(right)
			} else {
				left += "\n" + st.Muted.Render(layout.Truncate(right, w))
			}
		}
		b.WriteString(left + "\n")
	}

	now := s.CurrentMonthlyCost.Amount()
	target := s.TargetMonthlyCost.Amount()
	save := s.MonthlySavings.Amount()
	section("Cost now and after the migration", "prices "+priceLabel(r))
	mo := func(a money.Amount) string { return e.Money(a) + "/mo" }
	headline := fmt.Sprintf("Today %s; after the migration %s: ", mo(now), mo(target))
	if save.Sign() >= 0 {
		headline += st.MoneyBig.Render(fmt.Sprintf("saves %s (%s/yr)", mo(save), e.Money(s.AnnualSavings.Amount())))
	} else {
		headline += st.Warn.Render(fmt.Sprintf("costs %s more", mo(save.Neg())))
	}
	b.WriteString(layout.Wrap(headline, w) + "\n\n")
	yr := func(a money.Amount) string { return e.Money(a.MulInt(12)) + "/yr" }
	texts := [][2]string{{mo(now), yr(now)}, {mo(target), yr(target)}, {mo(save), e.Money(s.AnnualSavings.Amount()) + "/yr"}}
	mw, yw := 0, 0
	for _, t := range texts {
		mw, yw = max(mw, layout.Width(t[0])), max(yw, layout.Width(t[1]))
	}
	txt := func(i int) string {
		return layout.Fit(texts[i][0], mw, layout.Right) + "  " + layout.Fit(texts[i][1], yw, layout.Right)
	}
	g := st.Glyphs
	b.WriteString(barchart.Render([]barchart.Bar{
		{Label: "now", Value: now.Float64(), Text: txt(0), Style: st.BarNow, Glyph: g.BarNow},
		{Label: "after", Value: target.Float64(), Text: txt(1), Style: st.BarGoal, Glyph: g.BarGoal},
		{Label: "saved", Value: save.Float64(), Text: txt(2), Style: st.BarSave, Glyph: g.BarSave},
	}, w, st.Label))
	if save.Sign() < 0 {
		b.WriteString("\n" + st.Warn.Render(layout.Wrap("The target costs more than today: the run.app. zones it adds cost more than what can be removed now.", w)))
	}
	if bl := s.BlockedMonthlySavings.Amount(); bl.Sign() > 0 {
		b.WriteString("\n" + st.Muted.Render(layout.Wrap(fmt.Sprintf("+ %s/mo (%s/yr) more once the blocked and manual consumers move", e.Money(bl), e.Money(bl.MulInt(12))), w)))
	}
	b.WriteString("\n" + st.Muted.Render(layout.Wrap(fmt.Sprintf("now = connectors %s + Cloud NAT %s · the target adds run.app. zones for %s",
		e.Money(s.ConnectorsMonthlyCost.Amount()), e.Money(s.NATsMonthlyCost.Amount()), e.Money(s.DNSMonthlyCost.Amount())), w)))
	if s.UnpricedResources > 0 {
		b.WriteString("\n" + st.Warn.Render(fmt.Sprintf("%d resources could not be priced: their cost is missing from these figures (see findings)", s.UnpricedResources)))
	}

	if bars := savingsBars(st, e); len(bars) > 0 {
		section("Savings by resource", "monthly, top "+fmt.Sprint(len(bars)))
		b.WriteString(barchart.Render(bars, w, st.Label))
	}

	section("Estate", "")
	b.WriteString(layout.Wrap(estateLine(e), w))

	counts := map[string]int{}
	for _, f := range r.Findings {
		counts[f.Severity]++
	}
	var cs []string
	for _, sev := range analyzer.Severities() {
		if counts[sev] > 0 {
			cs = append(cs, fmt.Sprintf("%d %s", counts[sev], sev))
		}
	}
	right := "none"
	if len(cs) > 0 {
		right = fmt.Sprintf("%d in all: %s · 3 lists them", len(r.Findings), strings.Join(cs, ", "))
	}
	section("Top findings", right)
	for i, f := range r.Findings {
		if i == TopFindings {
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		sev := st.Severity(f.Severity).Render(layout.Fit(strings.ToUpper(f.Severity), 7, layout.Left))
		name := layout.Fit(e.ShortName(f.Resource), 18, layout.Left)
		b.WriteString(sev + " " + name + " " + layout.Truncate(f.Message, max(10, w-28)))
	}
	if len(r.Findings) == 0 {
		b.WriteString(st.Good.Render("nothing to report"))
	}

	gaps := e.Gaps()
	section(fmt.Sprintf("Coverage gaps (%d)", len(gaps)), "what could not be read")
	if len(gaps) == 0 {
		b.WriteString(st.Good.Render("none: every API of every project was read"))
	}
	for i, c := range gaps {
		if i > 0 {
			b.WriteByte('\n')
		}
		what := c.Status
		if c.Permission != "" {
			what += ": " + c.Permission
		}
		b.WriteString(st.Bad.Render(st.Glyphs.Failed) + " " + st.Value.Render(c.Project+"  "+c.API) + "  " + st.Status(c.Status).Render(what))
		if c.LeavesOut != "" {
			b.WriteString("\n" + st.Muted.Render(layout.WrapIndent("  leaves out: "+c.LeavesOut, w, 4)))
		}
		if c.Fix != "" {
			b.WriteString("\n" + layout.WrapIndent("  fix: "+c.Fix, w, 4))
		}
	}

	section("Prices and usage", "")
	lines := []string{fmt.Sprintf("prices %s (%s, %s)", priceLabel(r), priceSource(r.Prices.Source), orDash(r.Prices.Currency))}
	if r.UsageWindowDays > 0 {
		lines = append(lines, fmt.Sprintf("usage from Cloud Monitoring over %d days; a month is 730 hours", r.UsageWindowDays))
	}
	if !r.GeneratedAt.IsZero() {
		lines = append(lines, "analysed at "+r.GeneratedAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	for _, l := range lines {
		b.WriteString(st.Muted.Render(layout.Wrap(l, w)) + "\n")
	}
	for _, a := range r.Assumptions {
		b.WriteString(st.Muted.Render(layout.WrapIndent("· "+a, w, 2)) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func priceLabel(r *analyzer.Report) string {
	if r.Prices.Label != "" {
		return r.Prices.Label
	}
	return "unknown"
}

func priceSource(src string) string {
	switch src {
	case "snapshot":
		return "the dated price snapshot built into vpcshift"
	case "catalog":
		return "live from the Cloud Billing Catalog"
	}
	return orDash(src)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func savingsBars(st *styles.Styles, e *estate.Estate) []barchart.Bar {
	type item struct {
		label string
		v     money.Amount
	}
	var items []item
	for _, c := range e.Rep.Connectors {
		if c.MonthlySavings.Amount().Sign() > 0 {
			items = append(items, item{"connector " + c.Name, c.MonthlySavings.Amount()})
		}
	}
	for _, n := range e.Rep.NATs {
		if n.MonthlySavings.Amount().Sign() > 0 {
			items = append(items, item{"NAT " + n.Name, n.MonthlySavings.Amount()})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].v.Cmp(items[j].v) > 0 })
	if len(items) > 5 {
		items = items[:5]
	}
	var bars []barchart.Bar
	for _, it := range items {
		bars = append(bars, barchart.Bar{Label: it.label, Value: it.v.Float64(), Text: e.Money(it.v) + "/mo", Style: st.BarSave, Glyph: st.Glyphs.BarSave})
	}
	return bars
}

func estateLine(e *estate.Estate) string {
	r := e.Rep
	var parts []string
	conn := map[string]int{}
	for _, c := range r.Connectors {
		conn[c.Status]++
	}
	parts = append(parts, fmt.Sprintf("%s connectors%s", estate.Count(len(e.Snap.Connectors)), breakdown(conn)))
	cons := map[string]int{}
	for _, c := range r.Consumers {
		cons[c.Status]++
	}
	parts = append(parts, fmt.Sprintf("%s consumers%s", estate.Count(len(e.Snap.Consumers)), breakdown(cons)))
	removable := 0
	for _, n := range r.NATs {
		if n.Removable {
			removable++
		}
	}
	nat := fmt.Sprintf("%s Cloud NAT", estate.Count(len(e.Snap.NATs)))
	if removable > 0 {
		nat += fmt.Sprintf(" (%d removable)", removable)
	}
	parts = append(parts, nat, plural(len(e.Snap.Projects), "project"))
	return strings.Join(parts, " · ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return estate.Count(n) + " " + what + "s"
}

func breakdown(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
