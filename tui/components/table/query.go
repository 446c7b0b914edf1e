package table

import (
	"fmt"
	"strings"
)

// term is one word of a filter query.
type term struct {
	col int    // column index, -1 for any column
	val string // lower-case
	neg bool
}

// Query is a compiled filter: every term must match. A term is free text
// (matched against every cell), or column:value (matched against the
// cells of the columns whose key starts with "column"); a leading "!"
// negates it. Matching is case-insensitive substring matching.
type Query struct {
	terms []term
}

// Empty reports whether the query keeps every row.
func (q Query) Empty() bool { return len(q.terms) == 0 }

// ParseQuery compiles s against the columns. An unknown column name is an
// error that says which names exist.
func ParseQuery(s string, cols []Column) (Query, error) {
	var q Query
	for _, f := range strings.Fields(s) {
		t := term{col: -1}
		if strings.HasPrefix(f, "!") && len(f) > 1 {
			t.neg = true
			f = f[1:]
		}
		if name, val, ok := strings.Cut(f, ":"); ok && name != "" {
			idx := columnIndex(name, cols)
			if idx < 0 {
				return Query{}, fmt.Errorf("no column %q (columns: %s)", name, columnKeys(cols))
			}
			t.col, f = idx, val
		}
		t.val = strings.ToLower(f)
		if t.val == "" && t.col == -1 {
			continue
		}
		q.terms = append(q.terms, t)
	}
	return q, nil
}

func columnIndex(name string, cols []Column) int {
	name = strings.ToLower(name)
	for i, c := range cols {
		if c.key() == name {
			return i
		}
	}
	for i, c := range cols {
		if strings.HasPrefix(c.key(), name) {
			return i
		}
	}
	return -1
}

func columnKeys(cols []Column) string {
	keys := make([]string, len(cols))
	for i, c := range cols {
		keys[i] = c.key()
	}
	return strings.Join(keys, ", ")
}

// Match reports whether a row's lower-cased cells satisfy the query.
func (q Query) Match(lower []string) bool {
	for _, t := range q.terms {
		hit := false
		if t.col >= 0 {
			hit = t.col < len(lower) && strings.Contains(lower[t.col], t.val)
		} else {
			for _, c := range lower {
				if strings.Contains(c, t.val) {
					hit = true
					break
				}
			}
		}
		if hit == t.neg {
			return false
		}
	}
	return true
}
