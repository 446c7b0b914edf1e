package emulator

// Cloud Run Admin API v2 (google.cloud.run.v2): Services, Revisions, Jobs and
// WorkerPools over gRPC. Services and worker pools keep revisions (in a
// store of this file, keyed by server); updates create revisions, honour
// traffic, validate vpcAccess against the emulator's connectors and
// networks, and answer with long-running operations.
//
// Behaviour taken from Google (sources in comments where it matters):
//   - ListServices / ListWorkerPools reject the "-" location (runpb
//     ListServicesRequest.parent: "Location must be a valid Google Cloud
//     region, and cannot be the "-" wildcard").
//   - NOT_FOUND reads "Resource 'S' of kind 'SERVICE' in region 'R' in
//     project 'P' does not exist." (gcloud output quoted in public code).
//   - vpcAccess with both or neither of connector and network_interfaces is
//     INVALID_ARGUMENT "Violation in <Request>.<path>.vpc_access.connector:
//     one and only one of connector and network_interfaces must be set."
//     (googleapis/google-cloud-node#4731, terraform-provider-google#15568).
//   - A revision that cannot become ready ends the update's operation with
//     FAILED_PRECONDITION (code 9) "Revision 'R' is not ready and cannot
//     serve traffic. …" (transparency-dev/tesseract#413, Terraform output);
//     traffic to a revision that does not exist ends it with INTERNAL (13)
//     "Revision 'R' does not exist or is deleted. Update all traffic to
//     route to currently available revisions."
//     (terraform-google-modules/terraform-docs-samples#269).
//   - A stale etag is ABORTED (the API only says the etag "may be used to
//     detect modification conflict"; the emulator is strict on purpose).

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"weak"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func init() {
	grpcRegistrars = append(grpcRegistrars, func(s *Server, g *grpc.Server) {
		runpb.RegisterServicesServer(g, &runServices{s: s})
		runpb.RegisterRevisionsServer(g, &runRevisions{s: s})
		runpb.RegisterJobsServer(g, &runJobs{s: s})
		runpb.RegisterWorkerPoolsServer(g, &runWorkerPools{s: s})
	})
	seeders = append(seeders, seedRun)
	// Permissions: https://cloud.google.com/run/docs/reference/iam/permissions
	// (worker pools are spelled run.workerpools.*, as also in runpb
	// UpdateWorkerPoolRequest.allow_missing: "'run.workerpools.create'").
	addSpecs("run.googleapis.com", map[string]string{
		"google.cloud.run.v2.Services/ListServices":        "run.services.list",
		"google.cloud.run.v2.Services/GetService":          "run.services.get",
		"google.cloud.run.v2.Services/UpdateService":       "run.services.update",
		"google.cloud.run.v2.Services/GetIamPolicy":        "run.services.getIamPolicy",
		"google.cloud.run.v2.Revisions/ListRevisions":      "run.revisions.list",
		"google.cloud.run.v2.Revisions/GetRevision":        "run.revisions.get",
		"google.cloud.run.v2.Jobs/ListJobs":                "run.jobs.list",
		"google.cloud.run.v2.Jobs/GetJob":                  "run.jobs.get",
		"google.cloud.run.v2.Jobs/UpdateJob":               "run.jobs.update",
		"google.cloud.run.v2.Jobs/GetIamPolicy":            "run.jobs.getIamPolicy",
		"google.cloud.run.v2.WorkerPools/ListWorkerPools":  "run.workerpools.list",
		"google.cloud.run.v2.WorkerPools/GetWorkerPool":    "run.workerpools.get",
		"google.cloud.run.v2.WorkerPools/UpdateWorkerPool": "run.workerpools.update",
		"google.cloud.run.v2.WorkerPools/GetIamPolicy":     "run.workerpools.getIamPolicy",
	})
}

// Method names, as faults and call counts know them.
const (
	runUpdateServiceMethod    = "google.cloud.run.v2.Services/UpdateService"
	runUpdateJobMethod        = "google.cloud.run.v2.Jobs/UpdateJob"
	runUpdateWorkerPoolMethod = "google.cloud.run.v2.WorkerPools/UpdateWorkerPool"
)

// --- per-server state ---------------------------------------------------

// runStates holds each server's Cloud Run state that has no place in
// Project (revisions, counters). It is keyed by a weak pointer, and the
// entry goes when the server is garbage collected.
var runStates sync.Map // weak.Pointer[Server] -> *runStore

