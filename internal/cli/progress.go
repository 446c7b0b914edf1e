package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vpcshift/vpcshift/internal/gcp"
)

// progress shows, on a terminal's stderr, a spinner with the APIs and
// projects done and the errors as they come. Off a terminal it is silent.
type progress struct {
	w       io.Writer
	enabled bool
	verbose bool
	log     io.Writer // --log FILE: every event, whatever the terminal

	mu      sync.Mutex
	started int
	done    int
	failed  int
	last    string
	frame   int
	stop    chan struct{}
	stopped chan struct{}
}

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func newProgress(w io.Writer, tty, verbose bool) *progress {
	p := &progress{w: w, enabled: tty, verbose: verbose, stop: make(chan struct{}), stopped: make(chan struct{})}
	if p.enabled {
		go p.loop()
	} else {
		close(p.stopped)
	}
	return p
}

// Event is the gcp.CollectOptions.Progress callback.
func (p *progress) Event(e gcp.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.log != nil {
		fmt.Fprintf(p.log, "%s %-8s %s %s %s items=%d elapsed=%s err=%v\n", time.Now().UTC().Format(time.RFC3339), phaseName(e.Phase), e.Project, e.API, e.What, e.Items, e.Elapsed.Round(time.Millisecond), e.Err)
	}
	switch e.Phase {
	case gcp.Started:
		p.started++
		p.last = e.Project + " " + e.What
	case gcp.Done:
		p.done++
		if p.verbose {
			p.printLocked(fmt.Sprintf("  ok   %s %s: %d (%s)", e.Project, e.What, e.Items, e.Elapsed.Round(time.Millisecond)))
		}
	case gcp.Failed:
		p.done++
		p.failed++
		if p.enabled || p.verbose {
			p.printLocked(fmt.Sprintf("  !    %s %s: %v", e.Project, e.What, e.Err))
		}
	case gcp.Retrying:
		if p.verbose {
			p.printLocked(fmt.Sprintf("  retry %s %s: %v", e.Project, e.What, e.Err))
		}
	}
}

// printLocked prints a line above the spinner.
func (p *progress) printLocked(line string) {
	if p.enabled {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintln(p.w, line)
}

func (p *progress) loop() {
	defer close(p.stopped)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			p.mu.Lock()
			fmt.Fprint(p.w, "\r\033[K")
			p.mu.Unlock()
			return
		case <-t.C:
			p.mu.Lock()
			p.frame = (p.frame + 1) % len(spinnerFrames)
			status := fmt.Sprintf("%s inventory: %d/%d calls done", spinnerFrames[p.frame], p.done, p.started)
			if p.failed > 0 {
				status += fmt.Sprintf(", %d failed", p.failed)
			}
			if p.last != "" {
				status += " · " + p.last
			}
			if len(status) > 100 {
				status = status[:97] + "..."
			}
			fmt.Fprint(p.w, "\r\033[K"+status)
			p.mu.Unlock()
		}
	}
}

// Close stops the spinner and prints the summary line on a terminal.
func (p *progress) Close() {
	if p.enabled {
		close(p.stop)
	}
	<-p.stopped
	if p.enabled {
		p.mu.Lock()
		defer p.mu.Unlock()
		msg := fmt.Sprintf("✓ inventory: %d calls", p.done)
		if p.failed > 0 {
			msg += fmt.Sprintf(", %d failed (see coverage)", p.failed)
		}
		fmt.Fprintln(p.w, strings.TrimSpace(msg))
	}
}

func phaseName(p gcp.Phase) string {
	switch p {
	case gcp.Started:
		return "start"
	case gcp.Done:
		return "done"
	case gcp.Failed:
		return "failed"
	case gcp.Retrying:
		return "retry"
	}
	return "?"
}
