package emulator

// Compute Engine v1 over REST JSON, as google.golang.org/api/compute/v1
// (the discovery client) calls it: networks, subnetworks, routers (with
// Cloud NAT), routes, addresses, projects (Shared VPC status) and, in
// compute_ops.go, region and global operations.
//
// Resources are the discovery structs from the scenario, normalised by a
// seeder to the form Google returns (kind, selfLink, id, and references as
// full URLs). Mutations apply at once and return an Operation that is
// RUNNING and answers DONE on its first poll (or after WithPendingPolls).
//
// Aggregated lists cover the "scopes" of a project that hold any Compute
// regional resource (the regions of its subnetworks, routers and addresses,
// and "global" for global addresses): each page carries every such scope,
// and the scopes with no item on that page carry Google's
// NO_RESULTS_ON_PAGE warning. Google lists every region of the world; the
// emulator keeps the answer small. filter, orderBy and
// returnPartialSuccess are accepted and ignored.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"sort"
	"strconv"
	"strings"

	compute "google.golang.org/api/compute/v1"
	"google.golang.org/grpc/codes"
)

// computeBase is the prefix of every Compute selfLink.
const computeBase = "https://www.googleapis.com/compute/v1/"

// computeTime is how Compute formats timestamps.
const computeTime = "2006-01-02T15:04:05.000-07:00"

// REST route patterns (also the method names faults and methodSpecs use).
const (
	computePrefix = "/compute/v1/projects/{project}"

	PatComputeGetProject     = "GET " + computePrefix
	PatComputeGetXpnHost     = "GET " + computePrefix + "/getXpnHost"
	PatComputeListNetworks   = "GET " + computePrefix + "/global/networks"
	PatComputeGetNetwork     = "GET " + computePrefix + "/global/networks/{network}"
	PatComputeListSubnets    = "GET " + computePrefix + "/regions/{region}/subnetworks"
	PatComputeAggSubnets     = "GET " + computePrefix + "/aggregated/subnetworks"
	PatComputeGetSubnet      = "GET " + computePrefix + "/regions/{region}/subnetworks/{subnetwork}"
	PatComputeSetPGA         = "POST " + computePrefix + "/regions/{region}/subnetworks/{subnetwork}/setPrivateIpGoogleAccess"
	PatComputeAggRouters     = "GET " + computePrefix + "/aggregated/routers"
	PatComputeListRouters    = "GET " + computePrefix + "/regions/{region}/routers"
	PatComputeGetRouter      = "GET " + computePrefix + "/regions/{region}/routers/{router}"
	PatComputePatchRouter    = "PATCH " + computePrefix + "/regions/{region}/routers/{router}"
	PatComputeUpdateRouter   = "PUT " + computePrefix + "/regions/{region}/routers/{router}"
	PatComputeRouterStatus   = "GET " + computePrefix + "/regions/{region}/routers/{router}/getRouterStatus"
	PatComputeListRoutes     = "GET " + computePrefix + "/global/routes"
	PatComputeGetRoute       = "GET " + computePrefix + "/global/routes/{route}"
	PatComputeInsertRoute    = "POST " + computePrefix + "/global/routes"
	PatComputeDeleteRoute    = "DELETE " + computePrefix + "/global/routes/{route}"
	PatComputeAggAddresses   = "GET " + computePrefix + "/aggregated/addresses"
	PatComputeListAddresses  = "GET " + computePrefix + "/regions/{region}/addresses"
	PatComputeGetRegionOp    = "GET " + computePrefix + "/regions/{region}/operations/{operation}"
	PatComputeWaitRegionOp   = "POST " + computePrefix + "/regions/{region}/operations/{operation}/wait"
	PatComputeGetGlobalOp    = "GET " + computePrefix + "/global/operations/{operation}"
	PatComputeWaitGlobalOp   = "POST " + computePrefix + "/global/operations/{operation}/wait"
	computeAPI               = "compute.googleapis.com"
	computeDefaultPageSize   = 500
	computeMaxPageSize       = 500
	computeNoResultsOnPage   = "NO_RESULTS_ON_PAGE"
	computeDefaultRoutePrio  = 1000
	computeDefaultGatewayURL = "global/gateways/default-internet-gateway"
)

func init() {
	addSpecs(computeAPI, map[string]string{
		PatComputeGetProject:    "compute.projects.get",
		PatComputeGetXpnHost:    "compute.projects.get",
		PatComputeListNetworks:  "compute.networks.list",
		PatComputeGetNetwork:    "compute.networks.get",
		PatComputeListSubnets:   "compute.subnetworks.list",
		PatComputeAggSubnets:    "compute.subnetworks.list",
		PatComputeGetSubnet:     "compute.subnetworks.get",
		PatComputeSetPGA:        "compute.subnetworks.setPrivateIpGoogleAccess",
		PatComputeAggRouters:    "compute.routers.list",
		PatComputeListRouters:   "compute.routers.list",
		PatComputeGetRouter:     "compute.routers.get",
		PatComputePatchRouter:   "compute.routers.update",
		PatComputeUpdateRouter:  "compute.routers.update",
		PatComputeRouterStatus:  "compute.routers.get",
		PatComputeListRoutes:    "compute.routes.list",
		PatComputeGetRoute:      "compute.routes.get",
		PatComputeInsertRoute:   "compute.routes.create",
		PatComputeDeleteRoute:   "compute.routes.delete",
		PatComputeAggAddresses:  "compute.addresses.list",
		PatComputeListAddresses: "compute.addresses.list",
		PatComputeGetRegionOp:   "compute.regionOperations.get",
		PatComputeWaitRegionOp:  "compute.regionOperations.get",
		PatComputeGetGlobalOp:   "compute.globalOperations.get",
		PatComputeWaitGlobalOp:  "compute.globalOperations.get",
	})
	restRegistrars = append(restRegistrars, registerCompute)
	seeders = append(seeders, seedCompute)
}

