// Package state is the emulator's persistence: one SQLite file that every
// service keeps its tables in, each row scoped by account and region.
//
// Writes are serialised through one mutex and run in a transaction that is
// committed before the response is written, so a response that says 200 has
// been persisted (WAL, synchronous=NORMAL: durable against a killed process).
package state

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// DB is the emulator's SQLite database.
type DB struct {
	db *sql.DB
	mu sync.Mutex
}

// Open opens (creating if needed) the SQLite file at path. Its folder is
// created with mode 0700.
func Open(path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("emulator state dir: %w", err)
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open emulator state: %w", err)
	}
	db.SetMaxOpenConns(8)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open emulator state %s: %w", path, err)
	}
	return &DB{db: db}, nil
}

// Migrate runs schema statements (CREATE TABLE IF NOT EXISTS …) in one transaction.
// Each service calls it with its own tables when it is registered.
func (d *DB) Migrate(stmts ...string) error {
	return d.Write(context.Background(), func(tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(s); err != nil {
				return fmt.Errorf("migrate: %w\n%s", err, s)
			}
		}
		return nil
	})
}

// Read returns the database for queries. Reads see the last committed state.
func (d *DB) Read() *sql.DB { return d.db }

// Write runs fn in a write transaction; one writer at a time. fn's error
// rolls the transaction back and is returned unchanged.
func (d *DB) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }
