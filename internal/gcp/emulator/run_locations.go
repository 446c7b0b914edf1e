package emulator

// google.cloud.location.Locations: the Cloud Run client
// (run.NewLocationsClient) and the Serverless VPC Access client
// (vpcaccess.Client.ListLocations) call this same gRPC service, so this one
// implementation serves both. A project's locations are its Regions
// (default DefaultRegions).

import (
	"context"
	"regexp"
	"slices"

	"google.golang.org/genproto/googleapis/cloud/location"
	"google.golang.org/grpc"
)

func init() {
	grpcRegistrars = append(grpcRegistrars, func(s *Server, g *grpc.Server) {
		location.RegisterLocationsServer(g, &runLocations{s: s})
	})
	// Shared by several APIs, so not gated on one (API ""): calls are
	// counted and faults apply, but disabled APIs and denied permissions do
	// not. The permission is Cloud Run's, for the record.
	addSpecs("", map[string]string{
		"google.cloud.location.Locations/ListLocations": "run.locations.list",
		"google.cloud.location.Locations/GetLocation":   "run.locations.list",
	})
}

var (
	reLocationsParent = regexp.MustCompile(`^projects/([^/]+)$`)
	reLocationName    = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)$`)
)

type runLocations struct {
	location.UnimplementedLocationsServer
	s *Server
}

func locationOf(project, region string) *location.Location {
	return &location.Location{
		Name:       "projects/" + project + "/locations/" + region,
		LocationId: region,
		Labels:     map[string]string{"cloud.googleapis.com/region": region},
	}
}

func (r *runLocations) ListLocations(_ context.Context, req *location.ListLocationsRequest) (*location.ListLocationsResponse, error) {
	s := r.s
	m := reLocationsParent.FindStringSubmatch(req.GetName())
	if m == nil {
		return nil, badRunName("name", req.GetName(), "projects/{project}").grpcErr()
	}
	s.mu.Lock()
	p := s.project(m[1])
	if p == nil {
		s.mu.Unlock()
		return nil, unknownProject("", m[1]).grpcErr()
	}
	regions := append([]string(nil), p.Regions...)
	s.mu.Unlock()
	page, next, err := grpcPage(s, sortStrings(regions), req, runDefaultPageSize)
	if err != nil {
		return nil, err
	}
	resp := &location.ListLocationsResponse{NextPageToken: next}
	for _, region := range page {
		resp.Locations = append(resp.Locations, locationOf(m[1], region))
	}
	return resp, nil
}

func (r *runLocations) GetLocation(_ context.Context, req *location.GetLocationRequest) (*location.Location, error) {
	s := r.s
	m := reLocationName.FindStringSubmatch(req.GetName())
	if m == nil {
		return nil, badRunName("name", req.GetName(), "projects/{project}/locations/{location}").grpcErr()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(m[1])
	if p == nil {
		return nil, unknownProject("", m[1]).grpcErr()
	}
	if !slices.Contains(p.Regions, m[2]) {
		return nil, notFound("Location '%s' not found in project '%s'.", m[2], m[1]).grpcErr()
	}
	return locationOf(m[1], m[2]), nil
}
