package emulator

import (
	"strconv"
	"strings"
	"testing"

	dns "google.golang.org/api/dns/v1"
)

const dnsScenario = `
projects:
  - projectId: acme-net
    projectNumber: "111111111111"
    networks:
      - name: default
    managedZones:
      - {name: corp, dnsName: corp.example.com., description: corp}
      - name: internal
        dnsName: internal.
        visibility: private
        privateVisibilityConfig:
          networks: [{networkUrl: default}]
      - {name: legacy, dnsName: legacy.example.com.}
    resourceRecordSets:
      internal:
        - {name: db.internal., type: A, ttl: 300, rrdatas: [10.0.0.5]}
        - {name: api.internal., type: A, ttl: 300, rrdatas: [10.0.0.6, 10.0.0.7]}
    policies:
      - {name: inbound, enableInboundForwarding: true, networks: [{networkUrl: default}]}
    responsePolicies:
      - {responsePolicyName: rp, networks: [{networkUrl: default}]}
    responsePolicyRules:
      rp:
        - {ruleName: run-app, dnsName: "*.run.app.", localData: {localDatas: [{name: "*.run.app.", type: A, ttl: 300, rrdatas: [199.36.153.8]}]}}
        - {ruleName: bypass, dnsName: "x.run.app.", behavior: bypassResponsePolicy}
  - projectId: acme-app
    projectNumber: "222222222222"
    networks:
      - name: app-vpc
    deniedPermissions: [dns.managedZones.create]
  - projectId: acme-off
    projectNumber: "333333333333"
    disabledApis: [dns.googleapis.com]
`

func newDNSClient(t *testing.T, srv *Server) *dns.Service {
	return newRESTService(t, srv, "/", dns.NewService)
}

func rrNames(l []*dns.ResourceRecordSet) string {
	var out []string
	for _, rr := range l {
		out = append(out, rr.Name+"/"+rr.Type)
	}
	return strings.Join(out, ",")
}

func TestDNSManagedZonesListPages(t *testing.T) {
	srv := startYAML(t, dnsScenario)
	svc := newDNSClient(t, srv)
	ctx := testCtx(t)

	var names []string
	pages := 0
	err := svc.ManagedZones.List("acme-net").MaxResults(1).Pages(ctx, func(l *dns.ManagedZonesListResponse) error {
		pages++
		for _, z := range l.ManagedZones {
			names = append(names, z.Name)
		}
		return nil
	})
	if err != nil || strings.Join(names, ",") != "corp,internal,legacy" || pages != 3 {
		t.Fatalf("got %v in %d pages, %v", names, pages, err)
	}
	l, err := svc.ManagedZones.List("acme-net").DnsName("internal.").Context(ctx).Do()
	if err != nil || len(l.ManagedZones) != 1 {
		t.Fatalf("dnsName filter: %+v %v", l, err)
	}
	z := l.ManagedZones[0]
	if z.Kind != "dns#managedZone" || z.Id == 0 || z.Visibility != "private" || z.CreationTime == "" ||
		strings.Join(z.NameServers, ",") != "ns-gcp-private.googledomains.com." ||
		z.PrivateVisibilityConfig.Networks[0].NetworkUrl != "https://www.googleapis.com/compute/v1/projects/acme-net/global/networks/default" {
		t.Fatalf("zone not normalised: %+v", z)
	}
	// Get by name and by id.
	if _, err := svc.ManagedZones.Get("acme-net", "corp").Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
	byID, err := svc.ManagedZones.Get("acme-net", strconv.FormatUint(z.Id, 10)).Context(ctx).Do()
	if err != nil || byID.Name != "internal" {
		t.Fatalf("by id: %+v %v", byID, err)
	}
	_, err = svc.ManagedZones.Get("acme-net", "nope").Context(ctx).Do()
	ge := apiErr(t, err, 404, "notFound")
	if ge.Message != "The 'parameters.managedZone' resource named 'nope' does not exist." {
		t.Fatalf("message %q", ge.Message)
	}
}

