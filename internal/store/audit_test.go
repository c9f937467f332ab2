package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/internal/store/storetest"
)

func TestAuditTrail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s := e.Open(t)
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		for i := range 7 {
			actor := "alice"
			if i%2 == 1 {
				actor = "bob"
			}
			action := "secret.create"
			if i >= 5 {
				action = "sign-in"
			}
			_, err := s.AppendAudit(ctx, store.AuditEntry{
				At: base.Add(time.Duration(i) * time.Hour), Actor: actor, ActorRole: "editor", Address: "192.0.2.1",
				Action: action, Resource: fmt.Sprintf("arn:aws:secretsmanager:us-east-1:000000000000:secret:App_%d", i),
				Outcome: store.OutcomeSuccess, AWSRequestID: fmt.Sprintf("req-%d", i),
				Changes: []store.Change{{Field: "Description", Before: `"a"`, After: `"b"`}},
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		all, next, err := s.ListAudit(ctx, store.AuditFilter{})
		if err != nil || len(all) != 7 || next != 0 {
			t.Fatalf("all = %d entries, next %d, %v", len(all), next, err)
		}
		if all[0].AWSRequestID != "req-6" || !all[6].At.Equal(base) || len(all[0].Changes) != 1 || all[0].Changes[0].After != `"b"` {
			t.Errorf("newest first with fields: %+v", all[0])
		}
		count := func(f store.AuditFilter) int {
			t.Helper()
			es, _, err := s.ListAudit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}
		for name, tc := range map[string]struct {
			f    store.AuditFilter
			want int
		}{
			"actor":                {store.AuditFilter{Actor: "bob"}, 3},
			"action exact":         {store.AuditFilter{Action: "sign-in"}, 2},
			"action prefix":        {store.AuditFilter{Action: "secret."}, 5},
			"action star":          {store.AuditFilter{Action: "secret*"}, 5},
			"resource any case":    {store.AuditFilter{Resource: "app_3"}, 1},
			"resource like chars":  {store.AuditFilter{Resource: "App%"}, 0},
			"resource prefix":      {store.AuditFilter{ResourcePrefix: "arn:aws:secretsmanager:us-east-1:000000000000:secret:App_"}, 7},
			"resource prefix case": {store.AuditFilter{ResourcePrefix: "arn:aws:secretsmanager:us-east-1:000000000000:secret:app_"}, 0},
			"resource prefix like": {store.AuditFilter{ResourcePrefix: "arn:aws:secretsmanager:us-east-1:000000000000:secret:App%"}, 0},
			"time":                 {store.AuditFilter{From: base.Add(2 * time.Hour), To: base.Add(4 * time.Hour)}, 2},
			"combined":             {store.AuditFilter{Actor: "alice", Action: "secret."}, 3},
		} {
			if got := count(tc.f); got != tc.want {
				t.Errorf("%s: %d entries, want %d", name, got, tc.want)
			}
		}
		// Pagination by cursor.
		page1, next, _ := s.ListAudit(ctx, store.AuditFilter{Limit: 3})
		page2, next2, _ := s.ListAudit(ctx, store.AuditFilter{Limit: 3, Before: next})
		page3, next3, _ := s.ListAudit(ctx, store.AuditFilter{Limit: 3, Before: next2})
		if len(page1) != 3 || len(page2) != 3 || len(page3) != 1 || next3 != 0 || page2[0].ID != page1[2].ID-1 {
			t.Errorf("pages %d/%d/%d, cursors %d %d %d", len(page1), len(page2), len(page3), next, next2, next3)
		}
		// Append-only, enforced by the database itself.
		if _, err := s.DB().ExecContext(ctx, `UPDATE audit_entries SET actor = ? WHERE id = ?`, "mallory", all[0].ID); err == nil {
			t.Error("UPDATE of an audit entry succeeded")
		}
		if _, err := s.DB().ExecContext(ctx, `DELETE FROM audit_entries`); err == nil {
			t.Error("DELETE of audit entries succeeded")
		}
		if got := count(store.AuditFilter{}); got != 7 {
			t.Errorf("%d entries after tampering attempts", got)
		}
	})
}
