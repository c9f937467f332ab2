package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"
)

// Task definition drafts: the builder saves what the person has entered on
// every submit, so a failed register, a closed tab or a restart loses
// nothing. A draft holds the builder's fields as the web layer serialises
// them; task definitions carry only references to secrets (ARNs in
// valueFrom and credentialsParameter), never their values, and the builder
// has no field that could hold one.

func init() {
	register(Migration{Version: 20, Name: "taskdef_drafts", SQL: `CREATE TABLE taskdef_drafts (
		id         TEXT PRIMARY KEY,
		owner      TEXT NOT NULL,
		family     TEXT NOT NULL DEFAULT '',
		base       TEXT NOT NULL DEFAULT '',
		form       TEXT NOT NULL,
		created_at TEXT NOT NULL,
		updated_at TEXT NOT NULL
	);
	CREATE INDEX taskdef_drafts_owner ON taskdef_drafts (owner, updated_at DESC);`})
}

// TaskDefDraft is one saved builder state.
type TaskDefDraft struct {
	ID string
	// Owner is who the draft belongs to ("anonymous" until sign-in exists).
	Owner string
	// Family is the family typed so far, for the list.
	Family string
	// Base is the revision the draft started from ("family:revision"), or "".
	Base string
	// Form is the builder's state as the web layer encodes it.
	Form      []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewTaskDefDraftID returns a fresh random draft id.
func NewTaskDefDraftID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

const draftTime = time.RFC3339Nano

// SaveTaskDefDraft creates or updates a draft of its owner. A draft id of
// another owner is never overwritten: the save fails with ErrNotFound.
func (s *Store) SaveTaskDefDraft(ctx context.Context, d TaskDefDraft) error {
	now := time.Now().UTC().Format(draftTime)
	res, err := s.db.ExecContext(ctx, `INSERT INTO taskdef_drafts (id, owner, family, base, form, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET family = excluded.family, base = excluded.base, form = excluded.form, updated_at = excluded.updated_at
		WHERE taskdef_drafts.owner = excluded.owner`,
		d.ID, d.Owner, d.Family, d.Base, string(d.Form), now, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// TaskDefDraft returns one draft of an owner, or ErrNotFound.
func (s *Store) TaskDefDraft(ctx context.Context, owner, id string) (TaskDefDraft, error) {
	row := s.db.QueryRowContext(ctx, `SELECT id, owner, family, base, form, created_at, updated_at FROM taskdef_drafts WHERE owner = ? AND id = ?`, owner, id)
	d, err := scanDraft(row)
	if errors.Is(err, sql.ErrNoRows) {
		return TaskDefDraft{}, ErrNotFound
	}
	return d, err
}

// TaskDefDrafts lists an owner's drafts, most recently saved first, at most limit.
func (s *Store) TaskDefDrafts(ctx context.Context, owner string, limit int) ([]TaskDefDraft, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, owner, family, base, form, created_at, updated_at FROM taskdef_drafts
		WHERE owner = ? ORDER BY updated_at DESC LIMIT ?`, owner, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TaskDefDraft
	for rows.Next() {
		d, err := scanDraft(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeleteTaskDefDraft discards a draft; deleting one that is gone is not an error.
func (s *Store) DeleteTaskDefDraft(ctx context.Context, owner, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM taskdef_drafts WHERE owner = ? AND id = ?`, owner, id)
	return err
}

func scanDraft(r interface{ Scan(...any) error }) (TaskDefDraft, error) {
	var d TaskDefDraft
	var form, created, updated string
	if err := r.Scan(&d.ID, &d.Owner, &d.Family, &d.Base, &form, &created, &updated); err != nil {
		return d, err
	}
	d.Form = []byte(form)
	d.CreatedAt, _ = time.Parse(draftTime, created)
	d.UpdatedAt, _ = time.Parse(draftTime, updated)
	return d, nil
}
