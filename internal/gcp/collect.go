package gcp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// CollectOptions says what to inventory.
type CollectOptions struct {
	Projects []string
	Org      string // organisation ID: every project below it
	Folder   string // folder ID: every project below it
	// Regions narrows the regional listings; empty means the regions Cloud
	// Asset Inventory finds resources in, else every region the Locations
	// API returns.
	Regions []string
	// Concurrency bounds the calls in flight (default 16).
	Concurrency int
	// UsageWindow is how far back to read Cloud Monitoring (default 30 days).
	UsageWindow time.Duration
	// Now is the end of the usage window and the snapshot's time.
	Now time.Time
	// Progress, when set, receives an event as each call starts and ends.
	Progress func(Event)
	// Retry overrides the retry policy (tests shorten the backoff).
	Retry *RetryPolicy
}

// Event reports collection progress, per project and API.
type Event struct {
	Project string
	API     string // e.g. run.googleapis.com
	What    string // e.g. "services in us-central1"
	Phase   Phase
	Items   int   // resources found (Done)
	Err     error // when Failed
	Elapsed time.Duration
}

// Phase of an Event.
type Phase int

// Phases.
const (
	Started Phase = iota
	Done
	Failed
	Retrying
)

// RetryPolicy is how calls are retried on UNAVAILABLE, RESOURCE_EXHAUSTED,
// 429 and 503: up to Attempts tries, with jittered exponential backoff
// from Initial, capped at Max.
type RetryPolicy struct {
	Attempts int
	Initial  time.Duration
	Max      time.Duration
}

// DefaultRetry is used when CollectOptions.Retry is nil.
var DefaultRetry = RetryPolicy{Attempts: 5, Initial: 200 * time.Millisecond, Max: 5 * time.Second}

// ErrNothingRead is returned (wrapped) when not a single API call of the
// inventory succeeded.
var ErrNothingRead = errors.New("nothing could be read")

// collector holds one Collect run's state.
type collector struct {
	c     *Clients
	opts  CollectOptions
	sem   chan struct{}
	retry RetryPolicy

	mu       sync.Mutex
	snap     *inventory.Snapshot
	coverage map[string]*inventory.Coverage // project|api
	okCalls  int
	numbers  map[string]string // project number -> ID
}

// Collect inventories the projects in opts and returns the snapshot. API
// errors do not stop it: each lands in the snapshot's Coverage. It fails
// only when nothing at all could be read (then with the fix).
func (c *Clients) Collect(ctx context.Context, opts CollectOptions) (*inventory.Snapshot, error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 16
	}
	if opts.UsageWindow <= 0 {
		opts.UsageWindow = 30 * 24 * time.Hour
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	col := &collector{
		c: c, opts: opts,
		sem:      make(chan struct{}, opts.Concurrency),
		retry:    DefaultRetry,
		coverage: map[string]*inventory.Coverage{},
		numbers:  map[string]string{},
		snap: &inventory.Snapshot{
			SchemaVersion:   inventory.SchemaVersion,
			CollectedAt:     opts.Now.UTC(),
			UsageWindowDays: int(opts.UsageWindow / (24 * time.Hour)),
			Scope: inventory.Scope{
				Projects: append([]string(nil), opts.Projects...),
				Org:      opts.Org, Folder: opts.Folder,
				Regions: append([]string(nil), opts.Regions...),
			},
		},
	}
	if opts.Retry != nil {
		col.retry = *opts.Retry
	}
	projects := dedupeStrings(opts.Projects)
	if opts.Org != "" || opts.Folder != "" {
		more, err := col.expandScope(ctx)
		if err != nil {
			return nil, err
		}
		projects = dedupeStrings(append(projects, more...))
	}
	if len(projects) == 0 {
		return nil, fmt.Errorf("no project to inventory")
	}
	var wg sync.WaitGroup
	for _, p := range projects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			col.project(ctx, p)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	col.finish()
	if col.okCalls == 0 {
		return col.snap, col.nothingRead()
	}
	return col.snap, nil
}

// nothingRead builds the error for a run where every call failed.
func (col *collector) nothingRead() error {
	var parts []string
	for _, cv := range col.snap.Coverage {
		if cv.Status != inventory.CoverageOK {
			parts = append(parts, fmt.Sprintf("%s %s: %s", cv.Project, cv.API, cv.Detail))
			if len(parts) >= 4 {
				break
			}
		}
	}
	return fmt.Errorf("%w: %s", ErrNothingRead, strings.Join(parts, "; "))
}

