package emulator

// Cloud Monitoring API v3 (google.monitoring.v3.MetricService):
// ListTimeSeries over each project's timeSeries.
//
// Metrics vpcshift reads (the emulator's tests use exactly these types):
//
//   Serverless VPC Access connector: monitored resource vpc_access_connector,
//   resource labels project_id, location, connector_name.
//     vpcaccess.googleapis.com/connector/instances             GAUGE INT64     "Active instances"
//     vpcaccess.googleapis.com/connector/sent_bytes_count      DELTA INT64 By  "Bytes sent delta"
//     vpcaccess.googleapis.com/connector/received_bytes_count  DELTA INT64 By  "Bytes received delta"
//   Sources: the GCP metric ids and display names as listed by Dynatrace's
//   Google Cloud VPC integration page
//   (docs.dynatrace.com/managed/ingest-from/google-cloud-platform/gcp-integrations/
//   gcp-supported-service-metrics-new/gcp-virtual-private-cloud-monitoring), and
//   public alert policies and dashboards filtering
//   resource.type="vpc_access_connector" and grouping by
//   resource.label.connector_name (3p). The location and project_id resource
//   labels follow every regional monitored resource; not seen verbatim.
//
//   Cloud NAT: monitored resource nat_gateway, resource labels project_id,
//   region, router_id, gateway_name.
//     router.googleapis.com/nat/sent_bytes_count      DELTA INT64 By
//     router.googleapis.com/nat/received_bytes_count  DELTA INT64 By
//   Sources: cloud.google.com/nat/docs/monitoring ("Logs and metrics"; the
//   stored copies end before the metric table) and public scripts and
//   dashboards filtering resource.type="nat_gateway" by
//   resource.labels.router_id, gateway_name and region (3p). Pitfall noted
//   in public code: there is no metric.labels.nat_gateway_name; the gateway
//   is the resource label gateway_name. The metric label ip_protocol is
//   UNCONFIRMED.
//
//   Cloud Run: monitored resource cloud_run_revision, resource labels
//   project_id, service_name, revision_name, configuration_name, location.
//     run.googleapis.com/container/instance_count            GAUGE INT64     metric label state (active, idle)
//     run.googleapis.com/container/network/sent_bytes_count  DELTA INT64 By  metric label kind (e.g. internet)
//   Sources: gcp-facts.md §4.1 (best practices: "multiply
//   run.googleapis.com/container/instance_count by 2"), public code reading
//   instance_count with metric.labels.state="active" and sent_bytes_count
//   with metric.labels.kind="internet" (3p).
//
// Supported:
//   - name projects/P (ID or number); an unknown project answers
//     PERMISSION_DENIED. The permission monitoring.timeSeries.list is gated
//     like every call (that is how scenarios deny it).
//   - filter: clauses joined by AND (or by juxtaposition), each
//     [NOT] FIELD (= | != | :) VALUE, where FIELD is metric.type,
//     resource.type, metric.labels.K / metric.label.K,
//     resource.labels.K / resource.label.K or project, and VALUE a quoted
//     string or starts_with("x"), ends_with("x"), has_substring("x"),
//     one_of("x", "y"). OR is refused with INVALID_ARGUMENT. A metric type
//     is required, as in Cloud Monitoring.
//   - interval: points whose end time lies in (start, end]; without a start
//     (or start = end), points ending exactly at end.
//   - view FULL or HEADERS (series without points).
//   - aggregation: alignment_period (≥ 60 s, required with an aligner) and
//     per_series_aligner ALIGN_NONE, ALIGN_MAX, ALIGN_MIN, ALIGN_MEAN,
//     ALIGN_SUM, ALIGN_COUNT, ALIGN_DELTA (the sum of the points: scenario
//     data is DELTA, or CUMULATIVE written as deltas) and ALIGN_RATE (that
//     sum ÷ the period in seconds). Periods end at the interval's end:
//     (end-P, end], (end-2P, end-P], …; a period without points yields no
//     point. cross_series_reducer REDUCE_SUM, REDUCE_MAX, REDUCE_MIN,
//     REDUCE_MEAN, REDUCE_COUNT with group_by_fields; the reduced series
//     keep only the grouped labels (and resource.labels.project_id).
//     secondary_aggregation and order_by are ignored.
//   - int64 and double values; points are returned newest first.
//   - paging by series: page_size (default 100000) and page_token.

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	metricpb "google.golang.org/genproto/googleapis/api/metric"
	"google.golang.org/genproto/googleapis/api/monitoredres"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const methodListTimeSeries = "google.monitoring.v3.MetricService/ListTimeSeries"

