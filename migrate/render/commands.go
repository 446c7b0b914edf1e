// Package render turns a migrate.Plan into the formats people review and
// run: a Markdown runbook, a gcloud shell script, Terraform (HCL) and the
// plan's own JSON. Each renderer is func(io.Writer, *migrate.Plan) error
// and works from the decoded plan only: it never calls Google Cloud and
// never computes a cost.
package render

import (
	"fmt"
	"strings"

	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/migrate"
)

// The gcloud commands of each step, shared by the Markdown runbook and
// the shell script. Flags are the documented ones (gcloud reference,
// read 2026-11):
//   - gcloud run services update: --network --subnet --network-tags
//     --vpc-egress --clear-vpc-connector --no-traffic --tag
//     --revision-suffix (cloud.google.com/sdk/gcloud/reference/run/services/update)
//   - gcloud run services update-traffic: --to-tags TAG=PERCENT,
//     --to-latest, --to-revisions REV=PERCENT (…/run/services/update-traffic)
//   - gcloud run jobs update: --clear-vpc-connector, [--clear-network |
//     --network --subnet --network-tags], --vpc-egress (…/run/jobs/update)
//   - gcloud run worker-pools update: --vpc-egress and the network group;
//     it has no --vpc-connector/--clear-vpc-connector (…/run/worker-pools/update)
//   - gcloud functions deploy: --network --subnet --network-tags
//     --direct-vpc-egress=private-ranges-only (the default is all)
//     (docs.cloud.google.com/functions/docs/running/direct-vpc)
//   - gcloud compute networks subnets update --enable-private-ip-google-access
//   - gcloud compute routes create --network --destination-range
//     --next-hop-gateway=default-internet-gateway --priority
//   - gcloud dns managed-zones create --dns-name --visibility=private
//     --networks --description (…/dns/managed-zones/create)
//   - gcloud dns record-sets create NAME --type --ttl --rrdatas --zone
//   - gcloud compute networks vpc-access connectors delete --quiet
//   - gcloud compute routers nats delete / update
//     --nat-custom-subnet-ip-ranges=SUBNET,… (…/compute/routers/nats/update)

// guardKind says how a guard's describe command tells that an operation
// is already done.
type guardKind int

const (
	doneIfSucceeds  guardKind = iota // the describe succeeds: it exists
	doneIfFails                      // the describe fails: it is gone
	doneIfEquals                     // the describe prints exactly value[0]
	doneIfLine                       // a line of the output is exactly value[0]
	doneIfContains                   // the output contains value[0]
	doneUnlessFound                  // the output contains none of value
)

type guard struct {
	argv  []string
	kind  guardKind
	value []string
}

// sourceDir stands, in a gcloud functions deploy command, for the
// function's source directory (the script takes it from an environment
// variable; the runbook prints SOURCE_DIR).
const sourceDir = "\x00SOURCE_DIR"

// op is one change a step makes, with the guard that tells it is done.
type op struct {
	guard *guard
	argv  []string
	// sourceEnv names the environment variable that holds the source
	// directory of a function (argv holds sourceDir).
	sourceEnv string
}

// region returns the --region flag of a step.
func region(s *migrate.Step) []string { return []string{"--region", s.Region, "--project", s.Project} }

// networkArgs are the --network/--subnet/--network-tags flags: names in
// the consumer's own project, full resource names for a Shared VPC host's
// (gcp-facts §2.1).
func networkArgs(s *migrate.Step) []string {
	p := s.Params
	net, sub := p.Network, p.Subnetwork
	if inventory.NameSegment(p.Subnetwork, "projects") == s.Project {
		net, sub = inventory.LastSegment(net), inventory.LastSegment(sub)
	}
	args := []string{"--network", net, "--subnet", sub}
	if len(p.NetworkTags) > 0 {
		args = append(args, "--network-tags", strings.Join(p.NetworkTags, ","))
	}
	return args
}

func consumerName(s *migrate.Step) string { return inventory.LastSegment(s.Resource) }

