package emulator

// Cloud DNS v1 over REST JSON, as google.golang.org/api/dns/v1 calls it:
// managed zones (list, get, create, delete), resource record sets (list,
// get, create, delete), changes (create, list, get), policies, response
// policies and response policy rules (list).
//
// A zone holds its apex SOA and NS record sets, as in Cloud DNS: creating a
// zone creates them, a seeded zone gets them unless the scenario lists
// them, and they cannot be deleted (only replaced within one change). A
// change is applied atomically when it is created and answers "pending";
// changes.get answers "done" (after WithPendingPolls polls, if set).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	dns "google.golang.org/api/dns/v1"
	"google.golang.org/grpc/codes"
)

// REST route patterns (also the method names faults and methodSpecs use).
const (
	dnsPrefix = "/dns/v1/projects/{project}"

	PatDNSListZones               = "GET " + dnsPrefix + "/managedZones"
	PatDNSCreateZone              = "POST " + dnsPrefix + "/managedZones"
	PatDNSGetZone                 = "GET " + dnsPrefix + "/managedZones/{managedZone}"
	PatDNSDeleteZone              = "DELETE " + dnsPrefix + "/managedZones/{managedZone}"
	PatDNSListRRSets              = "GET " + dnsPrefix + "/managedZones/{managedZone}/rrsets"
	PatDNSCreateRRSet             = "POST " + dnsPrefix + "/managedZones/{managedZone}/rrsets"
	PatDNSGetRRSet                = "GET " + dnsPrefix + "/managedZones/{managedZone}/rrsets/{name}/{type}"
	PatDNSDeleteRRSet             = "DELETE " + dnsPrefix + "/managedZones/{managedZone}/rrsets/{name}/{type}"
	PatDNSCreateChange            = "POST " + dnsPrefix + "/managedZones/{managedZone}/changes"
	PatDNSListChanges             = "GET " + dnsPrefix + "/managedZones/{managedZone}/changes"
	PatDNSGetChange               = "GET " + dnsPrefix + "/managedZones/{managedZone}/changes/{changeId}"
	PatDNSListPolicies            = "GET " + dnsPrefix + "/policies"
	PatDNSListResponsePolicies    = "GET " + dnsPrefix + "/responsePolicies"
	PatDNSListResponsePolicyRules = "GET " + dnsPrefix + "/responsePolicies/{responsePolicy}/rules"

	dnsAPI             = "dns.googleapis.com"
	dnsDefaultPageSize = 1000
	dnsApexTTL         = 21600
	dnsTime            = "2006-01-02T15:04:05.000Z07:00"
	dnsPrivateNS       = "ns-gcp-private.googledomains.com."
)

func init() {
	addSpecs(dnsAPI, map[string]string{
		PatDNSListZones:               "dns.managedZones.list",
		PatDNSCreateZone:              "dns.managedZones.create",
		PatDNSGetZone:                 "dns.managedZones.get",
		PatDNSDeleteZone:              "dns.managedZones.delete",
		PatDNSListRRSets:              "dns.resourceRecordSets.list",
		PatDNSCreateRRSet:             "dns.resourceRecordSets.create",
		PatDNSGetRRSet:                "dns.resourceRecordSets.get",
		PatDNSDeleteRRSet:             "dns.resourceRecordSets.delete",
		PatDNSCreateChange:            "dns.changes.create",
		PatDNSListChanges:             "dns.changes.list",
		PatDNSGetChange:               "dns.changes.get",
		PatDNSListPolicies:            "dns.policies.list",
		PatDNSListResponsePolicies:    "dns.responsePolicies.list",
		PatDNSListResponsePolicyRules: "dns.responsePolicyRules.list",
	})
	restRegistrars = append(restRegistrars, registerDNS)
	seeders = append(seeders, seedDNS)
}

