// Package inventory holds vpcshift's own picture of what runs in a set of
// Google Cloud projects: Serverless VPC Access connectors, everything that
// uses them, Cloud NAT gateways, the VPC networks, subnets, routes and DNS
// around them, and usage read from Cloud Monitoring.
//
// These are our domain types, not the SDK's: internal/gcp converts API
// resources into them, and everything downstream (analyzer, migrate, tui)
// reads only these. A Snapshot is plain data: it can be saved as JSON,
// loaded back, and fingerprinted.
package inventory

import (
	"time"
)

// SchemaVersion identifies the JSON form of a Snapshot.
const SchemaVersion = "vpcshift.inventory/v1"

// Snapshot is everything collected in one run. Slices are sorted by ID
// (Sort does it) so that output is deterministic.
type Snapshot struct {
	SchemaVersion string    `json:"schemaVersion"`
	CollectedAt   time.Time `json:"collectedAt"`
	Scope         Scope     `json:"scope"`
	// UsageWindowDays is how far back usage was read from Cloud Monitoring.
	UsageWindowDays int `json:"usageWindowDays"`

	Projects         []Project        `json:"projects"`
	Connectors       []Connector      `json:"connectors"`
	Consumers        []Consumer       `json:"consumers"`
	Networks         []Network        `json:"networks"`
	Subnets          []Subnet         `json:"subnets"`
	Routes           []Route          `json:"routes"`
	NATs             []NAT            `json:"nats"`
	Addresses        []Address        `json:"addresses"`
	DNSZones         []DNSZone        `json:"dnsZones"`
	ResponsePolicies []ResponsePolicy `json:"responsePolicies"`
	// Coverage says, per project and API, what could be read and what not.
	Coverage []Coverage `json:"coverage"`
}

// Scope is what was asked for.
type Scope struct {
	Projects []string `json:"projects,omitempty"`
	Org      string   `json:"organization,omitempty"`
	Folder   string   `json:"folder,omitempty"`
	Regions  []string `json:"regions,omitempty"`
}

// Project is one project that was inventoried.
type Project struct {
	ID     string `json:"id"`
	Number string `json:"number,omitempty"`
	Parent string `json:"parent,omitempty"` // organizations/N or folders/N
	// SharedVPCHost is the host project when this is a Shared VPC service
	// project, "" otherwise.
	SharedVPCHost string `json:"sharedVpcHost,omitempty"`
	// IsSharedVPCHost is true for a Shared VPC host project.
	IsSharedVPCHost bool `json:"isSharedVpcHost,omitempty"`
	// Regions holds the regions that were listed for regional APIs.
	Regions []string `json:"regions,omitempty"`
}

// Connector is a Serverless VPC Access connector.
type Connector struct {
	// ID is the full resource name projects/P/locations/R/connectors/N.
	ID      string `json:"id"`
	Project string `json:"project"`
	Region  string `json:"region"`
	Name    string `json:"name"`
	// Network is the VPC network name; NetworkProject the project that owns
	// it (the Shared VPC host when the connector uses a host subnet).
	Network        string `json:"network"`
	NetworkProject string `json:"networkProject"`
	IPCIDRRange    string `json:"ipCidrRange,omitempty"`
	Subnet         string `json:"subnet,omitempty"`
	SubnetProject  string `json:"subnetProject,omitempty"`
	MachineType    string `json:"machineType"`
	MinInstances   int    `json:"minInstances"`
	MaxInstances   int    `json:"maxInstances"`
	MinThroughput  int    `json:"minThroughput,omitempty"`
	MaxThroughput  int    `json:"maxThroughput,omitempty"`
	State          string `json:"state"`
	// ConnectedProjects is what the API says uses the connector.
	ConnectedProjects []string        `json:"connectedProjects,omitempty"`
	Usage             *ConnectorUsage `json:"usage,omitempty"`
}

