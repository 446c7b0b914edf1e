package loading

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/tui/event"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/stream"
	"github.com/vpcshift/vpcshift/tui/styles"
)

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

var now = time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)

// pump runs a command and feeds its batch back until the events are in.
func pump(t *testing.T, m *Model, cmd tea.Cmd) tea.Cmd {
	t.Helper()
	for cmd != nil {
		msg := cmd()
		switch mm := msg.(type) {
		case tea.BatchMsg:
			cmd = mm[0] // the stream; the spinner's tick is left out
		case stream.Batch[event.Progress]:
			_, cmd = m.Update(mm)
			if mm.Done {
				return cmd
			}
		default:
			return nil
		}
	}
	return nil
}

// TestProgress: per project and API, the calls, what they found, retries
// and errors as they come; then the end.
func TestProgress(t *testing.T) {
	release := make(chan struct{})
	load := func(ctx context.Context, progress func(event.Progress)) (*inventory.Snapshot, *analyzer.Report, error) {
		for _, e := range []event.Progress{
			{Project: "acme", API: "run.googleapis.com", What: "services in us-central1", Phase: event.Started},
			{Project: "acme", API: "run.googleapis.com", What: "services in us-central1", Phase: event.Done, Items: 12},
			{Project: "acme", API: "run.googleapis.com", What: "jobs in us-central1", Phase: event.Started},
			{Project: "acme", API: "vpcaccess.googleapis.com", What: "connectors", Phase: event.Started},
			{Project: "acme", API: "vpcaccess.googleapis.com", What: "connectors", Phase: event.Retrying, Err: errors.New("unavailable")},
			{Project: "acme", API: "vpcaccess.googleapis.com", What: "connectors", Phase: event.Done, Items: 2},
			{Project: "legacy", API: "monitoring.googleapis.com", What: "time series", Phase: event.Started},
			{Project: "legacy", API: "monitoring.googleapis.com", What: "time series", Phase: event.Failed, Err: errors.New("denied: monitoring.timeSeries.list")},
		} {
			progress(e)
		}
		<-release
		return &inventory.Snapshot{}, &analyzer.Report{}, nil
	}
	m := New(styles.Default(), keys.Default(), load, func() time.Time { return now })
	m.SetSize(80, 24)
	start := m.Start(context.Background())
	// Take the first batch (all eight events are queued by then).
	var cmd tea.Cmd
	for _, c := range start().(tea.BatchMsg) {
		if b, ok := c().(stream.Batch[event.Progress]); ok {
			for len(b.Events) < 8 {
				more := m.stream.Next()().(stream.Batch[event.Progress])
				b.Events = append(b.Events, more.Events...)
			}
			_, cmd = m.Update(b)
			break
		}
	}
	if !m.Loading() {
		t.Fatal("the load ended early")
	}
	golden.RequireEqual(t, []byte(m.View()))
	close(release)
	cmd = pump(t, m, cmd)
	if _, ok := cmd().(Loaded); !ok {
		t.Fatalf("the end of the load is not reported")
	}
	if v := m.View(); !strings.Contains(v, "Inventory read") || !strings.Contains(v, "3 of 4 calls done · 1 failed · 1 retried") {
		t.Errorf("after the load:\n%s", v)
	}
}

// TestFailure: a failed load says why and offers to retry.
func TestFailure(t *testing.T) {
	load := func(ctx context.Context, progress func(event.Progress)) (*inventory.Snapshot, *analyzer.Report, error) {
		return nil, nil, errors.New("nothing could be read (fix: grant roles/viewer)")
	}
	m := New(styles.Default(), keys.Default(), load, func() time.Time { return now })
	m.SetSize(80, 24)
	cmd := pump(t, m, m.Start(context.Background()))
	if f, ok := cmd().(Failed); !ok || f.Err == nil {
		t.Fatalf("the failure is not reported")
	}
	v := m.View()
	if !strings.Contains(v, "The inventory could not be read") || !strings.Contains(v, "grant roles/viewer") || !strings.Contains(v, "r retries") {
		t.Errorf("failure screen:\n%s", v)
	}
	if !m.IsRetry(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("r")}) {
		t.Error("r does not retry")
	}
}

// TestPartial: partial inventories are not calls; the newest of a batch
// goes to the root before the stream's next batch (which may be the
// end), the screen counts the projects read and says they can be
// browsed; once the load ended, a partial is no longer current.
func TestPartial(t *testing.T) {
	release := make(chan struct{})
	s1 := &inventory.Snapshot{Projects: []inventory.Project{{ID: "a"}}}
	s2 := &inventory.Snapshot{Projects: []inventory.Project{{ID: "a"}, {ID: "b"}}}
	load := func(ctx context.Context, progress func(event.Progress)) (*inventory.Snapshot, *analyzer.Report, error) {
		for _, e := range []event.Progress{
			{Partial: &event.Partial{Total: 3}},
			{Project: "a", API: "run.googleapis.com", What: "services in us-central1", Phase: event.Started},
			{Project: "a", API: "run.googleapis.com", What: "services in us-central1", Phase: event.Done, Items: 2},
			{Partial: &event.Partial{Snap: s1, Rep: &analyzer.Report{}, Done: 1, Total: 3}},
			{Partial: &event.Partial{Snap: s2, Rep: &analyzer.Report{}, Done: 2, Total: 3}},
		} {
			progress(e)
		}
		<-release
		return s2, &analyzer.Report{}, nil
	}
	m := New(styles.Default(), keys.Default(), load, func() time.Time { return now })
	m.SetSize(100, 24)
	start := m.Start(context.Background())
	var b stream.Batch[event.Progress]
	for _, c := range start().(tea.BatchMsg) {
		if got, ok := c().(stream.Batch[event.Progress]); ok {
			b = got
			break
		}
	}
	for len(b.Events) < 5 {
		more := m.stream.Next()().(stream.Batch[event.Progress])
		b.Events = append(b.Events, more.Events...)
	}
	_, cmd := m.Update(b)
	seq := reflect.ValueOf(cmd())
	if seq.Kind() != reflect.Slice || seq.Len() != 2 {
		t.Fatalf("the update returns %T, want a sequence of the partial and the next batch", cmd())
	}
	p, ok := seq.Index(0).Interface().(tea.Cmd)().(Partial)
	if !ok || p.Snap != s2 || p.Done != 2 || p.Total != 3 || !m.Current(p) {
		t.Fatalf("first in the sequence: %+v (current %v), want the newest partial, 2 of 3", p, m.Current(p))
	}
	if m.started != 1 || m.done != 1 {
		t.Errorf("%d calls started, %d done: partials were counted as calls", m.started, m.done)
	}
	v := m.View()
	if !strings.Contains(v, "2 of 3 projects read · 1 overview, 2 inventory, 3 findings show them now") {
		t.Errorf("the screen does not count the projects read:\n%s", v)
	}
	close(release)
	next := seq.Index(1).Interface().(tea.Cmd)
	pump(t, m, next)
	if m.Current(p) {
		t.Error("a partial is current after the load ended")
	}
}
