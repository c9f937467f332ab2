package awsapi

import (
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestViolations(t *testing.T) {
	var v Violations
	if v.Err("ValidationError") != nil {
		t.Fatal("no violations must be no error")
	}
	v.Length("", "roleName", 1, 64)
	err := v.Err("ValidationError")
	var e *Error
	if !errors.As(err, &e) || e.Code != "ValidationError" ||
		e.Message != "1 validation error detected: Value '' at 'roleName' failed to satisfy constraint: Member must have length greater than or equal to 1" {
		t.Fatalf("one violation: %v", err)
	}
	n, s := 0, "x"
	v.Range(&n, "limit", 1, 50)
	v.Enum(&s, "keyUsage", []string{"ENCRYPT_DECRYPT"})
	v.Pattern("a b", "name", regexp.MustCompile(`^\S+$`), `\S+`)
	v.Add(nil, "policy", "Member must not be null")
	v.Length("abcdef", "id", 1, 0) // no maximum
	if len(v) != 5 {
		t.Fatalf("violations = %q", v)
	}
	if !errors.As(v.Err("ValidationException"), &e) || e.Message[:29] != "5 validation errors detected:" {
		t.Errorf("five violations: %v", e)
	}
}

func TestQueryTags(t *testing.T) {
	form := url.Values{
		"Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {"payments"},
		"Tags.member.2.Key": {""}, "Tags.member.2.Value": {"x"},
		"Tags.member.3.Key": {"a#b"}, "Tags.member.3.Value": {strings.Repeat("v", 257)},
	}
	var v Violations
	tags := v.QueryTags(form)
	if len(tags) != 3 || tags[0] != (QueryTag{Key: "team", Value: "payments"}) {
		t.Fatalf("tags = %+v", tags)
	}
	want := []string{
		"Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
		`Value 'a#b' at 'tags.3.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`,
		"Value '" + strings.Repeat("v", 257) + "' at 'tags.3.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
	}
	if !slices.Equal(v, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(v, "\n"), strings.Join(want, "\n"))
	}

	many := url.Values{}
	for i := 1; i <= 51; i++ {
		many.Set("Tags.member."+strconv.Itoa(i)+".Key", "k"+strconv.Itoa(i))
	}
	v = nil
	if tags := v.QueryTags(many); len(tags) != 51 || len(v) != 1 || v[0] != "Value null at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50" {
		t.Errorf("51 tags: %d tags, violations %q", len(tags), v)
	}
}
