package cli

import (
	"github.com/spf13/cobra"
)

func newPlanCmd(o *globalOpts) *cobra.Command {
	return &cobra.Command{Use: "plan", Short: "The staged migration plan and its runbooks", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return notYet("vpcshift plan") }}
}
