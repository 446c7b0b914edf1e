package gcp

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
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
	// Scoped, when set, is called once with every project the run reads
	// (after the --org/--folder expansion), before any is read.
	Scoped func(projects []string)
	// Partial, when set, is called after each project is read with a deep
	// copy of everything read so far: the projects done, their resources
	// and coverage, finished as Collect finishes its result (project
	// numbers resolved, callers linked to callees, subnets' users
	// recorded, sorted) — on the copy: the run's own state is never
	// touched. Calls never overlap, each copy holds every project of the
	// one before, and the last equals what Collect returns. It is not
	// called once ctx is done. It runs on the goroutine of the project
	// just read, holding back the next partial: hand the copy off rather
	// than doing slow work in it.
	Partial func(*inventory.Snapshot)
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
	pending  map[string]bool   // projects not read yet

	// partialMu makes the Partial calls one at a time, in order.
	partialMu sync.Mutex
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
	col.pending = make(map[string]bool, len(projects))
	for _, p := range projects {
		col.pending[p] = true
	}
	if opts.Scoped != nil {
		opts.Scoped(append([]string(nil), projects...))
	}
	var wg sync.WaitGroup
	for _, p := range projects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			col.project(ctx, p)
			col.mu.Lock()
			delete(col.pending, p)
			col.mu.Unlock()
			col.partial(ctx)
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

// finish sorts the snapshot and attaches coverage. It works on col.snap,
// col.coverage and col.numbers alone (a partial runs it on a copy).
func (col *collector) finish() {
	for _, k := range sortedKeys(col.coverage) {
		col.snap.Coverage = append(col.snap.Coverage, *col.coverage[k])
	}
	col.resolveProjectNumbers()
	col.snap.Sort()
}

// partial hands Partial a finished copy of the projects read so far.
func (col *collector) partial(ctx context.Context) {
	if col.opts.Partial == nil {
		return
	}
	col.partialMu.Lock()
	defer col.partialMu.Unlock()
	if ctx.Err() != nil {
		return
	}
	done := func(project string) bool { return !col.pending[project] }
	col.mu.Lock()
	view := &collector{
		snap:     cloneSnapshot(col.snap, done),
		coverage: make(map[string]*inventory.Coverage, len(col.coverage)),
		numbers:  maps.Clone(col.numbers),
	}
	for k, cv := range col.coverage {
		if done(cv.Project) {
			c := *cv
			view.coverage[k] = &c
		}
	}
	col.mu.Unlock()
	view.finish()
	col.opts.Partial(view.snap)
}

// cloneSnapshot deep-copies what a snapshot holds of the projects keep
// accepts (nil slices stay nil, empty ones empty).
func cloneSnapshot(s *inventory.Snapshot, keep func(project string) bool) *inventory.Snapshot {
	out := &inventory.Snapshot{
		SchemaVersion:   s.SchemaVersion,
		CollectedAt:     s.CollectedAt,
		UsageWindowDays: s.UsageWindowDays,
		Scope: inventory.Scope{
			Projects: slices.Clone(s.Scope.Projects), Org: s.Scope.Org, Folder: s.Scope.Folder,
			Regions: slices.Clone(s.Scope.Regions),
		},
	}
	out.Projects = cloneKept(s.Projects, keep, func(p *inventory.Project) string { return p.ID }, func(p *inventory.Project) {
		p.Regions = slices.Clone(p.Regions)
	})
	out.Connectors = cloneKept(s.Connectors, keep, func(c *inventory.Connector) string { return c.Project }, func(c *inventory.Connector) {
		c.ConnectedProjects = slices.Clone(c.ConnectedProjects)
		c.Usage = clonePtr(c.Usage)
	})
	out.Consumers = cloneKept(s.Consumers, keep, func(c *inventory.Consumer) string { return c.Project }, func(c *inventory.Consumer) {
		if c.DirectVPC != nil {
			d := *c.DirectVPC
			d.Tags = slices.Clone(d.Tags)
			c.DirectVPC = &d
		}
		c.Invokers = slices.Clone(c.Invokers)
		c.CallURLs = slices.Clone(c.CallURLs)
		c.Traffic = slices.Clone(c.Traffic)
		c.Labels = maps.Clone(c.Labels)
		c.Calls = slices.Clone(c.Calls)
		c.Usage = clonePtr(c.Usage)
	})
	out.Networks = cloneKept(s.Networks, keep, func(n *inventory.Network) string { return n.Project }, nil)
	out.Subnets = cloneKept(s.Subnets, keep, func(n *inventory.Subnet) string { return n.Project }, func(n *inventory.Subnet) {
		n.SecondaryRanges = slices.Clone(n.SecondaryRanges)
		n.UsedBy = slices.Clone(n.UsedBy)
	})
	out.Routes = cloneKept(s.Routes, keep, func(r *inventory.Route) string { return r.Project }, func(r *inventory.Route) {
		r.Tags = slices.Clone(r.Tags)
	})
	out.NATs = cloneKept(s.NATs, keep, func(n *inventory.NAT) string { return n.Project }, func(n *inventory.NAT) {
		n.Subnetworks = slices.Clone(n.Subnetworks)
		n.NatIPs = slices.Clone(n.NatIPs)
		if n.Status != nil {
			st := *n.Status
			st.AutoAllocatedNatIPs = slices.Clone(st.AutoAllocatedNatIPs)
			st.UserAllocatedNatIPs = slices.Clone(st.UserAllocatedNatIPs)
			n.Status = &st
		}
		n.Usage = clonePtr(n.Usage)
	})
	out.Addresses = cloneKept(s.Addresses, keep, func(a *inventory.Address) string { return a.Project }, func(a *inventory.Address) {
		a.Users = slices.Clone(a.Users)
	})
	out.DNSZones = cloneKept(s.DNSZones, keep, func(z *inventory.DNSZone) string { return z.Project }, func(z *inventory.DNSZone) {
		z.Networks = slices.Clone(z.Networks)
		z.Records = cloneRecords(z.Records)
	})
	out.ResponsePolicies = cloneKept(s.ResponsePolicies, keep, func(p *inventory.ResponsePolicy) string { return p.Project }, func(p *inventory.ResponsePolicy) {
		p.Networks = slices.Clone(p.Networks)
		if p.Rules != nil {
			rules := make([]inventory.ResponsePolicyRule, len(p.Rules))
			for i, r := range p.Rules {
				r.LocalData = cloneRecords(r.LocalData)
				rules[i] = r
			}
			p.Rules = rules
		}
	})
	out.Coverage = cloneKept(s.Coverage, keep, func(c *inventory.Coverage) string { return c.Project }, nil)
	return out
}

// cloneKept copies the elements whose project keep accepts, deepening
// each copy (deepen replaces its slices, maps and pointers by copies).
func cloneKept[T any](in []T, keep func(string) bool, project func(*T) string, deepen func(*T)) []T {
	if in == nil {
		return nil
	}
	out := make([]T, 0, len(in))
	for i := range in {
		if !keep(project(&in[i])) {
			continue
		}
		c := in[i]
		if deepen != nil {
			deepen(&c)
		}
		out = append(out, c)
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func cloneRecords(rs []inventory.DNSRecord) []inventory.DNSRecord {
	if rs == nil {
		return nil
	}
	out := make([]inventory.DNSRecord, len(rs))
	for i, r := range rs {
		r.RRDatas = slices.Clone(r.RRDatas)
		out[i] = r
	}
	return out
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
