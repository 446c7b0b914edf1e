package emulator

// App Engine Admin API v1, REST JSON, as the discovery client
// google.golang.org/api/appengine/v1 calls it. The scenario holds the
// versions (apps/P/services/S/versions/V); the application and its
// services are derived from them.

import (
	"fmt"
	"net/http"
	"sort"

	appengine "google.golang.org/api/appengine/v1"
)

const (
	gaeAppGetPattern       = "GET /v1/apps/{appsId}"
	gaeServicesListPattern = "GET /v1/apps/{appsId}/services"
	gaeServiceGetPattern   = "GET /v1/apps/{appsId}/services/{servicesId}"
	gaeVersionsListPattern = "GET /v1/apps/{appsId}/services/{servicesId}/versions"
	gaeVersionGetPattern   = "GET /v1/apps/{appsId}/services/{servicesId}/versions/{versionsId}"
)

func init() {
	addSpecs("appengine.googleapis.com", map[string]string{
		gaeAppGetPattern:       "appengine.applications.get",
		gaeServicesListPattern: "appengine.services.list",
		gaeServiceGetPattern:   "appengine.services.get",
		gaeVersionsListPattern: "appengine.versions.list",
		gaeVersionGetPattern:   "appengine.versions.get",
	})
	restRegistrars = append(restRegistrars, func(s *Server, mux *http.ServeMux) {
		s.handle(mux, gaeAppGetPattern, s.gaeAppGet)
		s.handle(mux, gaeServicesListPattern, s.gaeServicesList)
		s.handle(mux, gaeServiceGetPattern, s.gaeServiceGet)
		s.handle(mux, gaeVersionsListPattern, s.gaeVersionsList)
		s.handle(mux, gaeVersionGetPattern, s.gaeVersionGet)
	})
	seeders = append(seeders, seedAppEngine)
}

// seedAppEngine fills in what Google always returns for a version.
func seedAppEngine(s *Server) {
	for _, id := range s.order {
		p := s.projects[id]
		for _, v := range p.AppEngineVersions {
			m := reAppEngineVersion.FindStringSubmatch(v.Name)
			if m == nil {
				continue
			}
			if v.Id == "" {
				v.Id = m[3]
			}
			if v.ServingStatus == "" {
				v.ServingStatus = "SERVING"
			}
			if v.Env == "" {
				v.Env = "standard"
			}
			if v.VersionUrl == "" {
				host := p.ProjectID + ".appspot.com"
				if m[2] != "default" {
					host = m[2] + "-dot-" + host
				}
				v.VersionUrl = "https://" + m[3] + "-dot-" + host
			}
		}
	}
}