func init() {
	grpcRegistrars = append(grpcRegistrars, func(s *Server, g *grpc.Server) {
		monitoringpb.RegisterMetricServiceServer(g, &metricServer{s: s})
	})
	addSpecs("monitoring.googleapis.com", map[string]string{
		methodListTimeSeries: "monitoring.timeSeries.list",
	})
}

type metricServer struct {
	monitoringpb.UnimplementedMetricServiceServer
	s *Server
}

// --- filter ----------------------------------------------------------------

type monClause struct {
	field  string   // normalised: metric.type, resource.type, metric.labels.K, resource.labels.K, project
	op     string   // "=", "!=", ":"
	fn     string   // "" (literal), starts_with, ends_with, has_substring, one_of
	values []string // the literal or the function's arguments
	not    bool
}

type monFilter []monClause

type monToken struct {
	kind string // "ident", "string", "op", "(", ")", ","
	text string
}

func monLex(f string) ([]monToken, error) {
	var out []monToken
	r := []rune(f)
	for i := 0; i < len(r); {
		c := r[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(r) && r[j] != c; j++ {
				if r[j] == '\\' && j+1 < len(r) {
					j++
				}
				b.WriteRune(r[j])
			}
			if j >= len(r) {
				return nil, fmt.Errorf("unterminated string at position %d", i)
			}
			out = append(out, monToken{"string", b.String()})
			i = j + 1
		case c == '!' && i+1 < len(r) && r[i+1] == '=':
			out = append(out, monToken{"op", "!="})
			i += 2
		case c == '=' || c == ':':
			out = append(out, monToken{"op", string(c)})
			i++
		case c == '(' || c == ')' || c == ',':
			out = append(out, monToken{string(c), string(c)})
			i++
		case unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune("_.-/*", c):
			j := i
			for j < len(r) && (unicode.IsLetter(r[j]) || unicode.IsDigit(r[j]) || strings.ContainsRune("_.-/*", r[j])) {
				j++
			}
			out = append(out, monToken{"ident", string(r[i:j])})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q at position %d", c, i)
		}
	}
	return out, nil
}

// monField maps the accepted spellings of a filter or group-by field.
func monField(f string) (string, bool) {
	switch {
	case f == "metric.type" || f == "resource.type" || f == "project":
		return f, true
	case strings.HasPrefix(f, "metric.labels.") && len(f) > len("metric.labels."):
		return f, true
	case strings.HasPrefix(f, "metric.label.") && len(f) > len("metric.label."):
		return "metric.labels." + strings.TrimPrefix(f, "metric.label."), true
	case strings.HasPrefix(f, "resource.labels.") && len(f) > len("resource.labels."):
		return f, true
	case strings.HasPrefix(f, "resource.label.") && len(f) > len("resource.label."):
		return "resource.labels." + strings.TrimPrefix(f, "resource.label."), true
	}
	return "", false
}