func registerCompute(s *Server, mux *http.ServeMux) {
	s.handle(mux, PatComputeGetProject, s.computeGetProject)
	s.handle(mux, PatComputeGetXpnHost, s.computeGetXpnHost)
	s.handle(mux, PatComputeListNetworks, s.computeListNetworks)
	s.handle(mux, PatComputeGetNetwork, s.computeGetNetwork)
	s.handle(mux, PatComputeListSubnets, s.computeListSubnets)
	s.handle(mux, PatComputeAggSubnets, s.computeAggSubnets)
	s.handle(mux, PatComputeGetSubnet, s.computeGetSubnet)
	s.handle(mux, PatComputeSetPGA, s.computeSetPGA)
	s.handle(mux, PatComputeAggRouters, s.computeAggRouters)
	s.handle(mux, PatComputeListRouters, s.computeListRouters)
	s.handle(mux, PatComputeGetRouter, s.computeGetRouter)
	s.handle(mux, PatComputePatchRouter, s.computeWriteRouter(PatComputePatchRouter, true))
	s.handle(mux, PatComputeUpdateRouter, s.computeWriteRouter(PatComputeUpdateRouter, false))
	s.handle(mux, PatComputeRouterStatus, s.computeRouterStatus)
	s.handle(mux, PatComputeListRoutes, s.computeListRoutes)
	s.handle(mux, PatComputeGetRoute, s.computeGetRoute)
	s.handle(mux, PatComputeInsertRoute, s.computeInsertRoute)
	s.handle(mux, PatComputeDeleteRoute, s.computeDeleteRoute)
	s.handle(mux, PatComputeAggAddresses, s.computeAggAddresses)
	s.handle(mux, PatComputeListAddresses, s.computeListAddresses)
	s.handle(mux, PatComputeGetRegionOp, s.computeGetOp("regions"))
	s.handle(mux, PatComputeWaitRegionOp, s.computeGetOp("regions"))
	s.handle(mux, PatComputeGetGlobalOp, s.computeGetOp("global"))
	s.handle(mux, PatComputeWaitGlobalOp, s.computeGetOp("global"))
	s.watchClose(func() { computeStates.Delete(s) })
}

// --- links -------------------------------------------------------------

// computeLink is the selfLink of projects/P/<parts...>.
func computeLink(project string, parts ...string) string {
	return computeBase + "projects/" + project + "/" + strings.Join(parts, "/")
}

// computePath is the projects/… path of a Compute reference given as a full
// URL (any host), a projects/… path, a global/… or regions/… path (in
// project), or a bare name (in project, under collection such as
// "global/networks" or "regions/us-central1/subnetworks").
func computePath(v, project, collection string) string {
	switch {
	case v == "":
		return ""
	case strings.Contains(v, "://"):
		if i := strings.Index(v, "/projects/"); i >= 0 {
			return v[i+1:]
		}
		return v
	case strings.HasPrefix(v, "projects/"):
		return v
	case strings.HasPrefix(v, "global/"), strings.HasPrefix(v, "regions/"), strings.HasPrefix(v, "zones/"):
		return "projects/" + project + "/" + v
	default:
		return "projects/" + project + "/" + collection + "/" + v
	}
}

// computeURL normalises a reference to the full URL Google returns.
func computeURL(v, project, collection string) string {
	p := computePath(v, project, collection)
	if p == "" || strings.Contains(p, "://") {
		return p
	}
	return computeBase + p
}

// computeSplitPath splits projects/P/<rest> into P and rest.
func computeSplitPath(p string) (project, rest string, ok bool) {
	if !strings.HasPrefix(p, "projects/") {
		return "", "", false
	}
	parts := strings.SplitN(strings.TrimPrefix(p, "projects/"), "/", 2)
	if len(parts) != 2 {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// computeHashID is a stable numeric id for a resource without one.
func computeHashID(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	id := h.Sum64() & (1<<63 - 1)
	if id < 1e18 {
		id += 1e18
	}
	return id
}

// computeNewFingerprint returns a fresh Compute fingerprint; callers hold s.mu.
func (s *Server) computeNewFingerprint() string {
	sum := sha256.Sum256([]byte(s.nextID("fingerprint")))
	return base64.StdEncoding.EncodeToString(sum[:8])
}

// computeRouterFingerprint is the emulator's fingerprint of a router: a hash of
// its content. compute/v1 Router has no fingerprint field; the emulator
// adds one to its GET answer and honours it in PATCH/PUT bodies.
func computeRouterFingerprint(rt *compute.Router) string {
	b, _ := json.Marshal(rt)
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:8])
}

func (s *Server) computeNow() string { return s.now().UTC().Format(computeTime) }

// --- errors ------------------------------------------------------------

// computeNotFound is Compute's 404 for a resource path projects/P/….
func computeNotFound(path string) *apiError {
	return notFound("The resource '%s' was not found", path)
}

// computeInvalidField is Compute's 400 for a bad field value.
func computeInvalidField(field, value, why string) *apiError {
	msg := fmt.Sprintf("Invalid value for field '%s': '%s'.", field, value)
	if why != "" {
		msg += " " + why
	}
	return invalidArgument("%s", msg)
}

// computeConditionNotMet is HTTP 412, as Compute answers a stale fingerprint and
// Cloud DNS a deletion that does not match.
func computeConditionNotMet(format string, args ...any) *apiError {
	e := withReason("conditionNotMet", codes.FailedPrecondition, format, args...)
	e.http = http.StatusPreconditionFailed
	return e
}

// computeProject resolves the {project} of a request; callers hold s.mu.
func (s *Server) computeProject(r *http.Request) (*Project, *apiError) {
	v := r.PathValue("project")
	p := s.project(v)
	if p == nil {
		return nil, computeNotFound("projects/" + v)
	}
	return p, nil
}

// computePage cuts the page maxResults and pageToken ask for; do not hold
// s.mu.
func computePage[T any](s *Server, r *http.Request, items []T) ([]T, string, *apiError) {
	q := r.URL.Query()
	size := 0
	if v := q.Get("maxResults"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 0 {
			return nil, "", computeInvalidField("maxResults", v, "Must be greater than or equal to 0")
		}
		if m > computeMaxPageSize {
			return nil, "", computeInvalidField("maxResults", v, fmt.Sprintf("Must be less than or equal to %d", computeMaxPageSize))
		}
		size = m
	}
	return cutPage(s, items, size, q.Get("pageToken"), computeDefaultPageSize)
}

// --- seeding -----------------------------------------------------------

