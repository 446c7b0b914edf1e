package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpcshift/vpcshift/analyzer"
)

// globalOpts are the flags every command shares.
type globalOpts struct {
	env *Env

	projects    []string
	org         string
	folder      string
	regions     []string
	format      string
	noColor     bool
	verbose     bool
	logFile     string
	prices      string
	currency    string
	failOn      string
	demo        string
	emulator    string
	concurrency int
	usageWindow time.Duration
	report      bool
	allowApply  bool
	subnets     []string
	dnsQueries  int64
}

const demoDefault = "startup"

const rootLong = `vpcshift finds the Serverless VPC Access connectors and Cloud NAT gateways
that your Cloud Run services, jobs, worker pools, functions and App Engine
apps pay for, prices them, and moves them to the pattern Google now
recommends: Direct VPC egress with PRIVATE_RANGES_ONLY, Private Google Access
on the subnet, and a private Cloud DNS zone run.app. pointing *.run.app at
199.36.153.8/30 (about $0.20 a month).

It is read-only unless you run 'vpcshift apply' with --yes.

Without a command, vpcshift opens the interactive terminal UI (on a
terminal); --report prints the whole analysis as JSON instead.

Scope: --project (repeatable; default CLOUDSDK_CORE_PROJECT, then the gcloud
configuration), --org or --folder for every project below them, --regions to
narrow the regions listed.

Credentials: Application Default Credentials (run
'gcloud auth application-default login'). No account? Try --demo: every
command then runs against a built-in emulator of the Google APIs, seeded
with a sample estate.`

const rootExample = `  # the interactive UI on the built-in demo estate (no Google account needed)
  vpcshift --demo

  # the whole analysis as JSON, for a pipeline
  vpcshift --project acme-prod --report > report.json

  # what exists, as a table
  vpcshift inventory --project acme-prod

  # costs and savings as Markdown, failing CI when savings exceed $50/month
  vpcshift report --format markdown --fail-on-savings 50

  # a staged migration runbook, then execute it stage by stage
  vpcshift plan -o plan.json && vpcshift plan render plan.json --format markdown
  vpcshift apply plan.json            # dry run
  vpcshift apply plan.json --yes      # for real`

func newRoot(env *Env) *cobra.Command {
	o := &globalOpts{env: env}
	root := &cobra.Command{
		Use:           "vpcshift",
		Short:         "Find, price and migrate Cloud Run VPC connectors and Cloud NAT to Direct VPC egress",
		Long:          rootLong,
		Example:       rootExample,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       env.Version,
		Args:          cobra.NoArgs,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return o.validate()
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.report {
				return runReportJSON(cmd.Context(), o)
			}
			if !env.OutTTY || !env.InTTY {
				return usageError("no terminal for the interactive UI: use --report for JSON, or a command such as 'vpcshift inventory' or 'vpcshift report'")
			}
			return runTUI(cmd.Context(), o)
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err}
	})
	f := root.PersistentFlags()
	f.StringArrayVarP(&o.projects, "project", "p", nil, "project ID to inventory (repeatable; default: CLOUDSDK_CORE_PROJECT, then the gcloud config)")
	f.StringVar(&o.org, "org", "", "organisation ID: inventory every project below it (uses Cloud Asset Inventory)")
	f.StringVar(&o.folder, "folder", "", "folder ID: inventory every project below it (uses Cloud Asset Inventory)")
	f.StringSliceVar(&o.regions, "regions", nil, "only these regions, comma-separated (default: every region that holds resources)")
	f.StringVarP(&o.format, "format", "f", "", "output format of the command (see each command's help)")
	f.BoolVar(&o.noColor, "no-color", false, "no colour in output (also NO_COLOR=1)")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "log API calls and decisions to stderr (to --log FILE in the UI)")
	f.StringVar(&o.logFile, "log", "", "write logs to FILE")
	f.StringVar(&o.prices, "prices", "snapshot", "price source: snapshot (embedded, dated) or live (Cloud Billing Catalog API)")
	f.StringVar(&o.currency, "currency", "USD", "currency for live prices (ISO 4217)")
	f.StringVar(&o.failOn, "fail-on-savings", "", "exit 3 when monthly savings exceed AMOUNT (for CI gates)")
	f.StringVar(&o.demo, "demo", "", "run against the built-in emulator seeded with FILE or a named scenario (startup, enterprise, migrated, empty); --demo alone uses startup")
	f.Lookup("demo").NoOptDefVal = demoDefault
	f.StringVar(&o.emulator, "emulator", "", "host:port of a running 'vpcshift emulator' (also VPCSHIFT_EMULATOR_HOST)")
	f.IntVar(&o.concurrency, "concurrency", 16, "API calls in flight at once")
	f.DurationVar(&o.usageWindow, "usage-window", 30*24*time.Hour, "how far back to read usage from Cloud Monitoring")
	f.Int64Var(&o.dnsQueries, "dns-queries", analyzer.DefaultDNSQueriesPerZoneMonth, "queries a month assumed per new run.app. zone, for its cost (Cloud Monitoring does not count private-zone queries)")
	f.StringArrayVar(&o.subnets, "subnet", nil, "REGION=SUBNET to use for Direct VPC egress in a region (repeatable)")
	root.Flags().BoolVar(&o.report, "report", false, "print the whole analysis as JSON on stdout and exit (non-interactive)")
	root.Flags().BoolVar(&o.allowApply, "allow-apply", false, "let the UI apply a migration (read-only otherwise)")

	root.AddCommand(
		newInventoryCmd(o),
		newReportCmd(o),
		newPlanCmd(o),
		newApplyCmd(o),
		newRollbackCmd(o),
		newPricesCmd(o),
		newEmulatorCmd(o),
	)
	return root
}

// validate checks flag combinations before any command runs.
func (o *globalOpts) validate() error {
	if o.org != "" && o.folder != "" {
		return usageError("--org and --folder cannot be used together")
	}
	switch o.prices {
	case "snapshot", "live":
	default:
		return usageError("--prices must be snapshot or live, not %q", o.prices)
	}
	if len(o.currency) != 3 || strings.ToUpper(o.currency) != o.currency {
		return usageError("--currency must be an ISO 4217 code such as USD or EUR, not %q", o.currency)
	}
	if o.concurrency < 1 || o.concurrency > 256 {
		return usageError("--concurrency must be between 1 and 256, not %d", o.concurrency)
	}
	if o.usageWindow < time.Hour || o.usageWindow > 6*7*24*time.Hour {
		return usageError("--usage-window must be between 1h and 6 weeks (Cloud Monitoring keeps 6 weeks of data), not %s", o.usageWindow)
	}
	if o.dnsQueries < 0 {
		return usageError("--dns-queries must not be negative, not %d", o.dnsQueries)
	}
	if o.demo != "" && o.emulator != "" {
		return usageError("--demo and --emulator cannot be used together")
	}
	for _, s := range o.subnets {
		if k, v, ok := strings.Cut(s, "="); !ok || k == "" || v == "" {
			return usageError("--subnet wants REGION=SUBNET, not %q", s)
		}
	}
	return nil
}

// colour reports whether output to a terminal may use colour.
func (o *globalOpts) colour(tty bool) bool {
	if o.noColor || o.env.Getenv("NO_COLOR") != "" || o.env.Getenv("TERM") == "dumb" {
		return false
	}
	return tty
}
