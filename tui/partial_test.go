package tui

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

// feedEvents records what a PartialFeed sends.
type feedEvents struct {
	mu     sync.Mutex
	events []Partial
	got    chan struct{}
}

func newFeedEvents() *feedEvents { return &feedEvents{got: make(chan struct{}, 100)} }

func (r *feedEvents) progress(e ProgressEvent) {
	r.mu.Lock()
	r.events = append(r.events, *e.Partial)
	r.mu.Unlock()
	r.got <- struct{}{}
}

func (r *feedEvents) wait(t *testing.T) {
	t.Helper()
	select {
	case <-r.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
	}
}

func (r *feedEvents) all() []Partial {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Partial(nil), r.events...)
}

func snapOf(projects ...string) *inventory.Snapshot {
	s := &inventory.Snapshot{}
	for _, p := range projects {
		s.Projects = append(s.Projects, inventory.Project{ID: p})
	}
	return s
}

// TestPartialFeed: the total goes out at once; while an analysis runs,
// newer snapshots replace the ones waiting, so that only the newest is
// analysed next; each event carries its snapshot, report and counts.
func TestPartialFeed(t *testing.T) {
	r := newFeedEvents()
	entered, proceed := make(chan string), make(chan struct{})
	f := NewPartialFeed(r.progress, func(_ context.Context, s *inventory.Snapshot) *analyzer.Report {
		entered <- s.Projects[len(s.Projects)-1].ID
		<-proceed
		return &analyzer.Report{UsageWindowDays: len(s.Projects)}
	})
	defer f.Close()

	f.SetTotal(4)
	r.wait(t)
	f.Offer(snapOf("a"))
	if got := <-entered; got != "a" {
		t.Fatalf("analysing %s, want a", got)
	}
	// While "a" is analysed, two more come: "a,b" is replaced by "a,b,c".
	f.Offer(snapOf("a", "b"))
	f.Offer(snapOf("a", "b", "c"))
	proceed <- struct{}{}
	r.wait(t)
	if got := <-entered; got != "c" {
		t.Fatalf("analysing %s next, want c (the newest)", got)
	}
	proceed <- struct{}{}
	r.wait(t)

	ev := r.all()
	want := []string{"total 4", "1 of 4 (report 1)", "3 of 4 (report 3)"}
	if len(ev) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(ev), len(want), ev)
	}
	for i, e := range ev {
		got := fmt.Sprintf("total %d", e.Total)
		if e.Snap != nil {
			got = fmt.Sprintf("%d of %d (report %d)", e.Done, e.Total, e.Rep.UsageWindowDays)
		}
		if got != want[i] {
			t.Errorf("event %d: %s, want %s", i, got, want[i])
		}
	}
}

// TestPartialFeedClose: Close cancels the analysis in progress, drops
// what waits, and nothing is sent once it returns; a nil report is not
// sent.
func TestPartialFeedClose(t *testing.T) {
	r := newFeedEvents()
	entered := make(chan struct{})
	f := NewPartialFeed(r.progress, func(ctx context.Context, s *inventory.Snapshot) *analyzer.Report {
		if len(s.Projects) == 1 {
			return nil // e.g. no price book
		}
		entered <- struct{}{}
		<-ctx.Done() // released by Close only
		return &analyzer.Report{}
	})
	f.Offer(snapOf("a"))
	f.Offer(snapOf("a", "b"))
	<-entered
	f.Offer(snapOf("a", "b", "c"))
	f.Close()
	f.Offer(snapOf("a", "b", "c", "d"))
	f.SetTotal(4)
	if ev := r.all(); len(ev) != 0 {
		t.Errorf("events sent: %+v", ev)
	}
}
