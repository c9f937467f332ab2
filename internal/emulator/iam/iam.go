// Package iam emulates IAM for the local AWS emulator: the roles that ECS
// tasks assume and the AWS managed policies attached to them.
//
// IAM is global: role ARNs carry no region and every row is scoped by
// account only. Role names are unique regardless of case, as in AWS.
package iam

import (
	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// XMLNS is the namespace of IAM's Query-protocol responses.
const XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/"

// Register adds IAM's operations to the router, creating its tables.
func Register(r *awsapi.Router, db *state.DB) error {
	if err := db.Migrate(schema...); err != nil {
		return err
	}
	s := &service{db: db}
	r.AddQuery(&awsapi.QueryService{
		Name:  "iam",
		XMLNS: XMLNS,
		Ops: map[string]awsapi.QueryOp{
			"CreateRole":               s.createRole,
			"GetRole":                  s.getRole,
			"ListRoles":                s.listRoles,
			"AttachRolePolicy":         s.attachRolePolicy,
			"ListAttachedRolePolicies": s.listAttachedRolePolicies,
		},
	})
	return nil
}

var schema = []string{
	`CREATE TABLE IF NOT EXISTS iam_roles (
		account      TEXT NOT NULL,
		name_key     TEXT NOT NULL, -- lower-cased name: IAM names are case-insensitive
		name         TEXT NOT NULL,
		path         TEXT NOT NULL,
		role_id      TEXT NOT NULL,
		arn          TEXT NOT NULL,
		created_ms   INTEGER NOT NULL,
		trust_policy TEXT NOT NULL,
		description  TEXT,
		max_session  INTEGER NOT NULL,
		tags         TEXT NOT NULL DEFAULT '[]',
		PRIMARY KEY (account, name_key)
	)`,
	`CREATE TABLE IF NOT EXISTS iam_role_policies (
		account     TEXT NOT NULL,
		role_key    TEXT NOT NULL,
		policy_arn  TEXT NOT NULL,
		policy_name TEXT NOT NULL,
		attached_ms INTEGER NOT NULL,
		PRIMARY KEY (account, role_key, policy_arn),
		FOREIGN KEY (account, role_key) REFERENCES iam_roles (account, name_key) ON DELETE CASCADE
	)`,
}

type service struct {
	db *state.DB
}
