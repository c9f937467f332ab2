// Package logs emulates CloudWatch Logs log groups for the local AWS
// emulator: the /ecs/<family> groups that Berth creates for awslogs and their
// retention. Timestamps in this service are epoch milliseconds.
package logs

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/kms"
	"github.com/berthhq/berth/internal/emulator/state"
)

// TargetPrefix is CloudWatch Logs' X-Amz-Target prefix.
const TargetPrefix = "Logs_20140328"

// RetentionDays are the only retention periods PutRetentionPolicy accepts.
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

const (
	logGroupNamePattern = `[\.\-_/#A-Za-z0-9]+`
	tagKeyPattern       = `^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`
	tagValuePattern     = `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`
)

var (
	logGroupNameRE = regexp.MustCompile(`^` + logGroupNamePattern + `$`)
	patternRE      = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]*$`)
	tagKeyRE       = regexp.MustCompile(tagKeyPattern)
	tagValueRE     = regexp.MustCompile(tagValuePattern)
	classEnum      = []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}
)

// Register adds CloudWatch Logs' operations to the router, creating its tables.
func Register(r *awsapi.Router, db *state.DB) error {
	if err := db.Migrate(schema...); err != nil {
		return err
	}
	s := &service{db: db}
	r.AddJSON(&awsapi.JSONService{
		TargetPrefix: TargetPrefix,
		MessageKey:   "message",
		Ops: map[string]awsapi.JSONOp{
			"CreateLogGroup":     awsapi.Op(s.createLogGroup),
			"DescribeLogGroups":  awsapi.Op(s.describeLogGroups),
			"DeleteLogGroup":     awsapi.Op(s.deleteLogGroup),
			"PutRetentionPolicy": awsapi.Op(s.putRetentionPolicy),
		},
	})
	return nil
}

var schema = []string{
	`CREATE TABLE IF NOT EXISTS logs_groups (
		account    TEXT NOT NULL,
		region     TEXT NOT NULL,
		name       TEXT NOT NULL,
		created_ms INTEGER NOT NULL,
		retention  INTEGER,
		kms_key_id TEXT,
		class      TEXT NOT NULL,
		tags       TEXT NOT NULL DEFAULT '{}',
		PRIMARY KEY (account, region, name)
	)`,
}

type service struct {
	db *state.DB
}

// violations collects the model-constraint failures the service reports
// together (see awsapi.Violations).
type violations = awsapi.Violations

func logGroupName(v *violations, value *string, field string, required bool) {
	if value == nil {
		if required {
			v.Add(nil, field, "Member must not be null")
		}
		return
	}
	v.Length(*value, field, 1, 512)
	if *value != "" && !logGroupNameRE.MatchString(*value) {
		v.Add(*value, field, "Member must satisfy regular expression pattern: "+logGroupNamePattern)
	}
}

var errNoGroup = awsapi.NewError("ResourceNotFoundException", "The specified log group does not exist.")

// changeGroup runs a statement that changes one log group; a statement
// that finds none answers as AWS does for a missing group.
func (s *service) changeGroup(c *awsapi.Context, query string, args ...any) error {
	return s.db.Write(c, func(tx *state.Tx) error {
		res, err := tx.Exec(query, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoGroup
		}
		return nil
	})
}

type createLogGroupInput struct {
	LogGroupName  *string           `json:"logGroupName"`
	KmsKeyID      *string           `json:"kmsKeyId"`
	Tags          map[string]string `json:"tags"`
	LogGroupClass *string           `json:"logGroupClass"`
}

func (s *service) createLogGroup(c *awsapi.Context, in *createLogGroupInput) (*struct{}, error) {
	var v violations
	logGroupName(&v, in.LogGroupName, "logGroupName", true)
	if in.KmsKeyID != nil {
		v.Length(*in.KmsKeyID, "kmsKeyId", 0, 256)
	}
	if in.LogGroupClass != nil && !slices.Contains(classEnum, *in.LogGroupClass) {
		v.Add(*in.LogGroupClass, "logGroupClass", "Member must satisfy enum value set: ["+strings.Join(classEnum, ", ")+"]")
	}
	if in.Tags != nil {
		if len(in.Tags) < 1 {
			v.Add(nil, "tags", "Member must have length greater than or equal to 1")
		}
		if len(in.Tags) > 50 {
			v.Add(nil, "tags", "Member must have length less than or equal to 50")
		}
		keys := make([]string, 0, len(in.Tags))
		for k := range in.Tags {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !tagKeyRE.MatchString(k) || utf8.RuneCountInString(k) > 128 {
				v.Add(k, "tags", "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: "+tagKeyPattern+"]")
			}
			if val := in.Tags[k]; !tagValueRE.MatchString(val) || utf8.RuneCountInString(val) > 256 {
				v.Add(val, "tags", "Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must satisfy regular expression pattern: "+tagValuePattern+"]")
			}
		}
	}
	if err := v.Err("InvalidParameterException"); err != nil {
		return nil, err
	}
	name := *in.LogGroupName
	class := "STANDARD"
	if in.LogGroupClass != nil {
		class = *in.LogGroupClass
	}
	var keyARN any
	if in.KmsKeyID != nil {
		// Logs takes only a key ARN, of a key that exists in this Region.
		denied := awsapi.Errorf("AccessDeniedException", "The specified KMS key does not exist or is not allowed to be used with Arn '%s'", c.ARN("logs", "log-group:"+name))
		if !strings.HasPrefix(*in.KmsKeyID, "arn:aws:kms:"+c.Region+":"+c.Account+":key/") {
			return nil, denied
		}
		arn, err := kms.ResolveKey(c, s.db, c.Account, c.Region, *in.KmsKeyID)
		if errors.Is(err, kms.ErrKeyNotFound) || err == nil && arn != *in.KmsKeyID {
			return nil, denied
		}
		if err != nil {
			return nil, err
		}
		keyARN = arn
	}
	tags := in.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	tagJSON, _ := json.Marshal(tags)
	err := s.db.Write(c, func(tx *state.Tx) error {
		res, err := tx.Exec(`INSERT OR IGNORE INTO logs_groups (account, region, name, created_ms, kms_key_id, class, tags) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.Account, c.Region, name, time.Now().UnixMilli(), keyARN, class, string(tagJSON))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return awsapi.NewError("ResourceAlreadyExistsException", "The specified log group already exists")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

