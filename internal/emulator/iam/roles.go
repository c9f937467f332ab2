package iam

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// xmlList is a Query-protocol list: <Name><member>…</member></Name>. It is
// always written, empty or not, as IAM writes <Roles/> for no roles.
type xmlList[T any] struct {
	Members []T `xml:"member"`
}

type tag = awsapi.QueryTag

type role struct {
	Path                     string        `xml:"Path"`
	RoleName                 string        `xml:"RoleName"`
	RoleID                   string        `xml:"RoleId"`
	Arn                      string        `xml:"Arn"`
	CreateDate               string        `xml:"CreateDate"`
	AssumeRolePolicyDocument string        `xml:"AssumeRolePolicyDocument"`
	Description              *string       `xml:"Description,omitempty"`
	MaxSessionDuration       int           `xml:"MaxSessionDuration"`
	Tags                     *xmlList[tag] `xml:"Tags,omitempty"`
}

type roleResult struct {
	Role role `xml:"Role"`
}

type listRolesResult struct {
	Roles       xmlList[role] `xml:"Roles"`
	IsTruncated bool          `xml:"IsTruncated"`
	Marker      string        `xml:"Marker,omitempty"`
}

type attachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type listAttachedResult struct {
	AttachedPolicies xmlList[attachedPolicy] `xml:"AttachedPolicies"`
	IsTruncated      bool                    `xml:"IsTruncated"`
	Marker           string                  `xml:"Marker,omitempty"`
}

func roleNotFound(name string) error {
	return awsapi.StatusError(404, "NoSuchEntity", "The role with name "+name+" cannot be found.")
}

// isoTime is IAM's timestamp format in XML: ISO 8601, UTC, whole seconds.
func isoTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05Z")
}

// newRoleID makes a unique id as IAM does for roles: AROA and 17 uppercase
// letters and digits.
func newRoleID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 17)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "AROA" + string(b)
}

func (s *service) createRole(c *awsapi.Context, form url.Values) (any, error) {
	var v violations
	name := first(form, "RoleName")
	nameErr := roleNameProblems(&v, name, has(form, "RoleName"))

	path := "/"
	if has(form, "Path") {
		path = first(form, "Path")
		v.Length(path, "path", 1, 512)
		if path != "" {
			v.Pattern(path, "path", pathRE, pathPattern)
		}
	}

	doc := first(form, "AssumeRolePolicyDocument")
	if !has(form, "AssumeRolePolicyDocument") {
		v.Add(nil, "assumeRolePolicyDocument", "Member must not be null")
	} else {
		v.Length(doc, "assumeRolePolicyDocument", 1, 131072)
		if doc != "" {
			v.Pattern(doc, "assumeRolePolicyDocument", policyDocRE, `[\u0009\u000A\u000D\u0020-\u00FF]+`)
		}
	}

	var desc *string
	if has(form, "Description") {
		d := first(form, "Description")
		desc = &d
		v.Length(d, "description", 0, 1000)
		v.Pattern(d, "description", descriptionRE, descriptionPattern)
	}

	session := defaultSession
	if s := first(form, "MaxSessionDuration"); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			v.Add(s, "maxSessionDuration", "Member must be an integer")
		case n < minSession:
			v.Add(n, "maxSessionDuration", "Member must have value greater than or equal to 3600")
		case n > maxSession:
			v.Add(n, "maxSessionDuration", "Member must have value less than or equal to 43200")
		}
		session = n
	}

	tags := v.QueryTags(form)
	if err := v.Err("ValidationError"); err != nil {
		return nil, err
	}
	if nameErr != nil {
		return nil, nameErr
	}
	if err := checkTrustPolicy(doc); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return nil, awsapi.NewError("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	if tags == nil {
		tags = []tag{}
	}
	tagJSON, _ := json.Marshal(tags)

	r := role{
		Path:                     path,
		RoleName:                 name,
		RoleID:                   newRoleID(),
		Arn:                      c.GlobalARN("iam", "role"+path+name),
		AssumeRolePolicyDocument: doc,
		Description:              desc,
		MaxSessionDuration:       session,
	}
	created := time.Now().UnixMilli()
	err := s.db.Write(c, func(tx *state.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM iam_roles WHERE account = ? AND name_key = ?`, c.Account, strings.ToLower(name)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return awsapi.StatusError(409, "EntityAlreadyExists", "Role with name "+name+" already exists.")
		}
		_, err := tx.Exec(`INSERT INTO iam_roles (account, name_key, name, path, role_id, arn, created_ms, trust_policy, description, max_session, tags)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Account, strings.ToLower(name), name, path, r.RoleID, r.Arn, created, doc, desc, session, string(tagJSON))
		return err
	})
	if err != nil {
		return nil, err
	}
	r.CreateDate = isoTime(created)
	r.AssumeRolePolicyDocument = escapePolicy(doc)
	if len(tags) > 0 {
		r.Tags = &xmlList[tag]{Members: tags}
	}
	return roleResult{Role: r}, nil
}