func registerDNS(s *Server, mux *http.ServeMux) {
	s.handle(mux, PatDNSListZones, s.dnsListZones)
	s.handle(mux, PatDNSCreateZone, s.dnsCreateZone)
	s.handle(mux, PatDNSGetZone, s.dnsGetZone)
	s.handle(mux, PatDNSDeleteZone, s.dnsDeleteZone)
	s.handle(mux, PatDNSListRRSets, s.dnsListRRSets)
	s.handle(mux, PatDNSCreateRRSet, s.dnsCreateRRSet)
	s.handle(mux, PatDNSGetRRSet, s.dnsGetRRSet)
	s.handle(mux, PatDNSDeleteRRSet, s.dnsDeleteRRSet)
	s.handle(mux, PatDNSCreateChange, s.dnsCreateChange)
	s.handle(mux, PatDNSListChanges, s.dnsListChanges)
	s.handle(mux, PatDNSGetChange, s.dnsGetChange)
	s.handle(mux, PatDNSListPolicies, s.dnsListPolicies)
	s.handle(mux, PatDNSListResponsePolicies, s.dnsListResponsePolicies)
	s.handle(mux, PatDNSListResponsePolicyRules, s.dnsListResponsePolicyRules)
	s.watchClose(func() { dnsStates.Delete(s) })
}

// --- state -------------------------------------------------------------

// dnsChange is a recorded change; it is "pending" until polled pollsLeft
// times more, then "done".
type dnsChange struct {
	change    *dns.Change
	pollsLeft int
}

// dnsState is the per-server DNS state that is not scenario data (the
// changes of each zone), guarded by s.mu.
type dnsState struct {
	changes map[string][]*dnsChange // by "project/zone", in order
}

var dnsStates sync.Map // *Server -> *dnsState

func (s *Server) dnsState() *dnsState {
	if v, ok := dnsStates.Load(s); ok {
		return v.(*dnsState)
	}
	v, _ := dnsStates.LoadOrStore(s, &dnsState{changes: map[string][]*dnsChange{}})
	return v.(*dnsState)
}

// --- errors ------------------------------------------------------------

// dnsParamNotFound is Cloud DNS's 404 for a path parameter.
func dnsParamNotFound(param, value string) *apiError {
	return notFound("The 'parameters.%s' resource named '%s' does not exist.", param, value)
}

func dnsInvalid(field, value string) *apiError {
	return invalidArgument("Invalid value for '%s': '%s'", field, value)
}

func dnsRequired(field string) *apiError {
	return withReason("required", codes.InvalidArgument, "Required value for '%s'", field)
}

// --- helpers -----------------------------------------------------------

func (s *Server) dnsProject(r *http.Request) (*Project, *apiError) {
	v := r.PathValue("project")
	p := s.project(v)
	if p == nil {
		return nil, dnsParamNotFound("project", v)
	}
	return p, nil
}

// dnsFindZone finds a zone by name or id; callers hold s.mu.
func dnsFindZone(p *Project, nameOrID string) (int, *dns.ManagedZone) {
	for i, z := range p.ManagedZones {
		if z.Name == nameOrID || strconv.FormatUint(z.Id, 10) == nameOrID {
			return i, z
		}
	}
	return -1, nil
}

// dnsInZone runs f under s.mu on the {project} and {managedZone} of a
// request.
func (s *Server) dnsInZone(r *http.Request, f func(*Project, *dns.ManagedZone) *apiError) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.dnsProject(r)
	if e != nil {
		return e
	}
	z, e := dnsRequestZone(p, r)
	if e != nil {
		return e
	}
	return f(p, z)
}

// dnsRequestZone finds the {managedZone} of a request in p.
func dnsRequestZone(p *Project, r *http.Request) (*dns.ManagedZone, *apiError) {
	_, z := dnsFindZone(p, r.PathValue("managedZone"))
	if z == nil {
		return nil, dnsParamNotFound("managedZone", r.PathValue("managedZone"))
	}
	return z, nil
}

// dnsList cuts one page of a list of the request's project: the copies
// pick returns (under s.mu), sorted by key (nil: in the order picked).
func dnsList[T any](s *Server, r *http.Request, pick func(*Project) ([]*T, *apiError), key func(*T) string) ([]*T, string, *apiError) {
	s.mu.Lock()
	p, e := s.dnsProject(r)
	var items []*T
	if e == nil {
		items, e = pick(p)
	}
	s.mu.Unlock()
	if e != nil {
		return nil, "", e
	}
	if key != nil {
		sortByKey(items, key)
	}
	return dnsPage(s, r, items)
}

