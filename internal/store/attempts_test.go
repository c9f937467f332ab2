package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/berthhq/berth/internal/store/storetest"
)

// Attempt counts are shared by every store on one database (the replicas),
// counted atomically, and forgotten once their window is long past.
func TestAttemptCountsAreSharedAndForgotten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		open := e.OpenShared(t)
		a, b := open(), open()
		w := 15 * time.Minute
		cur := time.Date(2026, 11, 26, 20, 15, 0, 0, time.UTC)
		prev := cur.Add(-w)
		for range 2 {
			if _, _, err := a.CountAttempt(ctx, "user:ana", prev, prev.Add(-w)); err != nil {
				t.Fatal(err)
			}
		}
		// Twenty attempts at once over both replicas: each sees its own count.
		seen := make(chan int, 20)
		var wg sync.WaitGroup
		for i := range 20 {
			st := a
			if i%2 == 1 {
				st = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, p, err := st.CountAttempt(ctx, "user:ana", cur, prev)
				if err != nil || p != 2 {
					t.Errorf("count: %d, %d, %v", c, p, err)
				}
				seen <- c
			}()
		}
		wg.Wait()
		close(seen)
		counts := map[int]bool{}
		for c := range seen {
			counts[c] = true
		}
		if len(counts) != 20 || !counts[1] || !counts[20] {
			t.Errorf("counts seen: %v, want each of 1..20 once", counts)
		}
		if c, _, _ := b.CountAttempt(ctx, "user:bob", cur, prev); c != 1 {
			t.Errorf("another name starts at %d", c)
		}
		// A later window forgets the windows before its previous one.
		later := cur.Add(2 * w)
		if _, _, err := b.CountAttempt(ctx, "addr:10.0.0.1", later, later.Add(-w)); err != nil {
			t.Fatal(err)
		}
		if _, p, _ := a.CountAttempt(ctx, "user:ana", later.Add(-w), cur); p != 0 {
			t.Errorf("window %s is still counted (%d)", cur, p)
		}
	})
}
