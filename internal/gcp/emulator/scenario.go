package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	appengine "google.golang.org/api/appengine/v1"
	cloudfunctions "google.golang.org/api/cloudfunctions/v2"
	compute "google.golang.org/api/compute/v1"
	dns "google.golang.org/api/dns/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"gopkg.in/yaml.v3"
)

// Scenario is the emulator's seed: projects and their resources, written in
// each API's own REST JSON (lowerCamel field names), plus latency and
// faults. See testdata/scenarios/README.md for the format.
type Scenario struct {
	// Path is the file it was read from ("" when parsed from bytes).
	Path string
	// Latency is added to every call.
	Latency time.Duration
	// Faults are injected per method.
	Faults []Fault
	// RecordedAt, when set, is the time the scenario's time series were
	// recorded; the emulator shifts them so that they end at its own now.
	RecordedAt time.Time
	// MaxPageSize caps every list page (0: the APIs' defaults), so that
	// paging is exercised.
	MaxPageSize int
	// Organization is optional (for org-wide scans).
	Organization *Organization
	Projects     []*Project
}

// Organization is an organisation with its folders.
type Organization struct {
	ID          string   `yaml:"id" json:"id"`
	DisplayName string   `yaml:"displayName" json:"displayName,omitempty"`
	Folders     []Folder `yaml:"folders" json:"folders,omitempty"`
}

// Folder is a folder under an organisation or another folder.
type Folder struct {
	ID          string `yaml:"id" json:"id"`
	Parent      string `yaml:"parent" json:"parent"` // organizations/N or folders/N
	DisplayName string `yaml:"displayName" json:"displayName,omitempty"`
}

// Fault is an injected error (or delay) for one method.
type Fault struct {
	// Method is a gRPC full method ("google.cloud.run.v2.Services/UpdateService")
	// or a REST route ("GET /compute/v1/projects/{project}/aggregated/routers").
	Method string `yaml:"method" json:"method"`
	// Code is a gRPC code name (UNAVAILABLE) or an HTTP status (503); either
	// form works for either protocol. Empty with a Delay: only slow down.
	Code string `yaml:"code" json:"code,omitempty"`
	// Times is how many calls fail (0: every call from After on).
	Times int `yaml:"times" json:"times,omitempty"`
	// After is how many matching calls succeed before the fault starts.
	After int `yaml:"after" json:"after,omitempty"`
	// Delay is added to each faulted call.
	Delay time.Duration `yaml:"-" json:"-"`
	// Message overrides the error message.
	Message string `yaml:"message" json:"message,omitempty"`
	// Project limits the fault to requests for one project.
	Project string `yaml:"project" json:"project,omitempty"`
	// Operation makes a mutation's long-running operation end in this error
	// instead of failing the call itself.
	Operation bool `yaml:"operation" json:"operation,omitempty"`

	DelayText string `yaml:"delay" json:"delay,omitempty"`
}

// Project is one project of a scenario.
type Project struct {
	ProjectID     string
	ProjectNumber string
	Parent        string
	// SharedVPCHost is the host project of a Shared VPC service project.
	SharedVPCHost string
	// Regions lists the locations the Run and VPC Access Locations APIs
	// return (default: DefaultRegions).
	Regions           []string
	DisabledAPIs      []string
	DeniedPermissions []string

	Services            []*runpb.Service
	IAMPolicies         map[string]*iampb.Policy
	Jobs                []*runpb.Job
	WorkerPools         []*runpb.WorkerPool
	Functions           []*cloudfunctions.Function
	AppEngineVersions   []*appengine.Version
	Connectors          []*vpcaccesspb.Connector
	Networks            []*compute.Network
	Subnetworks         []*compute.Subnetwork
	Routers             []*compute.Router
	RouterStatus        map[string]*compute.RouterStatusResponse
	Routes              []*compute.Route
	Addresses           []*compute.Address
	ManagedZones        []*dns.ManagedZone
	ResourceRecordSets  map[string][]*dns.ResourceRecordSet
	Policies            []*dns.Policy
	ResponsePolicies    []*dns.ResponsePolicy
	ResponsePolicyRules map[string][]*dns.ResponsePolicyRule
	TimeSeries          []*monitoringpb.TimeSeries
}

