package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/migrate"
)

// interpret runs a plan's steps in order against a Target, checking what
// each step's preconditions and verification say, with none of the
// executor's journal, waits or rollback (the executor is built elsewhere;
// this only proves the plan is right). Manual, soak and check steps are
// taken as done.
func interpret(ctx context.Context, tg migrate.Target, p *migrate.Plan) error {
	for _, st := range p.Stages {
		for _, s := range st.Steps {
			if err := interpretStep(ctx, tg, s); err != nil {
				return fmt.Errorf("step %s: %w", s.ID, err)
			}
		}
	}
	return nil
}

func vpcOf(p migrate.Params) inventory.VPCConfig {
	return inventory.VPCConfig{
		Interface: &inventory.NetworkInterface{Network: p.Network, Subnetwork: p.Subnetwork, Tags: p.NetworkTags},
		Egress:    p.Egress,
	}
}

func interpretStep(ctx context.Context, tg migrate.Target, s migrate.Step) error {
	p := s.Params
	kind := inventory.ConsumerKind(s.Kind)
	switch s.Action {
	case migrate.ActionCheck, migrate.ActionManual, migrate.ActionSoak:
		return nil
	case migrate.ActionValidate:
		_, err := tg.UpdateConsumerVPC(ctx, kind, s.Resource, "", vpcOf(p), "", nil, true)
		return err
	case migrate.ActionSetPGA:
		if err := tg.SetPrivateGoogleAccess(ctx, s.Project, s.Region, p.Subnet, p.PrivateIPGoogleAccess); err != nil {
			return err
		}
		sn, err := tg.Subnet(ctx, s.Project, s.Region, p.Subnet)
		if err != nil || !sn.PrivateIPGoogleAccess {
			return fmt.Errorf("PGA not on: %+v %v", sn, err)
		}
	case migrate.ActionCreateRoute:
		return tg.CreateRoute(ctx, s.Project, inventory.Route{Name: p.RouteName, Network: lastSegment(p.Network), DestRange: p.DestRange, Priority: p.Priority, NextHopGateway: p.NextHopGateway})
	case migrate.ActionCreateZone:
		zones, err := tg.Zones(ctx, s.Project)
		if err != nil {
			return err
		}
		for _, z := range zones {
			if z.Name == p.ZoneName || z.DNSName == p.DNSName {
				return fmt.Errorf("precondition zone-absent: %s exists", z.ID)
			}
		}
		return tg.CreateZone(ctx, s.Project, inventory.DNSZone{Name: p.ZoneName, DNSName: p.DNSName, Networks: p.Networks, Records: p.Records}, p.Description)
	case migrate.ActionDeployRevision:
		before, err := tg.Consumer(ctx, kind, s.Resource)
		if err != nil {
			return err
		}
		if p.Etag != "" && before.Etag != p.Etag {
			return fmt.Errorf("precondition etag-unchanged: %s, planned %s", before.Etag, p.Etag)
		}
		if before.TrafficByRevision[p.PreviousRevision] != 100 {
			return fmt.Errorf("precondition traffic-one-revision: %v", before.TrafficByRevision)
		}
		st, err := tg.UpdateConsumerVPC(ctx, kind, s.Resource, p.Etag, vpcOf(p), p.Revision, p.Traffic, false)
		if err != nil {
			return err
		}
		if !st.Ready || st.TaggedRevisions[p.Tag] != p.Revision || st.TrafficByRevision[p.PreviousRevision] != 100 {
			return fmt.Errorf("verify revision-ready: %+v", st)
		}
	case migrate.ActionShiftTraffic:
		cur, err := tg.Consumer(ctx, kind, s.Resource)
		if err != nil {
			return err
		}
		st, err := tg.SetTraffic(ctx, s.Resource, cur.Etag, p.Traffic)
		if err != nil {
			return err
		}
		if st.TrafficByRevision[p.Revision] != p.Percent {
			return fmt.Errorf("verify traffic-at %d%%: %v", p.Percent, st.TrafficByRevision)
		}
	case migrate.ActionUpdateJob, migrate.ActionUpdateWorkerPool, migrate.ActionUpdateFunction:
		st, err := tg.UpdateConsumerVPC(ctx, kind, s.Resource, p.Etag, vpcOf(p), "", nil, false)
		if err != nil {
			return err
		}
		if st.VPC.Connector != "" || st.VPC.Interface == nil || st.VPC.Egress != inventory.EgressPrivateRangesOnly {
			return fmt.Errorf("verify consumer-on-target: %+v", st.VPC)
		}
	case migrate.ActionDeleteConnector:
		users, err := tg.ConnectorUsers(ctx, p.Connector, p.Projects)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return fmt.Errorf("precondition connector-unused: still used by %v", users)
		}
		if err := tg.DeleteConnector(ctx, p.Connector); err != nil {
			return err
		}
		if _, err := tg.Connector(ctx, p.Connector); !errors.Is(err, inventory.ErrNotFound) {
			return fmt.Errorf("verify connector-gone: %v", err)
		}
	case migrate.ActionRemoveNAT:
		return tg.RemoveNAT(ctx, s.Project, s.Region, p.Router, p.NAT)
	case migrate.ActionRemoveNATSubnets:
		return tg.RemoveNATSubnets(ctx, s.Project, s.Region, p.Router, p.NAT, p.RemoveSubnets)
	default:
		return fmt.Errorf("unknown action %s", s.Action)
	}
	return nil
}

