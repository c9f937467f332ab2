// Package awsrules holds AWS field limits and patterns shared by Berth's web
// forms and its local AWS emulator. It is stdlib only: the forms turn the
// problems into plain-language messages, the emulator into AWS's own errors,
// and both agree on what is valid.
package awsrules

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Secrets Manager limits, from the service model (botocore secretsmanager
// 2017-10-17) and the API reference.
const (
	SecretNameMaxLength         = 512
	SecretDescriptionMaxLength  = 2048
	SecretValueMaxBytes         = 65536
	SecretKmsKeyIDMaxLength     = 2048
	SecretRecoveryWindowMinDays = 7
	SecretRecoveryWindowMaxDays = 30
	// SecretRecoveryWindowDefaultDays is what DeleteSecret uses when neither a
	// window nor ForceDeleteWithoutRecovery is given.
	SecretRecoveryWindowDefaultDays = 30
	SecretTagsMax                   = 50
	SecretTagKeyMaxLength           = 128
	SecretTagValueMaxLength         = 256
	SecretClientRequestTokenMin     = 32
	SecretClientRequestTokenMax     = 64
	SecretVersionStageMaxLength     = 256
	SecretVersionStagesMax          = 20
	SecretResourcePolicyMaxLength   = 20480
	SecretListMaxResults            = 100
	SecretPasswordLengthMin         = 1
	SecretPasswordLengthMax         = 4096
	SecretPasswordLengthDefault     = 32
	// SecretMaxVersions is how many versions a secret keeps; beyond it the
	// oldest versions without staging labels are dropped.
	SecretMaxVersions = 100
)

// Staging labels that Secrets Manager itself moves between versions.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
	StagePending  = "AWSPENDING"
)

