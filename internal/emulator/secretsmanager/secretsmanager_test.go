package secretsmanager_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	_ "modernc.org/sqlite"

	"github.com/berthhq/berth/internal/emulator/emutest"
)

var ctx = context.Background()

func newClient(t testing.TB) (*sm.Client, *emutest.Env) {
	t.Helper()
	env := emutest.Start(t)
	return sm.NewFromConfig(env.Config), env
}

// wantErr checks the AWS error code and that the message contains msg.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("error message = %q, want it to contain %q", ae.ErrorMessage(), msg)
	}
}

func token(n int) *string { return aws.String(fmt.Sprintf("00000000-0000-4000-8000-%012d", n)) }

func create(t *testing.T, c *sm.Client, name, value string) *sm.CreateSecretOutput {
	t.Helper()
	out, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var arnRE = regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:(.+)-[A-Za-z0-9]{6}$`)

func TestCreateDescribeGet(t *testing.T) {
	t.Parallel()
	c, env := newClient(t)
	newAlias(t, env, "alias/mine")
	out, err := c.CreateSecret(ctx, &sm.CreateSecretInput{
		Name: aws.String("prod/db"), SecretString: aws.String(`{"password":"p"}`),
		Description: aws.String("the database"), KmsKeyId: aws.String("alias/mine"),
		ClientRequestToken: token(1),
		Tags:               []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if m := arnRE.FindStringSubmatch(aws.ToString(out.ARN)); m == nil || m[1] != "prod/db" {
		t.Fatalf("ARN = %s", aws.ToString(out.ARN))
	}
	if aws.ToString(out.VersionId) != *token(1) || aws.ToString(out.Name) != "prod/db" {
		t.Fatalf("create = %+v", out)
	}

	arn := aws.ToString(out.ARN)
	partial := arn[:len(arn)-7]
	for _, id := range []string{"prod/db", arn, partial} {
		d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(id)})
		if err != nil {
			t.Fatalf("describe %s: %v", id, err)
		}
		if aws.ToString(d.ARN) != arn {
			t.Fatalf("describe %s: ARN %s", id, aws.ToString(d.ARN))
		}
	}
	d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("prod/db")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Description) != "the database" || aws.ToString(d.KmsKeyId) != "alias/mine" {
		t.Errorf("describe = %+v", d)
	}
	if d.RotationEnabled != nil || d.LastAccessedDate != nil || d.DeletedDate != nil || d.CreatedDate == nil || d.LastChangedDate == nil {
		t.Errorf("describe optional fields: rotation %v accessed %v deleted %v created %v changed %v",
			d.RotationEnabled, d.LastAccessedDate, d.DeletedDate, d.CreatedDate, d.LastChangedDate)
	}
	if len(d.Tags) != 1 || aws.ToString(d.Tags[0].Key) != "team" {
		t.Errorf("tags = %+v", d.Tags)
	}
	if st := d.VersionIdsToStages[*token(1)]; len(st) != 1 || st[0] != "AWSCURRENT" {
		t.Errorf("VersionIdsToStages = %v", d.VersionIdsToStages)
	}

	g, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(partial)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(g.SecretString) != `{"password":"p"}` || aws.ToString(g.VersionId) != *token(1) ||
		len(g.VersionStages) != 1 || g.CreatedDate == nil || aws.ToString(g.Name) != "prod/db" {
		t.Errorf("get = %+v", g)
	}
	d, _ = c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("prod/db")})
	if d.LastAccessedDate == nil {
		t.Fatal("LastAccessedDate not set by GetSecretValue")
	}
	if la := d.LastAccessedDate.UTC(); !la.Equal(la.Truncate(24 * time.Hour)) {
		t.Errorf("LastAccessedDate %v is not truncated to the day", la)
	}

	// Absent optional fields stay absent; binary values come back as given.
	b, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("bin"), SecretBinary: []byte{0, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: b.ARN})
	if d.Description != nil || d.KmsKeyId != nil || d.Tags != nil {
		t.Errorf("describe of a bare secret = %+v", d)
	}
	g, _ = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("bin")})
	if string(g.SecretBinary) != "\x00\x01\x02" || g.SecretString != nil {
		t.Errorf("binary get = %+v", g)
	}

	// A secret without a value has no version.
	e, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("empty")})
	if err != nil || e.VersionId != nil {
		t.Fatalf("create empty = %+v, %v", e, err)
	}
	_, err = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("empty")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")

	for _, id := range []string{"nope", "arn:aws:secretsmanager:us-east-1:000000000000:secret:nope-abcdef", "arn:aws:secretsmanager:eu-west-1:000000000000:secret:prod/db"} {
		_, err = c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(id)})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("describe %s: %v", id, err)
		}
		wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	}
}

func TestCreateErrors(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	create(t, c, "dup", "v")
	_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("dup"), SecretString: aws.String("v")})
	var ex *types.ResourceExistsException
	if !errors.As(err, &ex) {
		t.Fatalf("duplicate: %v", err)
	}
	wantErr(t, err, "ResourceExistsException", "The operation failed because the secret dup already exists.")

	cases := []struct {
		in        sm.CreateSecretInput
		code, msg string
	}{
		{sm.CreateSecretInput{Name: aws.String("has space")}, "ValidationException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"},
		{sm.CreateSecretInput{Name: aws.String(strings.Repeat("a", 513))}, "ValidationException", "Member must have length less than or equal to 512"},
		{sm.CreateSecretInput{Name: aws.String("x"), Description: aws.String(strings.Repeat("d", 2049))}, "ValidationException", "at 'description'"},
		{sm.CreateSecretInput{Name: aws.String("x"), SecretString: aws.String("s"), SecretBinary: []byte("b")}, "InvalidParameterException", "You can't specify both a binary secret value and a string secret value in the same secret."},
		{sm.CreateSecretInput{Name: aws.String("x"), SecretString: aws.String(strings.Repeat("s", 65537))}, "ValidationException", "Member must have length less than or equal to 65536"},
		{sm.CreateSecretInput{Name: aws.String("x"), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}}, "InvalidParameterException", "aws:"},
		{sm.CreateSecretInput{Name: aws.String("x"), ClientRequestToken: aws.String("short")}, "ValidationException", "greater than or equal to 32"},
	}
	for _, tc := range cases {
		_, err := c.CreateSecret(ctx, &tc.in)
		wantErr(t, err, tc.code, tc.msg)
	}
	// A 65,536-byte value and a 512-character name are accepted.
	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(strings.Repeat("n", 512)), SecretString: aws.String(strings.Repeat("s", 65536))})
	if err != nil {
		t.Fatal(err)
	}
	// Values are never echoed back in validation errors.
	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("y"), SecretString: aws.String("TOPSECRET" + strings.Repeat("s", 65536))})
	if err == nil || strings.Contains(err.Error(), "TOPSECRET") {
		t.Fatalf("oversized value: %v", err)
	}
}

func TestCreateIdempotent(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	in := &sm.CreateSecretInput{Name: aws.String("idem"), SecretString: aws.String("v1"), ClientRequestToken: token(7)}
	a, err := c.CreateSecret(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreateSecret(ctx, in)
	if err != nil {
		t.Fatalf("retry with the same token and value: %v", err)
	}
	if aws.ToString(a.ARN) != aws.ToString(b.ARN) || aws.ToString(b.VersionId) != *token(7) {
		t.Fatalf("retry = %+v, first = %+v", b, a)
	}
	v, _ := c.ListSecretVersionIds(ctx, &sm.ListSecretVersionIdsInput{SecretId: aws.String("idem"), IncludeDeprecated: aws.Bool(true)})
	if len(v.Versions) != 1 {
		t.Fatalf("versions after retry = %d", len(v.Versions))
	}
	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("idem"), SecretString: aws.String("v2"), ClientRequestToken: token(7)})
	wantErr(t, err, "ResourceExistsException", "You can't modify an existing version")
	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("idem"), SecretString: aws.String("v1"), ClientRequestToken: token(8)})
	wantErr(t, err, "ResourceExistsException", "already exists")

	// PutSecretValue: same token and value is a no-op, a different value an error.
	p, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("idem"), SecretString: aws.String("v1"), ClientRequestToken: token(7)})
	if err != nil || aws.ToString(p.VersionId) != *token(7) {
		t.Fatalf("idempotent put = %+v, %v", p, err)
	}
	_, err = c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("idem"), SecretString: aws.String("other"), ClientRequestToken: token(7)})
	wantErr(t, err, "ResourceExistsException", "You can't modify an existing version")
	v, _ = c.ListSecretVersionIds(ctx, &sm.ListSecretVersionIdsInput{SecretId: aws.String("idem"), IncludeDeprecated: aws.Bool(true)})
	if len(v.Versions) != 1 {
		t.Fatalf("versions after idempotent put = %d", len(v.Versions))
	}
}

func TestParallelCreateSameName(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("race"), SecretString: aws.String(fmt.Sprint(i))})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		var ex *types.ResourceExistsException
		switch {
		case err == nil:
			ok++
		case !errors.As(err, &ex):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d creates succeeded, want exactly 1", ok)
	}
	l, err := c.ListSecrets(ctx, &sm.ListSecretsInput{})
	if err != nil || len(l.SecretList) != 1 {
		t.Fatalf("list = %+v, %v", l, err)
	}
}

func stagesOf(t *testing.T, c *sm.Client, id string, deprecated bool) map[string][]string {
	t.Helper()
	out, err := c.ListSecretVersionIds(ctx, &sm.ListSecretVersionIdsInput{SecretId: aws.String(id), IncludeDeprecated: aws.Bool(deprecated)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]string{}
	for _, v := range out.Versions {
		m[aws.ToString(v.VersionId)] = v.VersionStages
		if len(v.KmsKeyIds) != 1 || v.CreatedDate == nil {
			t.Errorf("version entry = %+v", v)
		}
	}
	return m
}

func wantStages(t *testing.T, got map[string][]string, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("versions = %v, want %v", got, want)
	}
	for id, w := range want {
		if g := strings.Join(got[id], ","); g != w {
			t.Fatalf("version %s stages = %q, want %q (all: %v)", id, g, w, got)
		}
	}
}

func TestVersionsAndStagingLabels(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	id := aws.String("rot")
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: id, SecretString: aws.String("s1"), ClientRequestToken: token(1)}); err != nil {
		t.Fatal(err)
	}
	p, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: id, SecretString: aws.String("s2"), ClientRequestToken: token(2)})
	if err != nil || strings.Join(p.VersionStages, ",") != "AWSCURRENT" {
		t.Fatalf("put = %+v, %v", p, err)
	}
	wantStages(t, stagesOf(t, c, "rot", false), map[string]string{*token(1): "AWSPREVIOUS", *token(2): "AWSCURRENT"})

	// A pending version leaves AWSCURRENT where it is.
	if _, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: id, SecretString: aws.String("s3"), ClientRequestToken: token(3), VersionStages: []string{"AWSPENDING"}}); err != nil {
		t.Fatal(err)
	}
	g, _ := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: id})
	if aws.ToString(g.SecretString) != "s2" {
		t.Fatalf("current = %q", aws.ToString(g.SecretString))
	}
	g, _ = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: id, VersionStage: aws.String("AWSPENDING")})
	if aws.ToString(g.SecretString) != "s3" {
		t.Fatalf("pending = %q", aws.ToString(g.SecretString))
	}
	g, _ = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: id, VersionId: token(1)})
	if aws.ToString(g.SecretString) != "s1" || strings.Join(g.VersionStages, ",") != "AWSPREVIOUS" {
		t.Fatalf("by id = %+v", g)
	}
	_, err = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: id, VersionId: token(1), VersionStage: aws.String("AWSCURRENT")})
	wantErr(t, err, "InvalidRequestException", "You provided a VersionStage that is not associated to the provided VersionId.")
	_, err = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: id, VersionId: token(9)})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: "+*token(9))
	_, err = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: id, VersionStage: aws.String("NOPE")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: NOPE")

	// Moving AWSCURRENT needs RemoveFromVersionId; AWSPREVIOUS follows.
	_, err = c.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{SecretId: id, VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: token(3)})
	wantErr(t, err, "InvalidParameterException", "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version "+*token(2))
	_, err = c.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{SecretId: id, VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: token(3), RemoveFromVersionId: token(1)})
	wantErr(t, err, "InvalidParameterException", "")
	_, err = c.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{SecretId: id, VersionStage: aws.String("AWSCURRENT"), RemoveFromVersionId: token(2)})
	wantErr(t, err, "InvalidParameterException", "AWSCURRENT")
	u, err := c.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{SecretId: id, VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: token(3), RemoveFromVersionId: token(2)})
	if err != nil || aws.ToString(u.Name) != "rot" {
		t.Fatalf("update stage = %+v, %v", u, err)
	}
	wantStages(t, stagesOf(t, c, "rot", false), map[string]string{*token(2): "AWSPREVIOUS", *token(3): "AWSCURRENT,AWSPENDING"})
	// Version 1 lost its last label: deprecated, listed only on request.
	wantStages(t, stagesOf(t, c, "rot", true), map[string]string{*token(1): "", *token(2): "AWSPREVIOUS", *token(3): "AWSCURRENT,AWSPENDING"})

	// A new current value ends the rotation: AWSPENDING leaves the old current.
	if _, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: id, SecretString: aws.String("s4"), ClientRequestToken: token(4)}); err != nil {
		t.Fatal(err)
	}
	wantStages(t, stagesOf(t, c, "rot", false), map[string]string{*token(3): "AWSPREVIOUS", *token(4): "AWSCURRENT"})

	// Custom labels move between versions too.
	if _, err := c.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{SecretId: id, VersionStage: aws.String("blue"), MoveToVersionId: token(4)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{SecretId: id, VersionStage: aws.String("blue"), RemoveFromVersionId: token(4)}); err != nil {
		t.Fatal(err)
	}
	wantStages(t, stagesOf(t, c, "rot", false), map[string]string{*token(3): "AWSPREVIOUS", *token(4): "AWSCURRENT"})

	d, _ := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: id})
	if len(d.VersionIdsToStages) != 2 {
		t.Fatalf("VersionIdsToStages = %v", d.VersionIdsToStages)
	}
	_, err = c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: id, ClientRequestToken: token(5)})
	wantErr(t, err, "InvalidRequestException", "You must provide either SecretString or SecretBinary.")
	_, err = c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("missing"), SecretString: aws.String("x")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

func TestVersionQuotaAndPaging(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	create(t, c, "many", "v0")
	for i := 1; i <= 104; i++ {
		if _, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("many"), SecretString: aws.String(fmt.Sprint("v", i))}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	in := &sm.ListSecretVersionIdsInput{SecretId: aws.String("many"), IncludeDeprecated: aws.Bool(true), MaxResults: aws.Int32(30)}
	pages := 0
	for p := sm.NewListSecretVersionIdsPaginator(c, in); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, v := range out.Versions {
			ids = append(ids, aws.ToString(v.VersionId))
		}
	}
	if len(ids) != 100 || pages != 4 {
		t.Fatalf("%d versions in %d pages, want 100 in 4", len(ids), pages)
	}
	// The oldest unlabelled versions were dropped; the labelled ones remain.
	st := stagesOf(t, c, "many", false)
	if len(st) != 2 {
		t.Fatalf("labelled versions = %v", st)
	}
	g, _ := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("many"), VersionStage: aws.String("AWSPREVIOUS")})
	if aws.ToString(g.SecretString) != "v103" {
		t.Fatalf("previous = %q", aws.ToString(g.SecretString))
	}
	_, err := c.ListSecretVersionIds(ctx, &sm.ListSecretVersionIdsInput{SecretId: aws.String("many"), NextToken: aws.String("garbage")})
	var bad *types.InvalidNextTokenException
	if !errors.As(err, &bad) {
		t.Fatalf("bad token: %v", err)
	}
}

func TestUpdateSecret(t *testing.T) {
	t.Parallel()
	c, env := newClient(t)
	newAlias(t, env, "alias/k")
	create(t, c, "upd", "v1")
	u, err := c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("upd"), Description: aws.String("new"), KmsKeyId: aws.String("alias/k")})
	if err != nil || u.VersionId != nil {
		t.Fatalf("metadata update = %+v, %v", u, err)
	}
	u, err = c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("upd"), SecretString: aws.String("v2"), ClientRequestToken: token(2)})
	if err != nil || aws.ToString(u.VersionId) != *token(2) {
		t.Fatalf("value update = %+v, %v", u, err)
	}
	d, _ := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("upd")})
	if aws.ToString(d.Description) != "new" || aws.ToString(d.KmsKeyId) != "alias/k" || len(d.VersionIdsToStages) != 2 {
		t.Fatalf("describe = %+v", d)
	}
	g, _ := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("upd")})
	if aws.ToString(g.SecretString) != "v2" {
		t.Fatalf("value = %q", aws.ToString(g.SecretString))
	}
	v, _ := c.ListSecretVersionIds(ctx, &sm.ListSecretVersionIdsInput{SecretId: aws.String("upd")})
	for _, e := range v.Versions {
		if len(e.KmsKeyIds) != 1 || e.KmsKeyIds[0] != "alias/k" {
			t.Errorf("KmsKeyIds = %v", e.KmsKeyIds)
		}
	}
	_, err = c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("upd"), SecretString: aws.String("v3"), ClientRequestToken: token(2)})
	wantErr(t, err, "ResourceExistsException", "You can't modify an existing version")
	_, err = c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("nope"), Description: aws.String("x")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

func TestDeleteAndRestore(t *testing.T) {
	t.Parallel()
	c, env := newClient(t)
	create(t, c, "gone", "v")
	_, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("gone"), RecoveryWindowInDays: aws.Int64(3)})
	wantErr(t, err, "InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
	_, err = c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("gone"), RecoveryWindowInDays: aws.Int64(31)})
	wantErr(t, err, "InvalidParameterException", "between 7 and 30")
	_, err = c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("gone"), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true)})
	wantErr(t, err, "InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")

	before := time.Now()
	del, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("gone")})
	if err != nil {
		t.Fatal(err)
	}
	if dd := del.DeletionDate.Sub(before); dd < 30*24*time.Hour-time.Minute || dd > 30*24*time.Hour+time.Minute {
		t.Fatalf("DeletionDate is %v from now, want 30 days", dd)
	}
	for name, call := range map[string]func() error{
		"get": func() error {
			_, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("gone")})
			return err
		},
		"put": func() error {
			_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("gone"), SecretString: aws.String("x")})
			return err
		},
		"update": func() error {
			_, err := c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("gone"), Description: aws.String("x")})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			wantErr(t, call(), "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
		})
	}
	_, err = c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("gone")})
	wantErr(t, err, "InvalidRequestException", "marked deleted")
	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("gone"), SecretString: aws.String("v")})
	wantErr(t, err, "InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.")

	d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("gone")})
	if err != nil || d.DeletedDate == nil || !d.DeletedDate.Equal(*del.DeletionDate) {
		t.Fatalf("describe scheduled = %+v, %v", d, err)
	}
	l, _ := c.ListSecrets(ctx, &sm.ListSecretsInput{})
	if len(l.SecretList) != 0 {
		t.Fatalf("scheduled secret listed: %+v", l.SecretList)
	}
	l, _ = c.ListSecrets(ctx, &sm.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true)})
	if len(l.SecretList) != 1 || l.SecretList[0].DeletedDate == nil {
		t.Fatalf("IncludePlannedDeletion list = %+v", l.SecretList)
	}

	r, err := c.RestoreSecret(ctx, &sm.RestoreSecretInput{SecretId: aws.String("gone")})
	if err != nil || aws.ToString(r.Name) != "gone" {
		t.Fatalf("restore = %+v, %v", r, err)
	}
	if g, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("gone")}); err != nil || aws.ToString(g.SecretString) != "v" {
		t.Fatalf("get after restore = %+v, %v", g, err)
	}

	// Forced deletion frees the name at once, and forcing a missing secret is fine.
	first := create(t, c, "force", "a")
	if _, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("force"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	second := create(t, c, "force", "b")
	if aws.ToString(first.ARN) == aws.ToString(second.ARN) {
		t.Errorf("re-created secret kept the ARN %s", aws.ToString(first.ARN))
	}
	if _, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("never"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatalf("force delete of a missing secret: %v", err)
	}
	_, err = c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("never")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")

	// Once the deletion date has passed the secret is gone and its name free.
	create(t, c, "expire", "old")
	if _, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("expire"), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(env.DataDir, "emulator", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE sm_secrets SET deleted_at = ? WHERE name = 'expire'`, time.Now().Add(-time.Second).UnixMilli()); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("expire")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	l, _ = c.ListSecrets(ctx, &sm.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true), Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"expire"}}}})
	if len(l.SecretList) != 0 {
		t.Fatalf("expired secret listed")
	}
	create(t, c, "expire", "new")
	if g, _ := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("expire")}); aws.ToString(g.SecretString) != "new" {
		t.Fatalf("re-created value = %q", aws.ToString(g.SecretString))
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	create(t, c, "tagged", "v")
	tags := func() []types.Tag {
		d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("tagged")})
		if err != nil {
			t.Fatal(err)
		}
		return d.Tags
	}
	if tags() != nil {
		t.Fatal("Tags present on a secret never tagged")
	}
	_, err := c.TagResource(ctx, &sm.TagResourceInput{SecretId: aws.String("tagged"), Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TagResource(ctx, &sm.TagResourceInput{SecretId: aws.String("tagged"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("9")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tags(); len(got) != 2 || aws.ToString(got[0].Value) != "9" || aws.ToString(got[1].Key) != "b" {
		t.Fatalf("tags = %+v", got)
	}
	if _, err := c.UntagResource(ctx, &sm.UntagResourceInput{SecretId: aws.String("tagged"), TagKeys: []string{"a", "b", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got := tags(); got == nil || len(got) != 0 {
		t.Fatalf("tags after removing all = %#v, want an empty list", got)
	}
	_, err = c.TagResource(ctx, &sm.TagResourceInput{SecretId: aws.String("tagged"), Tags: []types.Tag{{Key: aws.String("AWS:x"), Value: aws.String("1")}}})
	wantErr(t, err, "InvalidParameterException", "aws:")
	var many []types.Tag
	for i := range 51 {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
	}
	_, err = c.TagResource(ctx, &sm.TagResourceInput{SecretId: aws.String("tagged"), Tags: many})
	wantErr(t, err, "InvalidParameterException", "50")
	_, err = c.TagResource(ctx, &sm.TagResourceInput{SecretId: aws.String("tagged"), Tags: many[:50]})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TagResource(ctx, &sm.TagResourceInput{SecretId: aws.String("tagged"), Tags: many[50:]})
	wantErr(t, err, "InvalidParameterException", "50")
	_, err = c.TagResource(ctx, &sm.TagResourceInput{SecretId: aws.String("tagged"), Tags: []types.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}})
	wantErr(t, err, "ValidationException", "128")
	_, err = c.UntagResource(ctx, &sm.UntagResourceInput{SecretId: aws.String("nope"), TagKeys: []string{"a"}})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

func TestResourcePolicy(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	create(t, c, "pol", "v")
	g, err := c.GetResourcePolicy(ctx, &sm.GetResourcePolicyInput{SecretId: aws.String("pol")})
	if err != nil || g.ResourcePolicy != nil || aws.ToString(g.Name) != "pol" {
		t.Fatalf("get without policy = %+v, %v", g, err)
	}
	_, err = c.PutResourcePolicy(ctx, &sm.PutResourcePolicyInput{SecretId: aws.String("pol"), ResourcePolicy: aws.String("{not json")})
	var mal *types.MalformedPolicyDocumentException
	if !errors.As(err, &mal) {
		t.Fatalf("malformed policy: %v", err)
	}
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	_, err = c.PutResourcePolicy(ctx, &sm.PutResourcePolicyInput{SecretId: aws.String("pol"), ResourcePolicy: aws.String(public), BlockPublicPolicy: aws.Bool(true)})
	var pub *types.PublicPolicyException
	if !errors.As(err, &pub) {
		t.Fatalf("public policy with BlockPublicPolicy: %v", err)
	}
	// The same rule as Berth's form (awsrules.SecretPolicyPublicStatement):
	// "*" in a list of AWS principals is public, a Condition makes it not.
	inList := `{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::000000000000:root","*"]},"Action":"secretsmanager:GetSecretValue","Resource":"*"}}`
	_, err = c.PutResourcePolicy(ctx, &sm.PutResourcePolicyInput{SecretId: aws.String("pol"), ResourcePolicy: aws.String(inList), BlockPublicPolicy: aws.Bool(true)})
	wantErr(t, err, "PublicPolicyException", "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.")
	conditioned := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}`
	if _, err := c.PutResourcePolicy(ctx, &sm.PutResourcePolicyInput{SecretId: aws.String("pol"), ResourcePolicy: aws.String(conditioned), BlockPublicPolicy: aws.Bool(true)}); err != nil {
		t.Fatalf("conditioned policy: %v", err)
	}
	if _, err := c.PutResourcePolicy(ctx, &sm.PutResourcePolicyInput{SecretId: aws.String("pol"), ResourcePolicy: aws.String(public)}); err != nil {
		t.Fatal(err)
	}
	g, _ = c.GetResourcePolicy(ctx, &sm.GetResourcePolicyInput{SecretId: aws.String("pol")})
	if aws.ToString(g.ResourcePolicy) != public {
		t.Fatalf("policy = %q", aws.ToString(g.ResourcePolicy))
	}
	if _, err := c.DeleteResourcePolicy(ctx, &sm.DeleteResourcePolicyInput{SecretId: aws.String("pol")}); err != nil {
		t.Fatal(err)
	}
	g, _ = c.GetResourcePolicy(ctx, &sm.GetResourcePolicyInput{SecretId: aws.String("pol")})
	if g.ResourcePolicy != nil {
		t.Fatal("policy still there after DeleteResourcePolicy")
	}
	_, err = c.GetResourcePolicy(ctx, &sm.GetResourcePolicyInput{SecretId: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

func names(l []types.SecretListEntry) string {
	var n []string
	for _, e := range l {
		n = append(n, aws.ToString(e.Name))
	}
	return strings.Join(n, ",")
}

func TestListSecrets(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	for _, s := range []struct{ name, desc, tagKey, tagValue string }{
		{"prod/db", "Main Database", "env", "production"},
		{"prod/api", "api keys", "env", "prod-eu"},
		{"dev/db", "dev database", "owner", "alice"},
		{"Prod/upper", "", "", ""},
	} {
		in := &sm.CreateSecretInput{Name: aws.String(s.name), SecretString: aws.String("v")}
		if s.desc != "" {
			in.Description = aws.String(s.desc)
		}
		if s.tagKey != "" {
			in.Tags = []types.Tag{{Key: aws.String(s.tagKey), Value: aws.String(s.tagValue)}}
		}
		if _, err := c.CreateSecret(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	l, err := c.ListSecrets(ctx, &sm.ListSecretsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(l.SecretList); got != "prod/db,prod/api,dev/db,Prod/upper" || l.NextToken != nil {
		t.Fatalf("list = %s (next %v)", got, l.NextToken)
	}
	e := l.SecretList[0]
	if len(e.SecretVersionsToStages) != 1 || aws.ToString(e.Description) != "Main Database" || len(e.Tags) != 1 || e.CreatedDate == nil {
		t.Fatalf("entry = %+v", e)
	}
	if l.SecretList[3].Description != nil || l.SecretList[3].Tags != nil {
		t.Fatalf("bare entry = %+v", l.SecretList[3])
	}

	f := func(key types.FilterNameStringType, values ...string) types.Filter {
		return types.Filter{Key: key, Values: values}
	}
	cases := []struct {
		filters []types.Filter
		want    string
	}{
		{[]types.Filter{f(types.FilterNameStringTypeName, "prod/")}, "prod/db,prod/api"},
		{[]types.Filter{f(types.FilterNameStringTypeName, "!prod")}, "dev/db,Prod/upper"},
		{[]types.Filter{f(types.FilterNameStringTypeName, "prod/", "dev")}, "prod/db,prod/api,dev/db"},
		{[]types.Filter{f(types.FilterNameStringTypeDescription, "main")}, "prod/db"},
		{[]types.Filter{f(types.FilterNameStringTypeTagKey, "en")}, "prod/db,prod/api"},
		{[]types.Filter{f(types.FilterNameStringTypeTagValue, "prod")}, "prod/db,prod/api"},
		{[]types.Filter{f(types.FilterNameStringTypeTagKey, "!env")}, "dev/db,Prod/upper"},
		{[]types.Filter{f(types.FilterNameStringTypeTagKey, "env"), f(types.FilterNameStringTypeTagValue, "prod-")}, "prod/api"},
		{[]types.Filter{f(types.FilterNameStringTypeAll, "database")}, "prod/db,dev/db"},
		{[]types.Filter{f(types.FilterNameStringTypeAll, "ALI")}, "dev/db"},
		{[]types.Filter{f(types.FilterNameStringTypeAll, "prod db")}, "prod/db"},
		{[]types.Filter{f(types.FilterNameStringTypePrimaryRegion, "us-east-1")}, ""},
	}
	for _, tc := range cases {
		l, err := c.ListSecrets(ctx, &sm.ListSecretsInput{Filters: tc.filters})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(l.SecretList); got != tc.want {
			t.Errorf("filters %+v: got %q, want %q", tc.filters, got, tc.want)
		}
	}

	l, _ = c.ListSecrets(ctx, &sm.ListSecretsInput{SortOrder: types.SortOrderTypeDesc})
	if got := names(l.SecretList); got != "Prod/upper,dev/db,prod/api,prod/db" {
		t.Errorf("desc = %s", got)
	}
	l, _ = c.ListSecrets(ctx, &sm.ListSecretsInput{SortBy: types.SortByTypeName})
	if got := names(l.SecretList); got != "Prod/upper,dev/db,prod/api,prod/db" {
		t.Errorf("by name = %s", got)
	}

	// Pages of 3 with NextToken, in every sort order.
	for _, order := range []types.SortOrderType{types.SortOrderTypeAsc, types.SortOrderTypeDesc} {
		for _, by := range []types.SortByType{types.SortByTypeCreatedDate, types.SortByTypeName, types.SortByTypeLastChangedDate, types.SortByTypeLastAccessedDate} {
			var all []types.SecretListEntry
			p := sm.NewListSecretsPaginator(c, &sm.ListSecretsInput{MaxResults: aws.Int32(3), SortOrder: order, SortBy: by})
			pages := 0
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				all = append(all, out.SecretList...)
			}
			if len(all) != 4 || pages != 2 {
				t.Errorf("%s/%s: %d secrets in %d pages", by, order, len(all), pages)
			}
		}
	}

	_, err = c.ListSecrets(ctx, &sm.ListSecretsInput{MaxResults: aws.Int32(101)})
	wantErr(t, err, "ValidationException", "less than or equal to 100")
	_, err = c.ListSecrets(ctx, &sm.ListSecretsInput{Filters: []types.Filter{{Key: "colour", Values: []string{"x"}}}})
	wantErr(t, err, "ValidationException", "enum value set")
	_, err = c.ListSecrets(ctx, &sm.ListSecretsInput{Filters: []types.Filter{f(types.FilterNameStringTypeName, "bad*")}})
	wantErr(t, err, "ValidationException", "regular expression pattern")
	_, err = c.ListSecrets(ctx, &sm.ListSecretsInput{NextToken: aws.String("bogus")})
	var bad *types.InvalidNextTokenException
	if !errors.As(err, &bad) {
		t.Fatalf("bogus token: %v", err)
	}
}

func TestGetRandomPassword(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	pw := func(in *sm.GetRandomPasswordInput) string {
		t.Helper()
		out, err := c.GetRandomPassword(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.RandomPassword)
	}
	const punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	p := pw(&sm.GetRandomPasswordInput{})
	if len(p) != 32 || !strings.ContainsAny(p, "abcdefghijklmnopqrstuvwxyz") || !strings.ContainsAny(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") ||
		!strings.ContainsAny(p, "0123456789") || !strings.ContainsAny(p, punct) || strings.Contains(p, " ") {
		t.Fatalf("default password %q", p)
	}
	p = pw(&sm.GetRandomPasswordInput{PasswordLength: aws.Int64(200), ExcludePunctuation: aws.Bool(true), ExcludeUppercase: aws.Bool(true), ExcludeCharacters: aws.String("abc0")})
	if len(p) != 200 || strings.ContainsAny(p, punct+"ABCDEFGHIJKLMNOPQRSTUVWXYZabc0 ") {
		t.Fatalf("restricted password %q", p)
	}
	p = pw(&sm.GetRandomPasswordInput{PasswordLength: aws.Int64(4096), IncludeSpace: aws.Bool(true)})
	if len(p) != 4096 || !strings.Contains(p, " ") {
		t.Fatalf("long password with spaces: len %d", len(p))
	}
	if p = pw(&sm.GetRandomPasswordInput{PasswordLength: aws.Int64(1), RequireEachIncludedType: aws.Bool(false)}); len(p) != 1 {
		t.Fatalf("one-character password %q", p)
	}
	if p = pw(&sm.GetRandomPasswordInput{PasswordLength: aws.Int64(6), ExcludeLowercase: aws.Bool(true), ExcludeUppercase: aws.Bool(true), ExcludePunctuation: aws.Bool(true)}); strings.Trim(p, "0123456789") != "" {
		t.Fatalf("digits-only password %q", p)
	}
	_, err := c.GetRandomPassword(ctx, &sm.GetRandomPasswordInput{PasswordLength: aws.Int64(3)})
	wantErr(t, err, "InvalidParameterException", "Password length is too short based on the required types.")
	_, err = c.GetRandomPassword(ctx, &sm.GetRandomPasswordInput{PasswordLength: aws.Int64(4097)})
	wantErr(t, err, "ValidationException", "less than or equal to 4096")
	_, err = c.GetRandomPassword(ctx, &sm.GetRandomPasswordInput{PasswordLength: aws.Int64(0)})
	wantErr(t, err, "ValidationException", "greater than or equal to 1")
}

// TestRawWire checks what the SDK hides: the error body's "Message" key, and
// that absent fields are left out rather than sent empty.
func TestRawWire(t *testing.T) {
	t.Parallel()
	c, env := newClient(t)
	create(t, c, "raw", "v")
	call := func(op, body string) (int, map[string]any) {
		return emutest.CallJSONMap(t, env.URL, "secretsmanager."+op, body)
	}
	status, m := call("DescribeSecret", `{"SecretId":"nope"}`)
	if status != 400 || m["__type"] != "ResourceNotFoundException" || m["Message"] != "Secrets Manager can't find the specified secret." {
		t.Fatalf("error body = %d %v", status, m)
	}
	_, m = call("DescribeSecret", `{"SecretId":"raw"}`)
	for _, k := range []string{"Description", "KmsKeyId", "RotationEnabled", "Tags", "LastAccessedDate", "DeletedDate"} {
		if _, ok := m[k]; ok {
			t.Errorf("DescribeSecret sent %s: %v", k, m)
		}
	}
	// A raw request must carry its own ClientRequestToken, as AWS requires.
	_, m = call("PutSecretValue", `{"SecretId":"raw","SecretString":"x"}`)
	if m["__type"] != "InvalidRequestException" || m["Message"] != "You must provide a ClientRequestToken value. We recommend a UUID-type value." {
		t.Fatalf("put without token = %v", m)
	}
}

func TestStatePersistsAcrossRestart(t *testing.T) {
	t.Parallel()
	c, env := newClient(t)
	create(t, c, "kept", "value")
	again := sm.NewFromConfig(emutest.StartAt(t, env.DataDir).Config)
	g, err := again.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("kept")})
	if err != nil || aws.ToString(g.SecretString) != "value" {
		t.Fatalf("after restart: %+v, %v", g, err)
	}
}
