// Package loading is the first screen: the inventory runs, and each API
// of each project shows its calls, what they found and their errors as
// they come.
package loading

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
	"github.com/vpcshift/vpcshift/tui/component"
	"github.com/vpcshift/vpcshift/tui/estate"
	"github.com/vpcshift/vpcshift/tui/event"
	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/stream"
	"github.com/vpcshift/vpcshift/tui/styles"
)

// Loader runs the inventory and the analysis, reporting progress.
type Loader func(ctx context.Context, progress func(event.Progress)) (*inventory.Snapshot, *analyzer.Report, error)

// Loaded is sent when the inventory and its analysis are in.
type Loaded struct {
	Snap *inventory.Snapshot
	Rep  *analyzer.Report
}

// Failed is sent when the load failed.
type Failed struct{ Err error }

// Partial is sent when the inventory read so far (with its analysis)
// comes in while the load goes on. Only the newest of a batch is sent.
type Partial struct {
	Snap *inventory.Snapshot
	Rep  *analyzer.Report
	// Done is the number of projects read, Total the number to read (0:
	// not known).
	Done, Total int

	stream *stream.Stream[event.Progress]
}

type apiRow struct {
	project, api            string
	started, done, failed   int
	retries, items, running int
	lastErr                 string
}

type result struct {
	snap *inventory.Snapshot
	rep  *analyzer.Report
}

// Model is the loading screen.
type Model struct {
	st   *styles.Styles
	km   keys.KeyMap
	load Loader
	now  func() time.Time

	spin    spinner.Model
	rows    map[string]*apiRow
	order   []string
	errs    []string
	started int
	done    int
	failed  int
	retries int
	offset  int
	begin   time.Time
	elapsed time.Duration

	// projects read and to read (Partial events); partial is true once
	// the inventory read so far was handed on.
	projDone, projTotal int
	partial             bool

	stream  *stream.Stream[event.Progress]
	res     *result
	err     error
	loading bool

	width, height int
}

var _ component.Component[*Model] = (*Model)(nil)

// New makes the loading screen.
func New(st *styles.Styles, km keys.KeyMap, load Loader, now func() time.Time) *Model {
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Title))
	return &Model{st: st, km: km, load: load, now: now, spin: sp, rows: map[string]*apiRow{}}
}

// Start runs the load.
func (m *Model) Start(ctx context.Context) tea.Cmd {
	if m.load == nil {
		m.err = fmt.Errorf("no inventory source")
		return func() tea.Msg { return Failed{Err: m.err} }
	}
	*m = Model{st: m.st, km: m.km, load: m.load, now: m.now, spin: m.spin, rows: map[string]*apiRow{},
		width: m.width, height: m.height}
	m.loading = true
	m.begin = m.now()
	res := &result{}
	m.res = res
	load := m.load
	m.stream = stream.New(func(emit func(event.Progress)) error {
		snap, rep, err := load(ctx, emit)
		res.snap, res.rep = snap, rep
		return err
	})
	return tea.Batch(m.stream.Next(), m.spin.Tick)
}

// Loading is true while the inventory runs.
func (m *Model) Loading() bool { return m.loading }

// Current reports whether a Partial comes from the load in progress (not
// one that ended or was replaced).
func (m *Model) Current(p Partial) bool { return m.loading && p.stream == m.stream }

// Projects is the number of projects read so far and to read (0: not
// known).
func (m *Model) Projects() (done, total int) { return m.projDone, m.projTotal }

// Err is the load's error, if it failed.
func (m *Model) Err() error { return m.err }

// SetSize sets the screen size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// KeyMap lists the loading screen's keys.
func (m *Model) KeyMap() help.KeyMap {
	short := []key.Binding{m.km.Up, m.km.Down}
	if m.err != nil {
		short = append(short, m.km.Reload)
	}
	return keys.Help{Short: short}
}

// Update handles progress, the end of the load, the spinner and keys.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	switch msg := msg.(type) {
	case stream.Batch[event.Progress]:
		if msg.Stream != m.stream {
			return m, nil
		}
		var last *event.Partial
		for _, e := range msg.Events {
			if p := e.Partial; p != nil {
				m.projDone = max(m.projDone, p.Done)
				if p.Total > 0 {
					m.projTotal = p.Total
				}
				if p.Snap != nil {
					last = p
				}
				continue
			}
			m.apply(e)
		}
		m.elapsed = m.now().Sub(m.begin)
		if !msg.Done {
			if last == nil {
				return m, m.stream.Next()
			}
			// The partial goes first: the end of the load, which may
			// come with the next batch, must not overtake it.
			m.partial = true
			p := Partial{Snap: last.Snap, Rep: last.Rep, Done: last.Done, Total: m.projTotal, stream: m.stream}
			return m, tea.Sequence(func() tea.Msg { return p }, m.stream.Next())
		}
		m.loading = false
		if msg.Err != nil {
			m.err = msg.Err
			return m, func() tea.Msg { return Failed{Err: msg.Err} }
		}
		res := m.res
		return m, func() tea.Msg { return Loaded{Snap: res.snap, Rep: res.rep} }
	case spinner.TickMsg:
		if !m.loading {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.km.Up):
			m.offset = max(0, m.offset-1)
		case key.Matches(msg, m.km.Down):
			m.offset = min(m.offset+1, max(0, len(m.order)-1))
		}
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			m.offset = max(0, m.offset-3)
		case tea.MouseButtonWheelDown:
			m.offset = min(m.offset+3, max(0, len(m.order)-1))
		}
	}
	return m, nil
}

