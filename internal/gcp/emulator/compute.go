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
	spec := func(perm string) methodSpec { return methodSpec{API: computeAPI, Permission: perm} }
	addSpecs(map[string]methodSpec{
		PatComputeGetProject:    spec("compute.projects.get"),
		PatComputeGetXpnHost:    spec("compute.projects.get"),
		PatComputeListNetworks:  spec("compute.networks.list"),
		PatComputeGetNetwork:    spec("compute.networks.get"),
		PatComputeListSubnets:   spec("compute.subnetworks.list"),
		PatComputeAggSubnets:    spec("compute.subnetworks.list"),
		PatComputeGetSubnet:     spec("compute.subnetworks.get"),
		PatComputeSetPGA:        spec("compute.subnetworks.setPrivateIpGoogleAccess"),
		PatComputeAggRouters:    spec("compute.routers.list"),
		PatComputeListRouters:   spec("compute.routers.list"),
		PatComputeGetRouter:     spec("compute.routers.get"),
		PatComputePatchRouter:   spec("compute.routers.update"),
		PatComputeUpdateRouter:  spec("compute.routers.update"),
		PatComputeRouterStatus:  spec("compute.routers.get"),
		PatComputeListRoutes:    spec("compute.routes.list"),
		PatComputeGetRoute:      spec("compute.routes.get"),
		PatComputeInsertRoute:   spec("compute.routes.create"),
		PatComputeDeleteRoute:   spec("compute.routes.delete"),
		PatComputeAggAddresses:  spec("compute.addresses.list"),
		PatComputeListAddresses: spec("compute.addresses.list"),
		PatComputeGetRegionOp:   spec("compute.regionOperations.get"),
		PatComputeWaitRegionOp:  spec("compute.regionOperations.get"),
		PatComputeGetGlobalOp:   spec("compute.globalOperations.get"),
		PatComputeWaitGlobalOp:  spec("compute.globalOperations.get"),
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

// computeLast is the name at the end of a URL or path.
func computeLast(v string) string {
	if i := strings.LastIndex(v, "/"); i >= 0 {
		return v[i+1:]
	}
	return v
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
	e := newError(codes.FailedPrecondition, format, args...)
	e.http = http.StatusPreconditionFailed
	e.restReason = "conditionNotMet"
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

// computePage cuts one page with maxResults/pageToken; do not hold s.mu.
func (s *Server) computePage(r *http.Request, n int) (int, int, string, *apiError) {
	q := r.URL.Query()
	size := 0
	if v := q.Get("maxResults"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 0 {
			return 0, 0, "", computeInvalidField("maxResults", v, "Must be greater than or equal to 0")
		}
		if m > computeMaxPageSize {
			return 0, 0, "", computeInvalidField("maxResults", v, fmt.Sprintf("Must be less than or equal to %d", computeMaxPageSize))
		}
		size = m
	}
	return s.page(n, size, q.Get("pageToken"), computeDefaultPageSize)
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
				region := computeLast(a.Region)
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
	region := computeLast(sn.Region)
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
	region := computeLast(rt.Region)
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

func computeFindNetwork(p *Project, name string) *compute.Network {
	for _, n := range p.Networks {
		if n.Name == name {
			return n
		}
	}
	return nil
}

func computeFindSubnet(p *Project, region, name string) *compute.Subnetwork {
	for _, sn := range p.Subnetworks {
		if sn.Name == name && computeLast(sn.Region) == region {
			return sn
		}
	}
	return nil
}

func computeFindRouter(p *Project, region, name string) (int, *compute.Router) {
	for i, rt := range p.Routers {
		if rt.Name == name && computeLast(rt.Region) == region {
			return i, rt
		}
	}
	return -1, nil
}

func computeFindRoute(p *Project, name string) (int, *compute.Route) {
	for i, rt := range p.Routes {
		if rt.Name == name {
			return i, rt
		}
	}
	return -1, nil
}

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
	return computeFindNetwork(p, strings.TrimPrefix(rest, "global/networks/"))
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
	return computeFindSubnet(p, parts[1], parts[3])
}

// computeScopes are the aggregated-list scopes of a project: the regions
// holding any subnetwork, router or address, and "global" when it holds a
// global address.
func computeScopes(p *Project) []string {
	set := map[string]bool{}
	for _, sn := range p.Subnetworks {
		set["regions/"+computeLast(sn.Region)] = true
	}
	for _, rt := range p.Routers {
		set["regions/"+computeLast(rt.Region)] = true
	}
	for _, a := range p.Addresses {
		if a.Region == "" {
			set["global"] = true
		} else {
			set["regions/"+computeLast(a.Region)] = true
		}
	}
	return sortedKeys(set)
}

// computeScoped is one resource of an aggregated list with its scope.
type computeScoped[T any] struct {
	scope, name string
	item        *T
}

func computeSortScoped[T any](items []computeScoped[T]) {
	sort.Slice(items, func(i, j int) bool {
		if items[i].scope != items[j].scope {
			return items[i].scope < items[j].scope
		}
		return items[i].name < items[j].name
	})
}

// computeAggregatePage groups one page of items by scope and lists the scopes
// that have nothing on it.
func computeAggregatePage[T any](items []computeScoped[T], scopes []string) (map[string][]*T, []string) {
	by := map[string][]*T{}
	for _, it := range items {
		by[it.scope] = append(by[it.scope], it.item)
	}
	var empty []string
	for _, sc := range scopes {
		if _, ok := by[sc]; !ok {
			empty = append(empty, sc)
		}
	}
	return by, empty
}

func computeNoResultsMessage(scope string) string {
	return fmt.Sprintf("There are no results for scope '%s' on this page.", scope)
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
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return e
	}
	items := cloneJSONs(p.Networks)
	pid := p.ProjectID
	s.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	start, end, next, e := s.computePage(r, len(items))
	if e != nil {
		return e
	}
	writeJSON(w, &compute.NetworkList{
		Kind: "compute#networkList", Id: "projects/" + pid + "/global/networks",
		SelfLink: computeLink(pid, "global/networks"), Items: items[start:end], NextPageToken: next,
	})
	return nil
}

func (s *Server) computeGetNetwork(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.computeProject(r)
	if e != nil {
		return e
	}
	n := computeFindNetwork(p, r.PathValue("network"))
	if n == nil {
		return computeNotFound(fmt.Sprintf("projects/%s/global/networks/%s", r.PathValue("project"), r.PathValue("network")))
	}
	writeJSON(w, cloneJSON(n))
	return nil
}

// --- subnetworks -------------------------------------------------------

func (s *Server) computeListSubnets(w http.ResponseWriter, r *http.Request) *apiError {
	region := r.PathValue("region")
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return e
	}
	var items []*compute.Subnetwork
	for _, sn := range p.Subnetworks {
		if computeLast(sn.Region) == region {
			items = append(items, cloneJSON(sn))
		}
	}
	pid := p.ProjectID
	s.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	start, end, next, e := s.computePage(r, len(items))
	if e != nil {
		return e
	}
	writeJSON(w, &compute.SubnetworkList{
		Kind: "compute#subnetworkList", Id: "projects/" + pid + "/regions/" + region + "/subnetworks",
		SelfLink: computeLink(pid, "regions", region, "subnetworks"), Items: items[start:end], NextPageToken: next,
	})
	return nil
}

func (s *Server) computeAggSubnets(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return e
	}
	var items []computeScoped[compute.Subnetwork]
	for _, sn := range p.Subnetworks {
		items = append(items, computeScoped[compute.Subnetwork]{"regions/" + computeLast(sn.Region), sn.Name, cloneJSON(sn)})
	}
	scopes := computeScopes(p)
	pid := p.ProjectID
	s.mu.Unlock()
	computeSortScoped(items)
	start, end, next, e := s.computePage(r, len(items))
	if e != nil {
		return e
	}
	by, empty := computeAggregatePage(items[start:end], scopes)
	out := &compute.SubnetworkAggregatedList{
		Kind: "compute#subnetworkAggregatedList", Id: "projects/" + pid + "/aggregated/subnetworks",
		SelfLink: computeLink(pid, "aggregated/subnetworks"), NextPageToken: next,
		Items: map[string]compute.SubnetworksScopedList{},
	}
	for sc, l := range by {
		out.Items[sc] = compute.SubnetworksScopedList{Subnetworks: l}
	}
	for _, sc := range empty {
		out.Items[sc] = compute.SubnetworksScopedList{Warning: &compute.SubnetworksScopedListWarning{
			Code: computeNoResultsOnPage, Message: computeNoResultsMessage(sc),
			Data: []*compute.SubnetworksScopedListWarningData{{Key: "scope", Value: sc}},
		}}
	}
	writeJSON(w, out)
	return nil
}

