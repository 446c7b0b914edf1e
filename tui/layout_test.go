package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vpcshift/vpcshift/tui/layout"
)

// TestEveryScreenFits: at every size from 80×24 up, and after resizing,
// each screen fills the terminal exactly: as many lines as it is high,
// none wider than it is wide.
func TestEveryScreenFits(t *testing.T) {
	env := startEstate(t, "enterprise")
	d := newDrive(t, env.fullDeps(t, true), 80, 24)
	screens := []struct{ name, keys string }{
		{"overview", "1"}, {"connectors", "2"}, {"consumers", "2<tab>"}, {"nats", "2<tab><tab>"}, {"network", "2<tab><tab><tab>"},
		{"detail", "2<tab><enter>"}, {"filter", "<esc>/kind:service"}, {"findings", "<esc>3"}, {"plan", "4"}, {"runbook", "4<tab>"},
		{"apply", "5"}, {"confirm", "5a"}, {"help", "n?"},
	}
	for _, size := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {200, 60}, {80, 24}} {
		w, h := size[0], size[1]
		d.send(tea.WindowSizeMsg{Width: w, Height: h})
		for _, s := range screens {
			d.keys(s.keys)
			v := d.view()
			lines := strings.Split(v, "\n")
			if len(lines) != h {
				t.Errorf("%dx%d %s: %d lines", w, h, s.name, len(lines))
			}
			for i, l := range lines {
				if lw := layout.Width(l); lw > w {
					t.Errorf("%dx%d %s: line %d is %d cells wide: %q", w, h, s.name, i, lw, l)
				}
			}
		}
		d.keys("<esc>")
	}
	_ = fmt.Sprint
}