// seedCompute normalises the scenario's Compute resources to the form
// Google returns: kind, selfLink, id, creationTimestamp and references
// (network, region, subnetworks of a NAT, NAT IPs, next hop gateway) as
// full URLs, whether the scenario wrote a name, a path or a URL.
func seedCompute(s *Server) {
	now := s.computeNow()
	for _, id := range s.order {
		p := s.projects[id]
		for _, sn := range p.Subnetworks {
			computeNormaliseSubnet(s, p.ProjectID, sn, now)
		}
		for _, n := range p.Networks {
			n.Kind = "compute#network"
			n.SelfLink = computeLink(p.ProjectID, "global/networks", n.Name)
			if n.Id == 0 {
				n.Id = computeHashID(n.SelfLink)
			}
			if n.SelfLinkWithId == "" {
				n.SelfLinkWithId = computeLink(p.ProjectID, "global/networks", strconv.FormatUint(n.Id, 10))
			}
			if n.CreationTimestamp == "" {
				n.CreationTimestamp = now
			}
			if len(n.Subnetworks) == 0 {
				for _, sn := range p.Subnetworks {
					if sn.Network == n.SelfLink {
						n.Subnetworks = append(n.Subnetworks, sn.SelfLink)
					}
				}
				sort.Strings(n.Subnetworks)
			} else {
				for i, v := range n.Subnetworks {
					n.Subnetworks[i] = computeURL(v, p.ProjectID, "regions/-/subnetworks")
				}
			}
		}
		for _, rt := range p.Routers {
			computeNormaliseRouter(p.ProjectID, rt)
			if rt.CreationTimestamp == "" {
				rt.CreationTimestamp = now
			}
		}
		for _, rt := range p.Routes {
			computeNormaliseRoute(p.ProjectID, rt)
			if rt.Id == 0 {
				rt.Id = computeHashID(rt.SelfLink)
			}
			if rt.CreationTimestamp == "" {
				rt.CreationTimestamp = now
			}
		}
		for _, a := range p.Addresses {
			a.Kind = "compute#address"
			if a.Region != "" {
				region := lastSegment(a.Region)
				a.Region = computeLink(p.ProjectID, "regions", region)
				a.SelfLink = computeLink(p.ProjectID, "regions", region, "addresses", a.Name)
				a.Subnetwork = computeURL(a.Subnetwork, p.ProjectID, "regions/"+region+"/subnetworks")
			} else {
				a.SelfLink = computeLink(p.ProjectID, "global/addresses", a.Name)
			}
			a.Network = computeURL(a.Network, p.ProjectID, "global/networks")
			for i, u := range a.Users {
				if strings.HasPrefix(u, "projects/") || strings.Contains(u, "://") {
					a.Users[i] = computeURL(u, p.ProjectID, "")
				}
			}
			if a.Id == 0 {
				a.Id = computeHashID(a.SelfLink)
			}
			if a.Status == "" {
				a.Status = "RESERVED"
				if len(a.Users) > 0 {
					a.Status = "IN_USE"
				}
			}
			if a.CreationTimestamp == "" {
				a.CreationTimestamp = now
			}
		}
		for _, st := range p.RouterStatus {
			st.Kind = "compute#routerStatusResponse"
		}
	}
}

func computeNormaliseSubnet(s *Server, project string, sn *compute.Subnetwork, now string) {
	region := lastSegment(sn.Region)
	sn.Kind = "compute#subnetwork"
	sn.Region = computeLink(project, "regions", region)
	sn.Network = computeURL(sn.Network, project, "global/networks")
	sn.SelfLink = computeLink(project, "regions", region, "subnetworks", sn.Name)
	if sn.Id == 0 {
		sn.Id = computeHashID(sn.SelfLink)
	}
	if sn.Fingerprint == "" {
		sn.Fingerprint = s.computeNewFingerprint()
	}
	if sn.Purpose == "" {
		sn.Purpose = "PRIVATE"
	}
	if sn.StackType == "" {
		sn.StackType = "IPV4_ONLY"
	}
	if sn.CreationTimestamp == "" {
		sn.CreationTimestamp = now
	}
}

// computeNormaliseRouter fills a router's output fields and turns its references
// into URLs (also after a PATCH or PUT).
func computeNormaliseRouter(project string, rt *compute.Router) {
	region := lastSegment(rt.Region)
	rt.Kind = "compute#router"
	rt.Region = computeLink(project, "regions", region)
	rt.Network = computeURL(rt.Network, project, "global/networks")
	rt.SelfLink = computeLink(project, "regions", region, "routers", rt.Name)
	if rt.Id == 0 {
		rt.Id = computeHashID(rt.SelfLink)
	}
	for _, nat := range rt.Nats {
		for _, sub := range nat.Subnetworks {
			sub.Name = computeURL(sub.Name, project, "regions/"+region+"/subnetworks")
		}
		for i, ip := range nat.NatIps {
			nat.NatIps[i] = computeURL(ip, project, "regions/"+region+"/addresses")
		}
		for i, ip := range nat.DrainNatIps {
			nat.DrainNatIps[i] = computeURL(ip, project, "regions/"+region+"/addresses")
		}
	}
}

func computeNormaliseRoute(project string, rt *compute.Route) {
	rt.Kind = "compute#route"
	rt.SelfLink = computeLink(project, "global/routes", rt.Name)
	rt.Network = computeURL(rt.Network, project, "global/networks")
	if rt.NextHopGateway == "default-internet-gateway" {
		rt.NextHopGateway = computeDefaultGatewayURL
	}
	rt.NextHopGateway = computeURL(rt.NextHopGateway, project, "global/gateways")
	rt.NextHopNetwork = computeURL(rt.NextHopNetwork, project, "global/networks")
	if rt.Priority == 0 {
		// JSON cannot tell an explicit 0 from an absent priority here;
		// Google's default is 1000.
		rt.Priority = computeDefaultRoutePrio
	}
	if rt.RouteType == "" {
		rt.RouteType = "STATIC"
	}
}

// --- lookups (callers hold s.mu) ----------------------------------------

// computeKind is one Compute collection of a project: where it is stored,
// what its items are named and, for a regional collection, the scope each
// item is listed under ("regions/R", or "global" for a global address).
type computeKind[T any] struct {
	stored func(*Project) []*T
	name   func(*T) string
	scope  func(*T) string // nil: a global collection
}

