package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Sort puts every slice of the snapshot in a stable order (by ID), so that
// JSON output and everything derived from it are deterministic.
func (s *Snapshot) Sort() {
	sort.Slice(s.Projects, func(i, j int) bool { return s.Projects[i].ID < s.Projects[j].ID })
	sort.Slice(s.Connectors, func(i, j int) bool { return s.Connectors[i].ID < s.Connectors[j].ID })
	sort.Slice(s.Consumers, func(i, j int) bool { return s.Consumers[i].ID < s.Consumers[j].ID })
	sort.Slice(s.Networks, func(i, j int) bool { return s.Networks[i].ID < s.Networks[j].ID })
	sort.Slice(s.Subnets, func(i, j int) bool { return s.Subnets[i].ID < s.Subnets[j].ID })
	sort.Slice(s.Routes, func(i, j int) bool { return s.Routes[i].ID < s.Routes[j].ID })
	sort.Slice(s.NATs, func(i, j int) bool { return s.NATs[i].ID < s.NATs[j].ID })
	sort.Slice(s.Addresses, func(i, j int) bool { return s.Addresses[i].ID < s.Addresses[j].ID })
	sort.Slice(s.DNSZones, func(i, j int) bool { return s.DNSZones[i].ID < s.DNSZones[j].ID })
	sort.Slice(s.ResponsePolicies, func(i, j int) bool { return s.ResponsePolicies[i].ID < s.ResponsePolicies[j].ID })
	sort.Slice(s.Coverage, func(i, j int) bool {
		a, b := s.Coverage[i], s.Coverage[j]
		if a.Project != b.Project {
			return a.Project < b.Project
		}
		return a.API < b.API
	})
	for i := range s.Connectors {
		sort.Strings(s.Connectors[i].ConnectedProjects)
	}
	for i := range s.DNSZones {
		z := &s.DNSZones[i]
		sort.Strings(z.Networks)
		sort.Slice(z.Records, func(a, b int) bool {
			if z.Records[a].Name != z.Records[b].Name {
				return z.Records[a].Name < z.Records[b].Name
			}
			return z.Records[a].Type < z.Records[b].Type
		})
	}
	for i := range s.Subnets {
		sort.Strings(s.Subnets[i].UsedBy)
	}
}

// Write encodes the snapshot as indented JSON.
func (s *Snapshot) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// Read decodes a snapshot written by Write, refusing unknown fields and
// other schema versions.
func Read(r io.Reader) (*Snapshot, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("decoding inventory snapshot: %w", err)
	}
	if s.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("inventory snapshot has schemaVersion %q, want %q", s.SchemaVersion, SchemaVersion)
	}
	return &s, nil
}

// Load reads a snapshot file.
func Load(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ResourceVersion is one line of a fingerprint: a resource and the version
// of it that was read.
type ResourceVersion struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// Versions lists every resource of the snapshot with what identifies its
// current version (etag, generation, or the fields a migration depends on),
// sorted by ID. Plans store the subset they touch.
func (s *Snapshot) Versions() []ResourceVersion {
	var out []ResourceVersion
	add := func(id string, parts ...string) {
		out = append(out, ResourceVersion{ID: id, Version: strings.Join(parts, "|")})
	}
	for _, c := range s.Connectors {
		add(c.ID, c.State, c.Network, c.MachineType, strconv.Itoa(c.MinInstances), strconv.Itoa(c.MaxInstances))
	}
	for _, c := range s.Consumers {
		di := ""
		if c.DirectVPC != nil {
			di = c.DirectVPC.Network + "/" + c.DirectVPC.Subnetwork + "/" + strings.Join(c.DirectVPC.Tags, ",")
		}
		add(c.ID, c.Etag, strconv.FormatInt(c.Generation, 10), c.Connector, c.Egress, di)
	}
	for _, n := range s.Subnets {
		add(n.ID, n.Fingerprint, strconv.FormatBool(n.PrivateIPGoogleAccess), n.IPCIDRRange)
	}
	for _, r := range s.Routes {
		add(r.ID, r.DestRange, r.NextHopGateway)
	}
	for _, n := range s.NATs {
		add(n.ID, n.SourceSubnetworkIPRangesToNat, strings.Join(n.Subnetworks, ","))
	}
	for _, z := range s.DNSZones {
		var recs []string
		for _, r := range z.Records {
			recs = append(recs, r.Name+" "+r.Type+" "+strings.Join(r.RRDatas, ","))
		}
		add(z.ID, z.DNSName, z.Visibility, strings.Join(z.Networks, ","), strings.Join(recs, ";"))
	}
	for _, p := range s.ResponsePolicies {
		var rules []string
		for _, r := range p.Rules {
			rules = append(rules, r.DNSName)
		}
		add(p.ID, strings.Join(p.Networks, ","), strings.Join(rules, ","))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Fingerprint hashes a list of resource versions: equal lists, equal
// fingerprints.
func Fingerprint(vs []ResourceVersion) string {
	h := sha256.New()
	for _, v := range vs {
		fmt.Fprintf(h, "%s\x00%s\n", v.ID, v.Version)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:32]
}

// Fingerprint of the whole snapshot.
func (s *Snapshot) Fingerprint() string { return Fingerprint(s.Versions()) }

// Connector returns the connector with that ID.
func (s *Snapshot) Connector(id string) (*Connector, bool) {
	for i := range s.Connectors {
		if s.Connectors[i].ID == id {
			return &s.Connectors[i], true
		}
	}
	return nil, false
}

// Subnet returns the subnet of a project, region and name.
func (s *Snapshot) Subnet(project, region, name string) (*Subnet, bool) {
	for i := range s.Subnets {
		n := &s.Subnets[i]
		if n.Project == project && n.Region == region && n.Name == name {
			return n, true
		}
	}
	return nil, false
}

// Project returns the project with that ID.
func (s *Snapshot) Project(id string) (*Project, bool) {
	for i := range s.Projects {
		if s.Projects[i].ID == id {
			return &s.Projects[i], true
		}
	}
	return nil, false
}

// ConsumersOf returns the consumers that use a connector, sorted by ID.
func (s *Snapshot) ConsumersOf(connectorID string) []Consumer {
	var out []Consumer
	for _, c := range s.Consumers {
		if c.Connector == connectorID {
			out = append(out, c)
		}
	}
	return out
}
