package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/migrate"
	"github.com/vpcshift/vpcshift/migrate/render"
)

const planLong = `Make the staged migration to Direct VPC egress with PRIVATE_RANGES_ONLY,
Private Google Access and a private run.app. zone, from a fresh inventory and
its analysis. Nothing changes: the plan is data to review, render, and run
later with 'vpcshift apply PLAN' (or by hand).

Stages, in order:
  preflight     read-only checks; what a person must do first (a Shared VPC
                grant, a subnet to choose); blockers that stop the plan
  network       Private Google Access on every subnet of the networks that
                get the zone; a route to 199.36.153.8/30 where none exists
  dns           the private zone run.app. with *.run.app. → 199.36.153.8–.11
  services      per consumer, callees first: a new revision on Direct VPC
                egress with no traffic under a tag, then traffic in steps
                (--traffic-steps), each watched for --soak; jobs, worker
                pools and gen2 functions in one update
  decommission  connectors nothing uses, --decommission-soak after their last
                consumer moved; Cloud NAT only when nothing else needs it

Each step says what it does, its preconditions, how to verify it, how to roll
it back, what it changes in the monthly bill, and its risks.

Formats (--format):
  markdown   the runbook to review (default)
  shell      a bash script of gcloud commands: set -euo pipefail, a describe
             guard before each change (re-running is harmless), a question
             before each stage (VPCSHIFT_YES=1 for CI)
  terraform  HCL for the resources the plan creates, and commented blocks
             for what changes in your existing configuration
  json       the plan itself (what -o writes and vpcshift apply reads)

-o FILE always writes the plan as JSON, whatever --format prints.

A plan that blockers stop (a conflicting run.app zone, say) is still printed,
with how to resolve each blocker; the command exits 0 and says so on stderr.
Consumers that cannot move yet (1st gen functions, App Engine versions, a
region without a usable subnet: --subnet REGION=NAME) stay where they are.`

const planExample = `  # the runbook of the built-in demo estate
  vpcshift --demo plan

  # save the plan, review it as Markdown, run it later
  vpcshift plan --project acme-prod -o plan.json > plan.md
  vpcshift apply plan.json

  # a script for the change board, with a slower canary
  vpcshift plan --format shell --traffic-steps 5,25,50,100 --soak 15m > migrate.sh

  # us-east1 has no subnet that fits: name one
  vpcshift plan --subnet us-east1=run-us-east1 -o plan.json

  # render a saved plan again, offline (no credentials needed)
  vpcshift plan render plan.json --format terraform > vpcshift.tf`

