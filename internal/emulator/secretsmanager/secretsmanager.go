// Package secretsmanager emulates Secrets Manager for the local AWS emulator:
// secrets with versions and staging labels, scheduled deletion, tags, resource
// policies, ListSecrets filters, GetRandomPassword, KMS key checks and
// RotateSecret's checks (rotation itself needs Lambda: see rotation.go), with
// AWS's validation and error texts.
//
// Secret values are stored as given in the emulator's SQLite file; they are
// never logged (the router logs error codes only).
package secretsmanager

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

var schema = []string{
	`CREATE TABLE IF NOT EXISTS sm_secrets (
		id          INTEGER PRIMARY KEY,
		account     TEXT NOT NULL,
		region      TEXT NOT NULL,
		name        TEXT NOT NULL,
		arn         TEXT NOT NULL,
		description TEXT,
		kms_key_id  TEXT,
		tags        TEXT,
		policy      TEXT,
		created_at  INTEGER NOT NULL,
		changed_at  INTEGER NOT NULL,
		accessed_at INTEGER,
		deleted_at  INTEGER,
		stages_map  TEXT NOT NULL DEFAULT '{}',
		words       TEXT NOT NULL DEFAULT ' '
	)`,
	`CREATE UNIQUE INDEX IF NOT EXISTS sm_secrets_name ON sm_secrets(account, region, name)`,
	`CREATE UNIQUE INDEX IF NOT EXISTS sm_secrets_arn ON sm_secrets(arn)`,
	`CREATE INDEX IF NOT EXISTS sm_secrets_created ON sm_secrets(account, region, created_at, id)`,
	`CREATE INDEX IF NOT EXISTS sm_secrets_changed ON sm_secrets(account, region, changed_at, id)`,
	`CREATE INDEX IF NOT EXISTS sm_secrets_accessed ON sm_secrets(account, region, COALESCE(accessed_at, 0), id)`,
	`CREATE INDEX IF NOT EXISTS sm_secrets_deleted ON sm_secrets(account, region, deleted_at) WHERE deleted_at IS NOT NULL`,
	`CREATE TABLE IF NOT EXISTS sm_versions (
		secret_id   INTEGER NOT NULL REFERENCES sm_secrets(id) ON DELETE CASCADE,
		version_id  TEXT NOT NULL,
		seq         INTEGER NOT NULL,
		created_at  INTEGER NOT NULL,
		accessed_at INTEGER,
		str_value   TEXT,
		bin_value   BLOB,
		stages      TEXT NOT NULL,
		PRIMARY KEY (secret_id, version_id)
	)`,
	`CREATE INDEX IF NOT EXISTS sm_versions_seq ON sm_versions(secret_id, seq)`,
	`CREATE TABLE IF NOT EXISTS sm_tags (
		secret_id INTEGER NOT NULL REFERENCES sm_secrets(id) ON DELETE CASCADE,
		key       TEXT NOT NULL,
		value     TEXT NOT NULL,
		PRIMARY KEY (secret_id, key)
	)`,
}

type service struct {
	db  *state.DB
	now func() time.Time
}

// Register adds Secrets Manager's operations to the router, creating its tables.
func Register(r *awsapi.Router, db *state.DB) error {
	if err := db.Migrate(schema...); err != nil {
		return err
	}
	s := &service{db: db, now: time.Now}
	r.AddJSON(&awsapi.JSONService{
		TargetPrefix: "secretsmanager",
		MessageKey:   "Message",
		Ops: map[string]awsapi.JSONOp{
			"CreateSecret":             awsapi.Op(s.createSecret),
			"DescribeSecret":           awsapi.Op(s.describeSecret),
			"ListSecrets":              awsapi.Op(s.listSecrets),
			"GetSecretValue":           awsapi.Op(s.getSecretValue),
			"PutSecretValue":           awsapi.Op(s.putSecretValue),
			"UpdateSecret":             awsapi.Op(s.updateSecret),
			"DeleteSecret":             awsapi.Op(s.deleteSecret),
			"RestoreSecret":            awsapi.Op(s.restoreSecret),
			"ListSecretVersionIds":     awsapi.Op(s.listSecretVersionIds),
			"UpdateSecretVersionStage": awsapi.Op(s.updateSecretVersionStage),
			"TagResource":              awsapi.Op(s.tagResource),
			"UntagResource":            awsapi.Op(s.untagResource),
			"GetRandomPassword":        awsapi.Op(s.getRandomPassword),
			"GetResourcePolicy":        awsapi.Op(s.getResourcePolicy),
			"PutResourcePolicy":        awsapi.Op(s.putResourcePolicy),
			"DeleteResourcePolicy":     awsapi.Op(s.deleteResourcePolicy),
			"RotateSecret":             awsapi.Op(s.rotateSecret),
			"CancelRotateSecret":       awsapi.Op(s.cancelRotateSecret),
		},
	})
	return nil
}