func lastSegment(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// Running each plan's steps in order against the emulator, through the
// real clients, reaches the target: no moved consumer references a
// connector, each has a network interface and PRIVATE_RANGES_ONLY, the
// zone and its records exist, Private Google Access is on, the deleted
// connectors are gone, the NAT changes are made.
func TestPlanReachesTheTargetOnTheEmulator(t *testing.T) {
	cases := []struct {
		name    string
		subnets map[string]string
		prepare func(t *testing.T, ctx context.Context, e *estate)
	}{
		{name: "startup"},
		{name: "hostile"},
		{
			// The enterprise plan stops at the a.run.app. zone; resolve it
			// as its blocker says (the wildcard zone comes from the plan),
			// and give us-east1 its subnet.
			name:    "enterprise",
			subnets: map[string]string{"us-east1": "svc-us-east1"},
			prepare: func(t *testing.T, ctx context.Context, e *estate) {
				if err := e.clients.DeleteZone(ctx, "ent-net-host", "a-run-app"); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			e := startEstate(t, tc.name)
			if tc.prepare != nil {
				tc.prepare(t, ctx, e)
			}
			snap, rep := e.analyse(t, tc.subnets)
			p, err := migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: testNow, Subnets: tc.subnets, Live: true})
			if err != nil {
				t.Fatal(err)
			}
			if p.Stopped() {
				t.Fatalf("the plan stops: %+v", p.Blockers)
			}
			var tg migrate.Target = e.clients
			if err := interpret(ctx, tg, p); err != nil {
				t.Fatal(err)
			}
			checkTarget(t, ctx, e, p)
		})
	}
}