func (s *Server) computeGetSubnet(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.computeProject(r)
	if e != nil {
		return e
	}
	sn := computeFindSubnet(p, r.PathValue("region"), r.PathValue("subnetwork"))
	if sn == nil {
		return computeNotFound(computeSubnetPath(r))
	}
	writeJSON(w, cloneJSON(sn))
	return nil
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
		sn := computeFindSubnet(p, region, r.PathValue("subnetwork"))
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
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return e
	}
	var items []*compute.Router
	for _, rt := range p.Routers {
		if computeLast(rt.Region) == region {
			items = append(items, cloneJSON(rt))
		}
	}
	pid := p.ProjectID
	s.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	start, end, next, e := s.computePage(r, len(items))
	if e != nil {
		return e
	}
	writeJSON(w, &compute.RouterList{
		Kind: "compute#routerList", Id: "projects/" + pid + "/regions/" + region + "/routers",
		SelfLink: computeLink(pid, "regions", region, "routers"), Items: items[start:end], NextPageToken: next,
	})
	return nil
}

func (s *Server) computeAggRouters(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return e
	}
	var items []computeScoped[compute.Router]
	for _, rt := range p.Routers {
		items = append(items, computeScoped[compute.Router]{"regions/" + computeLast(rt.Region), rt.Name, cloneJSON(rt)})
	}
	scopes := computeScopes(p)
	pid := p.ProjectID
	s.mu.Unlock()
	computeSortScoped(items)
	start, end, next, e := s.computePage(r, len(items))
	if e != nil {
		return e
	}
	by, empty := computeAggregatePage(items[start:end], scopes)
	out := &compute.RouterAggregatedList{
		Kind: "compute#routerAggregatedList", Id: "projects/" + pid + "/aggregated/routers",
		SelfLink: computeLink(pid, "aggregated/routers"), NextPageToken: next,
		Items: map[string]compute.RoutersScopedList{},
	}
	for sc, l := range by {
		out.Items[sc] = compute.RoutersScopedList{Routers: l}
	}
	for _, sc := range empty {
		out.Items[sc] = compute.RoutersScopedList{Warning: &compute.RoutersScopedListWarning{
			Code: computeNoResultsOnPage, Message: computeNoResultsMessage(sc),
			Data: []*compute.RoutersScopedListWarningData{{Key: "scope", Value: sc}},
		}}
	}
	writeJSON(w, out)
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
	_, rt := computeFindRouter(p, r.PathValue("region"), r.PathValue("router"))
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
			i, cur := computeFindRouter(p, region, r.PathValue("router"))
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
	region := computeLast(cur.Region)
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
			if sn == nil || computeLast(sn.Region) != region {
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
	_, rt := computeFindRouter(p, r.PathValue("region"), r.PathValue("router"))
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
					if u == rt.SelfLink || computeLast(u) == rt.Name && strings.Contains(u, "/routers/") {
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
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return e
	}
	items := cloneJSONs(p.Routes)
	pid := p.ProjectID
	s.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	start, end, next, e := s.computePage(r, len(items))
	if e != nil {
		return e
	}
	writeJSON(w, &compute.RouteList{
		Kind: "compute#routeList", Id: "projects/" + pid + "/global/routes",
		SelfLink: computeLink(pid, "global/routes"), Items: items[start:end], NextPageToken: next,
	})
	return nil
}