func monParseFilter(f string) (monFilter, error) {
	toks, err := monLex(f)
	if err != nil {
		return nil, err
	}
	var out monFilter
	i := 0
	next := func() (monToken, bool) {
		if i >= len(toks) {
			return monToken{}, false
		}
		i++
		return toks[i-1], true
	}
	for i < len(toks) {
		t, _ := next()
		if t.kind == "ident" && t.text == "AND" && len(out) > 0 {
			t, _ = next()
		}
		if t.kind == "ident" && t.text == "OR" {
			return nil, fmt.Errorf("OR is not supported by the emulator")
		}
		var c monClause
		if t.kind == "ident" && t.text == "NOT" {
			c.not = true
			t, _ = next()
		}
		if t.kind != "ident" {
			return nil, fmt.Errorf("expected a field name, got %q", t.text)
		}
		field, ok := monField(t.text)
		if !ok {
			return nil, fmt.Errorf("unsupported field %q", t.text)
		}
		c.field = field
		op, ok := next()
		if !ok || op.kind != "op" {
			return nil, fmt.Errorf("expected =, != or : after %q", t.text)
		}
		c.op = op.text
		v, ok := next()
		switch {
		case !ok:
			return nil, fmt.Errorf("missing value after %s %s", t.text, op.text)
		case v.kind == "string":
			c.values = []string{v.text}
		case v.kind == "ident" && i < len(toks) && toks[i].kind == "(":
			switch v.text {
			case "starts_with", "ends_with", "has_substring", "one_of":
			default:
				return nil, fmt.Errorf("unsupported function %q", v.text)
			}
			c.fn = v.text
			next() // "("
			for {
				a, ok := next()
				if !ok {
					return nil, fmt.Errorf("unterminated %s(", v.text)
				}
				if a.kind == ")" {
					break
				}
				if a.kind == "," {
					continue
				}
				if a.kind != "string" {
					return nil, fmt.Errorf("%s takes quoted strings", v.text)
				}
				c.values = append(c.values, a.text)
			}
			if len(c.values) == 0 || c.fn != "one_of" && len(c.values) != 1 {
				return nil, fmt.Errorf("wrong number of arguments to %s", c.fn)
			}
		case v.kind == "ident":
			c.values = []string{v.text}
		default:
			return nil, fmt.Errorf("expected a value after %s %s", t.text, op.text)
		}
		out = append(out, c)
	}
	return out, nil
}

// monSeriesField reads a normalised field of a series.
func monSeriesField(ts *monitoringpb.TimeSeries, field string) (string, bool) {
	switch {
	case field == "metric.type":
		return ts.GetMetric().GetType(), true
	case field == "resource.type":
		return ts.GetResource().GetType(), true
	case strings.HasPrefix(field, "metric.labels."):
		v, ok := ts.GetMetric().GetLabels()[strings.TrimPrefix(field, "metric.labels.")]
		return v, ok
	case strings.HasPrefix(field, "resource.labels."):
		v, ok := ts.GetResource().GetLabels()[strings.TrimPrefix(field, "resource.labels.")]
		return v, ok
	}
	return "", false
}

func (c monClause) match(ts *monitoringpb.TimeSeries, projectID, projectNumber string) bool {
	var got []string
	present := true
	if c.field == "project" {
		got = []string{projectID, projectNumber}
	} else {
		v, ok := monSeriesField(ts, c.field)
		got, present = []string{v}, ok
	}
	m := false
	for _, g := range got {
		if present && c.matchValue(g) {
			m = true
		}
	}
	if c.op == "!=" {
		m = !m
	}
	if c.not {
		m = !m
	}
	return m
}

func (c monClause) matchValue(v string) bool {
	switch c.fn {
	case "starts_with":
		return strings.HasPrefix(v, c.values[0])
	case "ends_with":
		return strings.HasSuffix(v, c.values[0])
	case "has_substring":
		return strings.Contains(v, c.values[0])
	case "one_of":
		return slices.Contains(c.values, v)
	}
	if c.op == ":" {
		return strings.Contains(v, c.values[0])
	}
	return v == c.values[0]
}

func (f monFilter) match(ts *monitoringpb.TimeSeries, projectID, projectNumber string) bool {
	for _, c := range f {
		if !c.match(ts, projectID, projectNumber) {
			return false
		}
	}
	return true
}

func (f monFilter) hasMetricType() bool {
	for _, c := range f {
		if c.field == "metric.type" && !c.not && c.op != "!=" {
			return true
		}
	}
	return false
}

// --- values ------------------------------------------------------------------

// monNum is a numeric point value; isInt keeps int64 exact.
type monNum struct {
	i     int64
	f     float64
	isInt bool
}

func monNumOf(v *monitoringpb.TypedValue) (monNum, bool) {
	switch x := v.GetValue().(type) {
	case *monitoringpb.TypedValue_Int64Value:
		return monNum{i: x.Int64Value, f: float64(x.Int64Value), isInt: true}, true
	case *monitoringpb.TypedValue_DoubleValue:
		return monNum{f: x.DoubleValue}, true
	}
	return monNum{}, false
}

