package migrate

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// The journal is the executor's memory: an append-only file of JSON lines,
// one per event that matters for resume and rollback, each written and
// fsynced before the executor goes on. Before a step changes anything, an
// intent record holds the pre-image a rollback needs (the consumer's VPC
// access and traffic, the subnet's Private Google Access, whether the zone
// or route existed, the NAT gateway's configuration, the connector's); after
// it, an outcome record says how it ended. A crash can tear the last line:
// reading ignores it and reports it.

// JournalFormat identifies the journal's record format (in its header).
const JournalFormat = "vpcshift.journal/v1"

// RecordType says what a journal record is.
type RecordType string

// Record types.
const (
	RecordHeader          RecordType = "header"           // first line: which plan
	RecordRun             RecordType = "run"              // an apply, resume or rollback began
	RecordIntent          RecordType = "intent"           // a step is about to change something
	RecordOutcome         RecordType = "outcome"          // how the step ended
	RecordRollbackIntent  RecordType = "rollback-intent"  // about to undo a step
	RecordRollbackOutcome RecordType = "rollback-outcome" // how the undo ended
)

// StepStatus is how a step ended (or, in a Result, where it stands).
type StepStatus string

// Step statuses.
const (
	StatusStarted     StepStatus = "started"      // journal: intent without outcome
	StatusSucceeded   StepStatus = "succeeded"    // done and verified
	StatusAlreadyDone StepStatus = "already-done" // found done; nothing changed
	StatusSkipped     StepStatus = "skipped"      // did not run (Message says why)
	StatusFailed      StepStatus = "failed"       // did not complete
	StatusRolledBack  StepStatus = "rolled-back"  // undone
	StatusPlanned     StepStatus = "planned"      // dry run: would run
	StatusNotRun      StepStatus = "not-run"      // the run stopped before it
)

// done reports whether a status means the step's result is in place.
func (s StepStatus) done() bool { return s == StatusSucceeded || s == StatusAlreadyDone }

// PreImage is what a step's rollback restores: the state before vpcshift
// changed anything (the first intent of a step keeps it for good).
type PreImage struct {
	// Consumer is the consumer as read before (VPC access, traffic, the
	// revision serving, etag).
	Consumer *inventory.ConsumerState `json:"consumer,omitempty"`
	// PrivateIPGoogleAccess is the subnet's setting before.
	PrivateIPGoogleAccess *bool `json:"privateIpGoogleAccess,omitempty"`
	// RouteExisted and ZoneExisted say whether vpcshift found them there
	// (then a rollback leaves them alone).
	RouteExisted *bool `json:"routeExisted,omitempty"`
	ZoneExisted  *bool `json:"zoneExisted,omitempty"`
	// NAT is the gateway's configuration before (restored as recorded).
	NAT *inventory.NATConfig `json:"nat,omitempty"`
	// Connector is the connector before deletion (it cannot be restored;
	// this says what to recreate).
	Connector *inventory.Connector `json:"connector,omitempty"`
}

// PostImage is what a step left behind.
type PostImage struct {
	// Etag is the consumer's etag after vpcshift's change (so that a later
	// step, or a rollback, can tell its own change from someone else's).
	Etag string `json:"etag,omitempty"`
	// Revision is the revision vpcshift deployed (deploy-revision).
	Revision string `json:"revision,omitempty"`
	// Percent is the traffic the tagged revision serves (shift-traffic).
	Percent int `json:"percent,omitempty"`
}

