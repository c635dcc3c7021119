package seal_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/agentplane/agentplane/internal/seal"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, seal.KeySize)
	b, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("the cursor key")
	s1, s2 := b.Seal(plain, "cursor"), b.Seal(plain, "cursor")
	if bytes.Equal(s1, s2) || bytes.Contains(s1, plain) || !seal.IsSealed(s1) {
		t.Fatalf("sealing must be randomized and hide the value: %x %x", s1, s2)
	}
	if got, err := b.Open(s1, "cursor"); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := b.Open(s1, "other-row"); !errors.Is(err, seal.ErrWrongKey) {
		t.Errorf("opened under another label: %v", err)
	}
	other, _ := seal.New(bytes.Repeat([]byte{8}, seal.KeySize))
	if _, err := other.Open(s1, "cursor"); !errors.Is(err, seal.ErrWrongKey) {
		t.Errorf("opened with another key: %v", err)
	}
	tampered := bytes.Clone(s1)
	tampered[len(tampered)-1] ^= 1
	if _, err := b.Open(tampered, "cursor"); !errors.Is(err, seal.ErrWrongKey) {
		t.Errorf("opened a tampered value: %v", err)
	}
	if seal.IsSealed(bytes.Repeat([]byte{1}, 32)) {
		t.Error("raw random bytes look sealed")
	}
	if _, err := seal.New(key[:16]); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}

// TestKeyFile: made once with mode 0600, the same key on every later read
// and for racing first readers; a corrupt file is an error, not a new key.
func TestKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secret.key")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := seal.KeyFile(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) || len(k) != seal.KeySize {
			t.Fatalf("racing readers got different keys")
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	if err := os.WriteFile(path, []byte("not base64!"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := seal.KeyFile(path); err == nil {
		t.Error("a corrupt key file was accepted")
	}
}
