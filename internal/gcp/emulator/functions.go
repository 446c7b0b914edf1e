package emulator

// Cloud Functions v2, REST JSON, as the discovery client
// google.golang.org/api/cloudfunctions/v2 calls it (only the REST surface
// carries the Direct VPC egress fields serviceConfig.directVpcNetworkInterface
// and serviceConfig.directVpcEgress). Functions of both generations live in
// the v2 API; `environment` (GEN_1 / GEN_2) tells them apart.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	cloudfunctions "google.golang.org/api/cloudfunctions/v2"
)

// REST route patterns; each is also the method name faults and
// methodSpecs use.
const (
	fnListPattern  = "GET /v2/projects/{project}/locations/{location}/functions"
	fnGetPattern   = "GET /v2/projects/{project}/locations/{location}/functions/{function}"
	fnPatchPattern = "PATCH /v2/projects/{project}/locations/{location}/functions/{function}"
	fnOpGetPattern = "GET /v2/projects/{project}/locations/{location}/operations/{operation}"
)

const (
	fnFunctionType = "type.googleapis.com/google.cloud.functions.v2.Function"
	fnMetadataType = "type.googleapis.com/google.cloud.functions.v2.OperationMetadata"
)

func init() {
	addSpecs("cloudfunctions.googleapis.com", map[string]string{
		fnListPattern:  "cloudfunctions.functions.list",
		fnGetPattern:   "cloudfunctions.functions.get",
		fnPatchPattern: "cloudfunctions.functions.update",
		fnOpGetPattern: "cloudfunctions.operations.get",
	})
	restRegistrars = append(restRegistrars, func(s *Server, mux *http.ServeMux) {
		s.handle(mux, fnListPattern, s.fnList)
		s.handle(mux, fnGetPattern, s.fnGet)
		s.handle(mux, fnPatchPattern, s.fnPatch)
		s.handle(mux, fnOpGetPattern, s.fnOpGet)
	})
	seeders = append(seeders, seedFunctions)
}

// seedFunctions fills in what Google always returns: state, environment,
// url, and for 2nd gen functions the Cloud Run service behind them.
func seedFunctions(s *Server) {
	now := fnTime(s.now())
	for _, id := range s.order {
		p := s.projects[id]
		for _, f := range p.Functions {
			m := reFunction.FindStringSubmatch(f.Name)
			if m == nil {
				continue
			}
			loc, name := m[2], m[3]
			if f.State == "" {
				f.State = "ACTIVE"
			}
			if f.Environment == "" {
				f.Environment = "GEN_2"
			}
			if f.Url == "" {
				f.Url = fmt.Sprintf("https://%s-%s.cloudfunctions.net/%s", loc, p.ProjectID, name)
			}
			if f.UpdateTime == "" {
				f.UpdateTime = now
			}
			if f.Environment == "GEN_2" {
				if f.ServiceConfig == nil {
					f.ServiceConfig = &cloudfunctions.ServiceConfig{}
				}
				if f.ServiceConfig.Service == "" {
					f.ServiceConfig.Service = fmt.Sprintf("projects/%s/locations/%s/services/%s", m[1], loc, name)
				}
				if f.ServiceConfig.Uri == "" {
					// The deterministic Cloud Run URL SERVICE-PROJECT_NUMBER.REGION.run.app.
					f.ServiceConfig.Uri = fmt.Sprintf("https://%s-%s.%s.run.app", name, p.ProjectNumber, loc)
				}
			}
		}
	}
}

func fnTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// fnOperation is a Cloud Functions long-running operation (REST JSON). It
// is done once polled s.pendingPolls times (0: on the first poll).
type fnOperation struct {
	name      string
	metadata  map[string]any
	response  map[string]any // the Function with its @type
	err       *apiError
	pollsLeft int
	done      bool
}

// fnOps holds each server's Cloud Functions operations (guarded by s.mu);
// they are REST operations, apart from the gRPC ones in s.ops.
var fnOps sync.Map // *Server -> map[string]*fnOperation

// fnOpStore returns the server's operation map; callers hold s.mu.
func (s *Server) fnOpStore() map[string]*fnOperation {
	if v, ok := fnOps.Load(s); ok {
		return v.(map[string]*fnOperation)
	}
	m := map[string]*fnOperation{}
	fnOps.Store(s, m)
	return m
}