var (
	computeNetworks = computeKind[compute.Network]{
		stored: func(p *Project) []*compute.Network { return p.Networks },
		name:   func(n *compute.Network) string { return n.Name },
	}
	computeRoutes = computeKind[compute.Route]{
		stored: func(p *Project) []*compute.Route { return p.Routes },
		name:   func(rt *compute.Route) string { return rt.Name },
	}
	computeSubnets = computeKind[compute.Subnetwork]{
		stored: func(p *Project) []*compute.Subnetwork { return p.Subnetworks },
		name:   func(sn *compute.Subnetwork) string { return sn.Name },
		scope:  func(sn *compute.Subnetwork) string { return "regions/" + lastSegment(sn.Region) },
	}
	computeRouters = computeKind[compute.Router]{
		stored: func(p *Project) []*compute.Router { return p.Routers },
		name:   func(rt *compute.Router) string { return rt.Name },
		scope:  func(rt *compute.Router) string { return "regions/" + lastSegment(rt.Region) },
	}
	computeAddresses = computeKind[compute.Address]{
		stored: func(p *Project) []*compute.Address { return p.Addresses },
		name:   func(a *compute.Address) string { return a.Name },
		scope: func(a *compute.Address) string {
			if a.Region == "" {
				return "global"
			}
			return "regions/" + lastSegment(a.Region)
		},
	}
)

// in reports whether an item is in a region (every item of a global
// collection is, whatever the region).
func (c computeKind[T]) in(v *T, region string) bool {
	return c.scope == nil || c.scope(v) == "regions/"+region
}

// find returns the index and the item of the project's collection with
// that name (in that region, for a regional collection; -1 and nil when
// there is none).
func (c computeKind[T]) find(p *Project, region, name string) (int, *T) {
	for i, v := range c.stored(p) {
		if c.name(v) == name && c.in(v, region) {
			return i, v
		}
	}
	return -1, nil
}

// copies returns copies of a project's items, in stored order.
func (c computeKind[T]) copies(p *Project) []*T { return cloneJSONs(c.stored(p)) }

// computeNetworkByURL finds a network of any emulated project from its URL.
func (s *Server) computeNetworkByURL(u string) *compute.Network {
	project, rest, ok := computeSplitPath(computePath(u, "", "global/networks"))
	if !ok || !strings.HasPrefix(rest, "global/networks/") {
		return nil
	}
	p := s.project(project)
	if p == nil {
		return nil
	}
	_, n := computeNetworks.find(p, "", strings.TrimPrefix(rest, "global/networks/"))
	return n
}

// computeSubnetByURL finds a subnetwork of any emulated project from its URL.
func (s *Server) computeSubnetByURL(u string) *compute.Subnetwork {
	project, rest, ok := computeSplitPath(computePath(u, "", "regions/-/subnetworks"))
	if !ok {
		return nil
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 || parts[0] != "regions" || parts[2] != "subnetworks" {
		return nil
	}
	p := s.project(project)
	if p == nil {
		return nil
	}
	_, sn := computeSubnets.find(p, parts[1], parts[3])
	return sn
}

// computeScopes are the aggregated-list scopes of a project: the regions
// holding any subnetwork, router or address, and "global" when it holds a
// global address.
func computeScopes(p *Project) []string {
	set := map[string]bool{}
	for _, sn := range p.Subnetworks {
		set[computeSubnets.scope(sn)] = true
	}
	for _, rt := range p.Routers {
		set[computeRouters.scope(rt)] = true
	}
	for _, a := range p.Addresses {
		set[computeAddresses.scope(a)] = true
	}
	return sortedKeys(set)
}

// --- lists and gets ----------------------------------------------------

// computeListed is one page of a list (items []*T) or of an aggregated
// list (items map[string]ScopedList), with the ID of the project whose
// items they are.
type computeListed[I any] struct {
	project string
	items   I
	next    string
}

// computeList cuts one page of a list: copies of the project's items (in
// one region, for a regional collection), sorted by name.
func computeList[T any](s *Server, r *http.Request, c computeKind[T], region string) (computeListed[[]*T], *apiError) {
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return computeListed[[]*T]{}, e
	}
	var items []*T
	for _, v := range c.stored(p) {
		if c.in(v, region) {
			items = append(items, cloneJSON(v))
		}
	}
	pid := p.ProjectID
	s.mu.Unlock()
	sortByKey(items, c.name)
	page, next, e := computePage(s, r, items)
	return computeListed[[]*T]{pid, page, next}, e
}

// computeScoped is one resource of an aggregated list with its scope.
type computeScoped[T any] struct {
	scope, name string
	item        *T
}

// computeAggregate cuts one page of an aggregated list: copies of all the
// project's items, sorted by scope then name, as the scoped lists of every
// scope of the project (computeScopes), made by list (the items of a
// scope) or, for a scope without items on this page, by noResults (with
// the message of Google's NO_RESULTS_ON_PAGE warning).
func computeAggregate[T, L any](s *Server, r *http.Request, c computeKind[T], list func([]*T) L, noResults func(scope, message string) L) (computeListed[map[string]L], *apiError) {
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return computeListed[map[string]L]{}, e
	}
	var items []computeScoped[T]
	for _, v := range c.stored(p) {
		items = append(items, computeScoped[T]{c.scope(v), c.name(v), cloneJSON(v)})
	}
	scopes := computeScopes(p)
	pid := p.ProjectID
	s.mu.Unlock()
	sort.Slice(items, func(i, j int) bool {
		if items[i].scope != items[j].scope {
			return items[i].scope < items[j].scope
		}
		return items[i].name < items[j].name
	})
	page, next, e := computePage(s, r, items)
	if e != nil {
		return computeListed[map[string]L]{}, e
	}
	by := map[string][]*T{}
	for _, it := range page {
		by[it.scope] = append(by[it.scope], it.item)
	}
	out := computeListed[map[string]L]{project: pid, items: map[string]L{}, next: next}
	for sc, l := range by {
		out.items[sc] = list(l)
	}
	for _, sc := range scopes {
		if _, ok := by[sc]; !ok {
			out.items[sc] = noResults(sc, fmt.Sprintf("There are no results for scope '%s' on this page.", sc))
		}
	}
	return out, nil
}

