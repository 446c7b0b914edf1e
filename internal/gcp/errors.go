package gcp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/googleapis/gax-go/v2/apierror"
	"google.golang.org/api/googleapi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// Kind classifies an API error for vpcshift's purposes.
type Kind int

// Error kinds.
const (
	KindOther       Kind = iota
	KindDisabled         // the API is not enabled in the project
	KindDenied           // a permission is missing
	KindNotFound         // the resource does not exist
	KindConflict         // etag/fingerprint mismatch, already exists, aborted
	KindRetryable        // UNAVAILABLE, RESOURCE_EXHAUSTED, 429, 503
	KindInvalid          // the request was refused as invalid
	KindCredentials      // no usable credentials
)

// APIError is an API error mapped to vpcshift's terms: which API, which
// project, and, for denied calls, which permission.
type APIError struct {
	Kind       Kind
	API        string // e.g. run.googleapis.com
	Project    string
	Permission string // the denied permission, when known
	Op         string // what vpcshift was doing, e.g. "listing Cloud Run services in us-central1"
	Err        error
}

func (e *APIError) Error() string {
	switch e.Kind {
	case KindDisabled:
		return fmt.Sprintf("%s: %s is disabled in project %s", e.Op, e.API, e.Project)
	case KindDenied:
		if e.Permission != "" {
			return fmt.Sprintf("%s: permission %s denied in project %s", e.Op, e.Permission, e.Project)
		}
		return fmt.Sprintf("%s: permission denied in project %s: %s", e.Op, e.Project, short(e.Err))
	}
	return fmt.Sprintf("%s: %s", e.Op, short(e.Err))
}

func (e *APIError) Unwrap() error { return e.Err }

// Is lets callers test an API error against the inventory sentinels
// (errors.Is(err, inventory.ErrConflict)) without knowing this package.
func (e *APIError) Is(target error) bool {
	switch target {
	case inventory.ErrNotFound:
		return e.Kind == KindNotFound
	case inventory.ErrConflict:
		return e.Kind == KindConflict
	case inventory.ErrRetryable:
		return e.Kind == KindRetryable
	case inventory.ErrDenied:
		return e.Kind == KindDenied || e.Kind == KindDisabled || e.Kind == KindCredentials
	case inventory.ErrInvalid:
		return e.Kind == KindInvalid
	}
	return false
}

// Fix says what the user can do about it.
func (e *APIError) Fix() string {
	switch e.Kind {
	case KindDisabled:
		return fmt.Sprintf("enable it: gcloud services enable %s --project %s", e.API, e.Project)
	case KindDenied:
		role := roleFor[e.API]
		if role == "" {
			role = "a role that grants " + e.Permission
		}
		return fmt.Sprintf("grant %s on project %s to the identity running vpcshift (gcloud projects add-iam-policy-binding %s --member=user:YOU --role=%s)", role, e.Project, e.Project, role)
	case KindCredentials:
		return "run `gcloud auth application-default login`"
	}
	return ""
}

// roleFor is the least-privileged predefined role that lets vpcshift read
// each API.
var roleFor = map[string]string{
	"run.googleapis.com":            "roles/run.viewer",
	"vpcaccess.googleapis.com":      "roles/vpcaccess.viewer",
	"compute.googleapis.com":        "roles/compute.networkViewer",
	"dns.googleapis.com":            "roles/dns.reader",
	"cloudfunctions.googleapis.com": "roles/cloudfunctions.viewer",
	"appengine.googleapis.com":      "roles/appengine.appViewer",
	"monitoring.googleapis.com":     "roles/monitoring.viewer",
	"cloudasset.googleapis.com":     "roles/cloudasset.viewer",
	"cloudbilling.googleapis.com":   "roles/billing.viewer",
}

var permissionRE = regexp.MustCompile(`'([a-z]+\.[a-zA-Z]+\.[a-zA-Z]+)'`)

// classify maps an error from any of the clients to an *APIError.
func classify(err error, api, project, op string) *APIError {
	if err == nil {
		return nil
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	e := &APIError{Kind: KindOther, API: api, Project: project, Op: op, Err: err}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return e
	}
	if isCredentialsErr(err) {
		e.Kind = KindCredentials
		return e
	}
	code := codes.Unknown
	httpCode := 0
	reason := ""
	var meta map[string]string
	if a, ok := apierror.FromError(err); ok {
		reason = a.Reason()
		meta = a.Metadata()
		httpCode = a.HTTPCode()
		if st := a.GRPCStatus(); st != nil {
			code = st.Code()
		}
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		httpCode = ge.Code
		for _, item := range ge.Errors {
			if item.Reason == "accessNotConfigured" || item.Reason == "SERVICE_DISABLED" {
				reason = "SERVICE_DISABLED"
			}
		}
	}
	if st, ok := status.FromError(err); ok && code == codes.Unknown {
		code = st.Code()
	}
	switch {
	case reason == "SERVICE_DISABLED":
		e.Kind = KindDisabled
		if s := meta["service"]; s != "" {
			e.API = s
		}
	case code == codes.PermissionDenied || httpCode == http.StatusForbidden:
		e.Kind = KindDenied
		e.Permission = meta["permission"]
		if e.Permission == "" {
			if m := permissionRE.FindStringSubmatch(err.Error()); m != nil {
				e.Permission = m[1]
			}
		}
	case code == codes.Unauthenticated || httpCode == http.StatusUnauthorized:
		e.Kind = KindCredentials
	case code == codes.NotFound || httpCode == http.StatusNotFound:
		e.Kind = KindNotFound
	case code == codes.Aborted || code == codes.AlreadyExists || httpCode == http.StatusConflict || httpCode == http.StatusPreconditionFailed || code == codes.FailedPrecondition && strings.Contains(strings.ToLower(err.Error()), "etag"):
		e.Kind = KindConflict
	case code == codes.Unavailable || code == codes.ResourceExhausted || httpCode == http.StatusTooManyRequests || httpCode == http.StatusServiceUnavailable || httpCode == http.StatusBadGateway || httpCode == http.StatusGatewayTimeout:
		e.Kind = KindRetryable
	case code == codes.InvalidArgument || httpCode == http.StatusBadRequest:
		e.Kind = KindInvalid
	}
	return e
}

// IsKind reports whether err is an *APIError of kind k.
func IsKind(err error, k Kind) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Kind == k
}

// short trims an SDK error to its first line.
func short(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
