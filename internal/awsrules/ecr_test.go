package awsrules

import (
	"strings"
	"testing"
)

func TestRepositoryName(t *testing.T) {
	tests := []struct {
		name  string
		valid bool
	}{
		{"ab", true},
		{"a", false},
		{"my-app", true},
		{"team/my-app", true},
		{"team/sub/app.v2", true},
		{"a__b", true},
		{"a---b", true},
		{"a___b", false},
		{"a..b", false},
		{"a._b", false},
		{"Bad_Name!", false},
		{"UPPER", false},
		{"-lead", false},
		{"trail-", false},
		{"team//app", false},
		{"/team", false},
		{"team/", false},
		{strings.Repeat("a", 256), true},
		{strings.Repeat("a", 257), false},
	}
	for _, tt := range tests {
		if got := ValidRepositoryName(tt.name); got != tt.valid {
			t.Errorf("ValidRepositoryName(%q) = %v, want %v", tt.name, got, tt.valid)
		}
		if probs := RepositoryNameProblems(tt.name); (len(probs) == 0) != tt.valid {
			t.Errorf("RepositoryNameProblems(%q) = %q, valid %v", tt.name, probs, tt.valid)
		}
	}
	if p := RepositoryNameProblems("Bad_Name!"); len(p) != 1 || !strings.Contains(p[0], "lowercase") {
		t.Errorf("RepositoryNameProblems(Bad_Name!) = %q", p)
	}
}

func TestExclusionFilters(t *testing.T) {
	tests := []struct {
		typ, filter string
		valid       bool
	}{
		{"WILDCARD", "release-*", true},
		{"WILDCARD", "*", true},
		{"WILDCARD", "v1.2_3", true},
		{"WILDCARD", "", false},
		{"WILDCARD", "a/b", false},
		{"WILDCARD", strings.Repeat("x", 128), true},
		{"WILDCARD", strings.Repeat("x", 129), false},
		{"REGEX", "x", false},
	}
	for _, tt := range tests {
		if got := len(ExclusionFilterProblems(tt.typ, tt.filter)) == 0; got != tt.valid {
			t.Errorf("ExclusionFilterProblems(%q, %q) valid = %v, want %v", tt.typ, tt.filter, got, tt.valid)
		}
	}
}

func TestTagMatchesWildcard(t *testing.T) {
	tests := []struct {
		filter, tag string
		want        bool
	}{
		{"latest", "latest", true},
		{"latest", "latest2", false},
		{"dev-*", "dev-123", true},
		{"dev-*", "dev-", true},
		{"dev-*", "prod-1", false},
		{"*-rc", "1.0-rc", true},
		{"*-rc", "1.0-rc1", false},
		{"v*.*", "v1.2", true},
		{"v*.*", "v12", false},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"*", "anything", true},
	}
	for _, tt := range tests {
		if got := TagMatchesWildcard(tt.filter, tt.tag); got != tt.want {
			t.Errorf("TagMatchesWildcard(%q, %q) = %v, want %v", tt.filter, tt.tag, got, tt.want)
		}
	}
}

func TestTagIsImmutable(t *testing.T) {
	filters := []string{"dev-*", "latest"}
	tests := []struct {
		mutability, tag string
		want            bool
	}{
		{TagMutable, "v1", false},
		{TagImmutable, "v1", true},
		{TagImmutableWithExclusion, "v1", true},
		{TagImmutableWithExclusion, "dev-7", false},
		{TagImmutableWithExclusion, "latest", false},
		{TagMutableWithExclusion, "v1", false},
		{TagMutableWithExclusion, "dev-7", true},
	}
	for _, tt := range tests {
		if got := TagIsImmutable(tt.mutability, filters, tt.tag); got != tt.want {
			t.Errorf("TagIsImmutable(%s, %q) = %v, want %v", tt.mutability, tt.tag, got, tt.want)
		}
	}
	if !ValidImageTagMutability("IMMUTABLE_WITH_EXCLUSION") || ValidImageTagMutability("immutable") {
		t.Error("ValidImageTagMutability enum check is wrong")
	}
}

func TestECRTags(t *testing.T) {
	tests := []struct {
		key, value string
		valid      bool
	}{
		{"env", "prod", true},
		{"env", "", true},
		{"", "x", false},
		{strings.Repeat("k", 128), "v", true},
		{strings.Repeat("k", 129), "v", false},
		{"k", strings.Repeat("v", 256), true},
		{"k", strings.Repeat("v", 257), false},
		{"aws:created", "x", false},
		{"AWS:x", "x", false},
	}
	for _, tt := range tests {
		if got := ValidECRTag(tt.key, tt.value); got != tt.valid {
			t.Errorf("ValidECRTag(%q, %q) = %v, want %v (%q)", tt.key, tt.value, got, tt.valid, ECRTagProblems(tt.key, tt.value))
		}
	}
}

func TestCheckLifecyclePolicy(t *testing.T) {
	const good = `{"rules":[{"rulePriority":1,"description":"keep 10","selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}},
	{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"sinceImagePushed","countUnit":"days","countNumber":30},"action":{"type":"expire"}}]}`
	if is := CheckLifecyclePolicy(good); is != nil {
		t.Fatalf("good policy rejected: %+v", is)
	}
	tests := []struct {
		name, text, detail string
	}{
		{"not json", `{"rules":`, "Could not map policyString into LifecyclePolicy."},
		{"no rules", `{}`, `object has missing required properties (["rules"])`},
		{"rule missing action", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}}]}`, `object has missing required properties (["action"])`},
		{"bad tagStatus", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"all","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`, `instance value (all) not found in enum (possible values: ["any","tagged","untagged"])`},
		{"bad countType", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"lots","countNumber":1},"action":{"type":"expire"}}]}`, "instance failed to match exactly one schema (matched 0 out of 2)"},
		{"bad action", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"delete"}}]}`, `instance value (delete) not found in enum (possible values: ["expire","transition"])`},
		{"extra prop", `{"rules":[{"rulePriority":1,"x":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`, `object instance has properties which are not allowed by the schema: (["x"])`},
		{"count zero", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":0},"action":{"type":"expire"}}]}`, "numeric instance is lower than the required minimum (minimum: 1, found: 0)"},
		{"days without unit", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countNumber":3},"action":{"type":"expire"}}]}`, `object has missing required properties (["countUnit"])`},
		{"tagged without prefixes", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}`, "tagPrefixList or tagPatternList is required when tagStatus is tagged"},
		{"duplicate priority", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}},{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}`, "The rule priority 1 is duplicated"},
	}
	for _, tt := range tests {
		is := CheckLifecyclePolicy(tt.text)
		if is == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		if is.Detail != tt.detail || is.Plain == "" {
			t.Errorf("%s: detail %q, want %q (plain %q)", tt.name, is.Detail, tt.detail, is.Plain)
		}
	}
}
