package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
)

func newEmulatorCmd(o *globalOpts) *cobra.Command {
	var scenario, listen string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Serve the built-in emulator of the Google Cloud APIs on loopback",
		Long: `Serve vpcshift's emulator of the Google Cloud APIs it uses (Cloud Run v2,
Serverless VPC Access, Compute Engine, Cloud DNS, Cloud Functions, App Engine,
Cloud Billing Catalog, Cloud Asset, Cloud Monitoring) on one loopback address,
for gRPC and REST alike, seeded with a scenario file.

Point any vpcshift command at it with --emulator ADDR or
VPCSHIFT_EMULATOR_HOST=ADDR; its state lives across commands, so an 'apply'
in one command is seen by an 'inventory' in the next. It runs until
interrupted.`,
		Example: `  vpcshift emulator --scenario testdata/scenarios/startup.yaml
  VPCSHIFT_EMULATOR_HOST=127.0.0.1:PORT vpcshift inventory`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := loadScenario(scenario)
			if err != nil {
				return err
			}
			var opts []emulator.Option
			if listen != "" {
				opts = append(opts, emulator.WithListen(listen))
			}
			if verbose || o.verbose {
				opts = append(opts, emulator.WithLogf(func(format string, args ...any) {
					fmt.Fprintf(o.env.Err, format+"\n", args...)
				}))
			}
			srv, err := emulator.Start(cmd.Context(), sc, opts...)
			if err != nil {
				return err
			}
			defer srv.Close()
			info := srv.Info()
			w := o.env.Out
			fmt.Fprintf(w, "vpcshift emulator listening on %s (gRPC and REST)\n", srv.Addr)
			fmt.Fprintf(w, "  scenario: %s\n", info.Scenario)
			fmt.Fprintf(w, "  projects: %s\n", strings.Join(info.Projects, ", "))
			fmt.Fprintf(w, "  gRPC endpoint: %s    REST endpoint: %s\n", srv.Addr, srv.HTTPURL())
			fmt.Fprintf(w, "\nIn another shell:\n  export %s=%s\n  vpcshift inventory\n", gcp.EmulatorEnv, srv.Addr)
			<-cmd.Context().Done()
			fmt.Fprintln(o.env.Err, "vpcshift emulator: stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&scenario, "scenario", demoDefault, "scenario file, or the name of a built-in scenario ("+strings.Join(builtinScenarios(), ", ")+")")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "address to listen on (port 0: any free port)")
	cmd.Flags().BoolVar(&verbose, "log-calls", false, "log every API call to stderr")
	return cmd
}
