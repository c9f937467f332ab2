package form

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/berthhq/berth/internal/awsrules"
)

// How a secret value is edited: as key/value rows or as plaintext.
const (
	SecretModeKeyValue  = "kv"
	SecretModePlaintext = "plaintext"
)

// Secret presets: the console's "Other type of secret" and two shapes teams
// store for their containers.
const (
	SecretPresetOther     = "other"
	SecretPresetRegistry  = "registry"
	SecretPresetAppConfig = "appconfig"
)

// SecretKMSCustom is the encryption key choice "enter a key yourself".
const SecretKMSCustom = "custom"

// PasswordOptions are the "Generate password" options, as typed.
type PasswordOptions struct {
	Length            string
	ExcludeCharacters string
	ExcludeNumbers, ExcludePunctuation, ExcludeUppercase, ExcludeLowercase,
	IncludeSpace, RequireEachType bool
}

// DefaultPasswordOptions are GetRandomPassword's defaults.
func DefaultPasswordOptions() PasswordOptions {
	return PasswordOptions{Length: strconv.Itoa(awsrules.SecretPasswordLengthDefault), RequireEachType: true}
}

// LengthValue is the password length as a number (0 when it is not one).
func (p PasswordOptions) LengthValue() int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(p.Length), 10, 64)
	return n
}

// Validate checks the options GetRandomPassword would refuse.
func (p PasswordOptions) Validate() Errors {
	var e Errors
	n, err := strconv.ParseInt(strings.TrimSpace(p.Length), 10, 64)
	if err != nil || n < awsrules.SecretPasswordLengthMin || n > awsrules.SecretPasswordLengthMax {
		e.Add("password.length", fmt.Sprintf("Enter a password length from %d to %d", awsrules.SecretPasswordLengthMin, awsrules.SecretPasswordLengthMax))
	}
	if len(p.ExcludeCharacters) > 4096 {
		e.Add("password.exclude", "Use at most 4096 characters to exclude")
	}
	if p.ExcludeNumbers && p.ExcludePunctuation && p.ExcludeUppercase && p.ExcludeLowercase && !p.IncludeSpace {
		e.Add("password.length", "Leave at least one kind of character in the password")
	}
	return e
}

// SecretValue is step 1 of "Store a new secret", and the "New value" form.
type SecretValue struct {
	Preset string
	Mode   string
	// Rows are the key/value rows (Mode kv), in the order typed.
	Rows      []KeyValue
	Plaintext string
	// KMSKey is "" for aws/secretsmanager, an alias from the picker, or
	// SecretKMSCustom with KMSKeyCustom holding what was typed.
	KMSKey, KMSKeyCustom string
	Password             PasswordOptions
}

// NewSecretValue is the empty step 1 of a preset.
func NewSecretValue(preset string) SecretValue {
	f := SecretValue{Preset: preset, Mode: SecretModeKeyValue, Password: DefaultPasswordOptions()}
	f.ApplyPreset()
	return f
}

// ApplyPreset fills the rows a preset needs, keeping what is typed.
func (f *SecretValue) ApplyPreset() {
	switch f.Preset {
	case SecretPresetRegistry:
		f.ensureKeys("username", "password")
	case SecretPresetAppConfig, SecretPresetOther:
	default:
		f.Preset = SecretPresetOther
	}
}

func (f *SecretValue) ensureKeys(keys ...string) {
	if f.Mode == SecretModePlaintext {
		return
	}
	for _, k := range keys {
		found := false
		for _, r := range f.Rows {
			if r.Key == k {
				found = true
			}
		}
		if !found {
			f.Rows = append(f.Rows, KeyValue{Key: k})
		}
	}
}

