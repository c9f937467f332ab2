package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/internal/store/storetest"
)

func TestSettingsOnBothEngines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		open := e.OpenShared(t)
		s := open()
		if _, err := s.Setting(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing setting: %v", err)
		}
		if err := s.SetSetting(ctx, "k", "v1"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSetting(ctx, "k", "v2"); err != nil {
			t.Fatal(err)
		}
		// A second process on the same database: migrations are already applied.
		s2 := open()
		if v, err := s2.Setting(ctx, "k"); err != nil || v != "v2" {
			t.Fatalf("second store sees %q, %v", v, err)
		}
		v1, _ := s.SchemaVersion(ctx)
		v2, _ := s2.SchemaVersion(ctx)
		if v1 < 33 || v1 != v2 {
			t.Errorf("schema versions %d, %d", v1, v2)
		}
	})
}

func TestConcurrentReplicasMigrateOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		open := e.OpenShared(t)
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { open() })
		}
		wg.Wait()
	})
}

func TestUsersAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s := e.Open(t)
		if n, err := s.CountUsers(ctx); err != nil || n != 0 {
			t.Fatalf("CountUsers = %d, %v", n, err)
		}
		alice, err := s.CreateUser(ctx, store.User{Username: "alice", Role: "editor", PasswordHash: "h1", Scope: "payments/"})
		if err != nil {
			t.Fatal(err)
		}
		if alice.ID == "" || alice.Generation != 1 || alice.Source != store.SourceLocal {
			t.Errorf("created = %+v", alice)
		}
		if _, err := s.CreateUser(ctx, store.User{Username: "alice", Role: "viewer"}); !errors.Is(err, store.ErrUserExists) {
			t.Errorf("duplicate: %v", err)
		}
		got, err := s.UserByUsername(ctx, "alice")
		if err != nil || got.ID != alice.ID || got.Scope != "payments/" || got.Disabled {
			t.Fatalf("UserByUsername = %+v, %v", got, err)
		}
		if _, err := s.UserByID(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown id: %v", err)
		}
		if err := s.SetRole(ctx, alice.ID, "admin", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRole(ctx, "nope", "admin", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetRole unknown: %v", err)
		}

		now := time.Now().UTC().Truncate(time.Millisecond)
		se := store.Session{ID: "sess-1", UserID: alice.ID, Generation: 1, CreatedAt: now, LastSeen: now, Address: "192.0.2.1", UserAgent: "test", Method: "password"}
		if err := s.CreateSession(ctx, se); err != nil {
			t.Fatal(err)
		}
		gs, gu, err := s.SessionUser(ctx, "sess-1")
		if err != nil || gs.UserID != alice.ID || !gs.CreatedAt.Equal(now) || gu.Role != "admin" || gs.Method != "password" {
			t.Fatalf("SessionUser = %+v %+v %v", gs, gu, err)
		}
		if err := s.TouchSession(ctx, "sess-1", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if gs, _, _ := s.SessionUser(ctx, "sess-1"); !gs.LastSeen.Equal(now.Add(time.Hour)) {
			t.Errorf("LastSeen = %v", gs.LastSeen)
		}
		// Sign out everywhere: the generation grows and the rows go.
		if err := s.SignOutEverywhere(ctx, alice.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, "sess-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session after sign-out everywhere: %v", err)
		}
		if u, _ := s.UserByID(ctx, alice.ID); u.Generation != 2 {
			t.Errorf("generation = %d, want 2", u.Generation)
		}
		// Password reset and disabling end sessions too.
		for i, end := range []func() error{
			func() error { return s.SetPasswordHash(ctx, alice.ID, "h2") },
			func() error { return s.SetDisabled(ctx, alice.ID, true) },
		} {
			se.ID = "sess-x"
			if err := s.CreateSession(ctx, se); err != nil {
				t.Fatal(err)
			}
			if err := end(); err != nil {
				t.Fatal(err)
			}
			if n, _ := s.CountSessions(ctx, alice.ID); n != 0 {
				t.Errorf("step %d left %d sessions", i, n)
			}
		}
		u, _ := s.UserByID(ctx, alice.ID)
		if !u.Disabled || u.PasswordHash != "h2" || u.Generation != 4 {
			t.Errorf("after reset and disable: %+v", u)
		}
		if err := s.SetDisabled(ctx, alice.ID, false); err != nil {
			t.Fatal(err)
		}

		// Expiry: idle and absolute.
		old := store.Session{ID: "old", UserID: alice.ID, Generation: 4, CreatedAt: now.Add(-8 * 24 * time.Hour), LastSeen: now}
		idle := store.Session{ID: "idle", UserID: alice.ID, Generation: 4, CreatedAt: now, LastSeen: now.Add(-9 * time.Hour)}
		fresh := store.Session{ID: "fresh", UserID: alice.ID, Generation: 4, CreatedAt: now, LastSeen: now}
		for _, x := range []store.Session{old, idle, fresh} {
			if err := s.CreateSession(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.DeleteExpiredSessions(ctx, now.Add(-8*time.Hour), now.Add(-7*24*time.Hour))
		if err != nil || n != 2 {
			t.Errorf("DeleteExpiredSessions = %d, %v; want 2", n, err)
		}
		if err := s.DeleteSession(ctx, "fresh"); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountSessions(ctx, alice.ID); n != 0 {
			t.Errorf("%d sessions left", n)
		}

		list, err := s.Users(ctx)
		if err != nil || len(list) != 1 || list[0].Username != "alice" {
			t.Errorf("Users = %+v, %v", list, err)
		}
	})
}

func TestFirstAdminOnlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s := e.Open(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, done := 0, 0
		for i := range 5 {
			wg.Go(func() {
				_, err := s.CreateFirstAdmin(ctx, store.User{Username: "admin" + string(rune('a'+i)), Role: "admin"})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, store.ErrSetupDone):
					done++
				default:
					t.Errorf("CreateFirstAdmin: %v", err)
				}
			})
		}
		wg.Wait()
		if wins != 1 || done != 4 {
			t.Errorf("wins %d, refused %d; want exactly one admin", wins, done)
		}
	})
}

func TestSyncExternalUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s := e.Open(t)
		u, err := s.SyncExternalUser(ctx, store.User{Username: "jane", Role: "viewer", Source: store.SourceOIDC, DisplayName: "Jane"})
		if err != nil || u.Role != "viewer" || u.Source != store.SourceOIDC {
			t.Fatalf("first sync = %+v, %v", u, err)
		}
		u2, err := s.SyncExternalUser(ctx, store.User{Username: "jane", Role: "editor", Scope: "team/", Source: store.SourceOIDC})
		if err != nil || u2.ID != u.ID || u2.Role != "editor" || u2.Scope != "team/" || u2.DisplayName != "Jane" {
			t.Fatalf("second sync = %+v, %v", u2, err)
		}
		s.SetDisabled(ctx, u.ID, true)
		u3, _ := s.SyncExternalUser(ctx, store.User{Username: "jane", Role: "admin", Source: store.SourceOIDC})
		if !u3.Disabled {
			t.Error("sync re-enabled a disabled user")
		}
	})
}
