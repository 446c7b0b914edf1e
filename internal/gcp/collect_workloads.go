package gcp

import (
	"context"
	"sort"
	"strings"

	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	appengine "google.golang.org/api/appengine/v1"
	cloudfunctions "google.golang.org/api/cloudfunctions/v2"
	"google.golang.org/api/iterator"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

func (col *collector) connectors(ctx context.Context, project, region string) {
	_ = col.call(ctx, project, apiVPCAccess, "connectors in "+region, func(ctx context.Context) (int, error) {
		var got []inventory.Connector
		it := col.c.VPCAccess.ListConnectors(ctx, &vpcaccesspb.ListConnectorsRequest{Parent: "projects/" + project + "/locations/" + region, PageSize: 500})
		for {
			cn, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return len(got), err
			}
			got = append(got, connectorOf(project, region, cn))
		}
		col.add(func(s *inventory.Snapshot) { s.Connectors = append(s.Connectors, got...) })
		return len(got), nil
	})
}

// functions lists Cloud Run functions and Cloud Functions of both
// generations in every location at once (location "-" is documented as
// allowed for ListFunctions, gcp-facts §2).
func (col *collector) functions(ctx context.Context, project string) {
	_ = col.call(ctx, project, apiFunctions, "functions", func(ctx context.Context) (int, error) {
		var got []inventory.Consumer
		err := col.c.Functions.Projects.Locations.Functions.List("projects/"+project+"/locations/-").PageSize(500).Pages(ctx, func(r *cloudfunctions.ListFunctionsResponse) error {
			for _, f := range r.Functions {
				region := ""
				if parts := strings.Split(f.Name, "/"); len(parts) >= 4 {
					region = parts[3]
				}
				if len(col.opts.Regions) > 0 && !contains(col.opts.Regions, region) {
					continue
				}
				got = append(got, functionConsumer(project, region, f))
			}
			return nil
		})
		if err != nil {
			return len(got), err
		}
		col.add(func(s *inventory.Snapshot) { s.Consumers = append(s.Consumers, got...) })
		return len(got), nil
	})
}

// appEngine lists the versions of every App Engine service that use a
// connector or Direct VPC egress (a project without an app answers 404,
// which is not a gap).
func (col *collector) appEngine(ctx context.Context, project string) {
	_ = col.call(ctx, project, apiAppEngine, "App Engine versions", func(ctx context.Context) (int, error) {
		app, err := col.c.AppEngine.Apps.Get(project).Context(ctx).Do()
		if err != nil {
			if ae := classify(err, apiAppEngine, project, ""); ae.Kind == KindNotFound {
				return 0, errEmptyAnswer
			}
			return 0, err
		}
		region := appEngineRegion(app.LocationId)
		var got []inventory.Consumer
		var services []string
		if err := col.c.AppEngine.Apps.Services.List(project).PageSize(100).Pages(ctx, func(r *appengine.ListServicesResponse) error {
			for _, s := range r.Services {
				services = append(services, s.Id)
			}
			return nil
		}); err != nil {
			return 0, err
		}
		sort.Strings(services)
		for _, svc := range services {
			if err := col.c.AppEngine.Apps.Services.Versions.List(project, svc).View("FULL").PageSize(100).Pages(ctx, func(r *appengine.ListVersionsResponse) error {
				for _, v := range r.Versions {
					if v.Env != "" && v.Env != "standard" {
						continue
					}
					if v.ServingStatus != "" && v.ServingStatus != "SERVING" {
						continue
					}
					if (v.VpcAccessConnector == nil || v.VpcAccessConnector.Name == "") && (v.VpcAccess == nil || len(v.VpcAccess.NetworkInterfaces) == 0) {
						continue
					}
					got = append(got, appEngineConsumer(project, region, v))
				}
				return nil
			}); err != nil {
				return len(got), err
			}
		}
		col.add(func(s *inventory.Snapshot) { s.Consumers = append(s.Consumers, got...) })
		return len(got), nil
	})
}

// appEngineRegion maps an App Engine location ID to a Compute region
// (App Engine drops the trailing "1" of us-central1 and europe-west1).
func appEngineRegion(loc string) string {
	switch loc {
	case "us-central":
		return "us-central1"
	case "europe-west":
		return "europe-west1"
	}
	return loc
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
