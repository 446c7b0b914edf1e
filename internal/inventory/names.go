package inventory

import "strings"

// LastSegment is the last path segment of a resource name or URL:
// LastSegment("projects/p/regions/r/subnetworks/s") == "s".
func LastSegment(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// NameSegment is the segment after key in a resource name or URL:
// NameSegment("https://…/projects/p/regions/r/subnetworks/s", "regions") == "r".
// It is "" when key is absent.
func NameSegment(name, key string) string {
	parts := strings.Split(name, "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == key {
			return parts[i+1]
		}
	}
	return ""
}
