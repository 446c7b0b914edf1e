package emulator

// Serverless VPC Access API v1 (google.cloud.vpcaccess.v1.VpcAccessService):
// ListConnectors, GetConnector and DeleteConnector. CreateConnector is not
// emulated (vpcshift never creates connectors). Locations.ListLocations,
// which shares its gRPC service name with Cloud Run's, lives in
// run_locations.go.
//
// Behaviour chosen where Google's documentation is silent:
//   - ListConnectors with location "-" is refused with INVALID_ARGUMENT: the
//     proto documents parent only as projects/*/locations/* (gcp-facts.md
//     §1.1), so callers must enumerate locations.
//   - DeleteConnector succeeds even when consumers still reference the
//     connector (whether Google refuses it could not be confirmed); the
//     connector disappears at once and the operation is done on its first
//     poll with google.protobuf.Empty. An operation fault (faults: with
//     operation: true) makes the operation end in that error and keeps the
//     connector.
//   - An unknown project answers PERMISSION_DENIED, as Google's IAM check
//     does for a project the caller cannot see ("or it may not exist").
//   - connectedProjects, when the scenario leaves it empty, lists the IDs of
//     the projects whose Cloud Run services, jobs or worker pools, Cloud
//     Functions or App Engine versions reference the connector at load time.