func (op *fnOperation) wire() map[string]any {
	out := map[string]any{"name": op.name, "metadata": op.metadata, "done": op.done}
	if op.done {
		if op.err != nil {
			out["error"] = fnRESTStatus(op.err)
		} else {
			out["response"] = op.response
		}
	}
	return out
}

// fnRESTStatus is the REST JSON form of google.rpc.Status.
func fnRESTStatus(e *apiError) map[string]any {
	st := map[string]any{"code": int(e.code), "message": e.message}
	if e.reason != "" {
		st["details"] = e.restDetails()
	}
	return st
}

// fnProject resolves the {project} of a request; callers hold s.mu.
func (s *Server) fnProject(r *http.Request, permission string) (*Project, *apiError) {
	v := r.PathValue("project")
	p := s.project(v)
	if p == nil {
		return nil, permissionDenied(permission, "projects/"+v)
	}
	return p, nil
}

// fnFind returns the stored function of a project at location/id.
func fnFind(p *Project, location, id string) *cloudfunctions.Function {
	for _, f := range p.Functions {
		m := reFunction.FindStringSubmatch(f.Name)
		if m != nil && m[2] == location && m[3] == id {
			return f
		}
	}
	return nil
}

// fnQueryInt reads an optional integer query parameter.
func fnQueryInt(r *http.Request, key string) (int, *apiError) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalidArgument("Invalid value at '%s' (TYPE_INT32), %q", fnSnake(key), v)
	}
	return n, nil
}

// fnSnake turns pageSize into page_size (as Google names fields in errors).
func fnSnake(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fnList serves ListFunctions; location "-" lists every location.
func (s *Server) fnList(w http.ResponseWriter, r *http.Request) *apiError {
	size, e := fnQueryInt(r, "pageSize")
	if e != nil {
		return e
	}
	if r.URL.Query().Get("filter") != "" {
		return invalidArgument("The emulator does not support the filter parameter of ListFunctions.")
	}
	loc := r.PathValue("location")
	s.mu.Lock()
	p, e := s.fnProject(r, "cloudfunctions.functions.list")
	var fns []*cloudfunctions.Function
	if e == nil {
		for _, f := range p.Functions {
			m := reFunction.FindStringSubmatch(f.Name)
			if m != nil && (loc == "-" || m[2] == loc) {
				fns = append(fns, cloneJSON(f))
			}
		}
	}
	s.mu.Unlock()
	if e != nil {
		return e
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Name < fns[j].Name })
	page, next, e := cutPage(s, fns, size, r.URL.Query().Get("pageToken"), 100)
	if e != nil {
		return e
	}
	writeJSON(w, &cloudfunctions.ListFunctionsResponse{Functions: page, NextPageToken: next})
	return nil
}

func fnNotFound(r *http.Request) *apiError {
	return notFound("Resource 'projects/%s/locations/%s/functions/%s' was not found",
		r.PathValue("project"), r.PathValue("location"), r.PathValue("function"))
}

// fnGet serves GetFunction.
func (s *Server) fnGet(w http.ResponseWriter, r *http.Request) *apiError {
	s.mu.Lock()
	p, e := s.fnProject(r, "cloudfunctions.functions.get")
	var f *cloudfunctions.Function
	if e == nil {
		if stored := fnFind(p, r.PathValue("location"), r.PathValue("function")); stored != nil {
			f = cloneJSON(stored)
		}
	}
	s.mu.Unlock()
	if e != nil {
		return e
	}
	if f == nil {
		return fnNotFound(r)
	}
	writeJSON(w, f)
	return nil
}

// fnOutputOnly are Function fields a request cannot change (ignored when
// a request carries them, as Google ignores output-only fields).
var fnOutputOnly = map[string]bool{
	"name": true, "state": true, "stateMessages": true, "updateTime": true, "createTime": true,
	"url": true, "satisfiesPzi": true, "satisfiesPzs": true, "upgradeInfo": true, "environment": true,
	"serviceConfig.service": true, "serviceConfig.uri": true, "serviceConfig.revision": true,
	"buildConfig.build": true,
}

