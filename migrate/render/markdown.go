package render

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/vpcshift/vpcshift/migrate"
)

// Markdown writes the runbook a person reviews: the summary with the
// savings, the blockers, then each stage and step with what it does, the
// exact commands, how to verify it, how to roll it back, what it changes
// in the monthly bill and its risks.
func Markdown(w io.Writer, p *migrate.Plan) error {
	bw := bufio.NewWriter(w)
	md := &mdWriter{w: bw, cur: p.Summary.Currency}
	md.header(p)
	md.summary(p)
	md.blockers(p)
	md.overview(p)
	for i := range p.Stages {
		md.stage(i+1, &p.Stages[i])
	}
	return bw.Flush()
}

type mdWriter struct {
	w   *bufio.Writer
	cur string
}

func (m *mdWriter) p(format string, args ...any) {
	fmt.Fprintf(m.w, format, args...)
	m.w.WriteByte('\n')
}

// ln writes one line as it is.
func (m *mdWriter) ln(s string) {
	m.w.WriteString(s)
	m.w.WriteByte('\n')
}

// code writes text as an inline code span that no backtick in it can
// close early.
func code(s string) string {
	s = oneLine(s)
	ticks := "`"
	for strings.Contains(s, ticks) {
		ticks += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return ticks + s + ticks
}

// text makes a sentence safe for one Markdown paragraph or table cell.
func text(s string) string {
	s = oneLine(s)
	s = strings.ReplaceAll(s, "<", "&lt;")
	return strings.ReplaceAll(s, "|", `\|`)
}

// block writes lines in a fenced code block longer than any backtick run
// inside.
func (m *mdWriter) block(lang string, lines []string) {
	fence := "```"
	for _, l := range lines {
		for strings.Contains(l, fence) {
			fence += "`"
		}
	}
	m.ln(fence + lang)
	for _, l := range lines {
		m.ln(l)
	}
	m.ln(fence)
	m.p("")
}

func (m *mdWriter) header(p *migrate.Plan) {
	m.p("# vpcshift migration plan")
	m.p("")
	m.p("Made %s from the inventory of %s (fingerprint %s over %d resources) · prices %s · plan format %s",
		p.CreatedAt.UTC().Format("2006-01-02 15:04 MST"), text(strings.Join(p.Source.Projects, ", ")), code(p.Source.Fingerprint), len(p.Source.Resources), text(p.Source.Prices), code(p.FormatVersion))
	m.p("")
	m.p("From a saved plan: `vpcshift apply plan.json` (a dry run unless `--yes`) re-reads these resources and refuses to run if any of them changed.")
	m.p("")
	if p.Stopped() {
		n := 0
		for _, b := range p.Blockers {
			if b.StopsPlan {
				n++
			}
		}
		m.p("> **This plan stops at %d blocker(s).** Nothing past preflight runs until they are resolved; then make a new plan. The stages below show what would follow.", n)
		m.p("")
	}
}

func (m *mdWriter) summary(p *migrate.Plan) {
	s := p.Summary
	m.p("## Summary")
	m.p("")
	m.p("| | per month |")
	m.p("|---|---:|")
	m.p("| Today: connectors and Cloud NAT | %s |", money(s.CurrentMonthlyCost, s.Currency))
	m.p("| After this plan | %s |", money(s.TargetMonthlyCost, s.Currency))
	m.p("| **Savings** | **%s** (%s a year) |", money(s.MonthlySavings, s.Currency), money(s.AnnualSavings, s.Currency))
	m.p("| More, once the blockers are resolved | %s |", money(s.BlockedMonthlySavings, s.Currency))
	m.p("")
	m.p("Moves %d consumer(s) to Direct VPC egress with PRIVATE_RANGES_ONLY; %d stay where they are. The savings are the sum of the steps' monthly changes below (each rounded to the cent).", s.ConsumersMoved, s.ConsumersBlocked)
	m.p("")
	o := p.Options
	var steps []string
	for _, t := range o.TrafficSteps {
		steps = append(steps, fmt.Sprint(t))
	}
	opts := fmt.Sprintf("Options: traffic %s %%, revision tag %s, canary soak %s, decommission soak %s", strings.Join(steps, " → "), code(o.Tag), o.CanarySoak.Short(), o.DecommissionSoak.Short())
	if len(o.Subnets) > 0 {
		var keys []string
		for k := range o.Subnets {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var subs []string
		for _, k := range keys {
			subs = append(subs, code("--subnet "+k+"="+o.Subnets[k]))
		}
		opts += ", " + strings.Join(subs, " ")
	}
	if o.Live {
		opts += ", made against Google (preflight validates each consumer server-side)"
	} else {
		opts += ", made offline or against the emulator (no server-side validation)"
	}
	m.ln(opts + ".")
	m.p("")
}

func (m *mdWriter) blockers(p *migrate.Plan) {
	m.p("## Blockers")
	m.p("")
	if len(p.Blockers) == 0 {
		if p.Summary.ConsumersMoved > 0 {
			m.ln("None: every consumer on a connector moves.")
		} else {
			m.ln("None.")
		}
		m.ln("")
		return
	}
	for _, b := range p.Blockers {
		what := "Keeps things where they are"
		if b.StopsPlan {
			what = "**Stops the plan**"
		}
		m.p("- %s: %s", what, code(b.Resource))
		if b.ID != "" {
			m.p("  - finding %s", code(b.ID))
		}
		m.p("  - why: %s", text(b.Reason))
		m.p("  - fix: %s", text(b.Fix))
	}
	m.p("")
}

func (m *mdWriter) overview(p *migrate.Plan) {
	m.p("## Stages")
	m.p("")
	m.p("| # | Stage | Steps | Monthly change |")
	m.p("|---|---|---:|---:|")
	for i, st := range p.Stages {
		change := ""
		total := 0
		cents := int64(0)
		for _, s := range st.Steps {
			if s.MonthlyCostDelta != "" {
				total++
				cents += parseCents(s.MonthlyCostDelta)
			}
		}
		if total > 0 {
			change = delta(formatCents(cents), p.Summary.Currency)
		}
		m.p("| %d | %s | %d | %s |", i+1, text(st.Title), len(st.Steps), change)
	}
	m.p("")
}

// parseCents reads a two-decimal amount the plan wrote; the stage totals
// add the steps' written figures (the plan's own sums are exact).
func parseCents(s string) int64 {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var n int64
	for _, r := range whole {
		n = n*10 + int64(r-'0')
	}
	frac = (frac + "00")[:2]
	n = n*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	if neg {
		n = -n
	}
	return n
}

func formatCents(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
}

func (m *mdWriter) stage(n int, st *migrate.Stage) {
	m.p("## %d. %s", n, text(st.Title))
	m.p("")
	m.p("%s", text(st.Description))
	m.p("")
	for i := range st.Steps {
		m.step(fmt.Sprintf("%d.%d", n, i+1), &st.Steps[i])
	}
}

func (m *mdWriter) step(num string, s *migrate.Step) {
	m.p("### %s %s", num, text(s.Title))
	m.p("")
	meta := fmt.Sprintf("%s · %s · %s", code(s.ID), code(string(s.Action)), code(s.Resource))
	if len(s.DependsOn) > 0 {
		var deps []string
		for _, d := range s.DependsOn {
			deps = append(deps, code(d))
		}
		meta += " · after " + strings.Join(deps, ", ")
	}
	m.p("%s", meta)
	m.p("")
	if len(s.Preconditions) > 0 {
		m.p("**Before:**")
		m.p("")
		for _, c := range s.Preconditions {
			m.p("- %s: %s", code(string(c.Kind)), text(c.Description))
		}
		m.p("")
	}
	m.do(s)
	if len(s.Verify) > 0 {
		m.p("**Verify:**")
		m.p("")
		for _, c := range s.Verify {
			m.p("- %s: %s", code(string(c.Kind)), text(c.Description))
		}
		m.p("")
		var lines []string
		for _, o := range ops(s) {
			lines = append(lines, commandLine(displayArgs(o.guard.argv))+"  # "+guardMeaning(o.guard))
		}
		if len(lines) > 0 {
			m.p("By hand:")
			m.p("")
			m.block("sh", lines)
		}
	}
	if s.Rollback != nil {
		m.p("**Roll back:** %s.", text(s.Rollback.Description))
		m.p("")
		if len(s.Rollback.Commands) > 0 {
			m.block("sh", s.Rollback.Commands)
		}
	}
	if s.MonthlyCostDelta != "" {
		m.p("**Monthly cost:** %s", delta(s.MonthlyCostDelta, m.cur))
		m.p("")
	}
	if len(s.Risks) > 0 {
		m.p("**Risks:**")
		m.p("")
		for _, r := range s.Risks {
			m.p("- %s", text(r))
		}
		m.p("")
	}
	if len(s.Notes) > 0 {
		m.p("**Notes:**")
		m.p("")
		for _, r := range s.Notes {
			m.p("- %s", text(r))
		}
		m.p("")
	}
}

// do writes what the step does: its commands, or the instructions of a
// step a person or a clock does.
func (m *mdWriter) do(s *migrate.Step) {
	switch s.Action {
	case migrate.ActionCheck:
		m.p("**Check:**")
		m.p("")
		m.block("text", strings.Split(s.Params.Instructions, "\n"))
		return
	case migrate.ActionManual:
		m.p("**Do by hand:** %s", text(s.Params.Instructions))
		m.p("")
		if len(s.Params.Commands) > 0 {
			m.block("sh", s.Params.Commands)
		}
		m.p("Then confirm the step (`vpcshift apply` asks; the shell script reads `VPCSHIFT_CONFIRMED`).")
		m.p("")
		return
	case migrate.ActionSoak:
		m.p("**Wait:** %s after the steps it depends on finished. `vpcshift apply` waits (or stops and resumes later); the shell script stops until the step is confirmed.", s.Params.Wait.Short())
		m.p("")
		return
	case migrate.ActionValidate:
		m.p("**Do:** an update of the target configuration with `validate_only`: the API checks it and persists nothing (vpcshift apply; gcloud has no equivalent).")
		m.p("")
		m.block("text", []string{fmt.Sprintf("network %s, subnetwork %s, egress %s", s.Params.Network, s.Params.Subnetwork, s.Params.Egress)})
		return
	}
	var lines []string
	for _, o := range ops(s) {
		lines = append(lines, commandLine(displayArgs(o.argv)))
	}
	m.p("**Do:**")
	m.p("")
	m.block("sh", lines)
	switch s.Action {
	case migrate.ActionShiftTraffic:
		m.p("Then watch %s for %s (errors and latency by revision) before the next step.", code(s.Params.Revision), s.Params.Wait.Short())
		m.p("")
	case migrate.ActionUpdateFunction:
		m.p("`gcloud functions deploy` rebuilds from source: run it with SOURCE_DIR set to the function's source. `vpcshift apply` changes only the VPC settings through the API, with no rebuild.")
		m.p("")
	case migrate.ActionRemoveNAT:
		m.p("%s", text(s.Params.Instructions)+".")
		m.p("")
	}
}

// guardMeaning says what the verification command shows once the step is
// done.
func guardMeaning(g *guard) string {
	switch g.kind {
	case doneIfSucceeds:
		return "done when it exists"
	case doneIfFails:
		return "done when it is not found"
	case doneIfEquals:
		return "done when it prints " + oneLine(g.value[0])
	case doneIfLine:
		return "done when a line reads " + oneLine(g.value[0])
	case doneIfContains:
		return "done when it shows " + oneLine(g.value[0])
	case doneUnlessFound:
		return "done when none of them is listed"
	}
	return ""
}