// dnsPage cuts the page maxResults and pageToken ask for; do not hold s.mu.
func dnsPage[T any](s *Server, r *http.Request, items []T) ([]T, string, *apiError) {
	q := r.URL.Query()
	size := 0
	if v := q.Get("maxResults"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 0 {
			return nil, "", dnsInvalid("parameters.maxResults", v)
		}
		size = m
	}
	return cutPage(s, items, size, q.Get("pageToken"), dnsDefaultPageSize)
}

func fqdn(n string) string {
	if n == "" || strings.HasSuffix(n, ".") {
		return n
	}
	return n + "."
}

func dnsNameServers(z *dns.ManagedZone) []string {
	if z.Visibility == "private" {
		return []string{dnsPrivateNS}
	}
	l := string(rune('a' + z.Id%5))
	var out []string
	for i := 1; i <= 4; i++ {
		out = append(out, fmt.Sprintf("ns-cloud-%s%d.googledomains.com.", l, i))
	}
	return out
}

// dnsApex returns the SOA and NS record sets Cloud DNS creates with a zone.
func dnsApex(z *dns.ManagedZone) []*dns.ResourceRecordSet {
	ns := z.NameServers
	if len(ns) == 0 {
		ns = []string{dnsPrivateNS}
	}
	return []*dns.ResourceRecordSet{
		{Kind: "dns#resourceRecordSet", Name: z.DnsName, Type: "SOA", Ttl: dnsApexTTL,
			Rrdatas: []string{ns[0] + " cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300"}},
		{Kind: "dns#resourceRecordSet", Name: z.DnsName, Type: "NS", Ttl: dnsApexTTL, Rrdatas: append([]string(nil), ns...)},
	}
}

// dnsNormaliseZone fills a zone's output fields; callers hold s.mu.
func dnsNormaliseZone(project string, z *dns.ManagedZone) {
	z.Kind = "dns#managedZone"
	if z.Visibility == "" {
		z.Visibility = "public"
	}
	if z.Id == 0 {
		z.Id = computeHashID("dns", project, z.Name)
	}
	if len(z.NameServers) == 0 {
		z.NameServers = dnsNameServers(z)
	}
	if pv := z.PrivateVisibilityConfig; pv != nil {
		pv.Kind = "dns#managedZonePrivateVisibilityConfig"
		for _, n := range pv.Networks {
			n.Kind = "dns#managedZonePrivateVisibilityConfigNetwork"
			n.NetworkUrl = computeURL(n.NetworkUrl, project, "global/networks")
		}
	}
}

func rrKey(name, typ string) string { return strings.ToLower(fqdn(name)) + " " + strings.ToUpper(typ) }

func sortRRSets(l []*dns.ResourceRecordSet) {
	sort.Slice(l, func(i, j int) bool {
		if l[i].Name != l[j].Name {
			return l[i].Name < l[j].Name
		}
		return l[i].Type < l[j].Type
	})
}

// rrEqual reports whether a deletion matches a stored record set exactly
// (rrdatas compared as a set).
func rrEqual(a, b *dns.ResourceRecordSet) bool {
	if rrKey(a.Name, a.Type) != rrKey(b.Name, b.Type) || a.Ttl != b.Ttl || len(a.Rrdatas) != len(b.Rrdatas) {
		return false
	}
	x := sortStrings(append([]string(nil), a.Rrdatas...))
	y := sortStrings(append([]string(nil), b.Rrdatas...))
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	ja, _ := json.Marshal(a.RoutingPolicy)
	jb, _ := json.Marshal(b.RoutingPolicy)
	return string(ja) == string(jb)
}

var dnsTypes = map[string]bool{
	"A": true, "AAAA": true, "ALIAS": true, "CAA": true, "CNAME": true, "DNSKEY": true, "DS": true,
	"HTTPS": true, "IPSECKEY": true, "MX": true, "NAPTR": true, "NS": true, "PTR": true, "SOA": true,
	"SPF": true, "SRV": true, "SSHFP": true, "SVCB": true, "TLSA": true, "TXT": true,
}

