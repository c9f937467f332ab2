// Package state is the emulator's persistence: one SQLite file that every
// service keeps its tables in, each row scoped by account and region.
//
// Writes are serialised through one mutex and run in a transaction that is
// committed before the response is written, so a response that says 200 has
// been persisted (WAL, synchronous=NORMAL: durable against a killed process).
//
// SQLite's automatic checkpoint is off: left on, every few hundred commits
// one of them copies the log into the database file and waits for two
// fsyncs before its response, which averaged out to a third of a small
// write's time. A goroutine checkpoints instead, after checkpointEvery
// commits, and at most every checkpointIdle while commits arrive; on Close,
// SQLite itself checkpoints when this is the file's last connection.
package state

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/berthhq/berth/internal/sqlitefile"
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

	// The writer is one connection kept for the process's life, with its own
	// statement cache, BEGIN IMMEDIATE and COMMIT included: database/sql's
	// BeginTx and Commit parse those statements on every call and check a
	// connection out of the pool, which cost a fifth of a small write. Both
	// fields are guarded by mu.
	w      *sql.Conn
	wstmts map[string]*sql.Stmt

	memos sync.Map // any -> what Memo's create made

	// commits counts commits since the last checkpoint; kick wakes the
	// checkpointer, stop ends it and done says it has ended.
	commits    atomic.Int64
	kick, stop chan struct{}
	stopOnce   sync.Once
	done       chan struct{}
}

// Checkpoint policy: see the package comment.
const (
	checkpointEvery = 256
	checkpointIdle  = time.Second
)

// checkpointer copies the log into the database file off the write path.
// It holds the writer's lock meanwhile: a checkpoint that a commit overtakes
// leaves the log unfinished, and SQLite only starts the log afresh when the
// previous one was copied in full, so under steady writes it would grow
// without end. PASSIVE does not wait for readers; what they still use is
// copied by a later round.
func (d *DB) checkpointer() {
	defer close(d.done)
	idle := time.NewTimer(checkpointIdle)
	defer idle.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-d.kick:
		case <-idle.C:
		}
		if d.commits.Swap(0) > 0 {
			d.mu.Lock()
			if d.w != nil {
				d.w.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
			}
			d.mu.Unlock()
		}
		idle.Reset(checkpointIdle)
	}
}

// committed notes a commit and wakes the checkpointer every checkpointEvery.
func (d *DB) committed() {
	if d.commits.Add(1)%checkpointEvery == 0 {
		select {
		case d.kick <- struct{}{}:
		default:
		}
	}
}

