package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/vpcshift/vpcshift/analyzer"
	"github.com/vpcshift/vpcshift/internal/inventory"
)

// analysis is one run of the whole pipeline: a session, its inventory and
// the report made from it. Close the session when done.
type analysis struct {
	s    *session
	snap *inventory.Snapshot
	rep  *analyzer.Report
}

// analyzerOptions are the analysis options the flags ask for.
func (o *globalOpts) analyzerOptions() analyzer.Options {
	return analyzer.Options{Now: o.env.Now(), SubnetOverrides: o.subnetOverrides(), DNSQueriesPerZoneMonth: o.dnsQueries}
}

// subnetOverrides turns --subnet REGION=NAME flags into a map.
func (o *globalOpts) subnetOverrides() map[string]string {
	if len(o.subnets) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, s := range o.subnets {
		k, v, _ := strings.Cut(s, "=")
		m[k] = v
	}
	return m
}

// analyze connects, inventories and analyses. Price warnings (live prices
// the Catalog lacked) are printed to stderr; the report names the
// resources they leave unpriced.
func (o *globalOpts) analyze(ctx context.Context) (*analysis, error) {
	s, err := o.connect(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := o.collect(ctx, s)
	if err != nil {
		s.Close()
		return nil, err
	}
	book, warnings, err := o.priceBook(ctx, s)
	if err != nil {
		s.Close()
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintf(o.env.Err, "vpcshift: warning: %v\n", w)
	}
	rep := analyzer.Analyze(snap, book, o.analyzerOptions())
	return &analysis{s: s, snap: snap, rep: rep}, nil
}
