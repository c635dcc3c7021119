package store

import "strings"

// Building JSON in SQL lets one statement return a row together with the
// rows that hang off it (the agent detail) instead of one statement per
// embed. The engines spell it differently; these dialect methods are the
// only place that knows how, so store methods write one SQL text.
//
// Rows are JSON arrays of column values in select order, not objects:
// half the bytes to build and to read, and no keys to match. tuples
// (json_tuples.go) reads them. What the engines put into them differs
// only where tuples reads both forms: booleans are true/false on
// PostgreSQL and 1/0 on SQLite (which stores them as integers), REAL
// columns print as 3 or 3.0; both print floats with enough digits to read
// back the same float64 (SQLite ≥ 3.43, PostgreSQL ≥ 12).

// jsonRow renders an expression building one row of cols as a JSON array.
func (d *dialect) jsonRow(cols []string) string {
	if d.engine == SQLite {
		return "json_array(" + strings.Join(cols, ", ") + ")"
	}
	return "json_build_array(" + strings.Join(cols, ", ") + ")"
}

// jsonRows renders a scalar sub-select aggregating the rows of from (the
// text after FROM: tables, joins, WHERE) into a JSON array of rows of
// cols, in no particular order. filter, when not "", drops rows from the
// aggregate without taking part in choosing indexes (the agent's numbers
// use it; see there). No rows give [] on both engines.
func (d *dialect) jsonRows(cols []string, from, filter string) string {
	agg := "json_agg(" + d.jsonRow(cols) + ")"
	if d.engine == SQLite {
		agg = "json_group_array(" + d.jsonRow(cols) + ")"
	}
	if filter != "" {
		agg += " FILTER (WHERE " + filter + ")"
	}
	if d.engine == Postgres {
		agg = "coalesce(" + agg + ", '[]'::json)"
	}
	return "(SELECT " + agg + " FROM " + from + ")"
}

// jsonDoc renders a column holding a JSON object or array (TEXT on SQLite,
// TEXT or JSONB on PostgreSQL) as a value to embed as JSON, not as a
// string. tuples.doc reads it.
func (d *dialect) jsonDoc(col string) string {
	if d.engine == Postgres {
		return col + "::json"
	}
	// A document SQLite can't parse (nested past its limit of 1,000,
	// stored before requests were capped at 64 levels) would fail the whole
	// statement in json(); it travels as a string instead, which tuples.doc
	// unwraps, so the row reads as it did column by column.
	return "CASE WHEN json_valid(" + col + ") THEN json(" + col + ") ELSE json_quote(" + col + ") END"
}