// SecretPunctuation is the punctuation set GetRandomPassword draws from (the
// API reference lists exactly these 32 characters).
const SecretPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// SecretNamePattern is what a secret name may contain: ASCII letters, digits
// and / _ + = . @ -.
var SecretNamePattern = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]+$`)

// secretTagPattern is AWS's general tag character set: letters, digits and
// spaces in UTF-8 plus + - = . _ : / @.
var secretTagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// ValidSecretName reports whether name is accepted by CreateSecret.
func ValidSecretName(name string) bool {
	return len(name) >= 1 && len(name) <= SecretNameMaxLength && SecretNamePattern.MatchString(name)
}

// SecretNameProblems lists what is wrong with a secret name.
func SecretNameProblems(name string) []string {
	var p []string
	switch {
	case name == "":
		p = append(p, "Enter a secret name")
	case len(name) > SecretNameMaxLength:
		p = append(p, fmt.Sprintf("Use at most %d characters", SecretNameMaxLength))
	}
	if name != "" && !SecretNamePattern.MatchString(name) {
		p = append(p, "Use only ASCII letters, digits, and / _ + = . @ -")
	}
	return p
}

// SecretNameEndsLikeSuffix reports whether name ends in a hyphen and six
// characters, which AWS accepts but advises against: the ARN adds its own
// "-xxxxxx" suffix, so such a name is confused with a full ARN's resource part
// when a secret is looked up by partial ARN.
func SecretNameEndsLikeSuffix(name string) bool {
	return len(name) >= 7 && name[len(name)-7] == '-'
}

// SecretNameWarnings lists advice about a valid name that AWS accepts anyway.
func SecretNameWarnings(name string) []string {
	if SecretNameEndsLikeSuffix(name) {
		return []string{"Avoid ending the name with a hyphen and six characters: it can be mistaken for the ARN's random suffix when the secret is looked up by partial ARN"}
	}
	return nil
}

// SecretDescriptionProblems lists what is wrong with a description.
func SecretDescriptionProblems(desc string) []string {
	if utf8.RuneCountInString(desc) > SecretDescriptionMaxLength {
		return []string{fmt.Sprintf("Use at most %d characters", SecretDescriptionMaxLength)}
	}
	return nil
}

// SecretValueProblems lists what is wrong with a secret value of size bytes
// (SecretString and SecretBinary share the same limit).
func SecretValueProblems(size int) []string {
	switch {
	case size < 1:
		return []string{"Enter a secret value"}
	case size > SecretValueMaxBytes:
		return []string{fmt.Sprintf("The secret value can be at most %d bytes (64 KB)", SecretValueMaxBytes)}
	}
	return nil
}

// ValidRecoveryWindow reports whether days is an accepted RecoveryWindowInDays.
func ValidRecoveryWindow(days int64) bool {
	return days >= SecretRecoveryWindowMinDays && days <= SecretRecoveryWindowMaxDays
}

// RecoveryWindowProblems lists what is wrong with a recovery window.
func RecoveryWindowProblems(days int64) []string {
	if !ValidRecoveryWindow(days) {
		return []string{fmt.Sprintf("Choose a recovery window from %d to %d days", SecretRecoveryWindowMinDays, SecretRecoveryWindowMaxDays)}
	}
	return nil
}

// SecretTag is one tag of a secret.
type SecretTag struct {
	Key, Value string
}

// ReservedTagKey reports whether key uses the aws: prefix, which AWS keeps
// for itself (in any letter case).
func ReservedTagKey(key string) bool {
	return len(key) >= 4 && strings.EqualFold(key[:4], "aws:")
}

// SecretTagProblems lists what is wrong with one tag.
func SecretTagProblems(t SecretTag) []string {
	var p []string
	kl := utf8.RuneCountInString(t.Key)
	switch {
	case kl == 0:
		p = append(p, "Enter a tag key")
	case kl > SecretTagKeyMaxLength:
		p = append(p, fmt.Sprintf("Use at most %d characters in a tag key", SecretTagKeyMaxLength))
	}
	if !secretTagPattern.MatchString(t.Key) {
		p = append(p, "Use only letters, digits, spaces, and + - = . _ : / @ in a tag key")
	}
	if ReservedTagKey(t.Key) {
		p = append(p, "Tag keys can't start with aws:, which AWS reserves")
	}
	if utf8.RuneCountInString(t.Value) > SecretTagValueMaxLength {
		p = append(p, fmt.Sprintf("Use at most %d characters in a tag value", SecretTagValueMaxLength))
	}
	if !secretTagPattern.MatchString(t.Value) {
		p = append(p, "Use only letters, digits, spaces, and + - = . _ : / @ in a tag value")
	}
	return p
}

// SecretPolicyPublicStatement is the index of the first statement of a
// resource policy that lets everyone in: an Allow whose Principal is "*", or
// {"AWS": "*"} (alone or in a list), with no Condition (or an empty one). PutResourcePolicy
// with BlockPublicPolicy refuses such a policy (PublicPolicyException); AWS's
// own analysis also weighs conditions, so it may refuse more than this. The
// result is -1 when no statement is public or the policy does not parse.
func SecretPolicyPublicStatement(policy string) int {
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return -1
	}
	type statement struct {
		Effect    string
		Principal any
		Condition any
	}
	var list []statement
	if json.Unmarshal(doc.Statement, &list) != nil {
		var one statement
		if json.Unmarshal(doc.Statement, &one) != nil {
			return -1
		}
		list = []statement{one}
	}
	for i, st := range list {
		if c, isMap := st.Condition.(map[string]any); st.Effect == "Allow" && (st.Condition == nil || isMap && len(c) == 0) && everyPrincipal(st.Principal) {
			return i
		}
	}
	return -1
}

// everyPrincipal reports whether a Principal is "*" or {"AWS": "*"}, where
// "AWS" may also be a list holding "*".
func everyPrincipal(p any) bool {
	switch p := p.(type) {
	case string:
		return p == "*"
	case map[string]any:
		switch aws := p["AWS"].(type) {
		case string:
			return aws == "*"
		case []any:
			for _, a := range aws {
				if a == "*" {
					return true
				}
			}
		}
	}
	return false
}

// Rotation limits, from the service model (RotationRulesType) and the user
// guide's "Rotation schedules" page.
const (
	SecretRotationDaysMin = 1
	SecretRotationDaysMax = 1000
	// SecretRotationRateDaysMax is the longest rate() in days: "The maximum
	// rotation period is 999 days."
	SecretRotationRateDaysMax = 999
	// SecretRotationMinHours is the shortest interval between rotations:
	// "You can rotate a secret as often as every four hours."
	SecretRotationMinHours              = 4
	SecretScheduleExpressionMaxLength   = 256
	SecretRotationDurationMinLength     = 2
	SecretRotationDurationMaxLength     = 3
	SecretRotationLambdaARNMaxLength    = 2048
	secretRotationDurationMaxHours      = 24
	secretScheduleExpressionCharsetText = `[0-9A-Za-z\(\)#\?\*\-\/, ]+`
)

// SecretScheduleExpressionPattern and SecretRotationDurationPattern are the
// service model's patterns for ScheduleExpression and Duration.
var (
	SecretScheduleExpressionPattern = regexp.MustCompile(`^` + secretScheduleExpressionCharsetText + `$`)
	SecretRotationDurationPattern   = regexp.MustCompile(`^[0-9]+h$`)
)

// SecretScheduleExpressionPatternText is the pattern as AWS's validation
// message quotes it.
const SecretScheduleExpressionPatternText = secretScheduleExpressionCharsetText

