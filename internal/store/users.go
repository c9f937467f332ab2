package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

func init() {
	register(
		Migration{30, "users", `CREATE TABLE users (
	id TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL,
	scope TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT 'local',
	disabled BOOLEAN NOT NULL DEFAULT FALSE,
	session_generation BIGINT NOT NULL DEFAULT 1,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
)`},
		Migration{31, "sessions", `CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	generation BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	method TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id)`},
	)
}

// User sources: how a person's account came to be.
const (
	SourceLocal = "local" // username and password in Berth
	SourceOIDC  = "oidc"  // single sign-on; the role follows the provider's claims
	SourceProxy = "proxy" // an authenticating proxy's header
)

// User is a person who may use Berth.
type User struct {
	ID          string
	Username    string
	DisplayName string
	// PasswordHash is empty for people who only sign in through SSO or a proxy.
	PasswordHash string
	Role         string
	// Scope, when set, is the name prefix of the repositories, secrets and
	// task definition families the person may see and change.
	Scope    string
	Source   string
	Disabled bool
	// Generation grows on "sign out everywhere", password resets and
	// disabling; sessions from an older generation are dead.
	Generation int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Errors of the user store.
var (
	ErrUserExists = errors.New("a user with this username already exists")
	// ErrSetupDone means the first admin already exists.
	ErrSetupDone = errors.New("Berth already has users")
)

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

const userColumns = `id, username, display_name, password_hash, role, scope, source, disabled, session_generation, created_at, updated_at`

type scanner interface{ Scan(...any) error }

func scanUser(row scanner) (User, error) {
	var u User
	var created, updated int64
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.Role, &u.Scope, &u.Source, &u.Disabled, &u.Generation, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return u, err
}

// isUniqueViolation recognizes a duplicate key on either engine.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertUser(ctx context.Context, db execer, u *User) error {
	now := time.Now()
	u.ID = newID()
	if u.Source == "" {
		u.Source = SourceLocal
	}
	u.Generation = 1
	u.CreatedAt, u.UpdatedAt = now.UTC().Truncate(time.Millisecond), now.UTC().Truncate(time.Millisecond)
	_, err := db.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Username, u.DisplayName, u.PasswordHash, u.Role, u.Scope, u.Source, u.Disabled, u.Generation, ms(now), ms(now))
	if isUniqueViolation(err) {
		return ErrUserExists
	}
	return err
}

// CreateUser adds a user; ID, Generation and the times are filled in.
func (s *Store) CreateUser(ctx context.Context, u User) (User, error) {
	err := insertUser(ctx, s.db, &u)
	return u, err
}