func monInt(i int64) monNum     { return monNum{i: i, f: float64(i), isInt: true} }
func monFloat(f float64) monNum { return monNum{f: f} }

func (n monNum) typed() *monitoringpb.TypedValue {
	if n.isInt {
		return &monitoringpb.TypedValue{Value: &monitoringpb.TypedValue_Int64Value{Int64Value: n.i}}
	}
	return &monitoringpb.TypedValue{Value: &monitoringpb.TypedValue_DoubleValue{DoubleValue: n.f}}
}

func monAllInt(ns []monNum) bool {
	for _, n := range ns {
		if !n.isInt {
			return false
		}
	}
	return true
}

func monSum(ns []monNum) monNum {
	if monAllInt(ns) {
		var s int64
		for _, n := range ns {
			s += n.i
		}
		return monInt(s)
	}
	var s float64
	for _, n := range ns {
		s += n.f
	}
	return monFloat(s)
}

func monExtreme(ns []monNum, max bool) monNum {
	best := ns[0]
	for _, n := range ns[1:] {
		if max && n.f > best.f || !max && n.f < best.f {
			best = n
		}
	}
	if !monAllInt(ns) {
		return monFloat(best.f)
	}
	return best
}

func monMean(ns []monNum) monNum { return monFloat(monSum(ns).f / float64(len(ns))) }

func monValueType(n monNum) metricpb.MetricDescriptor_ValueType {
	if n.isInt {
		return metricpb.MetricDescriptor_INT64
	}
	return metricpb.MetricDescriptor_DOUBLE
}

// --- aggregation ---------------------------------------------------------------

// monAligned is one series after per-series alignment: a value per period
// index (0 = the period ending at the interval end).
type monAligned struct {
	ts     *monitoringpb.TimeSeries // header (no points)
	values map[int]monNum
}

func monAlign(ts *monitoringpb.TimeSeries, pts []*monitoringpb.Point, end time.Time, period time.Duration, aligner monitoringpb.Aggregation_Aligner) (monAligned, error) {
	buckets := map[int][]monNum{}
	for _, pt := range pts {
		n, ok := monNumOf(pt.GetValue())
		if !ok {
			return monAligned{}, fmt.Errorf("the aligner %s needs int64 or double values; %s has %s", aligner, ts.GetMetric().GetType(), ts.GetValueType())
		}
		// Period k is (end-(k+1)P, end-kP], i.e. end-t in [kP, (k+1)P).
		k := int(end.Sub(pt.GetInterval().GetEndTime().AsTime()) / period)
		buckets[k] = append(buckets[k], n)
	}
	out := monAligned{ts: monHeader(ts), values: map[int]monNum{}}
	for k, ns := range buckets {
		var v monNum
		switch aligner {
		case monitoringpb.Aggregation_ALIGN_MAX:
			v = monExtreme(ns, true)
		case monitoringpb.Aggregation_ALIGN_MIN:
			v = monExtreme(ns, false)
		case monitoringpb.Aggregation_ALIGN_MEAN:
			v = monMean(ns)
		case monitoringpb.Aggregation_ALIGN_SUM, monitoringpb.Aggregation_ALIGN_DELTA:
			v = monSum(ns)
		case monitoringpb.Aggregation_ALIGN_COUNT:
			v = monInt(int64(len(ns)))
		case monitoringpb.Aggregation_ALIGN_RATE:
			v = monFloat(monSum(ns).f / period.Seconds())
		}
		out.values[k] = v
	}
	// Kind, type and unit of the aligned series.
	kind := metricpb.MetricDescriptor_GAUGE
	switch aligner {
	case monitoringpb.Aggregation_ALIGN_DELTA:
		kind = metricpb.MetricDescriptor_DELTA
	case monitoringpb.Aggregation_ALIGN_SUM:
		if ts.GetMetricKind() != metricpb.MetricDescriptor_GAUGE {
			kind = metricpb.MetricDescriptor_DELTA
		}
	case monitoringpb.Aggregation_ALIGN_RATE:
		if ts.GetUnit() != "" {
			out.ts.Unit = ts.GetUnit() + "/s"
		}
	case monitoringpb.Aggregation_ALIGN_COUNT:
		out.ts.Unit = "1"
	}
	out.ts.MetricKind = kind
	for _, v := range out.values {
		out.ts.ValueType = monValueType(v)
		break
	}
	return out, nil
}