// computeGet answers a copy of the project's item with that name (in that
// region, for a regional collection), or Compute's 404 for path.
func computeGet[T any](s *Server, w http.ResponseWriter, r *http.Request, c computeKind[T], region, name, path string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.computeProject(r)
	if e != nil {
		return e
	}
	_, v := c.find(p, region, name)
	if v == nil {
		return computeNotFound(path)
	}
	writeJSON(w, cloneJSON(v))
	return nil
}

// --- projects ----------------------------------------------------------

func (s *Server) computeProjectResource(p *Project) *compute.Project {
	out := &compute.Project{
		Kind:               "compute#project",
		Name:               p.ProjectID,
		SelfLink:           computeBase + "projects/" + p.ProjectID,
		DefaultNetworkTier: "PREMIUM",
	}
	out.Id, _ = strconv.ParseUint(p.ProjectNumber, 10, 64)
	for _, other := range s.projects {
		if other.SharedVPCHost != "" && (other.SharedVPCHost == p.ProjectID || other.SharedVPCHost == p.ProjectNumber) {
			out.XpnProjectStatus = "HOST"
			break
		}
	}
	return out
}

func (s *Server) computeGetProject(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return e
	}
	out := s.computeProjectResource(p)
	s.mu.Unlock()
	writeJSON(w, out)
	return nil
}

// computeGetXpnHost answers the Shared VPC host of a service project, or
// an empty object when it has none ("May be empty if no link exists").
func (s *Server) computeGetXpnHost(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return e
	}
	var out any = map[string]any{}
	if p.SharedVPCHost != "" {
		if host := s.project(p.SharedVPCHost); host != nil {
			hp := s.computeProjectResource(host)
			hp.XpnProjectStatus = "HOST"
			out = hp
		} else {
			out = &compute.Project{Kind: "compute#project", Name: p.SharedVPCHost, SelfLink: computeBase + "projects/" + p.SharedVPCHost, XpnProjectStatus: "HOST"}
		}
	}
	s.mu.Unlock()
	writeJSON(w, out)
	return nil
}

// --- networks ----------------------------------------------------------

func (s *Server) computeListNetworks(w http.ResponseWriter, r *http.Request) *apiError {
	l, e := computeList(s, r, computeNetworks, "")
	if e != nil {
		return e
	}
	writeJSON(w, &compute.NetworkList{
		Kind: "compute#networkList", Id: "projects/" + l.project + "/global/networks",
		SelfLink: computeLink(l.project, "global/networks"), Items: l.items, NextPageToken: l.next,
	})
	return nil
}

func (s *Server) computeGetNetwork(w http.ResponseWriter, r *http.Request) *apiError {
	path := fmt.Sprintf("projects/%s/global/networks/%s", r.PathValue("project"), r.PathValue("network"))
	return computeGet(s, w, r, computeNetworks, "", r.PathValue("network"), path)
}

// --- subnetworks -------------------------------------------------------

func (s *Server) computeListSubnets(w http.ResponseWriter, r *http.Request) *apiError {
	region := r.PathValue("region")
	l, e := computeList(s, r, computeSubnets, region)
	if e != nil {
		return e
	}
	writeJSON(w, &compute.SubnetworkList{
		Kind: "compute#subnetworkList", Id: "projects/" + l.project + "/regions/" + region + "/subnetworks",
		SelfLink: computeLink(l.project, "regions", region, "subnetworks"), Items: l.items, NextPageToken: l.next,
	})
	return nil
}

func (s *Server) computeAggSubnets(w http.ResponseWriter, r *http.Request) *apiError {
	l, e := computeAggregate(s, r, computeSubnets,
		func(items []*compute.Subnetwork) compute.SubnetworksScopedList {
			return compute.SubnetworksScopedList{Subnetworks: items}
		},
		func(scope, msg string) compute.SubnetworksScopedList {
			return compute.SubnetworksScopedList{Warning: &compute.SubnetworksScopedListWarning{
				Code: computeNoResultsOnPage, Message: msg,
				Data: []*compute.SubnetworksScopedListWarningData{{Key: "scope", Value: scope}},
			}}
		})
	if e != nil {
		return e
	}
	writeJSON(w, &compute.SubnetworkAggregatedList{
		Kind: "compute#subnetworkAggregatedList", Id: "projects/" + l.project + "/aggregated/subnetworks",
		SelfLink: computeLink(l.project, "aggregated/subnetworks"), NextPageToken: l.next, Items: l.items,
	})
	return nil
}

func (s *Server) computeGetSubnet(w http.ResponseWriter, r *http.Request) *apiError {
	return computeGet(s, w, r, computeSubnets, r.PathValue("region"), r.PathValue("subnetwork"), computeSubnetPath(r))
}

func computeSubnetPath(r *http.Request) string {
	return fmt.Sprintf("projects/%s/regions/%s/subnetworks/%s", r.PathValue("project"), r.PathValue("region"), r.PathValue("subnetwork"))
}

// computeSetPGA turns Private Google Access on or off; the body
// {"privateIpGoogleAccess": bool} arrives as {} for false (omitempty).
func (s *Server) computeSetPGA(w http.ResponseWriter, r *http.Request) *apiError {
	var body compute.SubnetworksSetPrivateIpGoogleAccessRequest
	if _, e := readComputeBody(r, &body); e != nil {
		return e
	}
	region := r.PathValue("region")
	op, e := s.computeMutate(PatComputeSetPGA, r, func(p *Project, opErr *apiError, commit bool) (*compute.Operation, *apiError) {
		_, sn := computeSubnets.find(p, region, r.PathValue("subnetwork"))
		if sn == nil {
			return nil, computeNotFound(computeSubnetPath(r))
		}
		if !commit {
			return nil, nil
		}
		if opErr == nil {
			sn.PrivateIpGoogleAccess = body.PrivateIpGoogleAccess
			sn.Fingerprint = s.computeNewFingerprint()
		}
		return s.newComputeOp(p, "regions/"+region, "setPrivateIpGoogleAccess", sn.SelfLink, sn.Id, opErr), nil
	})
	if e != nil {
		return e
	}
	writeJSON(w, op)
	return nil
}