// DecodeSecretValue reads step 1 (or the "New value" form).
func DecodeSecretValue(v url.Values) SecretValue {
	f := SecretValue{
		Preset:       v.Get("preset"),
		Mode:         v.Get("mode"),
		Plaintext:    v.Get("plaintext"),
		KMSKey:       Trimmed(v, "kms_key"),
		KMSKeyCustom: Trimmed(v, "kms_key_custom"),
		Password: PasswordOptions{
			Length:             Trimmed(v, "password.length"),
			ExcludeCharacters:  v.Get("password.exclude"),
			ExcludeNumbers:     Bool(v, "password.exclude_numbers"),
			ExcludePunctuation: Bool(v, "password.exclude_punctuation"),
			ExcludeUppercase:   Bool(v, "password.exclude_uppercase"),
			ExcludeLowercase:   Bool(v, "password.exclude_lowercase"),
			IncludeSpace:       Bool(v, "password.include_space"),
			RequireEachType:    Bool(v, "password.require_each"),
		},
	}
	if f.Password.Length == "" {
		f.Password.Length = strconv.Itoa(awsrules.SecretPasswordLengthDefault)
	}
	if f.Mode != SecretModePlaintext {
		f.Mode = SecretModeKeyValue
		f.Rows = KeyValues(v, "kv")
	}
	if f.Preset == "" {
		f.Preset = SecretPresetOther
	}
	return f
}

// KMSKeyID is the key to send to AWS: "" for aws/secretsmanager.
func (f SecretValue) KMSKeyID() string {
	if f.KMSKey == SecretKMSCustom {
		return f.KMSKeyCustom
	}
	return f.KMSKey
}

// Secret is the SecretString this form stores: the rows as a JSON object
// in the order typed, or the plaintext as typed.
func (f SecretValue) Secret() string {
	if f.Mode == SecretModePlaintext {
		return f.Plaintext
	}
	return SecretRowsJSON(f.Rows, false)
}

// SecretRowsJSON encodes rows as one JSON object, keys in row order.
func SecretRowsJSON(rows []KeyValue, indent bool) string {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		if indent {
			b.WriteString("\n  ")
		}
		k, _ := json.Marshal(r.Key)
		v, _ := json.Marshal(r.Value)
		b.Write(k)
		b.WriteByte(':')
		if indent {
			b.WriteByte(' ')
		}
		b.Write(v)
	}
	if indent && len(rows) > 0 {
		b.WriteByte('\n')
	}
	b.WriteByte('}')
	return b.String()
}

// ParseSecretRowsJSON reads a flat JSON object of string values into rows, in the
// order of the document. Anything else cannot be shown as key/value rows.
func ParseSecretRowsJSON(s string) ([]KeyValue, error) {
	errShape := errors.New("To use the Key/value view, the plaintext must be a JSON object whose values are all text, such as {\"username\": \"AWS\"}")
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errShape
	}
	var rows []KeyValue
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, errShape
		}
		key, _ := kt.(string)
		vt, err := dec.Token()
		if err != nil {
			return nil, errShape
		}
		val, ok := vt.(string)
		if !ok {
			return nil, errShape
		}
		rows = append(rows, KeyValue{Key: key, Value: val})
	}
	if end, err := dec.Token(); err != nil || end != json.Delim('}') {
		return nil, errShape
	}
	if strings.TrimSpace(s[dec.InputOffset():]) != "" {
		return nil, errShape
	}
	return rows, nil
}

// ToPlaintext switches to the plaintext view, keeping the rows' content.
func (f *SecretValue) ToPlaintext() {
	if f.Mode == SecretModePlaintext {
		return
	}
	f.Plaintext = SecretRowsJSON(f.Rows, true)
	f.Mode = SecretModePlaintext
}

// ToKeyValue switches to the key/value view; the plaintext must be a flat
// JSON object, else the error is reported at the plaintext field.
func (f *SecretValue) ToKeyValue() Errors {
	var e Errors
	if f.Mode == SecretModeKeyValue {
		return e
	}
	if strings.TrimSpace(f.Plaintext) == "" {
		f.Rows, f.Mode = nil, SecretModeKeyValue
		f.ApplyPreset()
		return e
	}
	rows, err := ParseSecretRowsJSON(f.Plaintext)
	if err != nil {
		e.Add("plaintext", err.Error())
		return e
	}
	f.Rows, f.Mode = rows, SecretModeKeyValue
	return e
}

// Validate checks the value and the encryption key before AWS sees them.
func (f SecretValue) Validate() Errors {
	var e Errors
	f.validateValue(&e)
	if f.KMSKey == SecretKMSCustom {
		e.AddAll("kms_key_custom", SecretKMSKeyProblems(f.KMSKeyCustom))
	}
	return e
}

