package plan

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/vpcshift/vpcshift/tui/styles"
)

func TestMarkdown(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	md := "# Plan\n\nSome **bold** and `code` text.\n\n| # | Stage | Steps |\n|---|---|---:|\n| 1 | **Preflight** | 2 |\n| 2 | Network | 13 |\n\n- [ ] do this\n- done\n\n```sh\ngcloud run services update api \\\n  --region us-central1\n```\n"
	got := Markdown(styles.Default(), md, 60)
	want := strings.Join([]string{
		"PLAN",
		"",
		"Some bold and code text.",
		"",
		"  #  Stage      Steps",
		"  1  Preflight  2",
		"  2  Network    13",
		"",
		"☐ do this",
		"• done",
		"",
		"  gcloud run services update api \\",
		"    --region us-central1",
		"",
	}, "\n")
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