const roleColumns = `name, path, role_id, arn, created_ms, trust_policy, description, max_session, tags, name_key`

// scanRole reads one iam_roles row; withTags is false for listings, which
// AWS returns without tags.
func scanRole(sc interface{ Scan(...any) error }, withTags bool) (role, string, error) {
	var (
		r        role
		created  int64
		doc      string
		desc     sql.NullString
		tagsJSON string
		key      string
	)
	if err := sc.Scan(&r.RoleName, &r.Path, &r.RoleID, &r.Arn, &created, &doc, &desc, &r.MaxSessionDuration, &tagsJSON, &key); err != nil {
		return r, "", err
	}
	r.CreateDate = isoTime(created)
	r.AssumeRolePolicyDocument = escapePolicy(doc)
	if desc.Valid {
		r.Description = &desc.String
	}
	if withTags {
		var tags []tag
		json.Unmarshal([]byte(tagsJSON), &tags)
		if len(tags) > 0 {
			r.Tags = &xmlList[tag]{Members: tags}
		}
	}
	return r, key, nil
}

func (s *service) getRole(c *awsapi.Context, form url.Values) (any, error) {
	var v violations
	name := first(form, "RoleName")
	nameErr := roleNameProblems(&v, name, has(form, "RoleName"))
	if err := v.Err("ValidationError"); err != nil {
		return nil, err
	}
	if nameErr != nil {
		return nil, nameErr
	}
	row := s.db.Read().QueryRowContext(c, `SELECT `+roleColumns+` FROM iam_roles WHERE account = ? AND name_key = ?`, c.Account, strings.ToLower(name))
	r, _, err := scanRole(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, roleNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	return roleResult{Role: r}, nil
}

// marker decodes a Marker this emulator issued.
func marker(form url.Values) (string, error) {
	m := first(form, "Marker")
	if m == "" {
		return "", nil
	}
	key, ok := awsapi.DecodeToken(m)
	if !ok {
		return "", awsapi.NewError("ValidationError", "Invalid value for parameter Marker: "+m)
	}
	return key, nil
}

func (s *service) listRoles(c *awsapi.Context, form url.Values) (any, error) {
	var v violations
	prefix := "/"
	if has(form, "PathPrefix") {
		prefix = first(form, "PathPrefix")
		v.Length(prefix, "pathPrefix", 1, 512)
		if prefix != "" {
			v.Pattern(prefix, "pathPrefix", pathPrefixRE, pathPrefixPattern)
		}
	}
	limit := maxItems(&v, form)
	if err := v.Err("ValidationError"); err != nil {
		return nil, err
	}
	after, err := marker(form)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(c, `SELECT `+roleColumns+` FROM iam_roles
		WHERE account = ? AND name_key > ? AND substr(path, 1, ?) = ?
		ORDER BY name_key LIMIT ?`, c.Account, after, utf8.RuneCountInString(prefix), prefix, limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := listRolesResult{Roles: xmlList[role]{Members: []role{}}}
	var lastKey string
	for rows.Next() {
		r, key, err := scanRole(rows, false)
		if err != nil {
			return nil, err
		}
		if len(out.Roles.Members) == limit {
			out.IsTruncated = true
			out.Marker = awsapi.EncodeToken(lastKey)
			break
		}
		out.Roles.Members = append(out.Roles.Members, r)
		lastKey = key
	}
	return out, rows.Err()
}

func (s *service) attachRolePolicy(c *awsapi.Context, form url.Values) (any, error) {
	var v violations
	name := first(form, "RoleName")
	nameErr := roleNameProblems(&v, name, has(form, "RoleName"))
	arn := first(form, "PolicyArn")
	if !has(form, "PolicyArn") {
		v.Add(nil, "policyArn", "Member must not be null")
	} else {
		v.Length(arn, "policyArn", 20, 2048)
	}
	if err := v.Err("ValidationError"); err != nil {
		return nil, err
	}
	if nameErr != nil {
		return nil, nameErr
	}
	if !policyARNRE.MatchString(arn) {
		return nil, awsapi.NewError("InvalidInput", "ARN "+arn+" is not valid.")
	}
	_, policyName := policyPathAndName(arn)
	err := s.db.Write(c, func(tx *state.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM iam_roles WHERE account = ? AND name_key = ?`, c.Account, strings.ToLower(name)).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return roleNotFound(name)
		}
		if !managedPolicies[arn] {
			return awsapi.StatusError(404, "NoSuchEntity", "Policy "+arn+" does not exist or is not attachable.")
		}
		// Attaching a policy that is already attached succeeds and changes nothing.
		_, err := tx.Exec(`INSERT OR IGNORE INTO iam_role_policies (account, role_key, policy_arn, policy_name, attached_ms) VALUES (?, ?, ?, ?, ?)`,
			c.Account, strings.ToLower(name), arn, policyName, time.Now().UnixMilli())
		return err
	})
	if err != nil {
		return nil, err
	}
	return nil, nil
}

func (s *service) listAttachedRolePolicies(c *awsapi.Context, form url.Values) (any, error) {
	var v violations
	name := first(form, "RoleName")
	nameErr := roleNameProblems(&v, name, has(form, "RoleName"))
	prefix := "/"
	if has(form, "PathPrefix") {
		prefix = first(form, "PathPrefix")
		v.Length(prefix, "pathPrefix", 1, 512)
		if prefix != "" {
			v.Pattern(prefix, "pathPrefix", policyPathRE, policyPathPattern)
		}
	}
	limit := maxItems(&v, form)
	if err := v.Err("ValidationError"); err != nil {
		return nil, err
	}
	if nameErr != nil {
		return nil, nameErr
	}
	after, err := marker(form)
	if err != nil {
		return nil, err
	}
	db := s.db.Read()
	var n int
	if err := db.QueryRowContext(c, `SELECT COUNT(*) FROM iam_roles WHERE account = ? AND name_key = ?`, c.Account, strings.ToLower(name)).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, roleNotFound(name)
	}
	rows, err := db.QueryContext(c, `SELECT policy_arn, policy_name FROM iam_role_policies
		WHERE account = ? AND role_key = ? AND policy_arn > ? ORDER BY policy_arn`, c.Account, strings.ToLower(name), after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := listAttachedResult{AttachedPolicies: xmlList[attachedPolicy]{Members: []attachedPolicy{}}}
	var last string
	for rows.Next() {
		var p attachedPolicy
		if err := rows.Scan(&p.PolicyArn, &p.PolicyName); err != nil {
			return nil, err
		}
		if path, _ := policyPathAndName(p.PolicyArn); !strings.HasPrefix(path, prefix) {
			continue
		}
		if len(out.AttachedPolicies.Members) == limit {
			out.IsTruncated = true
			out.Marker = awsapi.EncodeToken(last)
			break
		}
		out.AttachedPolicies.Members = append(out.AttachedPolicies.Members, p)
		last = p.PolicyArn
	}
	return out, rows.Err()
}

// Role is what other emulated services need to know about a role: STS
// reads it to answer AssumeRole.
type Role struct {
	Name, Path, ARN, RoleID string
	// TrustPolicy is the assume-role policy document as stored (JSON).
	TrustPolicy string
	// MaxSessionDuration is in seconds (3600–43200).
	MaxSessionDuration int
}

// FindRole looks up a role of an account by name, ignoring case as IAM
// does. ok is false when the account has no such role.
func FindRole(ctx context.Context, db *state.DB, account, name string) (r Role, ok bool, err error) {
	err = db.Read().QueryRowContext(ctx, `SELECT name, path, arn, role_id, trust_policy, max_session FROM iam_roles WHERE account = ? AND name_key = ?`,
		account, strings.ToLower(name)).Scan(&r.Name, &r.Path, &r.ARN, &r.RoleID, &r.TrustPolicy, &r.MaxSessionDuration)
	if errors.Is(err, sql.ErrNoRows) {
		return Role{}, false, nil
	}
	if err != nil {
		return Role{}, false, err
	}
	return r, true, nil
}
