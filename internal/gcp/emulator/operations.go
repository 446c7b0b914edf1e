package emulator

import (
	"context"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/emptypb"
)

// operation is a long-running operation served by
// google.longrunning.Operations. It is done once it has been polled
// s.pendingPolls times (0: on the first poll).
type operation struct {
	name      string
	metadata  *anypb.Any
	response  *anypb.Any
	err       *apiError
	pollsLeft int
	done      bool
}

func init() {
	grpcRegistrars = append(grpcRegistrars, func(s *Server, g *grpc.Server) {
		longrunningpb.RegisterOperationsServer(g, &operationsServer{s: s})
	})
	// Operations belong to whichever API created them; no gating here.
}

// newOperation records an operation that will end with resp (or with
// opErr) and returns its not-yet-done wire form. Callers hold s.mu.
func (s *Server) newOperation(name string, metadata, resp proto.Message, opErr *apiError) *longrunningpb.Operation {
	op := &operation{name: name, err: opErr, pollsLeft: s.pendingPolls}
	if metadata != nil {
		op.metadata, _ = anypb.New(metadata)
	}
	if resp == nil {
		resp = &emptypb.Empty{}
	}
	op.response, _ = anypb.New(resp)
	s.ops[name] = op
	return &longrunningpb.Operation{Name: name, Metadata: op.metadata, Done: false}
}

func (op *operation) wire() *longrunningpb.Operation {
	w := &longrunningpb.Operation{Name: op.name, Metadata: op.metadata, Done: op.done}
	if op.done {
		if op.err != nil {
			w.Result = &longrunningpb.Operation_Error{Error: statusProto(op.err)}
		} else {
			w.Result = &longrunningpb.Operation_Response{Response: op.response}
		}
	}
	return w
}

type operationsServer struct {
	longrunningpb.UnimplementedOperationsServer
	s *Server
}

func (o *operationsServer) poll(name string) (*longrunningpb.Operation, error) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	op, ok := o.s.ops[name]
	if !ok {
		return nil, notFound("operation %q not found", name).grpcErr()
	}
	if !op.done {
		if op.pollsLeft > 0 {
			op.pollsLeft--
		} else {
			op.done = true
		}
	}
	return op.wire(), nil
}

func (o *operationsServer) GetOperation(_ context.Context, req *longrunningpb.GetOperationRequest) (*longrunningpb.Operation, error) {
	return o.poll(req.GetName())
}

func (o *operationsServer) WaitOperation(_ context.Context, req *longrunningpb.WaitOperationRequest) (*longrunningpb.Operation, error) {
	return o.poll(req.GetName())
}

func (o *operationsServer) DeleteOperation(_ context.Context, req *longrunningpb.DeleteOperationRequest) (*emptypb.Empty, error) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	if _, ok := o.s.ops[req.GetName()]; !ok {
		return nil, notFound("operation %q not found", req.GetName()).grpcErr()
	}
	delete(o.s.ops, req.GetName())
	return &emptypb.Empty{}, nil
}

func (o *operationsServer) ListOperations(_ context.Context, req *longrunningpb.ListOperationsRequest) (*longrunningpb.ListOperationsResponse, error) {
	o.s.mu.Lock()
	var names []string
	for n := range o.s.ops {
		if req.GetName() == "" || len(n) >= len(req.GetName()) && n[:len(req.GetName())] == req.GetName() {
			names = append(names, n)
		}
	}
	o.s.mu.Unlock()
	page, next, err := grpcPage(o.s, sortStrings(names), req, 100)
	if err != nil {
		return nil, err
	}
	resp := &longrunningpb.ListOperationsResponse{NextPageToken: next}
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	for _, n := range page {
		resp.Operations = append(resp.Operations, o.s.ops[n].wire())
	}
	return resp, nil
}
