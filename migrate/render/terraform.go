package render

import (
	"fmt"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"io"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/vpcshift/vpcshift/migrate"
)

// Terraform writes the target state as HCL (built with hclwrite and
// formatted): the resources vpcshift creates (the VIP route, the run.app.
// zone and its records) as resource blocks, and what changes in resources
// that already live in your configuration (Private Google Access on the
// subnets, the vpc_access of each consumer, the connectors and NAT
// gateways to remove) as commented blocks to merge by hand.
//
// Attribute names follow the google provider's documentation,
// hashicorp/terraform-provider-google website/docs/r/:
// compute_route (name, network, dest_range, next_hop_gateway, priority),
// dns_managed_zone (dns_name, visibility, private_visibility_config.networks.network_url),
// dns_record_set (managed_zone, name, type, ttl, rrdatas),
// compute_subnetwork (private_ip_google_access),
// cloud_run_v2_service, cloud_run_v2_job and cloud_run_v2_worker_pool
// (template[.template].vpc_access { network_interfaces { network,
// subnetwork, tags }, egress }),
// cloudfunctions2_function (service_config.direct_vpc_network_interface,
// service_config.direct_vpc_egress; provider 7.21.0 or later),
// vpc_access_connector, compute_router_nat (subnetwork { name }).
func Terraform(w io.Writer, p *migrate.Plan) error {
	f := hclwrite.NewEmptyFile()
	b := f.Body()
	t := &tfWriter{body: b, names: map[string]int{}}
	t.comment(
		"vpcshift migration plan: the target state in Terraform (google provider).",
		fmt.Sprintf("Plan made %s from inventory %s of %s.", p.CreatedAt.UTC().Format(time.RFC3339), p.Source.Fingerprint, strings.Join(p.Source.Projects, ", ")),
		"Resource blocks are what vpcshift creates; commented blocks change resources your configuration already has (merge them by hand).",
		"Order matters: network and DNS first, then each consumer (services through the runbook's canary: a plain apply moves 100% of traffic at once), then the removals after the soak.",
		"Attribute names: the google provider's documentation (hashicorp/terraform-provider-google website/docs/r/); direct_vpc_* of google_cloudfunctions2_function needs provider 7.21.0 or later.",
	)
	if p.Stopped() {
		t.comment("This plan stops at blockers (see the Markdown runbook): resolve them and make a new plan before applying any of this.")
	}
	for i := range p.Stages {
		st := &p.Stages[i]
		var wrote bool
		for j := range st.Steps {
			s := &st.Steps[j]
			if !t.hasOutput(s) {
				continue
			}
			if !wrote {
				b.AppendNewline()
				t.comment(strings.Repeat("-", 72), fmt.Sprintf("%s: %s", st.Title, st.Description), strings.Repeat("-", 72))
				wrote = true
			}
			t.step(s)
		}
	}
	out := hclwrite.Format(f.Bytes())
	_, err := w.Write(out)
	return err
}

type tfWriter struct {
	body  *hclwrite.Body
	names map[string]int
}

// comment appends comment lines (each made one line, so nothing in a
// name can end the comment).
func (t *tfWriter) comment(lines ...string) {
	var toks hclwrite.Tokens
	for _, l := range lines {
		for _, wl := range wrap(oneLine(l), 76) {
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte(strings.TrimRight("# "+wl, " ") + "\n")})
		}
	}
	t.body.AppendUnstructuredTokens(toks)
}

// commentedBlock appends an HCL snippet as comment lines, indented.
func (t *tfWriter) commentedBlock(build func(*hclwrite.Body)) {
	f := hclwrite.NewEmptyFile()
	build(f.Body())
	var toks hclwrite.Tokens
	toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte("#\n")})
	for _, l := range strings.Split(strings.TrimRight(string(hclwrite.Format(f.Bytes())), "\n"), "\n") {
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte(strings.TrimRight("#   "+l, " ") + "\n")})
	}
	toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte("#\n")})
	t.body.AppendUnstructuredTokens(toks)
}

// label makes a unique Terraform name from parts.
func (t *tfWriter) label(parts ...string) string {
	name := ident(parts...)
	t.names[name]++
	if n := t.names[name]; n > 1 {
		name = fmt.Sprintf("%s_%d", name, n)
	}
	return name
}

// ident makes a Terraform identifier from parts: lower-case letters,
// digits and underscores, starting with a letter.
func ident(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		for _, r := range strings.ToLower(p) {
			if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
	}
	name := b.String()
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		name = "r_" + name
	}
	return name
}

