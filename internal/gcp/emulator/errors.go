package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// apiError is an error as Google returns it, renderable for gRPC (status
// with details) and for REST (the JSON error envelope).
type apiError struct {
	code    codes.Code
	http    int
	message string
	// ErrorInfo detail
	reason   string
	domain   string
	metadata map[string]string
	// restReason is the legacy errors[].reason of REST APIs
	// (notFound, forbidden, accessNotConfigured, …).
	restReason string
}

func (e *apiError) Error() string { return e.message }

// newError builds an error with the HTTP status that goes with code.
func newError(code codes.Code, format string, args ...any) *apiError {
	return &apiError{code: code, http: httpStatusOf(code), message: fmt.Sprintf(format, args...)}
}

// withReason is newError with the legacy REST errors[].reason.
func withReason(restReason string, code codes.Code, format string, args ...any) *apiError {
	e := newError(code, format, args...)
	e.restReason = restReason
	return e
}

func notFound(format string, args ...any) *apiError {
	return withReason("notFound", codes.NotFound, format, args...)
}

func invalidArgument(format string, args ...any) *apiError {
	return withReason("invalid", codes.InvalidArgument, format, args...)
}

func alreadyExists(format string, args ...any) *apiError {
	return withReason("alreadyExists", codes.AlreadyExists, format, args...)
}

func failedPrecondition(format string, args ...any) *apiError {
	return withReason("conditionNotMet", codes.FailedPrecondition, format, args...)
}

func aborted(format string, args ...any) *apiError {
	return withReason("aborted", codes.Aborted, format, args...)
}

// serviceDisabled is what Google answers when an API is not enabled.
func serviceDisabled(api, projectNumber string) *apiError {
	title := apiTitles[api]
	if title == "" {
		title = api
	}
	return &apiError{
		code: codes.PermissionDenied, http: http.StatusForbidden,
		message: fmt.Sprintf("%s has not been used in project %s before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/%s/overview?project=%s then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.",
			title, projectNumber, api, projectNumber),
		reason: "SERVICE_DISABLED", domain: "googleapis.com",
		metadata:   map[string]string{"service": api, "consumer": "projects/" + projectNumber, "serviceTitle": title},
		restReason: "accessNotConfigured",
	}
}

// permissionDenied is what IAM answers when a permission is missing.
func permissionDenied(permission, resource string) *apiError {
	return &apiError{
		code: codes.PermissionDenied, http: http.StatusForbidden,
		message: fmt.Sprintf("Permission '%s' denied on resource '%s' (or it may not exist).", permission, resource),
		reason:  "IAM_PERMISSION_DENIED", domain: "iam.googleapis.com",
		metadata:   map[string]string{"permission": permission, "resource": resource},
		restReason: "forbidden",
	}
}

var apiTitles = map[string]string{
	"run.googleapis.com":            "Cloud Run Admin API",
	"vpcaccess.googleapis.com":      "Serverless VPC Access API",
	"compute.googleapis.com":        "Compute Engine API",
	"dns.googleapis.com":            "Cloud DNS API",
	"cloudfunctions.googleapis.com": "Cloud Functions API",
	"appengine.googleapis.com":      "App Engine Admin API",
	"cloudbilling.googleapis.com":   "Cloud Billing API",
	"cloudasset.googleapis.com":     "Cloud Asset API",
	"monitoring.googleapis.com":     "Cloud Monitoring API",
}

// grpcErr converts to a gRPC status error with an ErrorInfo detail.
func (e *apiError) grpcErr() error {
	st := status.New(e.code, e.message)
	if e.reason != "" {
		if d, err := st.WithDetails(&errdetails.ErrorInfo{Reason: e.reason, Domain: e.domain, Metadata: e.metadata}); err == nil {
			st = d
		}
	}
	return st.Err()
}

// writeREST writes the standard Google JSON error envelope.
func (e *apiError) writeREST(w http.ResponseWriter) {
	restReason := e.restReason
	if restReason == "" {
		restReason = strings.ToLower(e.code.String()[:1]) + e.code.String()[1:]
	}
	body := map[string]any{
		"code":    e.http,
		"message": e.message,
		"status":  grpcCodeName(e.code),
		"errors":  []map[string]string{{"message": e.message, "domain": "global", "reason": restReason}},
	}
	if e.reason != "" {
		body["details"] = e.restDetails()
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.http)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}

