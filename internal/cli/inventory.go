package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

// collect runs the inventory for the session's scope, with progress on a
// terminal's stderr.
func (o *globalOpts) collect(ctx context.Context, s *session) (*inventory.Snapshot, error) {
	pr := newProgress(o.env.Err, o.env.ErrTTY, o.verbose)
	if o.logFile != "" {
		f, err := os.OpenFile(o.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, usageError("--log: %v", err)
		}
		defer f.Close()
		pr.log = f
	}
	snap, err := s.clients.Collect(ctx, gcp.CollectOptions{
		Projects:    s.projects,
		Org:         o.org,
		Folder:      o.folder,
		Regions:     o.regions,
		Concurrency: o.concurrency,
		UsageWindow: o.usageWindow,
		Now:         o.env.Now(),
		Progress:    pr.Event,
	})
	pr.Close()
	if err != nil {
		if errors.Is(err, gcp.ErrNothingRead) {
			hint := "check the credentials and grant roles/viewer (or the per-API viewer roles) on the project"
			if snap != nil {
				for _, c := range snap.Coverage {
					if c.Fix != "" {
						hint = c.Fix
						break
					}
				}
			}
			return nil, &ExitError{Code: ExitCredentials, Err: err, Hint: hint}
		}
		return nil, err
	}
	return snap, nil
}