// IsRetry reports whether a key asks to retry a failed load.
func (m *Model) IsRetry(k tea.KeyMsg) bool {
	return m.err != nil && !m.loading && key.Matches(k, m.km.Reload)
}

func (m *Model) apply(e event.Progress) {
	k := e.Project + "\x00" + e.API
	r, ok := m.rows[k]
	if !ok {
		r = &apiRow{project: e.Project, api: e.API}
		m.rows[k] = r
		m.order = append(m.order, k)
		sort.Strings(m.order)
	}
	switch e.Phase {
	case event.Started:
		r.started++
		r.running++
		m.started++
	case event.Done:
		r.done++
		r.running--
		r.items += e.Items
		m.done++
	case event.Failed:
		r.done++
		r.failed++
		r.running--
		m.done++
		m.failed++
		msg := "failed"
		if e.Err != nil {
			msg = e.Err.Error()
		}
		r.lastErr = msg
		m.errs = append(m.errs, fmt.Sprintf("%s %s %s: %s", e.Project, e.API, e.What, msg))
	case event.Retrying:
		r.retries++
		m.retries++
	}
}

// View renders the screen.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	w := m.width
	var lines []string
	status := m.spin.View() + " "
	title := "Reading the inventory…"
	switch {
	case m.err != nil:
		status = m.st.Bad.Render(m.st.Glyphs.Failed) + " "
		title = "The inventory could not be read"
	case !m.loading && m.res != nil && m.started > 0:
		status = m.st.Good.Render(m.st.Glyphs.Done) + " "
		title = "Inventory read"
	}
	lines = append(lines, status+m.st.Title.Render(title))
	summary := fmt.Sprintf("%s of %s calls done", estate.Count(m.done), estate.Count(m.started))
	if m.failed > 0 {
		summary += fmt.Sprintf(" · %s failed", estate.Count(m.failed))
	}
	if m.retries > 0 {
		summary += fmt.Sprintf(" · %s retried", estate.Count(m.retries))
	}
	summary += fmt.Sprintf(" · %s APIs in %s projects · %s", estate.Count(len(m.order)), estate.Count(m.projects()), m.elapsed.Round(100*time.Millisecond))
	lines = append(lines, m.st.Muted.Render(layout.Truncate(summary, w)))
	if m.projTotal > 0 || m.projDone > 0 {
		read := estate.Count(m.projDone) + " projects read"
		if m.projTotal > 0 {
			read = fmt.Sprintf("%s of %s projects read", estate.Count(m.projDone), estate.Count(m.projTotal))
		}
		if m.partial && m.loading {
			read += " · 1 overview, 2 inventory, 3 findings show them now (partial figures)"
		}
		lines = append(lines, strings.Split(layout.Wrap(read, w), "\n")...)
	}
	if m.err != nil {
		lines = append(lines, "", m.st.Bad.Render(layout.Wrap(m.err.Error(), w)),
			"", m.st.Muted.Render("r retries · q quits"))
	}
	lines = append(lines, "")

	errH := 0
	if len(m.errs) > 0 {
		errH = min(len(m.errs), max(2, m.height/4)) + 2
	}
	tableH := m.height - len(lines) - errH - 1
	pw, aw := 18, 34
	for _, k := range m.order {
		pw = max(pw, len(m.rows[k].project))
	}
	pw = min(pw, max(12, w/4))
	aw = min(aw, max(16, w/3))
	lines = append(lines, m.st.TableHeader.Render(layout.Truncate(
		"  "+layout.Fit("PROJECT", pw, layout.Left)+" "+layout.Fit("API", aw, layout.Left)+" "+
			layout.Fit("CALLS", 7, layout.Right)+" "+layout.Fit("FOUND", 6, layout.Right)+"  NOTE", w)))
	off := min(m.offset, max(0, len(m.order)-tableH))
	for i := off; i < len(m.order) && i-off < tableH; i++ {
		r := m.rows[m.order[i]]
		glyph := m.st.Good.Render(m.st.Glyphs.Done)
		switch {
		case r.running > 0:
			glyph = m.spin.View()
		case r.failed > 0:
			glyph = m.st.Bad.Render(m.st.Glyphs.Failed)
		}
		note := ""
		if r.retries > 0 {
			note = fmt.Sprintf("%d retried ", r.retries)
		}
		if r.lastErr != "" {
			note += r.lastErr
		}
		line := layout.Fit(r.project, pw, layout.Left) + " " + layout.Fit(r.api, aw, layout.Left) + " " +
			layout.Fit(fmt.Sprintf("%d/%d", r.done, r.started), 7, layout.Right) + " " +
			layout.Fit(estate.Count(r.items), 6, layout.Right) + "  " + note
		lines = append(lines, glyph+" "+layout.Truncate(line, w-2))
	}
	if len(m.order) == 0 && m.loading {
		lines = append(lines, m.st.Muted.Render("  waiting for the first answers…"))
	}
	if errH > 0 {
		lines = append(lines, "", m.st.Heading.Render(fmt.Sprintf("Errors as they come (%d)", len(m.errs))))
		first := max(0, len(m.errs)-(errH-2))
		for _, e := range m.errs[first:] {
			lines = append(lines, m.st.Bad.Render(m.st.Glyphs.Failed)+" "+layout.Truncate(e, w-2))
		}
	}
	return layout.Clip(strings.Join(lines, "\n"), m.height)
}

func (m *Model) projects() int {
	seen := map[string]bool{}
	for _, k := range m.order {
		seen[m.rows[k].project] = true
	}
	return len(seen)
}
