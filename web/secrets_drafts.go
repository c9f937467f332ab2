package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/form"
)

// secretDraftTTL is how long an untouched "Store a new secret" wizard lives.
const secretDraftTTL = time.Hour

// secretDraft is one person's "Store a new secret" wizard between steps.
// It lives only in this process's memory: the value is never written to a
// cookie, a URL, a hidden field of another step, a log or the disk.
type secretDraft struct {
	id string
	// mu serializes the Store step, so a double submit waits for the first
	// and then finds the secret stored instead of storing it again.
	mu       sync.Mutex
	value    form.SecretValue
	config   form.SecretConfig
	rotation form.SecretRotation
	// reached is the furthest step the person may open (1–4).
	reached int
	// created is set once CreateSecret succeeded; policyDone and
	// rotationDone once those later calls did.
	created                  *cloud.SecretRef
	policyDone, rotationDone bool
	// done: everything is stored; the value has been wiped.
	done    bool
	expires time.Time
}

// token is the ClientRequestToken of the secret's first version. It is
// derived from the draft (not the draft id itself, which is a session
// secret) so every retry of this wizard's Store asks AWS for the same
// version, and AWS answers a retry with the secret it already created.
func (d *secretDraft) token() string { return draftToken("create", d.id) }

// rotationToken is the ClientRequestToken of the rotation's first version.
func (d *secretDraft) rotationToken() string { return draftToken("rotate", d.id)[:64] }

func draftToken(purpose, id string) string {
	sum := sha256.Sum256([]byte("berth secret draft " + purpose + " " + id))
	return hex.EncodeToString(sum[:])
}

// keepApplied puts back, in a posted step 2, the settings AWS already holds:
// once CreateSecret succeeded the name, description and tags are the
// secret's (and the resource policy once PutResourcePolicy succeeded), and
// Store does not send them again, so a change here would show on Review but
// never reach AWS. The page shows them read-only; this ignores a posted
// change all the same.
func (d *secretDraft) keepApplied(f *form.SecretConfig) {
	if d.created == nil {
		return
	}
	f.Name, f.Description, f.Tags = d.config.Name, d.config.Description, d.config.Tags
	if d.policyDone {
		f.Policy = d.config.Policy
	}
}

// finish marks the draft stored and drops the value from memory.
func (d *secretDraft) finish() {
	d.done = true
	d.value = form.SecretValue{}
}

// secretDrafts holds every open wizard, keyed by a random id kept in the
// person's session. It is per server process: that is the point.
type secretDrafts struct {
	mu  sync.Mutex
	m   map[string]*secretDraft
	now func() time.Time
}

func newSecretDrafts() *secretDrafts {
	return &secretDrafts{m: map[string]*secretDraft{}, now: time.Now}
}

// get returns a live draft and extends its life, or nil.
func (s *secretDrafts) get(id string) *secretDraft {
	if id == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	d := s.m[id]
	if d != nil {
		d.expires = s.now().Add(secretDraftTTL)
	}
	return d
}

// create starts a new draft at step 1.
func (s *secretDrafts) create() *secretDraft {
	b := make([]byte, 32)
	rand.Read(b)
	d := &secretDraft{
		id:       hex.EncodeToString(b),
		value:    form.NewSecretValue(form.SecretPresetOther),
		rotation: form.NewSecretRotation(),
		reached:  1,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	d.expires = s.now().Add(secretDraftTTL)
	s.m[d.id] = d
	return d
}

// drop forgets a draft and its value.
func (s *secretDrafts) drop(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// sweep forgets expired drafts; callers hold s.mu. Every access sweeps, so
// memory stays bounded by the wizards used within one TTL.
func (s *secretDrafts) sweep() {
	now := s.now()
	for id, d := range s.m {
		if now.After(d.expires) {
			delete(s.m, id)
		}
	}
}

// len is the number of live drafts, for tests.
func (s *secretDrafts) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
