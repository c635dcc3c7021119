// Package seal encrypts the few secrets agentplane must keep in clear for
// later use (the cursor-signing key; webhook signing secrets) with
// AES-256-GCM under one server key, so a copy of the database alone
// reveals none of them (SPEC §18, §24). Credentials are never sealed:
// they are stored as hashes.
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of a server key: AES-256.
const KeySize = 32

// prefix marks sealed values, so a value stored before sealing existed
// (raw random bytes) is told apart and sealed on first use.
var prefix = []byte("aps1")

// Box seals and opens values under one key.
type Box struct{ aead cipher.AEAD }

// New returns a Box for a KeySize-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plain. label binds the result to its use (e.g. the row's
// name), so a sealed value copied to another row does not open there.
func (b *Box) Seal(plain []byte, label string) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	out := append(append(append([]byte{}, prefix...), nonce...), b.aead.Seal(nil, nonce, plain, []byte(label))...)
	return out
}

// ErrWrongKey means a sealed value does not open under this key: the
// server key changed, or the value was tampered with.
var ErrWrongKey = errors.New("seal: the value does not open with this key (was AGENTPLANE_SECRET_KEY changed?)")

// Open decrypts a value made by Seal with the same label.
func (b *Box) Open(sealed []byte, label string) ([]byte, error) {
	if !IsSealed(sealed) {
		return nil, errors.New("seal: not a sealed value")
	}
	rest := sealed[len(prefix):]
	n := b.aead.NonceSize()
	if len(rest) < n+b.aead.Overhead() {
		return nil, ErrWrongKey
	}
	plain, err := b.aead.Open(nil, rest[:n], rest[n:], []byte(label))
	if err != nil {
		return nil, ErrWrongKey
	}
	return plain, nil
}

// IsSealed reports whether v has the form Seal produces.
func IsSealed(v []byte) bool { return bytes.HasPrefix(v, prefix) && len(v) > len(prefix)+12+16 }

// KeyFile returns the key stored base64-encoded in path, creating the
// file with a new random key (mode 0600) when it does not exist. It is the SQLite deployment's
// key when AGENTPLANE_SECRET_KEY is unset.
func KeyFile(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("secret key file %s does not hold the base64 of %d bytes", path, KeySize)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read secret key file: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	// Written whole to a private temporary file, then linked into place:
	// a racing reader sees no file or the whole key, never half of one.
	f, err := os.CreateTemp(filepath.Dir(path), ".secret-key-*")
	if err != nil {
		return nil, fmt.Errorf("create secret key file: %w", err)
	}
	defer os.Remove(f.Name())
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err := errors.Join(werr, f.Chmod(0o600), f.Sync(), f.Close()); err != nil {
		return nil, fmt.Errorf("write secret key file: %w", err)
	}
	if err := os.Link(f.Name(), path); errors.Is(err, os.ErrExist) {
		return KeyFile(path) // another process made it first: use theirs
	} else if err != nil {
		return nil, fmt.Errorf("create secret key file: %w", err)
	}
	return key, nil
}