// dnsValidRecord checks a record set to add to zone z; field names it in
// errors ("entity.change.additions[0]", "entity.rrset").
func dnsValidRecord(z *dns.ManagedZone, rr *dns.ResourceRecordSet, field string) *apiError {
	if rr.Name == "" {
		return dnsRequired(field + ".name")
	}
	name := strings.ToLower(rr.Name)
	zone := strings.ToLower(z.DnsName)
	if !strings.HasSuffix(name, ".") || (name != zone && !strings.HasSuffix(name, "."+zone)) {
		return dnsInvalid(field+".name", rr.Name)
	}
	if rr.Type == "" {
		return dnsRequired(field + ".type")
	}
	if !dnsTypes[rr.Type] {
		return dnsInvalid(field+".type", rr.Type)
	}
	if len(rr.Rrdatas) == 0 && rr.RoutingPolicy == nil {
		return dnsRequired(field + ".rrdata")
	}
	if rr.Ttl < 0 {
		return dnsInvalid(field+".ttl", strconv.FormatInt(rr.Ttl, 10))
	}
	if rr.Type == "CNAME" && name == zone {
		return dnsInvalid(field+".type", rr.Type)
	}
	return nil
}

// dnsApply applies additions and deletions atomically to the zone's
// records, or changes nothing and returns the error; callers hold s.mu.
// Deleting a record set that does not exist is 404, one whose data differ
// is 412 conditionNotMet, adding one that exists is 409; the apex SOA and
// NS may only be replaced.
func (s *Server) dnsApply(p *Project, z *dns.ManagedZone, additions, deletions []*dns.ResourceRecordSet, addField, delField string) *apiError {
	work := map[string]*dns.ResourceRecordSet{}
	for _, rr := range p.ResourceRecordSets[z.Name] {
		work[rrKey(rr.Name, rr.Type)] = rr
	}
	for i, d := range deletions {
		f := fmt.Sprintf("%s[%d]", delField, i)
		if delField == "" {
			f = "entity.rrset"
		}
		cur, ok := work[rrKey(d.Name, d.Type)]
		if !ok {
			return notFound("The '%s' resource named '%s (%s)' does not exist.", f, d.Name, d.Type)
		}
		if !rrEqual(cur, d) {
			return computeConditionNotMet("Precondition not met for '%s'", f)
		}
		delete(work, rrKey(d.Name, d.Type))
	}
	for i, a := range additions {
		f := fmt.Sprintf("%s[%d]", addField, i)
		if addField == "" {
			f = "entity.rrset"
		}
		if e := dnsValidRecord(z, a, f); e != nil {
			return e
		}
		if _, ok := work[rrKey(a.Name, a.Type)]; ok {
			return alreadyExists("The resource '%s' named '%s (%s)' already exists", f, a.Name, a.Type)
		}
		work[rrKey(a.Name, a.Type)] = a
	}
	for _, typ := range []string{"SOA", "NS"} {
		if _, ok := work[rrKey(z.DnsName, typ)]; !ok {
			f := delField
			if f == "" {
				f = "entity.rrset"
			}
			return invalidArgument("Invalid value for '%s': '%s (%s)'. The %s record set at the apex of a zone cannot be deleted, only replaced.", f, z.DnsName, typ, typ)
		}
	}
	out := make([]*dns.ResourceRecordSet, 0, len(work))
	for _, rr := range work {
		c := cloneJSON(rr)
		c.Kind = "dns#resourceRecordSet"
		out = append(out, c)
	}
	sortRRSets(out)
	if p.ResourceRecordSets == nil {
		p.ResourceRecordSets = map[string][]*dns.ResourceRecordSet{}
	}
	p.ResourceRecordSets[z.Name] = out
	return nil
}

// dnsRecordChange records an applied change; callers hold s.mu.
func (s *Server) dnsRecordChange(p *Project, z *dns.ManagedZone, additions, deletions []*dns.ResourceRecordSet) *dns.Change {
	key := p.ProjectID + "/" + z.Name
	st := s.dnsState()
	c := &dns.Change{
		Kind:      "dns#change",
		Id:        strconv.Itoa(len(st.changes[key]) + 1),
		Status:    "pending",
		StartTime: s.now().UTC().Format(dnsTime),
		Additions: cloneJSONs(additions),
		Deletions: cloneJSONs(deletions),
	}
	for _, rr := range append(append([]*dns.ResourceRecordSet(nil), c.Additions...), c.Deletions...) {
		rr.Kind = "dns#resourceRecordSet"
	}
	st.changes[key] = append(st.changes[key], &dnsChange{change: c, pollsLeft: s.pendingPolls})
	return cloneJSON(c)
}

