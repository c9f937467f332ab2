package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/berthhq/berth/internal/store/storetest"
)

// Attempt counts are shared by every store on one database (the replicas)
// and forgotten once their window is long past.
func TestAttemptCountsAreSharedAndForgotten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		open := e.OpenShared(t)
		a, b := open(), open()
		w := 15 * time.Minute
		cur := time.Date(2026, 11, 26, 20, 15, 0, 0, time.UTC)
		prev := cur.Add(-w)
		for _, st := range []struct {
			n     int
			start time.Time
		}{{2, prev}, {1, cur}, {3, cur}} {
			if err := a.AddAttempts(ctx, "user:ana", st.start, st.n, prev.Add(-w)); err != nil {
				t.Fatal(err)
			}
		}
		if c, p, err := b.Attempts(ctx, "user:ana", cur, prev); err != nil || c != 4 || p != 2 {
			t.Fatalf("other replica sees %d now, %d before (%v); want 4, 2", c, p, err)
		}
		if c, p, _ := b.Attempts(ctx, "user:bob", cur, prev); c != 0 || p != 0 {
			t.Errorf("another name counts %d, %d", c, p)
		}
		// A later window's increment forgets the windows before its previous one.
		later := cur.Add(2 * w)
		if err := b.AddAttempts(ctx, "addr:10.0.0.1", later, 1, later.Add(-2*w)); err != nil {
			t.Fatal(err)
		}
		if c, p, _ := a.Attempts(ctx, "user:ana", cur, prev); c != 4 || p != 0 {
			t.Errorf("after forgetting: %d now, %d before; want the window before %s gone", c, p, cur)
		}
	})
}
