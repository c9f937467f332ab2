package auth

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// MinPasswordLength is the shortest password Berth accepts.
const MinPasswordLength = 12

// maxPasswordLength bounds the work one sign-in attempt can cause.
const maxPasswordLength = 256

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1
// lane). They are stored with each hash, so raising them later only
// affects new hashes.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	if len(password) > maxPasswordLength {
		return "", fmt.Errorf("a password has at most %d characters", maxPasswordLength)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the encoded hash. An
// empty or malformed hash never matches.
func VerifyPassword(encoded, password string) bool {
	if len(password) > maxPasswordLength {
		return false
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil || mem == 0 || iters == 0 || threads == 0 || mem > 1<<20 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

var (
	dummyOnce sync.Once
	dummyHash string
)

// VerifyNobody spends the same time as VerifyPassword on a real account, so
// that a sign-in for an unknown username cannot be told apart by timing.
// It always reports false.
func VerifyNobody(password string) bool {
	dummyOnce.Do(func() { dummyHash, _ = HashPassword("berth-timing-equalizer") })
	VerifyPassword(dummyHash, password)
	return false
}

//go:embed common-passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordsText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// ErrWeakPassword wraps every reason a new password is refused.
var ErrWeakPassword = errors.New("password refused")

// CheckNewPassword explains why a new password is not good enough, or
// returns nil. The checks follow NIST SP 800-63B: a minimum length and a
// list of known-bad passwords, no composition rules.
func CheckNewPassword(username, password string) error {
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	switch {
	case n < MinPasswordLength:
		return fmt.Errorf("%w: a password needs at least %d characters", ErrWeakPassword, MinPasswordLength)
	case len(password) > maxPasswordLength:
		return fmt.Errorf("%w: a password has at most %d characters", ErrWeakPassword, maxPasswordLength)
	case commonPasswords[lower]:
		return fmt.Errorf("%w: this password is on a list of commonly used passwords; choose another", ErrWeakPassword)
	case username != "" && strings.Contains(lower, strings.ToLower(username)):
		return fmt.Errorf("%w: a password must not contain the username", ErrWeakPassword)
	case strings.Count(password, password[:1]) == len(password):
		return fmt.Errorf("%w: a password must not repeat one character", ErrWeakPassword)
	}
	return nil
}
