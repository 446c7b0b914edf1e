package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/analyzer/render"
	"github.com/vpcshift/vpcshift/internal/money"
)

const reportLong = `Inventory the projects in scope, price what they pay for connectors and
Cloud NAT, and say what the Direct VPC egress + run.app private zone pattern
saves — per connector, per NAT and per consuming service — with findings
(each with its fix) and what could not be read (coverage).

Every figure carries its price (SKU, source and date) and the usage figure it
came from. Money is exact until shown; a month is 730 hours.

Formats:
  table     aligned text (default on a terminal; coloured unless NO_COLOR or --no-color)
  json      the report document (schema: vpcshift report --schema); same as vpcshift --report
  csv       one row per cost line, for spreadsheets
  markdown  for a pull request or a wiki page

Summary figures:
  currentMonthlyCost     what the connectors and Cloud NAT cost now
  targetMonthlyCost      what remains after the migration (kept connectors, NAT
                         shares other workloads need, plus the new run.app zones)
  monthlySavings         current − target, what can be saved now
  annualSavings          12 × monthlySavings
  blockedMonthlySavings  what would also be saved once blocked consumers move
                         (1st gen functions, App Engine versions, …)`

func newReportCmd(o *globalOpts) *cobra.Command {
	var schema bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Costs, savings and findings (table, json, csv, markdown)",
		Long:  reportLong,
		Example: `  vpcshift report --project acme-prod
  vpcshift report --format json > report.json
  vpcshift report --format markdown --fail-on-savings 50   # exit 3 when savings exceed $50/month
  vpcshift report --schema                                  # the JSON Schema of --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if schema {
				_, err := o.env.Out.Write(analyzer.Schema())
				return err
			}
			format := o.format
			if format == "" {
				format = "table"
			}
			return runReport(cmd.Context(), o, format)
		},
	}
	cmd.Flags().BoolVar(&schema, "schema", false, "print the JSON Schema of the report and exit")
	return cmd
}

// runReportJSON is `vpcshift --report`.
func runReportJSON(ctx context.Context, o *globalOpts) error {
	if o.format != "" && o.format != "json" {
		return usageError("--report prints JSON; use 'vpcshift report --format %s' for other formats", o.format)
	}
	return runReport(ctx, o, "json")
}

func runReport(ctx context.Context, o *globalOpts, format string) error {
	switch format {
	case "table", "json", "csv", "markdown":
	default:
		return usageError("--format for report must be table, json, csv or markdown, not %q", format)
	}
	var threshold *money.Amount
	if o.failOn != "" {
		t, err := money.Parse(o.failOn)
		if err != nil || t.Sign() < 0 {
			return usageError("--fail-on-savings wants a non-negative amount such as 50 or 12.50, not %q", o.failOn)
		}
		threshold = &t
	}
	a, err := o.analyze(ctx)
	if err != nil {
		return err
	}
	defer a.s.Close()
	w := o.env.Out
	switch format {
	case "json":
		err = render.JSON(w, a.rep)
	case "csv":
		err = render.CSV(w, a.rep)
	case "markdown":
		err = render.Markdown(w, a.rep)
	default:
		err = render.Table(w, a.rep, render.Options{Colour: o.colour(o.env.OutTTY), Width: 120})
	}
	if err != nil {
		return err
	}
	if threshold != nil && a.rep.Summary.MonthlySavings.Amount().Cmp(*threshold) > 0 {
		return &ExitError{Code: ExitSavings, Err: fmt.Errorf("monthly savings of %s %s exceed --fail-on-savings %s", a.rep.Summary.MonthlySavings, a.rep.Prices.Currency, threshold.Fixed(2))}
	}
	return nil
}
