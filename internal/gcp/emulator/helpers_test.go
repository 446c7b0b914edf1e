package emulator

import (
	"context"
	"testing"
	"time"

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