// restDetails is the ErrorInfo detail in REST JSON form (for errors that
// have one).
func (e *apiError) restDetails() []map[string]any {
	return []map[string]any{{
		"@type":    "type.googleapis.com/google.rpc.ErrorInfo",
		"reason":   e.reason,
		"domain":   e.domain,
		"metadata": e.metadata,
	}}
}

// grpcCodeName is the canonical upper-snake name (UNAVAILABLE).
func grpcCodeName(c codes.Code) string {
	for name, code := range codeNames {
		if code == c {
			return name
		}
	}
	return "UNKNOWN"
}

var codeNames = map[string]codes.Code{
	"OK": codes.OK, "CANCELLED": codes.Canceled, "UNKNOWN": codes.Unknown,
	"INVALID_ARGUMENT": codes.InvalidArgument, "DEADLINE_EXCEEDED": codes.DeadlineExceeded,
	"NOT_FOUND": codes.NotFound, "ALREADY_EXISTS": codes.AlreadyExists,
	"PERMISSION_DENIED": codes.PermissionDenied, "RESOURCE_EXHAUSTED": codes.ResourceExhausted,
	"FAILED_PRECONDITION": codes.FailedPrecondition, "ABORTED": codes.Aborted,
	"OUT_OF_RANGE": codes.OutOfRange, "UNIMPLEMENTED": codes.Unimplemented,
	"INTERNAL": codes.Internal, "UNAVAILABLE": codes.Unavailable, "DATA_LOSS": codes.DataLoss,
	"UNAUTHENTICATED": codes.Unauthenticated,
}

// httpStatusOf maps a gRPC code to the HTTP status Google's REST APIs use
// (google.rpc.Code documentation).
func httpStatusOf(c codes.Code) int {
	switch c {
	case codes.OK:
		return 200
	case codes.Canceled:
		return 499
	case codes.InvalidArgument, codes.FailedPrecondition, codes.OutOfRange:
		return 400
	case codes.DeadlineExceeded:
		return 504
	case codes.NotFound:
		return 404
	case codes.AlreadyExists, codes.Aborted:
		return 409
	case codes.PermissionDenied:
		return 403
	case codes.Unauthenticated:
		return 401
	case codes.ResourceExhausted:
		return 429
	case codes.Unimplemented:
		return 501
	case codes.Unavailable:
		return 503
	default:
		return 500
	}
}

// codeOfHTTP maps an HTTP status to a gRPC code.
func codeOfHTTP(s int) codes.Code {
	switch s {
	case 400:
		return codes.InvalidArgument
	case 401:
		return codes.Unauthenticated
	case 403:
		return codes.PermissionDenied
	case 404:
		return codes.NotFound
	case 409:
		return codes.Aborted
	case 412:
		return codes.FailedPrecondition
	case 429:
		return codes.ResourceExhausted
	case 499:
		return codes.Canceled
	case 501:
		return codes.Unimplemented
	case 502, 503:
		return codes.Unavailable
	case 504:
		return codes.DeadlineExceeded
	default:
		return codes.Internal
	}
}

// parseCode reads "UNAVAILABLE" or "503" into both forms.
func parseCode(s string) (codes.Code, int, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if n < 400 || n > 599 {
			return 0, 0, fmt.Errorf("HTTP status %d is not an error", n)
		}
		return codeOfHTTP(n), n, nil
	}
	c, ok := codeNames[strings.ToUpper(s)]
	if !ok || c == codes.OK {
		return 0, 0, fmt.Errorf("unknown error code %q (want a gRPC code name such as UNAVAILABLE or an HTTP status such as 503)", s)
	}
	return c, httpStatusOf(c), nil
}

// statusProto is the google.rpc.Status form (for operation errors).
func statusProto(e *apiError) *spb.Status {
	st, _ := status.FromError(e.grpcErr())
	return st.Proto()
}