// readComputeBody decodes a request body strictly (Google rejects unknown
// names); an empty body is an empty object. It returns the top-level
// field names the body had.
func readComputeBody(r *http.Request, v any) (map[string]bool, *apiError) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return nil, invalidArgument("Invalid JSON payload received. %v", err)
	}
	b := bytes.TrimSpace(buf.Bytes())
	if len(b) == 0 {
		return map[string]bool{}, nil
	}
	if e := computeDecodeStrict(b, v); e != nil {
		return nil, e
	}
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	fields := map[string]bool{}
	for k := range m {
		fields[k] = true
	}
	return fields, nil
}

func computeDecodeStrict(b []byte, v any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := err.Error()
		if m := jsonUnknownRE.FindStringSubmatch(msg); m != nil {
			return invalidArgument("Invalid JSON payload received. Unknown name %q: Cannot find field.", m[1])
		}
		return invalidArgument("Invalid JSON payload received. %s", strings.TrimPrefix(msg, "json: "))
	}
	return nil
}

// computeMutate validates a mutation under s.mu (commit false), consults
// the operation faults for its pattern, then runs it again under s.mu to
// commit (commit true; opErr non-nil means: do not apply, and let the
// operation end in that error).
func (s *Server) computeMutate(pattern string, r *http.Request, run func(p *Project, opErr *apiError, commit bool) (*compute.Operation, *apiError)) (*compute.Operation, *apiError) {
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e == nil {
		_, e = run(p, nil, false)
	}
	s.mu.Unlock()
	if e != nil {
		return nil, e
	}
	opErr := s.opFault(pattern, p.ProjectID)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e = s.computeProject(r)
	if e != nil {
		return nil, e
	}
	return run(p, opErr, true)
}

// --- routers -----------------------------------------------------------

func (s *Server) computeListRouters(w http.ResponseWriter, r *http.Request) *apiError {
	region := r.PathValue("region")
	l, e := computeList(s, r, computeRouters, region)
	if e != nil {
		return e
	}
	writeJSON(w, &compute.RouterList{
		Kind: "compute#routerList", Id: "projects/" + l.project + "/regions/" + region + "/routers",
		SelfLink: computeLink(l.project, "regions", region, "routers"), Items: l.items, NextPageToken: l.next,
	})
	return nil
}

func (s *Server) computeAggRouters(w http.ResponseWriter, r *http.Request) *apiError {
	l, e := computeAggregate(s, r, computeRouters,
		func(items []*compute.Router) compute.RoutersScopedList {
			return compute.RoutersScopedList{Routers: items}
		},
		func(scope, msg string) compute.RoutersScopedList {
			return compute.RoutersScopedList{Warning: &compute.RoutersScopedListWarning{
				Code: computeNoResultsOnPage, Message: msg,
				Data: []*compute.RoutersScopedListWarningData{{Key: "scope", Value: scope}},
			}}
		})
	if e != nil {
		return e
	}
	writeJSON(w, &compute.RouterAggregatedList{
		Kind: "compute#routerAggregatedList", Id: "projects/" + l.project + "/aggregated/routers",
		SelfLink: computeLink(l.project, "aggregated/routers"), NextPageToken: l.next, Items: l.items,
	})
	return nil
}

func computeRouterPath(r *http.Request) string {
	return fmt.Sprintf("projects/%s/regions/%s/routers/%s", r.PathValue("project"), r.PathValue("region"), r.PathValue("router"))
}

