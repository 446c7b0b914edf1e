// Package styles is the one place the TUI's look is defined: every colour
// and text style the components use comes from a Styles built here.
// Components never make colours of their own.
package styles

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/vpcshift/vpcshift/analyzer"
)

// Theme is the palette. Colours adapt to light and dark terminals; under
// NO_COLOR (lipgloss's ASCII profile) they vanish and only bold, reverse
// and the glyphs remain, so nothing may rely on colour alone.
type Theme struct {
	Accent  lipgloss.AdaptiveColor
	Text    lipgloss.AdaptiveColor
	Muted   lipgloss.AdaptiveColor
	Subtle  lipgloss.AdaptiveColor
	Good    lipgloss.AdaptiveColor
	Warn    lipgloss.AdaptiveColor
	Bad     lipgloss.AdaptiveColor
	Info    lipgloss.AdaptiveColor
	SelBg   lipgloss.AdaptiveColor
	BarNow  lipgloss.AdaptiveColor
	BarGoal lipgloss.AdaptiveColor
	BarSave lipgloss.AdaptiveColor
}

// DefaultTheme is vpcshift's palette.
func DefaultTheme() Theme {
	return Theme{
		Accent:  lipgloss.AdaptiveColor{Light: "#5A3FD6", Dark: "#9D8CFF"},
		Text:    lipgloss.AdaptiveColor{Light: "#1F1F1F", Dark: "#E8E8E8"},
		Muted:   lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"},
		Subtle:  lipgloss.AdaptiveColor{Light: "#C8C8C8", Dark: "#3C3C3C"},
		Good:    lipgloss.AdaptiveColor{Light: "#1A7F37", Dark: "#56D364"},
		Warn:    lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#E3B341"},
		Bad:     lipgloss.AdaptiveColor{Light: "#CF222E", Dark: "#FF7B72"},
		Info:    lipgloss.AdaptiveColor{Light: "#0969DA", Dark: "#79C0FF"},
		SelBg:   lipgloss.AdaptiveColor{Light: "#DDD6FE", Dark: "#3B2F7A"},
		BarNow:  lipgloss.AdaptiveColor{Light: "#CF222E", Dark: "#FF7B72"},
		BarGoal: lipgloss.AdaptiveColor{Light: "#1A7F37", Dark: "#56D364"},
		BarSave: lipgloss.AdaptiveColor{Light: "#0969DA", Dark: "#79C0FF"},
	}
}

// Glyphs are the characters that carry meaning without colour.
type Glyphs struct {
	BarNow, BarGoal, BarSave, BarEmpty  string
	Pending, Running, Done, Failed      string
	Skipped, RolledBack, Stopped        string
	SortAsc, SortDesc, Cursor, Ellipsis string
}

// Styles is every style the TUI uses, grouped by area.
type Styles struct {
	Theme  Theme
	Glyphs Glyphs

	// Frame.
	AppName   lipgloss.Style
	Tab       lipgloss.Style
	TabActive lipgloss.Style
	HeaderBar lipgloss.Style
	Context   lipgloss.Style
	Footer    lipgloss.Style
	StatusOK  lipgloss.Style
	StatusErr lipgloss.Style
	// Banner is the line under the header while the figures are partial.
	Banner lipgloss.Style

	// Text.
	Title   lipgloss.Style
	Heading lipgloss.Style
	Label   lipgloss.Style
	Value   lipgloss.Style
	Muted   lipgloss.Style
	Key     lipgloss.Style
	Code    lipgloss.Style
	Link    lipgloss.Style
	Good    lipgloss.Style
	Warn    lipgloss.Style
	Bad     lipgloss.Style
	Info    lipgloss.Style
	Panel   lipgloss.Style
	Dialog  lipgloss.Style

	// Tables and lists.
	TableHeader   lipgloss.Style
	TableRow      lipgloss.Style
	TableSelected lipgloss.Style
	TableFooter   lipgloss.Style
	FilterPrompt  lipgloss.Style

	// Money and charts.
	Money    lipgloss.Style
	MoneyBig lipgloss.Style
	BarNow   lipgloss.Style
	BarGoal  lipgloss.Style
	BarSave  lipgloss.Style

	// Help.
	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	HelpSep  lipgloss.Style
}

