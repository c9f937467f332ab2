package store

import (
	"context"
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

// AddAttempts adds n to what name (an account or a client address) counted
// in the window that starts at start, and forgets windows that started
// before forgetBefore. Every replica on the database counts in the same rows.
func (s *Store) AddAttempts(ctx context.Context, name string, start time.Time, n int, forgetBefore time.Time) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO attempt_counts (name, window_start, hits) VALUES (?, ?, ?)
		ON CONFLICT (name, window_start) DO UPDATE SET hits = attempt_counts.hits + excluded.hits`,
		name, start.Unix(), n); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `DELETE FROM attempt_counts WHERE window_start < ?`, forgetBefore.Unix())
	return err
}

// Attempts returns what name counted in the windows that start at cur and
// at prev.
func (s *Store) Attempts(ctx context.Context, name string, cur, prev time.Time) (curHits, prevHits int, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT window_start, hits FROM attempt_counts WHERE name = ? AND window_start IN (?, ?)`,
		name, cur.Unix(), prev.Unix())
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var start int64
		var hits int
		if err := rows.Scan(&start, &hits); err != nil {
			return 0, 0, err
		}
		if start == cur.Unix() {
			curHits = hits
		} else {
			prevHits = hits
		}
	}
	return curHits, prevHits, rows.Err()
}
