// Package gcp is vpcshift's only door to Google Cloud: it builds every API
// client from one set of options, collects resources into
// internal/inventory types, performs the migration's mutations and waits
// for their operations, and maps API errors to vpcshift's own. No SDK type
// leaves this package.
package gcp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	asset "cloud.google.com/go/asset/apiv1"
	billing "cloud.google.com/go/billing/apiv1"
	monitoring "cloud.google.com/go/monitoring/apiv3/v2"
	run "cloud.google.com/go/run/apiv2"
	vpcaccess "cloud.google.com/go/vpcaccess/apiv1"
	appengine "google.golang.org/api/appengine/v1"
	cloudfunctions "google.golang.org/api/cloudfunctions/v2"
	compute "google.golang.org/api/compute/v1"
	dns "google.golang.org/api/dns/v1"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// EmulatorEnv names the environment variable that points every client at a
// running vpcshift emulator (after the PUBSUB_EMULATOR_HOST convention).
const EmulatorEnv = "VPCSHIFT_EMULATOR_HOST"

// DefaultCallTimeout bounds every API call that has no shorter deadline.
const DefaultCallTimeout = 60 * time.Second

// Config says where the clients connect.
type Config struct {
	// Emulator is the host:port of a vpcshift emulator; "" means Google,
	// with Application Default Credentials.
	Emulator string
	// UserAgent is appended to every request's user agent.
	UserAgent string
	// QuotaProject bills API quota to this project ("" = the ADC default).
	QuotaProject string
	// CallTimeout bounds each call (default DefaultCallTimeout).
	CallTimeout time.Duration
	// Options are added to every client (tests use this for nothing else).
	Options []option.ClientOption
}

// Clients holds one client per API. Build it with New; Close it once.
type Clients struct {
	cfg Config

	Services    *run.ServicesClient
	Jobs        *run.JobsClient
	WorkerPools *run.WorkerPoolsClient
	Revisions   *run.RevisionsClient
	RunLocs     *run.LocationsClient
	VPCAccess   *vpcaccess.Client
	Catalog     *billing.CloudCatalogClient
	Asset       *asset.Client
	Metrics     *monitoring.MetricClient

	// REST (discovery) clients. Functions and App Engine use the REST
	// surface because only it carries Direct VPC egress fields
	// (serviceConfig.directVpcNetworkInterface, Version.vpcAccess); the
	// gRPC functionspb v1.27.1 lacks them.
	Compute   *compute.Service
	DNS       *dns.Service
	Functions *cloudfunctions.Service
	AppEngine *appengine.APIService

	closers []func() error
}

// baseOptions is the one set of options every client is built from.
func (cfg Config) baseOptions() []option.ClientOption {
	var opts []option.ClientOption
	if cfg.Emulator != "" {
		opts = append(opts, option.WithoutAuthentication())
	}
	if cfg.UserAgent != "" {
		opts = append(opts, option.WithUserAgent(cfg.UserAgent))
	}
	if cfg.QuotaProject != "" {
		opts = append(opts, option.WithQuotaProject(cfg.QuotaProject))
	}
	return append(opts, cfg.Options...)
}

