// Package storetest opens Berth stores for tests on both engines: SQLite in
// a temporary directory, and PostgreSQL in a fresh schema of the database
// named by BERTH_TEST_DATABASE_URL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/berthhq/berth/internal/store"
)

// EnvURL names the environment variable with the PostgreSQL test database.
const EnvURL = "BERTH_TEST_DATABASE_URL"

// PostgresURL returns the URL of a new, empty schema in the test database
// (dropped when the test ends). Without BERTH_TEST_DATABASE_URL the test is
// skipped, except under CI=true, where a missing database is a failure:
// CI must test PostgreSQL.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the store tests on PostgreSQL (.ci/run starts one)", EnvURL)
		}
		t.Skipf("%s is not set: PostgreSQL tests skipped (make test starts a throwaway PostgreSQL when it is installed)", EnvURL)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema in %s: %v", EnvURL, err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Engine is one way to open a store for a test.
type Engine struct {
	Name string
	// Open opens a new, empty store, closed when the test ends. Calling it
	// twice in one test gives two independent stores.
	Open func(t testing.TB) *store.Store
	// OpenShared returns an opener whose every call opens the same
	// database, as two Berth replicas would.
	OpenShared func(t testing.TB) func() *store.Store
}

// Engines are SQLite and PostgreSQL.
var Engines = []Engine{
	{
		Name: "sqlite",
		Open: func(t testing.TB) *store.Store {
			s, err := store.OpenSQLite(context.Background(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		OpenShared: func(t testing.TB) func() *store.Store {
			dir := t.TempDir()
			return func() *store.Store {
				s, err := store.OpenSQLite(context.Background(), dir)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
		},
	},
	{
		Name: "postgres",
		Open: func(t testing.TB) *store.Store {
			s, err := store.OpenPostgres(context.Background(), PostgresURL(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		OpenShared: func(t testing.TB) func() *store.Store {
			u := PostgresURL(t)
			return func() *store.Store {
				s, err := store.OpenPostgres(context.Background(), u)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
		},
	},
}

// Each runs fn as a subtest per engine.
func Each(t *testing.T, fn func(t *testing.T, e Engine)) {
	for _, e := range Engines {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}
