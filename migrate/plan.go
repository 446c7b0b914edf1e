// Package migrate turns an inventory and its analysis into a staged
// migration plan — plain, versioned data — and executes it step by step
// against a Target with a journal, verification, rollback and resume.
//
// Stages run in order: preflight (read-only checks; blockers stop the
// plan), network (Private Google Access, a route to 199.36.153.8/30, the
// Direct VPC subnet per region), dns (the run.app. private zone), services
// (per consumer: a tagged revision with no traffic, verification, traffic
// in steps), decommission (connectors nothing uses, Cloud NAT nothing else
// needs, after a soak period).
package migrate

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// FormatVersion identifies the JSON form of a Plan.
const FormatVersion = "vpcshift.plan/v1"

// StageName names a stage.
type StageName string

// The stages, in the order they run.
const (
	StagePreflight    StageName = "preflight"
	StageNetwork      StageName = "network"
	StageDNS          StageName = "dns"
	StageServices     StageName = "services"
	StageDecommission StageName = "decommission"
)

// Stages lists the stage names in order.
var Stages = []StageName{StagePreflight, StageNetwork, StageDNS, StageServices, StageDecommission}

// Action is what a step does. Every action has one meaning for the planner,
// the renderers and the executor.
type Action string

// Actions.
const (
	// ActionCheck is a read-only check (preflight); it changes nothing.
	ActionCheck Action = "check"
	// ActionValidate is a server-side validate_only update of a consumer's
	// target configuration (nothing is persisted).
	ActionValidate Action = "validate"
	// ActionManual is something a person must do (choose a subnet, grant a
	// role, redeploy an App Engine version); the executor stops at it
	// unless it is marked done.
	ActionManual Action = "manual"
	// ActionSetPGA turns Private Google Access on (or off, in rollback) on
	// a subnet.
	ActionSetPGA Action = "set-private-google-access"
	// ActionCreateRoute adds a route (199.36.153.8/30 → default internet
	// gateway).
	ActionCreateRoute Action = "create-route"
	// ActionCreateZone creates the private zone run.app. with its records.
	ActionCreateZone Action = "create-dns-zone"
	// ActionDeployRevision updates a service to Direct VPC egress as a new
	// revision that takes no traffic, under a tag.
	ActionDeployRevision Action = "deploy-revision"
	// ActionShiftTraffic moves a percentage of a service's traffic to the
	// tagged revision (100 makes it the latest and only target).
	ActionShiftTraffic Action = "shift-traffic"
	// ActionUpdateJob moves a Cloud Run job to Direct VPC egress.
	ActionUpdateJob Action = "update-job"
	// ActionUpdateWorkerPool moves a Cloud Run worker pool.
	ActionUpdateWorkerPool Action = "update-worker-pool"
	// ActionUpdateFunction moves a gen2 function (directVpcNetworkInterface,
	// directVpcEgress).
	ActionUpdateFunction Action = "update-function"
	// ActionSoak waits a period after the previous steps before going on.
	ActionSoak Action = "soak"
	// ActionDeleteConnector deletes a connector nothing uses any more.
	ActionDeleteConnector Action = "delete-connector"
	// ActionRemoveNATSubnets takes subnets out of a Cloud NAT gateway.
	ActionRemoveNATSubnets Action = "remove-nat-subnets"
	// ActionRemoveNAT removes a Cloud NAT gateway nothing else needs.
	ActionRemoveNAT Action = "remove-nat"
)

// Plan is a staged migration, made from one inventory. It is data: it can
// be saved, reviewed, rendered and executed later; apply refuses it when
// the resources it touches changed since (Source.Fingerprint).
type Plan struct {
	FormatVersion string          `json:"formatVersion"`
	CreatedAt     time.Time       `json:"createdAt"`
	Scope         inventory.Scope `json:"scope"`
	Source        Source          `json:"source"`
	Options       Options         `json:"options"`
	Summary       Summary         `json:"summary"`
	// Blockers are what stops the plan or keeps a consumer where it is.
	Blockers []Blocker `json:"blockers"`
	Stages   []Stage   `json:"stages"`
}

