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

func runReportJSON(ctx context.Context, o *globalOpts) error { return notYet("vpcshift --report") }