// Record is one journal line.
type Record struct {
	Type RecordType `json:"type"`
	Time time.Time  `json:"time"`
	// Run numbers the apply/resume/rollback runs of a journal (1, 2, …).
	Run int `json:"run,omitempty"`

	// Header.
	Format      string `json:"format,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	PlanDigest  string `json:"planDigest,omitempty"`

	// Run.
	Mode string `json:"mode,omitempty"` // apply, resume, rollback
	PID  int    `json:"pid,omitempty"`
	Host string `json:"host,omitempty"`

	// Steps.
	Step     string     `json:"step,omitempty"`
	Action   Action     `json:"action,omitempty"`
	Resource string     `json:"resource,omitempty"`
	Pre      *PreImage  `json:"pre,omitempty"`
	Post     *PostImage `json:"post,omitempty"`
	Status   StepStatus `json:"status,omitempty"`
	Message  string     `json:"message,omitempty"`
}

// ErrJournalLocked is matched (errors.Is) by the error of opening a journal
// another apply of the same plan holds.
var ErrJournalLocked = errors.New("journal locked")

// LockedError says who holds a journal's lock.
type LockedError struct {
	Lock string
	PID  int
	Host string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another vpcshift (pid %d on %s) is applying this plan: %s is locked", e.PID, e.Host, e.Lock)
}

// Is matches ErrJournalLocked.
func (e *LockedError) Is(target error) bool { return target == ErrJournalLocked }

// Journal is an open, locked journal. Its methods are safe for concurrent
// use.
type Journal struct {
	path string
	lock string

	mu      sync.Mutex
	f       *os.File
	records []Record
	torn    string
	run     int
}

// StateDir is where journals live: $XDG_STATE_HOME/vpcshift, else
// HOME/.local/state/vpcshift.
func StateDir(getenv func(string) string, home string) string {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "vpcshift")
	}
	return filepath.Join(home, ".local", "state", "vpcshift")
}

// JournalPath is the journal file of a plan in dir, named from the plan's
// fingerprint.
func JournalPath(dir string, p *Plan) string {
	fp := strings.TrimPrefix(p.Source.Fingerprint, "sha256:")
	if fp == "" {
		fp = strings.TrimPrefix(PlanDigest(p), "sha256:")[:32]
	}
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, fp)
	return filepath.Join(dir, "plan-"+clean+".journal")
}

// PlanDigest hashes a plan's JSON: the journal refuses to serve another
// plan than the one it was started with.
func PlanDigest(p *Plan) string {
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// OpenJournal opens (creating it and its directory when needed) and locks
// the journal at path for plan p. The lock (path+".lock", created with
// O_EXCL, holding the pid) keeps a second apply of the same plan out; a
// lock left by a process that no longer exists on this host is taken over.
// A torn last line is cut off and reported by Torn.
func OpenJournal(path string, p *Plan) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the journal directory: %w", err)
	}
	j := &Journal{path: path, lock: path + ".lock"}
	if err := j.takeLock(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		j.releaseLock()
		return nil, fmt.Errorf("opening journal %s: %w", path, err)
	}
	j.f = f
	fail := func(err error) (*Journal, error) {
		f.Close()
		j.releaseLock()
		return nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return fail(fmt.Errorf("reading journal %s: %w", path, err))
	}
	recs, good, torn, err := parseJournal(data)
	if err != nil {
		return fail(fmt.Errorf("journal %s: %w", path, err))
	}
	if torn != "" {
		// Cut the torn tail so the next record starts on a line of its own.
		if err := f.Truncate(int64(good)); err != nil {
			return fail(fmt.Errorf("journal %s: cutting a torn last line: %w", path, err))
		}
		if err := f.Sync(); err != nil {
			return fail(fmt.Errorf("journal %s: %w", path, err))
		}
		j.torn = torn
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		return fail(err)
	}
	j.records = recs
	digest := PlanDigest(p)
	if len(recs) == 0 {
		if err := j.appendLocked(Record{Type: RecordHeader, Time: time.Now().UTC(), Format: JournalFormat, Fingerprint: p.Source.Fingerprint, PlanDigest: digest}); err != nil {
			return fail(err)
		}
		syncDir(filepath.Dir(path))
	} else {
		h := recs[0]
		if h.Type != RecordHeader {
			return fail(fmt.Errorf("journal %s does not start with a header", path))
		}
		if h.Format != JournalFormat {
			return fail(fmt.Errorf("journal %s has format %q, this vpcshift writes %q", path, h.Format, JournalFormat))
		}
		if h.PlanDigest != digest {
			return fail(fmt.Errorf("journal %s belongs to another plan made from the same inventory (plan digest %s, this plan %s): pass --journal FILE to keep them apart", path, shortDigest(h.PlanDigest), shortDigest(digest)))
		}
	}
	for _, r := range recs {
		if r.Run > j.run {
			j.run = r.Run
		}
	}
	return j, nil
}

func shortDigest(digest string) string {
	d := strings.TrimPrefix(digest, "sha256:")
	if len(d) > 12 {
		d = d[:12]
	}
	return d
}

// syncDir makes a new file's directory entry durable (best effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

type lockInfo struct {
	PID  int    `json:"pid"`
	Host string `json:"host"`
}

func (j *Journal) takeLock() error {
	host, _ := os.Hostname()
	me, _ := json.Marshal(lockInfo{PID: os.Getpid(), Host: host})
	for attempt := 0; attempt < 3; attempt++ {
		f, err := os.OpenFile(j.lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.Write(append(me, '\n'))
			serr := f.Sync()
			f.Close()
			if werr != nil || serr != nil {
				os.Remove(j.lock)
				return fmt.Errorf("writing lock %s: %w", j.lock, errors.Join(werr, serr))
			}
			return nil
		}
		if !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("locking journal: %w", err)
		}
		b, rerr := os.ReadFile(j.lock)
		if rerr != nil {
			if errors.Is(rerr, os.ErrNotExist) {
				continue // released meanwhile
			}
			return fmt.Errorf("reading lock %s: %w", j.lock, rerr)
		}
		var li lockInfo
		if json.Unmarshal(bytes.TrimSpace(b), &li) != nil || li.PID <= 0 {
			// Half-written by a process that died while taking it.
			if attempt == 0 {
				os.Remove(j.lock)
				continue
			}
			return &LockedError{Lock: j.lock, Host: "?"}
		}
		if li.Host == host && !processAlive(li.PID) {
			// Stale: its process is gone.
			os.Remove(j.lock)
			continue
		}
		return &LockedError{Lock: j.lock, PID: li.PID, Host: li.Host}
	}
	return &LockedError{Lock: j.lock, Host: "?"}
}

func (j *Journal) releaseLock() { os.Remove(j.lock) }

// Close closes the journal and releases its lock.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	j.releaseLock()
	return err
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// Torn describes a torn last line found (and cut off) when the journal was
// opened, "" when there was none.
func (j *Journal) Torn() string { return j.torn }

// Records returns a copy of every record, oldest first.
func (j *Journal) Records() []Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Record(nil), j.records...)
}

// Append writes one record and fsyncs it before returning. Records of a run
// carry its number (BeginRun).
func (j *Journal) Append(r Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if r.Run == 0 {
		r.Run = j.run
	}
	return j.appendLocked(r)
}

func (j *Journal) appendLocked(r Record) error {
	if j.f == nil {
		return fmt.Errorf("journal %s is closed", j.path)
	}
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding a journal record: %w", err)
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("writing journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("syncing journal %s: %w", j.path, err)
	}
	j.records = append(j.records, r)
	return nil
}

// BeginRun records the start of a run (mode apply, resume or rollback) and
// numbers the records that follow.
func (j *Journal) BeginRun(mode string, now time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.run++
	host, _ := os.Hostname()
	return j.appendLocked(Record{Type: RecordRun, Time: now, Run: j.run, Mode: mode, PID: os.Getpid(), Host: host})
}

// ReadJournal reads journal records. A torn last line (no final newline, or
// a last line that does not decode: a write cut short by a crash) is
// ignored and described in torn; any other line that does not decode is an
// error. It never panics, whatever the input.
func ReadJournal(r io.Reader) (recs []Record, torn string, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, "", err
	}
	recs, _, torn, err = parseJournal(data)
	return recs, torn, err
}

// LoadJournal reads the journal at path without locking it (a dry run
// shows what it says). A missing file is an empty journal.
func LoadJournal(path string) ([]Record, string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	recs, torn, err := ReadJournal(f)
	if err != nil {
		return nil, "", fmt.Errorf("journal %s: %w", path, err)
	}
	return recs, torn, nil
}

// parseJournal decodes data; good is the length of the well-formed prefix
// (everything but a torn tail).
func parseJournal(data []byte) (recs []Record, good int, torn string, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	sc.Split(scanLinesKeepingTail)
	off := 0
	line := 0
	type bad struct {
		line int
		off  int
		text string
		err  error
	}
	var pending *bad
	for sc.Scan() {
		tok := sc.Bytes()
		line++
		start := off
		off += len(tok)
		if pending != nil {
			// A line that does not decode, with more after it: corruption,
			// not a crash.
			return nil, 0, "", fmt.Errorf("line %d does not decode: %v", pending.line, pending.err)
		}
		complete := len(tok) > 0 && tok[len(tok)-1] == '\n'
		body := bytes.TrimSpace(tok)
		if len(body) == 0 {
			if complete {
				good = off
			}
			continue
		}
		var r Record
		derr := decodeRecord(body, &r)
		if !complete {
			torn = describeTorn(line, tok, derr)
			return recs, good, torn, nil
		}
		if derr != nil {
			pending = &bad{line: line, off: start, text: string(tok), err: derr}
			continue
		}
		recs = append(recs, r)
		good = off
	}
	if err := sc.Err(); err != nil {
		return nil, 0, "", err
	}
	if pending != nil {
		return recs, pending.off, describeTorn(pending.line, []byte(pending.text), pending.err), nil
	}
	return recs, good, "", nil
}

func decodeRecord(b []byte, r *Record) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(r); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one record on the line")
	}
	if r.Type == "" {
		return errors.New("record without a type")
	}
	return nil
}

func describeTorn(line int, tok []byte, err error) string {
	why := "no final newline"
	if err != nil {
		why = err.Error()
	}
	return "line " + strconv.Itoa(line) + " (" + strconv.Itoa(len(tok)) + " bytes) was cut short by an interrupted write and is ignored: " + why
}

// scanLinesKeepingTail splits after each '\n', keeping it, and returns a
// last line without one as it is.
func scanLinesKeepingTail(data []byte, atEOF bool) (int, []byte, error) {
	if atEOF && len(data) == 0 {
		return 0, nil, nil
	}
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i+1], nil
	}
	if atEOF {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// journalState is what the records say about each step.
type journalState struct {
	steps map[string]*stepRecord
	// etags are, per resource, every etag vpcshift read before changing it
	// or left after changing it: an etag not among them is someone else's.
	etags map[string]map[string]bool
}

type stepRecord struct {
	// Pre is the pre-image of the step's first intent: the state before
	// vpcshift touched it, kept across redos and runs.
	Pre *PreImage
	// Status is the latest: started (an intent without outcome),
	// succeeded, already-done, failed, skipped, rolled-back.
	Status StepStatus
	// Post is the latest outcome's post-image.
	Post *PostImage
	// Finished is when the latest outcome was written.
	Finished time.Time
	// Touched is true once an intent was written (the step may have
	// changed something).
	Touched bool
	Message string
}

func stateOf(recs []Record) *journalState {
	st := &journalState{steps: map[string]*stepRecord{}, etags: map[string]map[string]bool{}}
	get := func(id string) *stepRecord {
		s := st.steps[id]
		if s == nil {
			s = &stepRecord{}
			st.steps[id] = s
		}
		return s
	}
	etag := func(res, e string) {
		if res == "" || e == "" {
			return
		}
		if st.etags[res] == nil {
			st.etags[res] = map[string]bool{}
		}
		st.etags[res][e] = true
	}
	for _, r := range recs {
		if r.Step == "" {
			continue
		}
		s := get(r.Step)
		switch r.Type {
		case RecordIntent:
			if s.Pre == nil && r.Pre != nil {
				s.Pre = r.Pre
			}
			s.Touched = true
			s.Status = StatusStarted
			if r.Pre != nil && r.Pre.Consumer != nil {
				etag(r.Resource, r.Pre.Consumer.Etag)
			}
		case RecordOutcome:
			s.Status, s.Post, s.Finished, s.Message = r.Status, r.Post, r.Time, r.Message
			if r.Post != nil {
				etag(r.Resource, r.Post.Etag)
			}
		case RecordRollbackIntent:
			if r.Pre != nil && r.Pre.Consumer != nil {
				etag(r.Resource, r.Pre.Consumer.Etag)
			}
		case RecordRollbackOutcome:
			if r.Post != nil {
				etag(r.Resource, r.Post.Etag)
			}
			if r.Status == StatusRolledBack {
				s.Status, s.Finished, s.Message = StatusRolledBack, r.Time, r.Message
			}
		}
	}
	return st
}

func (st *journalState) status(id string) StepStatus {
	if s := st.steps[id]; s != nil {
		return s.Status
	}
	return ""
}

func (st *journalState) knownEtag(resource, etag string) bool {
	return st.etags[resource][etag]
}
