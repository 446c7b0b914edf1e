package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// methodSpec says which API a method belongs to (for disabled-API answers)
// and which IAM permission it needs (for denied-permission answers).
type methodSpec struct {
	API        string
	Permission string
}

// methodSpecs is keyed by gRPC full method without the leading slash
// ("google.cloud.run.v2.Services/ListServices") or by REST route pattern
// ("GET /compute/v1/projects/{project}/aggregated/routers"). Each API file
// adds its own in init.
var methodSpecs = map[string]methodSpec{}

// addSpecs adds the methods of one API (API "": gated on none), each with
// the permission it needs ("": none).
func addSpecs(api string, permissions map[string]string) {
	for method, perm := range permissions {
		methodSpecs[method] = methodSpec{API: api, Permission: perm}
	}
}

// Each API file appends its registration in init, so API files stay
// independent of each other.
var (
	grpcRegistrars []func(*Server, *grpc.Server)
	restRegistrars []func(*Server, *http.ServeMux)
)

func (s *Server) registerGRPC(g *grpc.Server) {
	for _, r := range grpcRegistrars {
		r(s, g)
	}
}

func (s *Server) registerREST(mux *http.ServeMux) {
	for _, r := range restRegistrars {
		r(s, mux)
	}
}

// unaryInterceptor applies latency, faults, disabled APIs and denied
// permissions to every gRPC call.
func (s *Server) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	method := strings.TrimPrefix(info.FullMethod, "/")
	project := ""
	if m, ok := req.(proto.Message); ok {
		project = s.projectFromName(requestResource(m.ProtoReflect()))
	}
	if e := s.admit(ctx, method, project); e != nil {
		return nil, e.grpcErr()
	}
	resp, err := handler(ctx, req)
	if ae, ok := err.(*apiError); ok {
		return nil, ae.grpcErr()
	}
	return resp, err
}

// requestResource finds the resource a request is about: its name, parent,
// resource or scope field, or the name of the resource it carries.
func requestResource(m protoreflect.Message) string {
	fields := m.Descriptor().Fields()
	for _, n := range []protoreflect.Name{"name", "parent", "resource", "scope"} {
		if f := fields.ByName(n); f != nil && f.Kind() == protoreflect.StringKind && !f.IsList() {
			if v := m.Get(f).String(); v != "" {
				return v
			}
		}
	}
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		if f.Kind() == protoreflect.MessageKind && !f.IsList() && !f.IsMap() && m.Has(f) {
			sub := m.Get(f).Message()
			if nf := sub.Descriptor().Fields().ByName("name"); nf != nil && nf.Kind() == protoreflect.StringKind {
				if v := sub.Get(nf).String(); v != "" {
					return v
				}
			}
		}
	}
	return ""
}

// restMiddleware answers unmatched routes with Google's 404 envelope.
func (s *Server) restMiddleware(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			notFound("the requested URL %s was not found on this server", r.URL.Path).writeREST(w)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// restHandler serves one REST route; a returned *apiError is written as
// Google's error envelope.
type restHandler func(w http.ResponseWriter, r *http.Request) *apiError

// handle registers a REST route whose calls get latency, faults, disabled
// APIs and denied permissions applied, keyed by the route pattern (which is
// also the name faults use: "GET /compute/v1/projects/{project}/…").
func (s *Server) handle(mux *http.ServeMux, pattern string, h restHandler) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		project := ""
		for _, key := range []string{"project", "appsId"} {
			if v := r.PathValue(key); v != "" {
				s.mu.Lock()
				project = s.projectID(v)
				s.mu.Unlock()
				if project == "" {
					project = v
				}
				break
			}
		}
		if e := s.admit(r.Context(), pattern, project); e != nil {
			e.writeREST(w)
			return
		}
		if e := h(w, r); e != nil {
			e.writeREST(w)
		}
	})
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}
