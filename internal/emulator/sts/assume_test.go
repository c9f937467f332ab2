//lint:file-ignore SA1019 STS still answers PackedPolicySize, and the emulator must too.

package sts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

const account = "000000000000"

// trustAccount trusts the account's principals with AssumeRole and, when
// withSource, with SetSourceIdentity too.
func trustAccount(withSource bool) string {
	actions := `"sts:AssumeRole"`
	if withSource {
		actions = `["sts:AssumeRole","sts:SetSourceIdentity","sts:TagSession"]`
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":` + actions + `}]}`
}

func createRole(t *testing.T, cfg aws.Config, name, path, trust string) string {
	t.Helper()
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	if path != "" {
		in.Path = aws.String(path)
	}
	out, err := iam.NewFromConfig(cfg).CreateRole(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Role.Arn)
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// as is cfg signed with temporary credentials.
func as(cfg aws.Config, c *ststypes.Credentials) aws.Config {
	cfg = cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return cfg
}

func TestAssumeRoleIssuesASessionThatGetCallerIdentityNames(t *testing.T) {
	env := emutest.Start(t)
	ctx := context.Background()
	roleARN := createRole(t, env.Config, "berth-operator", "/team/", trustAccount(true))
	client := sts.NewFromConfig(env.Config)
	before := time.Now()
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("berth-ana"), SourceIdentity: aws.String("ana"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || len(aws.ToString(c.AccessKeyId)) != 20 {
		t.Errorf("AccessKeyId = %q, want ASIA and 16 more", aws.ToString(c.AccessKeyId))
	}
	if len(aws.ToString(c.SecretAccessKey)) != 40 || aws.ToString(c.SessionToken) == "" {
		t.Errorf("secret %q, token %q", aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	}
	if exp := c.Expiration.Sub(before); exp < 59*time.Minute || exp > 61*time.Minute {
		t.Errorf("Expiration in %v, want the default hour", exp)
	}
	wantARN := "arn:aws:sts::" + account + ":assumed-role/berth-operator/berth-ana"
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != wantARN {
		t.Errorf("AssumedRoleUser.Arn = %q, want %q (no role path)", got, wantARN)
	}
	roleID := aws.ToString(out.AssumedRoleUser.AssumedRoleId)
	if !strings.HasPrefix(roleID, "AROA") || !strings.HasSuffix(roleID, ":berth-ana") {
		t.Errorf("AssumedRoleId = %q", roleID)
	}
	if aws.ToString(out.SourceIdentity) != "ana" || out.PackedPolicySize != nil {
		t.Errorf("SourceIdentity = %q, PackedPolicySize = %v", aws.ToString(out.SourceIdentity), out.PackedPolicySize)
	}

	id, err := sts.NewFromConfig(as(env.Config, c)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != wantARN || aws.ToString(id.UserId) != roleID || aws.ToString(id.Account) != account {
		t.Errorf("GetCallerIdentity as the session = %+v", id)
	}
	// Any other key is still the root user.
	if id, _ := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); aws.ToString(id.Arn) != "arn:aws:iam::"+account+":root" {
		t.Errorf("root identity = %q", aws.ToString(id.Arn))
	}

	// The issued key without its session token is not accepted.
	bad := env.Config.Copy()
	bad.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), "x", "not-the-token")
	if _, err := sts.NewFromConfig(bad).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("wrong session token: %v, want InvalidClientTokenId", err)
	}
}

func TestAssumeRoleOptionsAndLimits(t *testing.T) {
	env := emutest.Start(t)
	ctx := context.Background()
	roleARN := createRole(t, env.Config, "limits", "", trustAccount(true))
	client := sts.NewFromConfig(env.Config)
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900),
		Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("payments")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d > 15*time.Minute || d < 14*time.Minute {
		t.Errorf("900 s session expires in %v", d)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 || out.SourceIdentity != nil {
		t.Errorf("PackedPolicySize = %v, SourceIdentity = %v", out.PackedPolicySize, out.SourceIdentity)
	}

	for _, tc := range []struct {
		name string
		in   sts.AssumeRoleInput
		code string
		msg  string
	}{
		{"session name too short", sts.AssumeRoleInput{RoleSessionName: aws.String("a")}, "ValidationError",
			"Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"session name pattern", sts.AssumeRoleInput{RoleSessionName: aws.String("ana maria")}, "ValidationError",
			`Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"duration too short", sts.AssumeRoleInput{DurationSeconds: aws.Int32(899)}, "ValidationError",
			"Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"duration too long", sts.AssumeRoleInput{DurationSeconds: aws.Int32(43201)}, "ValidationError",
			"Member must have value less than or equal to 43200"},
		{"beyond the role's maximum", sts.AssumeRoleInput{DurationSeconds: aws.Int32(7200)}, "ValidationError",
			"The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"source identity too long", sts.AssumeRoleInput{SourceIdentity: aws.String(strings.Repeat("x", 65))}, "ValidationError",
			"at 'sourceIdentity' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"source identity aws:", sts.AssumeRoleInput{SourceIdentity: aws.String("aws:ana")}, "ValidationError", "aws:"},
		{"source identity pattern", sts.AssumeRoleInput{SourceIdentity: aws.String("ana/b")}, "ValidationError", "sourceIdentity"},
		{"no such role", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/nobody")}, "AccessDenied",
			"User: arn:aws:iam::" + account + ":root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::" + account + ":role/nobody"},
		{"another account", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/limits")}, "AccessDenied", "sts:AssumeRole"},
		{"wrong path", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/other/limits")}, "AccessDenied", "sts:AssumeRole"},
	} {
		in := tc.in
		if in.RoleArn == nil {
			in.RoleArn = aws.String(roleARN)
		}
		if in.RoleSessionName == nil {
			in.RoleSessionName = aws.String("session")
		}
		_, err := client.AssumeRole(ctx, &in)
		if apiCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %s with %q", tc.name, err, tc.code, tc.msg)
		}
	}
}

func TestTrustPolicyDecides(t *testing.T) {
	env := emutest.Start(t)
	ctx := context.Background()
	client := sts.NewFromConfig(env.Config)
	// A service role (ecsTaskExecutionRole's trust) trusts ECS, not people.
	service := createRole(t, env.Config, "svc", "", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	// No sts:SetSourceIdentity: a session may not carry a source identity.
	plain := createRole(t, env.Config, "plain", "", trustAccount(false))
	// Only with the external id, and only for ana.
	strict := createRole(t, env.Config, "strict", "", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"`+account+`"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"],
		 "Condition":{"StringEquals":{"sts:ExternalId":"berth-123"},"StringLike":{"sts:SourceIdentity":"ana*"}}}]}`)
	denyAll := createRole(t, env.Config, "denied", "", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":"*","Action":"sts:*"},
		{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)

	try := func(role, source, external string) error {
		in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1")}
		if source != "" {
			in.SourceIdentity = aws.String(source)
		}
		if external != "" {
			in.ExternalId = aws.String(external)
		}
		_, err := client.AssumeRole(ctx, in)
		return err
	}
	for _, tc := range []struct {
		role, source, external string
		denied                 string // the refused action, "" when allowed
	}{
		{service, "", "", "sts:AssumeRole"},
		{plain, "", "", ""},
		{plain, "ana", "", "sts:SetSourceIdentity"},
		{strict, "ana", "berth-123", ""},
		{strict, "anabel", "berth-123", ""},
		{strict, "bob", "berth-123", "sts:AssumeRole"},
		{strict, "ana", "", "sts:AssumeRole"},
		{strict, "ana", "other", "sts:AssumeRole"},
		{denyAll, "", "", "sts:AssumeRole"},
	} {
		err := try(tc.role, tc.source, tc.external)
		switch {
		case tc.denied == "" && err != nil:
			t.Errorf("%s as %q/%q: %v", tc.role, tc.source, tc.external, err)
		case tc.denied != "" && (apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "perform: "+tc.denied+" on resource: "+tc.role)):
			t.Errorf("%s as %q/%q: %v, want AccessDenied for %s", tc.role, tc.source, tc.external, err, tc.denied)
		}
	}
}

func TestRoleChainingKeepsTheSourceIdentity(t *testing.T) {
	env := emutest.Start(t)
	ctx := context.Background()
	first := createRole(t, env.Config, "first", "", trustAccount(true))
	// The second role trusts only the first role, and only sessions whose
	// source identity is ana's.
	second := createRole(t, env.Config, "second", "", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"`+first+`"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"],
		 "Condition":{"StringEquals":{"sts:SourceIdentity":"ana"}}}]}`)
	// A role with a long maximum, so that a 2 h request meets the chaining limit.
	long, err := iam.NewFromConfig(env.Config).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("long"), MaxSessionDuration: aws.Int32(43200),
		AssumeRolePolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + first + `"},"Action":"sts:*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(env.Config).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(first), RoleSessionName: aws.String("one"), SourceIdentity: aws.String("ana"),
	})
	if err != nil {
		t.Fatal(err)
	}
	chained := sts.NewFromConfig(as(env.Config, out.Credentials))
	if _, err := chained.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: long.Role.Arn, RoleSessionName: aws.String("two"), DurationSeconds: aws.Int32(7200)}); apiCode(err) != "ValidationError" ||
		!strings.Contains(err.Error(), "1 hour session limit for roles assumed by role chaining") {
		t.Errorf("chained 2 h session: %v", err)
	}
	if _, err := chained.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("two"), SourceIdentity: aws.String("bob")}); apiCode(err) != "AccessDenied" {
		t.Errorf("changing the source identity: %v, want AccessDenied", err)
	}
	two, err := chained.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("two")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(two.SourceIdentity) != "ana" || aws.ToString(two.AssumedRoleUser.Arn) != "arn:aws:sts::"+account+":assumed-role/second/two" {
		t.Errorf("chained session = %+v, %q", two.AssumedRoleUser, aws.ToString(two.SourceIdentity))
	}
	// The root user cannot take the second role: it trusts the first only.
	if _, err := sts.NewFromConfig(env.Config).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("x1"), SourceIdentity: aws.String("ana")}); apiCode(err) != "AccessDenied" {
		t.Errorf("root on the second role: %v", err)
	}
}

func TestSessionsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	env := emutest.StartAt(t, dir)
	roleARN := createRole(t, env.Config, "kept", "", trustAccount(false))
	out, err := sts.NewFromConfig(env.Config).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("kept-session")})
	if err != nil {
		t.Fatal(err)
	}
	again := emutest.StartAt(t, dir)
	id, err := sts.NewFromConfig(as(again.Config, out.Credentials)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(aws.ToString(id.Arn), ":assumed-role/kept/kept-session") {
		t.Errorf("after reopening the state: %v, %v", id, err)
	}
}

func TestCLIAssumeRole(t *testing.T) {
	env := emutest.Start(t)
	roleARN := createRole(t, env.Config, "cli-role", "", trustAccount(true))
	cli := clitest.New(t, env.URL)
	var out struct {
		Credentials struct {
			AccessKeyId, SecretAccessKey, SessionToken, Expiration string
		}
		AssumedRoleUser struct{ AssumedRoleId, Arn string }
		SourceIdentity  string
	}
	cli.MustRun(t, "sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "cli-session",
		"--source-identity", "ana", "--duration-seconds", "1800").JSON(t, &out)
	if !strings.HasPrefix(out.Credentials.AccessKeyId, "ASIA") || out.Credentials.Expiration == "" ||
		out.AssumedRoleUser.Arn != "arn:aws:sts::"+account+":assumed-role/cli-role/cli-session" || out.SourceIdentity != "ana" {
		t.Errorf("assume-role = %+v", out)
	}
	// The CLI signed with the temporary credentials is the role session.
	as := clitest.New(t, env.URL)
	as.Env = []string{"AWS_ACCESS_KEY_ID=" + out.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + out.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + out.Credentials.SessionToken}
	var id struct{ UserId, Account, Arn string }
	as.MustRun(t, "sts", "get-caller-identity").JSON(t, &id)
	if id.Arn != out.AssumedRoleUser.Arn || id.UserId != out.AssumedRoleUser.AssumedRoleId || id.Account != account {
		t.Errorf("get-caller-identity as the session = %+v", id)
	}
	cli.MustFail(t, "AccessDenied", "sts", "assume-role", "--role-arn", "arn:aws:iam::"+account+":role/missing", "--role-session-name", "x1")
	cli.MustFail(t, "ValidationError", "sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "x1", "--source-identity", "aws:ana")
}