// DefaultRegions are the Cloud Run regions the emulator's Locations APIs
// return when a project does not list its own.
var DefaultRegions = []string{
	"africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3",
	"asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1",
	"australia-southeast2", "europe-central2", "europe-north1", "europe-north2", "europe-southwest1",
	"europe-west1", "europe-west10", "europe-west12", "europe-west2", "europe-west3", "europe-west4",
	"europe-west6", "europe-west8", "europe-west9", "me-central1", "me-central2", "me-west1",
	"northamerica-northeast1", "northamerica-northeast2", "northamerica-south1", "southamerica-east1",
	"southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1",
	"us-west2", "us-west3", "us-west4",
}

// ScenarioError is a malformed scenario: the file, line and field at fault.
type ScenarioError struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *ScenarioError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
	} else {
		b.WriteString("scenario")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *ScenarioError) Unwrap() error { return e.Err }

// LoadScenario reads and validates a scenario file.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading scenario: %w", err)
	}
	return ParseScenario(path, data)
}

type scenarioFile struct {
	Latency      string        `yaml:"latency"`
	Faults       []Fault       `yaml:"faults"`
	RecordedAt   string        `yaml:"recordedAt"`
	MaxPageSize  int           `yaml:"maxPageSize"`
	Organization *Organization `yaml:"organization"`
	Projects     []projectFile `yaml:"projects"`
	Description  string        `yaml:"description"`
}

type projectFile struct {
	ProjectID         string   `yaml:"projectId"`
	ProjectNumber     string   `yaml:"projectNumber"`
	Parent            string   `yaml:"parent"`
	SharedVPCHost     string   `yaml:"sharedVpcHost"`
	Regions           []string `yaml:"regions"`
	DisabledAPIs      []string `yaml:"disabledApis"`
	DeniedPermissions []string `yaml:"deniedPermissions"`

	Services            yaml.Node `yaml:"services"`
	IAMPolicies         yaml.Node `yaml:"iamPolicies"`
	Jobs                yaml.Node `yaml:"jobs"`
	WorkerPools         yaml.Node `yaml:"workerPools"`
	Functions           yaml.Node `yaml:"functions"`
	AppEngineVersions   yaml.Node `yaml:"appEngineVersions"`
	Connectors          yaml.Node `yaml:"connectors"`
	Networks            yaml.Node `yaml:"networks"`
	Subnetworks         yaml.Node `yaml:"subnetworks"`
	Routers             yaml.Node `yaml:"routers"`
	RouterStatus        yaml.Node `yaml:"routerStatus"`
	Routes              yaml.Node `yaml:"routes"`
	Addresses           yaml.Node `yaml:"addresses"`
	ManagedZones        yaml.Node `yaml:"managedZones"`
	ResourceRecordSets  yaml.Node `yaml:"resourceRecordSets"`
	Policies            yaml.Node `yaml:"policies"`
	ResponsePolicies    yaml.Node `yaml:"responsePolicies"`
	ResponsePolicyRules yaml.Node `yaml:"responsePolicyRules"`
	TimeSeries          yaml.Node `yaml:"timeSeries"`
}

var yamlLineRE = regexp.MustCompile(`line (\d+): (.*)`)

