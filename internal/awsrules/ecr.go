// Package awsrules holds AWS field limits, enums and patterns shared by Berth's
// forms and the local emulator, so that both agree on what is valid. It uses
// only the standard library.
package awsrules

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// ECR repository name limits, from the ECR service model (RepositoryName).
const (
	RepositoryNameMinLen = 2
	RepositoryNameMaxLen = 256
	// RepositoryNamePattern is the model's pattern: components of lowercase
	// letters and digits joined by '.', '_', '__' or a run of '-', with '/'
	// between path components.
	RepositoryNamePattern = `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`
)

var ecrRepositoryNameRE = regexp.MustCompile(`^(?:` + RepositoryNamePattern + `)$`)

// ValidRepositoryName reports whether name is a valid ECR repository name.
func ValidRepositoryName(name string) bool {
	return len(name) >= RepositoryNameMinLen && len(name) <= RepositoryNameMaxLen && ecrRepositoryNameRE.MatchString(name)
}

// RepositoryNameProblems explains in plain words why name is not a valid ECR
// repository name; it returns nil for a valid name.
func RepositoryNameProblems(name string) []string {
	var out []string
	if len(name) < RepositoryNameMinLen || len(name) > RepositoryNameMaxLen {
		out = append(out, fmt.Sprintf("Use between %d and %d characters.", RepositoryNameMinLen, RepositoryNameMaxLen))
	}
	if strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("._-/", r))
	}) >= 0 {
		out = append(out, "Use only lowercase letters, digits, and . _ - / as separators.")
	} else if name != "" && !ecrRepositoryNameRE.MatchString(name) {
		out = append(out, "Start and end the name, and each part between slashes, with a letter or digit; separate words with a single '.', one or two '_', or hyphens.")
	}
	return out
}

// Image tag mutability settings (ImageTagMutability).
const (
	TagMutable                = "MUTABLE"
	TagImmutable              = "IMMUTABLE"
	TagImmutableWithExclusion = "IMMUTABLE_WITH_EXCLUSION"
	TagMutableWithExclusion   = "MUTABLE_WITH_EXCLUSION"
)

// ImageTagMutabilities lists the valid mutability settings in the model's order.
var ImageTagMutabilities = []string{TagMutable, TagImmutable, TagImmutableWithExclusion, TagMutableWithExclusion}

// ValidImageTagMutability reports whether v is one of ImageTagMutabilities.
func ValidImageTagMutability(v string) bool { return ecrContains(ImageTagMutabilities, v) }

// MutabilityNeedsExclusions reports whether a mutability setting takes
// exclusion filters (the *_WITH_EXCLUSION values require them, the others forbid them).
func MutabilityNeedsExclusions(v string) bool {
	return v == TagImmutableWithExclusion || v == TagMutableWithExclusion
}

// Exclusion filter limits (ImageTagMutabilityExclusionFilters).
const (
	ExclusionFiltersMin         = 1
	ExclusionFiltersMax         = 5
	ExclusionFilterTypeWildcard = "WILDCARD"
	ExclusionFilterPattern      = `^[0-9a-zA-Z._*-]{1,128}$`
)

var ecrExclusionFilterRE = regexp.MustCompile(ExclusionFilterPattern)

// ValidExclusionFilter reports whether filter is a valid exclusion filter value.
func ValidExclusionFilter(filter string) bool { return ecrExclusionFilterRE.MatchString(filter) }

// ExclusionFilterProblems explains in plain words why a filter is invalid.
func ExclusionFilterProblems(filterType, filter string) []string {
	var out []string
	if filterType != ExclusionFilterTypeWildcard {
		out = append(out, "Choose the WILDCARD filter type.")
	}
	if !ValidExclusionFilter(filter) {
		out = append(out, "Use 1 to 128 letters, digits, and . _ - *, where * matches any characters.")
	}
	return out
}

// TagMatchesWildcard reports whether an image tag matches a WILDCARD
// exclusion filter, where '*' stands for any run of characters.
func TagMatchesWildcard(filter, tag string) bool {
	parts := strings.Split(filter, "*")
	if len(parts) == 1 {
		return filter == tag
	}
	if !strings.HasPrefix(tag, parts[0]) {
		return false
	}
	rest := tag[len(parts[0]):]
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		if last {
			return strings.HasSuffix(rest, p) && len(rest) >= len(p)
		}
		j := strings.Index(rest, p)
		if j < 0 {
			return false
		}
		rest = rest[j+len(p):]
	}
	return true
}

// TagIsImmutable reports whether pushing over an existing tag is refused under
// the given mutability setting and exclusion filters.
func TagIsImmutable(mutability string, filters []string, tag string) bool {
	matched := false
	for _, f := range filters {
		if TagMatchesWildcard(f, tag) {
			matched = true
			break
		}
	}
	switch mutability {
	case TagImmutable:
		return true
	case TagImmutableWithExclusion:
		return !matched
	case TagMutableWithExclusion:
		return matched
	}
	return false
}

// Resource tag limits that ECR enforces (InvalidTagParameterException, TooManyTagsException).
const (
	ECRMaxTags           = 50
	ECRMaxTagKeyLen      = 128
	ECRMaxTagValueLen    = 256
	ECRReservedTagPrefix = "aws:"
)

