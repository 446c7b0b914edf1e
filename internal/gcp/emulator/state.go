package emulator

import (
	"encoding/json"
	"time"

	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	compute "google.golang.org/api/compute/v1"
	dns "google.golang.org/api/dns/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// seeders run once after the scenario is copied into the server, under the
// lock, so each API can derive its own state (revisions, etags, …).
var seeders []func(*Server)

// load copies the scenario into the server's state.
func (s *Server) load(sc *Scenario) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scenario = sc
	s.latency = sc.Latency
	s.faults = nil
	for _, f := range sc.Faults {
		s.faults = append(s.faults, &faultState{Fault: f})
	}
	s.projects = map[string]*Project{}
	s.byNumber = map[string]string{}
	s.order = nil
	var shift time.Duration
	if !sc.RecordedAt.IsZero() {
		shift = s.now().Sub(sc.RecordedAt)
	}
	for _, p := range sc.Projects {
		c := cloneProject(p)
		if shift != 0 {
			for _, ts := range c.TimeSeries {
				for _, pt := range ts.GetPoints() {
					if iv := pt.GetInterval(); iv != nil {
						if iv.EndTime != nil {
							iv.EndTime = timestamppb.New(iv.EndTime.AsTime().Add(shift))
						}
						if iv.StartTime != nil {
							iv.StartTime = timestamppb.New(iv.StartTime.AsTime().Add(shift))
						}
					}
				}
			}
		}
		if len(c.Regions) == 0 {
			c.Regions = append([]string(nil), DefaultRegions...)
		}
		s.projects[c.ProjectID] = c
		s.byNumber[c.ProjectNumber] = c.ProjectID
		s.order = append(s.order, c.ProjectID)
	}
	for _, seed := range seeders {
		seed(s)
	}
	return nil
}

func cloneProto[T proto.Message](v T) T { return proto.Clone(v).(T) }

func cloneProtos[T proto.Message](in []T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = cloneProto(v)
	}
	return out
}

// cloneJSON deep-copies a REST (discovery) resource through JSON.
func cloneJSON[T any](v *T) *T {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

func cloneJSONs[T any](in []*T) []*T {
	if in == nil {
		return nil
	}
	out := make([]*T, len(in))
	for i, v := range in {
		out[i] = cloneJSON(v)
	}
	return out
}

func cloneProject(p *Project) *Project {
	c := &Project{
		ProjectID:         p.ProjectID,
		ProjectNumber:     p.ProjectNumber,
		Parent:            p.Parent,
		SharedVPCHost:     p.SharedVPCHost,
		Regions:           append([]string(nil), p.Regions...),
		DisabledAPIs:      append([]string(nil), p.DisabledAPIs...),
		DeniedPermissions: append([]string(nil), p.DeniedPermissions...),
		Services:          cloneProtos(p.Services),
		Jobs:              cloneProtos(p.Jobs),
		WorkerPools:       cloneProtos(p.WorkerPools),
		Functions:         cloneJSONs(p.Functions),
		AppEngineVersions: cloneJSONs(p.AppEngineVersions),
		Connectors:        cloneProtos(p.Connectors),
		Networks:          cloneJSONs(p.Networks),
		Subnetworks:       cloneJSONs(p.Subnetworks),
		Routers:           cloneJSONs(p.Routers),
		Routes:            cloneJSONs(p.Routes),
		Addresses:         cloneJSONs(p.Addresses),
		ManagedZones:      cloneJSONs(p.ManagedZones),
		Policies:          cloneJSONs(p.Policies),
		ResponsePolicies:  cloneJSONs(p.ResponsePolicies),
		TimeSeries:        cloneProtos[*monitoringpb.TimeSeries](p.TimeSeries),
	}
	if p.IAMPolicies != nil {
		c.IAMPolicies = map[string]*iampb.Policy{}
		for k, v := range p.IAMPolicies {
			c.IAMPolicies[k] = cloneProto(v)
		}
	}
	if p.RouterStatus != nil {
		c.RouterStatus = map[string]*compute.RouterStatusResponse{}
		for k, v := range p.RouterStatus {
			c.RouterStatus[k] = cloneJSON(v)
		}
	}
	if p.ResourceRecordSets != nil {
		c.ResourceRecordSets = map[string][]*dns.ResourceRecordSet{}
		for k, v := range p.ResourceRecordSets {
			c.ResourceRecordSets[k] = cloneJSONs(v)
		}
	}
	if p.ResponsePolicyRules != nil {
		c.ResponsePolicyRules = map[string][]*dns.ResponsePolicyRule{}
		for k, v := range p.ResponsePolicyRules {
			c.ResponsePolicyRules[k] = cloneJSONs(v)
		}
	}
	return c
}

// project returns the live state of a project by ID or number; callers
// hold s.mu.
func (s *Server) project(idOrNumber string) *Project {
	return s.projects[s.projectID(idOrNumber)]
}

// Now is the emulator's clock.
func (s *Server) Now() time.Time { return s.now() }