// call runs one API call under the concurrency bound, with per-call
// deadline, retries and progress events. It records coverage.
func (col *collector) call(ctx context.Context, project, api, what string, fn func(ctx context.Context) (int, error)) error {
	select {
	case col.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-col.sem }()
	start := time.Now()
	col.emit(Event{Project: project, API: api, What: what, Phase: Started})
	var err error
	var n int
	backoff := col.retry.Initial
	for attempt := 1; ; attempt++ {
		cctx, cancel := col.c.callCtx(ctx)
		n, err = fn(cctx)
		cancel()
		if err == nil || errors.Is(err, errEmptyAnswer) {
			break
		}
		ae := classify(err, api, project, what)
		if ae.Kind != KindRetryable || attempt >= col.retry.Attempts || ctx.Err() != nil {
			err = ae
			break
		}
		col.emit(Event{Project: project, API: api, What: what, Phase: Retrying, Err: ae})
		d := backoff/2 + time.Duration(rand.Int64N(int64(backoff/2)+1))
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff *= 2
		if backoff > col.retry.Max {
			backoff = col.retry.Max
		}
	}
	if err != nil && !errors.Is(err, errEmptyAnswer) {
		col.emit(Event{Project: project, API: api, What: what, Phase: Failed, Err: err, Elapsed: time.Since(start)})
		col.recordFailure(project, api, err)
		return err
	}
	col.mu.Lock()
	if err == nil {
		col.okCalls++
	}
	col.mu.Unlock()
	col.recordOK(project, api)
	col.emit(Event{Project: project, API: api, What: what, Phase: Done, Items: n, Elapsed: time.Since(start)})
	return nil
}

// errEmptyAnswer is returned by a call that got an answer meaning "none
// here" that cannot tell an empty project from a missing one (App Engine's
// 404 for a project without an app): coverage is ok, but it does not count
// as having read something.
var errEmptyAnswer = errors.New("empty answer")

func (col *collector) emit(e Event) {
	if col.opts.Progress != nil {
		col.opts.Progress(e)
	}
}

// leavesOut says, per API, what a report lacks without it.
var leavesOut = map[string]string{
	"run.googleapis.com":            "Cloud Run services, jobs and worker pools: their connectors, egress and ingress",
	"vpcaccess.googleapis.com":      "Serverless VPC Access connectors and their cost",
	"compute.googleapis.com":        "networks, subnets, routes and Cloud NAT (and their cost)",
	"dns.googleapis.com":            "Cloud DNS zones: an existing or conflicting run.app zone cannot be detected",
	"cloudfunctions.googleapis.com": "Cloud Run functions and Cloud Functions (1st gen) on connectors",
	"appengine.googleapis.com":      "App Engine standard versions on connectors",
	"monitoring.googleapis.com":     "observed usage: connector instances fall back to minInstances, NAT data processing and per-service attribution to even shares",
	"cloudasset.googleapis.com":     "region discovery: every region was listed instead",
}

// disabledMeans says what a disabled API implies for the inventory: for
// most APIs, that such resources cannot exist there.
var disabledMeans = map[string]string{
	"run.googleapis.com":            "nothing: with the API disabled the project has no Cloud Run resources",
	"vpcaccess.googleapis.com":      "nothing: with the API disabled the project has no connectors",
	"cloudfunctions.googleapis.com": "nothing: with the API disabled the project has no functions",
	"appengine.googleapis.com":      "nothing: with the API disabled the project has no App Engine app",
	"dns.googleapis.com":            "nothing: with the API disabled the project has no Cloud DNS zones",
	"compute.googleapis.com":        "nothing: with the API disabled the project has no VPC networks or Cloud NAT",
}

func (col *collector) recordOK(project, api string) {
	col.mu.Lock()
	defer col.mu.Unlock()
	key := project + "|" + api
	if _, ok := col.coverage[key]; !ok {
		col.coverage[key] = &inventory.Coverage{Project: project, API: api, Status: inventory.CoverageOK}
	}
}

func (col *collector) recordFailure(project, api string, err error) {
	col.mu.Lock()
	defer col.mu.Unlock()
	key := project + "|" + api
	cv := &inventory.Coverage{Project: project, API: api, Status: inventory.CoverageError, Detail: short(err), LeavesOut: leavesOut[api]}
	var ae *APIError
	if errors.As(err, &ae) {
		cv.Fix = ae.Fix()
		switch ae.Kind {
		case KindDisabled:
			cv.Status = inventory.CoverageDisabled
			cv.Detail = "disabled"
			if m, ok := disabledMeans[api]; ok {
				cv.LeavesOut = m
				cv.Fix = "nothing to do; if the project should use it: " + cv.Fix
			}
		case KindDenied:
			cv.Status = inventory.CoverageDenied
			cv.Permission = ae.Permission
			if ae.Permission != "" {
				cv.Detail = "denied: " + ae.Permission
			} else {
				cv.Detail = "denied: " + short(ae.Err)
			}
		default:
			cv.Detail = "error: " + short(ae.Err)
		}
	}
	// The worst answer wins: a failure replaces ok; the first failure stays.
	if old, ok := col.coverage[key]; ok && old.Status != inventory.CoverageOK {
		return
	}
	col.coverage[key] = cv
}

// finish sorts the snapshot and attaches coverage.
func (col *collector) finish() {
	for _, k := range sortedKeys(col.coverage) {
		col.snap.Coverage = append(col.snap.Coverage, *col.coverage[k])
	}
	col.resolveProjectNumbers()
	col.snap.Sort()
}

func (col *collector) add(f func(s *inventory.Snapshot)) {
	col.mu.Lock()
	defer col.mu.Unlock()
	f(col.snap)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func dedupeStrings(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