func newInventoryCmd(o *globalOpts) *cobra.Command {
	return &cobra.Command{
		Use:   "inventory",
		Short: "List connectors, their consumers, Cloud NAT, subnets and DNS (no prices)",
		Long: `List what the projects in scope run: Serverless VPC Access connectors, every
consumer (Cloud Run services, jobs and worker pools, functions of both
generations, App Engine standard versions) with its egress and ingress,
Cloud NAT gateways, subnets with Private Google Access, routes and DNS zones,
and what could not be read (coverage).

Formats: table (default), json (the inventory snapshot), csv (one row per
resource).`,
		Example: `  vpcshift inventory --project acme-prod
  vpcshift inventory --demo=enterprise --format json | jq '.consumers[] | select(.connector != null)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format := o.format
			if format == "" {
				format = "table"
			}
			switch format {
			case "table", "json", "csv":
			default:
				return usageError("--format for inventory must be table, json or csv, not %q", format)
			}
			s, err := o.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			snap, err := o.collect(cmd.Context(), s)
			if err != nil {
				return err
			}
			switch format {
			case "json":
				return snap.Write(o.env.Out)
			case "csv":
				return inventoryCSV(o.env.Out, snap)
			}
			return inventoryTable(o.env.Out, snap)
		},
	}
}

func inventoryTable(w io.Writer, s *inventory.Snapshot) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	section := func(title string, n int) {
		fmt.Fprintf(tw, "\n%s (%d)\n", title, n)
	}
	fmt.Fprintf(tw, "Projects: %s\n", projectList(s))
	section("CONNECTORS", len(s.Connectors))
	if len(s.Connectors) > 0 {
		fmt.Fprintln(tw, "NAME\tPROJECT\tREGION\tNETWORK\tMACHINE\tMIN\tMAX\tOBSERVED\tCONSUMERS")
		for _, c := range s.Connectors {
			obs := "-"
			if c.Usage != nil && c.Usage.MaxInstances > 0 {
				obs = strconv.Itoa(c.Usage.MaxInstances)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%d\n", c.Name, c.Project, c.Region, c.NetworkProject+"/"+c.Network, c.MachineType, c.MinInstances, c.MaxInstances, obs, len(s.ConsumersOf(c.ID)))
		}
	}
	section("CONSUMERS", len(s.Consumers))
	if len(s.Consumers) > 0 {
		fmt.Fprintln(tw, "NAME\tKIND\tPROJECT\tREGION\tCONNECTOR\tDIRECT VPC\tEGRESS\tINGRESS\tPUBLIC")
		for _, c := range s.Consumers {
			dv := "-"
			if c.DirectVPC != nil {
				dv = inventory.LastSegment(c.DirectVPC.Subnetwork)
				if dv == "" {
					dv = inventory.LastSegment(c.DirectVPC.Network)
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.Kind, c.Project, c.Region, dash(inventory.LastSegment(c.Connector)), dv, dash(c.Egress), dash(c.Ingress), yesNo(c.Public))
		}
	}
	section("CLOUD NAT", len(s.NATs))
	if len(s.NATs) > 0 {
		fmt.Fprintln(tw, "NAME\tROUTER\tPROJECT\tREGION\tNETWORK\tSOURCES\tVMS WITH NAT\tGIB PROCESSED")
		for _, n := range s.NATs {
			vms, gib := "?", "-"
			if n.Status != nil {
				vms = strconv.Itoa(n.Status.VMEndpointsWithNATMappings)
			}
			if n.Usage != nil {
				gib = fmt.Sprintf("%.1f", float64(n.Usage.BytesSent+n.Usage.BytesReceived)/(1<<30))
			}
			src := n.SourceSubnetworkIPRangesToNat
			if len(n.Subnetworks) > 0 {
				src += ": " + strings.Join(n.Subnetworks, ",")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.Router, n.Project, n.Region, n.Network, src, vms, gib)
		}
	}
	section("SUBNETS", len(s.Subnets))
	if len(s.Subnets) > 0 {
		fmt.Fprintln(tw, "NAME\tPROJECT\tREGION\tNETWORK\tRANGE\tPGA\tUSED BY")
		for _, n := range s.Subnets {
			used := make([]string, 0, len(n.UsedBy))
			for _, u := range n.UsedBy {
				used = append(used, inventory.LastSegment(u))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.Project, n.Region, n.Network, n.IPCIDRRange, yesNo(n.PrivateIPGoogleAccess), dash(strings.Join(used, ",")))
		}
	}
	section("ROUTES TO GOOGLE APIS AND THE INTERNET", countRoutes(s))
	for _, r := range s.Routes {
		if r.NextHopGateway == "" {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Project, r.Network, r.DestRange, r.NextHopGateway)
	}
	section("DNS ZONES", len(s.DNSZones))
	for _, z := range s.DNSZones {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", z.Name, z.Project, z.DNSName, z.Visibility, dash(strings.Join(z.Networks, ",")))
	}
	if len(s.ResponsePolicies) > 0 {
		section("DNS RESPONSE POLICIES", len(s.ResponsePolicies))
		for _, p := range s.ResponsePolicies {
			var names []string
			for _, r := range p.Rules {
				names = append(names, r.DNSName)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, p.Project, strings.Join(p.Networks, ","), strings.Join(names, ","))
		}
	}
	var gaps []inventory.Coverage
	for _, c := range s.Coverage {
		if c.Status != inventory.CoverageOK {
			gaps = append(gaps, c)
		}
	}
	section("COVERAGE GAPS", len(gaps))
	for _, c := range gaps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Project, c.API, c.Detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, c := range gaps {
		fmt.Fprintf(w, "  %s %s leaves out: %s\n", c.Project, c.API, c.LeavesOut)
		if c.Fix != "" {
			fmt.Fprintf(w, "    fix: %s\n", c.Fix)
		}
	}
	return nil
}

func countRoutes(s *inventory.Snapshot) int {
	n := 0
	for _, r := range s.Routes {
		if r.NextHopGateway != "" {
			n++
		}
	}
	return n
}

func inventoryCSV(w io.Writer, s *inventory.Snapshot) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"type", "id", "project", "region", "name", "network", "connector", "egress", "ingress", "detail"})
	for _, c := range s.Connectors {
		_ = cw.Write([]string{"connector", c.ID, c.Project, c.Region, c.Name, c.NetworkProject + "/" + c.Network, "", "", "", fmt.Sprintf("%s min=%d max=%d", c.MachineType, c.MinInstances, c.MaxInstances)})
	}
	for _, c := range s.Consumers {
		nw := ""
		if c.DirectVPC != nil {
			nw = c.DirectVPC.Network
		}
		_ = cw.Write([]string{string(c.Kind), c.ID, c.Project, c.Region, c.Name, nw, c.Connector, c.Egress, c.Ingress, ""})
	}
	for _, n := range s.NATs {
		_ = cw.Write([]string{"nat", n.ID, n.Project, n.Region, n.Name, n.Network, "", "", "", n.SourceSubnetworkIPRangesToNat})
	}
	for _, n := range s.Subnets {
		_ = cw.Write([]string{"subnet", n.ID, n.Project, n.Region, n.Name, n.Network, "", "", "", fmt.Sprintf("%s pga=%t", n.IPCIDRRange, n.PrivateIPGoogleAccess)})
	}
	for _, z := range s.DNSZones {
		_ = cw.Write([]string{"dns-zone", z.ID, z.Project, "", z.Name, strings.Join(z.Networks, " "), "", "", "", z.DNSName + " " + z.Visibility})
	}
	for _, c := range s.Coverage {
		_ = cw.Write([]string{"coverage", c.API, c.Project, "", c.API, "", "", "", "", c.Status + ": " + c.Detail})
	}
	cw.Flush()
	return cw.Error()
}

func projectList(s *inventory.Snapshot) string {
	var ids []string
	for _, p := range s.Projects {
		ids = append(ids, p.ID)
	}
	sort.Strings(ids)
	return strings.Join(ids, ", ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
