package sip

import gosip "github.com/emiago/sipgo/sip"

// SetHook makes f run first in every handler of s (nil removes it): the
// tests' way to make a handler panic.
func SetHook(s *Server, f func(*gosip.Request)) {
	if f == nil {
		s.hook.Store(nil)
		return
	}
	s.hook.Store(&f)
}