func computeRoutePath(r *http.Request) string {
	return fmt.Sprintf("projects/%s/global/routes/%s", r.PathValue("project"), r.PathValue("route"))
}

func (s *Server) computeGetRoute(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.computeProject(r)
	if e != nil {
		return e
	}
	_, rt := computeFindRoute(p, r.PathValue("route"))
	if rt == nil {
		return computeNotFound(computeRoutePath(r))
	}
	writeJSON(w, cloneJSON(rt))
	return nil
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
		if rt.NextHopGateway != "" && computeLast(rt.NextHopGateway) != "default-internet-gateway" {
			return nil, computeInvalidField("resource.nextHopGateway", rt.NextHopGateway, "The referenced gateway resource cannot be found.")
		}
		if _, dup := computeFindRoute(p, rt.Name); dup != nil {
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
		i, rt := computeFindRoute(p, r.PathValue("route"))
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
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return e
	}
	var items []*compute.Address
	for _, a := range p.Addresses {
		if a.Region != "" && computeLast(a.Region) == region {
			items = append(items, cloneJSON(a))
		}
	}
	pid := p.ProjectID
	s.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	start, end, next, e := s.computePage(r, len(items))
	if e != nil {
		return e
	}
	writeJSON(w, &compute.AddressList{
		Kind: "compute#addressList", Id: "projects/" + pid + "/regions/" + region + "/addresses",
		SelfLink: computeLink(pid, "regions", region, "addresses"), Items: items[start:end], NextPageToken: next,
	})
	return nil
}

func (s *Server) computeAggAddresses(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	p, e := s.computeProject(r)
	if e != nil {
		s.mu.Unlock()
		return e
	}
	var items []computeScoped[compute.Address]
	for _, a := range p.Addresses {
		sc := "global"
		if a.Region != "" {
			sc = "regions/" + computeLast(a.Region)
		}
		items = append(items, computeScoped[compute.Address]{sc, a.Name, cloneJSON(a)})
	}
	scopes := computeScopes(p)
	pid := p.ProjectID
	s.mu.Unlock()
	computeSortScoped(items)
	start, end, next, e := s.computePage(r, len(items))
	if e != nil {
		return e
	}
	by, empty := computeAggregatePage(items[start:end], scopes)
	out := &compute.AddressAggregatedList{
		Kind: "compute#addressAggregatedList", Id: "projects/" + pid + "/aggregated/addresses",
		SelfLink: computeLink(pid, "aggregated/addresses"), NextPageToken: next,
		Items: map[string]compute.AddressesScopedList{},
	}
	for sc, l := range by {
		out.Items[sc] = compute.AddressesScopedList{Addresses: l}
	}
	for _, sc := range empty {
		out.Items[sc] = compute.AddressesScopedList{Warning: &compute.AddressesScopedListWarning{
			Code: computeNoResultsOnPage, Message: computeNoResultsMessage(sc),
			Data: []*compute.AddressesScopedListWarningData{{Key: "scope", Value: sc}},
		}}
	}
	writeJSON(w, out)
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
	sn := computeFindSubnet(p, region, name)
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
	_, rt := computeFindRouter(p, region, name)
	if rt == nil {
		return nil, false
	}
	return cloneJSON(rt), true
}

// Routes returns copies of a project's routes, sorted by name.
func (s *Server) Routes(project string) []*compute.Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(project)
	if p == nil {
		return nil
	}
	out := cloneJSONs(p.Routes)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Networks returns copies of a project's networks, sorted by name.
func (s *Server) Networks(project string) []*compute.Network {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(project)
	if p == nil {
		return nil
	}
	out := cloneJSONs(p.Networks)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
