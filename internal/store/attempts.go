package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

func init() {
	register(Migration{34, "sign-in attempt counts", `CREATE TABLE attempt_counts (
	name TEXT NOT NULL,
	window_start BIGINT NOT NULL,
	hits BIGINT NOT NULL,
	PRIMARY KEY (name, window_start)
);
CREATE INDEX attempt_counts_age ON attempt_counts (window_start)`})
}

// CountAttempt counts one attempt for name (an account or a client address)
// in the window that starts at cur and returns the counts of that window
// (this attempt included) and of the one before it, which starts at prev.
// Counting and reading the current window is one statement, so replicas on
// the database never both see the same count. Windows before prev are
// forgotten.
func (s *Store) CountAttempt(ctx context.Context, name string, cur, prev time.Time) (curHits, prevHits int, err error) {
	err = s.db.QueryRowContext(ctx, `INSERT INTO attempt_counts (name, window_start, hits) VALUES (?, ?, 1)
		ON CONFLICT (name, window_start) DO UPDATE SET hits = attempt_counts.hits + 1
		RETURNING hits`, name, cur.Unix()).Scan(&curHits)
	if err != nil {
		return 0, 0, err
	}
	err = s.db.QueryRowContext(ctx, `SELECT hits FROM attempt_counts WHERE name = ? AND window_start = ?`, name, prev.Unix()).Scan(&prevHits)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, 0, err
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM attempt_counts WHERE window_start < ?`, prev.Unix()); err != nil {
		return 0, 0, err
	}
	return curHits, prevHits, nil
}
