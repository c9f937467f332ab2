package sts

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/iam"
	"github.com/berthhq/berth/internal/emulator/state"
)

type credentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type assumeRoleResult struct {
	Credentials      credentials     `xml:"Credentials"`
	AssumedRoleUser  assumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int            `xml:"PackedPolicySize,omitempty"`
	SourceIdentity   string          `xml:"SourceIdentity,omitempty"`
}

type tag = awsapi.QueryTag

// packedLimit is the space, in bytes, that PackedPolicySize is a
// percentage of. AWS packs policies and tags in a compressed binary form it
// does not document; the emulator measures their plain text against the
// 2,048 characters session policies may take.
const packedLimit = 2048

// assumeRole issues temporary credentials for a role of the account when its
// trust policy allows the caller (see trust.go), and keeps the session so
// that the credentials act as the role session afterwards.
func (s *service) assumeRole(c *awsapi.Context, form url.Values) (any, error) {
	var v violations
	roleARN := form.Get("RoleArn")
	if !has(form, "RoleArn") {
		v.Add(nil, "roleArn", "Member must not be null")
	} else {
		optionalMember(&v, roleARN, "roleArn", 20, 2048, arnRE, arnPattern)
	}
	sessionName := form.Get("RoleSessionName")
	if !has(form, "RoleSessionName") {
		v.Add(nil, "roleSessionName", "Member must not be null")
	} else {
		optionalMember(&v, sessionName, "roleSessionName", 2, 64, nameRE, namePattern)
	}
	policyArns := awsapi.FormList(form, "PolicyArns.member")
	for i, item := range policyArns {
		optionalMember(&v, item.Get("arn"), "policyArns."+strconv.Itoa(i+1)+".member.arn", 20, 2048, arnRE, arnPattern)
	}
	if len(policyArns) > maxPolicyArns {
		v.Add(nil, "policyArns", "Member must have length less than or equal to 10")
	}
	policy := form.Get("Policy")
	if has(form, "Policy") {
		optionalMember(&v, policy, "policy", 1, 2048, policyRE, policyPattern)
	}
	duration := defaultDuration
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		switch {
		case err != nil:
			v.Add(d, "durationSeconds", "Member must be an integer")
		case n < minDuration:
			v.Add(n, "durationSeconds", "Member must have value greater than or equal to 900")
		case n > maxDuration:
			v.Add(n, "durationSeconds", "Member must have value less than or equal to 43200")
		}
		duration = n
	}
	tags := v.QueryTags(form)
	if n := len(awsapi.FormList(form, "TransitiveTagKeys.member")); n > maxTags {
		v.Add(nil, "transitiveTagKeys", "Member must have length less than or equal to 50")
	}
	externalID := form.Get("ExternalId")
	if has(form, "ExternalId") {
		optionalMember(&v, externalID, "externalId", 2, 1224, externalIDRE, externalIDPattern)
	}
	sourceIdentity := form.Get("SourceIdentity")
	if has(form, "SourceIdentity") {
		optionalMember(&v, sourceIdentity, "sourceIdentity", 2, 64, nameRE, namePattern)
	}
	if err := v.Err("ValidationError"); err != nil {
		return nil, err
	}
	if strings.HasPrefix(strings.ToLower(sourceIdentity), "aws:") {
		return nil, awsapi.NewError("ValidationError", "SourceIdentity must not start with the reserved prefix aws:")
	}
	if policy != "" && !json.Valid([]byte(policy)) {
		return nil, awsapi.NewError("MalformedPolicyDocument", "Syntax errors in policy.")
	}
	parts := strings.SplitN(roleARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return nil, awsapi.NewError("ValidationError", roleARN+" is invalid")
	}

	who, err := s.callerOf(c)
	if err != nil {
		return nil, err
	}
	denied := func(action string) error {
		return awsapi.StatusError(403, "AccessDenied", "User: "+who.ARN()+" is not authorized to perform: "+action+" on resource: "+roleARN)
	}
	// A role that does not exist is refused in the same words as one that
	// does not trust the caller: AWS does not tell them apart.
	role, ok, err := s.findRole(c, parts)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, denied("sts:AssumeRole")
	}

	// A source identity, once set, stays with every session chained from it.
	if who.Session != nil && who.Session.SourceIdentity != "" {
		if sourceIdentity != "" && sourceIdentity != who.Session.SourceIdentity {
			return nil, denied("sts:SetSourceIdentity")
		}
		sourceIdentity = who.Session.SourceIdentity
	}

	req := trustRequest{Account: c.Account, Principals: []string{who.ARN()}, Context: map[string]string{
		"sts:rolesessionname":  sessionName,
		"aws:principalaccount": c.Account,
		"aws:principalarn":     who.ARN(),
	}}
	if who.Session != nil {
		req.Principals = append(req.Principals, who.Session.RoleARN)
		req.Context["aws:principalarn"] = who.Session.RoleARN
		if who.Session.SourceIdentity != "" {
			req.Context["aws:sourceidentity"] = who.Session.SourceIdentity
		}
	}
	if has(form, "ExternalId") {
		req.Context["sts:externalid"] = externalID
	}
	if sourceIdentity != "" {
		req.Context["sts:sourceidentity"] = sourceIdentity
	}
	for _, t := range tags {
		req.Context["aws:requesttag/"+strings.ToLower(t.Key)] = t.Value
	}
	actions := []string{"sts:AssumeRole"}
	if sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	if len(tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	for _, a := range actions {
		req.Action = a
		if !allows(role.TrustPolicy, req) {
			return nil, denied(a)
		}
	}

	if duration > role.MaxSessionDuration {
		return nil, awsapi.NewError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if who.Session != nil && duration > chainedMaxDuration {
		return nil, awsapi.NewError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}

	var packed *int
	if has(form, "Policy") || len(policyArns) > 0 || len(tags) > 0 {
		size := len(policy)
		for _, p := range policyArns {
			size += len(p.Get("arn"))
		}
		for _, t := range tags {
			size += len(t.Key) + len(t.Value)
		}
		pct := int(math.Ceil(float64(size) * 100 / packedLimit))
		if pct > 100 {
			return nil, awsapi.NewError("PackedPolicyTooLarge", "Packed size of the session policies and session tags exceeds the allowed space ("+strconv.Itoa(pct)+"%).")
		}
		packed = &pct
	}

	now := s.now()
	se := session{
		AccessKeyID:    newAccessKeyID(),
		SessionToken:   randomToken(264),
		RoleARN:        role.ARN,
		RoleID:         role.RoleID,
		RoleName:       role.Name,
		Name:           sessionName,
		SourceIdentity: sourceIdentity,
		Expires:        now.Add(time.Duration(duration) * time.Second).Truncate(time.Second),
	}
	if tags == nil {
		tags = []tag{}
	}
	tagJSON, _ := json.Marshal(tags)
	var source any
	if sourceIdentity != "" {
		source = sourceIdentity
	}
	err = s.db.Write(c, func(tx *state.Tx) error {
		// Sessions expired for a day are of no more use, not even to say
		// ExpiredToken.
		if _, err := tx.Exec(`DELETE FROM sts_sessions WHERE expires_ms < ?`, now.Add(-24*time.Hour).UnixMilli()); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO sts_sessions (account, access_key_id, session_token, role_arn, role_id, role_name, session_name, source_identity, tags, created_ms, expires_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Account, se.AccessKeyID, se.SessionToken, se.RoleARN, se.RoleID, se.RoleName, se.Name, source, string(tagJSON), now.UnixMilli(), se.Expires.UnixMilli())
		return err
	})
	if err != nil {
		return nil, err
	}
	return assumeRoleResult{
		Credentials: credentials{
			AccessKeyID:     se.AccessKeyID,
			SecretAccessKey: randomToken(30),
			SessionToken:    se.SessionToken,
			Expiration:      se.Expires.UTC().Format("2006-01-02T15:04:05Z"),
		},
		AssumedRoleUser:  assumedRoleUser{AssumedRoleID: se.UserID(), Arn: se.ARN(c.Account)},
		PackedPolicySize: packed,
		SourceIdentity:   sourceIdentity,
	}, nil
}

// findRole resolves arn:aws:iam::<account>:role/<path><name> to a role of
// the emulated account. Anything else (another account, another service,
// a path that is not the role's) is no role.
func (s *service) findRole(c *awsapi.Context, parts []string) (iam.Role, bool, error) {
	if parts[1] != "aws" || parts[2] != "iam" || parts[3] != "" || parts[4] != c.Account || !strings.HasPrefix(parts[5], "role/") {
		return iam.Role{}, false, nil
	}
	resource := parts[5][len("role"):] // "/path/name"
	i := strings.LastIndexByte(resource, '/')
	rolePath, name := resource[:i+1], resource[i+1:]
	if name == "" {
		return iam.Role{}, false, nil
	}
	role, ok, err := iam.FindRole(c, s.db, c.Account, name)
	if err != nil || !ok {
		return role, false, err
	}
	return role, role.Path == rolePath, nil
}

// newAccessKeyID makes a temporary access key id as STS does: ASIA and 16
// characters of the base32 alphabet.
func newAccessKeyID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "ASIA" + string(b)
}

// randomToken is n random bytes in standard base64 (secret keys and
// session tokens; AWS's are opaque and of no fixed size).
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
