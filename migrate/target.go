package migrate

import (
	"context"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// Target is what the executor changes and reads: the live estate.
// *gcp.Clients satisfies it against Google or the emulator. Errors wrap
// the inventory.Err* sentinels (ErrNotFound, ErrConflict, ErrRetryable,
// ErrDenied, ErrInvalid, ErrOperationFailed) so the executor can tell them
// apart with errors.Is.
type Target interface {
	// Consumer reads a consumer's live state.
	Consumer(ctx context.Context, kind inventory.ConsumerKind, id string) (*inventory.ConsumerState, error)
	// UpdateConsumerVPC sets a consumer's VPC egress; for a service,
	// revision names the new revision and traffic (when not nil) is set in
	// the same update. A non-empty etag must match (else ErrConflict).
	// validateOnly checks without changing anything. When the change is
	// accepted but the new revision does not become ready, it returns the
	// state with Ready false and an error wrapping ErrOperationFailed.
	UpdateConsumerVPC(ctx context.Context, kind inventory.ConsumerKind, id, etag string, vpc inventory.VPCConfig, revision string, traffic []inventory.TrafficTarget, validateOnly bool) (*inventory.ConsumerState, error)
	// SetTraffic sets a service's traffic split.
	SetTraffic(ctx context.Context, id, etag string, traffic []inventory.TrafficTarget) (*inventory.ConsumerState, error)
	// RevisionHealth reads a revision's requests and 5xx over the window
	// ending at now.
	RevisionHealth(ctx context.Context, service, revision string, window time.Duration, now time.Time) (inventory.RevisionHealth, error)

	Subnet(ctx context.Context, project, region, name string) (*inventory.Subnet, error)
	SetPrivateGoogleAccess(ctx context.Context, project, region, name string, on bool) error
	Routes(ctx context.Context, project string) ([]inventory.Route, error)
	CreateRoute(ctx context.Context, project string, r inventory.Route) error
	DeleteRoute(ctx context.Context, project, name string) error

	// Zones lists managed zones (with records for run.app zones).
	Zones(ctx context.Context, project string) ([]inventory.DNSZone, error)
	// CreateZone creates a private zone with its records; re-running it
	// on a zone it created is harmless.
	CreateZone(ctx context.Context, project string, z inventory.DNSZone, description string) error
	DeleteZone(ctx context.Context, project, name string) error

	Connector(ctx context.Context, id string) (*inventory.Connector, error)
	DeleteConnector(ctx context.Context, id string) error
	// ConnectorUsers reads afresh every consumer kind in the projects and
	// returns those that use the connector; it fails rather than guess.
	ConnectorUsers(ctx context.Context, connector string, projects []string) ([]string, error)

	NAT(ctx context.Context, project, region, router, nat string) (*inventory.NATConfig, error)
	RemoveNATSubnets(ctx context.Context, project, region, router, nat string, subnets []string) error
	RemoveNAT(ctx context.Context, project, region, router, nat string) error
	RestoreNAT(ctx context.Context, cfg inventory.NATConfig) error
}
