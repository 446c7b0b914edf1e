package cli

import (
	"github.com/spf13/cobra"
)

func newApplyCmd(o *globalOpts) *cobra.Command {
	return &cobra.Command{Use: "apply PLAN", Short: "Execute a saved plan (dry run unless --yes)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return notYet("vpcshift apply") }}
}

func newRollbackCmd(o *globalOpts) *cobra.Command {
	return &cobra.Command{Use: "rollback PLAN", Short: "Undo what a plan's journal recorded", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return notYet("vpcshift rollback") }}
}