// ConnectorUsage is what Cloud Monitoring says about a connector over the
// usage window.
type ConnectorUsage struct {
	// MaxInstances is the highest instance count observed (connectors scale
	// out and do not scale back in, so this is what is being paid for).
	MaxInstances int `json:"maxInstances"`
	// LastInstances is the most recent instance count observed.
	LastInstances int `json:"lastInstances"`
	// BytesSent and BytesReceived are totals over the window.
	BytesSent     int64  `json:"bytesSent"`
	BytesReceived int64  `json:"bytesReceived"`
	Metric        string `json:"metric"` // the instance-count metric type read
}

// ConsumerKind is what kind of workload a Consumer is.
type ConsumerKind string

// Consumer kinds.
const (
	KindService    ConsumerKind = "service"     // Cloud Run service
	KindJob        ConsumerKind = "job"         // Cloud Run job
	KindWorkerPool ConsumerKind = "worker-pool" // Cloud Run worker pool
	KindFunction   ConsumerKind = "function"    // Cloud Run functions / Cloud Functions 2nd gen
	KindFunction1  ConsumerKind = "function-gen1"
	KindAppEngine  ConsumerKind = "app-engine" // App Engine standard version
)

// Egress values, normalised across APIs (Cloud Run, Functions and App
// Engine spell and number them differently).
const (
	EgressAllTraffic        = "ALL_TRAFFIC"
	EgressPrivateRangesOnly = "PRIVATE_RANGES_ONLY"
)

// Ingress values, normalised.
const (
	IngressAll                  = "all"
	IngressInternal             = "internal"
	IngressInternalLoadBalancer = "internal-and-cloud-load-balancing"
	IngressNone                 = "none"
)

// Consumer is anything that can send traffic through a connector: a Cloud
// Run service, job or worker pool, a function, or an App Engine version.
// Consumers that use neither a connector nor Direct VPC egress are listed
// too (they matter for DNS and ingress findings).
type Consumer struct {
	// ID is the full resource name (projects/P/locations/R/services/S,
	// apps/P/services/S/versions/V, …).
	ID      string       `json:"id"`
	Kind    ConsumerKind `json:"kind"`
	Project string       `json:"project"`
	Region  string       `json:"region"`
	Name    string       `json:"name"`
	// Connector is the full connector name (normalised to the project ID
	// form), "" when none.
	Connector string `json:"connector,omitempty"`
	// Egress is EgressAllTraffic or EgressPrivateRangesOnly ("" when the
	// consumer has no VPC access at all).
	Egress string `json:"egress,omitempty"`
	// DirectVPC is set when the consumer already uses Direct VPC egress.
	DirectVPC *NetworkInterface `json:"directVpc,omitempty"`
	// Ingress is one of the Ingress* values ("" where not applicable).
	Ingress string `json:"ingress,omitempty"`
	// Public is true when allUsers (or allAuthenticatedUsers) may invoke it.
	Public   bool     `json:"public,omitempty"`
	Invokers []string `json:"invokers,omitempty"`
	URI      string   `json:"uri,omitempty"`
	// CallURLs are the run.app URLs found in its environment variables.
	CallURLs []string `json:"callUrls,omitempty"`
	// Etag and Generation identify the version read; a plan refuses to run
	// when they changed.
	Etag       string `json:"etag,omitempty"`
	Generation int64  `json:"generation,omitempty"`
	// LatestReadyRevision and Traffic describe a service's serving state.
	LatestReadyRevision string          `json:"latestReadyRevision,omitempty"`
	Traffic             []TrafficTarget `json:"traffic,omitempty"`
	// ServiceAccount is the identity it runs as.
	ServiceAccount string `json:"serviceAccount,omitempty"`
	// UnderlyingService is, for a gen2 function, its Cloud Run service.
	UnderlyingService string `json:"underlyingService,omitempty"`
	// MaxInstances is the configured scaling limit (0 = default).
	MaxInstances int `json:"maxInstances,omitempty"`
	// Labels are the resource's labels.
	Labels map[string]string `json:"labels,omitempty"`
	// Calls lists the IDs of other consumers this one calls, where known
	// (environment variables holding their run.app URLs); the migration
	// moves callees before callers.
	Calls []string       `json:"calls,omitempty"`
	Usage *ConsumerUsage `json:"usage,omitempty"`
}

