package analyzer

// Hand-built snapshots mirroring testdata/scenarios/*.yaml, so that the
// analyzer's tests do not depend on the collectors or the emulator. Every
// figure here is copied from the scenario file named in each function.

import (
	"time"

	inv "github.com/vpcshift/vpcshift/internal/inventory"
)

var collectedAt = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// okCoverage is a row per API read without trouble.
func okCoverage(project string, apis ...string) []inv.Coverage {
	if len(apis) == 0 {
		apis = []string{
			"appengine.googleapis.com", "cloudfunctions.googleapis.com", "compute.googleapis.com",
			"dns.googleapis.com", "monitoring.googleapis.com", "run.googleapis.com", "vpcaccess.googleapis.com",
		}
	}
	out := make([]inv.Coverage, 0, len(apis))
	for _, a := range apis {
		out = append(out, inv.Coverage{Project: project, API: a, Status: inv.CoverageOK})
	}
	return out
}

func without(cov []inv.Coverage, apis ...string) []inv.Coverage {
	drop := map[string]bool{}
	for _, a := range apis {
		drop[a] = true
	}
	var out []inv.Coverage
	for _, c := range cov {
		if !drop[c.API] {
			out = append(out, c)
		}
	}
	return out
}

func concat[T any](ss ...[]T) []T {
	var out []T
	for _, s := range ss {
		out = append(out, s...)
	}
	return out
}

func subnet(project, region, name, network, cidr string, pga bool, usedBy ...string) inv.Subnet {
	return inv.Subnet{
		ID:      "projects/" + project + "/regions/" + region + "/subnetworks/" + name,
		Project: project, Region: region, Name: name, Network: network, NetworkProject: project,
		IPCIDRRange: cidr, PrivateIPGoogleAccess: pga, Purpose: "PRIVATE", StackType: "IPV4_ONLY",
		UsedBy: usedBy,
	}
}

const soa = "ns-gcp-private.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300"

