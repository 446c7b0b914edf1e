package emulator

import (
	"errors"
	"slices"
	"testing"

	asset "cloud.google.com/go/asset/apiv1"
	"cloud.google.com/go/asset/apiv1/assetpb"
	"github.com/googleapis/gax-go/v2/apierror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const assetScenario = `
organization:
  id: "100"
  folders:
    - {id: "200", parent: organizations/100, displayName: prod}
    - {id: "300", parent: folders/200, displayName: prod-eu}
    - {id: "400", parent: organizations/100, displayName: empty}
projects:
  - projectId: root-proj
    projectNumber: "1001"
    parent: organizations/100
    services:
      - name: projects/root-proj/locations/us-central1/services/api
        labels: {team: core}
    connectors:
      - name: projects/1001/locations/us-central1/connectors/conn-1
    routers:
      - name: nat-router
        region: https://www.googleapis.com/compute/v1/projects/root-proj/regions/us-central1
        network: default
    subnetworks:
      - name: conn-subnet
        region: us-central1
        network: default
  - projectId: folder-proj
    projectNumber: "2002"
    parent: folders/200
    jobs:
      - name: projects/folder-proj/locations/europe-west1/jobs/nightly
    workerPools:
      - name: projects/folder-proj/locations/us-central1/workerPools/pool
    functions:
      - name: projects/folder-proj/locations/us-central1/functions/fn
        state: ACTIVE
  - projectId: deep-proj
    projectNumber: "3003"
    parent: folders/300
    services:
      - name: projects/3003/locations/europe-west1/services/eu-api
    appEngineVersions:
      - name: apps/deep-proj/services/default/versions/v1
        servingStatus: SERVING
  - projectId: other-org-proj
    projectNumber: "4004"
    parent: organizations/999
    services:
      - name: projects/other-org-proj/locations/us-central1/services/elsewhere
  - projectId: no-asset
    projectNumber: "5005"
    parent: organizations/100
    disabledApis: [cloudasset.googleapis.com]
    connectors:
      - name: projects/no-asset/locations/us-east1/connectors/conn-x
`

func newAssetClient(t *testing.T, srv *Server) *asset.Client {
	return newGRPCClient(t, srv, asset.NewClient)
}

func searchAll(t *testing.T, c *asset.Client, req *assetpb.SearchAllResourcesRequest) ([]*assetpb.ResourceSearchResult, error) {
	return drain(c.SearchAllResources(testCtx(t), req).Next)
}

func resultNames(rs []*assetpb.ResourceSearchResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.GetName())
	}
	return out
}

func TestAssetSearchByProject(t *testing.T) {
	srv := startYAML(t, assetScenario)
	c := newAssetClient(t, srv)

	// By project number, one type.
	rs, err := searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "projects/1001", AssetTypes: []string{"run.googleapis.com/Service"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("results %v", resultNames(rs))
	}
	r := rs[0]
	if r.GetName() != "//run.googleapis.com/projects/root-proj/locations/us-central1/services/api" ||
		r.GetAssetType() != "run.googleapis.com/Service" || r.GetProject() != "projects/1001" ||
		r.GetDisplayName() != "api" || r.GetLocation() != "us-central1" ||
		r.GetParentFullResourceName() != "//cloudresourcemanager.googleapis.com/projects/root-proj" ||
		r.GetOrganization() != "organizations/100" || len(r.GetFolders()) != 0 || r.GetLabels()["team"] != "core" {
		t.Fatalf("result %v", r)
	}

	// By project ID, every type.
	rs, err = searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "projects/root-proj"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"//cloudresourcemanager.googleapis.com/projects/1001",
		"//compute.googleapis.com/projects/root-proj/regions/us-central1/routers/nat-router",
		"//compute.googleapis.com/projects/root-proj/regions/us-central1/subnetworks/conn-subnet",
		"//run.googleapis.com/projects/root-proj/locations/us-central1/services/api",
		"//vpcaccess.googleapis.com/projects/root-proj/locations/us-central1/connectors/conn-1",
	}
	if got := resultNames(rs); !slices.Equal(got, want) {
		t.Fatalf("all types: %v, want %v", got, want)
	}
	for _, r := range rs {
		if r.GetAssetType() == "vpcaccess.googleapis.com/Connector" && r.GetState() != "READY" {
			t.Errorf("connector state %q, want READY", r.GetState())
		}
		if r.GetAssetType() == "compute.googleapis.com/Router" && r.GetLocation() != "us-central1" {
			t.Errorf("router location %q", r.GetLocation())
		}
	}
}

func TestAssetSearchByFolderPages(t *testing.T) {
	srv := startYAML(t, assetScenario)
	c := newAssetClient(t, srv)
	rs, err := searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "folders/200", AssetTypes: []string{"run.googleapis.com.*"}, PageSize: 2, OrderBy: "location DESC"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"//run.googleapis.com/projects/deep-proj/locations/europe-west1/services/eu-api",
		"//run.googleapis.com/projects/folder-proj/locations/europe-west1/jobs/nightly",
		"//run.googleapis.com/projects/folder-proj/locations/us-central1/workerPools/pool",
	}
	if got := resultNames(rs); !slices.Equal(got, want) {
		t.Fatalf("folder 200 (with its subfolder): %v, want %v", got, want)
	}
	if n := srv.Calls(methodSearchAllResources); n != 2 {
		t.Fatalf("SearchAllResources RPCs = %d, want 2 pages", n)
	}
	deep := rs[0]
	if deep.GetProject() != "projects/3003" || !slices.Equal(deep.GetFolders(), []string{"folders/300", "folders/200"}) || deep.GetOrganization() != "organizations/100" {
		t.Fatalf("ancestry of %s: %v %v %v", deep.GetName(), deep.GetProject(), deep.GetFolders(), deep.GetOrganization())
	}
	if rs[1].GetAssetType() != "run.googleapis.com/Job" || rs[2].GetAssetType() != "run.googleapis.com/WorkerPool" {
		t.Fatalf("types %v %v", rs[1].GetAssetType(), rs[2].GetAssetType())
	}

	// A query on location.
	rs, err = searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "folders/200", Query: "location:europe-west1 state:ACTIVE"})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		"//run.googleapis.com/projects/deep-proj/locations/europe-west1/services/eu-api",
		"//run.googleapis.com/projects/folder-proj/locations/europe-west1/jobs/nightly",
	}
	if got := resultNames(rs); !slices.Equal(got, want) {
		t.Fatalf("location:europe-west1: %v, want %v", got, want)
	}

	// The subfolder alone, functions and App Engine versions.
	rs, err = searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "folders/300", AssetTypes: []string{"appengine.googleapis.com/Version", "cloudfunctions.googleapis.com/Function"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].GetName() != "//appengine.googleapis.com/apps/deep-proj/services/default/versions/v1" ||
		rs[0].GetParentFullResourceName() != "//appengine.googleapis.com/apps/deep-proj/services/default" || rs[0].GetState() != "SERVING" {
		t.Fatalf("folder 300: %v", rs)
	}

	// An empty folder is empty, not an error.
	if rs, err := searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "folders/400"}); err != nil || len(rs) != 0 {
		t.Fatalf("empty folder: %v %v", resultNames(rs), err)
	}
}

func TestAssetSearchByOrganization(t *testing.T) {
	srv := startYAML(t, assetScenario)
	c := newAssetClient(t, srv)
	rs, err := searchAll(t, c, &assetpb.SearchAllResourcesRequest{
		Scope:      "organizations/100",
		AssetTypes: []string{"vpcaccess.googleapis.com/Connector", "compute.googleapis.com/Router", "cloudfunctions.googleapis.com/Function"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// no-asset's Cloud Asset API is disabled, but an organisation search is
	// not gated by a project.
	want := []string{
		"//cloudfunctions.googleapis.com/projects/folder-proj/locations/us-central1/functions/fn",
		"//compute.googleapis.com/projects/root-proj/regions/us-central1/routers/nat-router",
		"//vpcaccess.googleapis.com/projects/no-asset/locations/us-east1/connectors/conn-x",
		"//vpcaccess.googleapis.com/projects/root-proj/locations/us-central1/connectors/conn-1",
	}
	if got := resultNames(rs); !slices.Equal(got, want) {
		t.Fatalf("organization: %v, want %v", got, want)
	}
	if rs[0].GetState() != "ACTIVE" || rs[0].GetLocation() != "us-central1" {
		t.Fatalf("function %v", rs[0])
	}

	// The other organisation holds only its own project (and its resources).
	rs, err = searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "organizations/999"})
	if err != nil || !slices.Equal(resultNames(rs), []string{"//cloudresourcemanager.googleapis.com/projects/4004", "//run.googleapis.com/projects/other-org-proj/locations/us-central1/services/elsewhere"}) {
		t.Fatalf("organizations/999: %v %v", resultNames(rs), err)
	}
}

func TestAssetSearchErrors(t *testing.T) {
	srv := startYAML(t, assetScenario)
	c := newAssetClient(t, srv)
	cases := []struct {
		name string
		req  *assetpb.SearchAllResourcesRequest
		code codes.Code
	}{
		{"unknown folder", &assetpb.SearchAllResourcesRequest{Scope: "folders/999"}, codes.PermissionDenied},
		{"unknown project", &assetpb.SearchAllResourcesRequest{Scope: "projects/nobody"}, codes.PermissionDenied},
		{"bad scope", &assetpb.SearchAllResourcesRequest{Scope: "billingAccounts/1"}, codes.InvalidArgument},
		{"regex matching nothing", &assetpb.SearchAllResourcesRequest{Scope: "projects/root-proj", AssetTypes: []string{"storage.googleapis.com.*"}}, codes.InvalidArgument},
		{"bad regex", &assetpb.SearchAllResourcesRequest{Scope: "projects/root-proj", AssetTypes: []string{"run.googleapis.com/(Service"}}, codes.InvalidArgument},
	}
	for _, tc := range cases {
		if _, err := searchAll(t, c, tc.req); status.Code(err) != tc.code {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.code)
		}
	}
	// A type the emulator does not model finds nothing.
	if rs, err := searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "projects/root-proj", AssetTypes: []string{"compute.googleapis.com/Instance"}}); err != nil || len(rs) != 0 {
		t.Fatalf("unmodelled type: %v %v", rs, err)
	}
}

func TestAssetSearchDisabledAPIAndDeniedPermission(t *testing.T) {
	srv := startYAML(t, assetScenario+`
  - projectId: no-perm
    projectNumber: "6006"
    deniedPermissions: [cloudasset.assets.searchAllResources]
`)
	c := newAssetClient(t, srv)
	_, err := searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "projects/no-asset"})
	var ae *apierror.APIError
	if status.Code(err) != codes.PermissionDenied || !errors.As(err, &ae) || ae.Reason() != "SERVICE_DISABLED" || ae.Metadata()["service"] != "cloudasset.googleapis.com" {
		t.Fatalf("disabled API: %v", err)
	}
	_, err = searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "projects/6006"})
	if status.Code(err) != codes.PermissionDenied || !errors.As(err, &ae) || ae.Reason() != "IAM_PERMISSION_DENIED" || ae.Metadata()["permission"] != "cloudasset.assets.searchAllResources" {
		t.Fatalf("denied permission: %v", err)
	}
}

func TestAssetSearchInjectedUnavailableIsRetried(t *testing.T) {
	srv := startYAML(t, assetScenario)
	c := newAssetClient(t, srv)
	if err := srv.InjectFault(Fault{Method: methodSearchAllResources, Code: "UNAVAILABLE", Times: 1}); err != nil {
		t.Fatal(err)
	}
	// SearchAllResources retries UNAVAILABLE by default (100 ms initial
	// backoff).
	rs, err := searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "projects/root-proj", AssetTypes: []string{"vpcaccess.googleapis.com/Connector"}})
	if err != nil || len(rs) != 1 {
		t.Fatalf("%v %v", resultNames(rs), err)
	}
	if n := srv.Calls(methodSearchAllResources); n != 2 {
		t.Fatalf("RPCs = %d, want 2", n)
	}
}

func TestAssetQueryLocationTerms(t *testing.T) {
	cases := []struct {
		query, location string
		want            bool
	}{
		{"", "us-central1", true},
		{"location:us-central1", "us-central1", true},
		{"location:us-central1", "europe-west1", false},
		{"location:us-*", "us-east4", true},
		{"location:us-*", "europe-west1", false},
		{"location:europe-west*", "europe-west4", true},
		{"location=us-central1", "us-central1", true},
		{"location=us", "us-central1", false},
		{"location:(us-east1 OR europe-west1) name:api", "europe-west1", true},
		{"location:(us-east1 OR europe-west1)", "us-central1", false},
		{"state:ACTIVE labels.env:prod", "", true},
		{"location:us-central1", "", false},
	}
	for _, c := range cases {
		if got := parseAssetQuery(c.query).match(c.location); got != c.want {
			t.Errorf("query %q on location %q: %v, want %v", c.query, c.location, got, c.want)
		}
	}
}

// Projects are assets too: an organisation or folder search for
// cloudresourcemanager.googleapis.com/Project lists the projects below it,
// with their IDs in additionalAttributes.projectId (how --org and --folder
// find the projects to inventory).
func TestAssetSearchProjectsUnderFolder(t *testing.T) {
	srv := startYAML(t, assetScenario)
	c, err := asset.NewClient(testCtx(t), grpcOpts(srv)...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rs, err := searchAll(t, c, &assetpb.SearchAllResourcesRequest{Scope: "organizations/100", AssetTypes: []string{"cloudresourcemanager.googleapis.com/Project"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.GetAdditionalAttributes().GetFields()["projectId"].GetStringValue())
	}
	slices.Sort(ids)
	if len(ids) < 2 || !slices.Contains(ids, "root-proj") || !slices.Contains(ids, "folder-proj") {
		t.Fatalf("projects under organizations/100: %v", ids)
	}
}
