//lint:file-ignore SA1019 KMS still answers CustomerMasterKeySpec beside KeySpec, and the emulator must too.

package kms_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/internal/emulator/emutest"
	emukms "github.com/berthhq/berth/internal/emulator/kms"
	"github.com/berthhq/berth/internal/emulator/state"
)

const account = "000000000000"

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func client(t *testing.T) *kms.Client {
	t.Helper()
	return kms.NewFromConfig(emutest.Start(t).Config)
}

func createKey(t *testing.T, c *kms.Client, desc string) *types.KeyMetadata {
	t.Helper()
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String(desc)})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

func apiError(t *testing.T, err error, code, want string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), want) {
		t.Fatalf("error = %s: %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, want)
	}
}

func TestCreateKeyMetadata(t *testing.T) {
	t.Parallel()
	c := client(t)
	before := time.Now().Add(-time.Second)
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{
		Description: aws.String("berth secrets"),
		Tags:        []types.Tag{{TagKey: aws.String("app"), TagValue: aws.String("berth")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := out.KeyMetadata
	id := aws.ToString(m.KeyId)
	if !uuidRE.MatchString(id) {
		t.Errorf("KeyId = %q, want a UUID", id)
	}
	if got := aws.ToString(m.Arn); got != "arn:aws:kms:us-east-1:"+account+":key/"+id {
		t.Errorf("Arn = %q", got)
	}
	if aws.ToString(m.AWSAccountId) != account || aws.ToString(m.Description) != "berth secrets" {
		t.Errorf("AWSAccountId/Description = %q %q", aws.ToString(m.AWSAccountId), aws.ToString(m.Description))
	}
	if m.CreationDate == nil || m.CreationDate.Before(before) {
		t.Errorf("CreationDate = %v", m.CreationDate)
	}
	if !m.Enabled || m.KeyState != types.KeyStateEnabled || m.KeyUsage != types.KeyUsageTypeEncryptDecrypt ||
		m.Origin != types.OriginTypeAwsKms || m.KeyManager != types.KeyManagerTypeCustomer ||
		m.KeySpec != types.KeySpecSymmetricDefault || m.CustomerMasterKeySpec != types.CustomerMasterKeySpecSymmetricDefault {
		t.Errorf("defaults wrong: %+v", m)
	}
	if !slices.Equal(m.EncryptionAlgorithms, []types.EncryptionAlgorithmSpec{types.EncryptionAlgorithmSpecSymmetricDefault}) {
		t.Errorf("EncryptionAlgorithms = %v", m.EncryptionAlgorithms)
	}
	if m.SigningAlgorithms != nil || m.MacAlgorithms != nil {
		t.Errorf("symmetric key has signing/mac algorithms")
	}
	if m.MultiRegion == nil || *m.MultiRegion {
		t.Errorf("MultiRegion = %v, want false", m.MultiRegion)
	}

	// Without a description AWS still returns an empty Description.
	plain := createKey(t, c, "")
	if plain.Description == nil || *plain.Description != "" {
		t.Errorf("Description = %v, want empty string", plain.Description)
	}
}

func TestCreateKeyOtherSpecs(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.KeyMetadata.SigningAlgorithms) != 6 || out.KeyMetadata.EncryptionAlgorithms != nil {
		t.Errorf("RSA SIGN_VERIFY algorithms: %+v", out.KeyMetadata)
	}
	out, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.KeyMetadata.MacAlgorithms, []types.MacAlgorithmSpec{types.MacAlgorithmSpecHmacSha256}) {
		t.Errorf("HMAC algorithms: %v", out.KeyMetadata.MacAlgorithms)
	}

	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeyUsage: "DECRYPT_ONLY"})
	apiError(t, err, "ValidationException", "1 validation error detected: Value 'DECRYPT_ONLY' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT]")
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256})
	apiError(t, err, "ValidationException", "ENCRYPT_DECRYPT")
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternalKeyStore, XksKeyId: aws.String("key id")})
	apiError(t, err, "ValidationException", "1 validation error detected: Value 'key id' at 'xksKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_.]+$")
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("y")}}})
	apiError(t, err, "TagException", "Tags beginning with aws: are reserved")
}

func TestDescribeKeyByEveryReference(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	m := createKey(t, c, "k")
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/berth"), TargetKeyId: m.KeyId}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{
		aws.ToString(m.KeyId), aws.ToString(m.Arn), "alias/berth",
		"arn:aws:kms:us-east-1:" + account + ":alias/berth",
	} {
		out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		if err != nil {
			t.Fatalf("DescribeKey(%s): %v", ref, err)
		}
		if aws.ToString(out.KeyMetadata.KeyId) != aws.ToString(m.KeyId) || !out.KeyMetadata.CreationDate.Equal(*m.CreationDate) {
			t.Errorf("DescribeKey(%s) = %+v", ref, out.KeyMetadata)
		}
	}
}

func TestDescribeKeyNotFound(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	missing := "11111111-2222-3333-4444-555555555555"
	cases := map[string]string{
		missing: "Key 'arn:aws:kms:us-east-1:" + account + ":key/" + missing + "' does not exist",
		"arn:aws:kms:us-east-1:" + account + ":key/" + missing: "Key 'arn:aws:kms:us-east-1:" + account + ":key/" + missing + "' does not exist",
		"alias/nope": "Alias arn:aws:kms:us-east-1:" + account + ":alias/nope is not found.",
		"arn:aws:kms:us-east-1:" + account + ":alias/nope": "Alias arn:aws:kms:us-east-1:" + account + ":alias/nope is not found.",
		"alias/aws/notaservice":                            "Alias arn:aws:kms:us-east-1:" + account + ":alias/aws/notaservice is not found.",
		"testkmskey":                                       "Invalid keyId testkmskey",
	}
	for ref, msg := range cases {
		_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		var nf *types.NotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("DescribeKey(%s): err = %v, want NotFoundException", ref, err)
		}
		if aws.ToString(nf.Message) != msg {
			t.Errorf("DescribeKey(%s) message = %q, want %q", ref, aws.ToString(nf.Message), msg)
		}
	}
}

func TestManagedAliases(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	aliases := func() map[string]types.AliasListEntry {
		m := map[string]types.AliasListEntry{}
		p := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page.Aliases {
				m[aws.ToString(a.AliasName)] = a
			}
		}
		return m
	}
	before := aliases()
	for _, name := range []string{"alias/aws/ecr", "alias/aws/secretsmanager", "alias/aws/ebs"} {
		a, ok := before[name]
		if !ok {
			t.Fatalf("%s not listed in a new account", name)
		}
		if a.TargetKeyId != nil || a.CreationDate != nil {
			t.Errorf("%s has a key before first use: %+v", name, a)
		}
		if aws.ToString(a.AliasArn) != "arn:aws:kms:us-east-1:"+account+":"+name {
			t.Errorf("AliasArn = %q", aws.ToString(a.AliasArn))
		}
	}
	keys, err := c.ListKeys(ctx, &kms.ListKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.Keys) != 0 {
		t.Errorf("new account has keys: %+v", keys.Keys)
	}

	// First use creates the AWS managed key.
	out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/ecr")})
	if err != nil {
		t.Fatal(err)
	}
	m := out.KeyMetadata
	if m.KeyManager != types.KeyManagerTypeAws || !uuidRE.MatchString(aws.ToString(m.KeyId)) || !strings.Contains(aws.ToString(m.Description), "ECR") {
		t.Errorf("managed key = %+v", m)
	}
	again, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:us-east-1:" + account + ":alias/aws/ecr")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(again.KeyMetadata.KeyId) != aws.ToString(m.KeyId) {
		t.Errorf("second DescribeKey made another key")
	}
	after := aliases()
	if got := aws.ToString(after["alias/aws/ecr"].TargetKeyId); got != aws.ToString(m.KeyId) {
		t.Errorf("alias/aws/ecr TargetKeyId = %q, want %q", got, aws.ToString(m.KeyId))
	}
	if len(after) != len(before) {
		t.Errorf("alias count changed: %d -> %d", len(before), len(after))
	}
	if after["alias/aws/secretsmanager"].TargetKeyId != nil {
		t.Errorf("other managed aliases must stay without a key")
	}
}

