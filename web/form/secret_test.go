package form

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func fieldsOf(e Errors) []string {
	var out []string
	for _, fe := range e.All() {
		out = append(out, fe.Field)
	}
	return out
}

func TestSecretValueValidate(t *testing.T) {
	tests := []struct {
		name string
		in   url.Values
		want []string // fields with problems, in order
	}{
		{"kv ok", url.Values{"kv.0.key": {"username"}, "kv.0.value": {"AWS"}}, nil},
		{"nothing", url.Values{}, []string{"kv.0.key"}},
		{"value without key", url.Values{"kv.0.key": {""}, "kv.0.value": {"x"}}, []string{"kv.0.key"}},
		{"duplicate key", url.Values{"kv.0.key": {"a"}, "kv.0.value": {"1"}, "kv.1.key": {"a"}, "kv.1.value": {"2"}}, []string{"kv.1.key"}},
		{"registry needs password", url.Values{"preset": {"registry"}, "kv.0.key": {"username"}, "kv.0.value": {"AWS"}, "kv.1.key": {"password"}, "kv.1.value": {""}}, []string{"kv.1.value"}},
		{"registry ok", url.Values{"preset": {"registry"}, "kv.0.key": {"username"}, "kv.0.value": {"AWS"}, "kv.1.key": {"password"}, "kv.1.value": {"p"}}, nil},
		{"plaintext empty", url.Values{"mode": {"plaintext"}}, []string{"plaintext"}},
		{"plaintext any text", url.Values{"mode": {"plaintext"}, "plaintext": {"not json"}}, nil},
		{"plaintext too big", url.Values{"mode": {"plaintext"}, "plaintext": {strings.Repeat("x", 65537)}}, []string{"plaintext"}},
		{"plaintext at limit", url.Values{"mode": {"plaintext"}, "plaintext": {strings.Repeat("x", 65536)}}, nil},
		{"kv too big", url.Values{"kv.0.key": {"k"}, "kv.0.value": {strings.Repeat("x", 65536)}}, []string{"kv.0.value"}},
		{"registry plaintext wrong shape", url.Values{"preset": {"registry"}, "mode": {"plaintext"}, "plaintext": {`{"user":"x"}`}}, []string{"plaintext"}},
		{"custom kms key bad", url.Values{"kv.0.key": {"a"}, "kv.0.value": {"1"}, "kms_key": {"custom"}, "kms_key_custom": {"my key"}}, []string{"kms_key_custom"}},
		{"custom kms alias", url.Values{"kv.0.key": {"a"}, "kv.0.value": {"1"}, "kms_key": {"custom"}, "kms_key_custom": {"alias/team"}}, nil},
		{"custom kms arn", url.Values{"kv.0.key": {"a"}, "kv.0.value": {"1"}, "kms_key": {"custom"}, "kms_key_custom": {"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fieldsOf(DecodeSecretValue(tt.in).Validate())
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems at %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSecretValueViewsStayInSync(t *testing.T) {
	f := DecodeSecretValue(url.Values{"kv.0.key": {"username"}, "kv.0.value": {"AWS"}, "kv.1.key": {"pass\"word"}, "kv.1.value": {"a\nb"}})
	if got := f.Secret(); got != `{"username":"AWS","pass\"word":"a\nb"}` {
		t.Fatalf("Secret() = %s", got)
	}
	rows := f.Rows
	f.ToPlaintext()
	if f.Mode != SecretModePlaintext || !strings.Contains(f.Plaintext, "\n  \"username\": \"AWS\"") {
		t.Fatalf("plaintext = %q", f.Plaintext)
	}
	if e := f.ToKeyValue(); e.Any() || !reflect.DeepEqual(f.Rows, rows) {
		t.Fatalf("back to rows = %v %v", f.Rows, e.All())
	}
	for _, bad := range []string{`[1]`, `{"a":1}`, `{"a":{"b":"c"}}`, `{"a":"b"} x`, `nope`} {
		g := SecretValue{Mode: SecretModePlaintext, Plaintext: bad}
		if e := g.ToKeyValue(); !e.Has("plaintext") || g.Mode != SecretModePlaintext {
			t.Errorf("%s: switched to key/value", bad)
		}
	}
}

func TestRegistryPresetAddsKeys(t *testing.T) {
	f := NewSecretValue(SecretPresetRegistry)
	if len(f.Rows) != 2 || f.Rows[0].Key != "username" || f.Rows[1].Key != "password" {
		t.Errorf("rows = %v", f.Rows)
	}
}

func TestSecretConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		in   url.Values
		want []string
	}{
		{"path name", url.Values{"name": {"production/RegistryCredentials"}}, nil},
		{"empty name", url.Values{"name": {""}}, []string{"name"}},
		{"bad characters", url.Values{"name": {"my secret!"}}, []string{"name"}},
		{"too long", url.Values{"name": {strings.Repeat("a", 513)}}, []string{"name"}},
		{"description too long", url.Values{"name": {"a"}, "description": {strings.Repeat("d", 2049)}}, []string{"description"}},
		{"reserved tag", url.Values{"name": {"a"}, "tags.0.key": {"aws:team"}, "tags.0.value": {"x"}}, []string{"tags.0.key"}},
		{"bad tag value", url.Values{"name": {"a"}, "tags.0.key": {"team"}, "tags.0.value": {"a&b"}}, []string{"tags.0.value"}},
		{"duplicate tags", url.Values{"name": {"a"}, "tags.0.key": {"t"}, "tags.0.value": {"1"}, "tags.1.key": {"t"}, "tags.1.value": {"2"}}, []string{"tags.1.key"}},
		{"policy not json", url.Values{"name": {"a"}, "policy": {"{nope"}}, []string{"policy"}},
		{"policy without statement", url.Values{"name": {"a"}, "policy": {`{"Version":"2012-10-17"}`}}, []string{"policy"}},
		{"policy ok", url.Values{"name": {"a"}, "policy": {`{"Version":"2012-10-17","Statement":[]}`}}, nil},
		{"policy public", url.Values{"name": {"a"}, "policy": {`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`}}, []string{"policy"}},
		{"policy public with a condition", url.Values{"name": {"a"}, "policy": {`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}`}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fieldsOf(DecodeSecretConfig(tt.in).Validate())
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems at %v, want %v", got, tt.want)
			}
		})
	}
	if w := (SecretConfig{Name: "prod/db-abc123"}).Warnings(); len(w) != 1 {
		t.Errorf("no warning for a name ending like an ARN suffix")
	}
	if w := (SecretConfig{Name: "production/RegistryCredentials"}).Warnings(); len(w) != 0 {
		t.Errorf("warning %v", w)
	}
}

func TestSecretRotationValidate(t *testing.T) {
	fn := "arn:aws:lambda:us-east-1:123456789012:function:rotate"
	tests := []struct {
		name string
		in   url.Values
		want []string
	}{
		{"off", url.Values{"rotation_days": {"0"}}, nil},
		{"days ok", url.Values{"rotation": {"true"}, "schedule": {"days"}, "rotation_days": {"30"}, "rotation_lambda": {fn}}, nil},
		{"days zero", url.Values{"rotation": {"true"}, "schedule": {"days"}, "rotation_days": {"0"}, "rotation_lambda": {fn}}, []string{"rotation_days"}},
		{"days too many", url.Values{"rotation": {"true"}, "schedule": {"days"}, "rotation_days": {"1001"}, "rotation_lambda": {fn}}, []string{"rotation_days"}},
		{"rate hours", url.Values{"rotation": {"true"}, "schedule": {"expression"}, "rotation_expression": {"rate(4 hours)"}, "rotation_lambda": {fn}}, nil},
		{"rate too few hours", url.Values{"rotation": {"true"}, "schedule": {"expression"}, "rotation_expression": {"rate(2 hours)"}, "rotation_lambda": {fn}}, []string{"rotation_expression"}},
		{"cron", url.Values{"rotation": {"true"}, "schedule": {"expression"}, "rotation_expression": {"cron(0 8 1 * ? *)"}, "rotation_lambda": {fn}}, nil},
		{"cron five fields", url.Values{"rotation": {"true"}, "schedule": {"expression"}, "rotation_expression": {"cron(0 8 1 * ?)"}, "rotation_lambda": {fn}}, []string{"rotation_expression"}},
		{"window", url.Values{"rotation": {"true"}, "rotation_days": {"7"}, "rotation_window": {"25h"}, "rotation_lambda": {fn}}, []string{"rotation_window"}},
		{"days most", url.Values{"rotation": {"true"}, "schedule": {"days"}, "rotation_days": {"1000"}, "rotation_lambda": {fn}}, nil},
		{"rate most days", url.Values{"rotation": {"true"}, "schedule": {"expression"}, "rotation_expression": {"rate(999 days)"}, "rotation_lambda": {fn}}, nil},
		{"rate too many days", url.Values{"rotation": {"true"}, "schedule": {"expression"}, "rotation_expression": {"rate(1000 days)"}, "rotation_lambda": {fn}}, []string{"rotation_expression"}},
		// The shared rules' problems land at the input they are about.
		{"cron without ?", url.Values{"rotation": {"true"}, "schedule": {"expression"}, "rotation_expression": {"cron(0 8 1 * * *)"}, "rotation_lambda": {fn}}, []string{"rotation_expression"}},
		{"window past the day", url.Values{"rotation": {"true"}, "schedule": {"expression"}, "rotation_expression": {"cron(0 22 * * ? *)"}, "rotation_window": {"3h"}, "rotation_lambda": {fn}}, []string{"rotation_window"}},
		{"window into the next", url.Values{"rotation": {"true"}, "schedule": {"expression"}, "rotation_expression": {"rate(4 hours)"}, "rotation_window": {"5h"}, "rotation_lambda": {fn}}, []string{"rotation_window"}},
		{"no function", url.Values{"rotation": {"true"}, "rotation_days": {"7"}}, []string{"rotation_lambda"}},
		{"not a function arn", url.Values{"rotation": {"true"}, "rotation_days": {"7"}, "rotation_lambda": {"rotate"}}, []string{"rotation_lambda"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fieldsOf(DecodeSecretRotation(tt.in).Validate())
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems at %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSecretDeleteAndFilter(t *testing.T) {
	tests := []struct {
		in   url.Values
		want []string
	}{
		{url.Values{"days": {"30"}}, nil},
		{url.Values{"days": {"7"}}, nil},
		{url.Values{"days": {"6"}}, []string{"days"}},
		{url.Values{"days": {"31"}}, []string{"days"}},
		{url.Values{"days": {"soon"}}, []string{"days"}},
		{url.Values{"force": {"true"}}, []string{"confirm"}},
		{url.Values{"force": {"true"}, "confirm": {"app/db"}}, nil},
	}
	for _, tt := range tests {
		if got := fieldsOf(DecodeSecretDelete(tt.in).Validate("app/db")); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: problems at %v, want %v", tt.in, got, tt.want)
		}
	}
	if e := DecodeSecretListFilter(url.Values{"name": {"prod/"}, "tag_key": {"team"}}).Validate(); e.Any() {
		t.Errorf("filter problems %v", e.All())
	}
	if e := DecodeSecretListFilter(url.Values{"name": {"a&b"}}).Validate(); !e.Has("name") {
		t.Errorf("a&b accepted as a filter")
	}
	if e := (PasswordOptions{Length: "0"}).Validate(); !e.Has("password.length") {
		t.Errorf("length 0 accepted")
	}
}

func FuzzParseSecretRowsJSON(f *testing.F) {
	f.Add(`{"a":"b"}`)
	f.Add(`{"a":1}`)
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := ParseSecretRowsJSON(s)
		if err != nil {
			return
		}
		// What parses re-encodes to the same rows.
		again, err := ParseSecretRowsJSON(SecretRowsJSON(rows, true))
		if err != nil || len(again) != len(rows) {
			t.Fatalf("round trip of %q: %v %v", s, again, err)
		}
	})
}

// TestRotationFollowsTheEmulatorsRules: a schedule the form's own checks
// accept but RotateSecret refuses (AWS wants minute 0 in a cron schedule)
// is still refused by the form, through the shared rules.
func TestRotationFollowsTheEmulatorsRules(t *testing.T) {
	f := SecretRotation{Enabled: true, Schedule: "expression", Expression: "cron(15 8 1 * ? *)",
		LambdaARN: "arn:aws:lambda:us-east-1:123456789012:function:rotate"}
	e := f.Validate()
	if !e.Has("rotation_expression") || e.Has("rotation") {
		t.Fatalf("cron with minute 15: problems %v, want one at the expression", e.All())
	}
	f.Expression = "cron(0 8 1 * ? *)"
	if e := f.Validate(); e.Any() {
		t.Errorf("valid schedule refused: %v", e.All())
	}
	f.LambdaARN = "not-an-arn"
	if e := f.Validate(); !e.Has("rotation_lambda") {
		t.Errorf("bad function ARN accepted: %v", e.All())
	}
}
