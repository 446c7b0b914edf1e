package cli

import (
	"context"

	"github.com/spf13/cobra"
)

// Commands whose features have not landed answer with a clear error.

func newReportCmd(o *globalOpts) *cobra.Command {
	return &cobra.Command{Use: "report", Short: "Costs, savings and findings", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return notYet("vpcshift report") }}
}

func newPlanCmd(o *globalOpts) *cobra.Command {
	return &cobra.Command{Use: "plan", Short: "The staged migration plan and its runbooks", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return notYet("vpcshift plan") }}
}

func newApplyCmd(o *globalOpts) *cobra.Command {
	return &cobra.Command{Use: "apply PLAN", Short: "Execute a saved plan (dry run unless --yes)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return notYet("vpcshift apply") }}
}

func newRollbackCmd(o *globalOpts) *cobra.Command {
	return &cobra.Command{Use: "rollback PLAN", Short: "Undo what a plan's journal recorded", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return notYet("vpcshift rollback") }}
}

func runReportJSON(ctx context.Context, o *globalOpts) error { return notYet("vpcshift --report") }

func runTUI(ctx context.Context, o *globalOpts) error { return notYet("the interactive UI") }