// gaeVersions returns the project's versions of one service (all services
// when service is ""), sorted by service then version; callers hold s.mu.
func gaeVersions(p *Project, service string) []*appengine.Version {
	var out []*appengine.Version
	for _, v := range p.AppEngineVersions {
		m := reAppEngineVersion.FindStringSubmatch(v.Name)
		if m != nil && (service == "" || m[2] == service) {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func gaeSplit(name string) (service, version string) {
	m := reAppEngineVersion.FindStringSubmatch(name)
	if m == nil {
		return "", ""
	}
	return m[2], m[3]
}

// gaeApp resolves {appsId} to a project that has an App Engine
// application (any version); callers hold s.mu.
func (s *Server) gaeApp(r *http.Request) (*Project, *apiError) {
	id := r.PathValue("appsId")
	p := s.project(id)
	if p == nil || len(p.AppEngineVersions) == 0 {
		return nil, notFound("Could not find Application %q.", id)
	}
	return p, nil
}

// gaeLocation guesses the application's location: the region of a
// connector its versions use (connectors live in the app's region), else
// us-central. App Engine names us-central1 and europe-west1 without the 1.
func gaeLocation(p *Project) string {
	for _, v := range gaeVersions(p, "") {
		if c := v.VpcAccessConnector; c != nil {
			if m := reConnector.FindStringSubmatch(c.Name); m != nil {
				switch m[2] {
				case "us-central1":
					return "us-central"
				case "europe-west1":
					return "europe-west"
				}
				return m[2]
			}
		}
	}
	return "us-central"
}

// gaeAppGet serves apps.get.
func (s *Server) gaeAppGet(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	p, e := s.gaeApp(r)
	var app *appengine.Application
	if e == nil {
		app = &appengine.Application{
			Name:            "apps/" + p.ProjectID,
			Id:              p.ProjectID,
			LocationId:      gaeLocation(p),
			DefaultHostname: p.ProjectID + ".appspot.com",
			ServingStatus:   "SERVING",
			DatabaseType:    "CLOUD_DATASTORE_COMPATIBILITY",
		}
	}
	s.mu.Unlock()
	if e != nil {
		return e
	}
	writeJSON(w, app)
	return nil
}

// gaeServices derives the services from the versions: each service sends
// all its traffic to its first SERVING version (by version ID), or to its
// first version when none serves; callers hold s.mu.
func (s *Server) gaeServices(p *Project, appsID string) []*appengine.Service {
	byService := map[string][]*appengine.Version{}
	for _, v := range gaeVersions(p, "") {
		svc, _ := gaeSplit(v.Name)
		byService[svc] = append(byService[svc], v)
	}
	var out []*appengine.Service
	for _, svc := range sortedKeys(byService) {
		vs := byService[svc]
		target := vs[0]
		for _, v := range vs {
			if v.ServingStatus == "SERVING" {
				target = v
				break
			}
		}
		_, vid := gaeSplit(target.Name)
		out = append(out, &appengine.Service{
			Name:  fmt.Sprintf("apps/%s/services/%s", appsID, svc),
			Id:    svc,
			Split: &appengine.TrafficSplit{Allocations: map[string]float64{vid: 1}},
		})
	}
	return out
}

// gaeServicesList serves apps.services.list.
func (s *Server) gaeServicesList(w http.ResponseWriter, r *http.Request) *apiError {
	size, e := fnQueryInt(r, "pageSize")
	if e != nil {
		return e
	}
	s.mu.Lock()
	p, e := s.gaeApp(r)
	var svcs []*appengine.Service
	if e == nil {
		svcs = s.gaeServices(p, r.PathValue("appsId"))
	}
	s.mu.Unlock()
	if e != nil {
		return e
	}
	page, next, e := cutPage(s, svcs, size, r.URL.Query().Get("pageToken"), 100)
	if e != nil {
		return e
	}
	writeJSON(w, &appengine.ListServicesResponse{Services: page, NextPageToken: next})
	return nil
}

// gaeServiceGet serves apps.services.get.
func (s *Server) gaeServiceGet(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	p, e := s.gaeApp(r)
	var found *appengine.Service
	if e == nil {
		for _, svc := range s.gaeServices(p, r.PathValue("appsId")) {
			if svc.Id == r.PathValue("servicesId") {
				found = svc
			}
		}
	}
	s.mu.Unlock()
	if e != nil {
		return e
	}
	if found == nil {
		return gaeServiceNotFound(r)
	}
	writeJSON(w, found)
	return nil
}

func gaeServiceNotFound(r *http.Request) *apiError {
	return notFound("Could not find Service %q in Application %q.", r.PathValue("servicesId"), r.PathValue("appsId"))
}

// gaeView checks the view parameter: BASIC (the default) or FULL.
func gaeView(r *http.Request) (bool, *apiError) {
	switch v := r.URL.Query().Get("view"); v {
	case "", "BASIC":
		return false, nil
	case "FULL":
		return true, nil
	default:
		return false, invalidArgument("Invalid value at 'view' (type.googleapis.com/google.appengine.v1.VersionView), %q", v)
	}
}

// gaeBasic is the BASIC view of a version: identity, status, runtime,
// scaling and instance information, without the configuration (handlers,
// env variables, network, VPC access, …), which only FULL returns.
func gaeBasic(v *appengine.Version) *appengine.Version {
	return &appengine.Version{
		Name: v.Name, Id: v.Id, ServingStatus: v.ServingStatus, Env: v.Env, Vm: v.Vm,
		Runtime: v.Runtime, RuntimeApiVersion: v.RuntimeApiVersion, RuntimeChannel: v.RuntimeChannel,
		InstanceClass: v.InstanceClass, AutomaticScaling: cloneJSON(v.AutomaticScaling),
		BasicScaling: cloneJSON(v.BasicScaling), ManualScaling: cloneJSON(v.ManualScaling),
		CreateTime: v.CreateTime, CreatedBy: v.CreatedBy, DiskUsageBytes: v.DiskUsageBytes,
		VersionUrl: v.VersionUrl, Threadsafe: v.Threadsafe,
	}
}

func gaeViewOf(v *appengine.Version, full bool) *appengine.Version {
	if full {
		return cloneJSON(v)
	}
	return gaeBasic(v)
}

// gaeVersionsList serves apps.services.versions.list.
func (s *Server) gaeVersionsList(w http.ResponseWriter, r *http.Request) *apiError {
	size, e := fnQueryInt(r, "pageSize")
	if e != nil {
		return e
	}
	full, e := gaeView(r)
	if e != nil {
		return e
	}
	s.mu.Lock()
	p, e := s.gaeApp(r)
	var vs []*appengine.Version
	if e == nil {
		for _, v := range gaeVersions(p, r.PathValue("servicesId")) {
			vs = append(vs, gaeViewOf(v, full))
		}
		if len(vs) == 0 {
			e = gaeServiceNotFound(r)
		}
	}
	s.mu.Unlock()
	if e != nil {
		return e
	}
	page, next, e := cutPage(s, vs, size, r.URL.Query().Get("pageToken"), 100)
	if e != nil {
		return e
	}
	writeJSON(w, &appengine.ListVersionsResponse{Versions: page, NextPageToken: next})
	return nil
}

// gaeVersionGet serves apps.services.versions.get.
func (s *Server) gaeVersionGet(w http.ResponseWriter, r *http.Request) *apiError {
	full, e := gaeView(r)
	if e != nil {
		return e
	}
	s.mu.Lock()
	p, e := s.gaeApp(r)
	var found *appengine.Version
	if e == nil {
		for _, v := range gaeVersions(p, r.PathValue("servicesId")) {
			if _, vid := gaeSplit(v.Name); vid == r.PathValue("versionsId") {
				found = gaeViewOf(v, full)
			}
		}
	}
	s.mu.Unlock()
	if e != nil {
		return e
	}
	if found == nil {
		return notFound("Could not find Version %q of Service %q in Application %q.", r.PathValue("versionsId"), r.PathValue("servicesId"), r.PathValue("appsId"))
	}
	writeJSON(w, found)
	return nil
}

// --- inspection ----------------------------------------------------------

// AppEngineVersion returns a copy of an App Engine version by its full
// name (apps/P/services/S/versions/V; P may be the ID or the number).
func (s *Server) AppEngineVersion(name string) (*appengine.Version, bool) {
	m := reAppEngineVersion.FindStringSubmatch(name)
	if m == nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(m[1])
	if p == nil {
		return nil, false
	}
	for _, v := range p.AppEngineVersions {
		if svc, vid := gaeSplit(v.Name); svc == m[2] && vid == m[3] {
			return cloneJSON(v), true
		}
	}
	return nil, false
}

// AppEngineVersions returns copies of a project's App Engine versions,
// sorted by name.
func (s *Server) AppEngineVersions(project string) []*appengine.Version {
	return projectCopies(s, project, func(p *Project) []*appengine.Version { return cloneJSONs(gaeVersions(p, "")) }, nil)
}