func (t *tfWriter) hasOutput(s *migrate.Step) bool {
	switch s.Action {
	case migrate.ActionSetPGA, migrate.ActionCreateRoute, migrate.ActionCreateZone, migrate.ActionDeployRevision,
		migrate.ActionUpdateJob, migrate.ActionUpdateWorkerPool, migrate.ActionUpdateFunction,
		migrate.ActionDeleteConnector, migrate.ActionRemoveNAT, migrate.ActionRemoveNATSubnets:
		return true
	}
	return false
}

func str(v string) cty.Value { return cty.StringVal(v) }

func strList(vs []string) cty.Value {
	if len(vs) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	out := make([]cty.Value, len(vs))
	for i, v := range vs {
		out[i] = cty.StringVal(v)
	}
	return cty.ListVal(out)
}

func (t *tfWriter) step(s *migrate.Step) {
	b := t.body
	p := s.Params
	switch s.Action {
	case migrate.ActionSetPGA:
		b.AppendNewline()
		t.comment(fmt.Sprintf("Private Google Access on subnet %s (%s, %s): in its google_compute_subnetwork, set", p.Subnet, s.Project, s.Region))
		t.commentedBlock(func(body *hclwrite.Body) {
			body.SetAttributeValue("private_ip_google_access", cty.True)
		})
	case migrate.ActionCreateRoute:
		b.AppendNewline()
		t.comment(s.Title + ".")
		r := b.AppendNewBlock("resource", []string{"google_compute_route", t.label(p.RouteName)}).Body()
		r.SetAttributeValue("project", str(s.Project))
		r.SetAttributeValue("name", str(p.RouteName))
		r.SetAttributeValue("network", str(p.Network))
		r.SetAttributeValue("dest_range", str(p.DestRange))
		r.SetAttributeValue("next_hop_gateway", str(p.NextHopGateway))
		r.SetAttributeValue("priority", cty.NumberIntVal(int64(p.Priority)))
		r.SetAttributeValue("description", str("vpcshift: reach private.googleapis.com (199.36.153.8/30) for *.run.app"))
	case migrate.ActionCreateZone:
		b.AppendNewline()
		t.comment(s.Title + ".")
		zl := t.label(p.ZoneName, s.Project)
		z := b.AppendNewBlock("resource", []string{"google_dns_managed_zone", zl}).Body()
		z.SetAttributeValue("project", str(s.Project))
		z.SetAttributeValue("name", str(p.ZoneName))
		z.SetAttributeValue("dns_name", str(p.DNSName))
		z.SetAttributeValue("description", str(p.Description))
		z.SetAttributeValue("visibility", str("private"))
		pvc := z.AppendNewBlock("private_visibility_config", nil).Body()
		for _, n := range p.Networks {
			proj, name, _ := strings.Cut(n, "/")
			pvc.AppendNewBlock("networks", nil).Body().SetAttributeValue("network_url",
				str("https://www.googleapis.com/compute/v1/projects/"+proj+"/global/networks/"+name))
		}
		for _, rec := range p.Records {
			b.AppendNewline()
			typ := strings.ToLower(rec.Type)
			r := b.AppendNewBlock("resource", []string{"google_dns_record_set", t.label(zl, "wildcard", typ)}).Body()
			r.SetAttributeValue("project", str(s.Project))
			r.SetAttributeTraversal("managed_zone", hcl.Traversal{
				hcl.TraverseRoot{Name: "google_dns_managed_zone"}, hcl.TraverseAttr{Name: zl}, hcl.TraverseAttr{Name: "name"}})
			r.SetAttributeValue("name", str(rec.Name))
			r.SetAttributeValue("type", str(rec.Type))
			r.SetAttributeValue("ttl", cty.NumberIntVal(int64(rec.TTL)))
			r.SetAttributeValue("rrdatas", strList(rec.RRDatas))
		}
	case migrate.ActionDeployRevision, migrate.ActionUpdateJob, migrate.ActionUpdateWorkerPool:
		b.AppendNewline()
		kinds := map[migrate.Action][2]string{
			migrate.ActionDeployRevision:   {"google_cloud_run_v2_service", "template.vpc_access"},
			migrate.ActionUpdateJob:        {"google_cloud_run_v2_job", "template.template.vpc_access"},
			migrate.ActionUpdateWorkerPool: {"google_cloud_run_v2_worker_pool", "template.vpc_access"},
		}[s.Action]
		t.comment(fmt.Sprintf("%s %s: in its %s, make %s this (and drop connector: one and only one of connector and network_interfaces):",
			s.Kind, s.Resource, kinds[0], kinds[1]))
		t.commentedBlock(func(body *hclwrite.Body) {
			tmpl := body.AppendNewBlock("template", nil).Body()
			if s.Action == migrate.ActionUpdateJob {
				tmpl = tmpl.AppendNewBlock("template", nil).Body()
			}
			va := tmpl.AppendNewBlock("vpc_access", nil).Body()
			ni := va.AppendNewBlock("network_interfaces", nil).Body()
			ni.SetAttributeValue("network", str(p.Network))
			ni.SetAttributeValue("subnetwork", str(p.Subnetwork))
			if len(p.NetworkTags) > 0 {
				ni.SetAttributeValue("tags", strList(p.NetworkTags))
			}
			va.SetAttributeValue("egress", str("PRIVATE_RANGES_ONLY"))
		})
		if s.Action == migrate.ActionDeployRevision {
			t.comment(fmt.Sprintf("Roll it out as the runbook does: revision %s with no traffic under tag %s, then traffic %s; a plain terraform apply sends 100%% at once.",
				p.Revision, p.Tag, "in steps"))
		}
	case migrate.ActionUpdateFunction:
		b.AppendNewline()
		t.comment(fmt.Sprintf("function %s: in its google_cloudfunctions2_function (provider 7.21.0 or later), remove service_config.vpc_connector and vpc_connector_egress_settings, and add:", s.Resource))
		t.commentedBlock(func(body *hclwrite.Body) {
			sc := body.AppendNewBlock("service_config", nil).Body()
			ni := sc.AppendNewBlock("direct_vpc_network_interface", nil).Body()
			ni.SetAttributeValue("network", str(p.Network))
			ni.SetAttributeValue("subnetwork", str(p.Subnetwork))
			if len(p.NetworkTags) > 0 {
				ni.SetAttributeValue("tags", strList(p.NetworkTags))
			}
			sc.SetAttributeValue("direct_vpc_egress", str("VPC_EGRESS_PRIVATE_RANGES_ONLY"))
		})
	case migrate.ActionDeleteConnector:
		b.AppendNewline()
		name := inventory.LastSegment(p.Connector)
		t.comment(fmt.Sprintf("Connector %s (%s): remove its google_vpc_access_connector from your configuration after the soak; terraform apply then deletes it. If vpcshift or the script deleted it already, forget it instead (adjust the address):", name, p.Connector))
		t.commentedBlock(func(body *hclwrite.Body) {
			r := body.AppendNewBlock("removed", nil).Body()
			r.SetAttributeTraversal("from", hcl.Traversal{hcl.TraverseRoot{Name: "google_vpc_access_connector"}, hcl.TraverseAttr{Name: ident(name)}})
			r.AppendNewBlock("lifecycle", nil).Body().SetAttributeValue("destroy", cty.False)
		})
	case migrate.ActionRemoveNAT:
		b.AppendNewline()
		t.comment(fmt.Sprintf("Cloud NAT %s on router %s (%s, %s): remove its google_compute_router_nat once nothing else needs it (vpcshift apply: --allow-nat-removal). If it is already gone, forget it (adjust the address):", p.NAT, p.Router, s.Project, s.Region))
		t.commentedBlock(func(body *hclwrite.Body) {
			r := body.AppendNewBlock("removed", nil).Body()
			r.SetAttributeTraversal("from", hcl.Traversal{hcl.TraverseRoot{Name: "google_compute_router_nat"}, hcl.TraverseAttr{Name: ident(p.NAT)}})
			r.AppendNewBlock("lifecycle", nil).Body().SetAttributeValue("destroy", cty.False)
		})
	case migrate.ActionRemoveNATSubnets:
		b.AppendNewline()
		t.comment(fmt.Sprintf("Cloud NAT %s on router %s (%s, %s): in its google_compute_router_nat (source_subnetwork_ip_ranges_to_nat = \"LIST_OF_SUBNETWORKS\"), delete the subnetwork blocks of %s and keep those of %s:",
			p.NAT, p.Router, s.Project, s.Region, strings.Join(p.RemoveSubnets, ", "), strings.Join(p.KeepSubnets, ", ")))
		t.commentedBlock(func(body *hclwrite.Body) {
			for _, k := range p.KeepSubnets {
				sb := body.AppendNewBlock("subnetwork", nil).Body()
				sb.SetAttributeValue("name", str("projects/"+s.Project+"/regions/"+s.Region+"/subnetworks/"+k))
				sb.SetAttributeValue("source_ip_ranges_to_nat", strList([]string{"ALL_IP_RANGES"}))
			}
		})
	}
}