// Source identifies what the plan was made from.
type Source struct {
	// Fingerprint hashes Resources (inventory.Fingerprint).
	Fingerprint string `json:"fingerprint"`
	// Resources are the resources the plan touches or relies on, with the
	// version that was read (etag, generation, relevant fields).
	Resources []inventory.ResourceVersion `json:"resources"`
	// Prices is the price book label the savings came from.
	Prices string `json:"prices"`
	// Projects are the projects that were inventoried.
	Projects []string `json:"projects"`
}

// Options are the choices the plan was made with.
type Options struct {
	// TrafficSteps are the percentages a service's traffic moves through
	// (default 10, 50, 100).
	TrafficSteps []int `json:"trafficSteps"`
	// Tag is the revision tag the new revision is deployed under.
	Tag string `json:"tag"`
	// CanarySoak is how long to watch each traffic step (default 5m).
	CanarySoak Duration `json:"canarySoak"`
	// DecommissionSoak is how long to wait after the last consumer of a
	// connector moved before deleting it (default 24h).
	DecommissionSoak Duration `json:"decommissionSoak"`
	// Subnets are the --subnet REGION=NAME choices.
	Subnets map[string]string `json:"subnets,omitempty"`
	// Live is true when the plan was made against Google (preflight then
	// includes validate_only updates).
	Live bool `json:"live"`
}

// Summary is what the plan changes in money, as decimal strings with two
// decimals (from the analysis it was made from).
type Summary struct {
	CurrentMonthlyCost    string `json:"currentMonthlyCost"`
	TargetMonthlyCost     string `json:"targetMonthlyCost"`
	MonthlySavings        string `json:"monthlySavings"`
	AnnualSavings         string `json:"annualSavings"`
	BlockedMonthlySavings string `json:"blockedMonthlySavings"`
	Currency              string `json:"currency"`
	// Consumers counts the consumers the plan moves, and those it cannot.
	ConsumersMoved   int `json:"consumersMoved"`
	ConsumersBlocked int `json:"consumersBlocked"`
}

// Blocker is a reason something cannot go ahead.
type Blocker struct {
	ID       string `json:"id"`       // the finding ID it comes from, when any
	Resource string `json:"resource"` // what it concerns
	Reason   string `json:"reason"`
	Fix      string `json:"fix"`
	// StopsPlan is true when nothing past preflight may run until it is
	// resolved (a conflicting run.app zone, say); false when it only keeps
	// some consumers (and their connector) where they are.
	StopsPlan bool `json:"stopsPlan"`
}

