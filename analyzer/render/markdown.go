package render

import (
	"bufio"
	"fmt"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"io"
	"strings"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/money"
)

// Markdown writes the report for people: a summary table, then connectors,
// Cloud NAT, consumers, DNS, Direct VPC subnets, findings by severity with
// their fixes, coverage, errors and assumptions, and every cost line.
func Markdown(w io.Writer, r *analyzer.Report) error {
	bw := bufio.NewWriter(w)
	m := &mdWriter{w: bw, cur: r.Prices.Currency}
	m.report(r)
	if m.err != nil {
		return m.err
	}
	return bw.Flush()
}

type mdWriter struct {
	w   *bufio.Writer
	cur string
	err error
}

func (m *mdWriter) printf(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, args...)
	}
}

// text escapes what Markdown would otherwise read as emphasis or HTML
// (*.run.app. names, <placeholders>); text inside backticks is left alone.
func text(s string) string {
	var b strings.Builder
	inCode := false
	for _, r := range s {
		switch {
		case r == '`':
			inCode = !inCode
		case !inCode && (r == '*' || r == '<' || r == '>'):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cell escapes text for a table cell.
func cell(s string) string {
	s = strings.ReplaceAll(text(s), "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

func (m *mdWriter) table(header []string, right map[int]bool, rows [][]string) {
	m.printf("| %s |\n", strings.Join(header, " | "))
	seps := make([]string, len(header))
	for i := range header {
		seps[i] = "---"
		if right[i] {
			seps[i] = "---:"
		}
	}
	m.printf("| %s |\n", strings.Join(seps, " | "))
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = cell(c)
		}
		m.printf("| %s |\n", strings.Join(cells, " | "))
	}
	m.printf("\n")
}

func (m *mdWriter) money(x analyzer.Money) string   { return formatMoney(x, m.cur) }
func (m *mdWriter) moneyP(x *analyzer.Money) string { return formatMoneyPtr(x, m.cur) }
func code(s string) string                          { return "`" + s + "`" }
func (m *mdWriter) none(what string)                { m.printf("No %s.\n\n", what) }
func (m *mdWriter) section(title string)            { m.printf("## %s\n\n", title) }
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (m *mdWriter) report(r *analyzer.Report) {
	s := r.Summary
	m.printf("# vpcshift report\n\n")
	m.printf("Generated %s · prices %s (%s) · usage window %d days · scope: %s\n\n",
		r.GeneratedAt.Format("2006-01-02T15:04:05Z07:00"), r.Prices.Label, r.Prices.Currency, r.UsageWindowDays, scopeText(r))

	m.section("Summary")
	m.table([]string{"", "per month", "per year"}, map[int]bool{1: true, 2: true}, [][]string{
		{"Current cost (connectors + Cloud NAT)", m.money(s.CurrentMonthlyCost), ""},
		{"Target cost", m.money(s.TargetMonthlyCost), ""},
		{"**Savings now**", "**" + m.money(s.MonthlySavings) + "**", "**" + m.money(s.AnnualSavings) + "**"},
		{"Savings once blocked consumers move", m.money(s.BlockedMonthlySavings), ""},
	})
	m.printf("Today: connectors %s + Cloud NAT %s. The target adds run.app. zones for %s a month.",
		m.money(s.ConnectorsMonthlyCost), m.money(s.NATsMonthlyCost), m.money(s.DNSMonthlyCost))
	if s.UnpricedResources > 0 {
		m.printf(" **%s could not be priced** (see Errors); they are not in these figures.", plural(s.UnpricedResources, "resource", "resources"))
	}
	m.printf("\n\n")

	m.section("Connectors")
	if len(r.Connectors) == 0 {
		m.none("Serverless VPC Access connectors")
	} else {
		var rows [][]string
		for _, c := range r.Connectors {
			rows = append(rows, []string{
				code(c.Name), c.Project, c.Region, c.MachineType,
				fmt.Sprintf("%d (%s)", c.Instances, c.InstancesSource), m.moneyP(c.MonthlyCost),
				c.Status, m.money(c.MonthlySavings), m.money(c.BlockedMonthlySavings), fmt.Sprint(len(c.Consumers)),
			})
		}
		m.table([]string{"Connector", "Project", "Region", "Machine", "Instances", "Monthly", "Status", "Saves now", "Saves later", "Consumers"},
			map[int]bool{5: true, 7: true, 8: true, 9: true}, rows)
	}

	m.section("Cloud NAT")
	if len(r.NATs) == 0 {
		m.none("Cloud NAT gateways")
	} else {
		var rows [][]string
		for _, n := range r.NATs {
			rows = append(rows, []string{
				code(n.Name), n.Router, n.Region, intOrUnknown(n.VMEndpoints), fmt.Sprint(n.ServerlessEndpoints),
				intOrUnknown(n.OtherEndpoints), m.moneyP(n.MonthlyCost), yesNo(n.Removable),
				m.money(n.MonthlySavings), m.money(n.BlockedMonthlySavings),
			})
		}
		m.table([]string{"NAT", "Router", "Region", "VMs", "Serverless", "Other", "Monthly", "Removable", "Saves now", "Saves later"},
			map[int]bool{3: true, 4: true, 5: true, 6: true, 8: true, 9: true}, rows)
		for _, n := range r.NATs {
			m.printf("- %s: %s\n", code(n.Name), text(n.Method))
		}
		m.printf("\n")
	}

	m.section("Consumers")
	if len(r.Consumers) == 0 {
		m.none("consumers")
	} else {
		var rows [][]string
		for _, c := range r.Consumers {
			status := c.Status
			if c.Blocker != "" {
				status += ": " + c.Blocker
			}
			rows = append(rows, []string{
				code(c.Name), c.Kind, c.Project, c.Region, inventory.LastSegment(c.Connector), c.Egress, status,
				m.moneyP(c.AttributedConnectorMonthly), m.moneyP(c.AttributedNatMonthly),
				m.money(c.MonthlySavings), m.money(c.BlockedMonthlySavings), c.AttributionMethod,
			})
		}
		m.table([]string{"Consumer", "Kind", "Project", "Region", "Connector", "Egress", "Status", "Connector share", "NAT share", "Saves now", "Saves later", "Attribution"},
			map[int]bool{7: true, 8: true, 9: true, 10: true}, rows)
	}

	m.section("DNS: the run.app. zone")
	if len(r.DNSZones) == 0 {
		m.none("network needs a run.app. zone")
	} else {
		var rows [][]string
		for _, z := range r.DNSZones {
			rows = append(rows, []string{z.Network, z.Status, code(z.Zone), m.moneyP(z.MonthlyCost), strings.Join(z.ConflictWith, ", ")})
		}
		m.table([]string{"Network", "Status", "Zone", "Monthly", "Conflicts with"}, map[int]bool{3: true}, rows)
	}

	m.section("Direct VPC egress subnets")
	if len(r.Placements) == 0 {
		m.none("consumers to place")
	} else {
		var rows [][]string
		for _, p := range r.Placements {
			subnet := p.Subnet
			if p.IPCIDRRange != "" {
				subnet += " (" + p.IPCIDRRange + ")"
			}
			rows = append(rows, []string{p.Network, p.Region, subnet, fmt.Sprint(p.NeededIPs), fmt.Sprint(p.AvailableIPs), yesNo(p.PrivateGoogleAccess), p.Status})
		}
		m.table([]string{"Network", "Region", "Subnet", "Needed IPs", "Available IPs", "PGA", "Status"}, map[int]bool{3: true, 4: true}, rows)
	}

	m.section("Findings")
	if len(r.Findings) == 0 {
		m.none("findings")
	}
	groups := r.FindingsBySeverity()
	for _, sev := range analyzer.Severities() {
		fs := groups[sev]
		if len(fs) == 0 {
			continue
		}
		m.printf("### %s (%d)\n\n", sev, len(fs))
		for _, f := range fs {
			impact := ""
			if f.MonthlyImpact != nil {
				impact = fmt.Sprintf(" (%s a month)", m.money(*f.MonthlyImpact))
			}
			m.printf("- **%s** %s%s: %s\n  - Fix: %s\n", f.Code, code(f.Resource), impact, text(f.Message), text(f.Fix))
		}
		m.printf("\n")
	}

	m.section("Coverage")
	if len(r.Coverage) == 0 {
		m.none("coverage rows")
	} else {
		var rows [][]string
		for _, c := range r.Coverage {
			detail := c.Detail
			if c.Permission != "" {
				detail = strings.TrimSpace("needs " + c.Permission + "; " + detail)
			}
			rows = append(rows, []string{c.Project, c.API, c.Status, detail})
		}
		m.table([]string{"Project", "API", "Status", "Detail"}, nil, rows)
	}

	if len(r.Errors) > 0 {
		m.section("Errors")
		for _, e := range r.Errors {
			m.printf("- %s: %s\n", code(e.Resource), text(e.Message))
		}
		m.printf("\n")
	}

	m.section("Assumptions")
	for _, a := range r.Assumptions {
		m.printf("- %s\n", text(a))
	}
	m.printf("\n")

	m.section("Cost lines")
	lines := r.AllCostLines()
	if len(lines) == 0 {
		m.none("cost lines")
		return
	}
	var rows [][]string
	for _, res := range lines {
		for _, l := range res.Lines {
			rows = append(rows, []string{
				res.ResourceType + " " + code(shortID(res.ResourceID)), l.Description, l.Quantity.Exact() + " " + l.Unit,
				exactOrDash(l.UnitPrice), m.moneyP(l.Monthly), l.SKU, l.Usage,
			})
		}
	}
	m.table([]string{"Resource", "Description", "Quantity", "Unit price", "Monthly", "SKU", "Usage"}, map[int]bool{3: true, 4: true}, rows)
	m.printf("Prices: %s.\n", r.Prices.Label)
}

func exactOrDash(a *money.Amount) string {
	if a == nil {
		return "—"
	}
	return a.Exact()
}