// ParseScenario parses scenario YAML; name is used in error messages.
func ParseScenario(name string, data []byte) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(name, err)
	}
	var f scenarioFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ScenarioError{File: name, Err: errors.New("empty scenario")}
		}
		return nil, yamlError(name, err)
	}
	// Project node lines, for errors about project-level fields.
	projectLines := projectNodeLines(&root)

	sc := &Scenario{Path: name, MaxPageSize: f.MaxPageSize, Organization: f.Organization}
	if f.Latency != "" {
		d, err := time.ParseDuration(f.Latency)
		if err != nil {
			return nil, &ScenarioError{File: name, Line: keyLine(&root, "latency"), Field: "latency", Err: err}
		}
		sc.Latency = d
	}
	if f.RecordedAt != "" {
		t, err := time.Parse(time.RFC3339, f.RecordedAt)
		if err != nil {
			return nil, &ScenarioError{File: name, Line: keyLine(&root, "recordedAt"), Field: "recordedAt", Err: err}
		}
		sc.RecordedAt = t
	}
	for i, ft := range f.Faults {
		if ft.Method == "" {
			return nil, &ScenarioError{File: name, Line: keyLine(&root, "faults"), Field: fmt.Sprintf("faults[%d].method", i), Err: errors.New("missing")}
		}
		if ft.DelayText != "" {
			d, err := time.ParseDuration(ft.DelayText)
			if err != nil {
				return nil, &ScenarioError{File: name, Line: keyLine(&root, "faults"), Field: fmt.Sprintf("faults[%d].delay", i), Err: err}
			}
			ft.Delay = d
		}
		if ft.Code != "" {
			if _, _, err := parseCode(ft.Code); err != nil {
				return nil, &ScenarioError{File: name, Line: keyLine(&root, "faults"), Field: fmt.Sprintf("faults[%d].code", i), Err: err}
			}
		}
		sc.Faults = append(sc.Faults, ft)
	}
	seen := map[string]bool{}
	for i := range f.Projects {
		pf := &f.Projects[i]
		line := 0
		if i < len(projectLines) {
			line = projectLines[i]
		}
		field := fmt.Sprintf("projects[%d]", i)
		if pf.ProjectID == "" {
			return nil, &ScenarioError{File: name, Line: line, Field: field + ".projectId", Err: errors.New("missing")}
		}
		if seen[pf.ProjectID] {
			return nil, &ScenarioError{File: name, Line: line, Field: field + ".projectId", Err: fmt.Errorf("duplicate project %q", pf.ProjectID)}
		}
		seen[pf.ProjectID] = true
		if pf.ProjectNumber == "" {
			return nil, &ScenarioError{File: name, Line: line, Field: field + ".projectNumber", Err: errors.New("missing")}
		}
		if _, err := strconv.ParseUint(pf.ProjectNumber, 10, 64); err != nil {
			return nil, &ScenarioError{File: name, Line: line, Field: field + ".projectNumber", Err: fmt.Errorf("not a number: %q", pf.ProjectNumber)}
		}
		p, err := pf.decode(name, field)
		if err != nil {
			return nil, err
		}
		sc.Projects = append(sc.Projects, p)
	}
	return sc, nil
}

func yamlError(name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		if m := yamlLineRE.FindStringSubmatch(te.Errors[0]); m != nil {
			n, _ := strconv.Atoi(m[1])
			field := ""
			if fm := regexp.MustCompile(`field (\S+) not found`).FindStringSubmatch(m[2]); fm != nil {
				field = fm[1]
				return &ScenarioError{File: name, Line: n, Field: field, Err: errors.New("unknown field")}
			}
			return &ScenarioError{File: name, Line: n, Err: errors.New(m[2])}
		}
	}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &ScenarioError{File: name, Line: n, Err: errors.New(m[2])}
	}
	return &ScenarioError{File: name, Err: err}
}

func projectNodeLines(root *yaml.Node) []int {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	n := mapValue(doc, "projects")
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []int
	for _, c := range n.Content {
		out = append(out, c.Line)
	}
	return out
}

func keyLine(root *yaml.Node, key string) int {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return 0
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == key {
			return doc.Content[i].Line
		}
	}
	return 0
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// keyNode finds, depth first, the key node named key under n (for the line
// of a field that failed to decode).
func keyNode(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i]
			}
		}
	}
	for _, c := range n.Content {
		if k := keyNode(c, key); k != nil {
			return k
		}
	}
	return nil
}

// nodeJSON converts a YAML node to JSON bytes.
func nodeJSON(n *yaml.Node) ([]byte, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(jsonable(v))
}

// jsonable turns yaml.v3's decoded values into JSON-encodable ones.
func jsonable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = jsonable(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[fmt.Sprint(k)] = jsonable(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = jsonable(x)
		}
		return out
	case time.Time:
		return t.Format(time.RFC3339Nano)
	default:
		return v
	}
}

var (
	jsonUnknownRE  = regexp.MustCompile(`unknown field "([^"]+)"`)
	protoUnknownRE = regexp.MustCompile(`unknown field "([^"]+)"`)
)