// NetworkInterface is a Direct VPC egress attachment.
type NetworkInterface struct {
	Network    string   `json:"network,omitempty"`
	Subnetwork string   `json:"subnetwork,omitempty"`
	Tags       []string `json:"tags,omitempty"`
}

// TrafficTarget is one entry of a service's traffic split.
type TrafficTarget struct {
	Type     string `json:"type,omitempty"` // LATEST or REVISION
	Revision string `json:"revision,omitempty"`
	Percent  int    `json:"percent"`
	Tag      string `json:"tag,omitempty"`
}

// ConsumerUsage is what Cloud Monitoring says about a consumer.
type ConsumerUsage struct {
	// PeakInstances is the highest instance count over the window (for
	// Direct VPC subnet sizing: ~2 IPs per instance).
	PeakInstances int `json:"peakInstances"`
	// EgressBytes is traffic sent over the window (used to attribute a
	// connector's or NAT's cost to its consumers).
	EgressBytes int64 `json:"egressBytes"`
}

// Network is a VPC network.
type Network struct {
	ID                    string `json:"id"` // projects/P/global/networks/N
	Project               string `json:"project"`
	Name                  string `json:"name"`
	SelfLink              string `json:"selfLink,omitempty"`
	AutoCreateSubnetworks bool   `json:"autoCreateSubnetworks,omitempty"`
	RoutingMode           string `json:"routingMode,omitempty"`
}

// Subnet is a VPC subnetwork.
type Subnet struct {
	ID                    string   `json:"id"` // projects/P/regions/R/subnetworks/N
	Project               string   `json:"project"`
	Region                string   `json:"region"`
	Name                  string   `json:"name"`
	Network               string   `json:"network"` // network name
	NetworkProject        string   `json:"networkProject"`
	IPCIDRRange           string   `json:"ipCidrRange"`
	SecondaryRanges       []string `json:"secondaryRanges,omitempty"`
	PrivateIPGoogleAccess bool     `json:"privateIpGoogleAccess"`
	Purpose               string   `json:"purpose,omitempty"`
	StackType             string   `json:"stackType,omitempty"` // IPV4_ONLY, IPV4_IPV6
	IPv6AccessType        string   `json:"ipv6AccessType,omitempty"`
	Fingerprint           string   `json:"fingerprint,omitempty"`
	// UsedBy lists what the inventory found using the subnet: connector IDs,
	// "vm" when NAT mappings or instances show VMs, consumer IDs for Direct
	// VPC egress.
	UsedBy []string `json:"usedBy,omitempty"`
}

// Route is a VPC route.
type Route struct {
	ID             string   `json:"id"` // projects/P/global/routes/N
	Project        string   `json:"project"`
	Name           string   `json:"name"`
	Network        string   `json:"network"`
	DestRange      string   `json:"destRange"`
	NextHopGateway string   `json:"nextHopGateway,omitempty"` // "default-internet-gateway" when that
	NextHop        string   `json:"nextHop,omitempty"`        // other next hops, for display
	Priority       int      `json:"priority"`
	Tags           []string `json:"tags,omitempty"`
}

// NAT is one Cloud NAT gateway (a NAT config on a Cloud Router).
type NAT struct {
	ID      string `json:"id"` // projects/P/regions/R/routers/ROUTER/nats/NAT
	Project string `json:"project"`
	Region  string `json:"region"`
	Router  string `json:"router"`
	Name    string `json:"name"`
	Network string `json:"network"`
	// SourceSubnetworkIPRangesToNat is ALL_SUBNETWORKS_ALL_IP_RANGES,
	// ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES or LIST_OF_SUBNETWORKS.
	SourceSubnetworkIPRangesToNat string `json:"sourceSubnetworkIpRangesToNat"`
	// Subnetworks are the subnet names it serves when LIST_OF_SUBNETWORKS.
	Subnetworks         []string `json:"subnetworks,omitempty"`
	NatIPAllocateOption string   `json:"natIpAllocateOption,omitempty"`
	// NatIPs are the static addresses it uses (names).
	NatIPs []string `json:"natIps,omitempty"`
	Type   string   `json:"type,omitempty"` // PUBLIC or PRIVATE
	// Status is from getRouterStatus; nil when it could not be read.
	Status *NATStatus `json:"status,omitempty"`
	Usage  *NATUsage  `json:"usage,omitempty"`
}

