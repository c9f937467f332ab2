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
	"sync/atomic"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// DB is the emulator's SQLite database.
type DB struct {
	db *sql.DB
	mu sync.Mutex
	// stmts caches prepared statements by query text: parsing SQL was a third
	// of an operation's CPU time. database/sql prepares a cached *sql.Stmt once
	// per connection and reuses it.
	stmts sync.Map // string -> *sql.Stmt
	nstmt atomic.Int64
}

// maxCachedStmts bounds the cache for services that build queries from
// filters; beyond it statements are prepared per call as before.
const maxCachedStmts = 1024

func (d *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := d.stmts.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	if d.nstmt.Load() >= maxCachedStmts {
		return nil, nil
	}
	st, err := d.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := d.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	d.nstmt.Add(1)
	return st, nil
}

// Reader runs queries outside a transaction through the statement cache.
// Its methods match *sql.DB's, so code can take either.
type Reader struct{ d *DB }

// QueryContext runs a query that returns rows.
func (r Reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := r.d.stmt(ctx, query)
	if err != nil || st == nil {
		return r.d.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a query that returns at most one row.
func (r Reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := r.d.stmt(ctx, query)
	if err != nil || st == nil {
		return r.d.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// Ping checks that the database answers.
func (r Reader) Ping() error { return r.d.db.Ping() }

// Tx is a write transaction whose statements come from the cache. Its
// methods match *sql.Tx's.
type Tx struct {
	tx *sql.Tx
	d  *DB
}

func (t *Tx) prepared(ctx context.Context, query string) *sql.Stmt {
	st, err := t.d.stmt(ctx, query)
	if err != nil || st == nil {
		return nil
	}
	return t.tx.StmtContext(ctx, st)
}

// ExecContext runs a statement in the transaction.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query in the transaction.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// Exec is ExecContext without a context.
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return t.ExecContext(context.Background(), query, args...)
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
	return d.Write(context.Background(), func(tx *Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(s); err != nil {
				return fmt.Errorf("migrate: %w\n%s", err, s)
			}
		}
		return nil
	})
}

// Read returns the database for queries. Reads see the last committed state.
func (d *DB) Read() Reader { return Reader{d} }

// Write runs fn in a write transaction; one writer at a time. fn's error
// rolls the transaction back and is returned unchanged.
func (d *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&Tx{tx: tx, d: d}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (d *DB) Close() error {
	d.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	return d.db.Close()
}

// Query is QueryContext without a context.
func (r Reader) Query(query string, args ...any) (*sql.Rows, error) {
	return r.QueryContext(context.Background(), query, args...)
}

// QueryRow is QueryRowContext without a context.
func (r Reader) QueryRow(query string, args ...any) *sql.Row {
	return r.QueryRowContext(context.Background(), query, args...)
}

// Query is QueryContext without a context.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return t.QueryContext(context.Background(), query, args...)
}

// QueryRow is QueryRowContext without a context.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	return t.QueryRowContext(context.Background(), query, args...)
}
