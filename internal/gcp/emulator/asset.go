package emulator

// Cloud Asset API v1 (google.cloud.asset.v1.AssetService):
// SearchAllResources over the emulator's live state.
//
// Supported:
//   - scope projects/P (ID or number), folders/F and organizations/O; a
//     folder or organisation covers every project whose parent chain
//     (Project.Parent, then the scenario's organization.folders) reaches it.
//     A scope that names nothing the emulator knows answers
//     PERMISSION_DENIED, as Google does for a scope the caller cannot see.
//     A project scope is gated like every call (cloudasset.googleapis.com
//     disabled → SERVICE_DISABLED; cloudasset.assets.searchAllResources
//     denied → PERMISSION_DENIED); folder and organisation scopes are not.
//   - asset_types: exact types and RE2 expressions matched against the
//     whole type ("run.googleapis.com.*", ".*Connector"). An expression
//     that matches no supported type answers INVALID_ARGUMENT, as documented;
//     an exact type the emulator does not model (compute.googleapis.com/Instance)
//     just finds nothing. Modelled types: see assetTypes.
//   - query: only location terms (location:REGION, location:us-*,
//     location:(a OR b), location=REGION) filter; every other term is
//     ignored.
//   - order_by and read_mask are ignored; results are sorted by name.
//   - paging: page_size (default 100, capped at 500) and page_token.
//
// Names follow Cloud Asset's full resource names with the project ID:
// //run.googleapis.com/projects/P/locations/R/services/S,
// //compute.googleapis.com/projects/P/regions/R/routers/N, and
// //appengine.googleapis.com/apps/P/services/S/versions/V. Cloud Functions
// (gen1 and gen2 alike, as the v2 API lists them) are reported as
// cloudfunctions.googleapis.com/Function. App Engine versions have no
// location (their name carries none).

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"

	"cloud.google.com/go/asset/apiv1/assetpb"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/structpb"
)

const methodSearchAllResources = "google.cloud.asset.v1.AssetService/SearchAllResources"

// The asset types the emulator models.
const (
	assetRunService    = "run.googleapis.com/Service"
	assetRunJob        = "run.googleapis.com/Job"
	assetRunWorkerPool = "run.googleapis.com/WorkerPool"
	assetConnector     = "vpcaccess.googleapis.com/Connector"
	assetRouter        = "compute.googleapis.com/Router"
	assetSubnetwork    = "compute.googleapis.com/Subnetwork"
	assetFunction      = "cloudfunctions.googleapis.com/Function"
	assetGAEVersion    = "appengine.googleapis.com/Version"
	assetProject       = "cloudresourcemanager.googleapis.com/Project"
)

var assetTypes = []string{
	assetRunService, assetRunJob, assetRunWorkerPool, assetConnector,
	assetRouter, assetSubnetwork, assetFunction, assetGAEVersion,
	assetProject,
}

func init() {
	grpcRegistrars = append(grpcRegistrars, func(s *Server, g *grpc.Server) {
		assetpb.RegisterAssetServiceServer(g, &assetServer{s: s})
	})
	addSpecs("cloudasset.googleapis.com", map[string]string{
		methodSearchAllResources: "cloudasset.assets.searchAllResources",
	})
}

type assetServer struct {
	assetpb.UnimplementedAssetServiceServer
	s *Server
}

// ancestors returns a project's folders (nearest first) and organisation.
// Callers hold s.mu.
func (s *Server) ancestors(p *Project) (folders []string, org string) {
	parentOf := map[string]string{}
	if s.scenario != nil && s.scenario.Organization != nil {
		for _, f := range s.scenario.Organization.Folders {
			parentOf["folders/"+strings.TrimPrefix(f.ID, "folders/")] = f.Parent
		}
	}
	seen := map[string]bool{}
	for cur := p.Parent; cur != "" && !seen[cur]; cur = parentOf[cur] {
		seen[cur] = true
		switch {
		case strings.HasPrefix(cur, "folders/"):
			folders = append(folders, cur)
		case strings.HasPrefix(cur, "organizations/"):
			return folders, cur
		default:
			return folders, org
		}
	}
	return folders, org
}

// scopeProjects resolves a search scope to project IDs. Callers hold s.mu.
func (s *Server) scopeProjects(scope string) ([]string, *apiError) {
	kind, id, ok := strings.Cut(scope, "/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return nil, invalidArgument("Invalid scope %q: expected projects/{PROJECT_ID}, projects/{PROJECT_NUMBER}, folders/{FOLDER_NUMBER} or organizations/{ORGANIZATION_NUMBER}.", scope)
	}
	denied := permissionDenied("cloudasset.assets.searchAllResources", scope)
	switch kind {
	case "projects":
		p := s.project(id)
		if p == nil {
			return nil, denied
		}
		return []string{p.ProjectID}, nil
	case "folders", "organizations":
		known := false
		if s.scenario != nil && s.scenario.Organization != nil {
			org := s.scenario.Organization
			if kind == "organizations" && strings.TrimPrefix(org.ID, "organizations/") == id {
				known = true
			}
			for _, f := range org.Folders {
				if kind == "folders" && strings.TrimPrefix(f.ID, "folders/") == id {
					known = true
				}
			}
		}
		var out []string
		for _, pid := range s.order {
			folders, org := s.ancestors(s.projects[pid])
			if org == scope || slices.Contains(folders, scope) {
				out = append(out, pid)
			}
		}
		if !known && len(out) == 0 {
			return nil, denied
		}
		return out, nil
	}
	return nil, invalidArgument("Invalid scope %q: expected projects/{PROJECT_ID}, projects/{PROJECT_NUMBER}, folders/{FOLDER_NUMBER} or organizations/{ORGANIZATION_NUMBER}.", scope)
}

// assetTypeFilter returns the modelled types a request's asset_types
// select (all of them when empty).
func assetTypeFilter(types []string) (map[string]bool, *apiError) {
	out := map[string]bool{}
	if len(types) == 0 {
		for _, t := range assetTypes {
			out[t] = true
		}
		return out, nil
	}
	for _, t := range types {
		if slices.Contains(assetTypes, t) {
			out[t] = true
			continue
		}
		re, err := regexp.Compile(`^(?:` + t + `)$`)
		if err != nil {
			return nil, invalidArgument("Invalid asset type %q: %v", t, err)
		}
		matched := false
		for _, at := range assetTypes {
			if re.MatchString(at) {
				out[at] = true
				matched = true
			}
		}
		if !matched && strings.ContainsAny(t, `*+?()[]{}|^$\`) {
			return nil, invalidArgument("The regular expression %q in asset_types does not match any supported asset type.", t)
		}
	}
	return out, nil
}

var (
	reAssetLocationList = regexp.MustCompile(`(?i)\blocation\s*[:=]\s*\(([^)]*)\)`)
	reAssetLocationTerm = regexp.MustCompile(`(?i)\blocation\s*([:=])\s*("[^"]*"|[^\s()]+)`)
	reAssetWordSplit    = regexp.MustCompile(`[^A-Za-z0-9*]+`)
)

// assetLocationFilter is the query's location terms; every term must match.
type assetLocationFilter [][]string // each term: alternatives (":x", "=x")

func parseAssetQuery(q string) assetLocationFilter {
	var out assetLocationFilter
	for _, m := range reAssetLocationList.FindAllStringSubmatch(q, -1) {
		var alts []string
		for _, a := range regexp.MustCompile(`(?i)\s+OR\s+`).Split(m[1], -1) {
			if a = strings.Trim(strings.TrimSpace(a), `"`); a != "" {
				alts = append(alts, ":"+a)
			}
		}
		out = append(out, alts)
	}
	rest := reAssetLocationList.ReplaceAllString(q, " ")
	for _, m := range reAssetLocationTerm.FindAllStringSubmatch(rest, -1) {
		out = append(out, []string{m[1] + strings.Trim(m[2], `"`)})
	}
	return out
}

func (f assetLocationFilter) match(location string) bool {
	for _, alts := range f {
		ok := false
		for _, a := range alts {
			if assetLocationMatches(a[:1], a[1:], location) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// assetLocationMatches implements "=" (exact) and ":" (every word of the term is
// a word, or with a trailing *, a word prefix, of the location).
func assetLocationMatches(op, term, location string) bool {
	if op == "=" {
		return strings.EqualFold(term, location)
	}
	words := reAssetWordSplit.Split(strings.ToLower(location), -1)
	for _, w := range reAssetWordSplit.Split(strings.ToLower(term), -1) {
		if w == "" {
			continue
		}
		found := false
		for _, lw := range words {
			if strings.HasSuffix(w, "*") && strings.HasPrefix(lw, strings.TrimSuffix(w, "*")) || lw == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// projectResources lists a project's resources as search results.
// Callers hold s.mu.
func (s *Server) projectResources(p *Project, types map[string]bool) []*assetpb.ResourceSearchResult {
	folders, org := s.ancestors(p)
	projectParent := "//cloudresourcemanager.googleapis.com/projects/" + p.ProjectID
	var out []*assetpb.ResourceSearchResult
	add := func(assetType, fullName, displayName, location, state string, labels map[string]string) *assetpb.ResourceSearchResult {
		r := &assetpb.ResourceSearchResult{
			Name:                   fullName,
			AssetType:              assetType,
			Project:                "projects/" + p.ProjectNumber,
			Folders:                append([]string(nil), folders...),
			Organization:           org,
			DisplayName:            displayName,
			Location:               location,
			State:                  state,
			ParentFullResourceName: projectParent,
			ParentAssetType:        "cloudresourcemanager.googleapis.com/Project",
		}
		if len(labels) > 0 {
			r.Labels = map[string]string{}
			for k, v := range labels {
				r.Labels[k] = v
			}
		}
		out = append(out, r)
		return r
	}
	// regional adds, when its type is selected, a resource named
	// projects/P/locations/R/KIND/ID (P the ID or the number).
	regional := func(assetType, service, name, state string, labels map[string]string) {
		parts := strings.Split(name, "/")
		if !types[assetType] || len(parts) != 6 {
			return
		}
		add(assetType, "//"+service+"/projects/"+p.ProjectID+"/locations/"+parts[3]+"/"+parts[4]+"/"+parts[5], parts[5], parts[3], state, labels)
	}
	// computeRegional adds, when its type is selected, a Compute resource
	// of a region (given by its URL).
	computeRegional := func(assetType, collection, name, regionURL, state string) {
		if !types[assetType] {
			return
		}
		region := lastSegment(regionURL)
		add(assetType, "//compute.googleapis.com/projects/"+p.ProjectID+"/regions/"+region+"/"+collection+"/"+name, name, region, state, nil)
	}
	if types[assetProject] {
		// The project itself, as Cloud Asset Inventory lists it: named by
		// number, with its ID in additionalAttributes.projectId.
		r := add(assetProject, "//cloudresourcemanager.googleapis.com/projects/"+p.ProjectNumber, p.ProjectID, "global", "ACTIVE", nil)
		r.ParentFullResourceName = "//cloudresourcemanager.googleapis.com/" + p.Parent
		r.ParentAssetType = ""
		r.AdditionalAttributes, _ = structpb.NewStruct(map[string]any{"projectId": p.ProjectID})
	}
	for _, v := range p.Services {
		regional(assetRunService, "run.googleapis.com", v.GetName(), "", v.GetLabels())
	}
	for _, v := range p.Jobs {
		regional(assetRunJob, "run.googleapis.com", v.GetName(), "", v.GetLabels())
	}
	for _, v := range p.WorkerPools {
		regional(assetRunWorkerPool, "run.googleapis.com", v.GetName(), "", v.GetLabels())
	}
	for _, v := range p.Connectors {
		regional(assetConnector, "vpcaccess.googleapis.com", v.GetName(), v.GetState().String(), nil)
	}
	for _, v := range p.Functions {
		if v != nil {
			regional(assetFunction, "cloudfunctions.googleapis.com", v.Name, v.State, v.Labels)
		}
	}
	for _, v := range p.Routers {
		if v != nil {
			computeRegional(assetRouter, "routers", v.Name, v.Region, "")
		}
	}
	for _, v := range p.Subnetworks {
		if v != nil {
			computeRegional(assetSubnetwork, "subnetworks", v.Name, v.Region, v.State)
		}
	}
	if types[assetGAEVersion] {
		for _, v := range p.AppEngineVersions {
			if v == nil {
				continue
			}
			m := reAppEngineVersion.FindStringSubmatch(v.Name)
			if m == nil {
				continue
			}
			r := add(assetGAEVersion, "//appengine.googleapis.com/apps/"+p.ProjectID+"/services/"+m[2]+"/versions/"+m[3], m[3], "", v.ServingStatus, nil)
			r.ParentFullResourceName = "//appengine.googleapis.com/apps/" + p.ProjectID + "/services/" + m[2]
			r.ParentAssetType = "appengine.googleapis.com/Service"
		}
	}
	return out
}

func (a *assetServer) SearchAllResources(_ context.Context, req *assetpb.SearchAllResourcesRequest) (*assetpb.SearchAllResourcesResponse, error) {
	s := a.s
	types, e := assetTypeFilter(req.GetAssetTypes())
	if e != nil {
		return nil, e.grpcErr()
	}
	if req.GetPageSize() < 0 {
		return nil, invalidArgument("page_size must not be negative").grpcErr()
	}
	loc := parseAssetQuery(req.GetQuery())
	s.mu.Lock()
	ids, e := s.scopeProjects(req.GetScope())
	var results []*assetpb.ResourceSearchResult
	if e == nil {
		for _, id := range ids {
			for _, r := range s.projectResources(s.projects[id], types) {
				if loc.match(r.GetLocation()) {
					results = append(results, r)
				}
			}
		}
	}
	s.mu.Unlock()
	if e != nil {
		return nil, e.grpcErr()
	}
	sort.SliceStable(results, func(i, j int) bool { return results[i].GetName() < results[j].GetName() })
	size := int(req.GetPageSize())
	if size > 500 {
		size = 500
	}
	page, next, e := cutPage(s, results, size, req.GetPageToken(), 100)
	if e != nil {
		return nil, e.grpcErr()
	}
	return &assetpb.SearchAllResourcesResponse{Results: page, NextPageToken: next}, nil
}