import (
	"context"
	"strings"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const vpcAccessService = "google.cloud.vpcaccess.v1.VpcAccessService"

const (
	methodListConnectors  = vpcAccessService + "/ListConnectors"
	methodGetConnector    = vpcAccessService + "/GetConnector"
	methodDeleteConnector = vpcAccessService + "/DeleteConnector"
)

func init() {
	grpcRegistrars = append(grpcRegistrars, func(s *Server, g *grpc.Server) {
		vpcaccesspb.RegisterVpcAccessServiceServer(g, &vpcAccessServer{s: s})
	})
	addSpecs("vpcaccess.googleapis.com", map[string]string{
		methodListConnectors:  "vpcaccess.connectors.list",
		methodGetConnector:    "vpcaccess.connectors.get",
		methodDeleteConnector: "vpcaccess.connectors.delete",
	})
	seeders = append(seeders, seedConnectors)
}

type vpcAccessServer struct {
	vpcaccesspb.UnimplementedVpcAccessServiceServer
	s *Server
}

// connectorRef is a connector's identity: project ID, region, connector ID.
type connectorRef struct{ project, region, id string }

// parseConnectorRef reads a connector reference as consumers write it:
// projects/P/locations/R/connectors/C (P an ID or a number), or a bare
// connector ID, which means the consumer's own project and region. Callers
// hold s.mu.
func (s *Server) parseConnectorRef(ref, project, region string) (connectorRef, bool) {
	if ref == "" {
		return connectorRef{}, false
	}
	if m := reConnector.FindStringSubmatch(ref); m != nil {
		p := s.projectID(m[1])
		if p == "" {
			p = m[1]
		}
		return connectorRef{p, m[2], m[3]}, true
	}
	if strings.Contains(ref, "/") || project == "" || region == "" {
		return connectorRef{}, false
	}
	return connectorRef{project, region, ref}, true
}

// connectorRefOf is the identity of a stored connector. Callers hold s.mu.
func (s *Server) connectorRefOf(c *vpcaccesspb.Connector) connectorRef {
	r, _ := s.parseConnectorRef(c.GetName(), "", "")
	return r
}

// findConnector returns the project holding a connector and its index.
// Callers hold s.mu.
func (s *Server) findConnector(name string) (*Project, int) {
	want, ok := s.parseConnectorRef(name, "", "")
	if !ok {
		return nil, -1
	}
	p := s.project(want.project)
	if p == nil {
		return nil, -1
	}
	for i, c := range p.Connectors {
		if s.connectorRefOf(c) == want {
			return p, i
		}
	}
	return p, -1
}

// connectorConsumers maps each referenced connector to the IDs of the
// projects whose resources reference it. Callers hold s.mu.
func (s *Server) connectorConsumers() map[connectorRef]map[string]bool {
	out := map[connectorRef]map[string]bool{}
	add := func(ref, project, region string) {
		r, ok := s.parseConnectorRef(ref, project, region)
		if !ok {
			return
		}
		if out[r] == nil {
			out[r] = map[string]bool{}
		}
		out[r][project] = true
	}
	regionOf := func(name string) string {
		parts := strings.Split(name, "/")
		if len(parts) >= 4 && parts[2] == "locations" {
			return parts[3]
		}
		return ""
	}
	for _, id := range s.order {
		p := s.projects[id]
		for _, v := range p.Services {
			add(v.GetTemplate().GetVpcAccess().GetConnector(), id, regionOf(v.GetName()))
		}
		for _, v := range p.Jobs {
			add(v.GetTemplate().GetTemplate().GetVpcAccess().GetConnector(), id, regionOf(v.GetName()))
		}
		for _, v := range p.WorkerPools {
			add(v.GetTemplate().GetVpcAccess().GetConnector(), id, regionOf(v.GetName()))
		}
		for _, f := range p.Functions {
			if f != nil && f.ServiceConfig != nil {
				add(f.ServiceConfig.VpcConnector, id, regionOf(f.Name))
			}
		}
		for _, v := range p.AppEngineVersions {
			// App Engine names carry no region, so only full connector
			// names can be resolved.
			if v != nil && v.VpcAccessConnector != nil {
				add(v.VpcAccessConnector.Name, id, "")
			}
		}
	}
	return out
}

// seedConnectors fills what the scenario may leave out: state READY and the
// connected projects.
func seedConnectors(s *Server) {
	consumers := s.connectorConsumers()
	for _, id := range s.order {
		for _, c := range s.projects[id].Connectors {
			if c.GetState() == vpcaccesspb.Connector_STATE_UNSPECIFIED {
				c.State = vpcaccesspb.Connector_READY
			}
			if len(c.GetConnectedProjects()) == 0 {
				c.ConnectedProjects = sortedKeys(consumers[s.connectorRefOf(c)])
			}
		}
	}
}

// vpcParseParent splits projects/P/locations/R.
func vpcParseParent(parent string) (project, region string, ok bool) {
	parts := strings.Split(parent, "/")
	if len(parts) != 4 || parts[0] != "projects" || parts[2] != "locations" || parts[1] == "" || parts[3] == "" {
		return "", "", false
	}
	return parts[1], parts[3], true
}

func (v *vpcAccessServer) ListConnectors(_ context.Context, req *vpcaccesspb.ListConnectorsRequest) (*vpcaccesspb.ListConnectorsResponse, error) {
	s := v.s
	project, region, ok := vpcParseParent(req.GetParent())
	if !ok {
		return nil, invalidArgument("Invalid parent %q: expected projects/{project}/locations/{location}.", req.GetParent()).grpcErr()
	}
	if region == "-" {
		return nil, invalidArgument("Invalid location %q in parent %q: the \"-\" wildcard is not supported; list connectors per location.", region, req.GetParent()).grpcErr()
	}
	s.mu.Lock()
	p := s.project(project)
	var matched []*vpcaccesspb.Connector
	if p != nil {
		for _, c := range p.Connectors {
			if s.connectorRefOf(c).region == region {
				matched = append(matched, c)
			}
		}
	}
	s.mu.Unlock()
	if p == nil {
		return nil, permissionDenied("vpcaccess.connectors.list", req.GetParent()).grpcErr()
	}
	sortByKey(matched, (*vpcaccesspb.Connector).GetName)
	page, next, err := grpcPage(s, matched, req, 100)
	if err != nil {
		return nil, err
	}
	resp := &vpcaccesspb.ListConnectorsResponse{NextPageToken: next}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range page {
		resp.Connectors = append(resp.Connectors, cloneProto(c))
	}
	return resp, nil
}

func (v *vpcAccessServer) GetConnector(_ context.Context, req *vpcaccesspb.GetConnectorRequest) (*vpcaccesspb.Connector, error) {
	s := v.s
	if _, ok := s.parseConnectorRefUnlocked(req.GetName()); !ok {
		return nil, badConnectorName(req.GetName()).grpcErr()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, i := s.findConnector(req.GetName())
	if e := connectorMissing(p, i, "vpcaccess.connectors.get", req.GetName()); e != nil {
		return nil, e.grpcErr()
	}
	return cloneProto(p.Connectors[i]), nil
}

func (v *vpcAccessServer) DeleteConnector(_ context.Context, req *vpcaccesspb.DeleteConnectorRequest) (*longrunningpb.Operation, error) {
	s := v.s
	ref, ok := s.parseConnectorRefUnlocked(req.GetName())
	if !ok {
		return nil, badConnectorName(req.GetName()).grpcErr()
	}
	s.mu.Lock()
	p, i := s.findConnector(req.GetName())
	s.mu.Unlock()
	if e := connectorMissing(p, i, "vpcaccess.connectors.delete", req.GetName()); e != nil {
		return nil, e.grpcErr()
	}
	opErr := s.opFault(methodDeleteConnector, ref.project)
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, i = s.findConnector(req.GetName()); p == nil || i < 0 {
		return nil, notFound("Resource '%s' was not found", req.GetName()).grpcErr()
	}
	name := p.Connectors[i].GetName()
	if opErr == nil {
		p.Connectors = append(p.Connectors[:i], p.Connectors[i+1:]...)
	}
	opName := "projects/" + ref.project + "/locations/" + ref.region + "/operations/" + s.nextID("operation-")
	md := &vpcaccesspb.OperationMetadata{
		Method:     vpcAccessService + ".DeleteConnector",
		Target:     name,
		CreateTime: timestamppb.New(s.now()),
	}
	return s.newOperation(opName, md, nil, opErr), nil
}

func badConnectorName(name string) *apiError {
	return invalidArgument("Invalid connector name %q: expected projects/{project}/locations/{location}/connectors/{connector}.", name)
}

// connectorMissing is the answer about a connector findConnector did not
// find (p, i): PERMISSION_DENIED when the project is unknown (as IAM
// answers), else NOT_FOUND; nil when it found it.
func connectorMissing(p *Project, i int, permission, name string) *apiError {
	if p == nil {
		return permissionDenied(permission, name)
	}
	if i < 0 {
		return notFound("Resource '%s' was not found", name)
	}
	return nil
}

// parseConnectorRefUnlocked parses a full connector name, taking s.mu to
// resolve a project number.
func (s *Server) parseConnectorRefUnlocked(name string) (connectorRef, bool) {
	if !reConnector.MatchString(name) {
		return connectorRef{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.parseConnectorRef(name, "", "")
}

// --- inspection ------------------------------------------------------------

// Connector returns a copy of a connector by its name (the project may be
// given by ID or number).
func (s *Server) Connector(name string) (*vpcaccesspb.Connector, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, i := s.findConnector(name)
	if p == nil || i < 0 {
		return nil, false
	}
	return cloneProto(p.Connectors[i]), true
}

// Connectors returns copies of a project's connectors, sorted by name.
func (s *Server) Connectors(project string) []*vpcaccesspb.Connector {
	return projectCopies(s, project, func(p *Project) []*vpcaccesspb.Connector { return cloneProtos(p.Connectors) },
		(*vpcaccesspb.Connector).GetName)
}
