package emulator

import (
	"net/http"
)

// ControlPath is the emulator's own endpoint (not a Google API): it tells a
// client which scenario it serves, so that `vpcshift inventory` pointed at
// a running emulator can default to the scenario's projects.
const ControlPath = "/vpcshift/v1/info"

// Info is what ControlPath answers.
type Info struct {
	Scenario     string        `json:"scenario"`
	Projects     []string      `json:"projects"`
	Organization *Organization `json:"organization,omitempty"`
}

// Info describes the running emulator.
func (s *Server) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := Info{Projects: append([]string(nil), s.order...)}
	if s.scenario != nil {
		info.Scenario = s.scenario.Path
		info.Organization = s.scenario.Organization
	}
	return info
}

func init() {
	restRegistrars = append(restRegistrars, func(s *Server, mux *http.ServeMux) {
		mux.HandleFunc("GET "+ControlPath, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, s.Info())
		})
	})
}
