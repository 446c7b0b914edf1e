// Package render writes an analyzer.Report as JSON, CSV, Markdown or an
// aligned terminal table. Renderers only present: they never compute a cost
// (every figure comes from the report) and never call Google Cloud.
package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/money"
)

// JSON writes the report as two-space indented JSON (the --report form),
// HTML characters unescaped, ending with a newline. The output is stable:
// the same report gives the same bytes.
func JSON(w io.Writer, r *analyzer.Report) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("render: json: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// CSVHeader is the first row CSV writes.
var CSVHeader = []string{
	"resourceType", "resourceId", "project", "region", "description", "quantity", "unit",
	"unitPrice", "monthly", "sku", "priceSource", "usage",
}

// CSV writes one row per cost line — connectors and Cloud NAT as they cost
// today, then the run.app. zones the target adds — after a header row.
// Unpriced figures are empty cells, never 0.
func CSV(w io.Writer, r *analyzer.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, res := range r.AllCostLines() {
		for _, l := range res.Lines {
			row := []string{
				res.ResourceType, res.ResourceID, res.Project, res.Region, l.Description,
				l.Quantity.Exact(), l.Unit, exactOrEmpty(l.UnitPrice), moneyOrEmpty(l.Monthly),
				l.SKU, l.PriceSource, l.Usage,
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func exactOrEmpty(a *money.Amount) string {
	if a == nil {
		return ""
	}
	return a.Exact()
}

func moneyOrEmpty(m *analyzer.Money) string {
	if m == nil {
		return ""
	}
	return m.String()
}

// formatMoney shows an amount in the report's currency: "$18.34",
// "-$0.60", "12.00 EUR".
func formatMoney(m analyzer.Money, currency string) string {
	s := m.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	s = groupThousands(s)
	if currency == "USD" || currency == "" {
		s = "$" + s
	} else {
		s = s + " " + currency
	}
	if neg {
		s = "-" + s
	}
	return s
}

func formatMoneyPtr(m *analyzer.Money, currency string) string {
	if m == nil {
		return "unpriced"
	}
	return formatMoney(*m, currency)
}

// groupThousands puts commas in the integer part of "1234567.89".
func groupThousands(s string) string {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// shortID is the last two segments of a resource name ("services/api"),
// enough to tell things apart in a table.
func shortID(id string) string {
	parts := strings.Split(id, "/")
	if len(parts) >= 2 {
		return parts[len(parts)-2] + "/" + parts[len(parts)-1]
	}
	return id
}

func intOrUnknown(p *int) string {
	if p == nil {
		return "unknown"
	}
	return fmt.Sprint(*p)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func scopeText(r *analyzer.Report) string {
	var parts []string
	if s := r.Scope; s.Org != "" {
		parts = append(parts, "organization "+s.Org)
	}
	if r.Scope.Folder != "" {
		parts = append(parts, "folder "+r.Scope.Folder)
	}
	if len(r.Scope.Projects) > 0 {
		parts = append(parts, "projects "+strings.Join(r.Scope.Projects, ", "))
	}
	if len(r.Scope.Regions) > 0 {
		parts = append(parts, "regions "+strings.Join(r.Scope.Regions, ", "))
	}
	if len(parts) == 0 {
		return "(none given)"
	}
	return strings.Join(parts, "; ")
}