// decodeErr builds a ScenarioError locating the field named in a decoding
// error inside the item node.
func decodeErr(file, field string, item *yaml.Node, err error) error {
	line := item.Line
	msg := err.Error()
	fieldName := ""
	if m := jsonUnknownRE.FindStringSubmatch(msg); m != nil {
		fieldName = m[1]
	} else if m := protoUnknownRE.FindStringSubmatch(msg); m != nil {
		fieldName = m[1]
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) && ute.Field != "" {
		parts := strings.Split(ute.Field, ".")
		fieldName = parts[len(parts)-1]
		msg = fmt.Sprintf("cannot use %s as %s", ute.Value, ute.Type)
	}
	if fieldName == "" {
		// protojson: `proto: (line 1:25): invalid value for enum field egress: "SOME"`
		if i := strings.Index(msg, "field "); i >= 0 {
			rest := msg[i+len("field "):]
			if j := strings.IndexAny(rest, ": "); j > 0 {
				fieldName = rest[:j]
			}
		}
	}
	if fieldName != "" {
		if k := keyNode(item, fieldName); k != nil {
			line = k.Line
		} else if k := keyNode(item, snakeToCamel(fieldName)); k != nil {
			line = k.Line
			fieldName = snakeToCamel(fieldName)
		}
		field = field + "." + fieldName
	}
	msg = strings.TrimPrefix(msg, "json: ")
	msg = regexp.MustCompile(`^proto: \(line \d+:\d+\): `).ReplaceAllString(msg, "")
	return &ScenarioError{File: file, Line: line, Field: field, Err: errors.New(msg)}
}

func snakeToCamel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

var protoOpts = protojson.UnmarshalOptions{}

