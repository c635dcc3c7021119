package client

import "iter"

// Page is one page of a list, newest first. NextCursor is "" on the last
// page; pass it as the Cursor parameter to get the next one.
type Page[T any] struct {
	Data       []T
	Limit      int
	NextCursor string
}

// newPage makes a Page of a list body's data and pagination.
func newPage[T any](data []T, p Pagination) *Page[T] {
	if data == nil {
		data = []T{}
	}
	pg := &Page[T]{Data: data, Limit: p.Limit}
	if p.NextCursor != nil {
		pg.NextCursor = *p.NextCursor
	}
	return pg
}

// each iterates over a whole list: page fetches the page at cursor (nil
// for the first). It stops after the first error, which it yields.
func each[T any](first *string, page func(cursor *string) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		cursor := first
		for {
			p, err := page(cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, v := range p.Data {
				if !yield(v, nil) {
					return
				}
			}
			if p.NextCursor == "" {
				return
			}
			cursor = &p.NextCursor
		}
	}
}

// params returns a copy of *p, or a zero value when p is nil, so a list
// method can set the cursor without touching the caller's parameters.
func params[P any](p *P) *P {
	var q P
	if p != nil {
		q = *p
	}
	return &q
}
