package awsapi

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Violations collects the model-constraint failures AWS's front ends report
// together, one sentence each ("Value 'x' at 'roleName' failed to satisfy
// constraint: …"), before an operation runs.
type Violations []string

// Add records that value (nil for a missing member) breaks a constraint.
func (v *Violations) Add(value any, field, constraint string) {
	shown := "null"
	if value != nil {
		shown = fmt.Sprintf("'%v'", value)
	}
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", shown, field, constraint))
}

// Length checks a string's length in characters; maxLen 0 means no maximum.
func (v *Violations) Length(value, field string, minLen, maxLen int) {
	n := utf8.RuneCountInString(value)
	if n < minLen {
		v.Add(value, field, fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	}
	if maxLen > 0 && n > maxLen {
		v.Add(value, field, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
}

// Pattern checks a string against the model's pattern, shown as the model
// writes it.
func (v *Violations) Pattern(value, field string, re *regexp.Regexp, shown string) {
	if !re.MatchString(value) {
		v.Add(value, field, "Member must satisfy regular expression pattern: "+shown)
	}
}

// Enum checks an optional member against its enum values.
func (v *Violations) Enum(value *string, field string, set []string) {
	if value != nil && !slices.Contains(set, *value) {
		v.Add(*value, field, "Member must satisfy enum value set: ["+strings.Join(set, ", ")+"]")
	}
}

// Range checks an optional number against the model's minimum and maximum.
func (v *Violations) Range(value *int, field string, minVal, maxVal int) {
	if value == nil {
		return
	}
	if *value < minVal {
		v.Add(*value, field, fmt.Sprintf("Member must have value greater than or equal to %d", minVal))
	}
	if *value > maxVal {
		v.Add(*value, field, fmt.Sprintf("Member must have value less than or equal to %d", maxVal))
	}
}

// Err is nil without violations, else the service's error (code is
// ValidationError for IAM and STS, ValidationException for KMS,
// InvalidParameterException for CloudWatch Logs) with AWS's summary.
func (v Violations) Err(code string) error {
	if len(v) == 0 {
		return nil
	}
	noun := "errors"
	if len(v) == 1 {
		noun = "error"
	}
	return Errorf(code, "%d validation %s detected: %s", len(v), noun, strings.Join(v, "; "))
}

// QueryTag is one member of an IAM or STS request's Tags.member list, as
// both store and answer it.
type QueryTag struct {
	Key   string `xml:"Key" json:"Key"`
	Value string `xml:"Value" json:"Value"`
}

// Tag limits and patterns of IAM's and STS's models.
const (
	maxQueryTags       = 50
	queryTagKeyShown   = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	queryTagValueShown = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
)

var (
	queryTagKeyRE   = regexp.MustCompile(`^` + queryTagKeyShown + `$`)
	queryTagValueRE = regexp.MustCompile(`^` + queryTagValueShown + `$`)
)

// QueryTags reads the Tags.member list of an IAM or STS request and records
// what breaks the model: keys of 1 to 128 and values of up to 256
// characters from the tag pattern, at most 50 tags.
func (v *Violations) QueryTags(form url.Values) []QueryTag {
	var tags []QueryTag
	for i, item := range FormList(form, "Tags.member") {
		t := QueryTag{Key: item.Get("Key"), Value: item.Get("Value")}
		field := "tags." + strconv.Itoa(i+1) + ".member."
		v.Length(t.Key, field+"key", 1, 128)
		if t.Key != "" {
			v.Pattern(t.Key, field+"key", queryTagKeyRE, queryTagKeyShown)
		}
		v.Length(t.Value, field+"value", 0, 256)
		v.Pattern(t.Value, field+"value", queryTagValueRE, queryTagValueShown)
		tags = append(tags, t)
	}
	if len(tags) > maxQueryTags {
		v.Add(nil, "tags", "Member must have length less than or equal to 50")
	}
	return tags
}