// CreateFirstAdmin adds a user only while there are none, atomically, so
// two people racing through the setup page cannot both become admin.
func (s *Store) CreateFirstAdmin(ctx context.Context, u User) (User, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return User{}, err
	}
	defer tx.Rollback()
	if s.db.Dialect == Postgres {
		// Serialize concurrent setups across replicas.
		if _, err := tx.ExecContext(ctx, `LOCK TABLE users IN EXCLUSIVE MODE`); err != nil {
			return User{}, err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return User{}, err
	}
	if n > 0 {
		return User{}, ErrSetupDone
	}
	if err := insertUser(ctx, tx, &u); err != nil {
		return User{}, err
	}
	return u, tx.Commit()
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// UserByUsername finds a user, or ErrNotFound.
func (s *Store) UserByUsername(ctx context.Context, username string) (User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
}

// UserByID finds a user, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id string) (User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// maxUsers bounds the users page; a team console with more people than
// this is not what Berth is for.
const maxUsers = 1000

// Users lists users by username (at most 1000).
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username LIMIT ?`, maxUsers)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// updateUser runs one UPDATE on a user and reports ErrNotFound when there
// is no such user. bump also ends all the user's sessions.
func (s *Store) updateUser(ctx context.Context, id string, bump bool, set string, args ...any) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	q := `UPDATE users SET ` + set + `, updated_at = ?`
	if bump {
		q += `, session_generation = session_generation + 1`
	}
	res, err := tx.ExecContext(ctx, q+` WHERE id = ?`, append(args, ms(time.Now()), id)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if bump {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// SetRole changes a user's role and scope. It takes effect on their next
// request: sessions hold no copy of the role.
func (s *Store) SetRole(ctx context.Context, id, role, scope string) error {
	return s.updateUser(ctx, id, false, `role = ?, scope = ?`, role, scope)
}

// SetDisabled disables (ending every session) or re-enables a user.
func (s *Store) SetDisabled(ctx context.Context, id string, disabled bool) error {
	return s.updateUser(ctx, id, disabled, `disabled = ?`, disabled)
}

// SetPasswordHash replaces a user's password and ends every session.
func (s *Store) SetPasswordHash(ctx context.Context, id, hash string) error {
	return s.updateUser(ctx, id, true, `password_hash = ?`, hash)
}

// SignOutEverywhere ends every session of a user, on every replica: the
// generation grows, so even a session row written concurrently is dead.
func (s *Store) SignOutEverywhere(ctx context.Context, id string) error {
	return s.updateUser(ctx, id, true, `disabled = disabled`)
}

// SyncExternalUser creates or updates a person who signs in through an
// identity provider or a proxy: the provider's view of the role and scope
// wins, but a user an admin disabled stays disabled.
func (s *Store) SyncExternalUser(ctx context.Context, u User) (User, error) {
	have, err := s.UserByUsername(ctx, u.Username)
	if errors.Is(err, ErrNotFound) {
		created, err := s.CreateUser(ctx, u)
		if errors.Is(err, ErrUserExists) { // another replica created it just now
			return s.SyncExternalUser(ctx, u)
		}
		return created, err
	}
	if err != nil {
		return User{}, err
	}
	if have.Role != u.Role || have.Scope != u.Scope || (u.DisplayName != "" && have.DisplayName != u.DisplayName) {
		name := u.DisplayName
		if name == "" {
			name = have.DisplayName
		}
		if err := s.updateUser(ctx, have.ID, false, `role = ?, scope = ?, display_name = ?`, u.Role, u.Scope, name); err != nil {
			return User{}, err
		}
		have.Role, have.Scope, have.DisplayName = u.Role, u.Scope, name
	}
	return have, nil
}

// Session is one signed-in browser. ID is the hash of the cookie's token.
type Session struct {
	ID         string
	UserID     string
	Generation int64
	CreatedAt  time.Time
	LastSeen   time.Time
	Address    string
	UserAgent  string
	// Method is how the person signed in: password, oidc, proxy, setup.
	Method string
}

// CreateSession records a new session.
func (s *Store) CreateSession(ctx context.Context, se Session) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (id, user_id, generation, created_at, last_seen_at, address, user_agent, method) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		se.ID, se.UserID, se.Generation, ms(se.CreatedAt), ms(se.LastSeen), se.Address, se.UserAgent, se.Method)
	return err
}

// SessionUser returns a session and its user, or ErrNotFound.
func (s *Store) SessionUser(ctx context.Context, id string) (Session, User, error) {
	var se Session
	var created, seen int64
	row := s.db.QueryRowContext(ctx, `SELECT s.id, s.user_id, s.generation, s.created_at, s.last_seen_at, s.address, s.user_agent, s.method, `+
		prefixed("u.", userColumns)+` FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`, id)
	var u User
	var uc, uu int64
	err := row.Scan(&se.ID, &se.UserID, &se.Generation, &created, &seen, &se.Address, &se.UserAgent, &se.Method,
		&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.Role, &u.Scope, &u.Source, &u.Disabled, &u.Generation, &uc, &uu)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, ErrNotFound
	}
	if err != nil {
		return Session{}, User{}, err
	}
	se.CreatedAt, se.LastSeen = fromMS(created), fromMS(seen)
	u.CreatedAt, u.UpdatedAt = fromMS(uc), fromMS(uu)
	return se, u, nil
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// TouchSession records activity, for the idle timeout.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, ms(at), id)
	return err
}

// DeleteSession ends one session (sign-out).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return err
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// created before createdBefore, and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`, ms(idleBefore), ms(createdBefore))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CountSessions returns how many live session rows a user has.
func (s *Store) CountSessions(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE user_id = ?`, userID).Scan(&n)
	return n, err
}