// fnMaskPath checks one update-mask path (lowerCamel or snake_case)
// against the Function message and returns it in lowerCamel segments.
func fnMaskPath(path string) ([]string, bool) {
	segs := strings.Split(strings.TrimSpace(path), ".")
	t := reflect.TypeOf(cloudfunctions.Function{})
	for i, seg := range segs {
		seg = snakeToCamel(seg)
		segs[i] = seg
		if seg == "" {
			return nil, false
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Slice:
			// A repeated field can only be the last segment of a path.
			return nil, false
		case reflect.Map:
			// labels.KEY, environmentVariables.KEY: a map entry, the end.
			return segs, i == len(segs)-1
		case reflect.Struct:
			f, ok := fnJSONField(t, seg)
			if !ok {
				return nil, false
			}
			t = f.Type
		default:
			return nil, false
		}
	}
	return segs, true
}

func fnJSONField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("json"), ",")[0]
		if tag == name && tag != "" && tag != "-" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// fnApplyPath copies the value at path from src into dst, or deletes it
// from dst when src does not have it (JSON objects as maps).
func fnApplyPath(dst, src map[string]any, path []string) {
	key := path[0]
	if len(path) == 1 {
		if v, ok := src[key]; ok && v != nil {
			dst[key] = v
		} else {
			delete(dst, key)
		}
		return
	}
	sub, _ := src[key].(map[string]any)
	d, ok := dst[key].(map[string]any)
	if !ok {
		if sub == nil {
			return
		}
		d = map[string]any{}
		dst[key] = d
	}
	fnApplyPath(d, sub, path[1:])
}

func fnJSONMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