func TestCreateAliasErrors(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	m := createKey(t, c, "k")
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: m.Arn}); err != nil {
		t.Fatalf("CreateAlias by key ARN: %v", err)
	}
	cases := []struct {
		alias, target, code, msg string
	}{
		{"alias/app", aws.ToString(m.KeyId), "AlreadyExistsException", "An alias with the name arn:aws:kms:us-east-1:" + account + ":alias/app already exists"},
		{"app", aws.ToString(m.KeyId), "ValidationException", `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
		{"alias/aws/mine", aws.ToString(m.KeyId), "NotAuthorizedException", ""},
		{"alias/has space", aws.ToString(m.KeyId), "ValidationException", "1 validation error detected: Value 'alias/has space' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"},
		{"alias/" + strings.Repeat("a", 251), aws.ToString(m.KeyId), "ValidationException", "Member must have length less than or equal to 256"},
		{"alias/other", "alias/app", "ValidationException", "Aliases must refer to keys. Not aliases"},
		{"alias/other", "11111111-2222-3333-4444-555555555555", "NotFoundException", "Key 'arn:aws:kms:us-east-1:" + account + ":key/11111111-2222-3333-4444-555555555555' does not exist"},
	}
	for _, tc := range cases {
		_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(tc.alias), TargetKeyId: aws.String(tc.target)})
		apiError(t, err, tc.code, tc.msg)
	}
	var exists *types.AlreadyExistsException
	_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: m.KeyId})
	if !errors.As(err, &exists) {
		t.Errorf("err = %T, want *types.AlreadyExistsException", err)
	}
}

func TestListKeysAndAliasesPagination(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		m := createKey(t, c, fmt.Sprint(i))
		ids = append(ids, aws.ToString(m.KeyId))
		if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(fmt.Sprintf("alias/k%d", i)), TargetKeyId: m.KeyId}); err != nil {
			t.Fatal(err)
		}
	}
	// A second alias on the first key, for ListAliases by KeyId.
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/zz-first"), TargetKeyId: aws.String(ids[0])}); err != nil {
		t.Fatal(err)
	}

	first, err := c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Truncated || first.NextMarker == nil || len(first.Keys) != 2 {
		t.Fatalf("ListKeys page 1: %+v", first)
	}
	var got []string
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			got = append(got, aws.ToString(k.KeyId))
			if aws.ToString(k.KeyArn) != "arn:aws:kms:us-east-1:"+account+":key/"+aws.ToString(k.KeyId) {
				t.Errorf("KeyArn = %q", aws.ToString(k.KeyArn))
			}
		}
	}
	slices.Sort(ids)
	if !slices.Equal(got, ids) {
		t.Errorf("ListKeys = %v, want %v", got, ids)
	}

	// Pages of 4 over 6 custom + the managed aliases, no duplicates, in order.
	var names []string
	ap := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{Limit: aws.Int32(4)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Aliases) > 4 {
			t.Fatalf("page of %d", len(page.Aliases))
		}
		for _, a := range page.Aliases {
			names = append(names, aws.ToString(a.AliasName))
		}
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("aliases not sorted/unique: %v", names)
	}
	if !slices.Contains(names, "alias/k4") || !slices.Contains(names, "alias/aws/ecr") {
		t.Errorf("aliases = %v", names)
	}

	byKey, err := c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: aws.String(ids[0])})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range byKey.Aliases {
		if aws.ToString(a.TargetKeyId) != ids[0] || a.CreationDate == nil || a.LastUpdatedDate == nil {
			t.Errorf("ListAliases(KeyId) entry = %+v", a)
		}
	}

	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(0)})
	apiError(t, err, "ValidationException", "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("not-ours")})
	var im *types.InvalidMarkerException
	if !errors.As(err, &im) {
		t.Errorf("bad marker: err = %v", err)
	}
	_, err = c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: aws.String("11111111-2222-3333-4444-555555555555")})
	apiError(t, err, "NotFoundException", "does not exist")
}

// openState opens the emulator's database beside a running emulator, as
// another service (ECR, Secrets Manager) would share it.
func openState(t *testing.T, env *emutest.Env) *state.DB {
	t.Helper()
	db, err := state.Open(filepath.Join(env.DataDir, "emulator", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestResolveKey(t *testing.T) {
	t.Parallel()
	env := emutest.Start(t)
	c := kms.NewFromConfig(env.Config)
	db := openState(t, env)
	ctx := context.Background()
	m := createKey(t, c, "k")
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/berth"), TargetKeyId: m.KeyId}); err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(m.Arn)
	for _, ref := range []string{aws.ToString(m.KeyId), arn, "alias/berth", "arn:aws:kms:us-east-1:" + account + ":alias/berth"} {
		got, err := emukms.ResolveKey(ctx, db, account, "us-east-1", ref)
		if err != nil || got != arn {
			t.Errorf("ResolveKey(%s) = %q, %v; want %q", ref, got, err, arn)
		}
	}

	for _, ref := range []string{"alias/missing", "11111111-2222-3333-4444-555555555555", "garbage", ""} {
		_, err := emukms.ResolveKey(ctx, db, account, "us-east-1", ref)
		if !errors.Is(err, emukms.ErrKeyNotFound) {
			t.Errorf("ResolveKey(%q) err = %v, want ErrKeyNotFound", ref, err)
		}
		var ae *awsapi.Error
		if !errors.As(err, &ae) || ae.Code != "NotFoundException" {
			t.Errorf("ResolveKey(%q) err does not carry KMS's NotFoundException: %v", ref, err)
		}
	}
	// The key is regional: the same id in another region is not found.
	if _, err := emukms.ResolveKey(ctx, db, account, "eu-west-1", aws.ToString(m.KeyId)); !errors.Is(err, emukms.ErrKeyNotFound) {
		t.Errorf("other region: err = %v", err)
	}

	// Concurrent first uses of alias/aws/secretsmanager make one managed key,
	// and DescribeKey then shows that key.
	var wg sync.WaitGroup
	results := make([]string, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			arn, err := emukms.ResolveKey(ctx, db, account, "us-east-1", "alias/aws/secretsmanager")
			if err != nil {
				t.Error(err)
			}
			results[i] = arn
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r != results[0] || !strings.HasPrefix(r, "arn:aws:kms:us-east-1:"+account+":key/") {
			t.Fatalf("managed key ARNs differ or are malformed: %v", results)
		}
	}
	out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/secretsmanager")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.KeyMetadata.Arn) != results[0] || out.KeyMetadata.KeyManager != types.KeyManagerTypeAws {
		t.Errorf("DescribeKey after ResolveKey = %+v", out.KeyMetadata)
	}
	// Each region gets its own managed key.
	west, err := emukms.ResolveKey(ctx, db, account, "eu-west-1", "alias/aws/secretsmanager")
	if err != nil || !strings.HasPrefix(west, "arn:aws:kms:eu-west-1:") || west == results[0] {
		t.Errorf("eu-west-1 managed key = %q, %v", west, err)
	}
	// Resolutions are cached, so asking again gives the same answers ...
	for region, want := range map[string]string{"us-east-1": results[0], "eu-west-1": west} {
		if got, err := emukms.ResolveKey(ctx, db, account, region, "alias/aws/secretsmanager"); got != want || err != nil {
			t.Errorf("%s again = %q, %v; want %q", region, got, err, want)
		}
	}
	// ... but a failure is not: an alias created after a miss resolves.
	if _, err := emukms.ResolveKey(ctx, db, account, "us-east-1", "alias/later"); !errors.Is(err, emukms.ErrKeyNotFound) {
		t.Fatalf("alias/later before it exists: %v", err)
	}
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/later"), TargetKeyId: m.KeyId}); err != nil {
		t.Fatal(err)
	}
	if got, err := emukms.ResolveKey(ctx, db, account, "us-east-1", "alias/later"); got != arn || err != nil {
		t.Errorf("alias/later after CreateAlias = %q, %v; want %q", got, err, arn)
	}
	// The cache belongs to one database: another emulator has its own
	// managed key behind the same alias.
	other := openState(t, emutest.Start(t))
	if got, err := emukms.ResolveKey(ctx, other, account, "us-east-1", "alias/aws/secretsmanager"); err != nil || got == results[0] {
		t.Errorf("another database's managed key = %q, %v; must differ from %q", got, err, results[0])
	}
}

func TestCLI(t *testing.T) {
	t.Parallel()
	env := emutest.Start(t)
	cli := clitest.New(t, env.URL)
	var created struct {
		KeyMetadata struct{ KeyId, Arn, KeyState, KeyManager string }
	}
	cli.MustRun(t, "kms", "create-key", "--description", "berth").JSON(t, &created)
	if created.KeyMetadata.KeyState != "Enabled" || created.KeyMetadata.KeyManager != "CUSTOMER" {
		t.Errorf("create-key = %+v", created)
	}
	cli.MustRun(t, "kms", "create-alias", "--alias-name", "alias/berth", "--target-key-id", created.KeyMetadata.KeyId)

	var desc struct{ KeyMetadata struct{ KeyId string } }
	cli.MustRun(t, "kms", "describe-key", "--key-id", "alias/berth").JSON(t, &desc)
	if desc.KeyMetadata.KeyId != created.KeyMetadata.KeyId {
		t.Errorf("describe-key = %+v", desc)
	}
	var keys struct{ Keys []struct{ KeyId string } }
	cli.MustRun(t, "kms", "list-keys").JSON(t, &keys)
	if len(keys.Keys) != 1 {
		t.Errorf("list-keys = %+v", keys)
	}
	var aliases struct {
		Aliases []struct{ AliasName, TargetKeyId string }
	}
	cli.MustRun(t, "kms", "list-aliases").JSON(t, &aliases)
	found := map[string]string{}
	for _, a := range aliases.Aliases {
		found[a.AliasName] = a.TargetKeyId
	}
	if found["alias/berth"] != created.KeyMetadata.KeyId {
		t.Errorf("list-aliases = %+v", aliases)
	}
	if id, ok := found["alias/aws/ecr"]; !ok || id != "" {
		t.Errorf("alias/aws/ecr = %q, %v", id, ok)
	}
	r := cli.MustFail(t, "NotFoundException", "kms", "describe-key", "--key-id", "alias/ghost")
	if !strings.Contains(r.Stderr, "Alias arn:aws:kms:us-east-1:"+account+":alias/ghost is not found.") {
		t.Errorf("stderr = %s", r.Stderr)
	}
	cli.MustFail(t, "AlreadyExistsException", "kms", "create-alias", "--alias-name", "alias/berth", "--target-key-id", created.KeyMetadata.KeyId)
}
