package gcp

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// partialRun is one Collect with Scoped and Partial recorded.
type partialRun struct {
	mu       sync.Mutex
	scoped   [][]string
	partials []*inventory.Snapshot
	// texts are the partials' JSON at the time they were handed over.
	texts   []string
	overlap bool // two Partial calls ran at once
	busy    bool
}

func collectPartials(t *testing.T, c *Clients, opts CollectOptions) (*partialRun, *inventory.Snapshot) {
	t.Helper()
	r := &partialRun{}
	opts.Now, opts.Retry, opts.Concurrency = testNow, fastRetry, 8
	opts.Scoped = func(ps []string) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.scoped = append(r.scoped, ps)
	}
	opts.Partial = func(s *inventory.Snapshot) {
		r.mu.Lock()
		if r.busy {
			r.overlap = true
		}
		r.busy = true
		r.mu.Unlock()
		text := jsonOf(t, s)
		r.mu.Lock()
		r.partials = append(r.partials, s)
		r.texts = append(r.texts, text)
		r.busy = false
		r.mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap, err := c.Collect(ctx, opts)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	return r, snap
}

func projectIDs(s *inventory.Snapshot) []string {
	var out []string
	for _, p := range s.Projects {
		out = append(out, p.ID)
	}
	return out
}

// ids lists what a snapshot holds, as kind:ID, sorted.
func ids(s *inventory.Snapshot) []string {
	var out []string
	for _, c := range s.Connectors {
		out = append(out, "connector:"+c.ID)
	}
	for _, c := range s.Consumers {
		out = append(out, "consumer:"+c.ID)
	}
	for _, n := range s.Networks {
		out = append(out, "network:"+n.ID)
	}
	for _, n := range s.Subnets {
		out = append(out, "subnet:"+n.ID)
	}
	for _, n := range s.NATs {
		out = append(out, "nat:"+n.ID)
	}
	for _, z := range s.DNSZones {
		out = append(out, "zone:"+z.ID)
	}
	for _, c := range s.Coverage {
		out = append(out, "coverage:"+c.Project+"|"+c.API)
	}
	sort.Strings(out)
	return out
}

// TestCollectPartial: on the enterprise organisation (four projects,
// Shared VPC, a denied and a disabled API, latency on every call),
// Partial is called once per project, one call at a time, with snapshots
// that only grow, each holding exactly the projects read by then (their
// resources and coverage, never those of a project still being read), each
// finished (sorted, subnets' users and project numbers resolved) and
// independent of the run; the last equals what Collect returns.
func TestCollectPartial(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts CollectOptions
	}{
		{"projects", CollectOptions{Projects: []string{"ent-net-host", "ent-payments", "ent-data", "ent-legacy"}}},
		{"organization", CollectOptions{Org: "518823004117"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := startScenario(t, "enterprise")
			srv.SetLatency(5 * time.Millisecond)
			r, final := collectPartials(t, c, tc.opts)

			want := []string{"ent-data", "ent-legacy", "ent-net-host", "ent-payments"}
			if len(r.scoped) != 1 {
				t.Fatalf("Scoped called %d times, want once", len(r.scoped))
			}
			if got := slices.Sorted(slices.Values(r.scoped[0])); !slices.Equal(got, want) {
				t.Errorf("Scoped got %v, want %v", got, want)
			}
			if len(r.partials) != len(want) {
				t.Fatalf("Partial called %d times, want once per project (%d)", len(r.partials), len(want))
			}
			if r.overlap {
				t.Error("two Partial calls overlapped")
			}
			var prevProjects, prevIDs []string
			for i, p := range r.partials {
				projects := projectIDs(p)
				if len(projects) < i+1 {
					t.Errorf("partial %d holds %d projects, want at least %d", i, len(projects), i+1)
				}
				done := map[string]bool{}
				for _, id := range projects {
					done[id] = true
				}
				for _, id := range prevProjects {
					if !done[id] {
						t.Errorf("partial %d lost project %s", i, id)
					}
				}
				got := ids(p)
				for _, id := range prevIDs {
					if _, ok := slices.BinarySearch(got, id); !ok {
						t.Errorf("partial %d lost %s", i, id)
					}
				}
				// Only what the projects read hold (the organisation's
				// own coverage line aside).
				check := func(kind, id, project string) {
					if !done[project] {
						t.Errorf("partial %d (projects %v) has %s %s of project %s, still being read", i, projects, kind, id, project)
					}
				}
				for _, x := range p.Connectors {
					check("connector", x.ID, x.Project)
				}
				for _, x := range p.Consumers {
					check("consumer", x.ID, x.Project)
				}
				for _, x := range p.Subnets {
					check("subnet", x.ID, x.Project)
				}
				for _, x := range p.NATs {
					check("NAT", x.ID, x.Project)
				}
				for _, x := range p.Coverage {
					if x.Project != "organizations/518823004117" {
						check("coverage", x.API, x.Project)
					}
				}
				if !sort.SliceIsSorted(p.Consumers, func(a, b int) bool { return p.Consumers[a].ID < p.Consumers[b].ID }) {
					t.Errorf("partial %d: consumers not sorted", i)
				}
				prevProjects, prevIDs = projects, got
			}

			// Finished like the result: once the host is in, the subnet
			// of its connectors lists them.
			for i, p := range r.partials {
				if _, ok := p.Project("ent-net-host"); !ok {
					continue
				}
				sn, ok := p.Subnet("ent-net-host", "us-central1", "conn-us-central1")
				if !ok || !slices.Contains(sn.UsedBy, "projects/ent-net-host/locations/us-central1/connectors/pay-conn") {
					t.Errorf("partial %d: subnet conn-us-central1 used by %v, want its connector pay-conn", i, sn)
				}
			}

			last := r.partials[len(r.partials)-1]
			if !reflect.DeepEqual(last, final) {
				t.Errorf("the last partial differs from the result:\n--- last partial\n%s\n--- result\n%s", jsonOf(t, last), jsonOf(t, final))
			}
			finalText := jsonOf(t, final)

			// Independent: the run did not change a partial after handing
			// it over, and scrambling every partial leaves the result as
			// it was (no slice, map or pointer is shared).
			for i, p := range r.partials {
				if got := jsonOf(t, p); got != r.texts[i] {
					t.Errorf("partial %d changed after it was handed over", i)
				}
				scramble(reflect.ValueOf(p))
			}
			if jsonOf(t, final) != finalText {
				t.Error("scrambling the partials changed the result: they share memory")
			}
		})
	}
}