// monHeader is a copy of a series without its points.
func monHeader(ts *monitoringpb.TimeSeries) *monitoringpb.TimeSeries {
	h := cloneProto(ts)
	h.Points = nil
	return h
}

// monAlignedPoints renders an aligned series' values as points, newest first.
func monAlignedPoints(values map[int]monNum, kind metricpb.MetricDescriptor_MetricKind, end time.Time, period time.Duration) []*monitoringpb.Point {
	ks := make([]int, 0, len(values))
	for k := range values {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	out := make([]*monitoringpb.Point, 0, len(ks))
	for _, k := range ks {
		e := end.Add(-time.Duration(k) * period)
		iv := &monitoringpb.TimeInterval{EndTime: timestamppb.New(e)}
		if kind == metricpb.MetricDescriptor_DELTA || kind == metricpb.MetricDescriptor_CUMULATIVE {
			iv.StartTime = timestamppb.New(e.Add(-period))
		} else {
			iv.StartTime = timestamppb.New(e)
		}
		out = append(out, &monitoringpb.Point{Interval: iv, Value: values[k].typed()})
	}
	return out
}

// monReduce combines aligned series across the groups group_by_fields make.
func monReduce(series []monAligned, reducer monitoringpb.Aggregation_Reducer, groupBy []string) []monAligned {
	type group struct {
		key     string
		members []monAligned
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, a := range series {
		var parts []string
		for _, f := range groupBy {
			v, _ := monSeriesField(a.ts, f)
			parts = append(parts, f+"="+v)
		}
		key := strings.Join(parts, "\x00")
		g := byKey[key]
		if g == nil {
			g = &group{key: key}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.members = append(g.members, a)
	}
	var out []monAligned
	for _, g := range groups {
		first := g.members[0].ts
		h := &monitoringpb.TimeSeries{
			Metric:     &metricpb.Metric{Type: first.GetMetric().GetType()},
			Resource:   &monitoredres.MonitoredResource{Type: first.GetResource().GetType()},
			MetricKind: first.GetMetricKind(),
			Unit:       first.GetUnit(),
		}
		for _, m := range g.members[1:] {
			if m.ts.GetResource().GetType() != h.Resource.Type {
				h.Resource.Type = ""
			}
		}
		setLabel := func(field string) {
			v, ok := monSeriesField(first, field)
			if !ok {
				return
			}
			switch {
			case strings.HasPrefix(field, "metric.labels."):
				if h.Metric.Labels == nil {
					h.Metric.Labels = map[string]string{}
				}
				h.Metric.Labels[strings.TrimPrefix(field, "metric.labels.")] = v
			case strings.HasPrefix(field, "resource.labels."):
				if h.Resource.Labels == nil {
					h.Resource.Labels = map[string]string{}
				}
				h.Resource.Labels[strings.TrimPrefix(field, "resource.labels.")] = v
			}
		}
		for _, f := range groupBy {
			setLabel(f)
		}
		if p, ok := first.GetResource().GetLabels()["project_id"]; ok {
			same := true
			for _, m := range g.members {
				if m.ts.GetResource().GetLabels()["project_id"] != p {
					same = false
				}
			}
			if same {
				setLabel("resource.labels.project_id")
			}
		}
		byPeriod := map[int][]monNum{}
		for _, m := range g.members {
			for k, v := range m.values {
				byPeriod[k] = append(byPeriod[k], v)
			}
		}
		r := monAligned{ts: h, values: map[int]monNum{}}
		for k, ns := range byPeriod {
			switch reducer {
			case monitoringpb.Aggregation_REDUCE_SUM:
				r.values[k] = monSum(ns)
			case monitoringpb.Aggregation_REDUCE_MAX:
				r.values[k] = monExtreme(ns, true)
			case monitoringpb.Aggregation_REDUCE_MIN:
				r.values[k] = monExtreme(ns, false)
			case monitoringpb.Aggregation_REDUCE_MEAN:
				r.values[k] = monMean(ns)
			case monitoringpb.Aggregation_REDUCE_COUNT:
				r.values[k] = monInt(int64(len(ns)))
			}
			h.ValueType = monValueType(r.values[k])
		}
		out = append(out, r)
	}
	return out
}

// monSeriesKey orders series deterministically.
func monSeriesKey(ts *monitoringpb.TimeSeries) string {
	var b strings.Builder
	b.WriteString(ts.GetMetric().GetType())
	for _, k := range sortedKeys(ts.GetMetric().GetLabels()) {
		b.WriteString("\x00m." + k + "=" + ts.GetMetric().GetLabels()[k])
	}
	b.WriteString("\x01" + ts.GetResource().GetType())
	for _, k := range sortedKeys(ts.GetResource().GetLabels()) {
		b.WriteString("\x00r." + k + "=" + ts.GetResource().GetLabels()[k])
	}
	return b.String()
}

// --- the RPC -------------------------------------------------------------------

var monAligners = map[monitoringpb.Aggregation_Aligner]bool{
	monitoringpb.Aggregation_ALIGN_NONE: true, monitoringpb.Aggregation_ALIGN_MAX: true,
	monitoringpb.Aggregation_ALIGN_MIN: true, monitoringpb.Aggregation_ALIGN_MEAN: true,
	monitoringpb.Aggregation_ALIGN_SUM: true, monitoringpb.Aggregation_ALIGN_DELTA: true,
	monitoringpb.Aggregation_ALIGN_RATE: true, monitoringpb.Aggregation_ALIGN_COUNT: true,
}

var monReducers = map[monitoringpb.Aggregation_Reducer]bool{
	monitoringpb.Aggregation_REDUCE_NONE: true, monitoringpb.Aggregation_REDUCE_SUM: true,
	monitoringpb.Aggregation_REDUCE_MAX: true, monitoringpb.Aggregation_REDUCE_MIN: true,
	monitoringpb.Aggregation_REDUCE_MEAN: true, monitoringpb.Aggregation_REDUCE_COUNT: true,
}

func (m *metricServer) ListTimeSeries(_ context.Context, req *monitoringpb.ListTimeSeriesRequest) (*monitoringpb.ListTimeSeriesResponse, error) {
	s := m.s
	kind, project, ok := strings.Cut(req.GetName(), "/")
	if !ok || kind != "projects" || project == "" || strings.Contains(project, "/") {
		return nil, invalidArgument("Field name had an invalid value of %q: the emulator supports projects/{project_id_or_number}.", req.GetName()).grpcErr()
	}
	filter, err := monParseFilter(req.GetFilter())
	if err != nil {
		return nil, invalidArgument("Field filter had an invalid value of %q: %v", req.GetFilter(), err).grpcErr()
	}
	if !filter.hasMetricType() {
		return nil, invalidArgument("Field filter had an invalid value of %q: a filter must specify a metric type (metric.type = \"...\").", req.GetFilter()).grpcErr()
	}
	iv := req.GetInterval()
	if iv.GetEndTime() == nil {
		return nil, invalidArgument("Field interval.endTime had an invalid value: an end time is required.").grpcErr()
	}
	end := iv.GetEndTime().AsTime()
	start := end
	if iv.GetStartTime() != nil {
		start = iv.GetStartTime().AsTime()
	}
	if start.After(end) {
		return nil, invalidArgument("Field interval.startTime had an invalid value of %q: the start time must not be later than the end time.", start.Format(time.RFC3339Nano)).grpcErr()
	}
	agg := req.GetAggregation()
	aligner, reducer := agg.GetPerSeriesAligner(), agg.GetCrossSeriesReducer()
	if !monAligners[aligner] {
		return nil, invalidArgument("The aligner %s is not supported by the emulator.", aligner).grpcErr()
	}
	if !monReducers[reducer] {
		return nil, invalidArgument("The reducer %s is not supported by the emulator.", reducer).grpcErr()
	}
	var period time.Duration
	if aligner != monitoringpb.Aggregation_ALIGN_NONE {
		if agg.GetAlignmentPeriod() == nil {
			return nil, invalidArgument("Field aggregation.alignmentPeriod had an invalid value: an alignment period is required with the aligner %s.", aligner).grpcErr()
		}
		period = agg.GetAlignmentPeriod().AsDuration()
		if period < time.Minute {
			return nil, invalidArgument("Field aggregation.alignmentPeriod had an invalid value of \"%v\": the alignment period must be at least 60 seconds.", period).grpcErr()
		}
	}
	if reducer != monitoringpb.Aggregation_REDUCE_NONE && aligner == monitoringpb.Aggregation_ALIGN_NONE {
		return nil, invalidArgument("Field aggregation.crossSeriesReducer had an invalid value of %s: a cross-series reducer requires a per-series aligner.", reducer).grpcErr()
	}
	var groupBy []string
	for _, f := range agg.GetGroupByFields() {
		nf, ok := monField(f)
		if !ok || nf == "project" {
			return nil, invalidArgument("Field aggregation.groupByFields had an invalid value of %q.", f).grpcErr()
		}
		groupBy = append(groupBy, nf)
	}

	inInterval := func(t time.Time) bool {
		if start.Equal(end) {
			return t.Equal(end)
		}
		return t.After(start) && !t.After(end)
	}

	s.mu.Lock()
	p := s.project(project)
	type selected struct {
		ts  *monitoringpb.TimeSeries
		pts []*monitoringpb.Point
	}
	var sel []selected
	if p != nil {
		for _, ts := range p.TimeSeries {
			if !filter.match(ts, p.ProjectID, p.ProjectNumber) {
				continue
			}
			var pts []*monitoringpb.Point
			for _, pt := range ts.GetPoints() {
				if pt.GetInterval().GetEndTime() != nil && inInterval(pt.GetInterval().GetEndTime().AsTime()) {
					pts = append(pts, cloneProto(pt))
				}
			}
			if len(pts) > 0 {
				sel = append(sel, selected{monHeader(ts), pts})
			}
		}
	}
	s.mu.Unlock()
	if p == nil {
		return nil, permissionDenied("monitoring.timeSeries.list", req.GetName()).grpcErr()
	}

	var out []*monitoringpb.TimeSeries
	if aligner == monitoringpb.Aggregation_ALIGN_NONE {
		for _, x := range sel {
			pts := x.pts
			sort.SliceStable(pts, func(i, j int) bool {
				return pts[i].GetInterval().GetEndTime().AsTime().After(pts[j].GetInterval().GetEndTime().AsTime())
			})
			x.ts.Points = pts
			out = append(out, x.ts)
		}
	} else {
		var al []monAligned
		for _, x := range sel {
			k := x.ts.GetMetricKind()
			if k == metricpb.MetricDescriptor_GAUGE && (aligner == monitoringpb.Aggregation_ALIGN_DELTA || aligner == monitoringpb.Aggregation_ALIGN_RATE) {
				return nil, invalidArgument("The aligner %s cannot be applied to %s, whose metric kind is GAUGE.", aligner, x.ts.GetMetric().GetType()).grpcErr()
			}
			a, err := monAlign(x.ts, x.pts, end, period, aligner)
			if err != nil {
				return nil, invalidArgument("%v", err).grpcErr()
			}
			al = append(al, a)
		}
		if reducer != monitoringpb.Aggregation_REDUCE_NONE {
			al = monReduce(al, reducer, groupBy)
		}
		for _, a := range al {
			a.ts.Points = monAlignedPoints(a.values, a.ts.GetMetricKind(), end, period)
			out = append(out, a.ts)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return monSeriesKey(out[i]) < monSeriesKey(out[j]) })
	if req.GetView() == monitoringpb.ListTimeSeriesRequest_HEADERS {
		for _, ts := range out {
			ts.Points = nil
		}
	}
	page, next, err := grpcPage(s, out, req, 100000)
	if err != nil {
		return nil, err
	}
	resp := &monitoringpb.ListTimeSeriesResponse{TimeSeries: page, NextPageToken: next}
	if len(out) > 0 {
		resp.Unit = out[0].GetUnit()
	}
	return resp, nil
}

// --- inspection ----------------------------------------------------------------

// TimeSeries returns copies of a project's stored time series (after the
// scenario's recordedAt shift).
func (s *Server) TimeSeries(project string) []*monitoringpb.TimeSeries {
	return projectCopies(s, project, func(p *Project) []*monitoringpb.TimeSeries { return cloneProtos(p.TimeSeries) }, nil)
}