// ValidECRTag reports whether key and value form a valid ECR resource tag.
func ValidECRTag(key, value string) bool { return len(ECRTagProblems(key, value)) == 0 }

// ECRTagProblems explains in plain words why a tag is invalid.
func ECRTagProblems(key, value string) []string {
	var out []string
	if n := utf8.RuneCountInString(key); n < 1 || n > ECRMaxTagKeyLen {
		out = append(out, fmt.Sprintf("Use a tag key of 1 to %d characters.", ECRMaxTagKeyLen))
	}
	if utf8.RuneCountInString(value) > ECRMaxTagValueLen {
		out = append(out, fmt.Sprintf("Use a tag value of at most %d characters.", ECRMaxTagValueLen))
	}
	if strings.HasPrefix(strings.ToLower(key), ECRReservedTagPrefix) {
		out = append(out, "Tag keys starting with aws: are reserved for AWS.")
	}
	return out
}

// Encryption types (EncryptionType).
const (
	ECREncryptionAES256  = "AES256"
	ECREncryptionKMS     = "KMS"
	ECREncryptionKMSDSSE = "KMS_DSSE"
)

// ECREncryptionTypes lists the valid encryption types in the model's order.
var ECREncryptionTypes = []string{ECREncryptionAES256, ECREncryptionKMS, ECREncryptionKMSDSSE}

// Lifecycle policy limits (LifecyclePolicyText) and grammar values.
const (
	LifecyclePolicyMinLen = 100
	LifecyclePolicyMaxLen = 30720
)

// LifecycleIssue is the first problem found in a lifecycle policy: Detail is
// the JSON-schema wording ECR puts in its error, Plain is for people.
type LifecycleIssue struct {
	Detail string
	Plain  string
}

var (
	ecrLifecycleTagStatuses = []string{"any", "tagged", "untagged"}
	ecrLifecycleCountTypes  = []string{"imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"}
	ecrLifecycleActionTypes = []string{"expire", "transition"}
	ecrRuleProps            = []string{"action", "description", "rulePriority", "selection"}
	ecrSelectionProps       = []string{"countNumber", "countType", "countUnit", "storageClass", "tagPatternList", "tagPrefixList", "tagStatus"}
	ecrActionProps          = []string{"targetStorageClass", "type"}
)

// CheckLifecyclePolicy checks a lifecycle policy document against ECR's
// lifecycle policy grammar and returns the first problem, or nil.
func CheckLifecyclePolicy(text string) *LifecycleIssue {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &doc); err != nil || doc == nil {
		return &LifecycleIssue{"Could not map policyString into LifecyclePolicy.", "The policy is not a JSON object."}
	}
	rawRules, ok := doc["rules"]
	if !ok {
		return ecrMissing([]string{"rules"}, "The policy needs a rules list.")
	}
	var rules []json.RawMessage
	if err := json.Unmarshal(rawRules, &rules); err != nil {
		return &LifecycleIssue{`instance type does not match any allowed primitive type (allowed: ["array"])`, "rules must be a list."}
	}
	if len(rules) == 0 {
		return &LifecycleIssue{"array is too short: must have at least 1 elements but instance has 0 elements", "Add at least one rule."}
	}
	priorities := map[int64]bool{}
	for _, raw := range rules {
		var rule map[string]json.RawMessage
		if err := json.Unmarshal(raw, &rule); err != nil || rule == nil {
			return &LifecycleIssue{`instance type does not match any allowed primitive type (allowed: ["object"])`, "Each rule must be an object."}
		}
		if is := ecrProperties(rule, []string{"action", "rulePriority", "selection"}, ecrRuleProps); is != nil {
			return is
		}
		var prio float64
		if err := json.Unmarshal(rule["rulePriority"], &prio); err != nil || prio != float64(int64(prio)) {
			return &LifecycleIssue{`instance type does not match any allowed primitive type (allowed: ["integer"])`, "rulePriority must be a whole number."}
		}
		if prio < 1 {
			return &LifecycleIssue{fmt.Sprintf("numeric instance is lower than the required minimum (minimum: 1, found: %d)", int64(prio)), "rulePriority must be 1 or more."}
		}
		if priorities[int64(prio)] {
			return &LifecycleIssue{"The rule priority " + fmt.Sprint(int64(prio)) + " is duplicated", "Give each rule a different rulePriority."}
		}
		priorities[int64(prio)] = true
		if is := ecrCheckSelection(rule["selection"]); is != nil {
			return is
		}
		if is := ecrCheckAction(rule["action"]); is != nil {
			return is
		}
	}
	return nil
}