// startupSnapshot mirrors testdata/scenarios/startup.yaml.
func startupSnapshot() *inv.Snapshot {
	const p = "acme-startup"
	runUS := "projects/acme-startup/locations/us-central1/connectors/run-us"
	runEU := "projects/acme-startup/locations/europe-west1/connectors/run-eu"
	svc := func(region, name string) string {
		return "projects/acme-startup/locations/" + region + "/services/" + name
	}
	s := &inv.Snapshot{
		SchemaVersion: inv.SchemaVersion, CollectedAt: collectedAt,
		Scope:           inv.Scope{Projects: []string{p}},
		UsageWindowDays: 30,
		Projects: []inv.Project{{ID: p, Number: "482913374650", Parent: "organizations/301447159224",
			Regions: []string{"us-central1", "europe-west1", "us-east1", "asia-northeast1"}}},
		Connectors: []inv.Connector{
			{
				ID: runUS, Project: p, Region: "us-central1", Name: "run-us", Network: "acme-vpc", NetworkProject: p,
				Subnet: "conn-us", SubnetProject: p, MachineType: "e2-micro", MinInstances: 2, MaxInstances: 3,
				MinThroughput: 200, MaxThroughput: 300, State: "READY", ConnectedProjects: []string{p},
				Usage: &inv.ConnectorUsage{MaxInstances: 3, LastInstances: 3,
					BytesSent: 2 * 96636764160, BytesReceived: 21474836480,
					Metric: "vpcaccess.googleapis.com/connector/instances"},
			},
			{
				ID: runEU, Project: p, Region: "europe-west1", Name: "run-eu", Network: "acme-vpc", NetworkProject: p,
				Subnet: "conn-eu", SubnetProject: p, MachineType: "e2-micro", MinInstances: 2, MaxInstances: 10,
				MinThroughput: 200, MaxThroughput: 1000, State: "READY", ConnectedProjects: []string{p},
				Usage: &inv.ConnectorUsage{MaxInstances: 2, LastInstances: 2, BytesSent: 5368709120,
					Metric: "vpcaccess.googleapis.com/connector/instances"},
			},
		},
		Consumers: []inv.Consumer{
			{
				ID: svc("us-central1", "api"), Kind: inv.KindService, Project: p, Region: "us-central1", Name: "api",
				Connector: runUS, Egress: inv.EgressAllTraffic, Ingress: inv.IngressAll, Public: true,
				Invokers: []string{"allUsers"}, URI: "https://api-7kx2mz3qfa-uc.a.run.app",
				CallURLs: []string{"https://orders-7kx2mz3qfa-uc.a.run.app"}, Calls: []string{svc("us-central1", "orders")},
				Generation: 14, ServiceAccount: "api@acme-startup.iam.gserviceaccount.com", MaxInstances: 20,
				Labels: map[string]string{"team": "core"},
				Usage:  &inv.ConsumerUsage{PeakInstances: 12, EgressBytes: 150323855360},
			},
			{
				ID: svc("us-central1", "orders"), Kind: inv.KindService, Project: p, Region: "us-central1", Name: "orders",
				Connector: runUS, Egress: inv.EgressPrivateRangesOnly, Ingress: inv.IngressInternal,
				Invokers: []string{"serviceAccount:api@acme-startup.iam.gserviceaccount.com"},
				URI:      "https://orders-7kx2mz3qfa-uc.a.run.app", Generation: 9, MaxInstances: 10,
				Labels: map[string]string{"team": "core"},
				Usage:  &inv.ConsumerUsage{PeakInstances: 4, EgressBytes: 21474836480},
			},
			{
				ID: svc("us-central1", "web"), Kind: inv.KindService, Project: p, Region: "us-central1", Name: "web",
				Ingress: inv.IngressAll, Public: true, Invokers: []string{"allUsers"},
				URI: "https://web-7kx2mz3qfa-uc.a.run.app", Generation: 31, Labels: map[string]string{"team": "growth"},
			},
			{
				ID: svc("europe-west1", "billing-eu"), Kind: inv.KindService, Project: p, Region: "europe-west1", Name: "billing-eu",
				Connector: runEU, Egress: inv.EgressPrivateRangesOnly, Ingress: inv.IngressInternal,
				Invokers: []string{"serviceAccount:api@acme-startup.iam.gserviceaccount.com"},
				URI:      "https://billing-eu-7kx2mz3qfa-ew.a.run.app", Generation: 6, MaxInstances: 5,
				Labels: map[string]string{"team": "payments"},
				Usage:  &inv.ConsumerUsage{PeakInstances: 2},
			},
			{
				ID: "projects/acme-startup/locations/us-central1/jobs/nightly-export", Kind: inv.KindJob, Project: p,
				Region: "us-central1", Name: "nightly-export", Connector: runUS, Egress: inv.EgressAllTraffic,
				Generation: 3, Labels: map[string]string{"team": "data"},
			},
		},
		Networks: []inv.Network{{ID: "projects/acme-startup/global/networks/acme-vpc", Project: p, Name: "acme-vpc", RoutingMode: "REGIONAL"}},
		Subnets: []inv.Subnet{
			subnet(p, "us-central1", "app-us", "acme-vpc", "10.10.0.0/20", false),
			subnet(p, "us-central1", "conn-us", "acme-vpc", "10.8.0.0/28", false, runUS),
			subnet(p, "europe-west1", "app-eu", "acme-vpc", "10.20.0.0/20", true),
			subnet(p, "europe-west1", "conn-eu", "acme-vpc", "10.8.1.0/28", false, runEU),
		},
		Routes: []inv.Route{{
			ID: "projects/acme-startup/global/routes/default-route-4b1c2e9f0a7d3e51", Project: p,
			Name: "default-route-4b1c2e9f0a7d3e51", Network: "acme-vpc", DestRange: "0.0.0.0/0",
			NextHopGateway: "https://www.googleapis.com/compute/v1/projects/acme-startup/global/gateways/default-internet-gateway",
			Priority:       1000,
		}},
		NATs: []inv.NAT{{
			ID: "projects/acme-startup/regions/us-central1/routers/nat-router-us/nats/nat-us", Project: p,
			Region: "us-central1", Router: "nat-router-us", Name: "nat-us", Network: "acme-vpc",
			SourceSubnetworkIPRangesToNat: "LIST_OF_SUBNETWORKS",
			Subnetworks:                   []string{"https://www.googleapis.com/compute/v1/projects/acme-startup/regions/us-central1/subnetworks/conn-us"},
			NatIPAllocateOption:           "AUTO_ONLY", Type: "PUBLIC",
			Status: &inv.NATStatus{VMEndpointsWithNATMappings: 3, AutoAllocatedNatIPs: []string{"34.121.40.17"}},
			// 160 GiB out, 20 GiB in over the window.
			Usage: &inv.NATUsage{BytesSent: 171798691840, BytesReceived: 21474836480},
		}},
		Addresses: []inv.Address{{
			ID: "projects/acme-startup/regions/us-central1/addresses/nat-auto-ip-7781922", Project: p, Region: "us-central1",
			Name: "nat-auto-ip-7781922", Address: "34.121.40.17", AddressType: "EXTERNAL", Purpose: "NAT_AUTO", Status: "IN_USE",
		}},
		Coverage: okCoverage(p),
	}
	return s
}

