package analyzer

import (
	"net/netip"
	"strings"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// privateVIP is private.googleapis.com, which the target's *.run.app.
// records point at (gcp-facts §5).
var privateVIP = netip.MustParsePrefix("199.36.153.8/30")

// projectOf returns the project named in a resource name or URL
// (".../projects/P/..."), or "".
func projectOf(ref string) string {
	i := strings.Index(ref, "projects/")
	if i < 0 {
		return ""
	}
	rest := ref[i+len("projects/"):]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		return rest[:j]
	}
	return rest
}

// regionOf returns the region named in a resource name or URL
// (".../regions/R/..."), or "".
func regionOf(ref string) string {
	i := strings.Index(ref, "regions/")
	if i < 0 {
		return ""
	}
	rest := ref[i+len("regions/"):]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		return rest[:j]
	}
	return rest
}

// parseRef splits a network or subnetwork reference (a name, a relative
// resource name or a URL) into its project (defaultProject when it names
// none) and name.
func parseRef(ref, defaultProject string) (project, name string) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", ""
	}
	project = projectOf(ref)
	if project == "" {
		project = defaultProject
	}
	return project, inventory.LastSegment(ref)
}

// netKey is how the report names a VPC network: "PROJECT/NETWORK".
func netKey(project, network string) string { return project + "/" + network }

// networkID is the Compute resource name of a network key.
func networkID(key string) string {
	project, name, _ := strings.Cut(key, "/")
	return "projects/" + project + "/global/networks/" + name
}

// parseCIDR returns the IPv4 prefix of a range, if valid.
func parseCIDR(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}

// contains reports whether prefix outer covers all of inner.
func contains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// usableIPs is what a subnet of that prefix length offers: the range minus
// the 4 addresses Google reserves in every subnet.
func usableIPs(bits int) int {
	if bits < 0 || bits > 32 {
		return 0
	}
	n := 1 << (32 - bits)
	if n <= 4 {
		return 0
	}
	return n - 4
}

// inVIP reports whether an rrdata is an address of 199.36.153.8/30.
func inVIP(rr string) bool {
	a, err := netip.ParseAddr(strings.TrimSpace(rr))
	return err == nil && privateVIP.Contains(a)
}

// fqdn lower-cases a DNS name and makes sure it ends with a dot.
func fqdn(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// isDefaultInternetGateway reports whether a route's next-hop gateway is the
// default internet gateway (a name or URL ending in it).
func isDefaultInternetGateway(gw string) bool {
	return gw != "" && inventory.LastSegment(gw) == "default-internet-gateway"
}
