package gcp

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"google.golang.org/api/iterator"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// Cloud Monitoring metric types vpcshift reads. Sources: Google Cloud
// metrics list (https://cloud.google.com/monitoring/api/metrics_gcp), pages
// for vpcaccess (resource vpc_access_connector, labels location,
// connector_name), router (resource nat_gateway, labels region, router_id,
// gateway_name) and run (resource cloud_run_revision, labels location,
// service_name, revision_name).
const (
	MetricConnectorInstances = "vpcaccess.googleapis.com/connector/instances"
	MetricConnectorSent      = "vpcaccess.googleapis.com/connector/sent_bytes_count"
	MetricConnectorReceived  = "vpcaccess.googleapis.com/connector/received_bytes_count"
	MetricNATSent            = "router.googleapis.com/nat/sent_bytes_count"
	MetricNATReceived        = "router.googleapis.com/nat/received_bytes_count"
	MetricRunInstances       = "run.googleapis.com/container/instance_count"
	MetricRunSentBytes       = "run.googleapis.com/container/network/sent_bytes_count"
	MetricRunRequests        = "run.googleapis.com/request_count"
)

// series is one aggregated time series: its grouping labels and value.
type series struct {
	labels map[string]string
	value  float64
}

// aggregate asks Monitoring for one value per group over the window.
func (col *collector) aggregate(ctx context.Context, project, metric, resourceType string, aligner monitoringpb.Aggregation_Aligner, reducer monitoringpb.Aggregation_Reducer, groupBy []string, window time.Duration) ([]series, error) {
	return col.query(ctx, project, "usage: "+metric, fmt.Sprintf(`metric.type = %q AND resource.type = %q`, metric, resourceType), aligner, reducer, groupBy, window)
}

// aggregateFilter sums a DELTA metric per group over the window.
func (col *collector) aggregateFilter(ctx context.Context, project, filter string, window time.Duration, groupBy []string) ([]series, error) {
	return col.query(ctx, project, "usage", filter, monitoringpb.Aggregation_ALIGN_SUM, monitoringpb.Aggregation_REDUCE_SUM, groupBy, window)
}

func (col *collector) query(ctx context.Context, project, what, filter string, aligner monitoringpb.Aggregation_Aligner, reducer monitoringpb.Aggregation_Reducer, groupBy []string, window time.Duration) ([]series, error) {
	var out []series
	end := col.opts.Now
	err := col.call(ctx, project, apiMonitoring, what, func(ctx context.Context) (int, error) {
		out = out[:0]
		it := col.c.Metrics.ListTimeSeries(ctx, &monitoringpb.ListTimeSeriesRequest{
			Name:   "projects/" + project,
			Filter: filter,
			Interval: &monitoringpb.TimeInterval{
				StartTime: timestamppb.New(end.Add(-window)),
				EndTime:   timestamppb.New(end),
			},
			Aggregation: &monitoringpb.Aggregation{
				AlignmentPeriod:    durationpb.New(window),
				PerSeriesAligner:   aligner,
				CrossSeriesReducer: reducer,
				GroupByFields:      groupBy,
			},
			View: monitoringpb.ListTimeSeriesRequest_FULL,
		})
		for {
			ts, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return len(out), err
			}
			s := series{labels: map[string]string{}}
			for k, v := range ts.GetResource().GetLabels() {
				s.labels["resource.labels."+k] = v
			}
			for k, v := range ts.GetMetric().GetLabels() {
				s.labels["metric.labels."+k] = v
			}
			for _, p := range ts.GetPoints() {
				v := p.GetValue()
				var f float64
				switch {
				case v.GetInt64Value() != 0:
					f = float64(v.GetInt64Value())
				default:
					f = v.GetDoubleValue()
				}
				if f > s.value {
					s.value = f
				}
			}
			out = append(out, s)
		}
		return len(out), nil
	})
	return out, err
}