func TestDNSSeededZonesHaveApexRecords(t *testing.T) {
	srv := startYAML(t, dnsScenario)
	svc := newDNSClient(t, srv)
	ctx := testCtx(t)

	var got []*dns.ResourceRecordSet
	pages := 0
	err := svc.ResourceRecordSets.List("acme-net", "internal").MaxResults(2).Pages(ctx, func(l *dns.ResourceRecordSetsListResponse) error {
		pages++
		got = append(got, l.Rrsets...)
		return nil
	})
	if err != nil || pages != 2 {
		t.Fatalf("%d pages, %v", pages, err)
	}
	if rrNames(got) != "api.internal./A,db.internal./A,internal./NS,internal./SOA" {
		t.Fatalf("records: %s", rrNames(got))
	}
	l, err := svc.ResourceRecordSets.List("acme-net", "internal").Name("internal.").Type("SOA").Context(ctx).Do()
	if err != nil || len(l.Rrsets) != 1 || !strings.HasPrefix(l.Rrsets[0].Rrdatas[0], "ns-gcp-private.googledomains.com. cloud-dns-hostmaster.google.com. 1 ") {
		t.Fatalf("SOA: %+v %v", l, err)
	}
	pub, err := svc.ResourceRecordSets.List("acme-net", "corp").Type("NS").Name("corp.example.com.").Context(ctx).Do()
	if err != nil || len(pub.Rrsets) != 1 || len(pub.Rrsets[0].Rrdatas) != 4 || !strings.HasPrefix(pub.Rrsets[0].Rrdatas[0], "ns-cloud-") {
		t.Fatalf("public NS: %+v %v", pub, err)
	}
	_, err = svc.ResourceRecordSets.List("acme-net", "internal").Type("A").Context(ctx).Do()
	apiErr(t, err, 400, "required")
	_, err = svc.ResourceRecordSets.List("acme-net", "nope").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
}

func TestDNSZoneLifecycle(t *testing.T) {
	srv := startYAML(t, dnsScenario)
	svc := newDNSClient(t, srv)
	ctx := testCtx(t)

	z, err := svc.ManagedZones.Create("acme-net", &dns.ManagedZone{
		Name: "run-app", DnsName: "run.app.", Description: "vpcshift", Visibility: "private",
		PrivateVisibilityConfig: &dns.ManagedZonePrivateVisibilityConfig{Networks: []*dns.ManagedZonePrivateVisibilityConfigNetwork{
			{NetworkUrl: "https://www.googleapis.com/compute/v1/projects/acme-net/global/networks/default"},
			{NetworkUrl: "projects/acme-app/global/networks/app-vpc"}, // another project's network
		}},
	}).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if z.Id == 0 || z.CreationTime != "2026-11-25T12:00:00.000Z" || z.NameServers[0] != "ns-gcp-private.googledomains.com." || z.Kind != "dns#managedZone" {
		t.Fatalf("created: %+v", z)
	}
	if rrNames(srv.RecordSets("acme-net", "run-app")) != "run.app./NS,run.app./SOA" {
		t.Fatalf("apex: %s", rrNames(srv.RecordSets("acme-net", "run-app")))
	}

	wild := &dns.ResourceRecordSet{Name: "*.run.app.", Type: "A", Ttl: 300, Rrdatas: []string{"199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"}}
	rr, err := svc.ResourceRecordSets.Create("acme-net", "run-app", wild).Context(ctx).Do()
	if err != nil || rr.Name != "*.run.app." || rr.Kind != "dns#resourceRecordSet" {
		t.Fatalf("rrset create: %+v %v", rr, err)
	}
	_, err = svc.ResourceRecordSets.Create("acme-net", "run-app", wild).Context(ctx).Do()
	apiErr(t, err, 409, "alreadyExists")
	got, err := svc.ResourceRecordSets.Get("acme-net", "run-app", "*.run.app.", "A").Context(ctx).Do()
	if err != nil || len(got.Rrdatas) != 4 {
		t.Fatalf("rrset get: %+v %v", got, err)
	}
	_, err = svc.ResourceRecordSets.Create("acme-net", "run-app", &dns.ResourceRecordSet{Name: "x.example.com.", Type: "A", Ttl: 300, Rrdatas: []string{"1.2.3.4"}}).Context(ctx).Do()
	apiErr(t, err, 400, "invalid")

	// A change replaces the wildcard's TTL and adds a CNAME, atomically.
	wide := *wild
	wide.Ttl = 60
	ch, err := svc.Changes.Create("acme-net", "run-app", &dns.Change{
		Deletions: []*dns.ResourceRecordSet{wild},
		Additions: []*dns.ResourceRecordSet{&wide, {Name: "api.run.app.", Type: "CNAME", Ttl: 300, Rrdatas: []string{"ghs.googlehosted.com."}}},
	}).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	if ch.Status != "pending" || ch.Id == "" || ch.StartTime == "" || ch.Kind != "dns#change" {
		t.Fatalf("change: %+v", ch)
	}
	done, err := svc.Changes.Get("acme-net", "run-app", ch.Id).Context(ctx).Do()
	if err != nil || done.Status != "done" {
		t.Fatalf("change get: %+v %v", done, err)
	}
	if rrNames(srv.RecordSets("acme-net", "run-app")) != "*.run.app./A,api.run.app./CNAME,run.app./NS,run.app./SOA" {
		t.Fatalf("after change: %s", rrNames(srv.RecordSets("acme-net", "run-app")))
	}
	cl, err := svc.Changes.List("acme-net", "run-app").Context(ctx).Do()
	if err != nil || len(cl.Changes) != 2 {
		t.Fatalf("changes list: %+v %v", cl, err)
	}
	_, err = svc.Changes.Get("acme-net", "run-app", "99").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")

	// Not empty: the zone cannot be deleted.
	err = svc.ManagedZones.Delete("acme-net", "run-app").Context(ctx).Do()
	ge := apiErr(t, err, 400, "containerNotEmpty")
	if !strings.Contains(ge.Message, "not empty") {
		t.Fatalf("message %q", ge.Message)
	}
	if _, err := svc.ResourceRecordSets.Delete("acme-net", "run-app", "*.run.app.", "A").Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ResourceRecordSets.Delete("acme-net", "run-app", "api.run.app.", "CNAME").Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
	_, err = svc.ResourceRecordSets.Delete("acme-net", "run-app", "api.run.app.", "CNAME").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
	// The apex cannot be deleted on its own.
	_, err = svc.ResourceRecordSets.Delete("acme-net", "run-app", "run.app.", "NS").Context(ctx).Do()
	apiErr(t, err, 400, "invalid")

	if err := svc.ManagedZones.Delete("acme-net", "run-app").Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
	_, err = svc.ManagedZones.Get("acme-net", "run-app").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
	if srv.RecordSets("acme-net", "run-app") != nil || len(srv.ManagedZones("acme-net")) != 3 {
		t.Fatal("zone state left behind")
	}
	err = svc.ManagedZones.Delete("acme-net", "run-app").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
}

