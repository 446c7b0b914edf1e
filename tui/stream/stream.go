// Package stream carries events from work running in a goroutine (the
// inventory, an apply) into the Bubble Tea loop: the work emits events
// without ever blocking, and a re-armed command delivers them in batches.
package stream

import (
	"sync"

	tea "github.com/charmbracelet/bubbletea"
)

// Stream is one piece of work and its events.
type Stream[E any] struct {
	work   func(emit func(E)) error
	once   sync.Once
	mu     sync.Mutex
	queue  []E
	done   bool
	err    error
	notify chan struct{}
}

// Batch is what Next delivers: the events since the last batch, and, once
// the work has returned and every event was delivered, Done and its error.
type Batch[E any] struct {
	Stream *Stream[E]
	Events []E
	Done   bool
	Err    error
}

// New prepares work to run in a goroutine, started by the first Next
// command (so that it starts in a tea.Cmd, not in Update). Events it
// emits are queued (emit never blocks).
func New[E any](work func(emit func(E)) error) *Stream[E] {
	return &Stream[E]{work: work, notify: make(chan struct{}, 1)}
}

func (s *Stream[E]) start() {
	go func() {
		err := s.work(s.emit)
		s.mu.Lock()
		s.done, s.err = true, err
		s.mu.Unlock()
		s.wake()
	}()
}

func (s *Stream[E]) emit(e E) {
	s.mu.Lock()
	s.queue = append(s.queue, e)
	s.mu.Unlock()
	s.wake()
}

func (s *Stream[E]) wake() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// Next is a command that starts the work the first time, waits for
// events (or the end) and returns them as a Batch. Call it again after
// each batch that is not Done.
func (s *Stream[E]) Next() tea.Cmd {
	return func() tea.Msg {
		s.once.Do(s.start)
		for {
			s.mu.Lock()
			if len(s.queue) > 0 || s.done {
				b := Batch[E]{Stream: s, Events: s.queue}
				s.queue = nil
				if len(b.Events) == 0 {
					b.Done, b.Err = true, s.err
				}
				s.mu.Unlock()
				return b
			}
			s.mu.Unlock()
			<-s.notify
		}
	}
}
