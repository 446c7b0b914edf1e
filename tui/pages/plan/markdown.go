package plan

import (
	"regexp"
	"strings"

	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/styles"
)

var (
	inlineCode = regexp.MustCompile("`([^`]+)`")
	bold       = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// Markdown renders a runbook for the terminal: headings styled, code
// blocks and inline code set apart, lists with bullets and check boxes,
// paragraphs wrapped to width, tables kept as they are.
func Markdown(st *styles.Styles, md string, width int) string {
	w := max(20, width-1)
	var out []string
	inCode := false
	var table [][]string
	flush := func() {
		if len(table) > 0 {
			out = append(out, renderTable(st, table, w)...)
			table = nil
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if !inCode && strings.HasPrefix(trimmed, "|") {
			if !isSeparator(trimmed) {
				table = append(table, cells(trimmed))
			}
			continue
		}
		flush()
		if strings.HasPrefix(trimmed, "```") {
			inCode = !inCode
			continue
		}
		if inCode {
			out = append(out, st.Code.Render(layout.Truncate("  "+line, w)))
			continue
		}
		switch {
		case strings.HasPrefix(line, "# "):
			out = append(out, st.Title.Render(layout.Truncate(strings.ToUpper(line[2:]), w)))
		case strings.HasPrefix(line, "## "):
			out = append(out, st.Heading.Render(layout.Truncate(line[3:], w)))
		case strings.HasPrefix(line, "### "), strings.HasPrefix(line, "#### "):
			out = append(out, st.Money.Render(layout.Truncate(strings.TrimLeft(line, "# "), w)))
		case strings.HasPrefix(trimmed, "---"):
			out = append(out, st.Muted.Render(strings.Repeat("─", min(w, 40))))
		default:
			indent := len(line) - len(strings.TrimLeft(line, " "))
			text := trimmed
			bullet := ""
			switch {
			case strings.HasPrefix(text, "- [ ] "), strings.HasPrefix(text, "* [ ] "):
				bullet, text = "☐ ", text[6:]
			case strings.HasPrefix(text, "- [x] "), strings.HasPrefix(text, "* [x] "):
				bullet, text = "☑ ", text[6:]
			case strings.HasPrefix(text, "- "), strings.HasPrefix(text, "* "):
				bullet, text = "• ", text[2:]
			case strings.HasPrefix(text, "> "):
				bullet, text = "│ ", text[2:]
			}
			if text == "" && bullet == "" {
				out = append(out, "")
				continue
			}
			pad := strings.Repeat(" ", indent)
			wrapped := layout.WrapIndent(pad+bullet+text, w, indent+len([]rune(bullet)))
			out = append(out, inline(st, wrapped))
		}
	}
	flush()
	return strings.Join(out, "\n")
}

func isSeparator(row string) bool {
	return strings.Trim(row, "|-: ") == ""
}

func cells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	row = strings.TrimSuffix(row, "|")
	parts := strings.Split(row, "|")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(strings.NewReplacer("`", "", "**", "").Replace(p))
	}
	return parts
}

// renderTable aligns a Markdown table's cells in columns; the first row
// is the header.
func renderTable(st *styles.Styles, rows [][]string, w int) []string {
	n := 0
	for _, r := range rows {
		n = max(n, len(r))
	}
	widths := make([]int, n)
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], layout.Width(c))
		}
	}
	var out []string
	for ri, r := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for i := 0; i < n; i++ {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(layout.Fit(c, widths[i], layout.Left))
		}
		line := layout.Truncate(strings.TrimRight(b.String(), " "), w)
		if ri == 0 {
			line = st.Heading.Render(line)
		}
		out = append(out, line)
	}
	return out
}

func inline(st *styles.Styles, s string) string {
	s = inlineCode.ReplaceAllStringFunc(s, func(m string) string { return st.Code.Render(m[1 : len(m)-1]) })
	return bold.ReplaceAllStringFunc(s, func(m string) string { return st.Money.Render(m[2 : len(m)-2]) })
}
