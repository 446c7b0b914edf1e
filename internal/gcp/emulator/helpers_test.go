package emulator

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// fixedNow is the clock every emulator test runs on.
var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// startYAML starts an emulator seeded with a scenario written inline.
func startYAML(t *testing.T, yaml string, opts ...Option) *Server {
	t.Helper()
	sc, err := ParseScenario(t.Name()+".yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("parsing scenario: %v", err)
	}
	return start(t, sc, opts...)
}

func start(t *testing.T, sc *Scenario, opts ...Option) *Server {
	t.Helper()
	opts = append([]Option{WithClock(func() time.Time { return fixedNow })}, opts...)
	srv, err := Start(context.Background(), sc, opts...)
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// grpcOpts are the client options for a gRPC (GAPIC) client.
func grpcOpts(srv *Server) []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(srv.Addr),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

// restOpts are the client options for a REST (discovery) client; compute
// needs its base path: restOpts(srv, "/compute/v1/").
func restOpts(srv *Server, basePath string) []option.ClientOption {
	if basePath == "" {
		basePath = "/"
	}
	return []option.ClientOption{option.WithEndpoint(srv.HTTPURL() + basePath), option.WithoutAuthentication()}
}

// testCtx is a context with a deadline, so a failing call cannot hang.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newGRPCClient makes a gRPC (GAPIC) client of the emulator, closed when
// the test ends: newGRPCClient(t, srv, asset.NewClient).
func newGRPCClient[C interface{ Close() error }](t *testing.T, srv *Server, newClient func(context.Context, ...option.ClientOption) (C, error)) C {
	t.Helper()
	c, err := newClient(testCtx(t), grpcOpts(srv)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// newRESTService makes a REST (discovery) client of the emulator:
// newRESTService(t, srv, "/", dns.NewService).
func newRESTService[S any](t *testing.T, srv *Server, basePath string, newService func(context.Context, ...option.ClientOption) (S, error)) S {
	t.Helper()
	svc, err := newService(testCtx(t), restOpts(srv, basePath)...)
	if err != nil {
		t.Fatalf("new REST service: %v", err)
	}
	return svc
}

// drain collects what a GAPIC list iterator's Next yields: every item, or
// those before the first error and the error.
func drain[T any](next func() (T, error)) ([]T, error) {
	var out []T
	for {
		v, err := next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}

// apiErr asserts err is a *googleapi.Error with the HTTP code (and, when
// reason is set, that first errors[].reason).
func apiErr(t *testing.T, err error, code int, reason string) *googleapi.Error {
	t.Helper()
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		t.Fatalf("want *googleapi.Error %d, got %T %v", code, err, err)
	}
	if ge.Code != code {
		t.Fatalf("want HTTP %d, got %d: %v", code, ge.Code, ge)
	}
	if reason != "" && (len(ge.Errors) == 0 || ge.Errors[0].Reason != reason) {
		t.Fatalf("want reason %q, got %+v", reason, ge.Errors)
	}
	return ge
}
