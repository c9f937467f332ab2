package kms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// ErrKeyNotFound is what ResolveKey's error matches (errors.Is) when the key
// or alias does not exist. The error also unwraps to the *awsapi.Error that
// KMS itself would answer (NotFoundException and AWS's text).
var ErrKeyNotFound = errors.New("kms: key not found")

// notFound carries both ErrKeyNotFound and KMS's own error.
type notFound struct{ aws *awsapi.Error }

func (e *notFound) Error() string   { return e.aws.Error() }
func (e *notFound) Unwrap() []error { return []error{ErrKeyNotFound, e.aws} }

func errNotFound(format string, args ...any) error {
	return &notFound{aws: awsapi.Errorf("NotFoundException", format, args...)}
}

// managedAliases are the AWS managed keys' aliases that every account sees in
// every region, with the description their key gets when a service first uses
// it. Until then ListAliases shows them without a TargetKeyId.
var managedAliases = map[string]string{
	"alias/aws/acm":               "Default key that protects my ACM private keys when no other key is defined",
	"alias/aws/dynamodb":          "Default key that protects my DynamoDB data when no other key is defined",
	"alias/aws/ebs":               "Default key that protects my EBS volumes when no other key is defined",
	"alias/aws/ecr":               "Default key that protects my ECR data when no other key is defined",
	"alias/aws/elasticfilesystem": "Default key that protects my EFS filesystems when no other key is defined",
	"alias/aws/lambda":            "Default key that protects my Lambda functions when no other key is defined",
	"alias/aws/rds":               "Default key that protects my RDS database volumes when no other key is defined",
	"alias/aws/s3":                "Default key that protects my S3 objects when no other key is defined",
	"alias/aws/secretsmanager":    "Default key that protects my Secrets Manager data when no other key is defined",
	"alias/aws/sns":               "Default key that protects my SNS data when no other key is defined",
	"alias/aws/sqs":               "Default key that protects my SQS messages when no other key is defined",
	"alias/aws/ssm":               "Default key that protects my SSM parameters when no other key is defined",
}

// keyIDRE is a KMS key id: a UUID, or mrk- and 32 hex digits for a
// multi-Region key.
var keyIDRE = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$`)

func keyARN(account, region, id string) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, account, id)
}

func aliasARN(account, region, name string) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:%s", region, account, name)
}

// ref is a parsed key reference: a key id or an alias name, in an account
// and region (those of an ARN, else the caller's).
type ref struct {
	account, region string
	keyID, alias    string
}

// parseRef reads the four forms KMS accepts for KeyId: key id, key ARN,
// alias name, alias ARN.
func parseRef(account, region, s string) (ref, error) {
	r := ref{account: account, region: region}
	if strings.HasPrefix(s, "arn:") {
		parts := strings.SplitN(s, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" {
			return r, errNotFound("Invalid keyId %s", s)
		}
		r.region, r.account = parts[3], parts[4]
		switch res := parts[5]; {
		case strings.HasPrefix(res, "alias/"):
			r.alias = res
		case strings.HasPrefix(res, "key/"):
			r.keyID = strings.TrimPrefix(res, "key/")
		default:
			return r, errNotFound("Invalid keyId %s", s)
		}
	} else if strings.HasPrefix(s, "alias/") {
		r.alias = s
	} else {
		r.keyID = s
	}
	if r.alias == "" && !keyIDRE.MatchString(r.keyID) {
		return r, errNotFound("Invalid keyId %s", r.keyID)
	}
	return r, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// lookup finds the key a reference names. createManaged says whether an
// AWS managed alias that has no key yet gets one now (what a service's
// first use does); the caller then retries in a write transaction.
func lookup(ctx context.Context, q querier, r ref) (keyRow, error) {
	id := r.keyID
	if r.alias != "" {
		err := q.QueryRowContext(ctx, `SELECT target_key_id FROM kms_aliases WHERE account = ? AND region = ? AND alias_name = ?`,
			r.account, r.region, r.alias).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return keyRow{}, errNotFound("Alias %s is not found.", aliasARN(r.account, r.region, r.alias))
		}
		if err != nil {
			return keyRow{}, err
		}
	}
	k, err := scanKey(q.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM kms_keys WHERE account = ? AND region = ? AND key_id = ?`, r.account, r.region, id))
	if errors.Is(err, sql.ErrNoRows) {
		return keyRow{}, errNotFound("Key '%s' does not exist", keyARN(r.account, r.region, id))
	}
	return k, err
}

// resolve finds a key by any of its references, creating the AWS managed
// key behind alias/aws/<service> on first use, as KMS does.
func resolve(ctx context.Context, db *state.DB, account, region, s string) (keyRow, error) {
	r, err := parseRef(account, region, s)
	if err != nil {
		return keyRow{}, err
	}
	k, err := lookup(ctx, db.Read(), r)
	desc, managed := managedAliases[r.alias]
	if !errors.Is(err, ErrKeyNotFound) || !managed || r.account != account {
		return k, err
	}
	err = db.Write(ctx, func(tx *state.Tx) error {
		// Another caller may have created it since the read.
		if k, err = lookup(ctx, tx, r); !errors.Is(err, ErrKeyNotFound) {
			return err
		}
		now := time.Now().UnixMilli()
		k = keyRow{
			Account: r.account, Region: r.region, ID: uuid.NewString(), Created: now,
			Description: desc, Usage: "ENCRYPT_DECRYPT", Spec: "SYMMETRIC_DEFAULT", Manager: "AWS", Tags: "[]",
		}
		k.ARN = keyARN(k.Account, k.Region, k.ID)
		if err := insertKey(tx, k, ""); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO kms_aliases (account, region, alias_name, target_key_id, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?)`,
			r.account, r.region, r.alias, k.ID, now, now)
		return err
	})
	return k, err
}

// resolvedKeys is ResolveKey's cache in the database's Memo: caller account,
// region and reference to key ARN. It is right for the database's life
// because no operation of this emulator deletes a key, disables one, or
// re-points or deletes an alias (there is no DeleteKey, ScheduleKeyDeletion,
// DisableKey, UpdateAlias or DeleteAlias): once a reference resolves, it
// resolves to the same key for good. Adding any of those operations means
// clearing this cache in them. Failures are not cached, since the key or
// alias may be created later.
type resolvedKeys struct {
	m sync.Map // account "\x00" region "\x00" reference -> key ARN
	n atomic.Int64
}

// resolvedKeysMemo names resolvedKeys in the database's Memo.
type resolvedKeysMemo struct{}

// maxResolvedKeys bounds the cache; references beyond it are resolved each
// time, as before there was a cache.
const maxResolvedKeys = 4096

// ResolveKey turns a key id, key ARN, alias name or alias ARN into the key's
// ARN, for services that take a KmsKeyId (ECR repositories, secrets, log
// groups). An alias/aws/<service> alias gets its AWS managed key on first
// use. A missing key or alias gives an error matching ErrKeyNotFound.
func ResolveKey(ctx context.Context, db *state.DB, account, region, keyRef string) (keyARN string, err error) {
	cache := db.Memo(resolvedKeysMemo{}, func() any { return new(resolvedKeys) }).(*resolvedKeys)
	ck := account + "\x00" + region + "\x00" + keyRef
	if v, ok := cache.m.Load(ck); ok {
		return v.(string), nil
	}
	k, err := resolve(ctx, db, account, region, keyRef)
	if err != nil {
		return "", err
	}
	if cache.n.Load() < maxResolvedKeys {
		if _, loaded := cache.m.LoadOrStore(ck, k.ARN); !loaded {
			cache.n.Add(1)
		}
	}
	return k.ARN, nil
}
