package gcp

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"cloud.google.com/go/asset/apiv1/assetpb"
	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/api/iterator"
	locationpb "google.golang.org/genproto/googleapis/cloud/location"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// API service names, as Google spells them (and as coverage reports them).
const (
	apiRun        = "run.googleapis.com"
	apiVPCAccess  = "vpcaccess.googleapis.com"
	apiCompute    = "compute.googleapis.com"
	apiDNS        = "dns.googleapis.com"
	apiFunctions  = "cloudfunctions.googleapis.com"
	apiAppEngine  = "appengine.googleapis.com"
	apiMonitoring = "monitoring.googleapis.com"
	apiAsset      = "cloudasset.googleapis.com"
)

// probeRegion is listed when no region is known to hold resources.
const probeRegion = "us-central1"

// regionalAssetTypes are the asset types whose locations tell which regions
// to list.
var regionalAssetTypes = []string{
	"run.googleapis.com/Service",
	"run.googleapis.com/Job",
	"run.googleapis.com/WorkerPool",
	"vpcaccess.googleapis.com/Connector",
}

// project inventories one project.
func (col *collector) project(ctx context.Context, project string) {
	p := inventory.Project{ID: project}
	var pmu sync.Mutex
	var wg sync.WaitGroup
	goCall := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}

	// Phase A: what needs no regions.
	var regions []string
	goCall(func() { col.projectInfo(ctx, &p, &pmu) })
	goCall(func() {
		r := col.regions(ctx, project)
		pmu.Lock()
		regions = r
		pmu.Unlock()
	})
	goCall(func() { col.functions(ctx, project) })
	goCall(func() { col.appEngine(ctx, project) })
	goCall(func() { col.networks(ctx, project) })
	goCall(func() { col.subnets(ctx, project) })
	goCall(func() { col.routes(ctx, project) })
	goCall(func() { col.addresses(ctx, project) })
	goCall(func() { col.dns(ctx, project) })
	var routers []routerRef
	goCall(func() {
		r := col.routers(ctx, project)
		pmu.Lock()
		routers = r
		pmu.Unlock()
	})
	wg.Wait()
	p.Regions = regions

	// Phase B: per region. A project where Cloud Asset Inventory found no
	// regional resource still gets one probe of Cloud Run and Serverless
	// VPC Access, so that coverage says whether they are disabled or
	// denied rather than nothing.
	if len(regions) == 0 && len(col.opts.Regions) == 0 {
		goCall(func() { col.services(ctx, project, probeRegion) })
		goCall(func() { col.connectors(ctx, project, probeRegion) })
	}
	for _, r := range regions {
		goCall(func() { col.services(ctx, project, r) })
		goCall(func() { col.jobs(ctx, project, r) })
		goCall(func() { col.workerPools(ctx, project, r) })
		goCall(func() { col.connectors(ctx, project, r) })
	}
	for _, rt := range routers {
		goCall(func() { col.routerStatus(ctx, project, rt) })
	}
	wg.Wait()

	// Phase C: per service, and usage.
	col.mu.Lock()
	var services []string
	for _, c := range col.snap.Consumers {
		if c.Project == project && c.Kind == inventory.KindService {
			services = append(services, c.ID)
		}
	}
	col.mu.Unlock()
	for _, s := range services {
		goCall(func() { col.iamPolicy(ctx, project, s) })
	}
	goCall(func() { col.usage(ctx, project) })
	wg.Wait()

	col.add(func(s *inventory.Snapshot) { s.Projects = append(s.Projects, p) })
}

// projectInfo reads the project's number and Shared VPC role from Compute.
func (col *collector) projectInfo(ctx context.Context, p *inventory.Project, mu *sync.Mutex) {
	_ = col.call(ctx, p.ID, apiCompute, "project", func(ctx context.Context) (int, error) {
		pr, err := col.c.Compute.Projects.Get(p.ID).Context(ctx).Do()
		if err != nil {
			return 0, err
		}
		mu.Lock()
		p.Number = strconv.FormatUint(pr.Id, 10)
		p.IsSharedVPCHost = pr.XpnProjectStatus == "HOST"
		mu.Unlock()
		col.mu.Lock()
		col.numbers[p.Number] = p.ID
		col.mu.Unlock()
		return 1, nil
	})
	_ = col.call(ctx, p.ID, apiCompute, "Shared VPC host", func(ctx context.Context) (int, error) {
		h, err := col.c.Compute.Projects.GetXpnHost(p.ID).Context(ctx).Do()
		if err != nil {
			return 0, err
		}
		if h != nil && h.Name != "" && h.Name != p.ID {
			mu.Lock()
			p.SharedVPCHost = h.Name
			mu.Unlock()
		}
		return 1, nil
	})
}

