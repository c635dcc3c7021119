package fetch

import (
	"net/netip"
	"strconv"
	"strings"
)

// numericIPv4 interprets host the way browsers (the WHATWG URL standard) and
// inet_aton do: "127.1", "2130706433", "0x7f000001", "0177.0.0.1" and
// "127.0.0.1." all mean 127.0.0.1. Go's resolver does not accept these
// spellings, so without this step they would be sent to DNS, where the
// outcome depends on the resolver in use (glibc would turn them into an IP,
// a recursive resolver would say NXDOMAIN). Normalising them first makes the
// dial check see the address the rest of the world would connect to.
//
// numeric reports whether the host "ends in a number" and therefore must be
// treated as an IPv4 address; when numeric is true and ok is false the host
// is not a valid address at all and must be refused.
func numericIPv4(host string) (addr netip.Addr, numeric, ok bool) {
	if host == "" || strings.Contains(host, ":") {
		return netip.Addr{}, false, false // empty, or an IPv6 literal
	}
	parts := strings.Split(host, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last == "" {
		return netip.Addr{}, false, false
	}
	if !allDigits(last) {
		if _, valid := ipv4Number(last); !valid {
			return netip.Addr{}, false, false
		}
	}
	if len(parts) > 4 {
		return netip.Addr{}, true, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, valid := ipv4Number(p)
		if !valid {
			return netip.Addr{}, true, false
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, true, false
		}
	}
	if nums[len(nums)-1] >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, true, false
	}
	v := nums[len(nums)-1]
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, true
}

// ipv4Number parses one dotted part: "0x" prefix is hex (an empty remainder
// is zero), a leading "0" is octal, anything else decimal.
func ipv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	// Parts longer than this cannot be a valid address and would only risk
	// overflowing ParseUint's error path into an accepted value.
	if len(s) > 32 {
		return 0, false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF"[:digitsFor(base)], c) {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

func digitsFor(base int) int {
	switch base {
	case 8:
		return 8
	case 16:
		return 22
	}
	return 10
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