// grpcOptions adds, under the emulator, its address and a plaintext dial.
func (cfg Config) grpcOptions() []option.ClientOption {
	opts := cfg.baseOptions()
	if cfg.Emulator != "" {
		opts = append(opts,
			option.WithEndpoint(cfg.Emulator),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	}
	return opts
}

// restOptions adds, under the emulator, its URL with the client's base path
// (compute's discovery client needs "/compute/v1/"; the others "/").
func (cfg Config) restOptions(basePath string) []option.ClientOption {
	opts := cfg.baseOptions()
	if cfg.Emulator != "" {
		opts = append(opts, option.WithEndpoint("http://"+cfg.Emulator+basePath))
	}
	return opts
}

// New builds every client. Without an emulator it uses Application Default
// Credentials; a missing credential is reported as *CredentialsError.
func New(ctx context.Context, cfg Config) (*Clients, error) {
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	c := &Clients{cfg: cfg}
	fail := func(what string, err error) (*Clients, error) {
		c.Close()
		if isCredentialsErr(err) {
			return nil, &CredentialsError{Err: err}
		}
		return nil, fmt.Errorf("creating %s client: %w", what, err)
	}
	g := cfg.grpcOptions()
	var err error
	if c.Services, err = run.NewServicesClient(ctx, g...); err != nil {
		return fail("Cloud Run services", err)
	}
	c.closers = append(c.closers, c.Services.Close)
	if c.Jobs, err = run.NewJobsClient(ctx, g...); err != nil {
		return fail("Cloud Run jobs", err)
	}
	c.closers = append(c.closers, c.Jobs.Close)
	if c.WorkerPools, err = run.NewWorkerPoolsClient(ctx, g...); err != nil {
		return fail("Cloud Run worker pools", err)
	}
	c.closers = append(c.closers, c.WorkerPools.Close)
	if c.Revisions, err = run.NewRevisionsClient(ctx, g...); err != nil {
		return fail("Cloud Run revisions", err)
	}
	c.closers = append(c.closers, c.Revisions.Close)
	if c.RunLocs, err = run.NewLocationsClient(ctx, g...); err != nil {
		return fail("Cloud Run locations", err)
	}
	c.closers = append(c.closers, c.RunLocs.Close)
	if c.VPCAccess, err = vpcaccess.NewClient(ctx, g...); err != nil {
		return fail("Serverless VPC Access", err)
	}
	c.closers = append(c.closers, c.VPCAccess.Close)
	if c.Catalog, err = billing.NewCloudCatalogClient(ctx, g...); err != nil {
		return fail("Cloud Billing Catalog", err)
	}
	c.closers = append(c.closers, c.Catalog.Close)
	if c.Asset, err = asset.NewClient(ctx, g...); err != nil {
		return fail("Cloud Asset", err)
	}
	c.closers = append(c.closers, c.Asset.Close)
	if c.Metrics, err = monitoring.NewMetricClient(ctx, g...); err != nil {
		return fail("Cloud Monitoring", err)
	}
	c.closers = append(c.closers, c.Metrics.Close)

	if c.Compute, err = compute.NewService(ctx, cfg.restOptions("/compute/v1/")...); err != nil {
		return fail("Compute Engine", err)
	}
	if c.DNS, err = dns.NewService(ctx, cfg.restOptions("/")...); err != nil {
		return fail("Cloud DNS", err)
	}
	if c.Functions, err = cloudfunctions.NewService(ctx, cfg.restOptions("/")...); err != nil {
		return fail("Cloud Functions", err)
	}
	if c.AppEngine, err = appengine.NewService(ctx, cfg.restOptions("/")...); err != nil {
		return fail("App Engine", err)
	}
	return c, nil
}

// Close closes every gRPC client.
func (c *Clients) Close() error {
	var errs []error
	for _, f := range c.closers {
		errs = append(errs, f())
	}
	c.closers = nil
	return errors.Join(errs...)
}

// Emulated reports whether the clients talk to an emulator.
func (c *Clients) Emulated() bool { return c.cfg.Emulator != "" }

// callCtx bounds one call: the caller's deadline or CallTimeout, whichever
// comes first.
func (c *Clients) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.cfg.CallTimeout)
}

// CredentialsError means Application Default Credentials are missing or
// unusable.
type CredentialsError struct{ Err error }

func (e *CredentialsError) Error() string {
	return "no Google Cloud credentials: " + e.Err.Error() +
		"\n  fix: run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file," +
		"\n       or try the built-in demo with --demo"
}

func (e *CredentialsError) Unwrap() error { return e.Err }

func isCredentialsErr(err error) bool {
	s := err.Error()
	return strings.Contains(s, "could not find default credentials") || strings.Contains(s, "credentials:")
}
