package sts

import (
	"regexp"

	"github.com/berthhq/berth/internal/emulator/awsapi"
)

// The constraints of STS's service model (botocore sts/2011-06-15). The
// pattern strings are quoted verbatim in ValidationError messages, as AWS does.
const (
	namePattern       = `[\w+=,.@-]*` // roleSessionNameType and sourceIdentityType
	externalIDPattern = `[\w+=,.@:\/-]*`
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
	policyRE     = regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{FF}]+$`)
	arnRE        = regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{7E}\x{85}\x{A0}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]+$`)
)

// violations collects the model-constraint failures the service reports
// together (see awsapi.Violations).
type violations = awsapi.Violations

// optional checks an optional string member: length, then pattern.
func optionalMember(v *violations, value, field string, minLen, maxLen int, re *regexp.Regexp, shown string) {
	v.Length(value, field, minLen, maxLen)
	v.Pattern(value, field, re, shown)
}

func has(form map[string][]string, key string) bool {
	_, ok := form[key]
	return ok
}