// Memo returns the value kept for key (any comparable value, typically an
// unexported type of the caller's package), made by create on first use.
// It lives as long as the database, so it suits caches of facts that never
// change once committed; a process that runs several databases (tests)
// gets one per database. The value must be safe for concurrent use.
func (d *DB) Memo(key any, create func() any) any {
	if v, ok := d.memos.Load(key); ok {
		return v
	}
	v, _ := d.memos.LoadOrStore(key, create())
	return v
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

// uncancelled drops ctx's cancellation before a statement runs. Given a
// context that can end, the SQLite driver starts a goroutine per statement to
// interrupt it, and database/sql another per result set to close it; on a
// small operation that was a tenth of its time. The emulator's statements
// are short and bounded by one region's rows, and a write must run to its
// COMMIT or ROLLBACK anyway, so a request that goes away lets its statement
// finish instead.
func uncancelled(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// Reader runs queries outside a transaction through the statement cache.
// Its methods match *sql.DB's, so code can take either.
type Reader struct{ d *DB }

// QueryContext runs a query that returns rows.
func (r Reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = uncancelled(ctx)
	st, err := r.d.stmt(ctx, query)
	if err != nil || st == nil {
		return r.d.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a query that returns at most one row.
func (r Reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = uncancelled(ctx)
	st, err := r.d.stmt(ctx, query)
	if err != nil || st == nil {
		return r.d.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// Ping checks that the database answers.
func (r Reader) Ping() error { return r.d.db.Ping() }

// Tx is a write transaction whose statements come from the writer's cache.
// Its methods match *sql.Tx's.
type Tx struct {
	d        *DB
	onCommit []func()
}

// OnCommit runs f once the transaction has committed, still before any
// other write starts, and not at all if it rolls back: for caches of what
// the transaction wrote, which must never run ahead of the database.
func (t *Tx) OnCommit(f func()) { t.onCommit = append(t.onCommit, f) }

// ExecContext runs a statement in the transaction.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = uncancelled(ctx)
	st, err := t.d.wstmt(query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return t.d.w.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = uncancelled(ctx)
	st, err := t.d.wstmt(query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return t.d.w.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a one-row query in the transaction.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = uncancelled(ctx)
	st, err := t.d.wstmt(query)
	if err != nil || st == nil {
		// A statement that does not prepare fails the same way here, and
		// *sql.Row can only carry an error that way.
		return t.d.w.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
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
	db, err := sqlitefile.Open(context.Background(), path, "synchronous(NORMAL)", "wal_autocheckpoint(0)", "foreign_keys(ON)")
	if err != nil {
		return nil, fmt.Errorf("open emulator state %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	d := &DB{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go d.checkpointer()
	return d, nil
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
// rolls the transaction back and is returned unchanged. Write returns once
// the transaction is committed.
func (d *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	// BEGIN, COMMIT and ROLLBACK run without the caller's context: a request
	// cancelled halfway must not leave the writer inside a transaction.
	if err := d.wexec("BEGIN IMMEDIATE"); err != nil {
		return err
	}
	tx := &Tx{d: d}
	if err := fn(tx); err != nil {
		d.rollback()
		return err
	}
	if err := d.wexec("COMMIT"); err != nil {
		d.rollback()
		return err
	}
	for _, f := range tx.onCommit {
		f()
	}
	d.committed()
	return nil
}

// writer returns the writer connection, opening it on first use or after it
// was discarded. Called with mu held.
func (d *DB) writer() (*sql.Conn, error) {
	if d.w == nil {
		conn, err := d.db.Conn(context.Background())
		if err != nil {
			return nil, err
		}
		d.w, d.wstmts = conn, map[string]*sql.Stmt{}
	}
	return d.w, nil
}

// wstmt returns the writer's prepared statement for query, or nil when the
// cache is full (the statement then runs unprepared). Called with mu held.
func (d *DB) wstmt(query string) (*sql.Stmt, error) {
	if st, ok := d.wstmts[query]; ok {
		return st, nil
	}
	if len(d.wstmts) >= maxCachedStmts {
		return nil, nil
	}
	w, err := d.writer()
	if err != nil {
		return nil, err
	}
	st, err := w.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, err
	}
	d.wstmts[query] = st
	return st, nil
}

func (d *DB) wexec(query string) error {
	st, err := d.wstmt(query)
	switch {
	case err != nil:
		return err
	case st == nil:
		_, err = d.w.ExecContext(context.Background(), query)
	default:
		_, err = st.ExecContext(context.Background())
	}
	return err
}

// rollback ends a failed transaction. If even that fails, the connection's
// state is unknown, so it is discarded and the next write opens another.
func (d *DB) rollback() {
	if d.wexec("ROLLBACK") == nil {
		return
	}
	d.discardWriter()
}

func (d *DB) discardWriter() {
	if d.w == nil {
		return
	}
	for _, st := range d.wstmts {
		st.Close()
	}
	// ErrBadConn from Raw makes database/sql close the connection rather
	// than return it to the pool.
	d.w.Raw(func(any) error { return driver.ErrBadConn })
	d.w.Close()
	d.w, d.wstmts = nil, nil
}

// Close closes the database.
func (d *DB) Close() error {
	d.stopOnce.Do(func() { close(d.stop) })
	<-d.done
	d.mu.Lock()
	if d.w != nil {
		for _, st := range d.wstmts {
			st.Close()
		}
		d.w.Close()
		d.w, d.wstmts = nil, nil
	}
	d.mu.Unlock()
	d.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	// The last connection to close checkpoints the whole log and removes it.
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