// AWS's error texts.
const (
	msgNotFound         = "Secrets Manager can't find the specified secret."
	msgMarkedDeleted    = "You can't perform this operation on the secret because it was marked for deletion."
	msgAlreadyDeleted   = "You tried to perform the operation on a secret that's currently marked deleted."
	msgScheduledCreate  = "You can't create this secret because a secret with this name is already scheduled for deletion."
	msgInvalidName      = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
	msgBothValues       = "You can't specify both a binary secret value and a string secret value in the same secret."
	msgNoValue          = "You must provide either SecretString or SecretBinary."
	msgNoToken          = "You must provide a ClientRequestToken value. We recommend a UUID-type value."
	msgModifyVersion    = "You can't modify an existing version, you can only create a new version."
	msgRecoveryWindow   = "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
	msgForceWithWindow  = "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
	msgStageMismatch    = "You provided a VersionStage that is not associated to the provided VersionId."
	msgInvalidNextToken = "The NextToken value is invalid."
)

func notFound() error { return awsapi.NewError("ResourceNotFoundException", msgNotFound) }

// validation errors in the shape AWS's request validator writes them.
func tooLong(field, value string, show bool, max int) error {
	return awsapi.NewError("ValidationException", fmt.Sprintf("1 validation error detected: %s at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", shown(value, show), field, max))
}

func tooShort(field, value string, show bool, min int) error {
	return awsapi.NewError("ValidationException", fmt.Sprintf("1 validation error detected: %s at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", shown(value, show), field, min))
}