func TestDNSCreateZoneValidation(t *testing.T) {
	srv := startYAML(t, dnsScenario)
	svc := newDNSClient(t, srv)
	ctx := testCtx(t)

	_, err := svc.ManagedZones.Create("acme-net", &dns.ManagedZone{Name: "corp", DnsName: "other.example.com."}).Context(ctx).Do()
	ge := apiErr(t, err, 409, "alreadyExists")
	if ge.Message != "The resource 'entity.managedZone' named 'corp' already exists" {
		t.Fatalf("message %q", ge.Message)
	}
	_, err = svc.ManagedZones.Create("acme-net", &dns.ManagedZone{Name: "nodot", DnsName: "run.app"}).Context(ctx).Do()
	apiErr(t, err, 400, "invalid")
	_, err = svc.ManagedZones.Create("acme-net", &dns.ManagedZone{Name: "Bad_Name", DnsName: "run.app."}).Context(ctx).Do()
	apiErr(t, err, 400, "invalid")
	_, err = svc.ManagedZones.Create("acme-net", &dns.ManagedZone{Name: "private", DnsName: "run.app.", Visibility: "private",
		PrivateVisibilityConfig: &dns.ManagedZonePrivateVisibilityConfig{Networks: []*dns.ManagedZonePrivateVisibilityConfigNetwork{
			{NetworkUrl: "https://www.googleapis.com/compute/v1/projects/acme-net/global/networks/ghost"},
		}}}).Context(ctx).Do()
	ge = apiErr(t, err, 400, "invalid")
	if !strings.Contains(ge.Message, "privateVisibilityConfig.networks[0].networkUrl") {
		t.Fatalf("message %q", ge.Message)
	}
	if len(srv.ManagedZones("acme-net")) != 3 {
		t.Fatal("a refused zone was created")
	}
}

