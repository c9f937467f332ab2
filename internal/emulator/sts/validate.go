package sts

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/berthhq/berth/internal/emulator/awsapi"
)

// The constraints of STS's service model (botocore sts/2011-06-15). The
// pattern strings are quoted verbatim in ValidationError messages, as AWS does.
const (
	namePattern       = `[\w+=,.@-]*` // roleSessionNameType and sourceIdentityType
	externalIDPattern = `[\w+=,.@:\/-]*`
	tagKeyPattern     = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	tagValuePattern   = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
	policyPattern     = `[\u0009\u000A\u000D\u0020-\u00FF]+`
	arnPattern        = `[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`

	minDuration, maxDuration = 900, 43200
	defaultDuration          = 3600
	// chainedMaxDuration is the limit for a role session that assumes
	// another role (role chaining).
	chainedMaxDuration = 3600
	maxTags            = 50
	maxPolicyArns      = 10
)

var (
	nameRE       = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalIDRE = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
	tagKeyRE     = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValueRE   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	policyRE     = regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{FF}]+$`)
	arnRE        = regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{7E}\x{85}\x{A0}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]+$`)
)

// violations collects model-constraint failures the way AWS's front end
// reports them: "N validation error(s) detected: Value 'x' at 'field' failed
// to satisfy constraint: …; Value …".
type violations []string

func (v *violations) add(value any, field, constraint string) {
	shown := "null"
	switch x := value.(type) {
	case nil:
	case string:
		shown = "'" + x + "'"
	default:
		shown = fmt.Sprintf("'%v'", x)
	}
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", shown, field, constraint))
}

func (v *violations) length(value, field string, minLen, maxLen int) {
	n := utf8.RuneCountInString(value)
	if n < minLen {
		v.add(value, field, fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	}
	if maxLen > 0 && n > maxLen {
		v.add(value, field, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
}

func (v *violations) pattern(value, field string, re *regexp.Regexp, shown string) {
	if !re.MatchString(value) {
		v.add(value, field, "Member must satisfy regular expression pattern: "+shown)
	}
}

// optional checks an optional string member: length, then pattern.
func (v *violations) optional(value, field string, minLen, maxLen int, re *regexp.Regexp, shown string) {
	v.length(value, field, minLen, maxLen)
	v.pattern(value, field, re, shown)
}

func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	noun := "errors"
	if len(v) == 1 {
		noun = "error"
	}
	return awsapi.Errorf("ValidationError", "%d validation %s detected: %s", len(v), noun, strings.Join(v, "; "))
}

func has(form map[string][]string, key string) bool {
	_, ok := form[key]
	return ok
}