// --- seeding -----------------------------------------------------------

// seedDNS fills zones' output fields (kind, id, visibility, name servers,
// creation time, network URLs), adds each zone's apex SOA and NS record
// sets unless the scenario lists them, and sets kinds.
func seedDNS(s *Server) {
	now := s.now().UTC().Format(dnsTime)
	for _, id := range s.order {
		p := s.projects[id]
		for _, z := range p.ManagedZones {
			dnsNormaliseZone(p.ProjectID, z)
			if z.CreationTime == "" {
				z.CreationTime = now
			}
			if p.ResourceRecordSets == nil {
				p.ResourceRecordSets = map[string][]*dns.ResourceRecordSet{}
			}
			recs := p.ResourceRecordSets[z.Name]
			have := map[string]bool{}
			for _, rr := range recs {
				rr.Kind = "dns#resourceRecordSet"
				have[rrKey(rr.Name, rr.Type)] = true
			}
			for _, apex := range dnsApex(z) {
				if !have[rrKey(apex.Name, apex.Type)] {
					recs = append(recs, apex)
				}
			}
			sortRRSets(recs)
			p.ResourceRecordSets[z.Name] = recs
		}
		for _, pol := range p.Policies {
			pol.Kind = "dns#policy"
			if pol.Id == 0 {
				pol.Id = computeHashID("dns-policy", p.ProjectID, pol.Name)
			}
			for _, n := range pol.Networks {
				n.Kind = "dns#policyNetwork"
				n.NetworkUrl = computeURL(n.NetworkUrl, p.ProjectID, "global/networks")
			}
		}
		for _, rp := range p.ResponsePolicies {
			rp.Kind = "dns#responsePolicy"
			if rp.Id == 0 {
				rp.Id = int64(computeHashID("dns-response-policy", p.ProjectID, rp.ResponsePolicyName))
			}
			for _, n := range rp.Networks {
				n.Kind = "dns#responsePolicyNetwork"
				n.NetworkUrl = computeURL(n.NetworkUrl, p.ProjectID, "global/networks")
			}
		}
		for _, rules := range p.ResponsePolicyRules {
			for _, rule := range rules {
				rule.Kind = "dns#responsePolicyRule"
			}
		}
	}
}

// --- managed zones -----------------------------------------------------

func (s *Server) dnsListZones(w http.ResponseWriter, r *http.Request) *apiError {
	filter := fqdn(r.URL.Query().Get("dnsName"))
	items, next, e := dnsList(s, r, func(p *Project) ([]*dns.ManagedZone, *apiError) {
		var out []*dns.ManagedZone
		for _, z := range p.ManagedZones {
			if filter == "" || strings.EqualFold(z.DnsName, filter) {
				out = append(out, cloneJSON(z))
			}
		}
		return out, nil
	}, dnsZoneName)
	if e != nil {
		return e
	}
	writeJSON(w, &dns.ManagedZonesListResponse{Kind: "dns#managedZonesListResponse", ManagedZones: items, NextPageToken: next})
	return nil
}

func dnsZoneName(z *dns.ManagedZone) string { return z.Name }

func (s *Server) dnsGetZone(w http.ResponseWriter, r *http.Request) *apiError {
	return s.dnsInZone(r, func(_ *Project, z *dns.ManagedZone) *apiError {
		writeJSON(w, cloneJSON(z))
		return nil
	})
}

func validDNSZoneName(n string) bool {
	return validComputeName(n)
}