func missing(field string) error {
	return awsapi.NewError("ValidationException", fmt.Sprintf("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field))
}

// shown renders the offending value; secret values are never echoed back.
func shown(value string, show bool) string {
	if !show {
		return "Value"
	}
	return fmt.Sprintf("Value '%s'", value)
}

func checkLen(field string, v *string, min, max int, show bool) error {
	if v == nil {
		return nil
	}
	n := len([]rune(*v))
	if n < min {
		return tooShort(field, *v, show, min)
	}
	if n > max {
		return tooLong(field, *v, show, max)
	}
	return nil
}

// checkSecretID validates a SecretId: 1–2048 characters, and a plain name
// must use the name alphabet (an ARN is checked when it is looked up).
func checkSecretID(id *string) error {
	if id == nil {
		return missing("secretId")
	}
	if err := checkLen("secretId", id, 1, 2048, true); err != nil {
		return err
	}
	if !strings.HasPrefix(*id, "arn:") && !awsrules.SecretNamePattern.MatchString(*id) {
		return awsapi.NewError("ValidationException", msgInvalidName)
	}
	return nil
}

func checkToken(tok *string) error {
	return checkLen("clientRequestToken", tok, awsrules.SecretClientRequestTokenMin, awsrules.SecretClientRequestTokenMax, true)
}

func checkVersionID(field string, id *string) error {
	return checkLen(field, id, awsrules.SecretClientRequestTokenMin, awsrules.SecretClientRequestTokenMax, true)
}

// value is a secret value: exactly one of str and bin is set.
type value struct {
	str *string
	bin []byte
}

func (v value) present() bool { return v.str != nil || v.bin != nil }

func (v value) equal(o value) bool {
	if (v.str == nil) != (o.str == nil) || (v.bin == nil) != (o.bin == nil) {
		return false
	}
	if v.str != nil && *v.str != *o.str {
		return false
	}
	return string(v.bin) == string(o.bin)
}

// checkValue validates SecretString / SecretBinary as given in a request.
func checkValue(str *string, bin []byte) (value, error) {
	if str != nil && bin != nil {
		return value{}, awsapi.NewError("InvalidParameterException", msgBothValues)
	}
	if str != nil {
		if len(*str) < 1 {
			return value{}, tooShort("secretString", "", false, 1)
		}
		if len(*str) > awsrules.SecretValueMaxBytes {
			return value{}, tooLong("secretString", "", false, awsrules.SecretValueMaxBytes)
		}
	}
	if bin != nil {
		if len(bin) < 1 {
			return value{}, tooShort("secretBinary", "", false, 1)
		}
		if len(bin) > awsrules.SecretValueMaxBytes {
			return value{}, tooLong("secretBinary", "", false, awsrules.SecretValueMaxBytes)
		}
	}
	return value{str: str, bin: bin}, nil
}

// tag is a Tag in requests and responses.
type tag struct {
	Key   *string `json:"Key,omitempty"`
	Value *string `json:"Value,omitempty"`
}

func checkTags(tags []tag) error {
	for i, t := range tags {
		if t.Key == nil {
			return missing(fmt.Sprintf("tags.%d.member.key", i+1))
		}
		if err := checkLen(fmt.Sprintf("tags.%d.member.key", i+1), t.Key, 1, awsrules.SecretTagKeyMaxLength, true); err != nil {
			return err
		}
		if t.Value == nil {
			return missing(fmt.Sprintf("tags.%d.member.value", i+1))
		}
		if err := checkLen(fmt.Sprintf("tags.%d.member.value", i+1), t.Value, 0, awsrules.SecretTagValueMaxLength, true); err != nil {
			return err
		}
		if awsrules.ReservedTagKey(*t.Key) {
			return awsapi.NewError("InvalidParameterException", "Invalid tag key: tag keys starting with aws: are reserved for AWS use.")
		}
		if p := awsrules.SecretTagProblems(awsrules.SecretTag{Key: *t.Key, Value: *t.Value}); len(p) > 0 {
			return awsapi.NewError("InvalidParameterException", "Invalid tag: tag keys and values may contain only letters, numbers, spaces, and the characters + - = . _ : / @.")
		}
	}
	if len(tags) > awsrules.SecretTagsMax {
		return awsapi.NewError("InvalidParameterException", fmt.Sprintf("Number of tags exceeds the limit of %d tags per secret.", awsrules.SecretTagsMax))
	}
	return nil
}

// secret is one row of sm_secrets with its versions when loaded.
type secret struct {
	id          int64
	name, arn   string
	description *string
	kmsKeyID    *string
	tags        []tag // nil: never tagged (Tags omitted); empty: tags all removed
	policy      *string
	created     int64
	changed     int64
	accessed    *int64
	deleted     *int64

	versions []*version
	dropped  []string
}

type version struct {
	id       string
	seq      int64
	created  int64
	accessed *int64
	val      value
	stages   []string
	dirty    bool
}

func (v *version) has(stage string) bool {
	for _, s := range v.stages {
		if s == stage {
			return true
		}
	}
	return false
}

func (v *version) remove(stage string) {
	for i, s := range v.stages {
		if s == stage {
			v.stages = append(v.stages[:i:i], v.stages[i+1:]...)
			v.dirty = true
			return
		}
	}
}

// add attaches a label; labels are kept sorted, as AWS lists them.
func (v *version) add(stage string) {
	if !v.has(stage) {
		v.stages = append(v.stages, stage)
		sort.Strings(v.stages)
		v.dirty = true
	}
}

func (s *secret) version(id string) *version {
	for _, v := range s.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (s *secret) withStage(stage string) *version {
	for _, v := range s.versions {
		if v.has(stage) {
			return v
		}
	}
	return nil
}

// addVersion attaches a new version with the given staging labels the way
// PutSecretValue does: each label moves from whichever version held it, and
// when AWSCURRENT moves, AWSPREVIOUS follows to the version it left. A
// finished rotation's AWSPENDING (on the old current version) is dropped then,
// as AWS does.
func (s *secret) addVersion(v *version, stages []string) {
	oldCurrent := s.withStage(awsrules.StageCurrent)
	for _, st := range stages {
		for _, o := range s.versions {
			o.remove(st)
		}
	}
	var seq int64
	for _, o := range s.versions {
		seq = max(seq, o.seq)
	}
	v.seq = seq + 1
	v.stages = nil
	for _, st := range stages {
		v.add(st)
	}
	v.dirty = true
	s.versions = append(s.versions, v)
	if contains(stages, awsrules.StageCurrent) && oldCurrent != nil {
		s.movePrevious(oldCurrent)
		if !contains(stages, awsrules.StagePending) {
			oldCurrent.remove(awsrules.StagePending)
		}
	}
	s.prune()
}

// movePrevious puts AWSPREVIOUS on the version AWSCURRENT was removed from.
func (s *secret) movePrevious(from *version) {
	for _, o := range s.versions {
		o.remove(awsrules.StagePrevious)
	}
	from.add(awsrules.StagePrevious)
}

// prune drops the oldest versions without staging labels beyond the quota.
func (s *secret) prune() {
	for len(s.versions) > awsrules.SecretMaxVersions {
		idx := -1
		for i, v := range s.versions {
			if len(v.stages) == 0 {
				idx = i
				break
			}
		}
		if idx < 0 {
			return
		}
		s.dropped = append(s.dropped, s.versions[idx].id)
		s.versions = append(s.versions[:idx:idx], s.versions[idx+1:]...)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stagesMap is VersionIdsToStages: labelled versions only.
func (s *secret) stagesMap() map[string][]string {
	m := map[string][]string{}
	for _, v := range s.versions {
		if len(v.stages) > 0 {
			m[v.id] = v.stages
		}
	}
	return m
}

// words is the lower-case word list the "all" filter searches, with a space
// before each word so that a word prefix is found with instr(words, ' '||w).
func (s *secret) words() string {
	var b strings.Builder
	b.WriteString(" ")
	add := func(t string) {
		for _, w := range splitWords(t) {
			b.WriteString(w)
			b.WriteString(" ")
		}
	}
	add(s.name)
	if s.description != nil {
		add(*s.description)
	}
	for _, t := range s.tags {
		add(deref(t.Key))
		add(deref(t.Value))
	}
	return b.String()
}

func splitWords(t string) []string {
	return strings.FieldsFunc(strings.ToLower(t), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	})
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

const secretCols = `id, name, arn, description, kms_key_id, tags, policy, created_at, changed_at, accessed_at, deleted_at`

func scanSecret(sc interface{ Scan(...any) error }) (*secret, error) {
	var s secret
	var tags sql.NullString
	if err := sc.Scan(&s.id, &s.name, &s.arn, &s.description, &s.kmsKeyID, &tags, &s.policy, &s.created, &s.changed, &s.accessed, &s.deleted); err != nil {
		return nil, err
	}
	if tags.Valid {
		s.tags = []tag{}
		if err := json.Unmarshal([]byte(tags.String), &s.tags); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

// find resolves a SecretId (a name, a full ARN, or a partial ARN without the
// random suffix) in the caller's account and region. Secrets whose deletion
// date has passed no longer exist.
// findLive finds a secret that may be changed or read: one scheduled for
// deletion answers InvalidRequestException, as AWS does. Its versions are loaded.
func (sv *service) findLive(c *awsapi.Context, q querier, id string) (*secret, error) {
	s, err := sv.find(c, q, id)
	if err != nil {
		return nil, err
	}
	if s.deleted != nil {
		return nil, awsapi.NewError("InvalidRequestException", msgMarkedDeleted)
	}
	if err := sv.loadVersions(c, q, s); err != nil {
		return nil, err
	}
	return s, nil
}

func (sv *service) find(c *awsapi.Context, q querier, id string) (*secret, error) {
	name, arn := id, ""
	if strings.HasPrefix(id, "arn:") {
		parts := strings.SplitN(id, ":", 7)
		if len(parts) != 7 || parts[2] != "secretsmanager" || parts[3] != c.Region || parts[4] != c.Account || parts[5] != "secret" {
			return nil, notFound()
		}
		name, arn = parts[6], id
	}
	var row *sql.Row
	if arn == "" {
		// A name: the name index alone answers (the OR below, for an ARN,
		// makes SQLite look in two indexes).
		row = q.QueryRowContext(c, `SELECT `+secretCols+` FROM sm_secrets
			WHERE account = ? AND region = ? AND name = ? AND (deleted_at IS NULL OR deleted_at > ?)`,
			c.Account, c.Region, name, sv.now().UnixMilli())
	} else {
		row = q.QueryRowContext(c, `SELECT `+secretCols+` FROM sm_secrets
			WHERE account = ? AND region = ? AND (arn = ? OR name = ?) AND (deleted_at IS NULL OR deleted_at > ?)
			ORDER BY arn = ? DESC LIMIT 1`, c.Account, c.Region, arn, name, sv.now().UnixMilli(), arn)
	}
	s, err := scanSecret(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	return s, err
}

func (sv *service) loadVersions(c *awsapi.Context, q querier, s *secret) error {
	rows, err := q.QueryContext(c, `SELECT version_id, seq, created_at, accessed_at, str_value, bin_value, stages
		FROM sm_versions WHERE secret_id = ? ORDER BY seq`, s.id)
	if err != nil {
		return err
	}
	defer rows.Close()
	s.versions = nil
	for rows.Next() {
		v := &version{}
		var stages string
		if err := rows.Scan(&v.id, &v.seq, &v.created, &v.accessed, &v.val.str, &v.val.bin, &stages); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(stages), &v.stages); err != nil {
			return err
		}
		s.versions = append(s.versions, v)
	}
	return rows.Err()
}

// purgeExpired removes secrets whose recovery window has ended: deletion is
// checked lazily, on the next write in the account and region.
func (sv *service) purgeExpired(c *awsapi.Context, tx *state.Tx) error {
	_, err := tx.ExecContext(c, `DELETE FROM sm_secrets WHERE account = ? AND region = ? AND deleted_at IS NOT NULL AND deleted_at <= ?`,
		c.Account, c.Region, sv.now().UnixMilli())
	return err
}

// save writes the secret row, its changed versions and its tags.
func (sv *service) save(c *awsapi.Context, tx *state.Tx, s *secret) error {
	var tags any
	if s.tags != nil {
		b, _ := json.Marshal(s.tags)
		tags = string(b)
	}
	sm, _ := json.Marshal(s.stagesMap())
	if s.id == 0 {
		res, err := tx.ExecContext(c, `INSERT INTO sm_secrets (account, region, name, arn, description, kms_key_id, tags, policy, created_at, changed_at, accessed_at, deleted_at, stages_map, words)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Account, c.Region, s.name, s.arn, s.description, s.kmsKeyID, tags, s.policy, s.created, s.changed, s.accessed, s.deleted, string(sm), s.words())
		if err != nil {
			return err
		}
		if s.id, err = res.LastInsertId(); err != nil {
			return err
		}
	} else {
		_, err := tx.ExecContext(c, `UPDATE sm_secrets SET description = ?, kms_key_id = ?, tags = ?, policy = ?, changed_at = ?, accessed_at = ?, deleted_at = ?, stages_map = ?, words = ? WHERE id = ?`,
			s.description, s.kmsKeyID, tags, s.policy, s.changed, s.accessed, s.deleted, string(sm), s.words(), s.id)
		if err != nil {
			return err
		}
	}
	for _, id := range s.dropped {
		if _, err := tx.ExecContext(c, `DELETE FROM sm_versions WHERE secret_id = ? AND version_id = ?`, s.id, id); err != nil {
			return err
		}
	}
	for _, v := range s.versions {
		if !v.dirty {
			continue
		}
		st, _ := json.Marshal(v.stages)
		if _, err := tx.ExecContext(c, `INSERT INTO sm_versions (secret_id, version_id, seq, created_at, accessed_at, str_value, bin_value, stages)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (secret_id, version_id) DO UPDATE SET accessed_at = excluded.accessed_at, stages = excluded.stages`,
			s.id, v.id, v.seq, v.created, v.accessed, v.val.str, v.val.bin, string(st)); err != nil {
			return err
		}
	}
	return nil
}

func (sv *service) saveTags(c *awsapi.Context, tx *state.Tx, s *secret) error {
	if _, err := tx.ExecContext(c, `DELETE FROM sm_tags WHERE secret_id = ?`, s.id); err != nil {
		return err
	}
	for _, t := range s.tags {
		if _, err := tx.ExecContext(c, `INSERT INTO sm_tags (secret_id, key, value) VALUES (?, ?, ?)`, s.id, deref(t.Key), deref(t.Value)); err != nil {
			return err
		}
	}
	return nil
}

// arnSuffixAlphabet is what AWS draws the ARN's six random characters from.
const arnSuffixAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomSuffix() string {
	b := make([]byte, 6)
	for i := range b {
		b[i] = arnSuffixAlphabet[randIntn(len(arnSuffixAlphabet))]
	}
	return string(b)
}

// randIntn draws uniformly from [0, n) with crypto/rand.
func randIntn(n int) int {
	var b [1]byte
	limit := 256 - 256%n
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err)
		}
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// day truncates a timestamp to midnight UTC: AWS reports LastAccessedDate
// without a time of day.
func day(ms int64) int64 {
	t := time.UnixMilli(ms).UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).UnixMilli()
}

func ts(ms int64) awsapi.Time { return awsapi.Time(time.UnixMilli(ms).UTC()) }

func tsPtr(ms *int64) *awsapi.Time {
	if ms == nil {
		return nil
	}
	t := ts(*ms)
	return &t
}