// usage reads the project's usage figures and attaches them.
func (col *collector) usage(ctx context.Context, project string) {
	col.mu.Lock()
	has := false
	for _, c := range col.snap.Connectors {
		has = has || c.Project == project
	}
	for _, n := range col.snap.NATs {
		has = has || n.Project == project
	}
	for _, c := range col.snap.Consumers {
		has = has || c.Project == project && (c.Connector != "" || c.DirectVPC != nil)
	}
	col.mu.Unlock()
	if !has {
		return
	}
	w := col.opts.UsageWindow
	const (
		max  = monitoringpb.Aggregation_ALIGN_MAX
		sum  = monitoringpb.Aggregation_ALIGN_SUM
		rMax = monitoringpb.Aggregation_REDUCE_MAX
		rSum = monitoringpb.Aggregation_REDUCE_SUM
	)
	connGroup := []string{"resource.labels.location", "resource.labels.connector_name"}
	natGroup := []string{"resource.labels.region", "resource.labels.router_id", "resource.labels.gateway_name"}
	runGroup := []string{"resource.labels.location", "resource.labels.service_name"}

	type result struct {
		s   []series
		err error
	}
	queries := []struct {
		metric, resource string
		aligner          monitoringpb.Aggregation_Aligner
		reducer          monitoringpb.Aggregation_Reducer
		group            []string
		window           time.Duration
	}{
		{MetricConnectorInstances, "vpc_access_connector", max, rMax, connGroup, w},
		{MetricConnectorInstances, "vpc_access_connector", max, rMax, connGroup, 48 * time.Hour},
		{MetricConnectorSent, "vpc_access_connector", sum, rSum, connGroup, w},
		{MetricConnectorReceived, "vpc_access_connector", sum, rSum, connGroup, w},
		{MetricNATSent, "nat_gateway", sum, rSum, natGroup, w},
		{MetricNATReceived, "nat_gateway", sum, rSum, natGroup, w},
		// Peak instances: the per-revision maxima summed per service (an
		// upper bound: safe for subnet sizing).
		{MetricRunInstances, "cloud_run_revision", max, rSum, runGroup, w},
		{MetricRunSentBytes, "cloud_run_revision", sum, rSum, runGroup, w},
	}
	results := make([]result, len(queries))
	done := make(chan int, len(queries))
	for i, q := range queries {
		go func() {
			s, err := col.aggregate(ctx, project, q.metric, q.resource, q.aligner, q.reducer, q.group, q.window)
			results[i] = result{s, err}
			done <- i
		}()
	}
	for range queries {
		<-done
	}
	key := func(s series, a, b string) string { return s.labels[a] + "/" + s.labels[b] }
	col.mu.Lock()
	defer col.mu.Unlock()
	snap := col.snap
	conn := map[string]*inventory.Connector{}
	for i := range snap.Connectors {
		c := &snap.Connectors[i]
		if c.Project == project {
			conn[c.Region+"/"+c.Name] = c
		}
	}
	connUsage := func(c *inventory.Connector) *inventory.ConnectorUsage {
		if c.Usage == nil {
			c.Usage = &inventory.ConnectorUsage{Metric: MetricConnectorInstances}
		}
		return c.Usage
	}
	if results[0].err == nil {
		for _, s := range results[0].s {
			if c := conn[key(s, "resource.labels.location", "resource.labels.connector_name")]; c != nil {
				connUsage(c).MaxInstances = int(s.value)
			}
		}
	}
	if results[1].err == nil {
		for _, s := range results[1].s {
			if c := conn[key(s, "resource.labels.location", "resource.labels.connector_name")]; c != nil {
				connUsage(c).LastInstances = int(s.value)
			}
		}
	}
	for qi, sent := range map[int]bool{2: true, 3: false} {
		if results[qi].err != nil {
			continue
		}
		for _, s := range results[qi].s {
			if c := conn[key(s, "resource.labels.location", "resource.labels.connector_name")]; c != nil {
				if sent {
					connUsage(c).BytesSent = int64(s.value)
				} else {
					connUsage(c).BytesReceived = int64(s.value)
				}
			}
		}
	}
	nats := map[string]*inventory.NAT{}
	for i := range snap.NATs {
		n := &snap.NATs[i]
		if n.Project == project {
			nats[n.Region+"/"+n.Router+"/"+n.Name] = n
		}
	}
	for qi, sent := range map[int]bool{4: true, 5: false} {
		if results[qi].err != nil {
			continue
		}
		for _, s := range results[qi].s {
			k := s.labels["resource.labels.region"] + "/" + s.labels["resource.labels.router_id"] + "/" + s.labels["resource.labels.gateway_name"]
			if n := nats[k]; n != nil {
				if n.Usage == nil {
					n.Usage = &inventory.NATUsage{}
				}
				if sent {
					n.Usage.BytesSent = int64(s.value)
				} else {
					n.Usage.BytesReceived = int64(s.value)
				}
			}
		}
	}
	// Cloud Run usage goes to services, and to gen2 functions through their
	// underlying service.
	byService := map[string][]*inventory.Consumer{}
	for i := range snap.Consumers {
		c := &snap.Consumers[i]
		if c.Project != project {
			continue
		}
		switch {
		case c.Kind == inventory.KindService:
			byService[c.Region+"/"+c.Name] = append(byService[c.Region+"/"+c.Name], c)
		case c.Kind == inventory.KindFunction && c.UnderlyingService != "":
			k := c.Region + "/" + inventory.LastSegment(c.UnderlyingService)
			byService[k] = append(byService[k], c)
		}
	}
	for qi, peak := range map[int]bool{6: true, 7: false} {
		if results[qi].err != nil {
			continue
		}
		for _, s := range results[qi].s {
			for _, c := range byService[key(s, "resource.labels.location", "resource.labels.service_name")] {
				if c.Usage == nil {
					c.Usage = &inventory.ConsumerUsage{}
				}
				if peak {
					c.Usage.PeakInstances = int(s.value)
				} else {
					c.Usage.EgressBytes = int64(s.value)
				}
			}
		}
	}
}