// New builds the styles from a theme.
func New(t Theme) *Styles {
	ns := lipgloss.NewStyle
	s := &Styles{
		Theme: t,
		Glyphs: Glyphs{
			BarNow: "█", BarGoal: "▓", BarSave: "▒", BarEmpty: " ",
			Pending: "·", Running: "»", Done: "✓", Failed: "✗",
			Skipped: "↷", RolledBack: "↺", Stopped: "■",
			SortAsc: "▲", SortDesc: "▼", Cursor: "▌", Ellipsis: "…",
		},
	}
	s.AppName = ns().Bold(true).Foreground(t.Accent).Padding(0, 1)
	s.Tab = ns().Foreground(t.Muted).Padding(0, 1)
	s.TabActive = ns().Bold(true).Reverse(true).Padding(0, 1)
	s.HeaderBar = ns()
	s.Context = ns().Foreground(t.Muted)
	s.Footer = ns().Foreground(t.Muted)
	s.StatusOK = ns().Foreground(t.Good)
	s.StatusErr = ns().Foreground(t.Bad).Bold(true)
	s.Banner = ns().Foreground(t.Warn).Bold(true)

	s.Title = ns().Bold(true).Foreground(t.Accent)
	s.Heading = ns().Bold(true).Underline(true)
	s.Label = ns().Foreground(t.Muted)
	s.Value = ns().Foreground(t.Text)
	s.Muted = ns().Foreground(t.Muted)
	s.Key = ns().Bold(true).Foreground(t.Accent)
	s.Code = ns().Foreground(t.Info)
	s.Link = ns().Foreground(t.Info).Underline(true)
	s.Good = ns().Foreground(t.Good)
	s.Warn = ns().Foreground(t.Warn)
	s.Bad = ns().Foreground(t.Bad).Bold(true)
	s.Info = ns().Foreground(t.Info)
	s.Panel = ns().Border(lipgloss.RoundedBorder()).BorderForeground(t.Subtle).Padding(0, 1)
	s.Dialog = ns().Border(lipgloss.DoubleBorder()).BorderForeground(t.Accent).Padding(1, 2)

	s.TableHeader = ns().Bold(true).Foreground(t.Accent)
	s.TableRow = ns()
	s.TableSelected = ns().Bold(true).Reverse(true)
	s.TableFooter = ns().Foreground(t.Muted)
	s.FilterPrompt = ns().Bold(true).Foreground(t.Accent)

	s.Money = ns().Bold(true)
	s.MoneyBig = ns().Bold(true).Foreground(t.Good)
	s.BarNow = ns().Foreground(t.BarNow)
	s.BarGoal = ns().Foreground(t.BarGoal)
	s.BarSave = ns().Foreground(t.BarSave)

	s.HelpKey = ns().Bold(true).Foreground(t.Accent)
	s.HelpDesc = ns().Foreground(t.Muted)
	s.HelpSep = ns().Foreground(t.Subtle)
	return s
}

// Default is New(DefaultTheme()).
func Default() *Styles { return New(DefaultTheme()) }

// Severity styles a finding severity.
func (s *Styles) Severity(sev string) lipgloss.Style {
	switch sev {
	case analyzer.SeverityBlocker:
		return s.Bad.Reverse(true)
	case analyzer.SeverityHigh:
		return s.Bad
	case analyzer.SeverityMedium:
		return s.Warn
	case analyzer.SeverityLow:
		return s.Info
	}
	return s.Muted
}

// Status styles a status word of the report (consumer, connector,
// placement, zone statuses) by what it means for the migration.
func (s *Styles) Status(status string) lipgloss.Style {
	switch status {
	case analyzer.ConsumerMigratable, analyzer.ConnectorIdle, analyzer.PlacementOK,
		analyzer.ZoneExists, analyzer.ConsumerOnTarget, "removable", "yes", "done":
		return s.Good
	case analyzer.ConsumerManual, analyzer.ConnectorKept, analyzer.PlacementNeedsPGA,
		analyzer.ZoneNeeded, analyzer.ConsumerDirectVPC, analyzer.PlacementOverride, "shared", "partial":
		return s.Warn
	case analyzer.ConsumerBlocked, analyzer.ZoneConflict, analyzer.PlacementTooSmall,
		analyzer.PlacementNone, analyzer.ConnectorUnknownConsumers, "failed", "error", "denied":
		return s.Bad
	}
	return s.Value
}
