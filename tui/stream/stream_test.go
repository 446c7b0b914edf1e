package stream

import (
	"errors"
	"testing"
)

// TestOrderAndEnd: every event arrives, in order, before the end and its
// error; emit never blocks.
func TestOrderAndEnd(t *testing.T) {
	boom := errors.New("boom")
	s := New(func(emit func(int)) error {
		for i := 0; i < 1000; i++ {
			emit(i)
		}
		return boom
	})
	var got []int
	for {
		b := s.Next()().(Batch[int])
		if b.Stream != s {
			t.Fatal("a batch of another stream")
		}
		got = append(got, b.Events...)
		if b.Done {
			if len(b.Events) != 0 || !errors.Is(b.Err, boom) {
				t.Fatalf("end: %d events, err %v", len(b.Events), b.Err)
			}
			break
		}
	}
	if len(got) != 1000 {
		t.Fatalf("%d events, want 1000", len(got))
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("event %d is %d", i, v)
		}
	}
}
