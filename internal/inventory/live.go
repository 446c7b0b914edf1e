package inventory

import (
	"errors"
	"time"
)

// Errors every live read or change may wrap, so that callers outside
// internal/gcp can tell them apart with errors.Is without knowing the SDKs.
var (
	// ErrNotFound: the resource does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: someone else changed it (stale etag or fingerprint,
	// ABORTED, already exists).
	ErrConflict = errors.New("conflict")
	// ErrRetryable: UNAVAILABLE, RESOURCE_EXHAUSTED, 429, 503 — try again
	// later.
	ErrRetryable = errors.New("temporarily unavailable")
	// ErrDenied: a permission is missing or the API is disabled.
	ErrDenied = errors.New("permission denied")
	// ErrInvalid: the request was refused as invalid.
	ErrInvalid = errors.New("invalid request")
	// ErrOperationFailed: the change was accepted but its long-running
	// operation ended in error (a revision that did not become ready…).
	ErrOperationFailed = errors.New("operation failed")
)

// ConsumerState is a consumer as read live, with what a migration step
// needs to decide and verify.
type ConsumerState struct {
	ID         string       `json:"id"`
	Kind       ConsumerKind `json:"kind"`
	Etag       string       `json:"etag,omitempty"`
	Generation int64        `json:"generation,omitempty"`
	VPC        VPCConfig    `json:"vpc"`
	// Services: the revision serving, the newest one, whether it is
	// ready, the configured traffic and, per tag, the revision it names.
	LatestReadyRevision   string            `json:"latestReadyRevision,omitempty"`
	LatestCreatedRevision string            `json:"latestCreatedRevision,omitempty"`
	Traffic               []TrafficTarget   `json:"traffic,omitempty"`
	TaggedRevisions       map[string]string `json:"taggedRevisions,omitempty"`
	// TrafficByRevision is the percentage each revision actually serves
	// (from the traffic statuses).
	TrafficByRevision map[string]int `json:"trafficByRevision,omitempty"`
	// Ready is false when the latest change did not become ready, with
	// the reason in Message.
	Ready   bool   `json:"ready"`
	Message string `json:"message,omitempty"`
}

// VPCConfig is a consumer's VPC egress: a connector, or Direct VPC egress
// through one network interface, and the egress setting.
type VPCConfig struct {
	Connector string            `json:"connector,omitempty"`
	Interface *NetworkInterface `json:"interface,omitempty"`
	Egress    string            `json:"egress,omitempty"`
}

// RevisionHealth is a revision's request outcome over a window, from Cloud
// Monitoring (run.googleapis.com/request_count by response_code_class).
type RevisionHealth struct {
	Known     bool          `json:"known"` // false when monitoring had nothing to say
	Requests  int64         `json:"requests"`
	Errors5xx int64         `json:"errors5xx"`
	Window    time.Duration `json:"window"`
}

// NATConfig is a Cloud NAT gateway's configuration, enough to restore it
// after removing it or changing its subnets.
type NATConfig struct {
	Project string `json:"project"`
	Region  string `json:"region"`
	Router  string `json:"router"`
	Name    string `json:"name"`
	// Raw is the gateway's REST JSON (compute v1 RouterNat), restored as
	// is by a rollback.
	Raw []byte `json:"raw"`
	// SourceSubnetworkIPRangesToNat and Subnetworks as in NAT.
	SourceSubnetworkIPRangesToNat string   `json:"sourceSubnetworkIpRangesToNat"`
	Subnetworks                   []string `json:"subnetworks,omitempty"`
	// VMEndpointsWithNATMappings from the router status (-1 unknown).
	VMEndpointsWithNATMappings int `json:"vmEndpointsWithNatMappings"`
}
