// Package sts emulates the AWS Security Token Service for the local AWS
// emulator: GetCallerIdentity, and AssumeRole on the roles of the IAM
// emulator, with the role's trust policy deciding who may assume it.
//
// The emulator accepts any access key and answers for it as the account's
// root user, except the temporary keys that AssumeRole issued: those are
// kept in SQLite (sts_sessions) and act as the assumed role's session.
package sts

import (
	"database/sql"
	"errors"
	"net/url"
	"time"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// XMLNS is the namespace of STS's Query-protocol responses.
const XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"

// Register adds STS's operations to the router, creating its table.
func Register(r *awsapi.Router, db *state.DB) error {
	if err := db.Migrate(schema...); err != nil {
		return err
	}
	s := &service{db: db, now: time.Now}
	r.AddQuery(&awsapi.QueryService{
		Name:  "sts",
		XMLNS: XMLNS,
		Ops: map[string]awsapi.QueryOp{
			"GetCallerIdentity": s.getCallerIdentity,
			"AssumeRole":        s.assumeRole,
		},
	})
	return nil
}

var schema = []string{
	`CREATE TABLE IF NOT EXISTS sts_sessions (
		account         TEXT NOT NULL,
		access_key_id   TEXT NOT NULL,
		session_token   TEXT NOT NULL,
		role_arn        TEXT NOT NULL,
		role_id         TEXT NOT NULL,
		role_name       TEXT NOT NULL,
		session_name    TEXT NOT NULL,
		source_identity TEXT,          -- NULL: the session has none
		tags            TEXT NOT NULL DEFAULT '[]',
		created_ms      INTEGER NOT NULL,
		expires_ms      INTEGER NOT NULL,
		PRIMARY KEY (account, access_key_id)
	)`,
}

type service struct {
	db  *state.DB
	now func() time.Time
}

// session is one row of sts_sessions: temporary credentials AssumeRole issued.
type session struct {
	AccessKeyID, SessionToken       string
	RoleARN, RoleID, RoleName, Name string
	SourceIdentity                  string
	Expires                         time.Time
}

// ARN is the session's principal: arn:aws:sts::<account>:assumed-role/<role>/<session>.
func (s *session) ARN(account string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + s.RoleName + "/" + s.Name
}

// UserID is the session's unique id: the role id, a colon, the session name.
func (s *session) UserID() string { return s.RoleID + ":" + s.Name }

// caller is who signed a request: the account's root user, or a role
// session issued by AssumeRole.
type caller struct {
	Account string
	// Session is nil for the root user.
	Session *session
}

// ARN is the caller's principal ARN, as error messages name it.
func (c caller) ARN() string {
	if c.Session != nil {
		return c.Session.ARN(c.Account)
	}
	return "arn:aws:iam::" + c.Account + ":root"
}

// callerOf finds who signed the request. Keys AssumeRole did not issue are
// the root user's; an issued key must come with its session token and be
// unexpired, as AWS requires.
func (s *service) callerOf(c *awsapi.Context) (caller, error) {
	who := caller{Account: c.Account}
	if c.AccessKeyID == "" {
		return who, nil
	}
	var (
		se        session
		source    sql.NullString
		expiresMS int64
	)
	err := s.db.Read().QueryRowContext(c, `SELECT access_key_id, session_token, role_arn, role_id, role_name, session_name, source_identity, expires_ms
		FROM sts_sessions WHERE account = ? AND access_key_id = ?`, c.Account, c.AccessKeyID).
		Scan(&se.AccessKeyID, &se.SessionToken, &se.RoleARN, &se.RoleID, &se.RoleName, &se.Name, &source, &expiresMS)
	if errors.Is(err, sql.ErrNoRows) {
		return who, nil
	}
	if err != nil {
		return who, err
	}
	if c.SessionToken != se.SessionToken {
		return who, awsapi.StatusError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	se.SourceIdentity = source.String
	se.Expires = time.UnixMilli(expiresMS)
	if !s.now().Before(se.Expires) {
		return who, awsapi.StatusError(403, "ExpiredToken", "The security token included in the request is expired")
	}
	who.Session = &se
	return who, nil
}

type callerIdentity struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

// getCallerIdentity answers as the account's root user, or as the role
// session whose temporary key signed the request.
func (s *service) getCallerIdentity(c *awsapi.Context, _ url.Values) (any, error) {
	who, err := s.callerOf(c)
	if err != nil {
		return nil, err
	}
	if who.Session != nil {
		return callerIdentity{UserID: who.Session.UserID(), Account: c.Account, Arn: who.ARN()}, nil
	}
	return callerIdentity{UserID: c.Account, Account: c.Account, Arn: who.ARN()}, nil
}
