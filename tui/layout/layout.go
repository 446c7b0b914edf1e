// Package layout fits text into cells: truncation with an ellipsis,
// padding, wrapping and clipping a block to a height. It measures display
// width (East Asian wide runes, ANSI escapes) the way the terminal does.
package layout

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Align is a horizontal alignment in a cell.
type Align int

// Alignments.
const (
	Left Align = iota
	Right
)

// Width is the display width of s.
func Width(s string) int { return ansi.StringWidth(s) }

// Truncate cuts s to at most w cells, ending in "…" when cut.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if isASCII(s) {
		if len(s) <= w {
			return s
		}
		if w == 1 {
			return "…"
		}
		return s[:w-1] + "…"
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Fit truncates or pads s to exactly w cells.
func Fit(s string, w int, a Align) string {
	s = Truncate(s, w)
	var n int
	if isASCII(s) {
		n = len(s)
	} else {
		n = ansi.StringWidth(s)
	}
	if n >= w {
		return s
	}
	pad := strings.Repeat(" ", w-n)
	if a == Right {
		return pad + s
	}
	return s + pad
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == 0x1b {
			return false
		}
	}
	return true
}

// Wrap word-wraps s to w cells per line (long words are broken).
func Wrap(s string, w int) string {
	if w <= 0 {
		return s
	}
	return ansi.Wrap(s, w, "")
}

// WrapIndent wraps s to w cells with every line after the first indented
// by indent spaces.
func WrapIndent(s string, w, indent int) string {
	if w-indent < 10 {
		return Wrap(s, w)
	}
	first := Wrap(s, w)
	lines := strings.Split(first, "\n")
	if len(lines) == 1 {
		return first
	}
	rest := Wrap(strings.Join(lines[1:], " "), w-indent)
	pad := strings.Repeat(" ", indent)
	out := lines[0]
	for _, l := range strings.Split(rest, "\n") {
		out += "\n" + pad + l
	}
	return out
}

// Clip keeps the first h lines of s and pads it to exactly h lines.
func Clip(s string, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Block makes s exactly w×h: lines truncated or padded to w, clipped or
// padded to h.
func Block(s string, w, h int) string {
	lines := strings.Split(Clip(s, h), "\n")
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			l = ansi.Truncate(l, w, "")
		}
		lines[i] = l + strings.Repeat(" ", max(0, w-lipgloss.Width(l)))
	}
	return strings.Join(lines, "\n")
}

// KeyValues renders label/value pairs with the labels in one column.
// Values are wrapped to the width left.
func KeyValues(pairs [][2]string, w int, label, value lipgloss.Style) string {
	lw := 0
	for _, p := range pairs {
		lw = max(lw, Width(p[0]))
	}
	lw = min(lw, max(8, w/3))
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('\n')
		}
		v := p[1]
		if v == "" {
			v = "—"
		}
		vw := max(10, w-lw-2)
		wrapped := strings.Split(Wrap(v, vw), "\n")
		b.WriteString(label.Render(Fit(p[0], lw, Left)))
		b.WriteString("  ")
		b.WriteString(value.Render(wrapped[0]))
		for _, l := range wrapped[1:] {
			b.WriteString("\n" + strings.Repeat(" ", lw+2) + value.Render(l))
		}
	}
	return b.String()
}
