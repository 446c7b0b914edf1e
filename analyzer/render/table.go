package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

// Options shape the terminal table.
type Options struct {
	// Colour adds ANSI colours (only on a terminal, never with NO_COLOR);
	// without it the output has no escape codes at all.
	Colour bool
	// Width is the terminal width to fit (wide columns are cut with "…",
	// text is wrapped); 0 means 100.
	Width int
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

var severityStyle = map[string]string{
	analyzer.SeverityBlocker: ansiBold + ansiRed,
	analyzer.SeverityHigh:    ansiRed,
	analyzer.SeverityMedium:  ansiYellow,
	analyzer.SeverityLow:     ansiCyan,
	analyzer.SeverityInfo:    ansiDim,
}

// Table writes the report as aligned plain text for a terminal.
func Table(w io.Writer, r *analyzer.Report, o Options) error {
	if o.Width <= 0 {
		o.Width = 100
	}
	if o.Width < 40 {
		o.Width = 40
	}
	bw := bufio.NewWriter(w)
	t := &tableWriter{w: bw, o: o, cur: r.Prices.Currency}
	t.report(r)
	if t.err != nil {
		return t.err
	}
	return bw.Flush()
}

type tableWriter struct {
	w   *bufio.Writer
	o   Options
	cur string
	err error
}

func (t *tableWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

// paint wraps s in an ANSI style when colour is on.
func (t *tableWriter) paint(style, s string) string {
	if !t.o.Colour || style == "" || s == "" {
		return s
	}
	return style + s + ansiReset
}

func width(s string) int { return utf8.RuneCountInString(s) }

// cut shortens s to n runes, ending with "…".
func cut(s string, n int) string {
	if width(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func pad(s string, n int, right bool) string {
	gap := n - width(s)
	if gap <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", gap) + s
	}
	return s + strings.Repeat(" ", gap)
}

type col struct {
	title string
	right bool
	flex  bool // shrinks to fit the width
}

// table writes rows under headers, columns two spaces apart, indented by
// two; style picks a colour per cell (row −1 is the header).
func (t *tableWriter) table(cols []col, rows [][]string, style func(row, c int, s string) string) {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = width(c.title)
	}
	for _, row := range rows {
		for i, s := range row {
			widths[i] = max(widths[i], width(s))
		}
	}
	total := 2 + 2*(len(cols)-1)
	for _, w := range widths {
		total += w
	}
	over := total - t.o.Width
	// Flexible columns give way first (down to 8), then the widest text
	// columns, one rune at a time (down to 6); numbers are never cut.
	for i, c := range cols {
		if c.flex && over > 0 {
			if shrink := min(over, widths[i]-8); shrink > 0 {
				widths[i] -= shrink
				over -= shrink
			}
		}
	}
	for over > 0 {
		widest := -1
		for i, c := range cols {
			if !c.right && widths[i] > 6 && (widest < 0 || widths[i] > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		widths[widest]--
		over--
	}
	line := func(r int, cells []string) {
		var b strings.Builder
		b.WriteString("  ")
		for i, s := range cells {
			s = cut(s, widths[i])
			last := i == len(cells)-1
			padded := s
			if !last || cols[i].right {
				padded = pad(s, widths[i], cols[i].right)
			}
			st := ""
			if r < 0 {
				st = ansiBold
			} else if style != nil {
				st = style(r, i, s)
			}
			if st != "" && t.o.Colour {
				lead := padded[:len(padded)-len(strings.TrimLeft(padded, " "))]
				body := strings.TrimLeft(padded, " ")
				trail := body[len(strings.TrimRight(body, " ")):]
				body = strings.TrimRight(body, " ")
				padded = lead + t.paint(st, body) + trail
			}
			b.WriteString(padded)
			if !last {
				b.WriteString("  ")
			}
		}
		t.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
	titles := make([]string, len(cols))
	hasTitles := false
	for i, c := range cols {
		titles[i] = c.title
		hasTitles = hasTitles || c.title != ""
	}
	if hasTitles {
		line(-1, titles)
	}
	for i, row := range rows {
		line(i, row)
	}
	t.printf("\n")
}

// wrap breaks text into lines of at most n runes (words longer than n are
// left whole).
func wrap(text string, n int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(text) {
		if cur.Len() > 0 && width(cur.String())+1+width(word) > n {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

func (t *tableWriter) heading(s string) { t.printf("%s\n", t.paint(ansiBold, s)) }

func (t *tableWriter) money(m analyzer.Money) string   { return formatMoney(m, t.cur) }
func (t *tableWriter) moneyP(m *analyzer.Money) string { return formatMoneyPtr(m, t.cur) }

// savingStyle colours a money cell: green when positive, red when negative.
func (t *tableWriter) savingStyle(m analyzer.Money) string {
	switch m.Amount().Sign() {
	case 1:
		return ansiGreen
	case -1:
		return ansiRed
	}
	return ""
}

var statusStyle = map[string]string{
	analyzer.ConnectorIdle: ansiYellow, analyzer.ConnectorMigratable: ansiGreen, analyzer.ConnectorKept: ansiYellow,
	analyzer.ConnectorUnknownConsumers: ansiRed, analyzer.ConsumerBlocked: ansiRed, analyzer.ConsumerManual: ansiYellow,
	analyzer.ConsumerOnTarget: ansiGreen, analyzer.ZoneConflict: ansiRed, analyzer.ZoneExists: ansiGreen,
	analyzer.PlacementOK: ansiGreen, analyzer.PlacementNeedsPGA: ansiYellow, analyzer.PlacementTooSmall: ansiRed,
	analyzer.PlacementNone: ansiRed,
}

func (t *tableWriter) report(r *analyzer.Report) {
	s := r.Summary
	t.printf("%s — prices %s (%s), usage window %d days, %s\n", t.paint(ansiBold, "vpcshift report"),
		r.Prices.Label, r.Prices.Currency, r.UsageWindowDays, r.GeneratedAt.Format("2006-01-02T15:04:05Z07:00"))
	t.printf("scope: %s\n\n", scopeText(r))

	t.heading("SUMMARY")
	sumRows := [][]string{
		{"current monthly cost", t.money(s.CurrentMonthlyCost), "connectors " + t.money(s.ConnectorsMonthlyCost) + " + Cloud NAT " + t.money(s.NATsMonthlyCost)},
		{"target monthly cost", t.money(s.TargetMonthlyCost), "incl. run.app. zones " + t.money(s.DNSMonthlyCost)},
		{"monthly savings", t.money(s.MonthlySavings), t.money(s.AnnualSavings) + " a year"},
		{"blocked monthly savings", t.money(s.BlockedMonthlySavings), "once blocked consumers move"},
	}
	if s.UnpricedResources > 0 {
		sumRows = append(sumRows, []string{"unpriced resources", fmt.Sprint(s.UnpricedResources), "not in these figures: see ERRORS"})
	}
	t.table([]col{{title: ""}, {title: "", right: true}, {title: "", flex: true}}, sumRows, func(row, c int, _ string) string {
		switch {
		case c == 1 && row == 2:
			return ansiBold + t.savingStyle(s.MonthlySavings)
		case row == 4:
			return ansiRed
		}
		return ""
	})

	t.heading("CONNECTORS")
	if len(r.Connectors) == 0 {
		t.printf("  none\n\n")
	} else {
		var rows [][]string
		for _, c := range r.Connectors {
			rows = append(rows, []string{c.Name, c.Region, c.MachineType, fmt.Sprintf("%d %s", c.Instances, c.InstancesSource),
				t.moneyP(c.MonthlyCost), c.Status, t.money(c.MonthlySavings), t.money(c.BlockedMonthlySavings), c.Project})
		}
		t.table([]col{{title: "NAME"}, {title: "REGION"}, {title: "MACHINE"}, {title: "INSTANCES"}, {title: "MONTHLY", right: true},
			{title: "STATUS"}, {title: "SAVES NOW", right: true}, {title: "LATER", right: true}, {title: "PROJECT", flex: true}}, rows,
			func(row, c int, v string) string {
				switch c {
				case 5:
					return statusStyle[v]
				case 6:
					return t.savingStyle(r.Connectors[row].MonthlySavings)
				}
				return ""
			})
	}

	t.heading("CLOUD NAT")
	if len(r.NATs) == 0 {
		t.printf("  none\n\n")
	} else {
		var rows [][]string
		for _, n := range r.NATs {
			rows = append(rows, []string{n.Name, n.Region, intOrUnknown(n.VMEndpoints), fmt.Sprint(n.ServerlessEndpoints),
				t.moneyP(n.MonthlyCost), yesNo(n.Removable), t.money(n.MonthlySavings), t.money(n.BlockedMonthlySavings), n.Method})
		}
		t.table([]col{{title: "NAME"}, {title: "REGION"}, {title: "VMS", right: true}, {title: "SERVERLESS", right: true},
			{title: "MONTHLY", right: true}, {title: "REMOVABLE"}, {title: "SAVES NOW", right: true}, {title: "LATER", right: true},
			{title: "METHOD", flex: true}}, rows, func(row, c int, _ string) string {
			if c == 6 {
				return t.savingStyle(r.NATs[row].MonthlySavings)
			}
			return ""
		})
	}

	t.heading("CONSUMERS")
	if len(r.Consumers) == 0 {
		t.printf("  none\n\n")
	} else {
		var rows [][]string
		for _, c := range r.Consumers {
			conn := "-"
			if c.Connector != "" {
				conn = c.Connector[strings.LastIndexByte(c.Connector, '/')+1:]
			}
			egress := c.Egress
			if egress == "" {
				egress = "-"
			}
			rows = append(rows, []string{c.Name, c.Kind, c.Region, conn, egress, c.Status,
				t.money(c.MonthlySavings), t.money(c.BlockedMonthlySavings), c.Project})
		}
		t.table([]col{{title: "NAME"}, {title: "KIND"}, {title: "REGION"}, {title: "CONNECTOR"}, {title: "EGRESS"},
			{title: "STATUS"}, {title: "SAVES NOW", right: true}, {title: "LATER", right: true}, {title: "PROJECT", flex: true}}, rows,
			func(row, c int, v string) string {
				switch c {
				case 5:
					return statusStyle[v]
				case 6:
					return t.savingStyle(r.Consumers[row].MonthlySavings)
				}
				return ""
			})
	}

	t.heading("DNS (run.app.)")
	if len(r.DNSZones) == 0 {
		t.printf("  none needed\n\n")
	} else {
		var rows [][]string
		for _, z := range r.DNSZones {
			rows = append(rows, []string{z.Network, z.Status, t.moneyP(z.MonthlyCost), z.Zone})
		}
		t.table([]col{{title: "NETWORK"}, {title: "STATUS"}, {title: "MONTHLY", right: true}, {title: "ZONE", flex: true}}, rows,
			func(_, c int, v string) string {
				if c == 1 {
					return statusStyle[v]
				}
				return ""
			})
	}

	t.heading("DIRECT VPC SUBNETS")
	if len(r.Placements) == 0 {
		t.printf("  none needed\n\n")
	} else {
		var rows [][]string
		for _, p := range r.Placements {
			subnet := p.Subnet
			if subnet == "" {
				subnet = "-"
			}
			rows = append(rows, []string{p.Network, p.Region, subnet, p.IPCIDRRange, fmt.Sprint(p.NeededIPs),
				fmt.Sprint(p.AvailableIPs), yesNo(p.PrivateGoogleAccess), p.Status})
		}
		t.table([]col{{title: "NETWORK", flex: true}, {title: "REGION"}, {title: "SUBNET"}, {title: "RANGE"},
			{title: "NEEDED", right: true}, {title: "AVAILABLE", right: true}, {title: "PGA"}, {title: "STATUS"}}, rows,
			func(_, c int, v string) string {
				if c == 7 {
					return statusStyle[v]
				}
				return ""
			})
	}

	t.heading(fmt.Sprintf("FINDINGS (%d)", len(r.Findings)))
	if len(r.Findings) == 0 {
		t.printf("  none\n")
	}
	textWidth := max(t.o.Width-13, 20)
	for _, f := range r.Findings {
		head := fmt.Sprintf("%-8s", strings.ToUpper(f.Severity))
		impact := ""
		if f.MonthlyImpact != nil {
			impact = "  " + t.money(*f.MonthlyImpact) + "/month"
		}
		t.printf("  %s %s %s%s\n", t.paint(severityStyle[f.Severity], head), t.paint(ansiBold, f.Code), f.Resource, impact)
		for _, l := range wrap(f.Message, textWidth) {
			t.printf("           %s\n", l)
		}
		for i, l := range wrap("fix: "+f.Fix, textWidth) {
			if i == 0 {
				l = t.paint(ansiDim, l)
			}
			t.printf("           %s\n", l)
		}
	}
	t.printf("\n")

	var gaps []inventory.Coverage
	for _, c := range r.Coverage {
		if c.Status != inventory.CoverageOK {
			gaps = append(gaps, c)
		}
	}
	t.heading(fmt.Sprintf("COVERAGE (%d of %d API reads incomplete)", len(gaps), len(r.Coverage)))
	if len(gaps) == 0 {
		t.printf("  everything was read\n\n")
	} else {
		var rows [][]string
		for _, c := range gaps {
			detail := c.Detail
			if c.Permission != "" {
				detail = "needs " + c.Permission
			}
			rows = append(rows, []string{c.Project, c.API, c.Status, detail})
		}
		t.table([]col{{title: "PROJECT"}, {title: "API"}, {title: "STATUS"}, {title: "DETAIL", flex: true}}, rows,
			func(_, c int, _ string) string {
				if c == 2 {
					return ansiYellow
				}
				return ""
			})
	}

	if len(r.Errors) > 0 {
		t.heading(fmt.Sprintf("ERRORS (%d)", len(r.Errors)))
		for _, e := range r.Errors {
			t.printf("  %s\n", t.paint(ansiRed, e.Resource))
			for _, l := range wrap(e.Message, max(t.o.Width-4, 20)) {
				t.printf("    %s\n", l)
			}
		}
		t.printf("\n")
	}

	t.heading("ASSUMPTIONS")
	for _, a := range r.Assumptions {
		for i, l := range wrap(a, max(t.o.Width-4, 20)) {
			if i == 0 {
				t.printf("  - %s\n", l)
			} else {
				t.printf("    %s\n", l)
			}
		}
	}
}
