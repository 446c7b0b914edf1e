package render

import (
	"fmt"
	"strings"
	"unicode"
)

// oneLine makes text safe for a single line (a shell or HCL comment, a
// Markdown heading or table cell): control characters, newlines included,
// become visible escapes (\n, \x1b), so no name can end the line it is on.
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == unicode.ReplacementChar || unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wrap breaks a line at spaces so that lines stay under width (a word
// longer than width stays whole).
func wrap(s string, width int) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	var out []string
	cur := ""
	for _, w := range words {
		switch {
		case cur == "":
			cur = w
		case len(cur)+1+len(w) > width:
			out = append(out, cur)
			cur = w
		default:
			cur += " " + w
		}
	}
	return append(out, cur)
}

// money writes an amount with its currency: $18.34 for US dollars,
// "18.34 EUR" otherwise; a leading minus stays in front.
func money(amount, currency string) string {
	if amount == "" {
		amount = "0.00"
	}
	neg := strings.HasPrefix(amount, "-")
	amount = strings.TrimPrefix(amount, "-")
	sign := ""
	if neg {
		sign = "-"
	}
	if currency == "" || currency == "USD" {
		return sign + "$" + amount
	}
	return sign + amount + " " + currency
}

// delta writes a monthly change with an explicit sign ("+$0.60",
// "-$18.34").
func delta(amount, currency string) string {
	if amount == "" {
		return ""
	}
	if strings.HasPrefix(amount, "-") {
		return money(amount, currency)
	}
	return "+" + money(amount, currency)
}