// absent reports whether a scenario field is left out or null.
func absent(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// decodeItem decodes one REST JSON object (field names it in errors).
func decodeItem[T any](file, field string, item *yaml.Node, decode func([]byte, *T) error) (*T, error) {
	b, err := nodeJSON(item)
	if err != nil {
		return nil, &ScenarioError{File: file, Line: item.Line, Field: field, Err: err}
	}
	v := new(T)
	if err := decode(b, v); err != nil {
		return nil, decodeErr(file, field, item, err)
	}
	return v, nil
}

// decodeList decodes a YAML sequence of REST JSON objects with newItem.
func decodeList[T any](file, field string, n *yaml.Node, decode func([]byte, *T) error) ([]*T, error) {
	if absent(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, &ScenarioError{File: file, Line: n.Line, Field: field, Err: errors.New("want a list")}
	}
	var out []*T
	for i, item := range n.Content {
		f := fmt.Sprintf("%s[%d]", field, i)
		if item.Kind != yaml.MappingNode {
			return nil, &ScenarioError{File: file, Line: item.Line, Field: f, Err: errors.New("want an object")}
		}
		v, err := decodeItem(file, f, item, decode)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// decodeMap decodes a YAML mapping name -> value.
func decodeMap[T any](file, field string, n *yaml.Node, decode func([]byte, *T) error) (map[string]*T, error) {
	if absent(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, &ScenarioError{File: file, Line: n.Line, Field: field, Err: errors.New("want a mapping")}
	}
	out := map[string]*T{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, item := n.Content[i].Value, n.Content[i+1]
		f := fmt.Sprintf("%s[%s]", field, key)
		v, err := decodeItem(file, f, item, decode)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, nil
}

// decodeMapList decodes a YAML mapping name -> list.
func decodeMapList[T any](file, field string, n *yaml.Node, decode func([]byte, *T) error) (map[string][]*T, error) {
	if absent(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, &ScenarioError{File: file, Line: n.Line, Field: field, Err: errors.New("want a mapping")}
	}
	out := map[string][]*T{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		l, err := decodeList(file, fmt.Sprintf("%s[%s]", field, key), n.Content[i+1], decode)
		if err != nil {
			return nil, err
		}
		out[key] = l
	}
	return out, nil
}

func protoDecoder[T any, PT interface {
	*T
	proto.Message
}]() func([]byte, *T) error {
	return func(b []byte, v *T) error { return protoOpts.Unmarshal(b, PT(v)) }
}

func jsonDecoder[T any]() func([]byte, *T) error {
	return func(b []byte, v *T) error {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
}

func (pf *projectFile) decode(file, field string) (*Project, error) {
	p := &Project{
		ProjectID:         pf.ProjectID,
		ProjectNumber:     pf.ProjectNumber,
		Parent:            pf.Parent,
		SharedVPCHost:     pf.SharedVPCHost,
		Regions:           pf.Regions,
		DisabledAPIs:      pf.DisabledAPIs,
		DeniedPermissions: pf.DeniedPermissions,
	}
	var err error
	f := func(s string) string { return field + "." + s }
	if p.Services, err = decodeList(file, f("services"), &pf.Services, protoDecoder[runpb.Service]()); err != nil {
		return nil, err
	}
	if p.IAMPolicies, err = decodeMap(file, f("iamPolicies"), &pf.IAMPolicies, protoDecoder[iampb.Policy]()); err != nil {
		return nil, err
	}
	if p.Jobs, err = decodeList(file, f("jobs"), &pf.Jobs, protoDecoder[runpb.Job]()); err != nil {
		return nil, err
	}
	if p.WorkerPools, err = decodeList(file, f("workerPools"), &pf.WorkerPools, protoDecoder[runpb.WorkerPool]()); err != nil {
		return nil, err
	}
	if p.Functions, err = decodeList(file, f("functions"), &pf.Functions, jsonDecoder[cloudfunctions.Function]()); err != nil {
		return nil, err
	}
	if p.AppEngineVersions, err = decodeList(file, f("appEngineVersions"), &pf.AppEngineVersions, jsonDecoder[appengine.Version]()); err != nil {
		return nil, err
	}
	if p.Connectors, err = decodeList(file, f("connectors"), &pf.Connectors, protoDecoder[vpcaccesspb.Connector]()); err != nil {
		return nil, err
	}
	if p.Networks, err = decodeList(file, f("networks"), &pf.Networks, jsonDecoder[compute.Network]()); err != nil {
		return nil, err
	}
	if p.Subnetworks, err = decodeList(file, f("subnetworks"), &pf.Subnetworks, jsonDecoder[compute.Subnetwork]()); err != nil {
		return nil, err
	}
	if p.Routers, err = decodeList(file, f("routers"), &pf.Routers, jsonDecoder[compute.Router]()); err != nil {
		return nil, err
	}
	if p.RouterStatus, err = decodeMap(file, f("routerStatus"), &pf.RouterStatus, jsonDecoder[compute.RouterStatusResponse]()); err != nil {
		return nil, err
	}
	if p.Routes, err = decodeList(file, f("routes"), &pf.Routes, jsonDecoder[compute.Route]()); err != nil {
		return nil, err
	}
	if p.Addresses, err = decodeList(file, f("addresses"), &pf.Addresses, jsonDecoder[compute.Address]()); err != nil {
		return nil, err
	}
	if p.ManagedZones, err = decodeList(file, f("managedZones"), &pf.ManagedZones, jsonDecoder[dns.ManagedZone]()); err != nil {
		return nil, err
	}
	if p.ResourceRecordSets, err = decodeMapList(file, f("resourceRecordSets"), &pf.ResourceRecordSets, jsonDecoder[dns.ResourceRecordSet]()); err != nil {
		return nil, err
	}
	if p.Policies, err = decodeList(file, f("policies"), &pf.Policies, jsonDecoder[dns.Policy]()); err != nil {
		return nil, err
	}
	if p.ResponsePolicies, err = decodeList(file, f("responsePolicies"), &pf.ResponsePolicies, jsonDecoder[dns.ResponsePolicy]()); err != nil {
		return nil, err
	}
	if p.ResponsePolicyRules, err = decodeMapList(file, f("responsePolicyRules"), &pf.ResponsePolicyRules, jsonDecoder[dns.ResponsePolicyRule]()); err != nil {
		return nil, err
	}
	if p.TimeSeries, err = decodeList(file, f("timeSeries"), &pf.TimeSeries, protoDecoder[monitoringpb.TimeSeries]()); err != nil {
		return nil, err
	}
	if err := p.validate(file, field, pf); err != nil {
		return nil, err
	}
	return p, nil
}

// validate checks the names every emulated API relies on.
func (p *Project) validate(file, field string, pf *projectFile) error {
	bad := func(n *yaml.Node, i int, sub string, format string, args ...any) error {
		line := 0
		if n != nil && i < len(n.Content) {
			line = n.Content[i].Line
			if k := keyNode(n.Content[i], "name"); k != nil {
				line = k.Line
			}
		}
		return &ScenarioError{File: file, Line: line, Field: fmt.Sprintf("%s.%s[%d].name", field, sub, i), Err: fmt.Errorf(format, args...)}
	}
	check := func(sub string, n *yaml.Node, names []string, pattern *regexp.Regexp, want string) error {
		for i, name := range names {
			m := pattern.FindStringSubmatch(name)
			if m == nil {
				return bad(n, i, sub, "%q is not of the form %s", name, want)
			}
			if m[1] != p.ProjectID && m[1] != p.ProjectNumber {
				return bad(n, i, sub, "%q belongs to project %q, not %q", name, m[1], p.ProjectID)
			}
		}
		return nil
	}
	for _, c := range []struct {
		sub     string
		n       *yaml.Node
		names   []string
		pattern *regexp.Regexp
		want    string
	}{
		{"services", &pf.Services, namesOf(p.Services, (*runpb.Service).GetName), reRunService, "projects/P/locations/R/services/S"},
		{"jobs", &pf.Jobs, namesOf(p.Jobs, (*runpb.Job).GetName), reRunJob, "projects/P/locations/R/jobs/J"},
		{"workerPools", &pf.WorkerPools, namesOf(p.WorkerPools, (*runpb.WorkerPool).GetName), reRunWorkerPool, "projects/P/locations/R/workerPools/W"},
		{"connectors", &pf.Connectors, namesOf(p.Connectors, (*vpcaccesspb.Connector).GetName), reConnector, "projects/P/locations/R/connectors/C"},
		{"functions", &pf.Functions, namesOf(p.Functions, func(f *cloudfunctions.Function) string { return f.Name }), reFunction, "projects/P/locations/R/functions/F"},
		{"appEngineVersions", &pf.AppEngineVersions, namesOf(p.AppEngineVersions, func(v *appengine.Version) string { return v.Name }), reAppEngineVersion, "apps/P/services/S/versions/V"},
	} {
		if err := check(c.sub, c.n, c.names, c.pattern, c.want); err != nil {
			return err
		}
	}
	for i, s := range p.Subnetworks {
		if s.Name == "" || s.Region == "" || s.Network == "" {
			return bad(&pf.Subnetworks, i, "subnetworks", "name, region and network are required")
		}
	}
	for i, r := range p.Routers {
		if r.Name == "" || r.Region == "" || r.Network == "" {
			return bad(&pf.Routers, i, "routers", "name, region and network are required")
		}
	}
	for i, n := range p.Networks {
		if n.Name == "" {
			return bad(&pf.Networks, i, "networks", "name is required")
		}
	}
	for i, z := range p.ManagedZones {
		if z.Name == "" || !strings.HasSuffix(z.DnsName, ".") {
			return bad(&pf.ManagedZones, i, "managedZones", "name and a dnsName ending in '.' are required")
		}
	}
	for i, a := range p.Addresses {
		if a.Name == "" {
			return bad(&pf.Addresses, i, "addresses", "name is required")
		}
	}
	for i, r := range p.Routes {
		if r.Name == "" || r.DestRange == "" {
			return bad(&pf.Routes, i, "routes", "name and destRange are required")
		}
	}
	zones := map[string]bool{}
	for _, z := range p.ManagedZones {
		zones[z.Name] = true
	}
	for _, k := range sortedKeys(p.ResourceRecordSets) {
		if !zones[k] {
			return &ScenarioError{File: file, Line: keyNode(&pf.ResourceRecordSets, k).Line, Field: field + ".resourceRecordSets." + k, Err: fmt.Errorf("no managed zone named %q in this project", k)}
		}
	}
	return nil
}

// namesOf maps items to their names.
func namesOf[T any](items []T, name func(T) string) []string {
	var out []string
	for _, v := range items {
		out = append(out, name(v))
	}
	return out
}

var (
	reRunService       = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/services/([^/]+)$`)
	reRunJob           = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/jobs/([^/]+)$`)
	reRunWorkerPool    = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/workerPools/([^/]+)$`)
	reConnector        = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/connectors/([^/]+)$`)
	reFunction         = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/functions/([^/]+)$`)
	reAppEngineVersion = regexp.MustCompile(`^apps/([^/]+)/services/([^/]+)/versions/([^/]+)$`)
)
