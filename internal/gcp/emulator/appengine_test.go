package emulator

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	appengine "google.golang.org/api/appengine/v1"
)

const appEngineScenario = `
projects:
  - projectId: acme-prod
    projectNumber: "123456789012"
    appEngineVersions:
      - name: apps/acme-prod/services/default/versions/v1
        servingStatus: STOPPED
        runtime: python39
      - name: apps/acme-prod/services/default/versions/v2
        servingStatus: SERVING
        runtime: python312
        instanceClass: F2
        automaticScaling: {maxConcurrentRequests: 10}
        envVariables: {MODE: prod}
        vpcAccessConnector:
          name: projects/acme-prod/locations/us-central1/connectors/conn1
          egressSetting: PRIVATE_IP_RANGES
      - name: apps/acme-prod/services/api/versions/20240101t000000
        runtime: go122
        vpcAccessConnector:
          name: projects/acme-prod/locations/us-central1/connectors/conn1
          egressSetting: ALL_TRAFFIC
  - projectId: acme-dev
    projectNumber: "222222222222"
    deniedPermissions: [appengine.versions.list]
    appEngineVersions:
      - name: apps/acme-dev/services/default/versions/v1
  - projectId: acme-off
    projectNumber: "333333333333"
    disabledApis: [appengine.googleapis.com]
    appEngineVersions:
      - name: apps/acme-off/services/default/versions/v1
  - projectId: no-app
    projectNumber: "444444444444"
`

func newAppEngineService(t *testing.T, srv *Server) *appengine.APIService {
	return newRESTService(t, srv, "/", appengine.NewService)
}

func TestAppEngineApplication(t *testing.T) {
	srv := startYAML(t, appEngineScenario)
	svc := newAppEngineService(t, srv)
	ctx := testCtx(t)

	app, err := svc.Apps.Get("acme-prod").Context(ctx).Do()
	if err != nil {
		t.Fatalf("Apps.Get: %v", err)
	}
	if app.Name != "apps/acme-prod" || app.Id != "acme-prod" || app.LocationId != "us-central" {
		t.Fatalf("app = %+v", app)
	}
	_, err = svc.Apps.Get("no-app").Context(ctx).Do()
	apiErr(t, err, http.StatusNotFound, "")
	_, err = svc.Apps.Services.List("no-app").Context(ctx).Do()
	apiErr(t, err, http.StatusNotFound, "")

	// A disabled API.
	_, err = svc.Apps.Get("acme-off").Context(ctx).Do()
	ge := apiErr(t, err, http.StatusForbidden, "")
	if !fnHasReason(ge, "SERVICE_DISABLED") || !strings.Contains(ge.Message, "App Engine Admin API") {
		t.Fatalf("error = %v", ge)
	}
}

func TestAppEngineServicesPaged(t *testing.T) {
	srv := startYAML(t, appEngineScenario)
	svc := newAppEngineService(t, srv)
	ctx := testCtx(t)

	var got []*appengine.Service
	pages := 0
	err := svc.Apps.Services.List("acme-prod").PageSize(1).Pages(ctx, func(r *appengine.ListServicesResponse) error {
		pages++
		got = append(got, r.Services...)
		return nil
	})
	if err != nil {
		t.Fatalf("Services.List: %v", err)
	}
	if pages != 2 || len(got) != 2 {
		t.Fatalf("pages = %d, services = %d, want 2 and 2", pages, len(got))
	}
	if got[0].Name != "apps/acme-prod/services/api" || got[1].Name != "apps/acme-prod/services/default" || got[1].Id != "default" {
		t.Fatalf("services = %s, %s", got[0].Name, got[1].Name)
	}
	// Traffic goes to the serving version.
	if want := map[string]float64{"v2": 1}; !reflect.DeepEqual(got[1].Split.Allocations, want) {
		t.Errorf("default split = %v, want %v", got[1].Split.Allocations, want)
	}
	if want := map[string]float64{"20240101t000000": 1}; !reflect.DeepEqual(got[0].Split.Allocations, want) {
		t.Errorf("api split = %v, want %v", got[0].Split.Allocations, want)
	}

	one, err := svc.Apps.Services.Get("acme-prod", "api").Context(ctx).Do()
	if err != nil || one.Id != "api" {
		t.Fatalf("Services.Get = %+v, %v", one, err)
	}
	_, err = svc.Apps.Services.Get("acme-prod", "nope").Context(ctx).Do()
	apiErr(t, err, http.StatusNotFound, "")
}