// ValidateValue checks the value alone (the "New value" form).
func (f SecretValue) ValidateValue() Errors {
	var e Errors
	f.validateValue(&e)
	return e
}

func (f SecretValue) validateValue(e *Errors) {
	if f.Mode == SecretModePlaintext {
		if p := awsrules.SecretValueProblems(len(f.Plaintext)); p != nil {
			e.AddAll("plaintext", p)
		}
		if f.Preset == SecretPresetRegistry && f.Plaintext != "" {
			rows, err := ParseSecretRowsJSON(f.Plaintext)
			if err != nil || !secretHasValue(rows, "username") || !secretHasValue(rows, "password") {
				e.Add("plaintext", `Private registry credentials need a JSON object with "username" and "password", the shape ECS reads`)
			}
		}
		return
	}
	if len(f.Rows) == 0 {
		e.Add("kv.0.key", "Enter at least one key and value")
		return
	}
	seen := map[string]bool{}
	for i, r := range f.Rows {
		field := "kv." + strconv.Itoa(i) + ".key"
		switch {
		case r.Key == "":
			e.Add(field, "Enter a key for this value")
		case seen[r.Key]:
			e.Add(field, fmt.Sprintf("The key %q is used more than once", r.Key))
		}
		seen[r.Key] = true
	}
	if f.Preset == SecretPresetRegistry {
		for _, k := range []string{"username", "password"} {
			if !secretHasValue(f.Rows, k) {
				e.Add(secretRowField(f.Rows, k), fmt.Sprintf("Enter the registry %s: ECS reads the keys username and password", k))
			}
		}
	}
	if p := awsrules.SecretValueProblems(len(f.Secret())); p != nil {
		e.AddAll("kv.0.value", p)
	}
}

func secretHasValue(rows []KeyValue, key string) bool {
	for _, r := range rows {
		if r.Key == key && r.Value != "" {
			return true
		}
	}
	return false
}

// secretRowField is the value input of the row with key, or the first row's key.
func secretRowField(rows []KeyValue, key string) string {
	for i, r := range rows {
		if r.Key == key {
			return "kv." + strconv.Itoa(i) + ".value"
		}
	}
	return "kv.0.key"
}

// secretKMSKeyPattern is what KMS accepts as a key reference: a key id (UUID or
// multi-Region mrk-…), an alias name, or a key or alias ARN. Not yet in
// internal/awsrules, which has no KMS rules.
var secretKMSKeyPattern = regexp.MustCompile(`^(` +
	`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}` +
	`|mrk-[0-9a-fA-F]{32}` +
	`|alias/[a-zA-Z0-9/_-]+` +
	`|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[0-9a-fA-F-]+|key/mrk-[0-9a-fA-F]{32}|alias/[a-zA-Z0-9/_-]+)` +
	`)$`)

// SecretKMSKeyProblems lists what is wrong with a typed KMS key reference.
func SecretKMSKeyProblems(k string) []string {
	switch {
	case k == "":
		return []string{"Enter a KMS key ID, key ARN, alias name (alias/…) or alias ARN"}
	case len(k) > awsrules.SecretKmsKeyIDMaxLength:
		return []string{fmt.Sprintf("Use at most %d characters", awsrules.SecretKmsKeyIDMaxLength)}
	case !secretKMSKeyPattern.MatchString(k):
		return []string{"Enter a KMS key ID (1234abcd-12ab-34cd-56ef-1234567890ab), key ARN, alias name (alias/my-key) or alias ARN"}
	}
	return nil
}

// SecretConfig is step 2, "Configure secret".
type SecretConfig struct {
	Name, Description string
	Tags              []KeyValue
	// Policy is the optional resource policy (JSON).
	Policy string
}

// DecodeSecretConfig reads step 2.
func DecodeSecretConfig(v url.Values) SecretConfig {
	return SecretConfig{
		Name:        Trimmed(v, "name"),
		Description: strings.TrimSpace(v.Get("description")),
		Tags:        KeyValues(v, "tags"),
		Policy:      strings.TrimSpace(v.Get("policy")),
	}
}

