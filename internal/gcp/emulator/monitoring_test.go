package emulator

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	monitoring "cloud.google.com/go/monitoring/apiv3/v2"
	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"github.com/googleapis/gax-go/v2/apierror"
	metricpb "google.golang.org/genproto/googleapis/api/metric"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The metric types below are exactly those listed at the top of
// monitoring.go (what vpcshift reads). The clock is fixedNow, 12:00:00Z.
const monitoringScenario = `
projects:
  - projectId: p1
    projectNumber: "111"
    timeSeries:
      # Connector instances (GAUGE): conn-a and conn-b in us-central1.
      - metric: {type: vpcaccess.googleapis.com/connector/instances}
        resource:
          type: vpc_access_connector
          labels: {project_id: p1, location: us-central1, connector_name: conn-a}
        metricKind: GAUGE
        valueType: INT64
        points:
          - {interval: {endTime: "2026-11-25T11:50:00Z"}, value: {int64Value: 100}}  # start is exclusive
          - {interval: {endTime: "2026-11-25T11:51:00Z"}, value: {int64Value: 2}}
          - {interval: {endTime: "2026-11-25T11:53:00Z"}, value: {int64Value: 3}}
          - {interval: {endTime: "2026-11-25T11:56:00Z"}, value: {int64Value: 3}}
          - {interval: {endTime: "2026-11-25T11:59:00Z"}, value: {int64Value: 4}}
      - metric: {type: vpcaccess.googleapis.com/connector/instances}
        resource:
          type: vpc_access_connector
          labels: {project_id: p1, location: us-central1, connector_name: conn-b}
        metricKind: GAUGE
        valueType: INT64
        points:
          - {interval: {endTime: "2026-11-25T11:52:00Z"}, value: {int64Value: 2}}
          - {interval: {endTime: "2026-11-25T11:55:00Z"}, value: {int64Value: 1}}  # ends the older period
          - {interval: {endTime: "2026-11-25T11:57:00Z"}, value: {int64Value: 5}}
          - {interval: {endTime: "2026-11-25T12:00:00Z"}, value: {int64Value: 2}}
      - metric: {type: vpcaccess.googleapis.com/connector/instances}
        resource:
          type: vpc_access_connector
          labels: {project_id: p1, location: europe-west1, connector_name: conn-eu}
        metricKind: GAUGE
        valueType: INT64
        points:
          - {interval: {endTime: "2026-11-25T11:58:00Z"}, value: {int64Value: 7}}
      - metric: {type: vpcaccess.googleapis.com/connector/instances}
        resource:
          type: vpc_access_connector
          labels: {project_id: p1, location: us-central1, connector_name: conn-old}
        metricKind: GAUGE
        valueType: INT64
        points:
          - {interval: {endTime: "2026-11-25T11:40:00Z"}, value: {int64Value: 9}}
      - metric: {type: vpcaccess.googleapis.com/connector/sent_bytes_count}
        resource:
          type: vpc_access_connector
          labels: {project_id: p1, location: us-central1, connector_name: conn-a}
        metricKind: DELTA
        valueType: INT64
        unit: By
        points:
          - {interval: {startTime: "2026-11-25T11:58:00Z", endTime: "2026-11-25T11:59:00Z"}, value: {int64Value: 4096}}
      - metric: {type: vpcaccess.googleapis.com/connector/received_bytes_count}
        resource:
          type: vpc_access_connector
          labels: {project_id: p1, location: us-central1, connector_name: conn-a}
        metricKind: DELTA
        valueType: INT64
        unit: By
        points:
          - {interval: {startTime: "2026-11-25T11:58:00Z", endTime: "2026-11-25T11:59:00Z"}, value: {int64Value: 8192}}
      # Cloud NAT bytes (DELTA).
      - metric:
          type: router.googleapis.com/nat/sent_bytes_count
          labels: {ip_protocol: "6"}
        resource:
          type: nat_gateway
          labels: {project_id: p1, region: us-central1, router_id: "1234567", gateway_name: nat-1}
        metricKind: DELTA
        valueType: INT64
        unit: By
        points:
          - {interval: {startTime: "2026-11-25T11:52:00Z", endTime: "2026-11-25T11:53:00Z"}, value: {int64Value: 3000}}
          - {interval: {startTime: "2026-11-25T11:55:00Z", endTime: "2026-11-25T11:56:00Z"}, value: {int64Value: 600}}
          - {interval: {startTime: "2026-11-25T11:57:00Z", endTime: "2026-11-25T11:58:00Z"}, value: {int64Value: 1200}}
      - metric: {type: router.googleapis.com/nat/received_bytes_count}
        resource:
          type: nat_gateway
          labels: {project_id: p1, region: us-central1, router_id: "1234567", gateway_name: nat-1}
        metricKind: DELTA
        valueType: INT64
        unit: By
        points:
          - {interval: {startTime: "2026-11-25T11:57:00Z", endTime: "2026-11-25T11:58:00Z"}, value: {int64Value: 50}}
      # Cloud Run instances (GAUGE) of two revisions of one service.
      - metric:
          type: run.googleapis.com/container/instance_count
          labels: {state: active}
        resource:
          type: cloud_run_revision
          labels: {project_id: p1, location: us-central1, service_name: api, revision_name: api-00001-abc, configuration_name: api}
        metricKind: GAUGE
        valueType: INT64
        points:
          - {interval: {endTime: "2026-11-25T11:56:00Z"}, value: {int64Value: 1}}
          - {interval: {endTime: "2026-11-25T11:58:00Z"}, value: {int64Value: 2}}
      - metric:
          type: run.googleapis.com/container/instance_count
          labels: {state: active}
        resource:
          type: cloud_run_revision
          labels: {project_id: p1, location: us-central1, service_name: api, revision_name: api-00002-def, configuration_name: api}
        metricKind: GAUGE
        valueType: INT64
        points:
          - {interval: {endTime: "2026-11-25T11:57:00Z"}, value: {int64Value: 3}}
      - metric:
          type: run.googleapis.com/container/instance_count
          labels: {state: idle}
        resource:
          type: cloud_run_revision
          labels: {project_id: p1, location: us-central1, service_name: api, revision_name: api-00002-def, configuration_name: api}
        metricKind: GAUGE
        valueType: INT64
        points:
          - {interval: {endTime: "2026-11-25T11:57:00Z"}, value: {int64Value: 50}}
      # Cloud Run egress (DELTA), double values.
      - metric:
          type: run.googleapis.com/container/network/sent_bytes_count
          labels: {kind: internet}
        resource:
          type: cloud_run_revision
          labels: {project_id: p1, location: us-central1, service_name: api, revision_name: api-00002-def, configuration_name: api}
        metricKind: DELTA
        valueType: DOUBLE
        unit: By
        points:
          - {interval: {startTime: "2026-11-25T11:56:00Z", endTime: "2026-11-25T11:57:00Z"}, value: {doubleValue: 1.5}}
          - {interval: {startTime: "2026-11-25T11:58:00Z", endTime: "2026-11-25T11:59:00Z"}, value: {doubleValue: 2.25}}
  - projectId: p2
    projectNumber: "222"
    deniedPermissions: [monitoring.timeSeries.list]
  - projectId: p3
    projectNumber: "333"
    disabledApis: [monitoring.googleapis.com]
`

