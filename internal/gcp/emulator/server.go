// Package emulator is an in-process emulator of the Google Cloud APIs
// vpcshift uses, on loopback, speaking the real wire protocols: gRPC for
// Cloud Run v2, Serverless VPC Access, the Billing Catalog, Cloud Asset,
// Cloud Monitoring and long-running operations; REST JSON for Compute
// Engine, Cloud DNS, Cloud Functions v2 and App Engine v1. The official Go
// clients talk to it exactly as they talk to Google.
//
// Both protocols share one address: a connection that opens with the
// HTTP/2 preface goes to the gRPC server, anything else to the HTTP server.
//
// It is seeded from a Scenario, keeps state (updates are visible to later
// reads), finishes long-running operations on their first poll, and injects
// latency and faults per method. It is vpcshift's test double and its demo.
package emulator

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// Option configures a Server.
type Option func(*Server)

// WithClock sets the emulator's clock (for deterministic tests).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithListen sets the listen address (default 127.0.0.1:0).
func WithListen(addr string) Option { return func(s *Server) { s.listen = addr } }

// WithPendingPolls makes every long-running operation report not-done for
// n polls before it is done (default 0: done on the first poll).
func WithPendingPolls(n int) Option { return func(s *Server) { s.pendingPolls = n } }

// WithLogf logs every call.
func WithLogf(logf func(format string, args ...any)) Option { return func(s *Server) { s.logf = logf } }

// Server is a running emulator.
type Server struct {
	// Addr is host:port, for gRPC clients as it is and for REST clients as
	// "http://"+Addr.
	Addr string

	listen       string
	pendingPolls int
	logf         func(string, ...any)
	now          func() time.Time

	mu       sync.Mutex
	scenario *Scenario
	projects map[string]*Project // by project ID; deep copies of the scenario's
	byNumber map[string]string   // project number -> ID
	order    []string            // project IDs in scenario order
	latency  time.Duration
	faults   []*faultState
	calls    map[string]int
	seq      int
	ops      map[string]*operation

	lis        net.Listener
	grpcServer *grpc.Server
	httpServer *http.Server
	grpcLis    *chanListener
	httpLis    *chanListener
	wg         sync.WaitGroup
	closeOnce  sync.Once
}

type faultState struct {
	Fault
	seen  int // matching calls so far
	fired int // times it failed
}

// hit counts a call of method for project, and reports whether the fault
// strikes it: an operation fault (or a call fault, for operation false) of
// that method and project, past its first After calls and not yet fired
// Times times. Callers hold s.mu.
func (f *faultState) hit(method, project string, operation bool) bool {
	if f.Method != method || f.Operation != operation {
		return false
	}
	if f.Project != "" && f.Project != project {
		return false
	}
	f.seen++
	if f.seen <= f.After {
		return false
	}
	if f.Times > 0 && f.fired >= f.Times {
		return false
	}
	f.fired++
	return true
}

// Start starts an emulator seeded with sc (nil: no projects) and returns
// once it accepts connections. Close stops it; so does cancelling ctx.
func Start(ctx context.Context, sc *Scenario, opts ...Option) (*Server, error) {
	if sc == nil {
		sc = &Scenario{}
	}
	s := &Server{
		listen: "127.0.0.1:0",
		now:    time.Now,
		calls:  map[string]int{},
		ops:    map[string]*operation{},
	}
	for _, o := range opts {
		o(s)
	}
	if err := s.load(sc); err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", s.listen)
	if err != nil {
		return nil, fmt.Errorf("emulator: listening on %s: %w", s.listen, err)
	}
	s.lis = lis
	s.Addr = lis.Addr().String()
	s.grpcLis = newChanListener(lis.Addr())
	s.httpLis = newChanListener(lis.Addr())

	s.grpcServer = grpc.NewServer(grpc.ChainUnaryInterceptor(s.unaryInterceptor))
	s.registerGRPC(s.grpcServer)
	mux := http.NewServeMux()
	s.registerREST(mux)
	s.httpServer = &http.Server{Handler: s.restMiddleware(mux), ReadHeaderTimeout: 10 * time.Second}

	s.wg.Add(3)
	go func() { defer s.wg.Done(); _ = s.grpcServer.Serve(s.grpcLis) }()
	go func() { defer s.wg.Done(); _ = s.httpServer.Serve(s.httpLis) }()
	go func() { defer s.wg.Done(); s.acceptLoop() }()
	if ctx != nil {
		go func() {
			select {
			case <-ctx.Done():
				s.Close()
			case <-s.grpcLis.done:
			}
		}()
	}
	return s, nil
}

// Close stops the emulator and waits for its goroutines.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		_ = s.lis.Close()
		s.grpcLis.Close()
		s.httpLis.Close()
		s.grpcServer.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = s.httpServer.Shutdown(ctx)
		s.wg.Wait()
	})
	return nil
}