// Validate checks name, description, tags and the policy's JSON.
func (f SecretConfig) Validate() Errors {
	var e Errors
	e.AddAll("name", awsrules.SecretNameProblems(f.Name))
	e.AddAll("description", awsrules.SecretDescriptionProblems(f.Description))
	ValidateSecretTags(&e, f.Tags)
	if f.Policy != "" {
		e.AddAll("policy", SecretPolicyProblems(f.Policy))
	}
	return e
}

// Warnings is advice about a name AWS accepts anyway.
func (f SecretConfig) Warnings() []string { return awsrules.SecretNameWarnings(f.Name) }

// ValidateSecretTags records each tag's problems at its key or value input.
func ValidateSecretTags(e *Errors, tags []KeyValue) {
	if len(tags) > awsrules.SecretTagsMax {
		e.Add("tags.0.key", fmt.Sprintf("A secret can have at most %d tags", awsrules.SecretTagsMax))
	}
	seen := map[string]bool{}
	for i, t := range tags {
		base := "tags." + strconv.Itoa(i) + "."
		if seen[t.Key] && t.Key != "" {
			e.Add(base+"key", fmt.Sprintf("The tag key %q is used more than once", t.Key))
		}
		seen[t.Key] = true
		for _, p := range awsrules.SecretTagProblems(awsrules.SecretTag{Key: t.Key, Value: t.Value}) {
			if strings.Contains(p, "tag value") {
				e.Add(base+"value", p)
			} else {
				e.Add(base+"key", p)
			}
		}
	}
}

// SecretPolicyProblems checks a resource policy before AWS does: valid JSON, an
// object with a Statement, within the size limit, and no statement that lets
// everyone in, which AWS refuses because Berth attaches the policy with
// BlockPublicPolicy (after the secret is created, so it is caught here).
func SecretPolicyProblems(p string) []string {
	if len(p) > awsrules.SecretResourcePolicyMaxLength {
		return []string{fmt.Sprintf("Use at most %d characters in the resource policy", awsrules.SecretResourcePolicyMaxLength)}
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(p), &doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + strings.Count(p[:min(int(se.Offset), len(p))], "\n")
			return []string{fmt.Sprintf("The resource policy is not valid JSON (line %d: %s)", line, se.Error())}
		}
		return []string{"The resource policy must be a JSON object such as {\"Version\": \"2012-10-17\", \"Statement\": [...]}"}
	}
	if _, ok := doc["Statement"]; !ok {
		return []string{"The resource policy needs a \"Statement\""}
	}
	if i := awsrules.SecretPolicyPublicStatement(p); i >= 0 {
		return []string{fmt.Sprintf("AWS would refuse this policy because Block public policy is on: statement %d allows every principal (\"*\") without a Condition. "+
			"Name the accounts or roles that may read the secret, or add a Condition that narrows who can", i+1)}
	}
	return nil
}

// Rotation schedule kinds.
const (
	RotationScheduleDays       = "days"
	RotationScheduleExpression = "expression"
)

// SecretRotation is step 3, "Configure rotation".
type SecretRotation struct {
	Enabled bool
	// Schedule is RotationScheduleDays or RotationScheduleExpression.
	Schedule, Days, Expression string
	// Window is the rotation window in hours ("3h"); optional.
	Window      string
	LambdaARN   string
	Immediately bool
}

// NewSecretRotation is the console's default: rotation off; when turned on,
// every 30 days and rotate immediately.
func NewSecretRotation() SecretRotation {
	return SecretRotation{Schedule: RotationScheduleDays, Days: "30", Immediately: true}
}

// DecodeSecretRotation reads step 3.
func DecodeSecretRotation(v url.Values) SecretRotation {
	f := SecretRotation{
		Enabled:     Bool(v, "rotation"),
		Schedule:    v.Get("schedule"),
		Days:        Trimmed(v, "rotation_days"),
		Expression:  Trimmed(v, "rotation_expression"),
		Window:      Trimmed(v, "rotation_window"),
		LambdaARN:   Trimmed(v, "rotation_lambda"),
		Immediately: Bool(v, "rotate_immediately"),
	}
	if f.Schedule != RotationScheduleExpression {
		f.Schedule = RotationScheduleDays
	}
	return f
}

