package httpapi

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Test-only exports: checks the in-package fuzz targets use that the
// external tests (package httpapi_test) share.

// CheckErrorBody reports why b is not the API's error body (SPEC §1): a
// JSON object with a non-empty "detail" and a "code" from the spec's list.
// It returns nil for a proper error body.
func CheckErrorBody(b []byte) error {
	var eb struct {
		Detail string `json:"detail"`
		Code   string `json:"code"`
	}
	if err := json.Unmarshal(b, &eb); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if eb.Detail == "" {
		return fmt.Errorf("no detail")
	}
	if !slices.Contains(fuzzErrorCodes, eb.Code) {
		return fmt.Errorf("code %q is not one of SPEC §1's", eb.Code)
	}
	return nil
}

// HeaderValueOK reports whether net/http's server accepts s as a header
// value (no control characters other than horizontal tab).
func HeaderValueOK(s string) bool { return fuzzHeaderValueOK(s) }