var (
	reFnConnector = regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/connectors/[^/]+$`)

	fnConnectorEgress = map[string]bool{"": true, "VPC_CONNECTOR_EGRESS_SETTINGS_UNSPECIFIED": true, "PRIVATE_RANGES_ONLY": true, "ALL_TRAFFIC": true}
	fnDirectEgress    = map[string]bool{"": true, "DIRECT_VPC_EGRESS_UNSPECIFIED": true, "VPC_EGRESS_PRIVATE_RANGES_ONLY": true, "VPC_EGRESS_ALL_TRAFFIC": true}
)

// fnValidate checks a function as an update would leave it.
func fnValidate(f *cloudfunctions.Function) *apiError {
	sc := f.ServiceConfig
	if sc == nil {
		return nil
	}
	if !fnConnectorEgress[sc.VpcConnectorEgressSettings] {
		return invalidArgument("Invalid value at 'function.service_config.vpc_connector_egress_settings' (type.googleapis.com/google.cloud.functions.v2.ServiceConfig.VpcConnectorEgressSettings), %q", sc.VpcConnectorEgressSettings)
	}
	if !fnDirectEgress[sc.DirectVpcEgress] {
		return invalidArgument("Invalid value at 'function.service_config.direct_vpc_egress' (type.googleapis.com/google.cloud.functions.v2.ServiceConfig.DirectVpcEgress), %q", sc.DirectVpcEgress)
	}
	direct := len(sc.DirectVpcNetworkInterface) > 0 || (sc.DirectVpcEgress != "" && sc.DirectVpcEgress != "DIRECT_VPC_EGRESS_UNSPECIFIED")
	if direct && f.Environment == "GEN_1" {
		return invalidArgument("Direct VPC egress is not supported for 1st gen functions: serviceConfig.directVpcNetworkInterface and serviceConfig.directVpcEgress cannot be set on function %s (environment GEN_1).", f.Name)
	}
	if sc.VpcConnector != "" && len(sc.DirectVpcNetworkInterface) > 0 {
		return invalidArgument("A function cannot use a Serverless VPC Access connector (serviceConfig.vpcConnector) and Direct VPC egress (serviceConfig.directVpcNetworkInterface) at the same time.")
	}
	if sc.VpcConnector != "" && !reFnConnector.MatchString(sc.VpcConnector) {
		return invalidArgument("Invalid value for serviceConfig.vpcConnector: %q, expected format projects/*/locations/*/connectors/*.", sc.VpcConnector)
	}
	if len(sc.DirectVpcNetworkInterface) > 1 {
		return invalidArgument("Only a single Direct VPC network interface is supported, got %d.", len(sc.DirectVpcNetworkInterface))
	}
	for _, ni := range sc.DirectVpcNetworkInterface {
		if ni == nil || (ni.Network == "" && ni.Subnetwork == "") {
			return invalidArgument("A Direct VPC network interface needs a network or a subnetwork.")
		}
	}
	return nil
}

var reFnRevision = regexp.MustCompile(`^(.*)-(\d{5})-([a-z0-9]+)$`)

// fnRevisionSuffix makes the three-letter suffix of a new revision name
// from a sequence number (deterministic per server).
func fnRevisionSuffix(n int) string {
	b := make([]byte, 3)
	for i := 2; i >= 0; i-- {
		b[i] = byte('a' + n%26)
		n /= 26
	}
	return string(b)
}

// fnPatch serves UpdateFunction: it applies the update mask (no mask:
// replace every updatable field), validates, and returns an operation that
// is done on its first poll. With an injected operation fault the operation
// ends in that error and the function is left unchanged.
func (s *Server) fnPatch(w http.ResponseWriter, r *http.Request) *apiError {
	body, err := fnReadBody(r)
	if err != nil {
		return err
	}
	var reqFn cloudfunctions.Function
	if err := json.Unmarshal(body, &reqFn); err != nil {
		return invalidArgument("Invalid JSON payload received. %v", err)
	}
	var reqMap map[string]any
	if err := json.Unmarshal(body, &reqMap); err != nil || reqMap == nil {
		return invalidArgument("Invalid JSON payload received. Expected an object.")
	}
	var paths [][]string
	if mask := r.URL.Query().Get("updateMask"); mask != "" {
		for _, p := range strings.Split(mask, ",") {
			segs, ok := fnMaskPath(p)
			if !ok {
				return invalidArgument("Invalid update mask: field %q does not exist in google.cloud.functions.v2.Function.", strings.TrimSpace(p))
			}
			paths = append(paths, segs)
		}
	} else {
		t := reflect.TypeOf(cloudfunctions.Function{})
		for i := 0; i < t.NumField(); i++ {
			tag := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
			if tag != "" && tag != "-" && !fnOutputOnly[tag] {
				paths = append(paths, []string{tag})
			}
		}
	}
	project := s.projectFromName("projects/" + r.PathValue("project"))
	noMask := r.URL.Query().Get("updateMask") == ""
	merge := func() (*cloudfunctions.Function, *cloudfunctions.Function, *apiError) {
		p, e := s.fnProject(r, "cloudfunctions.functions.update")
		if e != nil {
			return nil, nil, e
		}
		stored := fnFind(p, r.PathValue("location"), r.PathValue("function"))
		if stored == nil {
			return nil, nil, fnNotFound(r)
		}
		updated, e := fnMerge(stored, reqFn, reqMap, paths, noMask)
		return stored, updated, e
	}

	s.mu.Lock()
	_, _, e := merge()
	s.mu.Unlock()
	if e != nil {
		return e
	}
	// Only a valid request starts an operation, so only it meets an
	// operation fault.
	opErr := s.opFault(fnPatchPattern, project)

	s.mu.Lock()
	defer s.mu.Unlock()
	// Merge again: the state may have changed while the lock was released.
	stored, updated, e := merge()
	if e != nil {
		return e
	}
	now := s.now()
	if opErr == nil {
		updated.UpdateTime = fnTime(now)
		if updated.Environment == "GEN_2" && updated.ServiceConfig != nil {
			if m := reFnRevision.FindStringSubmatch(updated.ServiceConfig.Revision); m != nil {
				n, _ := strconv.Atoi(m[2])
				s.seq++
				updated.ServiceConfig.Revision = fmt.Sprintf("%s-%05d-%s", m[1], n+1, fnRevisionSuffix(s.seq))
			}
		}
		*stored = *cloneJSON(updated)
	}
	opName := fmt.Sprintf("projects/%s/locations/%s/operations/%s", r.PathValue("project"), r.PathValue("location"), s.nextID("operation-"))
	reqRes := fnJSONMap(&reqFn)
	reqRes["@type"] = fnFunctionType
	op := &fnOperation{
		name: opName,
		metadata: map[string]any{
			"@type":           fnMetadataType,
			"createTime":      fnTime(now),
			"target":          stored.Name,
			"verb":            "update",
			"apiVersion":      "v2",
			"operationType":   "UPDATE_FUNCTION",
			"requestResource": reqRes,
			"cancelRequested": false,
		},
		err:       opErr,
		pollsLeft: s.pendingPolls,
	}
	if opErr == nil {
		op.response = fnJSONMap(stored)
		op.response["@type"] = fnFunctionType
	}
	s.fnOpStore()[opName] = op
	writeJSON(w, op.wire())
	return nil
}

// fnMerge applies the mask paths of a request to a copy of the stored
// function, keeps output-only fields, and validates the result.
func fnMerge(stored *cloudfunctions.Function, reqFn cloudfunctions.Function, reqMap map[string]any, paths [][]string, noMask bool) (*cloudfunctions.Function, *apiError) {
	if reqFn.Environment != "" && reqFn.Environment != stored.Environment {
		asked := noMask
		for _, path := range paths {
			asked = asked || path[0] == "environment"
		}
		if asked {
			return nil, invalidArgument("The environment of function %s cannot be changed from %s to %s by an update.", stored.Name, stored.Environment, reqFn.Environment)
		}
	}
	cur := fnJSONMap(stored)
	for _, path := range paths {
		if fnOutputOnly[path[0]] || fnOutputOnly[strings.Join(path, ".")] {
			continue
		}
		fnApplyPath(cur, reqMap, path)
	}
	b, _ := json.Marshal(cur)
	updated := new(cloudfunctions.Function)
	if err := json.Unmarshal(b, updated); err != nil {
		return nil, invalidArgument("Invalid JSON payload received. %v", err)
	}
	// Output-only fields stay as they were.
	updated.Name, updated.State, updated.Environment = stored.Name, stored.State, stored.Environment
	updated.Url, updated.CreateTime, updated.UpdateTime = stored.Url, stored.CreateTime, stored.UpdateTime
	updated.StateMessages, updated.UpgradeInfo = cloneJSONs(stored.StateMessages), cloneJSON(stored.UpgradeInfo)
	updated.SatisfiesPzi, updated.SatisfiesPzs = stored.SatisfiesPzi, stored.SatisfiesPzs
	if osc := stored.ServiceConfig; osc != nil && (osc.Service != "" || osc.Uri != "" || osc.Revision != "") {
		if updated.ServiceConfig == nil {
			updated.ServiceConfig = &cloudfunctions.ServiceConfig{}
		}
		updated.ServiceConfig.Service, updated.ServiceConfig.Uri, updated.ServiceConfig.Revision = osc.Service, osc.Uri, osc.Revision
	} else if updated.ServiceConfig != nil {
		updated.ServiceConfig.Service, updated.ServiceConfig.Uri, updated.ServiceConfig.Revision = "", "", ""
	}
	if ob := stored.BuildConfig; updated.BuildConfig != nil {
		updated.BuildConfig.Build = ""
		if ob != nil {
			updated.BuildConfig.Build = ob.Build
		}
	}
	if e := fnValidate(updated); e != nil {
		return nil, e
	}
	return updated, nil
}

// fnReadBody reads a request body (at most 10 MiB).
func fnReadBody(r *http.Request) ([]byte, *apiError) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, 10<<20)); err != nil {
		return nil, invalidArgument("Invalid JSON payload received. %v", err)
	}
	if buf.Len() == 0 {
		return []byte("{}"), nil
	}
	return buf.Bytes(), nil
}

// fnOpGet serves operations.get for Cloud Functions operations.
func (s *Server) fnOpGet(w http.ResponseWriter, r *http.Request) *apiError {
	name := fmt.Sprintf("projects/%s/locations/%s/operations/%s", r.PathValue("project"), r.PathValue("location"), r.PathValue("operation"))
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.fnOpStore()[name]
	if !ok {
		return notFound("Operation '%s' was not found", name)
	}
	if !op.done {
		if op.pollsLeft > 0 {
			op.pollsLeft--
		} else {
			op.done = true
			op.metadata["endTime"] = fnTime(s.now())
		}
	}
	writeJSON(w, op.wire())
	return nil
}

// --- inspection ----------------------------------------------------------

// Function returns a copy of a Cloud Function by its full name
// (projects/P/locations/L/functions/F; P may be the ID or the number).
func (s *Server) Function(name string) (*cloudfunctions.Function, bool) {
	m := reFunction.FindStringSubmatch(name)
	if m == nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(m[1])
	if p == nil {
		return nil, false
	}
	f := fnFind(p, m[2], m[3])
	if f == nil {
		return nil, false
	}
	return cloneJSON(f), true
}

// Functions returns copies of a project's Cloud Functions, sorted by name.
func (s *Server) Functions(project string) []*cloudfunctions.Function {
	return projectCopies(s, project, func(p *Project) []*cloudfunctions.Function { return cloneJSONs(p.Functions) },
		func(f *cloudfunctions.Function) string { return f.Name })
}
