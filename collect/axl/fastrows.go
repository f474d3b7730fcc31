package axl

import (
	"strings"

	"github.com/cucm-audit/cucm-audit/collect/soap"
)

// rowReader is the fast path of readRows (soap.FastFunc): an executeSQLQueryResponse with one
// return holding rows of columns, each column's text read as soap.Text reads it. Anything
// else (another element beside return or inside it, a column with elements inside, a row
// without columns) is left to readRows, which says what is wrong. Column names are interned
// across rows.
type rowReader struct {
	keys map[string]string // column name as answered → lower-case key
	buf  []byte
	ends []int
	cols []string
	last int // columns of the previous row, to size the next map
	pool *rowPool
}

// rowPool keeps the maps of rows their reader is done with (Query.Reuse), for the next rows.
type rowPool struct{ free []Row }

// get is an empty map from the pool, or a new one sized for n columns.
func (p *rowPool) get(n int) Row {
	if p == nil || len(p.free) == 0 {
		return make(Row, n)
	}
	r := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	clear(r)
	return r
}

// put hands rows back to the pool (nil: dropped).
func (p *rowPool) put(rows []Row) {
	if p != nil {
		p.free = append(p.free, rows...)
	}
}

func (r *rowReader) read(s *soap.Scanner, fn func(Row)) bool {
	if !s.Expect("executeSQLQueryResponse", Namespace) {
		return false
	}
	if r.keys == nil {
		r.keys = map[string]string{}
	}
	returns := 0
	for {
		more, ok := s.Child()
		if !ok {
			return false
		}
		if !more {
			return returns == 1
		}
		if string(s.Local()) != "return" || returns > 0 {
			return false
		}
		returns++
		for {
			more, ok := s.Child()
			if !ok {
				return false
			}
			if !more {
				break
			}
			if string(s.Local()) != "row" {
				return false
			}
			row, ok := r.row(s)
			if !ok {
				return false
			}
			fn(row)
		}
	}
}

// row reads the columns of one row (just started) to its end.
func (r *rowReader) row(s *soap.Scanner) (Row, bool) {
	r.buf, r.ends, r.cols = r.buf[:0], r.ends[:0], r.cols[:0]
	for {
		more, ok := s.Child()
		if !ok {
			return nil, false
		}
		if !more {
			break
		}
		key, found := r.keys[string(s.Local())]
		if !found {
			name := string(s.Local())
			key = strings.ToLower(name)
			r.keys[name] = key
		}
		if r.buf, ok = s.Text(r.buf); !ok {
			return nil, false
		}
		r.cols = append(r.cols, key)
		r.ends = append(r.ends, len(r.buf))
	}
	if len(r.cols) == 0 {
		return nil, false
	}
	// One string per value, not one per row: the inventory keeps a few values of each row for
	// the whole collection (names, keys), and a shared string would keep the whole row.
	row := r.pool.get(max(r.last, len(r.cols)))
	start := 0
	for i, k := range r.cols {
		row[k] = string(r.buf[start:r.ends[i]])
		start = r.ends[i]
	}
	r.last = len(r.cols)
	return row, true
}
