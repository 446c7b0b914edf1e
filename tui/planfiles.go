package tui

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vpcshift/vpcshift/migrate"
	"github.com/vpcshift/vpcshift/migrate/render"
)

// MarkdownRunbook renders a plan as the Markdown runbook (Deps.RenderMarkdown).
func MarkdownRunbook(p *migrate.Plan) (string, error) {
	var b bytes.Buffer
	if err := render.Markdown(&b, p); err != nil {
		return "", err
	}
	return b.String(), nil
}

// PlanFiles are the files WritePlanFiles writes: the plan and each runbook.
var PlanFiles = []struct {
	Name   string
	Render func(io.Writer, *migrate.Plan) error
}{
	{"plan.json", render.JSON},
	{"runbook.md", render.Markdown},
	{"migrate.sh", render.Shell},
	{"migration.tf", render.Terraform},
}

// WritePlanFiles writes the plan (JSON) and every runbook format into dir
// and returns the paths written (Deps.WriteFiles).
func WritePlanFiles(p *migrate.Plan, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	var paths []string
	for _, f := range PlanFiles {
		var b bytes.Buffer
		if err := f.Render(&b, p); err != nil {
			return paths, fmt.Errorf("rendering %s: %w", f.Name, err)
		}
		path := filepath.Join(dir, f.Name)
		mode := os.FileMode(0o644)
		if strings.HasSuffix(f.Name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(path, b.Bytes(), mode); err != nil {
			return paths, fmt.Errorf("writing %s: %w", path, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}
