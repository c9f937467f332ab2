// Package auth holds Berth's identity rules that do not depend on HTTP
// handlers or storage: password hashing and strength, roles and scopes,
// session tokens, the claim→role mapping and which proxies to trust.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// Role is what a person may do in Berth.
type Role string

// The roles, from least to most allowed.
const (
	Viewer Role = "viewer"
	Editor Role = "editor"
	Admin  Role = "admin"
)

// Roles lists every role in rank order, for pickers and help text.
var Roles = []Role{Viewer, Editor, Admin}

// Rank orders roles: a higher rank may do everything a lower one may.
// Unknown roles rank 0, below Viewer, so they can do nothing.
func (r Role) Rank() int {
	switch r {
	case Viewer:
		return 1
	case Editor:
		return 2
	case Admin:
		return 3
	}
	return 0
}

// AtLeast reports whether r may do what min may.
func (r Role) AtLeast(min Role) bool { return r.Rank() > 0 && r.Rank() >= min.Rank() }

// ParseRole accepts a role name in any case.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if r.Rank() == 0 {
		return "", fmt.Errorf("role must be viewer, editor or admin, not %q", s)
	}
	return r, nil
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@+-]{0,127}$`)

// NormalizeUsername lowercases and trims a username, so "Alice" and "alice"
// are one person whichever way they sign in.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckUsername explains what is wrong with a (normalized) username, or
// returns "".
func CheckUsername(s string) string {
	switch {
	case s == "":
		return "Enter a username."
	case len(s) > 128:
		return "A username has at most 128 characters."
	case !usernamePattern.MatchString(s):
		return "A username uses lowercase letters, digits and . _ @ + - and starts with a letter or digit."
	}
	return ""
}

// InScope reports whether a resource name is inside a person's scope: the
// empty scope allows everything, otherwise the name must start with it.
func InScope(scope, name string) bool { return scope == "" || strings.HasPrefix(name, scope) }

// NewToken returns a random, URL-safe secret of 32 bytes.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is what Berth stores for a token, so a copy of the database
// does not hold usable session or setup tokens.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