// enterpriseSnapshot mirrors testdata/scenarios/enterprise.yaml.
func enterpriseSnapshot() *inv.Snapshot {
	const host, pay, data, legacy = "ent-net-host", "ent-payments", "ent-data", "ent-legacy"
	conn := func(region, name string) string {
		return "projects/ent-net-host/locations/" + region + "/connectors/" + name
	}
	payConn, dataConn, euConn, oldConn := conn("us-central1", "pay-conn"), conn("us-east1", "data-conn"), conn("europe-west1", "eu-conn"), conn("asia-northeast1", "old-conn")
	svc := func(project, region, name string) string {
		return "projects/" + project + "/locations/" + region + "/services/" + name
	}
	hsub := func(region, name, cidr string, pga bool, usedBy ...string) inv.Subnet {
		return subnet(host, region, name, "shared-vpc", cidr, pga, usedBy...)
	}
	svcEU := hsub("europe-west1", "svc-eu", "10.2.0.0/22", true, svc(data, "europe-west1", "reports"))
	svcEU.StackType, svcEU.IPv6AccessType = "IPV4_IPV6", "INTERNAL"
	const gw = "https://www.googleapis.com/compute/v1/projects/ent-net-host/global/gateways/default-internet-gateway"
	monitoringDenied := inv.Coverage{
		Project: data, API: "monitoring.googleapis.com", Status: inv.CoverageDenied,
		Permission: "monitoring.timeSeries.list", Detail: "Permission monitoring.timeSeries.list denied on resource projects/ent-data",
	}
	s := &inv.Snapshot{
		SchemaVersion: inv.SchemaVersion, CollectedAt: collectedAt,
		Scope:           inv.Scope{Org: "518823004117"},
		UsageWindowDays: 30,
		Projects: []inv.Project{
			{ID: data, Number: "711000000003", Parent: "folders/220000000001", SharedVPCHost: host, Regions: []string{"us-central1", "us-east1", "europe-west1"}},
			{ID: legacy, Number: "711000000004", Parent: "folders/220000000001", SharedVPCHost: host, Regions: []string{"us-central1"}},
			{ID: host, Number: "711000000001", Parent: "folders/220000000002", IsSharedVPCHost: true, Regions: []string{"us-central1", "us-east1", "europe-west1", "asia-northeast1"}},
			{ID: pay, Number: "711000000002", Parent: "folders/220000000001", SharedVPCHost: host, Regions: []string{"us-central1", "us-east1", "europe-west1", "asia-northeast1"}},
		},
		Connectors: []inv.Connector{
			{
				ID: payConn, Project: host, Region: "us-central1", Name: "pay-conn", Network: "shared-vpc", NetworkProject: host,
				Subnet: "conn-us-central1", SubnetProject: host, MachineType: "e2-standard-4", MinInstances: 2, MaxInstances: 10,
				State: "READY", ConnectedProjects: []string{pay},
				Usage: &inv.ConnectorUsage{MaxInstances: 7, LastInstances: 7, BytesSent: 2199023255552, Metric: "vpcaccess.googleapis.com/connector/instances"},
			},
			{
				ID: dataConn, Project: host, Region: "us-east1", Name: "data-conn", Network: "shared-vpc", NetworkProject: host,
				Subnet: "conn-us-east1", SubnetProject: host, MachineType: "e2-micro", MinInstances: 2, MaxInstances: 3,
				State: "READY", ConnectedProjects: []string{data, pay},
				Usage: &inv.ConnectorUsage{MaxInstances: 2, LastInstances: 2, Metric: "vpcaccess.googleapis.com/connector/instances"},
			},
			{
				ID: euConn, Project: host, Region: "europe-west1", Name: "eu-conn", Network: "shared-vpc", NetworkProject: host,
				Subnet: "conn-eu", SubnetProject: host, MachineType: "f1-micro", MinInstances: 2, MaxInstances: 3,
				State: "READY", ConnectedProjects: []string{pay},
			},
			{
				ID: oldConn, Project: host, Region: "asia-northeast1", Name: "old-conn", Network: "shared-vpc", NetworkProject: host,
				IPCIDRRange: "10.99.0.0/28", MachineType: "e2-micro", MinInstances: 2, MaxInstances: 3, State: "READY",
				Usage: &inv.ConnectorUsage{MaxInstances: 2, LastInstances: 2, Metric: "vpcaccess.googleapis.com/connector/instances"},
			},
		},
		Consumers: []inv.Consumer{
			{
				ID: svc(pay, "us-central1", "checkout"), Kind: inv.KindService, Project: pay, Region: "us-central1", Name: "checkout",
				Connector: payConn, Egress: inv.EgressAllTraffic, Ingress: inv.IngressInternalLoadBalancer,
				Invokers: []string{"serviceAccount:storefront@ent-payments.iam.gserviceaccount.com"},
				URI:      "https://checkout-x2a9pq4rmb-uc.a.run.app", Generation: 52, MaxInstances: 100,
				CallURLs: []string{"https://ledger-x2a9pq4rmb-uc.a.run.app", "https://fraud-x2a9pq4rmb-uc.a.run.app"},
				Calls:    []string{svc(pay, "us-central1", "fraud"), svc(pay, "us-central1", "ledger")},
				Usage:    &inv.ConsumerUsage{PeakInstances: 64, EgressBytes: 1649267441664},
			},
			{
				ID: svc(pay, "us-central1", "ledger"), Kind: inv.KindService, Project: pay, Region: "us-central1", Name: "ledger",
				Connector: payConn, Egress: inv.EgressPrivateRangesOnly, Ingress: inv.IngressInternal,
				Invokers: []string{"serviceAccount:checkout@ent-payments.iam.gserviceaccount.com"},
				URI:      "https://ledger-x2a9pq4rmb-uc.a.run.app", Generation: 17, MaxInstances: 40,
				Usage: &inv.ConsumerUsage{PeakInstances: 22, EgressBytes: 274877906944},
			},
			{
				ID: svc(pay, "us-central1", "fraud"), Kind: inv.KindService, Project: pay, Region: "us-central1", Name: "fraud",
				Connector: payConn, Egress: inv.EgressPrivateRangesOnly, Ingress: inv.IngressInternal,
				URI: "https://fraud-x2a9pq4rmb-uc.a.run.app", Generation: 23,
			},
			{
				ID: svc(pay, "us-central1", "storefront"), Kind: inv.KindService, Project: pay, Region: "us-central1", Name: "storefront",
				Connector: payConn, Egress: inv.EgressPrivateRangesOnly, Ingress: inv.IngressAll, Public: true,
				Invokers: []string{"allUsers"}, URI: "https://storefront-x2a9pq4rmb-uc.a.run.app", Generation: 88,
				CallURLs: []string{"https://checkout-x2a9pq4rmb-uc.a.run.app"}, Calls: []string{svc(pay, "us-central1", "checkout")},
			},
			{
				ID: svc(pay, "us-east1", "receipts"), Kind: inv.KindService, Project: pay, Region: "us-east1", Name: "receipts",
				Connector: dataConn, Egress: inv.EgressPrivateRangesOnly, Ingress: inv.IngressInternal,
				URI: "https://receipts-x2a9pq4rmb-ue.a.run.app", Generation: 5, MaxInstances: 30,
				Usage: &inv.ConsumerUsage{PeakInstances: 9},
			},
			{
				ID: "projects/ent-payments/locations/us-central1/workerPools/settlement-worker", Kind: inv.KindWorkerPool,
				Project: pay, Region: "us-central1", Name: "settlement-worker", Connector: payConn, Egress: inv.EgressAllTraffic, Generation: 4,
			},
			{
				ID: "apps/ent-payments/services/default/versions/v20261102t1200", Kind: inv.KindAppEngine, Project: pay,
				Region: "europe-west1", Name: "default/v20261102t1200", Connector: euConn, Egress: inv.EgressPrivateRangesOnly,
			},
			// ent-data: monitoring denied, so no usage.
			{
				ID: "projects/ent-data/locations/us-east1/jobs/etl", Kind: inv.KindJob, Project: data, Region: "us-east1", Name: "etl",
				Connector: dataConn, Egress: inv.EgressAllTraffic, Generation: 11,
			},
			{
				ID: "projects/ent-data/locations/us-east1/functions/legacy-hook", Kind: inv.KindFunction1, Project: data, Region: "us-east1",
				Name: "legacy-hook", Connector: dataConn, Egress: inv.EgressPrivateRangesOnly, Ingress: inv.IngressInternal,
				URI: "https://us-east1-ent-data.cloudfunctions.net/legacy-hook",
			},
			{
				ID: "projects/ent-data/locations/us-east1/functions/ingest", Kind: inv.KindFunction, Project: data, Region: "us-east1",
				Name: "ingest", Connector: dataConn, Egress: inv.EgressAllTraffic, Ingress: inv.IngressInternal,
				URI: "https://ingest-x7v3lq2nca-ue.a.run.app", UnderlyingService: svc(data, "us-east1", "ingest"),
			},
			{
				ID: svc(data, "europe-west1", "reports"), Kind: inv.KindService, Project: data, Region: "europe-west1", Name: "reports",
				Egress: inv.EgressPrivateRangesOnly, Ingress: inv.IngressInternal, Generation: 8,
				URI: "https://reports-x7v3lq2nca-ew.a.run.app",
				DirectVPC: &inv.NetworkInterface{
					Network:    "projects/ent-net-host/global/networks/shared-vpc",
					Subnetwork: "projects/ent-net-host/regions/europe-west1/subnetworks/svc-eu", Tags: []string{"reports"},
				},
			},
		},
		Networks: []inv.Network{{ID: "projects/ent-net-host/global/networks/shared-vpc", Project: host, Name: "shared-vpc", RoutingMode: "GLOBAL"}},
		Subnets: []inv.Subnet{
			hsub("us-central1", "svc-us-central1", "10.0.0.0/20", false),
			hsub("us-central1", "conn-us-central1", "10.8.0.0/28", false, payConn),
			hsub("us-central1", "vms-us-central1", "10.4.0.0/22", false, "vm"),
			hsub("us-east1", "svc-us-east1", "10.1.0.0/28", true),
			hsub("us-east1", "conn-us-east1", "10.8.1.0/28", false, dataConn),
			svcEU,
			hsub("europe-west1", "conn-eu", "10.8.2.0/28", false, euConn),
			hsub("asia-northeast1", "svc-asia", "10.3.0.0/24", true),
		},
		Routes: []inv.Route{
			{ID: "projects/ent-net-host/global/routes/restricted-googleapis", Project: host, Name: "restricted-googleapis",
				Network: "shared-vpc", DestRange: "199.36.153.4/30", NextHopGateway: gw, Priority: 1000},
			{ID: "projects/ent-net-host/global/routes/to-onprem", Project: host, Name: "to-onprem",
				Network: "shared-vpc", DestRange: "172.16.0.0/12", NextHop: "10.4.0.2", Priority: 900},
		},
		NATs: []inv.NAT{{
			ID: "projects/ent-net-host/regions/us-central1/routers/core-router/nats/core-nat", Project: host,
			Region: "us-central1", Router: "core-router", Name: "core-nat", Network: "shared-vpc",
			SourceSubnetworkIPRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES", NatIPAllocateOption: "MANUAL_ONLY",
			NatIPs: []string{"core-nat-ip-1", "core-nat-ip-2"}, Type: "PUBLIC",
			// 7 connector VMs + 5 application VMs.
			Status: &inv.NATStatus{VMEndpointsWithNATMappings: 12, UserAllocatedNatIPs: []string{"35.192.10.1", "35.192.10.2"}},
			// 2.5 TiB out, 0.5 TiB in.
			Usage: &inv.NATUsage{BytesSent: 2748779069440, BytesReceived: 549755813888},
		}},
		Addresses: []inv.Address{
			{ID: "projects/ent-net-host/regions/us-central1/addresses/core-nat-ip-1", Project: host, Region: "us-central1", Name: "core-nat-ip-1",
				Address: "35.192.10.1", AddressType: "EXTERNAL", Purpose: "NAT_AUTO", Status: "IN_USE"},
			{ID: "projects/ent-net-host/regions/us-central1/addresses/core-nat-ip-2", Project: host, Region: "us-central1", Name: "core-nat-ip-2",
				Address: "35.192.10.2", AddressType: "EXTERNAL", Purpose: "NAT_AUTO", Status: "IN_USE"},
		},
		DNSZones: []inv.DNSZone{
			{
				ID: "projects/ent-net-host/managedZones/a-run-app", Project: host, Name: "a-run-app", DNSName: "a.run.app.",
				Visibility: "private", Networks: []string{"ent-net-host/shared-vpc"},
				Records: []inv.DNSRecord{
					{Name: "a.run.app.", Type: "NS", TTL: 21600, RRDatas: []string{"ns-gcp-private.googledomains.com."}},
					{Name: "a.run.app.", Type: "SOA", TTL: 21600, RRDatas: []string{soa}},
					{Name: "ledger-x2a9pq4rmb-uc.a.run.app.", Type: "A", TTL: 300, RRDatas: []string{"199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"}},
				},
			},
			{
				ID: "projects/ent-net-host/managedZones/corp-internal", Project: host, Name: "corp-internal", DNSName: "corp.example-enterprise.com.",
				Visibility: "private", Networks: []string{"ent-net-host/shared-vpc"},
				Records: []inv.DNSRecord{
					{Name: "corp.example-enterprise.com.", Type: "NS", TTL: 21600, RRDatas: []string{"ns-gcp-private.googledomains.com."}},
					{Name: "corp.example-enterprise.com.", Type: "SOA", TTL: 21600, RRDatas: []string{soa}},
					{Name: "db.corp.example-enterprise.com.", Type: "A", TTL: 300, RRDatas: []string{"10.4.0.10"}},
				},
			},
		},
		Coverage: concat(
			without(okCoverage(data), "monitoring.googleapis.com"),
			[]inv.Coverage{monitoringDenied},
			okCoverage(host),
			without(okCoverage(legacy), "run.googleapis.com", "appengine.googleapis.com"),
			[]inv.Coverage{
				{Project: legacy, API: "appengine.googleapis.com", Status: inv.CoverageDisabled, Detail: "SERVICE_DISABLED"},
				{Project: legacy, API: "run.googleapis.com", Status: inv.CoverageDisabled, Detail: "SERVICE_DISABLED"},
			},
			okCoverage(pay),
		),
	}
	return s
}