// regions decides which regions to list: --regions, else where Cloud Asset
// Inventory finds regional resources, else every region Cloud Run offers.
func (col *collector) regions(ctx context.Context, project string) []string {
	if len(col.opts.Regions) > 0 {
		return append([]string(nil), col.opts.Regions...)
	}
	found := map[string]bool{}
	err := col.call(ctx, project, apiAsset, "regions in use", func(ctx context.Context) (int, error) {
		it := col.c.Asset.SearchAllResources(ctx, &assetpb.SearchAllResourcesRequest{
			Scope:      "projects/" + project,
			AssetTypes: regionalAssetTypes,
			PageSize:   500,
		})
		n := 0
		for {
			r, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return n, err
			}
			n++
			if r.GetLocation() != "" && r.GetLocation() != "global" {
				found[r.GetLocation()] = true
			}
		}
		return n, nil
	})
	if err == nil {
		return sortedKeys(found)
	}
	// Fall back to every location the Locations API returns.
	var all []string
	_ = col.call(ctx, project, apiRun, "locations", func(ctx context.Context) (int, error) {
		all = all[:0]
		it := col.c.RunLocs.ListLocations(ctx, &locationpb.ListLocationsRequest{Name: "projects/" + project})
		for {
			l, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return len(all), err
			}
			all = append(all, l.GetLocationId())
		}
		return len(all), nil
	})
	sort.Strings(all)
	return all
}

// expandScope lists the projects under --org or --folder with Cloud Asset
// Inventory (asset type cloudresourcemanager.googleapis.com/Project).
func (col *collector) expandScope(ctx context.Context) ([]string, error) {
	scope := "organizations/" + col.opts.Org
	if col.opts.Folder != "" {
		scope = "folders/" + col.opts.Folder
	}
	var out []string
	err := col.call(ctx, scope, apiAsset, "projects in "+scope, func(ctx context.Context) (int, error) {
		out = out[:0]
		it := col.c.Asset.SearchAllResources(ctx, &assetpb.SearchAllResourcesRequest{
			Scope:      scope,
			AssetTypes: []string{"cloudresourcemanager.googleapis.com/Project"},
			PageSize:   500,
		})
		for {
			r, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return len(out), err
			}
			// name: //cloudresourcemanager.googleapis.com/projects/NUMBER;
			// additionalAttributes.projectId or displayName carries the ID.
			id := r.GetDisplayName()
			if v := r.GetAdditionalAttributes().GetFields()["projectId"]; v != nil && v.GetStringValue() != "" {
				id = v.GetStringValue()
			}
			if id != "" {
				out = append(out, id)
			}
		}
		return len(out), nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the projects in %s with Cloud Asset Inventory: %w", scope, err)
	}
	sort.Strings(out)
	return out, nil
}

// --- Cloud Run ----------------------------------------------------------

func (col *collector) services(ctx context.Context, project, region string) {
	_ = col.call(ctx, project, apiRun, "services in "+region, func(ctx context.Context) (int, error) {
		var got []inventory.Consumer
		it := col.c.Services.ListServices(ctx, &runpb.ListServicesRequest{Parent: "projects/" + project + "/locations/" + region, PageSize: 500})
		for {
			s, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return len(got), err
			}
			got = append(got, serviceConsumer(project, region, s))
		}
		col.add(func(snap *inventory.Snapshot) { snap.Consumers = append(snap.Consumers, got...) })
		return len(got), nil
	})
}

func (col *collector) jobs(ctx context.Context, project, region string) {
	_ = col.call(ctx, project, apiRun, "jobs in "+region, func(ctx context.Context) (int, error) {
		var got []inventory.Consumer
		it := col.c.Jobs.ListJobs(ctx, &runpb.ListJobsRequest{Parent: "projects/" + project + "/locations/" + region, PageSize: 500})
		for {
			j, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return len(got), err
			}
			got = append(got, jobConsumer(project, region, j))
		}
		col.add(func(snap *inventory.Snapshot) { snap.Consumers = append(snap.Consumers, got...) })
		return len(got), nil
	})
}

func (col *collector) workerPools(ctx context.Context, project, region string) {
	_ = col.call(ctx, project, apiRun, "worker pools in "+region, func(ctx context.Context) (int, error) {
		var got []inventory.Consumer
		it := col.c.WorkerPools.ListWorkerPools(ctx, &runpb.ListWorkerPoolsRequest{Parent: "projects/" + project + "/locations/" + region, PageSize: 500})
		for {
			w, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return len(got), err
			}
			got = append(got, workerPoolConsumer(project, region, w))
		}
		col.add(func(snap *inventory.Snapshot) { snap.Consumers = append(snap.Consumers, got...) })
		return len(got), nil
	})
}

func (col *collector) iamPolicy(ctx context.Context, project, service string) {
	_ = col.call(ctx, project, apiRun, "IAM policy of "+inventory.LastSegment(service), func(ctx context.Context) (int, error) {
		pol, err := col.c.Services.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: service})
		if err != nil {
			return 0, err
		}
		var invokers []string
		public := false
		for _, b := range pol.GetBindings() {
			if b.GetRole() != "roles/run.invoker" {
				continue
			}
			for _, m := range b.GetMembers() {
				invokers = append(invokers, m)
				if m == "allUsers" || m == "allAuthenticatedUsers" {
					public = true
				}
			}
		}
		sort.Strings(invokers)
		col.add(func(snap *inventory.Snapshot) {
			for i := range snap.Consumers {
				if snap.Consumers[i].ID == service {
					snap.Consumers[i].Invokers = invokers
					snap.Consumers[i].Public = snap.Consumers[i].Public || public
				}
			}
		})
		return len(invokers), nil
	})
}
