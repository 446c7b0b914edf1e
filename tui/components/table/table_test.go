package table

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/tui/keys"
	"github.com/vpcshift/vpcshift/tui/layout"
	"github.com/vpcshift/vpcshift/tui/styles"
)

var cols = []Column{{Title: "NAME"}, {Title: "KIND"}, {Title: "COST", Numeric: true, Align: layout.Right}}

// fixture is a 100-row table, 12 lines high (10 rows in view).
func fixture() *Model {
	m := New(styles.Default(), keys.Default(), cols)
	var rows []Row
	for i := 0; i < 100; i++ {
		kind := "service"
		if i%4 == 0 {
			kind = "job"
		}
		rows = append(rows, Row{ID: fmt.Sprintf("id-%03d", i), Cells: []string{fmt.Sprintf("svc-%03d", i), kind, fmt.Sprintf("$%d", (i*37)%100)},
			Num: []float64{0, 0, float64((i * 37) % 100)}})
	}
	m.SetRows(rows)
	m.SetSize(60, 12)
	return m
}

func keyOf(s string) tea.KeyMsg {
	switch s {
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func press(m *Model, ks ...string) {
	for _, k := range ks {
		switch k {
		case "up", "down", "pgup", "pgdown", "home", "end", "enter", "esc", "backspace":
			m.Update(keyOf(k))
			continue
		}
		for _, r := range k {
			m.Update(keyOf(string(r)))
		}
	}
}

func selected(m *Model) string {
	r, _ := m.Selected()
	return r.ID
}

// TestKeys covers each binding the table answers.
func TestKeys(t *testing.T) {
	tests := []struct {
		binding string
		keys    []string
		check   func(t *testing.T, m *Model)
	}{
		{"Down", []string{"down", "j"}, func(t *testing.T, m *Model) { want(t, selected(m), "id-002") }},
		{"Up", []string{"down", "down", "down", "up", "k"}, func(t *testing.T, m *Model) { want(t, selected(m), "id-001") }},
		{"PageDown", []string{"pgdown"}, func(t *testing.T, m *Model) { want(t, selected(m), "id-010") }},
		{"PageUp", []string{"pgdown", "pgdown", "pgup"}, func(t *testing.T, m *Model) { want(t, selected(m), "id-010") }},
		{"Bottom", []string{"G"}, func(t *testing.T, m *Model) { want(t, selected(m), "id-099") }},
		{"Top", []string{"G", "g"}, func(t *testing.T, m *Model) { want(t, selected(m), "id-000") }},
		{"Sort", []string{"s", "s", "s"}, func(t *testing.T, m *Model) {
			col, desc := m.Sort()
			want(t, fmt.Sprint(col, desc), "2 false")
			want(t, selected(m), "id-000") // the cursor stays on its row
			press(m, "g")
			want(t, selected(m), "id-000") // $0 is the cheapest
			if !strings.Contains(m.View(), "COST ▲") {
				t.Errorf("header does not show the sort:\n%s", m.View())
			}
		}},
		{"Sort wraps to the natural order", []string{"s", "s", "s", "s"}, func(t *testing.T, m *Model) {
			col, _ := m.Sort()
			want(t, fmt.Sprint(col), "-1")
		}},
		{"SortReverse", []string{"s", "s", "s", "S", "g"}, func(t *testing.T, m *Model) {
			_, desc := m.Sort()
			want(t, fmt.Sprint(desc), "true")
			want(t, m.rows[m.view[0]].Cells[2], "$99")
		}},
		{"Filter: free text", []string{"/", "svc-01", "enter"}, func(t *testing.T, m *Model) {
			want(t, fmt.Sprint(m.Visible(), m.Capturing()), "10 false")
			want(t, m.Filter(), "svc-01")
		}},
		{"Filter: column:value", []string{"/", "kind:job", "enter"}, func(t *testing.T, m *Model) { want(t, fmt.Sprint(m.Visible()), "25") }},
		{"Filter: negated", []string{"/", "!kind:job", "enter"}, func(t *testing.T, m *Model) { want(t, fmt.Sprint(m.Visible()), "75") }},
		{"Filter: column prefix and text", []string{"/", "k:job svc-00", "enter"}, func(t *testing.T, m *Model) { want(t, fmt.Sprint(m.Visible()), "3") }},
		{"Filter: unknown column", []string{"/", "color:red", "enter"}, func(t *testing.T, m *Model) {
			want(t, fmt.Sprint(m.Visible()), "0")
			if v := m.View(); !strings.Contains(v, `no column "color" (columns: name, kind, cost)`) {
				t.Errorf("no explanation of the unknown column:\n%s", v)
			}
		}},
		{"Filter: live while typing", []string{"/", "svc-09"}, func(t *testing.T, m *Model) {
			want(t, fmt.Sprint(m.Visible(), m.Capturing()), "10 true")
		}},
		{"Filter: esc clears while typing", []string{"/", "svc-09", "esc"}, func(t *testing.T, m *Model) {
			want(t, fmt.Sprint(m.Visible(), m.Capturing(), m.Filter() == ""), "100 false true")
		}},
		{"Back clears a kept filter", []string{"/", "svc-09", "enter", "esc"}, func(t *testing.T, m *Model) {
			want(t, fmt.Sprint(m.Visible(), m.Filter() == ""), "100 true")
		}},
		{"Filter: backspace widens", []string{"/", "svc-099", "backspace"}, func(t *testing.T, m *Model) {
			want(t, fmt.Sprint(m.Visible()), "10")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.binding, func(t *testing.T) {
			m := fixture()
			press(m, tt.keys...)
			tt.check(t, m)
		})
	}
}

func want(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMouseWheel(t *testing.T) {
	m := fixture()
	m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	want(t, selected(m), "id-003")
	m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp})
	want(t, selected(m), "id-000")
}

// TestViewWindow: only the rows in view are drawn, the cursor row is
// marked, and the footer says where the cursor is.
func TestViewWindow(t *testing.T) {
	m := fixture()
	press(m, "pgdown", "pgdown", "down")
	v := m.View()
	lines := strings.Split(v, "\n")
	if len(lines) != 12 {
		t.Fatalf("%d lines, want 12:\n%s", len(lines), v)
	}
	if !strings.Contains(v, "▌ svc-021") || strings.Contains(v, "svc-005") {
		t.Errorf("window not around the cursor:\n%s", v)
	}
	if !strings.Contains(lines[11], "22 of 100") {
		t.Errorf("footer %q", lines[11])
	}
}

// TestScope narrows to some IDs and keeps filtering inside them.
func TestScope(t *testing.T) {
	m := fixture()
	m.SetScope(&Scope{Label: "three of them", IDs: map[string]bool{"id-001": true, "id-004": true, "id-008": true}})
	want(t, fmt.Sprint(m.Visible()), "3")
	press(m, "/", "kind:job", "enter")
	want(t, fmt.Sprint(m.Visible()), "2")
	if !strings.Contains(m.View(), "three of them") {
		t.Errorf("the scope's label is not shown:\n%s", m.View())
	}
	m.SetScope(nil)
	want(t, fmt.Sprint(m.Visible()), "25")
}

// TestNarrow: columns shrink to fit 40 cells, with an ellipsis.
func TestNarrow(t *testing.T) {
	m := New(styles.Default(), keys.Default(), []Column{{Title: "NAME"}, {Title: "DESCRIPTION"}})
	m.SetRows([]Row{{ID: "a", Cells: []string{"short", strings.Repeat("long text ", 10)}}})
	m.SetSize(40, 5)
	for _, l := range strings.Split(m.View(), "\n") {
		if w := layout.Width(l); w > 40 {
			t.Errorf("line of %d cells: %q", w, l)
		}
	}
	if !strings.Contains(m.View(), "…") {
		t.Errorf("no ellipsis:\n%s", m.View())
	}
}
