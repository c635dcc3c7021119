package app

import "strings"

// CommandPaths lists the path of every command, groups and the root ("")
// included, so the help test can tell when a command has no row.
func CommandPaths() []string {
	var out []string
	var visit func(path []string, c *command)
	visit = func(path []string, c *command) {
		out = append(out, strings.Join(path, " "))
		for _, s := range c.subs {
			visit(append(path[:len(path):len(path)], s.name), s)
		}
	}
	visit(nil, commands())
	return out
}
