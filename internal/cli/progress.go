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

	mu       sync.Mutex
	started  int
	done     int
	failed   int
	last     string
	reported map[string]bool // project+API already shown as failing
	stop     chan struct{}
	stopped  chan struct{}
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
		// One line per project and API on a terminal (a denied permission
		// fails every call of that API the same way); all with -v.
		key := e.Project + " " + e.API
		if p.verbose || p.enabled && !p.reported[key] {
			p.printLocked(fmt.Sprintf("  !  %s", e.Err))
		}
		if p.reported == nil {
			p.reported = map[string]bool{}
		}
		p.reported[key] = true
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
	spin(p.w, &p.mu, p.stop, 100, func(frame string) string {
		status := fmt.Sprintf("%s inventory: %d/%d calls done", frame, p.done, p.started)
		if p.failed > 0 {
			status += fmt.Sprintf(", %d failed", p.failed)
		}
		if p.last != "" {
			status += " · " + p.last
		}
		return status
	})
}

// spin redraws one status line on a terminal every 100 ms until stop is
// closed, then clears it. status is called with mu held and the spinner's
// frame; "" leaves the line alone. Lines longer than width are cut.
func spin(w io.Writer, mu *sync.Mutex, stop <-chan struct{}, width int, status func(frame string) string) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	frame := 0
	for {
		select {
		case <-stop:
			mu.Lock()
			fmt.Fprint(w, "\r\033[K")
			mu.Unlock()
			return
		case <-t.C:
			mu.Lock()
			frame = (frame + 1) % len(spinnerFrames)
			if s := status(spinnerFrames[frame]); s != "" {
				if len(s) > width {
					s = s[:width-3] + "..."
				}
				fmt.Fprint(w, "\r\033[K"+s)
			}
			mu.Unlock()
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