// Stage is one stage of the plan.
type Stage struct {
	Name        StageName `json:"name"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Steps       []Step    `json:"steps"`
}

// Step is one change (or check). Everything the executor and the
// renderers need is here; nothing is recomputed from the inventory.
type Step struct {
	// ID is stable across plans made from the same inventory, e.g.
	// "services/ent-payments/us-central1/service/checkout/traffic-50".
	ID     string `json:"id"`
	Action Action `json:"action"`
	// Title is a one-line description for people.
	Title string `json:"title"`
	// Resource is the full name of what the step changes.
	Resource string `json:"resource"`
	// Kind is the resource kind (service, job, worker-pool, function,
	// subnet, route, dns-zone, connector, nat, …).
	Kind    string `json:"kind"`
	Project string `json:"project"`
	Region  string `json:"region,omitempty"`
	// Params are the action's arguments.
	Params Params `json:"params"`
	// DependsOn lists step IDs that must have succeeded first.
	DependsOn []string `json:"dependsOn,omitempty"`
	// Preconditions must hold before the step runs; Verify after it.
	Preconditions []Check `json:"preconditions,omitempty"`
	Verify        []Check `json:"verify,omitempty"`
	// Rollback undoes the step (nil: nothing to undo, e.g. a check).
	Rollback *Rollback `json:"rollback,omitempty"`
	// MonthlyCostDelta is what the step changes in the monthly bill, as a
	// signed decimal string ("-18.34"), "" when nothing.
	MonthlyCostDelta string `json:"monthlyCostDelta,omitempty"`
	// Risks are what could go wrong, for the runbook.
	Risks []string `json:"risks,omitempty"`
	// Notes are what a reviewer should know that is not a risk (what a
	// step deliberately leaves alone, where a figure comes from).
	Notes []string `json:"notes,omitempty"`
}

// Params carries every action's arguments; each action uses some fields.
type Params struct {
	// Consumer updates (deploy-revision, update-job/-worker-pool/-function,
	// validate).
	Network       string   `json:"network,omitempty"`       // projects/P/global/networks/N
	Subnetwork    string   `json:"subnetwork,omitempty"`    // projects/P/regions/R/subnetworks/S
	NetworkTags   []string `json:"networkTags,omitempty"`   // kept from the consumer/connector
	Egress        string   `json:"egress,omitempty"`        // PRIVATE_RANGES_ONLY
	FromConnector string   `json:"fromConnector,omitempty"` // the connector being cleared
	FromEgress    string   `json:"fromEgress,omitempty"`    // the egress before, for rollback
	// Etag and Generation are the consumer's version when planned.
	Etag       string `json:"etag,omitempty"`
	Generation int64  `json:"generation,omitempty"`
	// Traffic (deploy-revision, shift-traffic).
	Tag              string `json:"tag,omitempty"`
	Percent          int    `json:"percent,omitempty"`
	PreviousRevision string `json:"previousRevision,omitempty"` // serving before the migration
	// Revision is the revision deploy-revision creates (and the one the
	// tag names in shift-traffic).
	Revision string `json:"revision,omitempty"`
	// Traffic is the whole traffic split the step sets (deploy-revision:
	// the previous revision keeps 100%, the new one 0% under the tag;
	// shift-traffic: the split after the step; the last step is 100% to
	// LATEST).
	Traffic []inventory.TrafficTarget `json:"traffic,omitempty"`
	// Subnet (set-private-google-access).
	Subnet                string `json:"subnet,omitempty"`
	PrivateIPGoogleAccess bool   `json:"privateIpGoogleAccess,omitempty"`
	// Route (create-route).
	RouteName      string `json:"routeName,omitempty"`
	DestRange      string `json:"destRange,omitempty"`
	NextHopGateway string `json:"nextHopGateway,omitempty"`
	Priority       int    `json:"priority,omitempty"`
	// DNS (create-dns-zone).
	ZoneName    string                `json:"zoneName,omitempty"`
	DNSName     string                `json:"dnsName,omitempty"`
	Networks    []string              `json:"networks,omitempty"` // PROJECT/NETWORK the zone is visible to
	Records     []inventory.DNSRecord `json:"records,omitempty"`
	Description string                `json:"description,omitempty"`
	// Connector (delete-connector).
	Connector string `json:"connector,omitempty"`
	// Projects are the projects whose consumers a connector-unused check
	// reads (the connector's own, its connectedProjects, and the Shared
	// VPC service projects that list its region).
	Projects []string `json:"projects,omitempty"`
	// NAT (remove-nat, remove-nat-subnets).
	Router        string   `json:"router,omitempty"`
	NAT           string   `json:"nat,omitempty"`
	RemoveSubnets []string `json:"removeSubnets,omitempty"`
	// KeepSubnets are the subnets the gateway keeps serving after
	// remove-nat-subnets (for tools that set the whole list).
	KeepSubnets []string `json:"keepSubnets,omitempty"`
	// Soak.
	Wait Duration `json:"wait,omitempty"`
	// Manual and check steps: what to do or check, in words, and the
	// commands that do it.
	Instructions string   `json:"instructions,omitempty"`
	Commands     []string `json:"commands,omitempty"`
}

// CheckKind names a precondition or verification the executor knows.
type CheckKind string

// Checks.
const (
	CheckEtagUnchanged    CheckKind = "etag-unchanged"     // the consumer's etag is still Params.Etag
	CheckRevisionReady    CheckKind = "revision-ready"     // the tagged revision is Ready
	CheckRevisionHealthy  CheckKind = "revision-healthy"   // 5xx ratio not worse than the previous revision's
	CheckTrafficAt        CheckKind = "traffic-at"         // the tag serves Params.Percent
	CheckConsumerMoved    CheckKind = "consumer-on-target" // no connector, network interfaces, PRIVATE_RANGES_ONLY
	CheckSubnetPGA        CheckKind = "subnet-pga"         // Private Google Access is on
	CheckRouteExists      CheckKind = "route-exists"       // a route covers 199.36.153.8/30 via the internet gateway
	CheckZoneAbsent       CheckKind = "zone-absent"        // no zone of that name / no run.app override yet
	CheckZoneResolves     CheckKind = "zone-resolves"      // the zone holds the records
	CheckConnectorUnused  CheckKind = "connector-unused"   // a fresh read finds no consumer of the connector
	CheckConnectorGone    CheckKind = "connector-gone"     // the connector no longer exists
	CheckNATUnneeded      CheckKind = "nat-unneeded"       // no VM or ALL_TRAFFIC consumer needs the NAT
	CheckNATChanged       CheckKind = "nat-changed"        // the NAT no longer exists / no longer lists the subnets
	CheckSoakElapsed      CheckKind = "soak-elapsed"       // long enough since the dependencies finished
	CheckManualConfirmed  CheckKind = "manual-confirmed"   // a person confirmed the manual step
	CheckValidateAccepted CheckKind = "validate-accepted"  // validate_only accepted the target configuration
	CheckNoBlocker        CheckKind = "no-blocker"         // no plan-stopping blocker remains
)

// CheckTrafficOneRevision: 100% of a service's traffic goes to
// Params.PreviousRevision (what deploy-revision expects to find).
const CheckTrafficOneRevision CheckKind = "traffic-one-revision"

// Check is one precondition or verification.
type Check struct {
	Kind        CheckKind `json:"kind"`
	Description string    `json:"description"`
}

// Rollback says how to undo a step.
type Rollback struct {
	Description string `json:"description"`
	// Commands are what a person would run to undo it by hand.
	Commands []string `json:"commands,omitempty"`
}

// Duration is a time.Duration written as "5m0s" in JSON.
type Duration time.Duration

// MarshalJSON writes the Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Std is the time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Write encodes the plan as indented JSON.
func (p *Plan) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// Read decodes a plan, refusing unknown fields and other format versions.
func Read(r io.Reader) (*Plan, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("decoding plan: %w", err)
	}
	if p.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("plan has formatVersion %q, this vpcshift reads %q", p.FormatVersion, FormatVersion)
	}
	return &p, nil
}

// Load reads a plan file.
func Load(path string) (*Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Stage returns the stage of that name.
func (p *Plan) Stage(name StageName) (*Stage, bool) {
	for i := range p.Stages {
		if p.Stages[i].Name == name {
			return &p.Stages[i], true
		}
	}
	return nil, false
}

// Step returns the step with that ID.
func (p *Plan) Step(id string) (*Step, bool) {
	for i := range p.Stages {
		for j := range p.Stages[i].Steps {
			if p.Stages[i].Steps[j].ID == id {
				return &p.Stages[i].Steps[j], true
			}
		}
	}
	return nil, false
}

// Stopped reports whether a blocker stops the plan.
func (p *Plan) Stopped() bool {
	for _, b := range p.Blockers {
		if b.StopsPlan {
			return true
		}
	}
	return false
}
