package form

import (
	"net/url"
	"reflect"
	"testing"
)

func TestErrorsKeepOrderAndGroupByField(t *testing.T) {
	var e Errors
	if e.Any() {
		t.Fatal("empty errors report problems")
	}
	e.Add("name", "too short")
	e.Add("tags.0.key", "empty key")
	e.Add("name", "bad character")
	if !e.Any() || !e.Has("name") || e.Has("other") {
		t.Fatal("Any/Has wrong")
	}
	if got := e.For("name"); !reflect.DeepEqual(got, []string{"too short", "bad character"}) {
		t.Errorf("For(name) = %v", got)
	}
	if got := e.All()[1].Field; got != "tags.0.key" {
		t.Errorf("order lost: %v", e.All())
	}
}

func TestID(t *testing.T) {
	for in, want := range map[string]string{"name": "f-name", "tags.0.key": "f-tags-0-key", "a b/c": "f-a-b-c"} {
		if got := ID(in); got != want {
			t.Errorf("ID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKeyValuesSkipsEmptyRowsAndStopsAtGap(t *testing.T) {
	v := url.Values{
		"tags.0.key": {" team "}, "tags.0.value": {"payments"},
		"tags.1.key": {""}, "tags.1.value": {""},
		"tags.2.key": {"env"}, "tags.2.value": {" prod "},
		"tags.12.key": {"x"},
	}
	got := KeyValues(v, "tags")
	want := []KeyValue{{"team", "payments"}, {"env", " prod "}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("KeyValues = %#v, want %#v", got, want)
	}
}

func TestBool(t *testing.T) {
	v := url.Values{"a": {"on"}, "b": {"false"}, "c": {"false", "true"}}
	if !Bool(v, "a") || Bool(v, "b") || !Bool(v, "c") || Bool(v, "missing") {
		t.Error("Bool wrong")
	}
}
