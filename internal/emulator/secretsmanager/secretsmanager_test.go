package secretsmanager_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

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
	c, _ := newClient(t)
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