func newPlanCmd(o *globalOpts) *cobra.Command {
	var (
		out              string
		trafficSteps     []int
		tag              string
		soak, decomSoak  time.Duration
		trafficStepsText = "percentages of traffic the new revision takes in turn, increasing; 100 is added when missing"
	)
	cmd := &cobra.Command{
		Use:     "plan",
		Short:   "The staged migration plan and its runbooks (markdown, shell, terraform, json)",
		Long:    planLong,
		Example: planExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := planFormat(o.format)
			if err != nil {
				return err
			}
			opts := migrate.PlanOptions{
				TrafficSteps: trafficSteps, Tag: tag, CanarySoak: soak, DecommissionSoak: decomSoak,
				Subnets: o.subnetOverrides(),
			}
			if soak <= 0 || decomSoak <= 0 {
				return usageError("--soak and --decommission-soak must be positive durations such as 5m or 24h")
			}
			// Check the options before the inventory, which can take a while.
			if _, err := migrate.NewPlan(&inventory.Snapshot{}, &analyzer.Report{}, opts); err != nil {
				return usageError("%v", err)
			}
			return runPlan(cmd.Context(), o, format, out, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "also write the plan as JSON to `FILE` (what vpcshift apply reads)")
	f.IntSliceVar(&trafficSteps, "traffic-steps", migrate.DefaultTrafficSteps(), trafficStepsText)
	f.StringVar(&tag, "tag", migrate.DefaultTag, "revision tag the new revision is deployed under (its own URL before it takes traffic)")
	f.DurationVar(&soak, "soak", migrate.DefaultCanarySoak, "how long to watch each traffic step")
	f.DurationVar(&decomSoak, "decommission-soak", migrate.DefaultDecommissionSoak, "how long after its last consumer moved a connector is deleted")
	cmd.AddCommand(newPlanRenderCmd(o))
	return cmd
}

func newPlanRenderCmd(o *globalOpts) *cobra.Command {
	return &cobra.Command{
		Use:   "render PLAN",
		Short: "Render a saved plan (markdown, shell, terraform, json), offline",
		Long: `Render a plan saved with 'vpcshift plan -o PLAN' in another format. It reads
only the file (- for stdin): no credentials, no API call, no cost computed
again.`,
		Example: `  vpcshift plan render plan.json                      # the Markdown runbook
  vpcshift plan render plan.json --format shell > migrate.sh
  vpcshift plan render plan.json --format terraform > vpcshift.tf`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := planFormat(o.format)
			if err != nil {
				return err
			}
			var p *migrate.Plan
			if args[0] == "-" {
				p, err = migrate.Read(o.env.In)
			} else {
				p, err = migrate.Load(args[0])
			}
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err, Hint: "make a plan with 'vpcshift plan -o plan.json'"}
			}
			return renderPlan(o.env.Out, p, format)
		},
	}
}

// planFormat checks --format for the plan commands (markdown by default).
func planFormat(f string) (string, error) {
	switch f {
	case "":
		return "markdown", nil
	case "markdown", "shell", "terraform", "json":
		return f, nil
	}
	return "", usageError("--format for plan must be markdown, shell, terraform or json, not %q", f)
}

func renderPlan(w io.Writer, p *migrate.Plan, format string) error {
	switch format {
	case "shell":
		return render.Shell(w, p)
	case "terraform":
		return render.Terraform(w, p)
	case "json":
		return render.JSON(w, p)
	}
	return render.Markdown(w, p)
}

func runPlan(ctx context.Context, o *globalOpts, format, out string, opts migrate.PlanOptions) error {
	a, err := o.analyze(ctx)
	if err != nil {
		return err
	}
	defer a.s.Close()
	opts.Now = o.env.Now()
	opts.Live = a.s.addr == "" // against Google, not an emulator
	p, err := migrate.NewPlan(a.snap, a.rep, opts)
	if err != nil {
		return usageError("%v", err)
	}
	if out != "" {
		var b bytes.Buffer
		if err := p.Write(&b); err != nil {
			return err
		}
		if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing the plan: %w", err)
		}
		fmt.Fprintf(o.env.Err, "vpcshift: plan written to %s (%d steps, fingerprint %s); run it with: vpcshift apply %s\n",
			out, countPlanSteps(p), p.Source.Fingerprint, out)
	}
	if err := renderPlan(o.env.Out, p, format); err != nil {
		return err
	}
	var stops, held []string
	for _, b := range p.Blockers {
		if b.StopsPlan {
			stops = append(stops, b.Resource)
		} else {
			held = append(held, b.Resource)
		}
	}
	if len(stops) > 0 {
		fmt.Fprintf(o.env.Err, "vpcshift: the plan stops at %d blocker(s), nothing past preflight runs until they are resolved: %s (see Blockers)\n",
			len(stops), strings.Join(stops, ", "))
	}
	if len(held) > 0 {
		fmt.Fprintf(o.env.Err, "vpcshift: %d blocker(s) keep consumers or connectors where they are (see Blockers)\n", len(held))
	}
	return nil
}

func countPlanSteps(p *migrate.Plan) int {
	n := 0
	for _, st := range p.Stages {
		n += len(st.Steps)
	}
	return n
}