func checkTarget(t *testing.T, ctx context.Context, e *estate, p *migrate.Plan) {
	t.Helper()
	tg := e.clients
	moved := 0
	for _, s := range steps(p) {
		switch s.Action {
		case migrate.ActionDeployRevision, migrate.ActionUpdateJob, migrate.ActionUpdateWorkerPool, migrate.ActionUpdateFunction:
			moved++
			st, err := tg.Consumer(ctx, inventory.ConsumerKind(s.Kind), s.Resource)
			if err != nil {
				t.Fatal(err)
			}
			if st.VPC.Connector != "" || st.VPC.Interface == nil || st.VPC.Interface.Subnetwork != s.Params.Subnetwork || st.VPC.Egress != inventory.EgressPrivateRangesOnly {
				t.Errorf("%s is not on the target: %+v", s.Resource, st.VPC)
			}
			if s.Action == migrate.ActionDeployRevision && (st.LatestReadyRevision != s.Params.Revision || st.TrafficByRevision[s.Params.Revision] != 100) {
				t.Errorf("%s: latest %s, traffic %v; want %s at 100%%", s.Resource, st.LatestReadyRevision, st.TrafficByRevision, s.Params.Revision)
			}
		case migrate.ActionSetPGA:
			sn, err := tg.Subnet(ctx, s.Project, s.Region, s.Params.Subnet)
			if err != nil || !sn.PrivateIPGoogleAccess {
				t.Errorf("PGA on %s: %+v %v", s.Params.Subnet, sn, err)
			}
		case migrate.ActionCreateZone:
			zones, err := tg.Zones(ctx, s.Project)
			if err != nil {
				t.Fatal(err)
			}
			ok := false
			for _, z := range zones {
				if z.Name != s.Params.ZoneName || z.DNSName != "run.app." {
					continue
				}
				got := map[string]string{}
				for _, r := range z.Records {
					got[r.Name+" "+r.Type] = strings.Join(r.RRDatas, ",")
				}
				ok = got["*.run.app. A"] == "199.36.153.8,199.36.153.9,199.36.153.10,199.36.153.11"
				for _, r := range s.Params.Records {
					if got[r.Name+" "+r.Type] == "" {
						ok = false
					}
				}
			}
			if !ok {
				t.Errorf("zone %s with *.run.app. → 199.36.153.8–11 not found: %+v", s.Params.ZoneName, zones)
			}
		case migrate.ActionCreateRoute:
			routes, err := tg.Routes(ctx, s.Project)
			if err != nil {
				t.Fatal(err)
			}
			ok := false
			for _, r := range routes {
				ok = ok || (r.Name == s.Params.RouteName && r.DestRange == "199.36.153.8/30" && r.NextHopGateway == "default-internet-gateway")
			}
			if !ok {
				t.Errorf("route %s not found: %+v", s.Params.RouteName, routes)
			}
		case migrate.ActionDeleteConnector:
			if _, err := tg.Connector(ctx, s.Params.Connector); !errors.Is(err, inventory.ErrNotFound) {
				t.Errorf("connector %s still there: %v", s.Params.Connector, err)
			}
		case migrate.ActionRemoveNAT:
			if _, err := tg.NAT(ctx, s.Project, s.Region, s.Params.Router, s.Params.NAT); !errors.Is(err, inventory.ErrNotFound) {
				t.Errorf("NAT %s still there: %v", s.Params.NAT, err)
			}
		case migrate.ActionRemoveNATSubnets:
			cfg, err := tg.NAT(ctx, s.Project, s.Region, s.Params.Router, s.Params.NAT)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(cfg.Subnetworks, ",") != strings.Join(s.Params.KeepSubnets, ",") {
				t.Errorf("NAT %s serves %v, want %v", s.Params.NAT, cfg.Subnetworks, s.Params.KeepSubnets)
			}
		}
	}
	if moved != p.Summary.ConsumersMoved || moved == 0 {
		t.Errorf("%d consumers moved, the summary says %d", moved, p.Summary.ConsumersMoved)
	}
	// Nothing the plan moved still names a connector, and a fresh
	// inventory finds the target: a new plan has nothing left to move.
	snap, rep := e.analyse(t, p.Options.Subnets)
	again, err := migrate.NewPlan(snap, rep, migrate.PlanOptions{Now: testNow, Subnets: p.Options.Subnets})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps(again) {
		switch s.Action {
		case migrate.ActionSetPGA, migrate.ActionCreateRoute, migrate.ActionCreateZone, migrate.ActionDeployRevision,
			migrate.ActionUpdateJob, migrate.ActionUpdateWorkerPool, migrate.ActionUpdateFunction, migrate.ActionRemoveNAT, migrate.ActionRemoveNATSubnets:
			t.Errorf("after the plan ran, a new plan still has %s", s.ID)
		case migrate.ActionDeleteConnector:
			t.Errorf("after the plan ran, a new plan still deletes %s", s.Params.Connector)
		}
	}
}
