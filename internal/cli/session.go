package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	vpcshift "github.com/vpcshift/vpcshift"
	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/internal/gcp/emulator"
)

// session is a connection to Google (or an emulator) for one command.
type session struct {
	clients  *gcp.Clients
	emu      *emulator.Server // the in-process emulator under --demo
	addr     string           // emulator address, "" for Google
	projects []string
	scenario string // the demo scenario's name or path
}

func (s *session) Close() {
	if s.clients != nil {
		s.clients.Close()
	}
	if s.emu != nil {
		s.emu.Close()
	}
}

// loadScenario reads --demo's value: a file path, or the name of a scenario
// built into the binary.
func loadScenario(value string) (*emulator.Scenario, error) {
	if value == "" {
		value = demoDefault
	}
	if st, err := os.Stat(value); err == nil && !st.IsDir() {
		return emulator.LoadScenario(value)
	}
	name := strings.TrimSuffix(filepath.Base(value), ".yaml")
	data, err := vpcshift.Scenarios.ReadFile("testdata/scenarios/" + name + ".yaml")
	if err != nil {
		return nil, usageError("no scenario file %q and no built-in scenario of that name (built in: %s)", value, strings.Join(builtinScenarios(), ", "))
	}
	return emulator.ParseScenario(name+".yaml (built in)", data)
}

func builtinScenarios() []string {
	entries, _ := fs.ReadDir(vpcshift.Scenarios, "testdata/scenarios")
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(out)
	return out
}

// connect builds the clients: the in-process emulator under --demo, a
// running emulator under --emulator / VPCSHIFT_EMULATOR_HOST, else Google
// with Application Default Credentials.
func (o *globalOpts) connect(ctx context.Context) (*session, error) {
	s := &session{}
	addr := o.emulator
	if addr == "" && o.demo == "" {
		addr = o.env.Getenv(gcp.EmulatorEnv)
	}
	var scenarioProjects []string
	switch {
	case o.demo != "":
		sc, err := loadScenario(o.demo)
		if err != nil {
			return nil, err
		}
		emu, err := emulator.Start(ctx, sc, emulator.WithClock(o.env.Now))
		if err != nil {
			return nil, err
		}
		s.emu, s.addr, s.scenario = emu, emu.Addr, sc.Path
		for _, p := range sc.Projects {
			scenarioProjects = append(scenarioProjects, p.ProjectID)
		}
	case addr != "":
		s.addr = addr
		ps, err := emulatorProjects(ctx, addr)
		if err != nil {
			return nil, &ExitError{Code: ExitFailure, Err: fmt.Errorf("emulator at %s: %w", addr, err), Hint: "start one with 'vpcshift emulator --scenario FILE' and use the address it prints"}
		}
		scenarioProjects = ps
	}
	projects, err := o.resolveProjects(scenarioProjects)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.projects = projects
	clients, err := gcp.New(ctx, gcp.Config{Emulator: s.addr, UserAgent: "vpcshift/" + o.env.Version})
	if err != nil {
		s.Close()
		return nil, err
	}
	s.clients = clients
	return s, nil
}

// connectNoScope connects without resolving a project scope (for the
// Billing Catalog, which is not project-scoped).
func (o *globalOpts) connectNoScope(ctx context.Context) (*session, error) {
	saved := o.projects
	if len(saved) == 0 {
		o.projects = []string{"-"}
	}
	s, err := o.connect(ctx)
	o.projects = saved
	if s != nil {
		s.projects = nil
	}
	return s, err
}

// resolveProjects applies the documented order: --project, the scenario's
// projects (demo/emulator), CLOUDSDK_CORE_PROJECT, the gcloud config.
// With --org or --folder the list may stay empty (the inventory expands it).
func (o *globalOpts) resolveProjects(scenario []string) ([]string, error) {
	if len(o.projects) > 0 {
		return dedupe(o.projects), nil
	}
	if o.org != "" || o.folder != "" {
		return nil, nil
	}
	if len(scenario) > 0 {
		return scenario, nil
	}
	if p := o.env.Getenv("CLOUDSDK_CORE_PROJECT"); p != "" {
		return []string{p}, nil
	}
	if p := gcloudProject(o.env); p != "" {
		return []string{p}, nil
	}
	return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("no project to inventory"),
		Hint: "pass --project PROJECT_ID (repeatable), --org ID or --folder ID, set CLOUDSDK_CORE_PROJECT, or run 'gcloud config set project PROJECT_ID'; or try --demo"}
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range in {
		for _, q := range strings.Split(p, ",") {
			q = strings.TrimSpace(q)
			if q != "" && !seen[q] {
				seen[q] = true
				out = append(out, q)
			}
		}
	}
	return out
}

// gcloudProject reads core/project from the active gcloud configuration
// ($CLOUDSDK_CONFIG or ~/.config/gcloud; active_config names the
// configuration; configurations/config_NAME is an INI file).
func gcloudProject(env *Env) string {
	dir := env.Getenv("CLOUDSDK_CONFIG")
	if dir == "" {
		if env.HomeDir == "" {
			return ""
		}
		dir = filepath.Join(env.HomeDir, ".config", "gcloud")
	}
	name := env.Getenv("CLOUDSDK_ACTIVE_CONFIG_NAME")
	if name == "" {
		b, err := os.ReadFile(filepath.Join(dir, "active_config"))
		if err != nil {
			name = "default"
		} else {
			name = strings.TrimSpace(string(b))
		}
	}
	f, err := os.Open(filepath.Join(dir, "configurations", "config_"+name))
	if err != nil {
		return ""
	}
	defer f.Close()
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.Trim(line, "[]")
			continue
		}
		if section != "core" {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "project" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// emulatorProjects asks a running emulator which projects it holds (its
// control endpoint, not a Google API).
func emulatorProjects(ctx context.Context, addr string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+emulator.ControlPath, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", emulator.ControlPath, resp.Status)
	}
	var info emulator.Info
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return nil, err
	}
	return info.Projects, nil
}
