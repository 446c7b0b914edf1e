package tui

import (
	"context"
	"sync"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

// PartialFeed turns the partial inventories of a load into progress events
// (ProgressEvent.Partial) without slowing the inventory down. Offer and
// SetTotal never block. One goroutine analyses the newest snapshot offered
// and sends it; snapshots still waiting when a newer one comes are dropped,
// because the screens show only the newest. Close stops the feed and waits
// for it. What was not sent by then is dropped: the load's result replaces
// it.
//
// The command line makes one per load: Offer is the inventory's Partial
// callback and analyse calls the analyzer. The TUI only shows the result.
type PartialFeed struct {
	progress func(ProgressEvent)
	analyse  func(context.Context, *inventory.Snapshot) *analyzer.Report

	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{}
	done   chan struct{}

	mu     sync.Mutex
	next   *inventory.Snapshot
	total  int
	closed bool
}

// NewPartialFeed starts a feed. analyse returns the report of a partial
// snapshot, or nil to skip it (no price book, ctx ended); its ctx ends
// when the feed is closed.
func NewPartialFeed(progress func(ProgressEvent), analyse func(context.Context, *inventory.Snapshot) *analyzer.Report) *PartialFeed {
	ctx, cancel := context.WithCancel(context.Background())
	f := &PartialFeed{progress: progress, analyse: analyse, ctx: ctx, cancel: cancel,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	go f.run()
	return f
}

// SetTotal says how many projects the load reads; the screens count the
// projects read against it.
func (f *PartialFeed) SetTotal(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.total = n
	f.progress(ProgressEvent{Partial: &Partial{Total: n}})
}

// Offer hands over the inventory read so far. The feed keeps the snapshot:
// the caller must not change it afterwards.
func (f *PartialFeed) Offer(s *inventory.Snapshot) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.next = s
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Close stops the feed: once it returns, no more events are sent.
func (f *PartialFeed) Close() {
	f.mu.Lock()
	f.closed, f.next = true, nil
	f.mu.Unlock()
	f.cancel()
	<-f.done
}

func (f *PartialFeed) run() {
	defer close(f.done)
	for {
		select {
		case <-f.wake:
		case <-f.ctx.Done():
			return
		}
		f.mu.Lock()
		s := f.next
		f.next = nil
		f.mu.Unlock()
		if s == nil {
			continue
		}
		rep := f.analyse(f.ctx, s)
		if rep == nil {
			continue
		}
		f.mu.Lock()
		if !f.closed {
			f.progress(ProgressEvent{Partial: &Partial{Snap: s, Rep: rep, Done: len(s.Projects), Total: f.total}})
		}
		f.mu.Unlock()
	}
}