// NATStatus is the gateway's live status.
type NATStatus struct {
	// VMEndpointsWithNATMappings counts VM endpoints that got a NAT
	// assignment (this is what uptime is billed on).
	VMEndpointsWithNATMappings int      `json:"vmEndpointsWithNatMappings"`
	AutoAllocatedNatIPs        []string `json:"autoAllocatedNatIps,omitempty"`
	UserAllocatedNatIPs        []string `json:"userAllocatedNatIps,omitempty"`
}

// NATUsage is what Cloud Monitoring says about a gateway.
type NATUsage struct {
	// BytesProcessed is sent + received over the window.
	BytesSent     int64 `json:"bytesSent"`
	BytesReceived int64 `json:"bytesReceived"`
	// ServerlessBytes is the part of the traffic that came from serverless
	// (connector subnets), when it could be told apart.
	ServerlessBytes int64 `json:"serverlessBytes,omitempty"`
}

// Address is a reserved IP address.
type Address struct {
	ID          string   `json:"id"`
	Project     string   `json:"project"`
	Region      string   `json:"region"`
	Name        string   `json:"name"`
	Address     string   `json:"address"`
	AddressType string   `json:"addressType,omitempty"` // EXTERNAL or INTERNAL
	Purpose     string   `json:"purpose,omitempty"`
	Status      string   `json:"status,omitempty"`
	Users       []string `json:"users,omitempty"`
}

// DNSZone is a Cloud DNS managed zone.
type DNSZone struct {
	ID         string `json:"id"` // projects/P/managedZones/N
	Project    string `json:"project"`
	Name       string `json:"name"`
	DNSName    string `json:"dnsName"`
	Visibility string `json:"visibility"` // public or private
	// Networks are the networks a private zone is visible to, as
	// "PROJECT/NETWORK".
	Networks []string    `json:"networks,omitempty"`
	Records  []DNSRecord `json:"records,omitempty"`
	// Forwarding or peering zones are not plain record zones.
	Kind string `json:"kind,omitempty"` // "", "forwarding", "peering", "service-directory"
}

// DNSRecord is one resource record set.
type DNSRecord struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	TTL     int      `json:"ttl"`
	RRDatas []string `json:"rrdatas"`
}

// ResponsePolicy is a Cloud DNS response policy.
type ResponsePolicy struct {
	ID       string               `json:"id"`
	Project  string               `json:"project"`
	Name     string               `json:"name"`
	Networks []string             `json:"networks,omitempty"` // PROJECT/NETWORK
	Rules    []ResponsePolicyRule `json:"rules,omitempty"`
}

// ResponsePolicyRule is one rule of a response policy.
type ResponsePolicyRule struct {
	Name      string      `json:"name"`
	DNSName   string      `json:"dnsName"`
	Behavior  string      `json:"behavior,omitempty"`
	LocalData []DNSRecord `json:"localData,omitempty"`
}

// Coverage status values.
const (
	CoverageOK       = "ok"
	CoverageDisabled = "disabled"
	CoverageDenied   = "denied"
	CoverageError    = "error"
)

// Coverage records whether one API could be read in one project.
type Coverage struct {
	Project string `json:"project"`
	API     string `json:"api"` // e.g. run.googleapis.com
	Status  string `json:"status"`
	// Permission is the denied permission when Status is denied.
	Permission string `json:"permission,omitempty"`
	// Detail is the error text when not ok.
	Detail string `json:"detail,omitempty"`
	// LeavesOut says what the report lacks because of it.
	LeavesOut string `json:"leavesOut,omitempty"`
	// Fix says what to do.
	Fix string `json:"fix,omitempty"`
}