type describeLogGroupsInput struct {
	LogGroupNamePrefix  *string  `json:"logGroupNamePrefix"`
	LogGroupNamePattern *string  `json:"logGroupNamePattern"`
	LogGroupClass       *string  `json:"logGroupClass"`
	NextToken           *string  `json:"nextToken"`
	Limit               *int     `json:"limit"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
	// AccountIdentifiers and IncludeLinkedAccounts search the accounts
	// linked to a monitoring account; the emulator links none, so they add
	// no log groups, and only their constraints are checked.
	AccountIdentifiers    []string `json:"accountIdentifiers"`
	IncludeLinkedAccounts *bool    `json:"includeLinkedAccounts"`
}

var (
	accountIDRE     = regexp.MustCompile(`^\d{12}$`)
	identifierRE    = regexp.MustCompile(`^[\w#+=/:,.@-]*$`)
	identifierShown = `[\w#+=/:,.@-]*`
)

type logGroup struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   *int   `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	StoredBytes       int64  `json:"storedBytes"`
	KmsKeyID          string `json:"kmsKeyId,omitempty"`
	LogGroupClass     string `json:"logGroupClass"`
	LogGroupArn       string `json:"logGroupArn"`
}

type describeLogGroupsOutput struct {
	LogGroups []logGroup `json:"logGroups"`
	NextToken string     `json:"nextToken,omitempty"`
}

func (s *service) describeLogGroups(c *awsapi.Context, in *describeLogGroupsInput) (*describeLogGroupsOutput, error) {
	var v violations
	if in.LogGroupNamePrefix != nil {
		logGroupName(&v, in.LogGroupNamePrefix, "logGroupNamePrefix", false)
	}
	if in.LogGroupNamePattern != nil {
		v.Length(*in.LogGroupNamePattern, "logGroupNamePattern", 0, 512)
		if !patternRE.MatchString(*in.LogGroupNamePattern) {
			v.Add(*in.LogGroupNamePattern, "logGroupNamePattern", `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]*`)
		}
	}
	if in.LogGroupClass != nil && !slices.Contains(classEnum, *in.LogGroupClass) {
		v.Add(*in.LogGroupClass, "logGroupClass", "Member must satisfy enum value set: ["+strings.Join(classEnum, ", ")+"]")
	}
	if in.Limit != nil {
		if *in.Limit < 1 {
			v.Add(*in.Limit, "limit", "Member must have value greater than or equal to 1")
		}
		if *in.Limit > 50 {
			v.Add(*in.Limit, "limit", "Member must have value less than or equal to 50")
		}
	}
	if in.NextToken != nil {
		v.Length(*in.NextToken, "nextToken", 1, 1<<20)
	}
	if in.LogGroupIdentifiers != nil {
		if n := len(in.LogGroupIdentifiers); n < 1 || n > 50 {
			v.Add(nil, "logGroupIdentifiers", "Member must have length between 1 and 50")
		}
		for i, id := range in.LogGroupIdentifiers {
			f := fmt.Sprintf("logGroupIdentifiers.%d.member", i+1)
			v.Length(id, f, 1, 2048)
			v.Pattern(id, f, identifierRE, identifierShown)
		}
	}
	if len(in.AccountIdentifiers) > 20 {
		v.Add(nil, "accountIdentifiers", "Member must have length less than or equal to 20")
	}
	for i, id := range in.AccountIdentifiers {
		f := fmt.Sprintf("accountIdentifiers.%d.member", i+1)
		v.Length(id, f, 12, 12)
		v.Pattern(id, f, accountIDRE, accountIDRE.String())
	}
	if err := v.Err("InvalidParameterException"); err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
		return nil, awsapi.NewError("InvalidParameterException", "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive.")
	}
	// The API reference: with logGroupIdentifiers, the only other filter
	// allowed is includeLinkedAccounts. The text follows the one above.
	if in.LogGroupIdentifiers != nil && (in.LogGroupNamePrefix != nil || in.LogGroupNamePattern != nil) {
		return nil, awsapi.NewError("InvalidParameterException", "LogGroupIdentifiers and LogGroupNamePrefix or LogGroupNamePattern are mutually exclusive.")
	}
	limit := 50
	if in.Limit != nil {
		limit = *in.Limit
	}
	after := ""
	if in.NextToken != nil {
		key, ok := awsapi.DecodeToken(*in.NextToken)
		if !ok {
			return nil, awsapi.NewError("InvalidParameterException", "The specified nextToken is invalid.")
		}
		after = key
	}

	q := `SELECT name, created_ms, retention, kms_key_id, class FROM logs_groups WHERE account = ? AND region = ? AND name > ?`
	args := []any{c.Account, c.Region, after}
	if p := in.LogGroupNamePrefix; p != nil {
		// A prefix is a key range, so a page stays an index seek.
		q += ` AND name >= ? AND substr(name, 1, ?) = ?`
		args = append(args, *p, len(*p), *p)
	}
	if p := in.LogGroupNamePattern; p != nil && *p != "" {
		q += ` AND instr(lower(name), ?) > 0`
		args = append(args, strings.ToLower(*p))
	}
	if in.LogGroupClass != nil {
		q += ` AND class = ?`
		args = append(args, *in.LogGroupClass)
	}
	if in.LogGroupIdentifiers != nil {
		// An identifier is a log group's name or its ARN without the
		// trailing ":*" (the pattern above has no "*").
		names := make([]string, 0, len(in.LogGroupIdentifiers))
		arnPrefix := c.ARN("logs", "log-group:")
		for _, id := range in.LogGroupIdentifiers {
			names = append(names, strings.TrimPrefix(id, arnPrefix))
		}
		q += ` AND name IN (SELECT value FROM json_each(?))`
		b, _ := json.Marshal(names)
		args = append(args, string(b))
	}
	q += ` ORDER BY name LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.db.Read().QueryContext(c, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &describeLogGroupsOutput{LogGroups: []logGroup{}}
	for rows.Next() {
		var (
			g         logGroup
			retention sql.NullInt64
			key       sql.NullString
		)
		if err := rows.Scan(&g.LogGroupName, &g.CreationTime, &retention, &key, &g.LogGroupClass); err != nil {
			return nil, err
		}
		if len(out.LogGroups) == limit {
			out.NextToken = awsapi.EncodeToken(out.LogGroups[limit-1].LogGroupName)
			break
		}
		if retention.Valid {
			d := int(retention.Int64)
			g.RetentionInDays = &d
		}
		g.KmsKeyID = key.String
		g.LogGroupArn = c.ARN("logs", "log-group:"+g.LogGroupName)
		g.Arn = g.LogGroupArn + ":*"
		out.LogGroups = append(out.LogGroups, g)
	}
	return out, rows.Err()
}

