package inventory

import "testing"

func TestNameSegments(t *testing.T) {
	url := "https://www.googleapis.com/compute/v1/projects/p1/regions/us-central1/subnetworks/app"
	if got := LastSegment(url); got != "app" {
		t.Errorf("LastSegment = %q", got)
	}
	if got := NameSegment(url, "projects"); got != "p1" {
		t.Errorf("projects = %q", got)
	}
	if got := NameSegment(url, "regions"); got != "us-central1" {
		t.Errorf("regions = %q", got)
	}
	if got := NameSegment(url, "zones"); got != "" {
		t.Errorf("zones = %q", got)
	}
	if got := LastSegment("plain"); got != "plain" {
		t.Errorf("LastSegment(plain) = %q", got)
	}
}