// dnsCreateZone creates a zone (synchronously, as Cloud DNS does) with its
// apex SOA and NS record sets.
func (s *Server) dnsCreateZone(w http.ResponseWriter, r *http.Request) *apiError {
	z := new(dns.ManagedZone)
	if _, e := readComputeBody(r, z); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.dnsProject(r)
	if e != nil {
		return e
	}
	if z.Name == "" {
		return dnsRequired("entity.managedZone.name")
	}
	if !validDNSZoneName(z.Name) {
		return dnsInvalid("entity.managedZone.name", z.Name)
	}
	if z.DnsName == "" {
		return dnsRequired("entity.managedZone.dnsName")
	}
	if !strings.HasSuffix(z.DnsName, ".") || strings.HasPrefix(z.DnsName, ".") || strings.Contains(z.DnsName, "..") {
		return dnsInvalid("entity.managedZone.dnsName", z.DnsName)
	}
	if len(z.Description) > 1024 {
		return dnsInvalid("entity.managedZone.description", z.Description)
	}
	switch z.Visibility {
	case "", "public", "private":
	default:
		return dnsInvalid("entity.managedZone.visibility", z.Visibility)
	}
	if z.PrivateVisibilityConfig != nil && z.Visibility != "private" && len(z.PrivateVisibilityConfig.Networks) > 0 {
		return dnsInvalid("entity.managedZone.privateVisibilityConfig", "networks are only allowed on a private zone")
	}
	if z.Visibility == "private" && z.PrivateVisibilityConfig != nil {
		for i, n := range z.PrivateVisibilityConfig.Networks {
			if n.NetworkUrl == "" || s.computeNetworkByURL(computeURL(n.NetworkUrl, p.ProjectID, "global/networks")) == nil {
				return dnsInvalid(fmt.Sprintf("entity.managedZone.privateVisibilityConfig.networks[%d].networkUrl", i), n.NetworkUrl)
			}
		}
	}
	if _, dup := dnsFindZone(p, z.Name); dup != nil {
		return alreadyExists("The resource 'entity.managedZone' named '%s' already exists", z.Name)
	}
	z.Id = computeHashID("dns", p.ProjectID, z.Name, s.nextID("zone"))
	z.CreationTime = s.now().UTC().Format(dnsTime)
	z.NameServers = nil
	dnsNormaliseZone(p.ProjectID, z)
	p.ManagedZones = append(p.ManagedZones, z)
	if p.ResourceRecordSets == nil {
		p.ResourceRecordSets = map[string][]*dns.ResourceRecordSet{}
	}
	recs := dnsApex(z)
	sortRRSets(recs)
	p.ResourceRecordSets[z.Name] = recs
	delete(s.dnsState().changes, p.ProjectID+"/"+z.Name)
	writeJSON(w, cloneJSON(z))
	return nil
}

