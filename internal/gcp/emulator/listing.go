package emulator

// What the list calls of every API share: sorting by a key, cutting a page
// (the page token is the offset as a decimal string), and the inspection
// API's sorted copies of a project's resources.

import (
	"sort"
	"strconv"
)

// cutPage cuts one page out of sorted items. token is the offset as a
// decimal string ("" for the first page); size ≤ 0 means def, and the
// scenario's MaxPageSize caps it. It returns the page and the next token
// ("" on the last page). It takes s.mu: do not hold it.
func cutPage[T any](s *Server, items []T, size int, token string, def int) ([]T, string, *apiError) {
	n := len(items)
	start := 0
	if token != "" {
		v, err := strconv.Atoi(token)
		if err != nil || v < 0 || v > n {
			return nil, "", invalidArgument("invalid page token %q", token)
		}
		start = v
	}
	if size <= 0 {
		size = def
	}
	s.mu.Lock()
	max := 0
	if s.scenario != nil {
		max = s.scenario.MaxPageSize
	}
	s.mu.Unlock()
	if max > 0 && size > max {
		size = max
	}
	end := start + size
	if end > n {
		end = n
	}
	next := ""
	if end < n {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

// pageRequest is a gRPC list request.
type pageRequest interface {
	GetPageSize() int32
	GetPageToken() string
}

// grpcPage cuts the page a gRPC list request asks for (see cutPage); its
// error is a gRPC status.
func grpcPage[T any](s *Server, items []T, req pageRequest, def int) ([]T, string, error) {
	page, next, e := cutPage(s, items, int(req.GetPageSize()), req.GetPageToken(), def)
	if e != nil {
		return nil, "", e.grpcErr()
	}
	return page, next, nil
}

// sortByKey sorts items by key (with sort.Slice, as every list does).
func sortByKey[T any](items []T, key func(T) string) {
	sort.Slice(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
}

// projectCopies serves the inspection API: copies of a project's
// resources, sorted by key (nil: in stored order), or nil when the project
// is unknown.
func projectCopies[T any](s *Server, project string, copies func(*Project) []T, key func(T) string) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(project)
	if p == nil {
		return nil
	}
	out := copies(p)
	if key != nil {
		sortByKey(out, key)
	}
	return out
}