// resolveProjectNumbers normalises names that use project numbers, drops
// the Cloud Run services behind gen2 functions (the function is the
// consumer), links callers to callees and records what uses each subnet.
func (col *collector) resolveProjectNumbers() {
	snap := col.snap
	norm := func(name string) string {
		parts := strings.Split(name, "/")
		if len(parts) > 1 && parts[0] == "projects" {
			if id, ok := col.numbers[parts[1]]; ok {
				parts[1] = id
			}
		}
		return strings.Join(parts, "/")
	}
	behindFunction := map[string]bool{}
	for _, c := range snap.Consumers {
		if c.Kind == inventory.KindFunction && c.UnderlyingService != "" {
			behindFunction[norm(c.UnderlyingService)] = true
		}
	}
	kept := snap.Consumers[:0]
	for _, c := range snap.Consumers {
		if c.Kind == inventory.KindService && behindFunction[c.ID] {
			continue
		}
		if c.Connector != "" {
			c.Connector = norm(c.Connector)
		}
		kept = append(kept, c)
	}
	snap.Consumers = kept
	for i := range snap.Connectors {
		for j, p := range snap.Connectors[i].ConnectedProjects {
			if id, ok := col.numbers[p]; ok {
				snap.Connectors[i].ConnectedProjects[j] = id
			}
		}
	}
	byURL := map[string]string{}
	for _, c := range snap.Consumers {
		if c.URI != "" {
			byURL[strings.TrimSuffix(c.URI, "/")] = c.ID
		}
	}
	for i := range snap.Consumers {
		c := &snap.Consumers[i]
		seen := map[string]bool{}
		for _, u := range c.CallURLs {
			if id, ok := byURL[u]; ok && id != c.ID && !seen[id] {
				seen[id] = true
				c.Calls = append(c.Calls, id)
			}
		}
	}
	subnet := map[string]*inventory.Subnet{}
	for i := range snap.Subnets {
		s := &snap.Subnets[i]
		subnet[s.Project+"/"+s.Region+"/"+s.Name] = s
	}
	for _, c := range snap.Connectors {
		if s := subnet[c.SubnetProject+"/"+c.Region+"/"+c.Subnet]; s != nil {
			s.UsedBy = append(s.UsedBy, c.ID)
		}
	}
	for _, c := range snap.Consumers {
		if c.DirectVPC == nil {
			continue
		}
		sp, sr, sn := SubnetRef(c.DirectVPC.Subnetwork, c.Project, c.Region)
		if s := subnet[sp+"/"+sr+"/"+sn]; s != nil {
			s.UsedBy = append(s.UsedBy, c.ID)
		} else if host := col.hostOf(c.Project); host != "" {
			if s := subnet[host+"/"+sr+"/"+sn]; s != nil {
				s.UsedBy = append(s.UsedBy, c.ID)
			}
		}
	}
}

func (col *collector) hostOf(project string) string {
	for _, p := range col.snap.Projects {
		if p.ID == project {
			return p.SharedVPCHost
		}
	}
	return ""
}

// SubnetRef splits a subnetwork reference — a name, a
// projects/P/regions/R/subnetworks/S path or a full URL — into project,
// region and name, defaulting to the given project and region.
func SubnetRef(ref, project, region string) (string, string, string) {
	p, r := inventory.NameSegment(ref, "projects"), inventory.NameSegment(ref, "regions")
	if p == "" {
		p = project
	}
	if r == "" {
		r = region
	}
	return p, r, inventory.LastSegment(ref)
}