const (
	mInstances    = "vpcaccess.googleapis.com/connector/instances"
	mNATSent      = "router.googleapis.com/nat/sent_bytes_count"
	mRunInstances = "run.googleapis.com/container/instance_count"
	mRunSent      = "run.googleapis.com/container/network/sent_bytes_count"
)

func newMetricClient(t *testing.T, srv *Server) *monitoring.MetricClient {
	return newGRPCClient(t, srv, monitoring.NewMetricClient)
}

func listTS(t *testing.T, c *monitoring.MetricClient, req *monitoringpb.ListTimeSeriesRequest) ([]*monitoringpb.TimeSeries, error) {
	return drain(c.ListTimeSeries(testCtx(t), req).Next)
}

// lastMinutes is the interval (now-m, now].
func lastMinutes(m int) *monitoringpb.TimeInterval {
	return &monitoringpb.TimeInterval{
		StartTime: timestamppb.New(fixedNow.Add(-time.Duration(m) * time.Minute)),
		EndTime:   timestamppb.New(fixedNow),
	}
}

// pointsString renders points as "HH:MM=value" newest first.
func pointsString(ts *monitoringpb.TimeSeries) string {
	var parts []string
	for _, p := range ts.GetPoints() {
		v := ""
		switch x := p.GetValue().GetValue().(type) {
		case *monitoringpb.TypedValue_Int64Value:
			v = fmt.Sprint(x.Int64Value)
		case *monitoringpb.TypedValue_DoubleValue:
			v = fmt.Sprintf("%gd", x.DoubleValue)
		}
		parts = append(parts, p.GetInterval().GetEndTime().AsTime().Format("15:04")+"="+v)
	}
	return strings.Join(parts, " ")
}