type runStore struct {
	// revisions by owner key (runRef.key() of a service or worker pool),
	// oldest first; the last one is the latest created.
	revisions map[string][]*runRevision
	// updates counts etag generations (deterministic etags).
	updates int
}

type runRevision struct {
	rev *runpb.Revision
	// template is the owner's template the revision was made from
	// (RevisionTemplate or WorkerPoolRevisionTemplate), to tell whether an
	// update changes it.
	template proto.Message
	ready    bool
}

// run returns the server's Cloud Run store; callers hold s.mu.
func (s *Server) run() *runStore {
	k := weak.Make(s)
	if v, ok := runStates.Load(k); ok {
		return v.(*runStore)
	}
	st := &runStore{revisions: map[string][]*runRevision{}}
	v, loaded := runStates.LoadOrStore(k, st)
	if !loaded {
		runtime.AddCleanup(s, func(k weak.Pointer[Server]) { runStates.Delete(k) }, k)
	}
	return v.(*runStore)
}

// --- names ----------------------------------------------------------------

var (
	reRunResource = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/(services|jobs|workerPools)/([^/]+)$`)
	reRunParent   = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)$`)
	reRunRevision = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/services/([^/]+)/revisions/([^/]+)$`)
)

// runRef is a parsed Cloud Run resource name.
type runRef struct {
	project  string // the project ID (as given when unknown)
	given    string // the project as the name spells it (ID or number)
	location string
	kind     string // services, jobs, workerPools
	id       string
}

// key identifies the resource whatever spelling of the project it uses.
func (r runRef) key() string { return r.project + "/" + r.location + "/" + r.kind + "/" + r.id }

// parseRunRef parses a resource name of the given kind; callers hold s.mu.
func (s *Server) parseRunRef(name, kind string) (runRef, bool) {
	m := reRunResource.FindStringSubmatch(name)
	if m == nil || m[3] != kind {
		return runRef{}, false
	}
	id := s.projectID(m[1])
	if id == "" {
		id = m[1]
	}
	return runRef{project: id, given: m[1], location: m[2], kind: m[3], id: m[4]}, true
}

// runKind is the resource kind as Cloud Run's NOT_FOUND message spells it.
var runKind = map[string]string{"services": "SERVICE", "jobs": "JOB", "workerPools": "WORKER_POOL"}

func runNotFound(r runRef) *apiError {
	return notFound("Resource '%s' of kind '%s' in region '%s' in project '%s' does not exist.", r.id, runKind[r.kind], r.location, r.given)
}

// unknownProject is what Google answers for a project that does not exist
// (or that the caller cannot see).
func unknownProject(api, project string) *apiError {
	md := map[string]string{"consumer": "projects/" + project}
	if api != "" {
		md["service"] = api
	}
	return &apiError{
		code: codes.PermissionDenied, http: 403,
		message: fmt.Sprintf("Permission denied on resource project %s.", project),
		reason:  "CONSUMER_INVALID", domain: "googleapis.com", metadata: md, restReason: "forbidden",
	}
}

func badRunName(field, name, want string) *apiError {
	return invalidArgument("Invalid value for %s: %q is not of the form %s.", field, name, want)
}

// runParent checks a list parent projects/P/locations/R; callers hold s.mu.
func (s *Server) runParent(parent string) (*Project, string, *apiError) {
	m := reRunParent.FindStringSubmatch(parent)
	if m == nil {
		return nil, "", badRunName("parent", parent, "projects/{project}/locations/{location}")
	}
	if m[2] == "-" {
		return nil, "", invalidArgument(`Location must be a valid Google Cloud region, and cannot be the "-" wildcard.`)
	}
	p := s.project(m[1])
	if p == nil {
		return nil, "", unknownProject("run.googleapis.com", m[1])
	}
	// Any Cloud Run region may be listed (an empty list where the project
	// has nothing); the project's Regions only shape what Locations
	// returns.
	if !slices.Contains(p.Regions, m[2]) && !slices.Contains(DefaultRegions, m[2]) {
		return nil, "", invalidArgument("Location '%s' is not a valid Google Cloud region for project '%s'.", m[2], m[1])
	}
	return p, m[2], nil
}

// lookup finds a resource by name; callers hold s.mu.
func (s *Server) runLookup(name, kind string) (*Project, int, runRef, *apiError) {
	ref, ok := s.parseRunRef(name, kind)
	if !ok {
		return nil, -1, ref, badRunName("name", name, "projects/{project}/locations/{location}/"+kind+"/{id}")
	}
	p := s.projects[ref.project]
	if p == nil {
		return nil, -1, ref, unknownProject("run.googleapis.com", ref.given)
	}
	var names []string
	switch kind {
	case "services":
		for _, v := range p.Services {
			names = append(names, v.GetName())
		}
	case "jobs":
		for _, v := range p.Jobs {
			names = append(names, v.GetName())
		}
	case "workerPools":
		for _, v := range p.WorkerPools {
			names = append(names, v.GetName())
		}
	}
	for i, n := range names {
		if r, ok := s.parseRunRef(n, kind); ok && r.key() == ref.key() {
			return p, i, ref, nil
		}
	}
	return p, -1, ref, runNotFound(ref)
}

// inLocation reports whether a stored resource name is in a location.
func (s *Server) inLocation(name, kind, location string) bool {
	r, ok := s.parseRunRef(name, kind)
	return ok && r.location == location
}

// --- deterministic identifiers ------------------------------------------

func digest(parts ...string) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

const base36 = "abcdefghijklmnopqrstuvwxyz0123456789"

// token is n deterministic lowercase alphanumerics, starting with a letter.
func token(n int, parts ...string) string {
	d := digest(parts...)
	b := make([]byte, n)
	for i := range b {
		alphabet := base36
		if i == 0 {
			alphabet = base36[:26]
		}
		b[i] = alphabet[int(d[i%len(d)]+byte(i/len(d)))%len(alphabet)]
	}
	return string(b)
}

// runUID is a UUID-shaped deterministic uid.
func runUID(name string) string {
	d := digest("uid", name)
	return fmt.Sprintf("%x-%x-%x-%x-%x", d[0:4], d[4:6], d[6:8], d[8:10], d[10:16])
}

// runEtag mimics Cloud Run's etags ("CJem…/cHJvamVjdHMv…": an opaque
// version, a slash, the base64 of the name), deterministic from a counter.
func runEtag(name string, n int) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	v := base64.RawURLEncoding.EncodeToString(digest("etag", name, string(b[:]))[:12])
	return `"` + v + "/" + base64.RawStdEncoding.EncodeToString([]byte(name)) + `"`
}

// runRegionCodes are the region codes of *.a.run.app URLs.
var runRegionCodes = map[string]string{
	"asia-east1": "de", "asia-east2": "df", "asia-northeast1": "an", "asia-northeast2": "dt",
	"asia-northeast3": "du", "asia-south1": "el", "asia-southeast1": "as", "asia-southeast2": "et",
	"australia-southeast1": "ts", "europe-north1": "lz", "europe-west1": "ew", "europe-west2": "nw",
	"europe-west3": "ey", "europe-west4": "ez", "europe-west6": "oa", "northamerica-northeast1": "nn",
	"southamerica-east1": "rj", "us-central1": "uc", "us-east1": "ue", "us-east4": "uk",
	"us-west1": "uw", "us-west2": "wl", "us-west3": "wm", "us-west4": "wn",
}

// runURI is the service URL https://NAME-HASH-REGIONCODE.a.run.app, with a
// per-project hash (docs: /run/docs/triggering/https-request).
func runURI(id, projectNumber, region string) string {
	code := runRegionCodes[region]
	if code == "" {
		code = token(2, "region", region)
	}
	return fmt.Sprintf("https://%s-%s-%s.a.run.app", id, token(10, "project", projectNumber), code)
}

// runDeterministicURL is https://NAME-PROJECT_NUMBER.REGION.run.app.
func runDeterministicURL(id, projectNumber, region string) string {
	return fmt.Sprintf("https://%s-%s.%s.run.app", id, projectNumber, region)
}

// tagURI is the URL of a traffic tag: https://TAG---HOST.
func tagURI(uri, tag string) string {
	if uri == "" || tag == "" {
		return ""
	}
	return "https://" + tag + "---" + strings.TrimPrefix(uri, "https://")
}

// --- seeding -----------------------------------------------------------------

// seedRun derives what the scenario leaves implicit: revisions, etags,
// generations, URLs, conditions and traffic statuses.
func seedRun(s *Server) {
	st := s.run()
	st.revisions = map[string][]*runRevision{}
	st.updates = 0
	for _, pid := range s.order {
		p := s.projects[pid]
		for _, sv := range p.Services {
			s.seedService(st, p, sv)
		}
		for _, j := range p.Jobs {
			s.seedJob(st, j)
		}
		for _, wp := range p.WorkerPools {
			s.seedWorkerPool(st, p, wp)
		}
	}
}

func (s *Server) seedService(st *runStore, p *Project, sv *runpb.Service) {
	ref, ok := s.parseRunRef(sv.GetName(), "services")
	if !ok {
		return
	}
	s.seedRunMeta(st, sv.Name, &sv.Generation, &sv.ObservedGeneration, &sv.Uid, &sv.CreateTime, &sv.UpdateTime, &sv.Etag)
	if sv.Uri == "" {
		sv.Uri = runURI(ref.id, p.ProjectNumber, ref.location)
	}
	if len(sv.Urls) == 0 {
		sv.Urls = []string{sv.Uri, runDeterministicURL(ref.id, p.ProjectNumber, ref.location)}
	}
	if sv.Template == nil {
		sv.Template = &runpb.RevisionTemplate{}
	}
	key := ref.key()
	routed := namesOf(sv.Traffic, (*runpb.TrafficTarget).GetRevision)
	seen := s.seedRevisions(st, ref, sv.Name, sv.Generation, sv.Template, routed, &sv.LatestReadyRevision)
	// A latest created revision that traffic does not name failed to
	// become ready.
	if created := shortRevision(sv.LatestCreatedRevision); seen != nil && created != "" && !seen[created] {
		msg := "Revision failed to become ready."
		if tc := sv.TerminalCondition; tc != nil && tc.State == runpb.Condition_CONDITION_FAILED && tc.Message != "" {
			msg = tc.Message
		}
		st.revisions[key] = append(st.revisions[key], s.newRunRevision(sv.Name, "services", created, cloneProto(sv.Template), msg))
	}
	revs := st.revisions[key]
	if sv.LatestCreatedRevision == "" || !strings.Contains(sv.LatestCreatedRevision, "/") {
		sv.LatestCreatedRevision = revs[len(revs)-1].rev.Name
	}
	sv.Traffic = normalizeTraffic(sv.Traffic) // defaults populated, as the API returns them
	if len(sv.TrafficStatuses) == 0 {
		sv.TrafficStatuses = trafficStatuses(sv.Uri, sv.Traffic)
	}
	latest := revs[len(revs)-1]
	if sv.TerminalCondition == nil {
		if latest.ready {
			sv.TerminalCondition = runCondition("Ready", true, "", s.now())
		} else {
			sv.TerminalCondition = runCondition("Ready", false, latest.rev.Conditions[0].Message, s.now())
		}
	}
	if len(sv.Conditions) == 0 {
		sv.Conditions = []*runpb.Condition{
			runCondition("RoutesReady", true, "", s.now()),
			runCondition("ConfigurationsReady", latest.ready, sv.TerminalCondition.GetMessage(), s.now()),
		}
	}
	sv.Reconciling = false
}

func (s *Server) seedJob(st *runStore, j *runpb.Job) {
	s.seedRunMeta(st, j.Name, &j.Generation, &j.ObservedGeneration, &j.Uid, &j.CreateTime, &j.UpdateTime, &j.Etag)
	if j.TerminalCondition == nil {
		j.TerminalCondition = runCondition("Ready", true, "", s.now())
	}
	j.Reconciling = false
}

func (s *Server) seedWorkerPool(st *runStore, p *Project, wp *runpb.WorkerPool) {
	ref, ok := s.parseRunRef(wp.GetName(), "workerPools")
	if !ok {
		return
	}
	s.seedRunMeta(st, wp.Name, &wp.Generation, &wp.ObservedGeneration, &wp.Uid, &wp.CreateTime, &wp.UpdateTime, &wp.Etag)
	if wp.Template == nil {
		wp.Template = &runpb.WorkerPoolRevisionTemplate{}
	}
	routed := namesOf(wp.InstanceSplits, (*runpb.InstanceSplit).GetRevision)
	s.seedRevisions(st, ref, wp.Name, wp.Generation, wp.Template, routed, &wp.LatestReadyRevision)
	revs := st.revisions[ref.key()]
	if wp.LatestCreatedRevision == "" || !strings.Contains(wp.LatestCreatedRevision, "/") {
		wp.LatestCreatedRevision = revs[len(revs)-1].rev.Name
	}
	wp.InstanceSplits = normalizeSplits(wp.InstanceSplits)
	if len(wp.InstanceSplitStatuses) == 0 {
		wp.InstanceSplitStatuses = splitStatuses(wp.InstanceSplits)
	}
	if wp.TerminalCondition == nil {
		wp.TerminalCondition = runCondition("Ready", true, "", s.now())
	}
	wp.Reconciling = false
}

// seedRunMeta fills the metadata a seeded service, job or worker pool may
// leave out: generation 1, the observed generation, uid, create and update
// times, and an etag.
func (s *Server) seedRunMeta(st *runStore, name string, generation, observed *int64, uid *string, created, updated **timestamppb.Timestamp, etag *string) {
	now := timestamppb.New(s.now())
	if *generation == 0 {
		*generation = 1
	}
	if *observed == 0 {
		*observed = *generation
	}
	if *uid == "" {
		*uid = runUID(name)
	}
	if *created == nil {
		*created = now
	}
	if *updated == nil {
		*updated = *created
	}
	if *etag == "" {
		st.updates++
		*etag = runEtag(name, st.updates)
	}
}

// runTemplate is the template of a service or a worker pool.
type runTemplate interface {
	proto.Message
	GetRevision() string
}

// seedRevisions creates the revisions a seeded service or worker pool
// (owner, at ref) implies, unless the store holds some for it already: one
// for each other revision its traffic or instance splits route to
// (routed), which are older, then its latest ready one (*latestReady, else
// the template's revision, else a generated name), whose full name it sets
// in *latestReady. It returns the revision IDs it saw (nil when it created
// none).
func (s *Server) seedRevisions(st *runStore, ref runRef, owner string, generation int64, tmpl runTemplate, routed []string, latestReady *string) map[string]bool {
	key := ref.key()
	if len(st.revisions[key]) > 0 {
		return nil
	}
	ready := shortRevision(*latestReady)
	if ready == "" {
		ready = tmpl.GetRevision()
	}
	if ready == "" {
		ready = fmt.Sprintf("%s-%05d-%s", ref.id, generation, token(3, "revision", key, fmt.Sprint(generation)))
	}
	seen := map[string]bool{ready: true}
	for _, name := range routed {
		name = shortRevision(name)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		st.revisions[key] = append(st.revisions[key], s.newRunRevision(owner, ref.kind, name, cloneProto(tmpl), ""))
	}
	st.revisions[key] = append(st.revisions[key], s.newRunRevision(owner, ref.kind, ready, cloneProto(tmpl), ""))
	*latestReady = owner + "/revisions/" + ready
	return seen
}

// shortRevision is the revision ID of a full or short revision name.
func shortRevision(name string) string { return lastSegment(name) }

// --- inspection API (for tests) ------------------------------------------------

// Service returns a copy of a Cloud Run service by full name (project ID or
// number).
func (s *Server) Service(name string) (*runpb.Service, bool) {
	v, e := runServiceKind.get(s, name)
	return v, e == nil
}

// Services returns copies of a project's Cloud Run services, sorted by name.
func (s *Server) Services(project string) []*runpb.Service {
	return projectCopies(s, project, runServiceKind.copies, (*runpb.Service).GetName)
}

// Job returns a copy of a Cloud Run job by full name.
func (s *Server) Job(name string) (*runpb.Job, bool) {
	v, e := runJobKind.get(s, name)
	return v, e == nil
}

// WorkerPool returns a copy of a Cloud Run worker pool by full name.
func (s *Server) WorkerPool(name string) (*runpb.WorkerPool, bool) {
	v, e := runWorkerPoolKind.get(s, name)
	return v, e == nil
}

// Revisions returns copies of the revisions of a service (or worker pool),
// by full name, oldest first.
func (s *Server) Revisions(ownerName string) []*runpb.Revision {
	s.mu.Lock()
	defer s.mu.Unlock()
	kind := "services"
	if strings.Contains(ownerName, "/workerPools/") {
		kind = "workerPools"
	}
	ref, ok := s.parseRunRef(ownerName, kind)
	if !ok {
		return nil
	}
	var out []*runpb.Revision
	for _, r := range s.run().revisions[ref.key()] {
		out = append(out, cloneProto(r.rev))
	}
	return out
}
