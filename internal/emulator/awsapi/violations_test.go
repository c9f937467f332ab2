package awsapi

import (
	"errors"
	"regexp"
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
