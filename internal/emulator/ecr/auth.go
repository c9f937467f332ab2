package ecr

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/emulator/state"
)

// TokenLifetime is how long an authorization token is valid, as in ECR.
const TokenLifetime = 12 * time.Hour

// RegistryUser is the user name that goes with an ECR token's password.
const RegistryUser = "AWS"

// ErrBadPassword is returned by VerifyPassword for a password this emulator
// did not issue, or one that has expired.
var ErrBadPassword = errors.New("ecr: invalid or expired registry password")

// Auth issues and checks registry passwords. A password carries its own
// account, region and expiry and an HMAC over them with a random key kept in
// the state database, so the registry verifies it without a token table and
// passwords survive a restart.
type Auth struct {
	key []byte
}

// NewAuth loads the signing key from db, creating it on first use.
func NewAuth(db *state.DB) (*Auth, error) {
	if err := db.Migrate(schema...); err != nil {
		return nil, err
	}
	var key []byte
	err := db.Write(context.Background(), func(tx *sql.Tx) error {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT OR IGNORE INTO ecr_secrets (name, value) VALUES ('registry-hmac', ?)`, fresh); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT value FROM ecr_secrets WHERE name='registry-hmac'`).Scan(&key)
	})
	if err != nil {
		return nil, err
	}
	return &Auth{key: key}, nil
}

// Password returns a registry password for account and region valid until expires.
func (a *Auth) Password(account, region string, expires time.Time) string {
	payload := account + ":" + region + ":" + strconv.FormatInt(expires.Unix(), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(a.mac(payload))
}

// VerifyPassword checks a password made by Password (the part after "AWS:"
// in a decoded authorizationToken) and returns the account and region it
// grants access to.
func (a *Auth) VerifyPassword(password string, now time.Time) (account, region string, err error) {
	p64, m64, ok := strings.Cut(password, ".")
	if !ok {
		return "", "", ErrBadPassword
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	mac, err2 := base64.RawURLEncoding.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, a.mac(string(payload))) {
		return "", "", ErrBadPassword
	}
	parts := strings.Split(string(payload), ":")
	if len(parts) != 3 {
		return "", "", ErrBadPassword
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || !now.Before(time.Unix(exp, 0)) {
		return "", "", ErrBadPassword
	}
	return parts[0], parts[1], nil
}

func (a *Auth) mac(payload string) []byte {
	h := hmac.New(sha256.New, a.key)
	h.Write([]byte("ecr-registry-password\x00" + payload))
	return h.Sum(nil)
}