// dnsDeleteZone deletes a zone that holds nothing but its apex SOA and NS
// (else 400 containerNotEmpty, as Cloud DNS answers).
func (s *Server) dnsDeleteZone(w http.ResponseWriter, r *http.Request) *apiError {
	return s.dnsInZone(r, func(p *Project, z *dns.ManagedZone) *apiError {
		for _, rr := range p.ResourceRecordSets[z.Name] {
			apex := strings.EqualFold(rr.Name, z.DnsName) && (rr.Type == "SOA" || rr.Type == "NS")
			if !apex {
				return withReason("containerNotEmpty", codes.FailedPrecondition, "The resource named '%s' cannot be deleted because it is not empty", z.Name)
			}
		}
		i, _ := dnsFindZone(p, z.Name)
		p.ManagedZones = append(p.ManagedZones[:i:i], p.ManagedZones[i+1:]...)
		delete(p.ResourceRecordSets, z.Name)
		delete(s.dnsState().changes, p.ProjectID+"/"+z.Name)
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// --- record sets -------------------------------------------------------

func (s *Server) dnsListRRSets(w http.ResponseWriter, r *http.Request) *apiError {
	q := r.URL.Query()
	name, typ := q.Get("name"), q.Get("type")
	if typ != "" && name == "" {
		return dnsRequired("parameters.name")
	}
	items, next, e := dnsList(s, r, func(p *Project) ([]*dns.ResourceRecordSet, *apiError) {
		z, e := dnsRequestZone(p, r)
		if e != nil {
			return nil, e
		}
		var out []*dns.ResourceRecordSet
		for _, rr := range p.ResourceRecordSets[z.Name] {
			if name != "" && !strings.EqualFold(rr.Name, fqdn(name)) {
				continue
			}
			if typ != "" && rr.Type != typ {
				continue
			}
			out = append(out, cloneJSON(rr))
		}
		return out, nil
	}, nil)
	if e != nil {
		return e
	}
	writeJSON(w, &dns.ResourceRecordSetsListResponse{Kind: "dns#resourceRecordSetsListResponse", Rrsets: items, NextPageToken: next})
	return nil
}

func (s *Server) dnsGetRRSet(w http.ResponseWriter, r *http.Request) *apiError {
	return s.dnsInZone(r, func(p *Project, z *dns.ManagedZone) *apiError {
		key := rrKey(r.PathValue("name"), r.PathValue("type"))
		for _, rr := range p.ResourceRecordSets[z.Name] {
			if rrKey(rr.Name, rr.Type) == key {
				writeJSON(w, cloneJSON(rr))
				return nil
			}
		}
		return notFound("The 'parameters.name' resource named '%s (%s)' does not exist.", r.PathValue("name"), r.PathValue("type"))
	})
}

// dnsCreateRRSet adds one record set (recorded as a change, as Cloud DNS
// does); 409 when the name and type exist.
func (s *Server) dnsCreateRRSet(w http.ResponseWriter, r *http.Request) *apiError {
	rr := new(dns.ResourceRecordSet)
	if _, e := readComputeBody(r, rr); e != nil {
		return e
	}
	return s.dnsInZone(r, func(p *Project, z *dns.ManagedZone) *apiError {
		rr.Kind = "dns#resourceRecordSet"
		if e := s.dnsApply(p, z, []*dns.ResourceRecordSet{rr}, nil, "", ""); e != nil {
			return e
		}
		s.dnsRecordChange(p, z, []*dns.ResourceRecordSet{rr}, nil)
		writeJSON(w, cloneJSON(rr))
		return nil
	})
}

// dnsDeleteRRSet deletes one record set by name and type (404 when absent;
// the apex SOA and NS cannot be deleted).
func (s *Server) dnsDeleteRRSet(w http.ResponseWriter, r *http.Request) *apiError {
	return s.dnsInZone(r, func(p *Project, z *dns.ManagedZone) *apiError {
		key := rrKey(r.PathValue("name"), r.PathValue("type"))
		var cur *dns.ResourceRecordSet
		for _, rr := range p.ResourceRecordSets[z.Name] {
			if rrKey(rr.Name, rr.Type) == key {
				cur = rr
			}
		}
		if cur == nil {
			return notFound("The 'parameters.name' resource named '%s (%s)' does not exist.", r.PathValue("name"), r.PathValue("type"))
		}
		del := []*dns.ResourceRecordSet{cloneJSON(cur)}
		if e := s.dnsApply(p, z, nil, del, "", ""); e != nil {
			return e
		}
		s.dnsRecordChange(p, z, nil, del)
		writeJSON(w, &dns.ResourceRecordSetsDeleteResponse{})
		return nil
	})
}

// --- changes -----------------------------------------------------------

func (s *Server) dnsCreateChange(w http.ResponseWriter, r *http.Request) *apiError {
	c := new(dns.Change)
	if _, e := readComputeBody(r, c); e != nil {
		return e
	}
	return s.dnsInZone(r, func(p *Project, z *dns.ManagedZone) *apiError {
		if len(c.Additions) == 0 && len(c.Deletions) == 0 {
			return dnsRequired("entity.change")
		}
		if e := s.dnsApply(p, z, c.Additions, c.Deletions, "entity.change.additions", "entity.change.deletions"); e != nil {
			return e
		}
		writeJSON(w, s.dnsRecordChange(p, z, c.Additions, c.Deletions))
		return nil
	})
}

func (s *Server) dnsListChanges(w http.ResponseWriter, r *http.Request) *apiError {
	desc := strings.EqualFold(r.URL.Query().Get("sortOrder"), "descending")
	items, next, e := dnsList(s, r, func(p *Project) ([]*dns.Change, *apiError) {
		z, e := dnsRequestZone(p, r)
		if e != nil {
			return nil, e
		}
		var out []*dns.Change
		for _, c := range s.dnsState().changes[p.ProjectID+"/"+z.Name] {
			out = append(out, cloneJSON(c.change))
		}
		if desc {
			slices.Reverse(out)
		}
		return out, nil
	}, nil)
	if e != nil {
		return e
	}
	writeJSON(w, &dns.ChangesListResponse{Kind: "dns#changesListResponse", Changes: items, NextPageToken: next})
	return nil
}

func (s *Server) dnsGetChange(w http.ResponseWriter, r *http.Request) *apiError {
	return s.dnsInZone(r, func(p *Project, z *dns.ManagedZone) *apiError {
		id := r.PathValue("changeId")
		for _, c := range s.dnsState().changes[p.ProjectID+"/"+z.Name] {
			if c.change.Id != id {
				continue
			}
			if c.change.Status != "done" {
				if c.pollsLeft > 0 {
					c.pollsLeft--
				} else {
					c.change.Status = "done"
				}
			}
			writeJSON(w, cloneJSON(c.change))
			return nil
		}
		return dnsParamNotFound("changeId", id)
	})
}

// --- policies ----------------------------------------------------------

func (s *Server) dnsListPolicies(w http.ResponseWriter, r *http.Request) *apiError {
	items, next, e := dnsList(s, r, func(p *Project) ([]*dns.Policy, *apiError) { return cloneJSONs(p.Policies), nil },
		func(pol *dns.Policy) string { return pol.Name })
	if e != nil {
		return e
	}
	writeJSON(w, &dns.PoliciesListResponse{Kind: "dns#policiesListResponse", Policies: items, NextPageToken: next})
	return nil
}

func (s *Server) dnsListResponsePolicies(w http.ResponseWriter, r *http.Request) *apiError {
	items, next, e := dnsList(s, r, func(p *Project) ([]*dns.ResponsePolicy, *apiError) { return cloneJSONs(p.ResponsePolicies), nil },
		func(rp *dns.ResponsePolicy) string { return rp.ResponsePolicyName })
	if e != nil {
		return e
	}
	writeJSON(w, &dns.ResponsePoliciesListResponse{ResponsePolicies: items, NextPageToken: next})
	return nil
}

func (s *Server) dnsListResponsePolicyRules(w http.ResponseWriter, r *http.Request) *apiError {
	name := r.PathValue("responsePolicy")
	items, next, e := dnsList(s, r, func(p *Project) ([]*dns.ResponsePolicyRule, *apiError) {
		for _, rp := range p.ResponsePolicies {
			if rp.ResponsePolicyName == name || strconv.FormatInt(rp.Id, 10) == name {
				return cloneJSONs(p.ResponsePolicyRules[rp.ResponsePolicyName]), nil
			}
		}
		return nil, dnsParamNotFound("responsePolicy", name)
	}, func(rule *dns.ResponsePolicyRule) string { return rule.RuleName })
	if e != nil {
		return e
	}
	writeJSON(w, &dns.ResponsePolicyRulesListResponse{ResponsePolicyRules: items, NextPageToken: next})
	return nil
}

// --- inspection (tests) ------------------------------------------------

// ManagedZones returns copies of a project's managed zones, sorted by name.
func (s *Server) ManagedZones(project string) []*dns.ManagedZone {
	return projectCopies(s, project, func(p *Project) []*dns.ManagedZone { return cloneJSONs(p.ManagedZones) }, dnsZoneName)
}

// RecordSets returns copies of a zone's record sets (apex SOA and NS
// included), sorted by name and type; nil if the zone does not exist.
func (s *Server) RecordSets(project, zone string) []*dns.ResourceRecordSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(project)
	if p == nil {
		return nil
	}
	if _, z := dnsFindZone(p, zone); z == nil {
		return nil
	}
	return cloneJSONs(p.ResourceRecordSets[zone])
}

// DNSChanges returns copies of the changes made to a zone, oldest first.
func (s *Server) DNSChanges(project, zone string) []*dns.Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(project)
	if p == nil {
		return nil
	}
	var out []*dns.Change
	for _, c := range s.dnsState().changes[p.ProjectID+"/"+zone] {
		out = append(out, cloneJSON(c.change))
	}
	return out
}
