// Package vpcshift holds what the whole module shares at its root: the
// scenario files in testdata/scenarios, embedded so that `vpcshift --demo`
// works from a single binary on a fresh machine.
package vpcshift

import "embed"

// Scenarios holds testdata/scenarios/*.yaml.
//
//go:embed testdata/scenarios/*.yaml
var Scenarios embed.FS

// DefaultScenario is the scenario `--demo` uses when none is named.
const DefaultScenario = "startup"
