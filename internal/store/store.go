// Package store keeps Berth's own data (settings, drafts, users, sessions
// and the audit trail) in SQLite in the data dir, or in PostgreSQL when
// several Berth replicas share it. Schema changes are versioned migrations
// applied at start; queries are written once with ? placeholders (see DB).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/berthhq/berth/internal/sqlitefile"
)

// Store is Berth's database.
type Store struct {
	db *DB
}

// Migration is one schema step. Versions only ever grow; a released
// migration is never edited, a new one is appended.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// migrations is the whole schema history. Each area adds its own from an
// init function in its own file (register), so areas never edit one list;
// they are applied in version order. Version ranges: 1–9 core, 10–19
// secrets, 20–29 task definitions, 30–49 team (users, sessions, audit).
var migrations = []Migration{
	{1, "settings", `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`},
}

// register adds migrations at package init. A duplicate version is a
// programming error and panics at start-up, in every test.
func register(ms ...Migration) {
	for _, m := range ms {
		for _, have := range migrations {
			if have.Version == m.Version {
				panic(fmt.Sprintf("store: migration %d registered twice (%s, %s)", m.Version, have.Name, m.Name))
			}
		}
		migrations = append(migrations, m)
	}
	sort.Slice(migrations, func(i, j int) bool { return migrations[i].Version < migrations[j].Version })
}

// OpenSQLite opens (creating) <dataDir>/berth.db and applies pending migrations.
func OpenSQLite(ctx context.Context, dataDir string) (*Store, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	path := filepath.Join(dataDir, "berth.db")
	db, err := sqlitefile.Open(ctx, path, "synchronous(NORMAL)", "foreign_keys(ON)")
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	s := &Store{db: &DB{DB: db, Dialect: SQLite}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	unlock, err := s.lockMigrations(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return err
	}
	for _, m := range migrations {
		if err := s.apply(ctx, m); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
	}
	return nil
}

func (s *Store) apply(ctx context.Context, m Migration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.Tx.ExecContext(ctx, s.migrationSQL(m)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name); err != nil {
		return err
	}
	return tx.Commit()
}

// SchemaVersion is the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

// Ping checks that the database answers, for /readyz.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// Setting returns a stored setting, or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return v, err
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
