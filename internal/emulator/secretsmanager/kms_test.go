package secretsmanager_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/berthhq/berth/internal/emulator/emutest"
)

// newAlias creates a customer managed key with the given alias and returns
// the key's ARN.
func newAlias(t *testing.T, env *emutest.Env, alias string) string {
	t.Helper()
	k := kms.NewFromConfig(env.Config)
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(key.KeyMetadata.Arn)
}

// kmsKeyDescriptions lists the keys KMS shows, by description.
func kmsKeyDescriptions(t *testing.T, env *emutest.Env) []string {
	t.Helper()
	k := kms.NewFromConfig(env.Config)
	list, err := k.ListKeys(ctx, &kms.ListKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list.Keys {
		d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: e.KeyId})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, aws.ToString(d.KeyMetadata.Description))
	}
	return out
}

const managedKeyDesc = "Default key that protects my Secrets Manager data when no other key is defined"

func TestKMSKeyMustExist(t *testing.T) {
	t.Parallel()
	c, env := newClient(t)
	keyARN := newAlias(t, env, "alias/app")

	_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("a"), SecretString: aws.String("v"), KmsKeyId: aws.String("alias/missing")})
	wantErr(t, err, "InvalidParameterException", "The operation failed because of an invalid KMS key: Alias arn:aws:kms:us-east-1:000000000000:alias/missing is not found.")
	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("a"), KmsKeyId: aws.String("11111111-2222-3333-4444-555555555555")})
	wantErr(t, err, "InvalidParameterException", "invalid KMS key: Key 'arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555' does not exist")
	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("a"), KmsKeyId: aws.String("mykey")})
	wantErr(t, err, "InvalidParameterException", "invalid KMS key: Invalid keyId")
	if _, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("a")}); err == nil {
		t.Fatal("a refused CreateSecret left a secret behind")
	}

	// Any of the four reference forms is accepted and echoed as given.
	for i, ref := range []string{"alias/app", keyARN, strings.TrimPrefix(keyARN[strings.LastIndex(keyARN, "/"):], "/"), "arn:aws:kms:us-east-1:000000000000:alias/app"} {
		name := "ok" + string(rune('0'+i))
		if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v"), KmsKeyId: aws.String(ref)}); err != nil {
			t.Fatalf("CreateSecret with %s: %v", ref, err)
		}
		d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(name)})
		if err != nil || aws.ToString(d.KmsKeyId) != ref {
			t.Fatalf("KmsKeyId = %q, want %q (%v)", aws.ToString(d.KmsKeyId), ref, err)
		}
	}

	// UpdateSecret checks a new key and leaves the secret unchanged when it
	// does not resolve.
	_, err = c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("ok0"), KmsKeyId: aws.String("alias/gone"), Description: aws.String("x")})
	wantErr(t, err, "InvalidParameterException", "The operation failed because of an invalid KMS key: Alias arn:aws:kms:us-east-1:000000000000:alias/gone is not found.")
	d, _ := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("ok0")})
	if aws.ToString(d.KmsKeyId) != "alias/app" || d.Description != nil {
		t.Fatalf("after refused update: %+v", d)
	}
	// A missing secret is reported before the key.
	_, err = c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("nope"), KmsKeyId: aws.String("alias/gone")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	// And a secret scheduled for deletion too.
	if _, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("ok1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("ok1"), KmsKeyId: aws.String("alias/gone")})
	wantErr(t, err, "InvalidRequestException", "marked for deletion")

	// Setting "" goes back to the default key: KmsKeyId is omitted again.
	if _, err := c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("ok0"), KmsKeyId: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("ok0")})
	if d.KmsKeyId != nil {
		t.Fatalf("KmsKeyId after reset = %q", aws.ToString(d.KmsKeyId))
	}
}

func TestDefaultKeyCreatedOnFirstUse(t *testing.T) {
	t.Parallel()
	c, env := newClient(t)
	// A secret without a value encrypts nothing: no key yet.
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("empty")}); err != nil {
		t.Fatal(err)
	}
	if keys := kmsKeyDescriptions(t, env); len(keys) != 0 {
		t.Fatalf("keys before first value = %v", keys)
	}
	create(t, c, "first", "v")
	create(t, c, "second", "v")
	keys := kmsKeyDescriptions(t, env)
	if len(keys) != 1 || keys[0] != managedKeyDesc {
		t.Fatalf("keys after first value = %v", keys)
	}
	aliases, err := kms.NewFromConfig(env.Config).ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range aliases.Aliases {
		if aws.ToString(a.AliasName) == "alias/aws/secretsmanager" && a.TargetKeyId == nil {
			t.Fatal("alias/aws/secretsmanager has no key after a secret was stored")
		}
	}
	// The secret still reports no key of its own.
	d, _ := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("first")})
	if d.KmsKeyId != nil {
		t.Fatalf("KmsKeyId = %q", aws.ToString(d.KmsKeyId))
	}
}

func TestPutSecretValueChecksTheSecretsKey(t *testing.T) {
	t.Parallel()
	c, env := newClient(t)
	newAlias(t, env, "alias/app")
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("s"), KmsKeyId: aws.String("alias/app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("v")}); err != nil {
		t.Fatal(err)
	}
	// A secret whose key no longer resolves (here: a state file written
	// before keys were checked) cannot take a new value.
	db := openState(t, env)
	if _, err := db.Exec(`UPDATE sm_secrets SET kms_key_id = 'alias/vanished' WHERE name = 's'`); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("w")})
	wantErr(t, err, "InvalidParameterException", "The operation failed because of an invalid KMS key: Alias arn:aws:kms:us-east-1:000000000000:alias/vanished is not found.")
	g, _ := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("s")})
	if aws.ToString(g.SecretString) != "v" {
		t.Fatalf("value after refused put = %q", aws.ToString(g.SecretString))
	}
}

// openState opens the emulator's SQLite file directly, to set up states the
// API cannot reach.
func openState(t *testing.T, env *emutest.Env) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(env.DataDir, "emulator", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