// ops lists the changes of a step (none for checks, validations, soaks
// and manual steps, which the renderers present in words).
func ops(s *migrate.Step) []op {
	p := s.Params
	switch s.Action {
	case migrate.ActionSetPGA:
		return []op{{
			guard: &guard{argv: append(append([]string{"gcloud", "compute", "networks", "subnets", "describe", p.Subnet}, region(s)...), "--format", "value(privateIpGoogleAccess)"), kind: doneIfEquals, value: []string{"True"}},
			argv:  append(append([]string{"gcloud", "compute", "networks", "subnets", "update", p.Subnet}, region(s)...), "--enable-private-ip-google-access"),
		}}
	case migrate.ActionCreateRoute:
		return []op{{
			guard: &guard{argv: []string{"gcloud", "compute", "routes", "describe", p.RouteName, "--project", s.Project, "--format", "value(name)"}, kind: doneIfSucceeds},
			argv: []string{"gcloud", "compute", "routes", "create", p.RouteName, "--project", s.Project, "--network", inventory.LastSegment(p.Network),
				"--destination-range", p.DestRange, "--next-hop-gateway", p.NextHopGateway, "--priority", fmt.Sprint(p.Priority),
				"--description", "vpcshift: reach private.googleapis.com (199.36.153.8/30) for *.run.app"},
		}}
	case migrate.ActionCreateZone:
		var nets []string
		for _, n := range p.Networks {
			proj, name, _ := strings.Cut(n, "/")
			if proj == s.Project {
				nets = append(nets, name)
			} else {
				nets = append(nets, "https://www.googleapis.com/compute/v1/projects/"+proj+"/global/networks/"+name)
			}
		}
		out := []op{{
			guard: &guard{argv: []string{"gcloud", "dns", "managed-zones", "describe", p.ZoneName, "--project", s.Project, "--format", "value(name)"}, kind: doneIfSucceeds},
			argv: []string{"gcloud", "dns", "managed-zones", "create", p.ZoneName, "--project", s.Project, "--dns-name", p.DNSName,
				"--visibility", "private", "--networks", strings.Join(nets, ","), "--description", p.Description},
		}}
		for _, r := range p.Records {
			out = append(out, op{
				guard: &guard{argv: []string{"gcloud", "dns", "record-sets", "describe", r.Name, "--type", r.Type, "--zone", p.ZoneName, "--project", s.Project, "--format", "value(name)"}, kind: doneIfSucceeds},
				argv: []string{"gcloud", "dns", "record-sets", "create", r.Name, "--type", r.Type, "--ttl", fmt.Sprint(r.TTL),
					"--rrdatas", strings.Join(r.RRDatas, ","), "--zone", p.ZoneName, "--project", s.Project},
			})
		}
		return out
	case migrate.ActionDeployRevision:
		name := consumerName(s)
		args := append([]string{"gcloud", "run", "services", "update", name}, region(s)...)
		args = append(args, networkArgs(s)...)
		args = append(args, "--vpc-egress", "private-ranges-only", "--clear-vpc-connector", "--no-traffic", "--tag", p.Tag,
			"--revision-suffix", strings.TrimPrefix(p.Revision, name+"-"))
		return []op{{
			guard: &guard{argv: append(append([]string{"gcloud", "run", "revisions", "describe", p.Revision}, region(s)...), "--format", "value(metadata.name)"), kind: doneIfSucceeds},
			argv:  args,
		}}
	case migrate.ActionShiftTraffic:
		name := consumerName(s)
		describe := append([]string{"gcloud", "run", "services", "describe", name}, region(s)...)
		if latest(p.Traffic) {
			return []op{{
				guard: &guard{argv: append(describe, "--flatten", "status.traffic[]", "--format", "csv[no-heading](status.traffic.latestRevision,status.traffic.percent)"), kind: doneIfLine, value: []string{"True,100"}},
				argv:  append(append([]string{"gcloud", "run", "services", "update-traffic", name}, region(s)...), "--to-latest"),
			}}
		}
		return []op{{
			guard: &guard{argv: append(describe, "--flatten", "status.traffic[]", "--format", "csv[no-heading](status.traffic.tag,status.traffic.percent)"), kind: doneIfLine, value: []string{fmt.Sprintf("%s,%d", p.Tag, p.Percent)}},
			argv:  append(append([]string{"gcloud", "run", "services", "update-traffic", name}, region(s)...), "--to-tags", fmt.Sprintf("%s=%d", p.Tag, p.Percent)),
		}}
	case migrate.ActionUpdateJob:
		name := consumerName(s)
		args := append(append([]string{"gcloud", "run", "jobs", "update", name}, region(s)...), networkArgs(s)...)
		args = append(args, "--vpc-egress", "private-ranges-only", "--clear-vpc-connector")
		return []op{{
			guard: &guard{argv: append(append([]string{"gcloud", "run", "jobs", "describe", name}, region(s)...), "--format", "json"), kind: doneIfContains, value: []string{"run.googleapis.com/network-interfaces"}},
			argv:  args,
		}}
	case migrate.ActionUpdateWorkerPool:
		name := consumerName(s)
		args := append(append([]string{"gcloud", "run", "worker-pools", "update", name}, region(s)...), networkArgs(s)...)
		args = append(args, "--vpc-egress", "private-ranges-only")
		return []op{{
			guard: &guard{argv: append(append([]string{"gcloud", "run", "worker-pools", "describe", name}, region(s)...), "--format", "json"), kind: doneIfContains, value: []string{"run.googleapis.com/network-interfaces"}},
			argv:  args,
		}}
	case migrate.ActionUpdateFunction:
		name := consumerName(s)
		args := append([]string{"gcloud", "functions", "deploy", name, "--gen2"}, region(s)...)
		args = append(args, "--source", sourceDir)
		args = append(args, networkArgs(s)...)
		args = append(args, "--direct-vpc-egress=private-ranges-only", "--clear-vpc-connector")
		return []op{{
			guard:     &guard{argv: append(append([]string{"gcloud", "functions", "describe", name}, region(s)...), "--format", "value(serviceConfig.directVpcEgress)"), kind: doneIfEquals, value: []string{"VPC_EGRESS_PRIVATE_RANGES_ONLY"}},
			argv:      args,
			sourceEnv: sourceEnvName(name),
		}}
	case migrate.ActionDeleteConnector:
		name := inventory.LastSegment(p.Connector)
		base := []string{"gcloud", "compute", "networks", "vpc-access", "connectors"}
		return []op{{
			guard: &guard{argv: append(append(append(base[:len(base):len(base)], "describe", name), region(s)...), "--format", "value(name)"), kind: doneIfFails},
			argv:  append(append(append(base[:len(base):len(base)], "delete", name), region(s)...), "--quiet"),
		}}
	case migrate.ActionRemoveNAT:
		return []op{{
			guard: &guard{argv: append(append([]string{"gcloud", "compute", "routers", "nats", "describe", p.NAT, "--router", p.Router}, region(s)...), "--format", "value(name)"), kind: doneIfFails},
			argv:  append(append([]string{"gcloud", "compute", "routers", "nats", "delete", p.NAT, "--router", p.Router}, region(s)...), "--quiet"),
		}}
	case migrate.ActionRemoveNATSubnets:
		var listed []string
		for _, sn := range p.RemoveSubnets {
			listed = append(listed, "/subnetworks/"+sn)
		}
		return []op{{
			guard: &guard{argv: append(append([]string{"gcloud", "compute", "routers", "nats", "describe", p.NAT, "--router", p.Router}, region(s)...), "--format", "value(subnetworks[].name)"), kind: doneUnlessFound, value: listed},
			argv:  append(append([]string{"gcloud", "compute", "routers", "nats", "update", p.NAT, "--router", p.Router}, region(s)...), "--nat-custom-subnet-ip-ranges", strings.Join(p.KeepSubnets, ",")),
		}}
	}
	return nil
}

// latest reports whether a traffic split sends 100% to LATEST (the last
// traffic step).
func latest(ts []inventory.TrafficTarget) bool {
	for _, t := range ts {
		if t.Type == "LATEST" && t.Percent == 100 {
			return true
		}
	}
	return false
}

// sourceEnvName is the environment variable that holds a function's
// source directory: VPCSHIFT_SOURCE_ and the name in upper case, anything
// but letters and digits as '_'.
func sourceEnvName(fn string) string {
	var b strings.Builder
	b.WriteString("VPCSHIFT_SOURCE_")
	for _, r := range strings.ToUpper(fn) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// displayArgs are argv as a person reads it (the source directory as
// SOURCE_DIR).
func displayArgs(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a == sourceDir {
			a = "SOURCE_DIR"
		}
		out[i] = a
	}
	return out
}

// commandLine quotes argv for a shell, through the one quoting helper.
func commandLine(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = migrate.ShellQuote(a)
	}
	return strings.Join(q, " ")
}
