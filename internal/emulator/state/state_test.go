package state_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/berthhq/berth/internal/emulator/state"
)

func open(t *testing.T, path string) *state.DB {
	t.Helper()
	db, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(`CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func count(t *testing.T, db *state.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRow(`SELECT COUNT(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func insert(k string, v int) func(*state.Tx) error {
	return func(tx *state.Tx) error {
		_, err := tx.Exec(`INSERT INTO t (k, v) VALUES (?, ?)`, k, v)
		return err
	}
}

// The writer connection is reused across transactions, so a failed or
// abandoned transaction must leave it ready for the next one.
func TestWriteRollsBackAndRecovers(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	boom := errors.New("boom")
	err := db.Write(ctx, func(tx *state.Tx) error {
		if err := insert("a", 1)(tx); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if n := count(t, db); n != 0 {
		t.Fatalf("rolled-back insert is visible: %d rows", n)
	}
	// A failing statement (duplicate key) inside the transaction.
	if err := db.Write(ctx, insert("a", 1)); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *state.Tx) error {
		if err := insert("b", 2)(tx); err != nil {
			return err
		}
		return insert("a", 3)(tx)
	}); err == nil {
		t.Fatal("duplicate insert succeeded")
	}
	if n := count(t, db); n != 1 {
		t.Fatalf("%d rows after a failed write, want 1", n)
	}
	// A cancelled request does not start a transaction, and the next
	// write still works.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.Write(cctx, insert("c", 4)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if err := db.Write(ctx, insert("d", 5)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != 2 {
		t.Fatalf("%d rows, want 2", n)
	}
}

func TestWriteIsDurableAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(`CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := db.Write(context.Background(), insert(string(rune('a'+i)), i)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	db.Close()
	if n := count(t, open(t, path)); n != 20 {
		t.Fatalf("%d rows after reopen, want 20", n)
	}
}

// Checkpoints run beside the writes rather than inside one of them; they
// must still keep the log from growing without end under steady writes.
func TestLogStaysBoundedUnderSteadyWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	db := open(t, path)
	if err := db.Migrate(`CREATE TABLE IF NOT EXISTS big (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	value := strings.Repeat("v", 3000) // about a page per commit
	const writes = 6000                // about 24 MB through the log
	for i := range writes {
		if err := db.Write(context.Background(), func(tx *state.Tx) error {
			_, err := tx.Exec(`INSERT INTO big (k, v) VALUES (?, ?)`, i, value)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	// The log's frame count since it last started afresh: every write added
	// at least one, so without checkpoints it would be at least writes. How
	// far behind the checkpointer runs depends on the machine's load, so
	// the bound is loose; what it rules out is a log that only grows.
	var busy, frames, copied int
	if err := db.Read().QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		t.Fatal(err)
	}
	if frames > writes/2 {
		t.Errorf("the log holds %d frames after %d writes; checkpoints are not starting it afresh", frames, writes)
	}
	var n int
	if err := db.Read().QueryRow(`SELECT COUNT(*) FROM big`).Scan(&n); err != nil || n != writes {
		t.Fatalf("rows = %d, %v", n, err)
	}
}

// OnCommit's functions run when the write commits, and not when it rolls
// back, so a cache kept with them never runs ahead of the database.
func TestOnCommitRunsOnlyAfterACommit(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "state.db"))
	var ran []string
	if err := db.Write(context.Background(), func(tx *state.Tx) error {
		tx.OnCommit(func() { ran = append(ran, "committed") })
		return insert("a", 1)(tx)
	}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := db.Write(context.Background(), func(tx *state.Tx) error {
		tx.OnCommit(func() { ran = append(ran, "rolled back") })
		if err := insert("b", 2)(tx); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if len(ran) != 1 || ran[0] != "committed" || count(t, db) != 1 {
		t.Errorf("ran %v with %d rows", ran, count(t, db))
	}
}

// BenchmarkSmallestWrite is the least a persisted change costs: one
// transaction that inserts one small row and commits it to the log before
// Write returns, as every emulator operation that changes state does.
func BenchmarkSmallestWrite(b *testing.B) {
	db, err := state.Open(filepath.Join(b.TempDir(), "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(`CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		err := db.Write(ctx, func(tx *state.Tx) error {
			_, err := tx.Exec(`INSERT INTO t (k, v) VALUES (?, ?)`, i, "a small row")
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
