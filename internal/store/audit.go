package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

func init() {
	register(
		Migration{32, "audit entries", `CREATE TABLE audit_entries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	at BIGINT NOT NULL,
	actor TEXT NOT NULL,
	actor_role TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	resource TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT '',
	aws_request_id TEXT NOT NULL DEFAULT '',
	request_id TEXT NOT NULL DEFAULT '',
	region TEXT NOT NULL DEFAULT '',
	changes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entries_at ON audit_entries (at);
CREATE INDEX audit_entries_actor ON audit_entries (actor, id);
CREATE INDEX audit_entries_resource ON audit_entries (resource, id)`},
		// The application only ever appends; the database refuses the rest,
		// so a bug (or a hand in the code) cannot rewrite history.
		Migration{33, "audit entries are append-only", `CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END`},
	)
	registerPostgres(33, `CREATE FUNCTION berth_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION berth_audit_append_only()`)
}

// Audit outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeDenied  = "denied"
)

// Change is one setting that a change altered, with JSON-encoded values
// ("" when the setting did not exist on that side).
type Change struct {
	Field  string `json:"field"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// AuditEntry is one record of the audit trail.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	ActorRole string    `json:"actor_role,omitempty"`
	// Address is the client address the request came from.
	Address  string `json:"address,omitempty"`
	Action   string `json:"action"`
	Resource string `json:"resource,omitempty"`
	Outcome  string `json:"outcome"`
	// Detail is the failure's message, or a short note.
	Detail       string   `json:"detail,omitempty"`
	AWSRequestID string   `json:"aws_request_id,omitempty"`
	RequestID    string   `json:"request_id,omitempty"`
	Region       string   `json:"region,omitempty"`
	Changes      []Change `json:"changes,omitempty"`
}

// AppendAudit records an entry and returns its id. There is no way to
// change or delete entries through the store.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) (int64, error) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	changes := ""
	if len(e.Changes) > 0 {
		b, err := json.Marshal(e.Changes)
		if err != nil {
			return 0, err
		}
		changes = string(b)
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO audit_entries (at, actor, actor_role, address, action, resource, outcome, detail, aws_request_id, request_id, region, changes)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ms(e.At), e.Actor, e.ActorRole, e.Address, e.Action, e.Resource, e.Outcome, e.Detail, e.AWSRequestID, e.RequestID, e.Region, changes).Scan(&id)
	return id, err
}

// AuditFilter selects entries. Zero fields do not filter.
type AuditFilter struct {
	// Actor is an exact username.
	Actor string
	// Action is an exact action, or a prefix when it ends in "." or "*"
	// ("secret." is every secret action).
	Action string
	// Resource matches anywhere in the resource, ignoring case.
	Resource string
	// ResourceIs is an exact resource (a resource page's own history).
	ResourceIs string
	// ResourcePrefix matches resources starting with it, case and all
	// (a task definition family's revisions: "arn:…:task-definition/web:").
	ResourcePrefix string
	From, To       time.Time
	// Before is the pagination cursor: only entries with a smaller id.
	Before int64
	// Limit is the page size (default 50, at most 1000).
	Limit int
}

// ListAudit returns entries newest first, and the cursor of the next page
// (0 when this is the last).
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 1000 {
		f.Limit = 1000
	}
	var where []string
	var args []any
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if a := f.Action; a != "" {
		if strings.HasSuffix(a, "*") || strings.HasSuffix(a, ".") {
			where, args = append(where, `action LIKE ? ESCAPE '\'`), append(args, likeEscape(strings.TrimSuffix(a, "*"))+"%")
		} else {
			where, args = append(where, "action = ?"), append(args, a)
		}
	}
	if f.Resource != "" {
		where, args = append(where, `lower(resource) LIKE ? ESCAPE '\'`), append(args, "%"+likeEscape(strings.ToLower(f.Resource))+"%")
	}
	if f.ResourceIs != "" {
		where, args = append(where, "resource = ?"), append(args, f.ResourceIs)
	}
	if p := f.ResourcePrefix; p != "" {
		// substr, not LIKE: LIKE ignores case in SQLite and not in PostgreSQL.
		where, args = append(where, "substr(resource, 1, ?) = ?"), append(args, utf8.RuneCountInString(p), p)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, ms(f.To))
	}
	if f.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	q := `SELECT id, at, actor, actor_role, address, action, resource, outcome, detail, aws_request_id, request_id, region, changes FROM audit_entries`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	rows, err := s.db.QueryContext(ctx, q, append(args, f.Limit+1)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		var changes string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.ActorRole, &e.Address, &e.Action, &e.Resource, &e.Outcome, &e.Detail, &e.AWSRequestID, &e.RequestID, &e.Region, &changes); err != nil {
			return nil, 0, err
		}
		e.At = fromMS(at)
		if changes != "" {
			if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
				return nil, 0, err
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