func TestAppEngineVersions(t *testing.T) {
	srv := startYAML(t, appEngineScenario)
	svc := newAppEngineService(t, srv)
	ctx := testCtx(t)

	var got []*appengine.Version
	pages := 0
	err := svc.Apps.Services.Versions.List("acme-prod", "default").View("FULL").PageSize(1).Pages(ctx, func(r *appengine.ListVersionsResponse) error {
		pages++
		got = append(got, r.Versions...)
		return nil
	})
	if err != nil {
		t.Fatalf("Versions.List: %v", err)
	}
	if pages != 2 || len(got) != 2 || got[0].Id != "v1" || got[1].Id != "v2" {
		t.Fatalf("pages = %d, versions = %+v", pages, got)
	}
	v2 := got[1]
	if v2.VpcAccessConnector == nil || v2.VpcAccessConnector.Name != "projects/acme-prod/locations/us-central1/connectors/conn1" ||
		v2.VpcAccessConnector.EgressSetting != "PRIVATE_IP_RANGES" || v2.EnvVariables["MODE"] != "prod" {
		t.Fatalf("FULL v2 = %+v", v2)
	}
	if v2.ServingStatus != "SERVING" || got[0].ServingStatus != "STOPPED" || v2.Env != "standard" {
		t.Fatalf("status/env = %q %q %q", v2.ServingStatus, got[0].ServingStatus, v2.Env)
	}

	// BASIC (the default) leaves the configuration out.
	basic, err := svc.Apps.Services.Versions.List("acme-prod", "default").Context(ctx).Do()
	if err != nil {
		t.Fatalf("Versions.List BASIC: %v", err)
	}
	if b := basic.Versions[1]; b.VpcAccessConnector != nil || b.EnvVariables != nil || b.InstanceClass != "F2" || b.AutomaticScaling == nil {
		t.Fatalf("BASIC v2 = %+v", b)
	}

	v, err := svc.Apps.Services.Versions.Get("acme-prod", "api", "20240101t000000").View("FULL").Context(ctx).Do()
	if err != nil || v.VpcAccessConnector == nil || v.VpcAccessConnector.EgressSetting != "ALL_TRAFFIC" {
		t.Fatalf("Versions.Get = %+v, %v", v, err)
	}
	_, err = svc.Apps.Services.Versions.Get("acme-prod", "api", "nope").Context(ctx).Do()
	apiErr(t, err, http.StatusNotFound, "")
	_, err = svc.Apps.Services.Versions.List("acme-prod", "nope").Context(ctx).Do()
	apiErr(t, err, http.StatusNotFound, "")
	_, err = svc.Apps.Services.Versions.List("acme-prod", "default").View("EVERYTHING").Context(ctx).Do()
	apiErr(t, err, http.StatusBadRequest, "")

	if iv, ok := srv.AppEngineVersion("apps/acme-prod/services/default/versions/v2"); !ok || iv.VpcAccessConnector.EgressSetting != "PRIVATE_IP_RANGES" {
		t.Fatalf("srv.AppEngineVersion = %+v, %v", iv, ok)
	}
	if n := len(srv.AppEngineVersions("acme-prod")); n != 3 {
		t.Fatalf("srv.AppEngineVersions = %d, want 3", n)
	}
}

func TestAppEngineFaultAndDeniedPermission(t *testing.T) {
	srv := startYAML(t, appEngineScenario)
	svc := newAppEngineService(t, srv)
	ctx := testCtx(t)

	_, err := svc.Apps.Services.Versions.List("acme-dev", "default").Context(ctx).Do()
	ge := apiErr(t, err, http.StatusForbidden, "")
	if !strings.Contains(ge.Message, "appengine.versions.list") || !fnHasReason(ge, "IAM_PERMISSION_DENIED") {
		t.Fatalf("error = %v", ge)
	}
	// Other calls still work.
	if _, err := svc.Apps.Services.List("acme-dev").Context(ctx).Do(); err != nil {
		t.Fatalf("Services.List: %v", err)
	}

	if err := srv.InjectFault(Fault{Method: gaeVersionsListPattern, Code: "UNAVAILABLE", Times: 1, Project: "acme-prod"}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Apps.Services.Versions.List("acme-prod", "default").Context(ctx).Do()
	apiErr(t, err, http.StatusServiceUnavailable, "")
	if _, err := svc.Apps.Services.Versions.List("acme-prod", "default").Context(ctx).Do(); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
}
