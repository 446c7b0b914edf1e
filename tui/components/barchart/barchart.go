// Package barchart draws horizontal bar charts with lipgloss: one line per
// bar, label, bar scaled to the largest value, and the figure.
package barchart

import (
	"math"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/vpcshift/vpcshift/tui/layout"
)

// Bar is one bar. Glyph fills it (so bars differ without colour too).
type Bar struct {
	Label string
	Value float64
	Text  string // the figure written after the bar
	Style lipgloss.Style
	Glyph string
}

// MaxBar is the longest bar drawn, in cells.
const MaxBar = 60

// Render draws the bars in width cells. Values below zero draw no bar;
// a value above zero always gets at least one cell.
func Render(bars []Bar, width int, label lipgloss.Style) string {
	lw, tw := 0, 0
	maxV := 0.0
	for _, b := range bars {
		lw = max(lw, layout.Width(b.Label))
		tw = max(tw, layout.Width(b.Text))
		maxV = math.Max(maxV, b.Value)
	}
	barW := width - lw - tw - 4
	barW = min(max(barW, 4), MaxBar)
	var out []string
	for _, b := range bars {
		n := 0
		if maxV > 0 && b.Value > 0 {
			n = max(1, int(math.Round(b.Value/maxV*float64(barW))))
		}
		g := b.Glyph
		if g == "" {
			g = "█"
		}
		bar := b.Style.Render(strings.Repeat(g, n)) + strings.Repeat(" ", barW-n)
		out = append(out, label.Render(layout.Fit(b.Label, lw, layout.Left))+"  "+bar+"  "+layout.Fit(b.Text, tw, layout.Right))
	}
	return strings.Join(out, "\n")
}
