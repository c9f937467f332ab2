package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, as "pgx"
)

// Dialect names the SQL engine under the store.
type Dialect string

// The engines Berth's own data can live in.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is database/sql with the one difference between the engines that
// every query meets handled in one place: queries are written once with ?
// placeholders, and on PostgreSQL they are rewritten to $1, $2, … before
// they reach the driver. It embeds *sql.DB, so everything else
// (PingContext, Close, Conn, …) is the standard library's.
type DB struct {
	*sql.DB
	Dialect Dialect
}

// Rebind rewrites ? placeholders for the database's dialect.
func (d *DB) Rebind(query string) string { return Rebind(d.Dialect, query) }

// ExecContext runs a statement written with ? placeholders.
func (d *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.DB.ExecContext(ctx, d.Rebind(query), args...)
}

// QueryContext runs a query written with ? placeholders.
func (d *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, d.Rebind(query), args...)
}

// QueryRowContext runs a one-row query written with ? placeholders.
func (d *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.DB.QueryRowContext(ctx, d.Rebind(query), args...)
}

// Exec is ExecContext without a context.
func (d *DB) Exec(query string, args ...any) (sql.Result, error) {
	return d.ExecContext(context.Background(), query, args...)
}

// Query is QueryContext without a context.
func (d *DB) Query(query string, args ...any) (*sql.Rows, error) {
	return d.QueryContext(context.Background(), query, args...)
}

// QueryRow is QueryRowContext without a context.
func (d *DB) QueryRow(query string, args ...any) *sql.Row {
	return d.QueryRowContext(context.Background(), query, args...)
}

// BeginTx starts a transaction whose queries are rebound too.
func (d *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := d.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx, Dialect: d.Dialect}, nil
}

// Begin is BeginTx without a context.
func (d *DB) Begin() (*Tx, error) { return d.BeginTx(context.Background(), nil) }

// Tx is sql.Tx with ? placeholders rebound, like DB.
type Tx struct {
	*sql.Tx
	Dialect Dialect
}

// ExecContext runs a statement written with ? placeholders.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, Rebind(t.Dialect, query), args...)
}

// QueryContext runs a query written with ? placeholders.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, Rebind(t.Dialect, query), args...)
}

// QueryRowContext runs a one-row query written with ? placeholders.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, Rebind(t.Dialect, query), args...)
}

// Exec is ExecContext without a context.
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return t.ExecContext(context.Background(), query, args...)
}

// Query is QueryContext without a context.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return t.QueryContext(context.Background(), query, args...)
}

// QueryRow is QueryRowContext without a context.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	return t.QueryRowContext(context.Background(), query, args...)
}

// Rebind rewrites the ? placeholders of a query to $1, $2, … for
// PostgreSQL, leaving question marks inside quoted strings, quoted
// identifiers and comments alone. For SQLite it returns the query as is.
func Rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(query) {
				j = len(query) - 1
			}
			b.WriteString(query[i : j+1])
			i = j
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i - 1
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// OpenPostgres connects to a PostgreSQL database URL
// (postgres://user:password@host:5432/berth?sslmode=require) and applies
// pending migrations. Several Berth processes may share one database: the
// migrations take an advisory lock so only one applies them.
func OpenPostgres(ctx context.Context, url string) (*Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("PostgreSQL %s: %w", redactURL(url), err)
	}
	s := &Store{db: &DB{DB: db, Dialect: Postgres}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("PostgreSQL %s: %w", redactURL(url), err)
	}
	return s, nil
}

// Open opens PostgreSQL when databaseURL is set, else SQLite in dataDir.
func Open(ctx context.Context, dataDir, databaseURL string) (*Store, error) {
	if databaseURL != "" {
		return OpenPostgres(ctx, databaseURL)
	}
	return OpenSQLite(ctx, dataDir)
}

// Dialect tells which engine the store runs on.
func (s *Store) Dialect() Dialect { return s.db.Dialect }

// DB is the store's database handle, for store files of other areas and
// for tests. Queries through it use ? placeholders on both engines.
func (s *Store) DB() *DB { return s.db }

var passwordInURL = regexp.MustCompile(`://([^:/@]+):[^@]*@`)

// redactURL hides the password of a database URL in messages.
func redactURL(u string) string { return passwordInURL.ReplaceAllString(u, "://$1:xxxxx@") }

// postgresMigrations holds PostgreSQL's text for migrations whose SQLite
// text does not run there (identity columns, triggers). Register with
// registerPostgres next to the portable migration.
var postgresMigrations = map[int]string{}

// registerPostgres gives a migration version its PostgreSQL text.
func registerPostgres(version int, sql string) { postgresMigrations[version] = sql }

var (
	autoincrementColumn = regexp.MustCompile(`(?i)\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b`)
	blobType            = regexp.MustCompile(`(?i)\bBLOB\b`)
)

// migrationSQL is the text of a migration for this store's engine. Without
// a registered PostgreSQL text, the two SQLite-only spellings Berth's
// migrations use are translated; everything else must be portable SQL.
func (s *Store) migrationSQL(m Migration) string {
	if s.db.Dialect != Postgres {
		return m.SQL
	}
	if q, ok := postgresMigrations[m.Version]; ok {
		return q
	}
	q := autoincrementColumn.ReplaceAllString(m.SQL, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
	return blobType.ReplaceAllString(q, "BYTEA")
}

// migrationLockKey is an arbitrary constant naming Berth's migration lock.
const migrationLockKey = 0x6265727468 // "berth"

// lockMigrations keeps two PostgreSQL replicas from migrating at once. The
// returned function releases the lock.
func (s *Store) lockMigrations(ctx context.Context) (func(), error) {
	if s.db.Dialect != Postgres {
		return func() {}, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLockKey)
		conn.Close()
	}, nil
}
