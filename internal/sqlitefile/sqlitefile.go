// Package sqlitefile opens the SQLite files Berth keeps, its store and the
// emulator's state, the same way: through database/sql with the pure-Go
// driver, each connection waiting for locks, the file in WAL mode.
package sqlitefile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// BusyTimeout is how long a statement waits for another connection's lock,
// and how long Open waits to switch a new file to WAL.
const BusyTimeout = 10 * time.Second

// Open opens (creating if needed) the SQLite file at path. Every connection
// first sets the busy timeout, then runs pragmas in order (each as
// "name(value)"); write transactions start with BEGIN IMMEDIATE.
//
// The file is switched to WAL here, once, rather than by each connection:
// SQLite answers SQLITE_BUSY at once, without waiting, to a connection that
// asks for WAL while another one is switching the same new file, which
// failed processes (replicas, a restart beside a running one) that opened
// one new data dir together. WAL is kept in the file, so every later
// connection, of any process, opens in it.
func Open(ctx context.Context, path string, pragmas ...string) (*sql.DB, error) {
	q := url.Values{"_txlock": {"immediate"}}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	if err := walMode(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// walMode switches the file to WAL, trying again while another connection
// holds the lock the switch needs.
func walMode(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(BusyTimeout)
	wait := time.Millisecond
	for {
		var mode string
		err := db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
		switch {
		case err == nil && mode == "wal":
			return nil
		case err == nil:
			return fmt.Errorf("journal mode is %q, not wal", mode)
		case !busy(err) || time.Now().After(deadline):
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
}

func busy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}