func ecrCheckSelection(raw json.RawMessage) *LifecycleIssue {
	var sel map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sel); err != nil || sel == nil {
		return &LifecycleIssue{`instance type does not match any allowed primitive type (allowed: ["object"])`, "selection must be an object."}
	}
	if is := ecrProperties(sel, []string{"countNumber", "countType", "tagStatus"}, ecrSelectionProps); is != nil {
		return is
	}
	var tagStatus, countType string
	if json.Unmarshal(sel["tagStatus"], &tagStatus) != nil || !ecrContains(ecrLifecycleTagStatuses, tagStatus) {
		return ecrEnumIssue(sel["tagStatus"], ecrLifecycleTagStatuses, "tagStatus must be tagged, untagged or any.")
	}
	if json.Unmarshal(sel["countType"], &countType) != nil || !ecrContains(ecrLifecycleCountTypes, countType) {
		return &LifecycleIssue{"instance failed to match exactly one schema (matched 0 out of 2)", "countType must be imageCountMoreThan, sinceImagePushed, sinceImagePulled or sinceImageTransitioned."}
	}
	_, hasPrefix := sel["tagPrefixList"]
	_, hasPattern := sel["tagPatternList"]
	if tagStatus == "tagged" && !hasPrefix && !hasPattern {
		return &LifecycleIssue{"tagPrefixList or tagPatternList is required when tagStatus is tagged", "A rule for tagged images needs tagPrefixList or tagPatternList."}
	}
	if hasPrefix && hasPattern {
		return &LifecycleIssue{"tagPrefixList and tagPatternList cannot both be specified", "Use either tagPrefixList or tagPatternList, not both."}
	}
	for _, k := range []string{"tagPrefixList", "tagPatternList"} {
		if v, ok := sel[k]; ok {
			var list []string
			if json.Unmarshal(v, &list) != nil || len(list) == 0 {
				return &LifecycleIssue{`instance type does not match any allowed primitive type (allowed: ["array"])`, k + " must be a non-empty list of strings."}
			}
		}
	}
	var n float64
	if err := json.Unmarshal(sel["countNumber"], &n); err != nil || n != float64(int64(n)) {
		return &LifecycleIssue{`instance type does not match any allowed primitive type (allowed: ["integer"])`, "countNumber must be a whole number."}
	}
	if n < 1 {
		return &LifecycleIssue{fmt.Sprintf("numeric instance is lower than the required minimum (minimum: 1, found: %d)", int64(n)), "countNumber must be 1 or more."}
	}
	unit, hasUnit := sel["countUnit"]
	if countType == "imageCountMoreThan" && hasUnit {
		return &LifecycleIssue{"countUnit cannot be specified when countType is imageCountMoreThan", "Leave countUnit out when counting images."}
	}
	if countType != "imageCountMoreThan" {
		var u string
		if !hasUnit {
			return ecrMissing([]string{"countUnit"}, "A rule counting days needs countUnit \"days\".")
		}
		if json.Unmarshal(unit, &u) != nil || u != "days" {
			return ecrEnumIssue(unit, []string{"days"}, "countUnit must be days.")
		}
	}
	return nil
}

func ecrCheckAction(raw json.RawMessage) *LifecycleIssue {
	var act map[string]json.RawMessage
	if err := json.Unmarshal(raw, &act); err != nil || act == nil {
		return &LifecycleIssue{`instance type does not match any allowed primitive type (allowed: ["object"])`, "action must be an object."}
	}
	if is := ecrProperties(act, []string{"type"}, ecrActionProps); is != nil {
		return is
	}
	var typ string
	if json.Unmarshal(act["type"], &typ) != nil || !ecrContains(ecrLifecycleActionTypes, typ) {
		return ecrEnumIssue(act["type"], ecrLifecycleActionTypes, "The action type must be expire or transition.")
	}
	if typ == "transition" {
		var sc string
		if _, ok := act["targetStorageClass"]; !ok {
			return ecrMissing([]string{"targetStorageClass"}, "A transition action needs targetStorageClass \"archive\".")
		}
		if json.Unmarshal(act["targetStorageClass"], &sc) != nil || sc != "archive" {
			return ecrEnumIssue(act["targetStorageClass"], []string{"archive"}, "targetStorageClass must be archive.")
		}
	}
	return nil
}

func ecrProperties(obj map[string]json.RawMessage, required, allowed []string) *LifecycleIssue {
	var miss []string
	for _, k := range required {
		if _, ok := obj[k]; !ok {
			miss = append(miss, k)
		}
	}
	if len(miss) > 0 {
		return ecrMissing(miss, "Add "+strings.Join(miss, ", ")+".")
	}
	var extra []string
	for k := range obj {
		if !ecrContains(allowed, k) {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return &LifecycleIssue{"object instance has properties which are not allowed by the schema: (" + ecrJSONList(extra) + ")", "Remove " + strings.Join(extra, ", ") + "."}
	}
	return nil
}

func ecrMissing(keys []string, plain string) *LifecycleIssue {
	sort.Strings(keys)
	return &LifecycleIssue{"object has missing required properties (" + ecrJSONList(keys) + ")", plain}
}

func ecrEnumIssue(raw json.RawMessage, values []string, plain string) *LifecycleIssue {
	v := strings.Trim(string(raw), `"`)
	sorted := append([]string(nil), values...)
	sort.Strings(sorted)
	return &LifecycleIssue{"instance value (" + v + ") not found in enum (possible values: " + ecrJSONList(sorted) + ")", plain}
}

func ecrJSONList(v []string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func ecrContains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