// migratedSnapshot mirrors testdata/scenarios/migrated.yaml.
func migratedSnapshot() *inv.Snapshot {
	const p = "calm-co"
	svc := func(name string) string { return "projects/calm-co/locations/us-central1/services/" + name }
	return &inv.Snapshot{
		SchemaVersion: inv.SchemaVersion, CollectedAt: collectedAt,
		Scope:           inv.Scope{Projects: []string{p}},
		UsageWindowDays: 30,
		Projects:        []inv.Project{{ID: p, Number: "560011223344", Regions: []string{"us-central1", "europe-west1"}}},
		Consumers: []inv.Consumer{
			{
				ID: svc("api"), Kind: inv.KindService, Project: p, Region: "us-central1", Name: "api",
				Egress: inv.EgressPrivateRangesOnly, Ingress: inv.IngressAll, Public: true, Invokers: []string{"allUsers"},
				DirectVPC: &inv.NetworkInterface{Network: "calm-vpc", Subnetwork: "run-us", Tags: []string{"api"}},
				URI:       "https://api-q4pz8a2mfa-uc.a.run.app", Generation: 21,
				CallURLs: []string{"https://users-q4pz8a2mfa-uc.a.run.app"}, Calls: []string{svc("users")},
				Usage: &inv.ConsumerUsage{PeakInstances: 15},
			},
			{
				ID: svc("users"), Kind: inv.KindService, Project: p, Region: "us-central1", Name: "users",
				Egress: inv.EgressPrivateRangesOnly, Ingress: inv.IngressInternal,
				Invokers:  []string{"serviceAccount:api@calm-co.iam.gserviceaccount.com"},
				DirectVPC: &inv.NetworkInterface{Network: "calm-vpc", Subnetwork: "run-us", Tags: []string{"users"}},
				URI:       "https://users-q4pz8a2mfa-uc.a.run.app", Generation: 12,
			},
			{
				ID: "projects/calm-co/locations/europe-west1/jobs/cleanup", Kind: inv.KindJob, Project: p, Region: "europe-west1",
				Name: "cleanup", Egress: inv.EgressPrivateRangesOnly, Generation: 2,
				DirectVPC: &inv.NetworkInterface{Network: "calm-vpc", Subnetwork: "run-eu"},
			},
		},
		Networks: []inv.Network{{ID: "projects/calm-co/global/networks/calm-vpc", Project: p, Name: "calm-vpc", RoutingMode: "REGIONAL"}},
		Subnets: []inv.Subnet{
			subnet(p, "us-central1", "run-us", "calm-vpc", "10.30.0.0/22", true, svc("api"), svc("users")),
			subnet(p, "europe-west1", "run-eu", "calm-vpc", "10.31.0.0/24", true, "projects/calm-co/locations/europe-west1/jobs/cleanup"),
		},
		Routes: []inv.Route{{
			ID: "projects/calm-co/global/routes/default-route-9a8b7c6d5e4f3a21", Project: p, Name: "default-route-9a8b7c6d5e4f3a21",
			Network: "calm-vpc", DestRange: "0.0.0.0/0", Priority: 1000,
			NextHopGateway: "https://www.googleapis.com/compute/v1/projects/calm-co/global/gateways/default-internet-gateway",
		}},
		DNSZones: []inv.DNSZone{{
			ID: "projects/calm-co/managedZones/run-app", Project: p, Name: "run-app", DNSName: "run.app.", Visibility: "private",
			Networks: []string{"calm-co/calm-vpc"},
			Records: []inv.DNSRecord{
				{Name: "*.run.app.", Type: "A", TTL: 300, RRDatas: []string{"199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"}},
				{Name: "run.app.", Type: "NS", TTL: 21600, RRDatas: []string{"ns-gcp-private.googledomains.com."}},
				{Name: "run.app.", Type: "SOA", TTL: 21600, RRDatas: []string{soa}},
			},
		}},
		Coverage: okCoverage(p),
	}
}

// emptySnapshot mirrors testdata/scenarios/empty.yaml.
func emptySnapshot() *inv.Snapshot {
	const p = "empty-project"
	return &inv.Snapshot{
		SchemaVersion: inv.SchemaVersion, CollectedAt: collectedAt,
		Scope:           inv.Scope{Projects: []string{p}},
		UsageWindowDays: 30,
		Projects:        []inv.Project{{ID: p, Number: "100000000001", Regions: []string{"us-central1"}}},
		Coverage:        okCoverage(p),
	}
}

// testSnapshots are the snapshots with goldens, by name.
var testSnapshots = []struct {
	name string
	snap func() *inv.Snapshot
}{
	{"startup", startupSnapshot},
	{"enterprise", enterpriseSnapshot},
	{"migrated", migratedSnapshot},
	{"empty", emptySnapshot},
}