// lambdaFunctionARN is a Lambda function ARN, optionally with a version or
// alias qualifier.
var lambdaFunctionARN = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]+))?$`)

// ValidLambdaFunctionARN reports whether arn looks like a Lambda function ARN.
func ValidLambdaFunctionARN(arn string) bool { return lambdaFunctionARN.MatchString(arn) }

// RotationLambdaARNProblems lists what is wrong with a rotation function ARN.
func RotationLambdaARNProblems(arn string) []string {
	switch {
	case arn == "":
		return []string{"Choose the Lambda function that rotates the secret"}
	case len(arn) > SecretRotationLambdaARNMaxLength:
		return []string{fmt.Sprintf("Use at most %d characters", SecretRotationLambdaARNMaxLength)}
	case !ValidLambdaFunctionARN(arn):
		return []string{"Enter a Lambda function ARN, like arn:aws:lambda:us-east-1:123456789012:function:my-rotation"}
	}
	return nil
}

// SecretRotationRules is a rotation schedule as RotateSecret takes it; a zero
// AutomaticallyAfterDays or an empty string means the field is not set.
type SecretRotationRules struct {
	AutomaticallyAfterDays int64
	ScheduleExpression     string
	Duration               string
}

// RotationBothScheduleKinds reports the one combination AWS refuses with its
// own message: a number of days and a schedule expression together.
func RotationBothScheduleKinds(r SecretRotationRules) bool {
	return r.AutomaticallyAfterDays != 0 && r.ScheduleExpression != ""
}

// Members of RotationRulesType a rotation problem can be about.
const (
	RotationMemberDays     = "AutomaticallyAfterDays"
	RotationMemberSchedule = "ScheduleExpression"
	RotationMemberDuration = "Duration"
)

// RotationRulesProblem is one problem with a rotation schedule. Member names
// the RotationRulesType member that is wrong; it is empty when the problem is
// the combination (both kinds of schedule, or neither).
type RotationRulesProblem struct {
	Member, Message string
}

// SecretRotationRulesProblems lists what is wrong with a rotation schedule:
// one of days or an expression, AWS's limits on each, and a window that
// neither runs into the next UTC day nor into the next rotation.
func SecretRotationRulesProblems(r SecretRotationRules) []string {
	var p []string
	for _, q := range SecretRotationRulesCheck(r) {
		p = append(p, q.Message)
	}
	return p
}

// SecretRotationRulesCheck is SecretRotationRulesProblems with the member
// each problem is about, so a form can show it at its own input.
func SecretRotationRulesCheck(r SecretRotationRules) []RotationRulesProblem {
	var p []RotationRulesProblem
	if RotationBothScheduleKinds(r) {
		return []RotationRulesProblem{{Message: "Set either a number of days or a schedule expression, not both"}}
	}
	if r.AutomaticallyAfterDays == 0 && r.ScheduleExpression == "" {
		return []RotationRulesProblem{{Message: "Set a number of days or a schedule expression"}}
	}
	if r.AutomaticallyAfterDays != 0 && (r.AutomaticallyAfterDays < SecretRotationDaysMin || r.AutomaticallyAfterDays > SecretRotationDaysMax) {
		p = append(p, RotationRulesProblem{RotationMemberDays, fmt.Sprintf("Rotate every %d to %d days", SecretRotationDaysMin, SecretRotationDaysMax)})
	}
	var sched schedule
	if r.ScheduleExpression != "" {
		var problem string
		sched, problem = parseSchedule(r.ScheduleExpression)
		if problem != "" {
			p = append(p, RotationRulesProblem{RotationMemberSchedule, problem})
		}
	} else {
		sched = schedule{hours: []int{0}, gap: 24}
	}
	if r.Duration != "" && len(p) == 0 {
		for _, m := range durationProblems(r.Duration, sched) {
			p = append(p, RotationRulesProblem{RotationMemberDuration, m})
		}
	}
	return p
}

// schedule is what the window check needs from a schedule: the hours of the
// day at which windows open and the shortest gap in hours between two
// openings (24 for a daily or rarer schedule).
type schedule struct {
	hours []int
	gap   int
}

var rateExpr = regexp.MustCompile(`^rate\(([0-9]+) (hour|hours|day|days)\)$`)

func parseSchedule(expr string) (schedule, string) {
	if m := rateExpr.FindStringSubmatch(expr); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			return schedule{}, "Use a smaller number in rate()"
		}
		if strings.HasPrefix(m[2], "hour") {
			if n < SecretRotationMinHours {
				return schedule{}, fmt.Sprintf("Rotate at most every %d hours", SecretRotationMinHours)
			}
			return schedule{hours: []int{0}, gap: min(n, 24)}, ""
		}
		if n < 1 || n > SecretRotationRateDaysMax {
			return schedule{}, fmt.Sprintf("Use a rate() from 1 to %d days", SecretRotationRateDaysMax)
		}
		return schedule{hours: []int{0}, gap: 24}, ""
	}
	if strings.HasPrefix(expr, "rate(") {
		return schedule{}, "Write a rate as rate(N hours) or rate(N days)"
	}
	if !strings.HasPrefix(expr, "cron(") || !strings.HasSuffix(expr, ")") {
		return schedule{}, "Use a rate() or cron() expression"
	}
	f := strings.Fields(expr[len("cron(") : len(expr)-1])
	if len(f) != 6 {
		return schedule{}, "A cron() expression has six fields: minutes hours day-of-month month day-of-week year"
	}
	if f[0] != "0" {
		return schedule{}, "Use 0 for the minutes: rotation windows open on the hour"
	}
	if f[5] != "*" {
		return schedule{}, "Use * for the year"
	}
	hours, ok := cronValues(f[1], 0, 23, nil)
	if !ok {
		return schedule{}, "Use hours from 0 to 23 with , - * /"
	}
	if _, ok := cronValues(strings.TrimSuffix(strings.TrimSuffix(f[2], "W"), "L"), 1, 31, nil); !ok && f[2] != "?" && f[2] != "L" && f[2] != "LW" {
		return schedule{}, "Use days of the month from 1 to 31 with , - * ? / L W"
	}
	if _, ok := cronValues(f[3], 1, 12, monthNames); !ok {
		return schedule{}, "Use months from 1 to 12 or JAN to DEC with , - * /"
	}
	if !validDayOfWeek(f[4]) {
		return schedule{}, "Use days of the week from 1 to 7 or SUN to SAT with , - * ? / L #"
	}
	if (f[2] == "?") == (f[4] == "?") {
		return schedule{}, "Use ? in exactly one of day-of-month and day-of-week"
	}
	gap := 24
	for i := range hours {
		next := 24 + hours[0]
		if i+1 < len(hours) {
			next = hours[i+1]
		}
		gap = min(gap, next-hours[i])
	}
	if gap < SecretRotationMinHours {
		return schedule{}, fmt.Sprintf("Rotate at most every %d hours", SecretRotationMinHours)
	}
	return schedule{hours: hours, gap: gap}, ""
}

var (
	monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
)

// cronValues expands one cron field (items separated by commas, each *, N,
// N-M, with an optional /step) into its sorted values within lo..hi; names
// stand for lo, lo+1, … .
func cronValues(field string, lo, hi int, names []string) ([]int, bool) {
	set := map[int]bool{}
	for _, item := range strings.Split(field, ",") {
		rng, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 {
				return nil, false
			}
			step = n
		}
		from, to := lo, hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var okA, okB bool
			from, okA = cronValue(a, lo, hi, names)
			to, okB = cronValue(b, lo, hi, names)
			if !okA || !okB || from > to {
				return nil, false
			}
		default:
			v, ok := cronValue(rng, lo, hi, names)
			if !ok {
				return nil, false
			}
			from = v
			if !hasStep {
				to = v
			}
		}
		for v := from; v <= to; v += step {
			set[v] = true
		}
	}
	out := make([]int, 0, len(set))
	for v := lo; v <= hi; v++ {
		if set[v] {
			out = append(out, v)
		}
	}
	return out, len(out) > 0
}

func cronValue(s string, lo, hi int, names []string) (int, bool) {
	for i, n := range names {
		if strings.EqualFold(s, n) {
			return lo + i, true
		}
	}
	v, err := strconv.Atoi(s)
	return v, err == nil && v >= lo && v <= hi
}

// validDayOfWeek accepts a day-of-week field, with ?, L, 5L (last Friday) and
// 6#3 (third Friday) besides lists, ranges and steps.
func validDayOfWeek(f string) bool {
	if f == "?" || f == "L" {
		return true
	}
	if d, n, ok := strings.Cut(f, "#"); ok {
		_, okD := cronValue(d, 1, 7, dayNames)
		k, err := strconv.Atoi(n)
		return okD && err == nil && k >= 1 && k <= 5
	}
	if strings.HasSuffix(f, "L") {
		_, ok := cronValue(strings.TrimSuffix(f, "L"), 1, 7, dayNames)
		return ok
	}
	_, ok := cronValues(f, 1, 7, dayNames)
	return ok
}

// durationProblems checks a rotation window of "Nh" against the schedule: at
// least an hour, not past the end of the UTC day, not into the next window.
func durationProblems(d string, s schedule) []string {
	n, err := strconv.Atoi(strings.TrimSuffix(d, "h"))
	if !SecretRotationDurationPattern.MatchString(d) || err != nil || n < 1 {
		return []string{"Write the window as a number of hours, like 3h"}
	}
	if n > secretRotationDurationMaxHours || s.hours[len(s.hours)-1]+n > 24 {
		return []string{"The rotation window can't extend into the next UTC day"}
	}
	if n > s.gap {
		return []string{"The rotation window can't extend into the next rotation window"}
	}
	return nil
}