var (
	secretRateExpr   = regexp.MustCompile(`^rate\(([0-9]+) (day|days|hour|hours)\)$`)
	secretCronExpr   = regexp.MustCompile(`^cron\(([^ ()]+ ){5}[^ ()]+\)$`)
	secretWindowExpr = regexp.MustCompile(`^([1-9]|1[0-9]|2[0-4])h$`)
)

// Validate checks the rotation rules AWS enforces (RotationRulesType):
// every 1–1000 days, or rate(N days) up to 999, rate(N hours) from 4 to 23,
// or a six-field cron(); a 1–24 hour window; a Lambda function ARN. The
// common mistakes get a message at their own field; then the schedule as a
// whole goes through internal/awsrules, the rules the emulator enforces, so
// nothing RotateSecret would refuse gets past the form. Its problems, too,
// land at the input they are about: the days or expression, or the window.
func (f SecretRotation) Validate() Errors {
	var e Errors
	if !f.Enabled {
		return e
	}
	if f.Schedule == RotationScheduleDays {
		n, err := strconv.ParseInt(f.Days, 10, 64)
		if err != nil || n < awsrules.SecretRotationDaysMin || n > awsrules.SecretRotationDaysMax {
			e.Add("rotation_days", fmt.Sprintf("Enter a number of days from %d to %d", awsrules.SecretRotationDaysMin, awsrules.SecretRotationDaysMax))
		}
	} else {
		e.AddAll("rotation_expression", SecretScheduleProblems(f.Expression))
	}
	if f.Window != "" && !secretWindowExpr.MatchString(f.Window) {
		e.Add("rotation_window", "Enter the window in hours, from 1h to 24h, such as 3h")
	}
	e.AddAll("rotation_lambda", awsrules.RotationLambdaARNProblems(f.LambdaARN))
	if !e.Any() {
		rules := awsrules.SecretRotationRules{ScheduleExpression: f.Expression, Duration: f.Window}
		schedule := "rotation_expression"
		if f.Schedule == RotationScheduleDays {
			rules = awsrules.SecretRotationRules{AutomaticallyAfterDays: f.AfterDays(), Duration: f.Window}
			schedule = "rotation_days"
		}
		for _, p := range awsrules.SecretRotationRulesCheck(rules) {
			if p.Member == awsrules.RotationMemberDuration {
				e.Add("rotation_window", p.Message)
			} else {
				e.Add(schedule, p.Message)
			}
		}
	}
	return e
}

// SecretScheduleProblems checks a rate() or cron() rotation schedule.
func SecretScheduleProblems(s string) []string {
	if s == "" {
		return []string{"Enter a schedule expression such as rate(30 days) or cron(0 8 1 * ? *)"}
	}
	if m := secretRateExpr.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if strings.HasPrefix(m[2], "day") && (err != nil || n < 1 || n > awsrules.SecretRotationRateDaysMax) {
			return []string{fmt.Sprintf("A rate in days must be from 1 to %d days", awsrules.SecretRotationRateDaysMax)}
		}
		if strings.HasPrefix(m[2], "hour") && (err != nil || n < 4 || n > 23) {
			return []string{"A rate in hours must be from 4 to 23 hours"}
		}
		return nil
	}
	if secretCronExpr.MatchString(s) {
		return nil
	}
	return []string{"Enter rate(N days), rate(N hours) or a cron() expression with six fields, such as cron(0 8 1 * ? *)"}
}

// AfterDays is the days schedule as a number (0 for an expression).
func (f SecretRotation) AfterDays() int64 {
	if f.Schedule != RotationScheduleDays {
		return 0
	}
	n, _ := strconv.ParseInt(f.Days, 10, 64)
	return n
}

// SecretListFilter is the secret list's filter form.
type SecretListFilter struct {
	Name, Description, TagKey, TagValue string
	// Deleted shows secrets scheduled for deletion too.
	Deleted bool
}

// DecodeSecretListFilter reads the list's query string.
func DecodeSecretListFilter(v url.Values) SecretListFilter {
	return SecretListFilter{
		Name: Trimmed(v, "name"), Description: Trimmed(v, "description"),
		TagKey: Trimmed(v, "tag_key"), TagValue: Trimmed(v, "tag_value"),
		Deleted: Bool(v, "deleted"),
	}
}