// computeGetRouter answers the router plus the emulator's "fingerprint"
// (an extra field the discovery client ignores; see computeRouterFingerprint).
func (s *Server) computeGetRouter(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.computeProject(r)
	if e != nil {
		return e
	}
	_, rt := computeRouters.find(p, r.PathValue("region"), r.PathValue("router"))
	if rt == nil {
		return computeNotFound(computeRouterPath(r))
	}
	b, err := json.Marshal(rt)
	if err != nil {
		return newError(codes.Internal, "encoding router: %v", err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["fingerprint"] = computeRouterFingerprint(rt)
	writeJSON(w, m)
	return nil
}

// computeWriteRouter serves PATCH (JSON merge patch: the fields given
// replace the stored ones, lists such as nats as a whole, null clears) and
// PUT (the body replaces the router). A "fingerprint" in the body must be
// the router's current one, else 412 conditionNotMet.
func (s *Server) computeWriteRouter(pattern string, merge bool) restHandler {
	return func(w http.ResponseWriter, r *http.Request) *apiError {
		var raw bytes.Buffer
		if _, err := raw.ReadFrom(r.Body); err != nil {
			return invalidArgument("Invalid JSON payload received. %v", err)
		}
		var patch map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&patch); err != nil || patch == nil {
			return invalidArgument("Invalid JSON payload received. Expected a Router object.")
		}
		fingerprint, hasFingerprint := patch["fingerprint"].(string)
		delete(patch, "fingerprint")
		region := r.PathValue("region")
		opType := "update"
		if merge {
			opType = "patch"
		}
		op, e := s.computeMutate(pattern, r, func(p *Project, opErr *apiError, commit bool) (*compute.Operation, *apiError) {
			i, cur := computeRouters.find(p, region, r.PathValue("router"))
			if cur == nil {
				return nil, computeNotFound(computeRouterPath(r))
			}
			if hasFingerprint && fingerprint != computeRouterFingerprint(cur) {
				return nil, computeConditionNotMet("Invalid fingerprint.")
			}
			next, e := s.computeBuildRouter(p, cur, patch, merge)
			if e != nil {
				return nil, e
			}
			if !commit {
				return nil, nil
			}
			if opErr == nil {
				p.Routers[i] = next
			}
			return s.newComputeOp(p, "regions/"+region, opType, cur.SelfLink, cur.Id, opErr), nil
		})
		if e != nil {
			return e
		}
		writeJSON(w, op)
		return nil
	}
}

// computeBuildRouter applies a PATCH or PUT body to the stored router and
// validates the result; callers hold s.mu.
func (s *Server) computeBuildRouter(p *Project, cur *compute.Router, body map[string]any, merge bool) (*compute.Router, *apiError) {
	var doc map[string]any
	if merge {
		b, _ := json.Marshal(cur)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		_ = dec.Decode(&doc)
		doc = computeMergePatch(doc, body).(map[string]any)
	} else {
		doc = body
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, invalidArgument("Invalid JSON payload received. %v", err)
	}
	next := new(compute.Router)
	if e := computeDecodeStrict(b, next); e != nil {
		return nil, e
	}
	if next.Name != "" && next.Name != cur.Name {
		return nil, computeInvalidField("resource.name", next.Name, "The name of a router cannot be changed.")
	}
	if next.Network != "" && computeURL(next.Network, p.ProjectID, "global/networks") != cur.Network {
		return nil, computeInvalidField("resource.network", next.Network, "The network of a router cannot be changed.")
	}
	// Output-only and immutable fields keep their stored values.
	next.Name, next.Network, next.Region = cur.Name, cur.Network, cur.Region
	next.Id, next.Kind, next.SelfLink, next.CreationTimestamp = cur.Id, cur.Kind, cur.SelfLink, cur.CreationTimestamp
	computeNormaliseRouter(p.ProjectID, next)
	region := lastSegment(cur.Region)
	seen := map[string]bool{}
	for i, nat := range next.Nats {
		field := fmt.Sprintf("resource.nats[%d]", i)
		if nat.Name == "" {
			return nil, computeInvalidField(field+".name", "", "Must be a match of regex '[a-z]([-a-z0-9]*[a-z0-9])?'")
		}
		if seen[nat.Name] {
			return nil, computeInvalidField(field+".name", nat.Name, "Duplicate NAT name.")
		}
		seen[nat.Name] = true
		switch nat.SourceSubnetworkIpRangesToNat {
		case "ALL_SUBNETWORKS_ALL_IP_RANGES", "ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES":
		case "LIST_OF_SUBNETWORKS":
			if len(nat.Subnetworks) == 0 {
				return nil, computeInvalidField(field+".subnetworks", "", "At least one subnetwork must be specified when sourceSubnetworkIpRangesToNat is LIST_OF_SUBNETWORKS.")
			}
		default:
			return nil, computeInvalidField(field+".sourceSubnetworkIpRangesToNat", nat.SourceSubnetworkIpRangesToNat, "Must be one of ALL_SUBNETWORKS_ALL_IP_RANGES, ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES, LIST_OF_SUBNETWORKS.")
		}
		for j, sub := range nat.Subnetworks {
			sn := s.computeSubnetByURL(sub.Name)
			if sn == nil || lastSegment(sn.Region) != region {
				return nil, computeInvalidField(fmt.Sprintf("%s.subnetworks[%d].name", field, j), sub.Name, "The referenced subnetwork resource cannot be found.")
			}
		}
	}
	return next, nil
}

// computeMergePatch applies an RFC 7386 JSON merge patch.
func computeMergePatch(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = computeMergePatch(tm[k], v)
	}
	return tm
}

// computeRouterStatus answers the scenario's routerStatus for the router,
// or one computed from its NATs: no VM endpoints, and NAT IPs from the
// addresses (NAT_AUTO addresses used by the router; the natIps of a
// MANUAL_ONLY NAT).
func (s *Server) computeRouterStatus(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.computeProject(r)
	if e != nil {
		return e
	}
	_, rt := computeRouters.find(p, r.PathValue("region"), r.PathValue("router"))
	if rt == nil {
		return computeNotFound(computeRouterPath(r))
	}
	if st, ok := p.RouterStatus[rt.Name]; ok {
		out := cloneJSON(st)
		out.Kind = "compute#routerStatusResponse"
		if out.Result == nil {
			out.Result = &compute.RouterStatus{}
		}
		if out.Result.Network == "" {
			out.Result.Network = rt.Network
		}
		s.adjustRouterStatus(p, rt, out)
		writeJSON(w, out)
		return nil
	}
	res := &compute.RouterStatus{Network: rt.Network}
	for _, nat := range rt.Nats {
		ns := &compute.RouterStatusNatStatus{Name: nat.Name, ForceSendFields: []string{"NumVmEndpointsWithNatMappings"}}
		if nat.NatIpAllocateOption == "MANUAL_ONLY" {
			for _, ip := range nat.NatIps {
				for _, a := range p.Addresses {
					if a.SelfLink == ip && a.Address != "" {
						ns.UserAllocatedNatIps = append(ns.UserAllocatedNatIps, a.Address)
						ns.UserAllocatedNatIpResources = append(ns.UserAllocatedNatIpResources, a.SelfLink)
					}
				}
			}
		} else {
			for _, a := range p.Addresses {
				if a.Purpose != "NAT_AUTO" || a.Address == "" {
					continue
				}
				for _, u := range a.Users {
					if u == rt.SelfLink || lastSegment(u) == rt.Name && strings.Contains(u, "/routers/") {
						ns.AutoAllocatedNatIps = append(ns.AutoAllocatedNatIps, a.Address)
						break
					}
				}
			}
		}
		res.NatStatus = append(res.NatStatus, ns)
	}
	writeJSON(w, &compute.RouterStatusResponse{Kind: "compute#routerStatusResponse", Result: res})
	return nil
}

// --- routes ------------------------------------------------------------

func (s *Server) computeListRoutes(w http.ResponseWriter, r *http.Request) *apiError {
	l, e := computeList(s, r, computeRoutes, "")
	if e != nil {
		return e
	}
	writeJSON(w, &compute.RouteList{
		Kind: "compute#routeList", Id: "projects/" + l.project + "/global/routes",
		SelfLink: computeLink(l.project, "global/routes"), Items: l.items, NextPageToken: l.next,
	})
	return nil
}

func computeRoutePath(r *http.Request) string {
	return fmt.Sprintf("projects/%s/global/routes/%s", r.PathValue("project"), r.PathValue("route"))
}

func (s *Server) computeGetRoute(w http.ResponseWriter, r *http.Request) *apiError {
	return computeGet(s, w, r, computeRoutes, "", r.PathValue("route"), computeRoutePath(r))
}