func TestMonitoringAlignMaxReduceSum(t *testing.T) {
	srv := startYAML(t, monitoringScenario)
	c := newMetricClient(t, srv)
	filter := `metric.type = "` + mInstances + `" AND resource.type = "vpc_access_connector" AND resource.labels.location = "us-central1"`
	agg := func(groupBy ...string) *monitoringpb.Aggregation {
		return &monitoringpb.Aggregation{
			AlignmentPeriod:    durationpb.New(5 * time.Minute),
			PerSeriesAligner:   monitoringpb.Aggregation_ALIGN_MAX,
			CrossSeriesReducer: monitoringpb.Aggregation_REDUCE_SUM,
			GroupByFields:      groupBy,
		}
	}

	// By hand, periods (11:55, 12:00] and (11:50, 11:55]:
	//   conn-a max 4 (11:56 3, 11:59 4) and 3 (11:51 2, 11:53 3; 11:50 is outside);
	//   conn-b max 5 (11:57 5, 12:00 2) and 2 (11:52 2, 11:55 1);
	//   conn-eu is in europe-west1, conn-old has no point in the interval.
	// Sum by location: 12:00 = 4+5 = 9, 11:55 = 3+2 = 5.
	got, err := listTS(t, c, &monitoringpb.ListTimeSeriesRequest{
		Name: "projects/p1", Filter: filter, Interval: lastMinutes(10),
		Aggregation: agg("resource.labels.location"), View: monitoringpb.ListTimeSeriesRequest_FULL,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d series, want 1", len(got))
	}
	ts := got[0]
	if s := pointsString(ts); s != "12:00=9 11:55=5" {
		t.Fatalf("points %s, want 12:00=9 11:55=5", s)
	}
	if ts.GetMetric().GetType() != mInstances || ts.GetResource().GetType() != "vpc_access_connector" ||
		ts.GetResource().GetLabels()["location"] != "us-central1" || ts.GetResource().GetLabels()["connector_name"] != "" ||
		ts.GetValueType() != metricpb.MetricDescriptor_INT64 || ts.GetMetricKind() != metricpb.MetricDescriptor_GAUGE {
		t.Fatalf("series header %v", ts)
	}
	if p := ts.GetPoints()[0].GetInterval(); !p.GetStartTime().AsTime().Equal(fixedNow) || !p.GetEndTime().AsTime().Equal(fixedNow) {
		t.Fatalf("gauge point interval %v", p)
	}

	// Grouped by connector (the label spelled resource.label.*).
	got, err = listTS(t, c, &monitoringpb.ListTimeSeriesRequest{
		Name: "projects/111", Filter: filter, Interval: lastMinutes(10), Aggregation: agg("resource.label.connector_name"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, ts := range got {
		lines = append(lines, ts.GetResource().GetLabels()["connector_name"]+": "+pointsString(ts))
	}
	if s := strings.Join(lines, "; "); s != "conn-a: 12:00=4 11:55=3; conn-b: 12:00=5 11:55=2" {
		t.Fatalf("by connector: %s", s)
	}
}

func TestMonitoringRateDeltaMeanAndRaw(t *testing.T) {
	srv := startYAML(t, monitoringScenario)
	c := newMetricClient(t, srv)
	five := durationpb.New(5 * time.Minute)

	// NAT bytes, filter clauses by juxtaposition: rate = sum ÷ 300 s.
	natFilter := `metric.type="` + mNATSent + `" resource.type="nat_gateway" resource.labels.gateway_name="nat-1"`
	got, err := listTS(t, c, &monitoringpb.ListTimeSeriesRequest{
		Name: "projects/p1", Filter: natFilter, Interval: lastMinutes(10),
		Aggregation: &monitoringpb.Aggregation{AlignmentPeriod: five, PerSeriesAligner: monitoringpb.Aggregation_ALIGN_RATE},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || pointsString(got[0]) != "12:00=6d 11:55=10d" || got[0].GetUnit() != "By/s" || got[0].GetValueType() != metricpb.MetricDescriptor_DOUBLE {
		t.Fatalf("ALIGN_RATE: %v", got)
	}
	if got[0].GetMetric().GetLabels()["ip_protocol"] != "6" || got[0].GetResource().GetLabels()["router_id"] != "1234567" {
		t.Fatalf("labels lost: %v", got[0])
	}

	// ALIGN_DELTA keeps int64 and gives each point its period.
	got, err = listTS(t, c, &monitoringpb.ListTimeSeriesRequest{
		Name: "projects/p1", Filter: natFilter, Interval: lastMinutes(10),
		Aggregation: &monitoringpb.Aggregation{AlignmentPeriod: five, PerSeriesAligner: monitoringpb.Aggregation_ALIGN_DELTA},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || pointsString(got[0]) != "12:00=1800 11:55=3000" || got[0].GetMetricKind() != metricpb.MetricDescriptor_DELTA {
		t.Fatalf("ALIGN_DELTA: %v", got)
	}
	if iv := got[0].GetPoints()[0].GetInterval(); !iv.GetStartTime().AsTime().Equal(fixedNow.Add(-5*time.Minute)) || !iv.GetEndTime().AsTime().Equal(fixedNow) {
		t.Fatalf("delta interval %v", iv)
	}

	// Cloud Run active instances: mean per revision, summed per service
	// (1.5 + 3 = 4.5); the idle series is filtered out.
	got, err = listTS(t, c, &monitoringpb.ListTimeSeriesRequest{
		Name:     "projects/p1",
		Filter:   `metric.type = "` + mRunInstances + `" AND resource.labels.service_name = "api" AND metric.labels.state = "active"`,
		Interval: lastMinutes(5),
		Aggregation: &monitoringpb.Aggregation{
			AlignmentPeriod: five, PerSeriesAligner: monitoringpb.Aggregation_ALIGN_MEAN,
			CrossSeriesReducer: monitoringpb.Aggregation_REDUCE_SUM, GroupByFields: []string{"resource.labels.service_name"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || pointsString(got[0]) != "12:00=4.5d" || got[0].GetResource().GetLabels()["service_name"] != "api" {
		t.Fatalf("Run instances: %v", got)
	}

	// Cloud Run egress, raw (no aggregation): double points, newest first.
	got, err = listTS(t, c, &monitoringpb.ListTimeSeriesRequest{
		Name: "projects/p1", Filter: `metric.type = "` + mRunSent + `" AND metric.label.kind = "internet"`, Interval: lastMinutes(60),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || pointsString(got[0]) != "11:59=2.25d 11:57=1.5d" || got[0].GetMetricKind() != metricpb.MetricDescriptor_DELTA {
		t.Fatalf("raw Run egress: %v", got)
	}
	// ... and summed per hour.
	got, err = listTS(t, c, &monitoringpb.ListTimeSeriesRequest{
		Name: "projects/p1", Filter: `metric.type = "` + mRunSent + `"`, Interval: lastMinutes(60),
		Aggregation: &monitoringpb.Aggregation{AlignmentPeriod: durationpb.New(time.Hour), PerSeriesAligner: monitoringpb.Aggregation_ALIGN_SUM},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || pointsString(got[0]) != "12:00=3.75d" {
		t.Fatalf("ALIGN_SUM of doubles: %v", got)
	}
}

func TestMonitoringHeadersStartsWithAndPaging(t *testing.T) {
	srv := startYAML(t, monitoringScenario)
	c := newMetricClient(t, srv)
	got, err := listTS(t, c, &monitoringpb.ListTimeSeriesRequest{
		Name: "projects/p1", Filter: `metric.type = starts_with("vpcaccess.googleapis.com/connector/")`,
		Interval: lastMinutes(10), View: monitoringpb.ListTimeSeriesRequest_HEADERS, PageSize: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, ts := range got {
		if len(ts.GetPoints()) != 0 {
			t.Fatalf("HEADERS view returned points: %v", ts)
		}
		lines = append(lines, strings.TrimPrefix(ts.GetMetric().GetType(), "vpcaccess.googleapis.com/connector/")+"/"+ts.GetResource().GetLabels()["connector_name"])
	}
	// conn-old has no point in the interval.
	want := "instances/conn-a instances/conn-b instances/conn-eu received_bytes_count/conn-a sent_bytes_count/conn-a"
	if s := strings.Join(lines, " "); s != want {
		t.Fatalf("headers %s, want %s", s, want)
	}
	if n := srv.Calls(methodListTimeSeries); n != 3 {
		t.Fatalf("ListTimeSeries RPCs = %d, want 3 pages", n)
	}
}

func TestMonitoringRecordedAtShift(t *testing.T) {
	srv := startYAML(t, `
recordedAt: "2026-01-01T00:00:00Z"
projects:
  - projectId: p1
    projectNumber: "111"
    timeSeries:
      - metric: {type: vpcaccess.googleapis.com/connector/instances}
        resource: {type: vpc_access_connector, labels: {connector_name: c}}
        metricKind: GAUGE
        valueType: INT64
        points:
          - {interval: {endTime: "2025-12-31T23:59:00Z"}, value: {int64Value: 3}}
`)
	c := newMetricClient(t, srv)
	got, err := listTS(t, c, &monitoringpb.ListTimeSeriesRequest{Name: "projects/p1", Filter: `metric.type = "` + mInstances + `"`, Interval: lastMinutes(5)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || pointsString(got[0]) != "11:59=3" {
		t.Fatalf("shifted series: %v", got)
	}
}

func TestMonitoringErrors(t *testing.T) {
	srv := startYAML(t, monitoringScenario)
	c := newMetricClient(t, srv)
	five := durationpb.New(5 * time.Minute)
	cases := []struct {
		name string
		req  *monitoringpb.ListTimeSeriesRequest
		code codes.Code
	}{
		{"no metric type", &monitoringpb.ListTimeSeriesRequest{Name: "projects/p1", Filter: `resource.type = "nat_gateway"`, Interval: lastMinutes(5)}, codes.InvalidArgument},
		{"bad filter", &monitoringpb.ListTimeSeriesRequest{Name: "projects/p1", Filter: `metric.type = `, Interval: lastMinutes(5)}, codes.InvalidArgument},
		{"OR", &monitoringpb.ListTimeSeriesRequest{Name: "projects/p1", Filter: `metric.type = "a" OR metric.type = "b"`, Interval: lastMinutes(5)}, codes.InvalidArgument},
		{"no interval", &monitoringpb.ListTimeSeriesRequest{Name: "projects/p1", Filter: `metric.type = "` + mInstances + `"`}, codes.InvalidArgument},
		{"rate of a gauge", &monitoringpb.ListTimeSeriesRequest{Name: "projects/p1", Filter: `metric.type = "` + mInstances + `"`, Interval: lastMinutes(5),
			Aggregation: &monitoringpb.Aggregation{AlignmentPeriod: five, PerSeriesAligner: monitoringpb.Aggregation_ALIGN_RATE}}, codes.InvalidArgument},
		{"short period", &monitoringpb.ListTimeSeriesRequest{Name: "projects/p1", Filter: `metric.type = "` + mInstances + `"`, Interval: lastMinutes(5),
			Aggregation: &monitoringpb.Aggregation{AlignmentPeriod: durationpb.New(30 * time.Second), PerSeriesAligner: monitoringpb.Aggregation_ALIGN_MAX}}, codes.InvalidArgument},
		{"reducer without aligner", &monitoringpb.ListTimeSeriesRequest{Name: "projects/p1", Filter: `metric.type = "` + mInstances + `"`, Interval: lastMinutes(5),
			Aggregation: &monitoringpb.Aggregation{CrossSeriesReducer: monitoringpb.Aggregation_REDUCE_SUM}}, codes.InvalidArgument},
		{"unknown project", &monitoringpb.ListTimeSeriesRequest{Name: "projects/nobody", Filter: `metric.type = "` + mInstances + `"`, Interval: lastMinutes(5)}, codes.PermissionDenied},
	}
	for _, tc := range cases {
		if _, err := listTS(t, c, tc.req); status.Code(err) != tc.code {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.code)
		}
	}
}

func TestMonitoringDeniedPermissionAndDisabledAPI(t *testing.T) {
	srv := startYAML(t, monitoringScenario)
	c := newMetricClient(t, srv)
	req := func(p string) *monitoringpb.ListTimeSeriesRequest {
		return &monitoringpb.ListTimeSeriesRequest{Name: "projects/" + p, Filter: `metric.type = "` + mInstances + `"`, Interval: lastMinutes(5)}
	}
	_, err := listTS(t, c, req("p2"))
	var ae *apierror.APIError
	if status.Code(err) != codes.PermissionDenied || !errors.As(err, &ae) || ae.Reason() != "IAM_PERMISSION_DENIED" || ae.Metadata()["permission"] != "monitoring.timeSeries.list" {
		t.Fatalf("denied monitoring.timeSeries.list: %v", err)
	}
	_, err = listTS(t, c, req("333"))
	if status.Code(err) != codes.PermissionDenied || !errors.As(err, &ae) || ae.Reason() != "SERVICE_DISABLED" || ae.Metadata()["service"] != "monitoring.googleapis.com" {
		t.Fatalf("disabled monitoring API: %v", err)
	}
}

func TestMonitoringInjectedUnavailableIsRetried(t *testing.T) {
	srv := startYAML(t, monitoringScenario)
	c := newMetricClient(t, srv)
	if err := srv.InjectFault(Fault{Method: methodListTimeSeries, Code: "UNAVAILABLE", Times: 1}); err != nil {
		t.Fatal(err)
	}
	// ListTimeSeries retries UNAVAILABLE by default.
	got, err := listTS(t, c, &monitoringpb.ListTimeSeriesRequest{Name: "projects/p1", Filter: `metric.type = "` + mNATSent + `"`, Interval: lastMinutes(10)})
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %v", got, err)
	}
	if n := srv.Calls(methodListTimeSeries); n != 2 {
		t.Fatalf("RPCs = %d, want 2", n)
	}
}

func TestMonitoringFilterGrammar(t *testing.T) {
	ts := &monitoringpb.TimeSeries{}
	if err := protojsonUnmarshal(`{"metric":{"type":"run.googleapis.com/container/instance_count","labels":{"state":"active"}},
		"resource":{"type":"cloud_run_revision","labels":{"service_name":"api","location":"us-central1"}}}`, ts); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		filter string
		want   bool
	}{
		{`metric.type = "run.googleapis.com/container/instance_count"`, true},
		{`metric.type = starts_with("run.googleapis.com/")`, true},
		{`metric.type = ends_with("/instance_count") AND resource.type = "cloud_run_revision"`, true},
		{`metric.type = has_substring("container")`, true},
		{`resource.labels.service_name = one_of("web", "api")`, true},
		{`resource.label.location != "us-central1"`, false},
		{`NOT metric.labels.state = "idle"`, true},
		{`metric.label.state = "idle"`, false},
		{`resource.labels.missing = ""`, false},
		{`project = "p1"`, true},
		{`project = "222"`, false},
		{`metric.type : "instance"`, true},
	}
	for _, c := range cases {
		f, err := monParseFilter(c.filter)
		if err != nil {
			t.Errorf("%s: %v", c.filter, err)
			continue
		}
		if got := f.match(ts, "p1", "111"); got != c.want {
			t.Errorf("%s: %v, want %v", c.filter, got, c.want)
		}
	}
	for _, bad := range []string{`metric.type = "a" OR metric.type = "b"`, `metric.type = `, `foo.bar = "x"`, `metric.type = starts_with("a", "b")`, `metric.type = "unterminated`} {
		if _, err := monParseFilter(bad); err == nil {
			t.Errorf("%s: parsed, want an error", bad)
		}
	}
}

func protojsonUnmarshal(s string, ts *monitoringpb.TimeSeries) error {
	return protojson.Unmarshal([]byte(s), ts)
}
