package agentplane

import (
	"testing"

	"github.com/google/uuid"
)

// validByParsing is ValidID's definition: uuid.Parse accepts s and String
// gives s back.
func validByParsing(s string) bool {
	u, err := uuid.Parse(s)
	return len(s) == 36 && err == nil && u.String() == s
}

func TestValidIDIsCanonicalLowercaseUUID(t *testing.T) {
	for s, want := range map[string]bool{
		NewID():                                  true,
		"0190f1c2-7d3e-7a4b-8c5d-6e7f8a9b0c1d":   true,
		"0190F1C2-7D3E-7A4B-8C5D-6E7F8A9B0C1D":   false, // uppercase: PostgreSQL would match it, SQLite not
		"0190f1c2-7d3e-7a4b-8c5d-6e7f8a9b0c1":    false,
		"0190f1c27d3e7a4b8c5d6e7f8a9b0c1d":       false, // no hyphens
		"{0190f1c2-7d3e-7a4b-8c5d-6e7f8a9b0c1d}": false,
		"0190f1c2+7d3e-7a4b-8c5d-6e7f8a9b0c1d":   false,
		"0190f1c2-7d3e-7a4b-8c5d-6e7f8a9b0c1g":   false,
		"":                                       false,
	} {
		if got := ValidID(s); got != want || got != validByParsing(s) {
			t.Errorf("ValidID(%q) = %v, want %v (by parsing: %v)", s, got, want, validByParsing(s))
		}
	}
}

func FuzzValidID(f *testing.F) {
	f.Add("0190f1c2-7d3e-7a4b-8c5d-6e7f8a9b0c1d")
	f.Add("urn:uuid:0190f1c2-7d3e-7a4b-8c5d-6e7f")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidID(s) != validByParsing(s) {
			t.Fatalf("ValidID(%q) = %v, parsing says %v", s, ValidID(s), validByParsing(s))
		}
	})
}