// computeInsertRoute creates a static route: 409 on a duplicate name, 400
// when the network does not exist or the route is incomplete.
func (s *Server) computeInsertRoute(w http.ResponseWriter, r *http.Request) *apiError {
	var in compute.Route
	fields, e := readComputeBody(r, &in)
	if e != nil {
		return e
	}
	op, e := s.computeMutate(PatComputeInsertRoute, r, func(p *Project, opErr *apiError, commit bool) (*compute.Operation, *apiError) {
		rt := cloneJSON(&in)
		if !validComputeName(rt.Name) {
			return nil, computeInvalidField("resource.name", rt.Name, "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'")
		}
		if rt.DestRange == "" {
			return nil, invalidArgument("Required field 'resource.destRange' not specified")
		}
		if rt.Network == "" {
			return nil, invalidArgument("Required field 'resource.network' not specified")
		}
		netURL := computeURL(rt.Network, p.ProjectID, "global/networks")
		if s.computeNetworkByURL(netURL) == nil {
			return nil, computeInvalidField("resource.network", rt.Network, "The referenced network resource cannot be found.")
		}
		hops := 0
		for _, h := range []string{rt.NextHopGateway, rt.NextHopInstance, rt.NextHopIp, rt.NextHopVpnTunnel, rt.NextHopIlb, rt.NextHopNetwork, rt.NextHopPeering, rt.NextHopHub, rt.NextHopInterconnectAttachment} {
			if h != "" {
				hops++
			}
		}
		if hops != 1 {
			return nil, invalidArgument("Invalid value for field 'resource': '%s'. Exactly one next hop must be specified.", rt.Name)
		}
		if rt.NextHopGateway != "" && lastSegment(rt.NextHopGateway) != "default-internet-gateway" {
			return nil, computeInvalidField("resource.nextHopGateway", rt.NextHopGateway, "The referenced gateway resource cannot be found.")
		}
		if _, dup := computeRoutes.find(p, "", rt.Name); dup != nil {
			return nil, alreadyExists("The resource 'projects/%s/global/routes/%s' already exists", p.ProjectID, rt.Name)
		}
		if !commit {
			return nil, nil
		}
		explicitZero := in.Priority == 0 && fields["priority"]
		computeNormaliseRoute(p.ProjectID, rt)
		if explicitZero {
			rt.Priority = 0
		}
		rt.Id = computeHashID(rt.SelfLink, s.nextID("route"))
		rt.CreationTimestamp = s.computeNow()
		rt.RouteStatus = "ACTIVE"
		if opErr == nil {
			p.Routes = append(p.Routes, rt)
		}
		return s.newComputeOp(p, "global", "insert", rt.SelfLink, rt.Id, opErr), nil
	})
	if e != nil {
		return e
	}
	writeJSON(w, op)
	return nil
}

func (s *Server) computeDeleteRoute(w http.ResponseWriter, r *http.Request) *apiError {
	op, e := s.computeMutate(PatComputeDeleteRoute, r, func(p *Project, opErr *apiError, commit bool) (*compute.Operation, *apiError) {
		i, rt := computeRoutes.find(p, "", r.PathValue("route"))
		if rt == nil {
			return nil, computeNotFound(computeRoutePath(r))
		}
		if !commit {
			return nil, nil
		}
		if opErr == nil {
			p.Routes = append(p.Routes[:i:i], p.Routes[i+1:]...)
		}
		return s.newComputeOp(p, "global", "delete", rt.SelfLink, rt.Id, opErr), nil
	})
	if e != nil {
		return e
	}
	writeJSON(w, op)
	return nil
}

func validComputeName(n string) bool {
	if n == "" || len(n) > 63 || n[0] < 'a' || n[0] > 'z' || n[len(n)-1] == '-' {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// --- addresses ---------------------------------------------------------

func (s *Server) computeListAddresses(w http.ResponseWriter, r *http.Request) *apiError {
	region := r.PathValue("region")
	l, e := computeList(s, r, computeAddresses, region)
	if e != nil {
		return e
	}
	writeJSON(w, &compute.AddressList{
		Kind: "compute#addressList", Id: "projects/" + l.project + "/regions/" + region + "/addresses",
		SelfLink: computeLink(l.project, "regions", region, "addresses"), Items: l.items, NextPageToken: l.next,
	})
	return nil
}

func (s *Server) computeAggAddresses(w http.ResponseWriter, r *http.Request) *apiError {
	l, e := computeAggregate(s, r, computeAddresses,
		func(items []*compute.Address) compute.AddressesScopedList {
			return compute.AddressesScopedList{Addresses: items}
		},
		func(scope, msg string) compute.AddressesScopedList {
			return compute.AddressesScopedList{Warning: &compute.AddressesScopedListWarning{
				Code: computeNoResultsOnPage, Message: msg,
				Data: []*compute.AddressesScopedListWarningData{{Key: "scope", Value: scope}},
			}}
		})
	if e != nil {
		return e
	}
	writeJSON(w, &compute.AddressAggregatedList{
		Kind: "compute#addressAggregatedList", Id: "projects/" + l.project + "/aggregated/addresses",
		SelfLink: computeLink(l.project, "aggregated/addresses"), NextPageToken: l.next, Items: l.items,
	})
	return nil
}

// --- inspection (tests) ------------------------------------------------

// Subnetwork returns a copy of a subnetwork's current state.
func (s *Server) Subnetwork(project, region, name string) (*compute.Subnetwork, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(project)
	if p == nil {
		return nil, false
	}
	_, sn := computeSubnets.find(p, region, name)
	if sn == nil {
		return nil, false
	}
	return cloneJSON(sn), true
}

// Router returns a copy of a router's current state (with its NATs).
func (s *Server) Router(project, region, name string) (*compute.Router, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(project)
	if p == nil {
		return nil, false
	}
	_, rt := computeRouters.find(p, region, name)
	if rt == nil {
		return nil, false
	}
	return cloneJSON(rt), true
}

// Routes returns copies of a project's routes, sorted by name.
func (s *Server) Routes(project string) []*compute.Route {
	return projectCopies(s, project, computeRoutes.copies, computeRoutes.name)
}

// Networks returns copies of a project's networks, sorted by name.
func (s *Server) Networks(project string) []*compute.Network {
	return projectCopies(s, project, computeNetworks.copies, computeNetworks.name)
}
