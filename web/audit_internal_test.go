package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/store"
)

// TestAuditNeverRecordsSecretValues sends the audit function every shape a
// secret value could arrive in and checks that the value is nowhere in the
// stored trail.
func TestAuditNeverRecordsSecretValues(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	backend := cloud.New(ctx, cloud.Options{Endpoint: "http://127.0.0.1:1", Region: "us-east-1"})
	s := New(Options{Store: st, Backend: backend})
	const secret = "hunter2-TOP-SECRET-value"
	type secretSettings struct {
		Name         string
		Description  string
		SecretString string
		KMSKeyID     string
		Tags         []map[string]string
		Nested       map[string]any
	}
	r := httptest.NewRequest("POST", "/secrets/x", nil)
	r = r.WithContext(context.WithValue(r.Context(), identityKey{}, &identity{done: true, user: &store.User{Username: "alice", Role: "editor"}}))
	entries := []Entry{
		{Action: "secret.create", Resource: "arn:aws:secretsmanager:us-east-1:000000000000:secret:app-AbCdEf",
			After: secretSettings{Name: "app", Description: "db", SecretString: secret, Tags: []map[string]string{{"Key": "team", "Value": "pay"}}}},
		{Action: "secret.update", Resource: "arn:x", Before: secretSettings{SecretString: "old-" + secret, Description: "a"},
			After: secretSettings{SecretString: secret, Description: "b", Nested: map[string]any{"password": secret, "Value": secret, "plaintext_value": secret}}},
		{Action: "secret.put-value", Resource: "arn:x", After: secret}, // a bare value
		{Action: "secret.put-value", Resource: "arn:x", After: map[string]any{"secret_binary": []byte(secret)}},
		{Action: "secret.update", Resource: "arn:x", Err: errors.New("AccessDenied"), After: map[string]any{"SecretValue": secret}},
	}
	for _, e := range entries {
		s.audit(r, e)
	}
	s.auditSecretValue(r, "arn:x", "v1", nil)
	es, _, err := st.ListAudit(ctx, store.AuditFilter{})
	if err != nil || len(es) != len(entries)+1 {
		t.Fatalf("%d entries, %v", len(es), err)
	}
	all, _ := json.Marshal(es)
	if strings.Contains(string(all), "hunter2") || strings.Contains(string(all), "aHVudGVyMi") /* base64 */ {
		t.Errorf("a secret value reached the audit trail:\n%s", all)
	}
	// The changes that are not secret are there, the secret ones marked.
	create := es[len(es)-1]
	fields := map[string]store.Change{}
	for _, c := range create.Changes {
		fields[c.Field] = c
	}
	if fields["Description"].After != `"db"` || fields["Tags.0.Value"].After != `"pay"` || fields["SecretString"].After != notRecorded || fields["KMSKeyID"].After != `""` {
		t.Errorf("create changes: %+v", create.Changes)
	}
	if create.Actor != "alice" || create.ActorRole != "editor" || create.Outcome != store.OutcomeSuccess || create.Region != "us-east-1" {
		t.Errorf("create entry: %+v", create)
	}
	if es[1].Outcome != store.OutcomeFailure || !strings.Contains(es[1].Detail, "AccessDenied") {
		t.Errorf("failed change: %+v", es[1])
	}
	if es[0].Action != "secret.get-value" || es[0].Detail != "version v1" {
		t.Errorf("retrieval entry: %+v", es[0])
	}
}

func TestDiffSettingsOnlyChangedFields(t *testing.T) {
	type repo struct {
		Name          string
		TagMutability string
		ScanOnPush    bool
	}
	got := diffSettings(repo{"app", "MUTABLE", false}, repo{"app", "IMMUTABLE", true})
	if len(got) != 2 || got[0].Field != "ScanOnPush" || got[0].Before != "false" || got[0].After != "true" || got[1].After != `"IMMUTABLE"` {
		t.Errorf("diff = %+v", got)
	}
	if got := diffSettings(nil, nil); len(got) != 0 {
		t.Errorf("empty diff = %+v", got)
	}
}
