package sqlitefile_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/berthhq/berth/internal/sqlitefile"
)

// Processes that open one new file together (replicas starting at once)
// all get it, in WAL mode. Asking for WAL in every connection's pragmas
// failed with SQLITE_BUSY now and then: the store's replica test, 29 runs
// in 300.
func TestOpenTogetherOnANewFile(t *testing.T) {
	ctx := context.Background()
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "new.db")
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				db, err := sqlitefile.Open(ctx, path, "foreign_keys(ON)")
				if err != nil {
					t.Errorf("round %d: %v", round, err)
					return
				}
				defer db.Close()
				var mode string
				if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
					t.Errorf("round %d: journal mode %q, %v", round, mode, err)
				}
				var fk int
				if err := db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
					t.Errorf("round %d: foreign_keys %d, %v", round, fk, err)
				}
			})
		}
		wg.Wait()
	}
}