type deleteLogGroupInput struct {
	LogGroupName *string `json:"logGroupName"`
}

func (s *service) deleteLogGroup(c *awsapi.Context, in *deleteLogGroupInput) (*struct{}, error) {
	var v violations
	logGroupName(&v, in.LogGroupName, "logGroupName", true)
	if err := v.Err("InvalidParameterException"); err != nil {
		return nil, err
	}
	err := s.changeGroup(c, `DELETE FROM logs_groups WHERE account = ? AND region = ? AND name = ?`, c.Account, c.Region, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

type putRetentionPolicyInput struct {
	LogGroupName    *string `json:"logGroupName"`
	RetentionInDays *int    `json:"retentionInDays"`
}

func (s *service) putRetentionPolicy(c *awsapi.Context, in *putRetentionPolicyInput) (*struct{}, error) {
	var v violations
	logGroupName(&v, in.LogGroupName, "logGroupName", true)
	if in.RetentionInDays == nil {
		v.Add(nil, "retentionInDays", "Member must not be null")
	} else if !slices.Contains(RetentionDays, *in.RetentionInDays) {
		days := make([]string, len(RetentionDays))
		for i, d := range RetentionDays {
			days[i] = fmt.Sprint(d)
		}
		v.Add(*in.RetentionInDays, "retentionInDays", "Member must satisfy enum value set: ["+strings.Join(days, ", ")+"]")
	}
	if err := v.Err("InvalidParameterException"); err != nil {
		return nil, err
	}
	err := s.changeGroup(c, `UPDATE logs_groups SET retention = ? WHERE account = ? AND region = ? AND name = ?`,
		*in.RetentionInDays, c.Account, c.Region, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