// HTTPURL is the base URL for REST clients.
func (s *Server) HTTPURL() string { return "http://" + s.Addr }

func (s *Server) acceptLoop() {
	for {
		conn, err := s.lis.Accept()
		if err != nil {
			return
		}
		go s.route(conn)
	}
}

// route peeks at the first bytes: "PRI" opens the HTTP/2 preface that gRPC
// clients send; HTTP/1.1 requests begin with a method name.
func (s *Server) route(conn net.Conn) {
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	head, err := br.Peek(3)
	_ = conn.SetReadDeadline(time.Time{})
	if err != nil {
		conn.Close()
		return
	}
	pc := &peekedConn{Conn: conn, r: br}
	if string(head) == "PRI" {
		s.grpcLis.deliver(pc)
	} else {
		s.httpLis.deliver(pc)
	}
}

type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// chanListener is a net.Listener fed by the accept loop.
type chanListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) deliver(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }

// --- faults, latency and call accounting -------------------------------

// InjectFault adds a fault at run time (as a scenario's faults: do).
func (s *Server) InjectFault(f Fault) error {
	if f.Code != "" {
		if _, _, err := parseCode(f.Code); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f})
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// SetLatency changes the latency added to every call.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Calls returns how many calls a method (gRPC full method without the
// leading slash, or REST route pattern) has received.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// TotalCalls returns the number of calls received, all methods together.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

// CallCounts returns a copy of the per-method call counts.
func (s *Server) CallCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// admit runs before every call: it counts it, waits the latency, and
// returns the error a fault, a disabled API or a denied permission causes.
// An operation fault is not returned here (see opFault).
func (s *Server) admit(ctx context.Context, method, project string) *apiError {
	spec := methodSpecs[method]
	s.mu.Lock()
	s.calls[method]++
	delay := s.latency
	var fault *apiError
	for _, f := range s.faults {
		if !f.hit(method, project, false) {
			continue
		}
		delay += f.Delay
		if f.Code != "" {
			code, httpStatus, _ := parseCode(f.Code)
			msg := f.Message
			if msg == "" {
				msg = fmt.Sprintf("injected fault: %s", f.Code)
			}
			fault = &apiError{code: code, http: httpStatus, message: msg}
		}
		break
	}
	var p *Project
	if project != "" {
		p = s.projects[project]
	}
	num := ""
	if p != nil {
		num = p.ProjectNumber
	}
	logf := s.logf
	s.mu.Unlock()
	if logf != nil {
		logf("emulator: %s project=%s", method, project)
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return newError(errCode(ctx.Err()), "%v", ctx.Err())
		case <-t.C:
		}
	}
	if fault != nil {
		return fault
	}
	if p == nil || spec.API == "" {
		return nil
	}
	for _, a := range p.DisabledAPIs {
		if a == spec.API {
			return serviceDisabled(spec.API, num)
		}
	}
	if spec.Permission != "" {
		for _, d := range p.DeniedPermissions {
			if d == spec.Permission {
				return permissionDenied(spec.Permission, "projects/"+project)
			}
		}
	}
	return nil
}

// opFault returns the error an operation fault makes a mutation's
// long-running operation end with, or nil.
func (s *Server) opFault(method, project string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if !f.hit(method, project, true) {
			continue
		}
		code, httpStatus, _ := parseCode(f.Code)
		if f.Code == "" {
			code, httpStatus = codes.Internal, 500
		}
		msg := f.Message
		if msg == "" {
			msg = "injected operation failure"
		}
		return &apiError{code: code, http: httpStatus, message: msg}
	}
	return nil
}

func errCode(err error) codes.Code {
	if errors.Is(err, context.DeadlineExceeded) {
		return codes.DeadlineExceeded
	}
	return codes.Canceled
}

// nextID returns a fresh sequential id (deterministic per server).
func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%06d", prefix, s.seq)
}

// projectID resolves a project ID or number to the ID; "" if unknown.
func (s *Server) projectID(idOrNumber string) string {
	if _, ok := s.projects[idOrNumber]; ok {
		return idOrNumber
	}
	return s.byNumber[idOrNumber]
}

// projectFromName extracts the project of a resource name such as
// projects/P/locations/R/… or apps/P/…, resolved to its ID ("" if none).
func (s *Server) projectFromName(name string) string {
	parts := strings.Split(name, "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "projects" || parts[i] == "apps" {
			s.mu.Lock()
			id := s.projectID(parts[i+1])
			s.mu.Unlock()
			if id == "" {
				return parts[i+1]
			}
			return id
		}
	}
	return ""
}

// lastSegment is the name at the end of a resource name, path or URL.
func lastSegment(v string) string { return v[strings.LastIndex(v, "/")+1:] }

func sortStrings(in []string) []string {
	sort.Strings(in)
	return in
}

// sortedKeys returns the keys of a map sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
