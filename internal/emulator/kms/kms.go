// Package kms emulates AWS KMS for the local AWS emulator: keys, aliases and
// the AWS managed keys (alias/aws/ecr, alias/aws/secretsmanager, …) that a
// service creates the first time it encrypts with them.
//
// Keys here hold no key material: the emulator does not encrypt. They exist
// so that ECR repositories, secrets and log groups can name a key, and so that
// a KMS console or CLI sees the same keys and aliases as in a real account.
package kms

import (
	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// TargetPrefix is KMS's X-Amz-Target prefix.
const TargetPrefix = "TrentService"

// Register adds KMS's operations to the router, creating its tables.
func Register(r *awsapi.Router, db *state.DB) error {
	if err := db.Migrate(schema...); err != nil {
		return err
	}
	s := &service{db: db}
	r.AddJSON(&awsapi.JSONService{
		TargetPrefix: TargetPrefix,
		MessageKey:   "message",
		// No operation here deletes, disables or re-points a key or alias,
		// which is what lets ResolveKey cache (see resolvedKeys).
		Ops: map[string]awsapi.JSONOp{
			"CreateKey":   awsapi.Op(s.createKey),
			"DescribeKey": awsapi.Op(s.describeKey),
			"ListKeys":    awsapi.Op(s.listKeys),
			"CreateAlias": awsapi.Op(s.createAlias),
			"ListAliases": awsapi.Op(s.listAliases),
		},
	})
	return nil
}

var schema = []string{
	`CREATE TABLE IF NOT EXISTS kms_keys (
		account     TEXT NOT NULL,
		region      TEXT NOT NULL,
		key_id      TEXT NOT NULL,
		arn         TEXT NOT NULL,
		created_ms  INTEGER NOT NULL,
		description TEXT NOT NULL,
		key_usage   TEXT NOT NULL,
		key_spec    TEXT NOT NULL,
		key_manager TEXT NOT NULL,
		policy      TEXT,
		tags        TEXT NOT NULL DEFAULT '[]',
		PRIMARY KEY (account, region, key_id)
	)`,
	`CREATE TABLE IF NOT EXISTS kms_aliases (
		account       TEXT NOT NULL,
		region        TEXT NOT NULL,
		alias_name    TEXT NOT NULL,
		target_key_id TEXT NOT NULL,
		created_ms    INTEGER NOT NULL,
		updated_ms    INTEGER NOT NULL,
		PRIMARY KEY (account, region, alias_name)
	)`,
	`CREATE INDEX IF NOT EXISTS kms_aliases_by_key ON kms_aliases (account, region, target_key_id, alias_name)`,
}

type service struct {
	db *state.DB
}
