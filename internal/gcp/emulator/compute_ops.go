package emulator

// Compute Engine operations: the region and global Operations that
// Compute's mutations return, polled with regionOperations.get/wait and
// globalOperations.get/wait. They are kept apart from s.ops (which holds
// google.longrunning operations for the gRPC APIs).

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	compute "google.golang.org/api/compute/v1"
	"google.golang.org/grpc/codes"
)

// computeOp is one Compute operation. It answers RUNNING until it has been
// polled pollsLeft times, then DONE (with err, when an operation fault hit
// the mutation).
type computeOp struct {
	op        *compute.Operation
	project   string // project ID
	scope     string // "regions/R" or "global"
	pollsLeft int
	err       *apiError
}

// computeState is the per-server Compute state that is not scenario data.
// It is guarded by the server's s.mu.
type computeState struct {
	ops map[string]*computeOp // by operation name
}

// computeStates holds each running server's computeState.
var computeStates sync.Map // *Server -> *computeState

func (s *Server) computeState() *computeState {
	if v, ok := computeStates.Load(s); ok {
		return v.(*computeState)
	}
	v, _ := computeStates.LoadOrStore(s, &computeState{ops: map[string]*computeOp{}})
	return v.(*computeState)
}

// watchClose runs f once the server has been closed (to drop per-server
// state kept outside the Server struct).
func (s *Server) watchClose(f func()) {
	if s.grpcLis == nil {
		return
	}
	done := s.grpcLis.done
	go func() {
		<-done
		f()
	}()
}

// newComputeOp records an operation on target and returns its RUNNING wire
// form; opErr makes it end in that error. Callers hold s.mu.
func (s *Server) newComputeOp(p *Project, scope, opType, targetLink string, targetID uint64, opErr *apiError) *compute.Operation {
	now := s.computeNow()
	name := fmt.Sprintf("operation-%d-%s", s.now().UnixMilli(), s.nextID(""))
	op := &compute.Operation{
		Kind:          "compute#operation",
		Name:          name,
		Id:            computeHashID(p.ProjectID, scope, name),
		OperationType: opType,
		TargetLink:    targetLink,
		TargetId:      targetID,
		Status:        "RUNNING",
		Progress:      0,
		InsertTime:    now,
		StartTime:     now,
		User:          "emulator@vpcshift.local",
		SelfLink:      computeLink(p.ProjectID, scope, "operations", name),
	}
	if strings.HasPrefix(scope, "regions/") {
		op.Region = computeLink(p.ProjectID, scope)
	}
	s.computeState().ops[name] = &computeOp{op: op, project: p.ProjectID, scope: scope, pollsLeft: s.pendingPolls, err: opErr}
	return cloneJSON(op)
}

// poll advances an operation by one poll; callers hold s.mu.
func (s *Server) pollComputeOp(o *computeOp) *compute.Operation {
	if o.op.Status != "DONE" {
		if o.pollsLeft > 0 {
			o.pollsLeft--
		} else {
			o.op.Status = "DONE"
			o.op.Progress = 100
			o.op.EndTime = s.computeNow()
			if o.err != nil {
				o.op.Error = &compute.OperationError{Errors: []*compute.OperationErrorErrors{{
					Code: computeOpErrorCode(o.err.code), Message: o.err.message,
				}}}
				o.op.HttpErrorStatusCode = int64(o.err.http)
				o.op.HttpErrorMessage = strings.ToUpper(http.StatusText(o.err.http))
			}
		}
	}
	return cloneJSON(o.op)
}

// computeOpErrorCode is the error code Compute puts in a failed
// operation's error.errors[].code.
func computeOpErrorCode(c codes.Code) string {
	switch c {
	case codes.NotFound:
		return "RESOURCE_NOT_FOUND"
	case codes.AlreadyExists:
		return "RESOURCE_ALREADY_EXISTS"
	case codes.FailedPrecondition:
		return "CONDITION_NOT_MET"
	case codes.ResourceExhausted:
		return "QUOTA_EXCEEDED"
	case codes.Internal, codes.Unknown:
		return "INTERNAL_ERROR"
	case codes.PermissionDenied:
		return "PERMISSIONS_ERROR"
	default:
		return grpcCodeName(c)
	}
}

// computeGetOp serves GET and POST …/wait for region ("regions") or global
// ("global") operations. wait answers like GET: the operation advances by
// one poll, so it is DONE on the first call unless WithPendingPolls.
func (s *Server) computeGetOp(kind string) restHandler {
	return func(w http.ResponseWriter, r *http.Request) *apiError {
		s.mu.Lock()
		defer s.mu.Unlock()
		p, e := s.computeProject(r)
		if e != nil {
			return e
		}
		scope := "global"
		if kind == "regions" {
			scope = "regions/" + r.PathValue("region")
		}
		name := r.PathValue("operation")
		o, ok := s.computeState().ops[name]
		if !ok || o.project != p.ProjectID || o.scope != scope {
			return computeNotFound(fmt.Sprintf("projects/%s/%s/operations/%s", r.PathValue("project"), scope, name))
		}
		writeJSON(w, s.pollComputeOp(o))
		return nil
	}
}