// secretFilterValuePattern is ListSecrets' pattern for filter values. Not yet in
// internal/awsrules.
var secretFilterValuePattern = regexp.MustCompile(`^[a-zA-Z0-9 :_@/+=.\-]*$`)

// Validate checks the values ListSecrets would refuse.
func (f SecretListFilter) Validate() Errors {
	var e Errors
	for _, fv := range []struct{ field, value string }{
		{"name", f.Name}, {"description", f.Description}, {"tag_key", f.TagKey}, {"tag_value", f.TagValue},
	} {
		if len(fv.value) > 512 {
			e.Add(fv.field, "Use at most 512 characters")
		} else if !secretFilterValuePattern.MatchString(fv.value) {
			e.Add(fv.field, "Filters can use only letters, digits, spaces and : _ @ / + = . -")
		}
	}
	return e
}

// Query encodes the filter for links (pages, the deletion toggle).
func (f SecretListFilter) Query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("name", f.Name)
	set("description", f.Description)
	set("tag_key", f.TagKey)
	set("tag_value", f.TagValue)
	if f.Deleted {
		q.Set("deleted", "true")
	}
	return q
}

// SecretDelete is the "Delete secret" form.
type SecretDelete struct {
	Days string
	// Force deletes without recovery; Confirm must then repeat the name.
	Force   bool
	Confirm string
}

// DecodeSecretDelete reads the delete form.
func DecodeSecretDelete(v url.Values) SecretDelete {
	return SecretDelete{Days: Trimmed(v, "days"), Force: Bool(v, "force"), Confirm: Trimmed(v, "confirm")}
}

// DaysValue is the waiting period as a number (0 when it is not one).
func (f SecretDelete) DaysValue() int64 {
	n, _ := strconv.ParseInt(f.Days, 10, 64)
	return n
}

// Validate checks the waiting period, or the second confirmation of a
// deletion without recovery.
func (f SecretDelete) Validate(name string) Errors {
	var e Errors
	if f.Force {
		if f.Confirm != name {
			e.Add("confirm", "To delete without recovery, type the secret name exactly: "+name)
		}
		return e
	}
	n, err := strconv.ParseInt(f.Days, 10, 64)
	if err != nil {
		e.Add("days", fmt.Sprintf("Enter a waiting period from %d to %d days", awsrules.SecretRecoveryWindowMinDays, awsrules.SecretRecoveryWindowMaxDays))
		return e
	}
	e.AddAll("days", awsrules.RecoveryWindowProblems(n))
	return e
}

// SecretEdit is the "Edit" form: description, encryption key and tags.
type SecretEdit struct {
	Description          string
	KMSKey, KMSKeyCustom string
	Tags                 []KeyValue
}

// DecodeSecretEdit reads the edit form.
func DecodeSecretEdit(v url.Values) SecretEdit {
	return SecretEdit{
		Description:  strings.TrimSpace(v.Get("description")),
		KMSKey:       Trimmed(v, "kms_key"),
		KMSKeyCustom: Trimmed(v, "kms_key_custom"),
		Tags:         KeyValues(v, "tags"),
	}
}

// KMSKeyID is the chosen key: "" for aws/secretsmanager.
func (f SecretEdit) KMSKeyID() string {
	if f.KMSKey == SecretKMSCustom {
		return f.KMSKeyCustom
	}
	return f.KMSKey
}

// Validate checks description, key and tags.
func (f SecretEdit) Validate() Errors {
	var e Errors
	e.AddAll("description", awsrules.SecretDescriptionProblems(f.Description))
	if f.KMSKey == SecretKMSCustom {
		e.AddAll("kms_key_custom", SecretKMSKeyProblems(f.KMSKeyCustom))
	}
	ValidateSecretTags(&e, f.Tags)
	return e
}

// secretTokenPattern is a ClientRequestToken Berth hands out: 32–64 characters.
var secretTokenPattern = regexp.MustCompile(`^[A-Za-z0-9-]{32,64}$`)

// ValidSecretToken reports whether a posted request token has the shape Berth
// generates, so a tampered one is replaced rather than sent to AWS.
func ValidSecretToken(t string) bool { return secretTokenPattern.MatchString(t) }
