package analyzer

import (
	"sort"

	"github.com/vpcshift/vpcshift/internal/money"
)

// Finding codes. Each is documented in docs/findings.md (what, why, fix,
// source); a test keeps the two in step.
const (
	CodeConnectorMigratable       = "connector-migratable"
	CodeConnectorIdle             = "connector-idle"
	CodeConnectorKept             = "connector-kept"
	CodeConnectorScaledOut        = "connector-scaled-out"
	CodeConnectorUnknownConsumers = "connector-unknown-consumers"
	CodeConsumerAllTraffic        = "consumer-all-traffic"
	CodeConsumerCannotMove        = "consumer-cannot-move"
	CodeConsumerManualMove        = "consumer-manual-move"
	CodeOnTarget                  = "on-target"
	CodePublicService             = "public-service"
	CodeNATServerlessOnly         = "nat-serverless-only"
	CodeNATSharedWithVMs          = "nat-shared-with-vms"
	CodeNATStaticEgressIP         = "nat-static-egress-ip"
	CodeNATStatusUnknown          = "nat-status-unknown"
	CodeSubnetNoPGA               = "subnet-no-pga"
	CodeSubnetTooSmall            = "subnet-too-small"
	CodeNoSubnet                  = "no-subnet"
	CodeNoVIPRoute                = "no-vip-route"
	CodeRunAppZoneExists          = "runapp-zone-exists"
	CodeRunAppZoneConflict        = "runapp-zone-conflict"
	CodeResponsePolicyConflict    = "response-policy-conflict"
	CodeCoverageGap               = "coverage-gap"
	CodePriceMissing              = "price-missing"
	CodeUsageMissing              = "usage-missing"
	CodeNegativeSavings           = "negative-savings"
)

// FindingCodes lists every code Analyze can emit, sorted.
func FindingCodes() []string {
	codes := []string{
		CodeConnectorMigratable, CodeConnectorIdle, CodeConnectorKept, CodeConnectorScaledOut,
		CodeConnectorUnknownConsumers, CodeConsumerAllTraffic, CodeConsumerCannotMove,
		CodeConsumerManualMove, CodeOnTarget, CodePublicService, CodeNATServerlessOnly,
		CodeNATSharedWithVMs, CodeNATStaticEgressIP, CodeNATStatusUnknown, CodeSubnetNoPGA,
		CodeSubnetTooSmall, CodeNoSubnet, CodeNoVIPRoute, CodeRunAppZoneExists,
		CodeRunAppZoneConflict, CodeResponsePolicyConflict, CodeCoverageGap, CodePriceMissing,
		CodeUsageMissing, CodeNegativeSavings,
	}
	sort.Strings(codes)
	return codes
}

// findingSet collects findings, once per ID.
type findingSet struct {
	byID map[string]Finding
}

func (s *findingSet) add(code, severity, resource, message, fix string, impact *money.Amount) {
	if s.byID == nil {
		s.byID = map[string]Finding{}
	}
	id := code + ":" + resource
	if _, dup := s.byID[id]; dup {
		return
	}
	f := Finding{ID: id, Code: code, Severity: severity, Resource: resource, Message: message, Fix: fix}
	if impact != nil {
		f.MonthlyImpact = mp(*impact)
	}
	s.byID[id] = f
}

// sorted returns the findings, most severe first, then by ID.
func (s *findingSet) sorted() []Finding {
	out := make([]Finding, 0, len(s.byID))
	for _, f := range s.byID {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if severityRank[a.Severity] != severityRank[b.Severity] {
			return severityRank[a.Severity] < severityRank[b.Severity]
		}
		return a.ID < b.ID
	})
	return out
}

func amt(a money.Amount) *money.Amount { return &a }
