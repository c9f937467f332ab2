// Package form holds Berth's form structs, their decoding from posted
// values, and field-level validation messages. It has no SDK imports: forms
// convert to project types that internal/cloud maps to SDK inputs.
package form

import (
	"net/url"
	"strings"
)

// FieldError is one problem with one field, in plain language.
type FieldError struct {
	// Field is the input's name attribute ("name", "tags.0.key"); "" for a
	// problem that belongs to the whole form.
	Field   string
	Message string
}

// Errors are the problems of one submitted form, in the order found, so
// the summary at the top lists them in the order of the fields.
type Errors struct {
	list []FieldError
}

// Add records a problem with a field.
func (e *Errors) Add(field, message string) {
	e.list = append(e.list, FieldError{Field: field, Message: message})
}

// AddAll records several problems with one field.
func (e *Errors) AddAll(field string, messages []string) {
	for _, m := range messages {
		e.Add(field, m)
	}
}

// Any reports whether there is at least one problem.
func (e Errors) Any() bool { return len(e.list) > 0 }

// All returns every problem in order.
func (e Errors) All() []FieldError { return e.list }

// For returns the messages of one field.
func (e Errors) For(field string) []string {
	var out []string
	for _, fe := range e.list {
		if fe.Field == field {
			out = append(out, fe.Message)
		}
	}
	return out
}

// Has reports whether a field has a problem.
func (e Errors) Has(field string) bool { return len(e.For(field)) > 0 }

// ID turns a field name into the HTML id of its input, the target of the
// error summary's links: "tags.0.key" -> "f-tags-0-key".
func ID(field string) string {
	var b strings.Builder
	b.WriteString("f-")
	for _, r := range field {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Bool reads a checkbox: present with any value but "false" or "off" is true.
func Bool(v url.Values, name string) bool {
	s, ok := v[name]
	if !ok || len(s) == 0 {
		return false
	}
	last := s[len(s)-1]
	return last != "false" && last != "off" && last != "0"
}

// Trimmed reads a text value with surrounding white space removed.
func Trimmed(v url.Values, name string) string { return strings.TrimSpace(v.Get(name)) }

// KeyValue is one row of a key/value list (tags, environment variables…).
type KeyValue struct {
	Key, Value string
}

// KeyValues reads rows posted as <prefix>.<n>.key / <prefix>.<n>.value for
// n = 0, 1, …, skipping rows where both are empty. Rows keep their posted
// index order so re-rendered forms match what was typed.
func KeyValues(v url.Values, prefix string) []KeyValue {
	var out []KeyValue
	for i := 0; i < 1000; i++ {
		k, kok := v[prefix+"."+itoa(i)+".key"]
		val, vok := v[prefix+"."+itoa(i)+".value"]
		if !kok && !vok {
			break
		}
		row := KeyValue{Key: strings.TrimSpace(first(k)), Value: first(val)}
		if row.Key == "" && row.Value == "" {
			continue
		}
		out = append(out, row)
	}
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