func TestDNSChangeConflicts(t *testing.T) {
	srv := startYAML(t, dnsScenario)
	svc := newDNSClient(t, srv)
	ctx := testCtx(t)
	before := rrNames(srv.RecordSets("acme-net", "internal"))

	// Deletion whose data differ: 412.
	_, err := svc.Changes.Create("acme-net", "internal", &dns.Change{
		Deletions: []*dns.ResourceRecordSet{{Name: "db.internal.", Type: "A", Ttl: 300, Rrdatas: []string{"10.0.0.99"}}},
	}).Context(ctx).Do()
	apiErr(t, err, 412, "conditionNotMet")
	// Deletion of a record set that does not exist: 404.
	_, err = svc.Changes.Create("acme-net", "internal", &dns.Change{
		Deletions: []*dns.ResourceRecordSet{{Name: "nope.internal.", Type: "A", Ttl: 300, Rrdatas: []string{"10.0.0.1"}}},
	}).Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
	// Addition of an existing name+type: 409, and the valid deletion in the
	// same change is not applied either.
	_, err = svc.Changes.Create("acme-net", "internal", &dns.Change{
		Deletions: []*dns.ResourceRecordSet{{Name: "api.internal.", Type: "A", Ttl: 300, Rrdatas: []string{"10.0.0.7", "10.0.0.6"}}},
		Additions: []*dns.ResourceRecordSet{{Name: "db.internal.", Type: "A", Ttl: 300, Rrdatas: []string{"10.0.0.8"}}},
	}).Context(ctx).Do()
	apiErr(t, err, 409, "alreadyExists")
	if got := rrNames(srv.RecordSets("acme-net", "internal")); got != before {
		t.Fatalf("a failed change was applied: %s", got)
	}
	// rrdatas match as a set.
	if _, err := svc.Changes.Create("acme-net", "internal", &dns.Change{
		Deletions: []*dns.ResourceRecordSet{{Name: "api.internal.", Type: "A", Ttl: 300, Rrdatas: []string{"10.0.0.7", "10.0.0.6"}}},
	}).Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
	if len(srv.DNSChanges("acme-net", "internal")) != 1 {
		t.Fatal("change not recorded")
	}
}

func TestDNSPolicies(t *testing.T) {
	srv := startYAML(t, dnsScenario)
	svc := newDNSClient(t, srv)
	ctx := testCtx(t)

	pl, err := svc.Policies.List("acme-net").Context(ctx).Do()
	if err != nil || len(pl.Policies) != 1 || !pl.Policies[0].EnableInboundForwarding ||
		pl.Policies[0].Networks[0].NetworkUrl != computeLink("acme-net", "global/networks/default") {
		t.Fatalf("policies: %+v %v", pl, err)
	}
	rp, err := svc.ResponsePolicies.List("acme-net").Context(ctx).Do()
	if err != nil || len(rp.ResponsePolicies) != 1 || rp.ResponsePolicies[0].ResponsePolicyName != "rp" {
		t.Fatalf("response policies: %+v %v", rp, err)
	}
	var rules []string
	err = svc.ResponsePolicyRules.List("acme-net", "rp").MaxResults(1).Pages(ctx, func(l *dns.ResponsePolicyRulesListResponse) error {
		for _, r := range l.ResponsePolicyRules {
			rules = append(rules, r.RuleName)
		}
		return nil
	})
	if err != nil || strings.Join(rules, ",") != "bypass,run-app" {
		t.Fatalf("rules: %v %v", rules, err)
	}
	_, err = svc.ResponsePolicyRules.List("acme-net", "nope").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
	empty, err := svc.Policies.List("acme-app").Context(ctx).Do()
	if err != nil || len(empty.Policies) != 0 {
		t.Fatalf("empty: %+v %v", empty, err)
	}
}

func TestDNSFaultsAndAccess(t *testing.T) {
	srv := startYAML(t, dnsScenario)
	svc := newDNSClient(t, srv)
	ctx := testCtx(t)

	if err := srv.InjectFault(Fault{Method: PatDNSListZones, Code: "503", Times: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.ManagedZones.List("acme-net").Context(ctx).Do()
	apiErr(t, err, 503, "")
	if _, err := svc.ManagedZones.List("acme-net").Context(ctx).Do(); err != nil {
		t.Fatalf("second call: %v", err)
	}

	_, err = svc.ManagedZones.List("acme-off").Context(ctx).Do()
	ge := apiErr(t, err, 403, "accessNotConfigured")
	if !strings.Contains(ge.Message, "Cloud DNS API has not been used in project 333333333333") {
		t.Fatalf("message %q", ge.Message)
	}

	_, err = svc.ManagedZones.Create("acme-app", &dns.ManagedZone{Name: "run-app", DnsName: "run.app."}).Context(ctx).Do()
	ge = apiErr(t, err, 403, "forbidden")
	if !strings.Contains(ge.Message, "dns.managedZones.create") {
		t.Fatalf("message %q", ge.Message)
	}
	if _, err := svc.ManagedZones.List("acme-app").Context(ctx).Do(); err != nil {
		t.Fatalf("list is allowed: %v", err)
	}
	_, err = svc.ManagedZones.List("nope").Context(ctx).Do()
	apiErr(t, err, 404, "notFound")
}