// TestCollectPartialNotAfterCancel: once ctx is done, Partial is no
// longer called.
func TestCollectPartialNotAfterCancel(t *testing.T) {
	_, c := startScenario(t, "enterprise")
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	var mu sync.Mutex
	_, err := c.Collect(ctx, CollectOptions{
		Projects: []string{"ent-net-host", "ent-payments", "ent-data", "ent-legacy"}, Now: testNow, Retry: fastRetry,
		Partial: func(*inventory.Snapshot) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			cancel()
		},
	})
	if err == nil {
		t.Fatal("a cancelled collect succeeded")
	}
	if calls != 1 {
		t.Errorf("Partial called %d times, want once (before the cancel)", calls)
	}
}

// scramble overwrites every string, number and bool reachable from v.
func scramble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			scramble(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			if v.CanSet() {
				v.Set(reflect.ValueOf(time.Unix(1, 0)))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				scramble(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			scramble(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			v.SetMapIndex(k, reflect.ValueOf("scrambled"))
		}
	case reflect.String:
		v.SetString("scrambled")
	case reflect.Int, reflect.Int64:
		v.SetInt(-1)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	}
}

// TestCloneSnapshotIsDeep: every field of every type a snapshot holds
// (filled by reflection, so that a field added later is covered too) is
// copied, and nothing of the copy is shared with the original.
func TestCloneSnapshotIsDeep(t *testing.T) {
	var orig, again inventory.Snapshot
	fill(reflect.ValueOf(&orig).Elem(), 0)
	fill(reflect.ValueOf(&again).Elem(), 0)
	c := cloneSnapshot(&orig, func(string) bool { return true })
	if !reflect.DeepEqual(c, &orig) {
		t.Fatalf("the copy differs:\n%s\n%s", jsonOf(t, c), jsonOf(t, &orig))
	}
	scramble(reflect.ValueOf(c))
	if !reflect.DeepEqual(&orig, &again) {
		t.Error("changing the copy changed the original: they share memory")
	}
	none := cloneSnapshot(&orig, func(string) bool { return false })
	if len(none.Projects)+len(none.Connectors)+len(none.Consumers)+len(none.Subnets)+len(none.Coverage) != 0 {
		t.Error("resources of projects not kept were copied")
	}
}

// fill sets every field reachable from v to a non-zero value.
func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(testNow))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := 0; i < 2; i++ {
			fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		v.SetMapIndex(k, e)
	case reflect.String:
		v.SetString("p") // every resource in project "p"
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(depth + 1))
	case reflect.Bool:
		v.SetBool(true)
	}
}
