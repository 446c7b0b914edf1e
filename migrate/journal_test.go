package migrate

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func journalPlan(fp string) *Plan {
	return &Plan{FormatVersion: FormatVersion, Source: Source{Fingerprint: fp}, Stages: []Stage{{Name: StageNetwork, Steps: []Step{{ID: "s1", Action: ActionSetPGA}}}}}
}

func TestJournalPathAndStateDir(t *testing.T) {
	env := map[string]string{"XDG_STATE_HOME": "/state"}
	if got := StateDir(func(k string) string { return env[k] }, "/home/me"); got != "/state/vpcshift" {
		t.Errorf("StateDir with XDG_STATE_HOME = %s", got)
	}
	if got := StateDir(func(string) string { return "" }, "/home/me"); got != "/home/me/.local/state/vpcshift" {
		t.Errorf("StateDir without = %s", got)
	}
	if got := JournalPath("/d", journalPlan("sha256:0123abcd")); got != "/d/plan-0123abcd.journal" {
		t.Errorf("JournalPath = %s", got)
	}
}

// A crash mid-write leaves a torn last line: it is reported and cut off,
// the records before it are kept, and the journal goes on cleanly.
func TestJournalTornLastLine(t *testing.T) {
	for _, tail := range []string{
		`{"type":"outcome","step":"s1","sta`,                  // cut mid-record
		"\x00\x00\x00\x00",                                    // a block of zeroes after a power loss
		`{"type":"outcome","step":"s1","status":"succ` + "\n", // a last line that does not decode
	} {
		path := filepath.Join(t.TempDir(), "j.journal")
		p := journalPlan("sha256:aa")
		j, err := OpenJournal(path, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Append(Record{Type: RecordIntent, Step: "s1", Action: ActionSetPGA}); err != nil {
			t.Fatal(err)
		}
		j.Close()
		f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString(tail)
		f.Close()

		recs, torn, err := LoadJournal(path)
		if err != nil || torn == "" || len(recs) != 2 {
			t.Fatalf("tail %q: LoadJournal = %d records, torn %q, %v", tail, len(recs), torn, err)
		}
		j, err = OpenJournal(path, p)
		if err != nil {
			t.Fatalf("tail %q: reopening: %v", tail, err)
		}
		if j.Torn() == "" || !strings.Contains(j.Torn(), "line 3") {
			t.Errorf("tail %q: Torn() = %q", tail, j.Torn())
		}
		if err := j.Append(Record{Type: RecordOutcome, Step: "s1", Status: StatusSucceeded}); err != nil {
			t.Fatal(err)
		}
		j.Close()
		recs, torn, err = LoadJournal(path)
		if err != nil || torn != "" || len(recs) != 3 || recs[2].Status != StatusSucceeded {
			t.Fatalf("tail %q: after the next append: %d records, torn %q, %v", tail, len(recs), torn, err)
		}
		if st := stateOf(recs).status("s1"); st != StatusSucceeded {
			t.Errorf("tail %q: status %s", tail, st)
		}
	}
}

// A line that does not decode with records after it is corruption, not a
// crash: reading stops with an error naming the line.
func TestJournalCorruptMiddleLine(t *testing.T) {
	in := `{"type":"header","format":"vpcshift.journal/v1"}` + "\n" + `{"type":` + "\n" + `{"type":"intent","step":"s1"}` + "\n"
	_, _, err := ReadJournal(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v", err)
	}
}

// Two applies of one plan: the second finds the lock. A lock whose process
// is gone is taken over.
func TestJournalLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.journal")
	p := journalPlan("sha256:bb")
	j, err := OpenJournal(path, p)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenJournal(path, p)
	var le *LockedError
	if !errors.Is(err, ErrJournalLocked) || !errors.As(err, &le) || le.PID != os.Getpid() {
		t.Fatalf("second open: %v", err)
	}
	if !strings.Contains(err.Error(), "is applying this plan") {
		t.Errorf("message: %v", err)
	}
	j.Close()
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Fatalf("the lock outlived Close: %v", err)
	}

	// A stale lock: the pid of a process that has exited, on this host.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no `true` to make a dead pid:", err)
	}
	host, _ := os.Hostname()
	os.WriteFile(path+".lock", []byte(`{"pid":`+strconv.Itoa(cmd.Process.Pid)+`,"host":"`+host+`"}`+"\n"), 0o600)
	j, err = OpenJournal(path, p)
	if err != nil {
		t.Fatalf("a lock left by a dead process was not taken over: %v", err)
	}
	j.Close()

	// A lock from another host cannot be judged: it stays.
	os.WriteFile(path+".lock", []byte(`{"pid":1,"host":"elsewhere.example"}`+"\n"), 0o600)
	if _, err := OpenJournal(path, p); !errors.Is(err, ErrJournalLocked) {
		t.Fatalf("another host's lock: %v", err)
	}
	os.Remove(path + ".lock")

	// Another plan made from the same inventory does not share the journal.
	other := journalPlan("sha256:bb")
	other.Stages[0].Steps[0].ID = "s2"
	if _, err := OpenJournal(path, other); err == nil || !strings.Contains(err.Error(), "another plan") {
		t.Fatalf("another plan: %v", err)
	}
}
