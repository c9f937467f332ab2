package web

import (
	"testing"
	"time"
)

func TestSecretDraftsExpireAndTokensAreStable(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s := newSecretDrafts()
	s.now = func() time.Time { return now }
	d := s.create()
	if len(d.id) != 64 || s.get(d.id) != d {
		t.Fatalf("draft %q not found", d.id)
	}
	if tok := d.token(); len(tok) != 64 || tok != d.token() || tok == d.id || tok == d.rotationToken() {
		t.Errorf("token %q: must be stable, 64 characters, and not the draft id", tok)
	}
	if other := s.create(); other.token() == d.token() {
		t.Error("two drafts share a request token")
	}
	// Use keeps a draft alive; an hour without use ends it.
	now = now.Add(50 * time.Minute)
	if s.get(d.id) == nil {
		t.Fatal("draft expired while in use")
	}
	now = now.Add(61 * time.Minute)
	if s.get(d.id) != nil || s.len() != 0 {
		t.Errorf("expired drafts kept: %d", s.len())
	}
	d = s.create()
	d.value.Plaintext = "secret"
	d.finish()
	if d.value.Plaintext != "" || !d.done {
		t.Error("finish kept the value")
	}
}
