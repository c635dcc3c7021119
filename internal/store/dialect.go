package store

import "fmt"

// dialect holds the few SQL fragments that differ between the engines.
// Everything else is one text with $N placeholders, which modernc's SQLite
// driver binds by number just like PostgreSQL.
type dialect struct {
	engine Engine
	// likeOp matches case-insensitively (SQLite's LIKE already folds ASCII).
	likeOp string
	// forUpdate locks selected rows in a transaction; SQLite needs nothing
	// because an immediate transaction already holds the write lock.
	forUpdate string
	// jsonParam casts a bound text parameter to the JSON column type.
	jsonParam func(n int) string
	// metadataHas renders "the object in column col has key $k with a JSON
	// value equal to $v".
	metadataHas func(col string, k, v int) string
	// greatest is the function of the largest of its arguments.
	greatest string
}

var dialects = map[Engine]*dialect{
	SQLite: {
		engine:    SQLite,
		greatest:  "max",
		likeOp:    "LIKE",
		forUpdate: "",
		jsonParam: func(n int) string { return fmt.Sprintf("$%d", n) },
		// json_each yields the type and value of each member; comparing the
		// type too keeps true from matching 1. Objects compare as their
		// compacted text. A row SQLite can't parse (nested past its limit
		// of 1,000, stored before requests were capped at 64) matches
		// nothing instead of failing the whole list.
		metadataHas: func(col string, k, v int) string {
			return fmt.Sprintf("EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(%[1]s) THEN %[1]s ELSE '{}' END) AS m WHERE m.key = $%[2]d AND m.type = json_type($%[3]d) AND m.value IS json_extract($%[3]d, '$'))", col, k, v)
		},
	},
	Postgres: {
		engine:      Postgres,
		greatest:    "greatest",
		likeOp:      "ILIKE",
		forUpdate:   " FOR UPDATE",
		jsonParam:   func(n int) string { return fmt.Sprintf("$%d::jsonb", n) },
		metadataHas: func(col string, k, v int) string { return fmt.Sprintf("%s -> $%d = $%d::jsonb", col, k, v) },
	},
}
