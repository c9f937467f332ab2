package secretsmanager_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

const rotationFn = "arn:aws:lambda:us-east-1:000000000000:function:rotate-db"

// noRotation checks that a secret shows no rotation at all, as one never
// configured does.
func noRotation(t *testing.T, c *sm.Client, name string) {
	t.Helper()
	d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if d.RotationEnabled != nil || d.RotationLambdaARN != nil || d.RotationRules != nil || d.NextRotationDate != nil || d.LastRotatedDate != nil {
		t.Fatalf("describe shows rotation: %+v", d)
	}
	l, err := c.ListSecrets(ctx, &sm.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{name}}}})
	if err != nil || len(l.SecretList) != 1 {
		t.Fatalf("list = %+v, %v", l, err)
	}
	if e := l.SecretList[0]; e.RotationEnabled != nil || e.RotationLambdaARN != nil || e.RotationRules != nil || e.NextRotationDate != nil {
		t.Fatalf("list shows rotation: %+v", e)
	}
}

func TestRotateSecretWithoutLambda(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	created := create(t, c, "db", "v1")

	// The emulator has no Lambda: the function cannot exist, and AWS refuses
	// to configure rotation with a function it cannot invoke.
	for _, immediately := range []bool{true, false} {
		_, err := c.RotateSecret(ctx, &sm.RotateSecretInput{
			SecretId: aws.String("db"), RotationLambdaARN: aws.String(rotationFn),
			RotationRules:     &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)},
			RotateImmediately: aws.Bool(immediately),
		})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("RotateImmediately=%v: error = %v, want ResourceNotFoundException", immediately, err)
		}
		wantErr(t, err, "ResourceNotFoundException", "Lambda does not exist or could not be accessed")
	}
	// Nothing changed: no rotation fields, no new version, the same value.
	noRotation(t, c, "db")
	d, _ := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("db")})
	if len(d.VersionIdsToStages) != 1 || d.VersionIdsToStages[aws.ToString(created.VersionId)][0] != "AWSCURRENT" {
		t.Fatalf("versions after refused rotation = %v", d.VersionIdsToStages)
	}
	g, _ := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("db")})
	if aws.ToString(g.SecretString) != "v1" {
		t.Fatalf("value = %q", aws.ToString(g.SecretString))
	}

	// Without a function ARN, none is configured to fall back on.
	_, err := c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("db")})
	wantErr(t, err, "InvalidRequestException", "No Lambda rotation function ARN is associated with this secret.")
	_, err = c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("db"), RotationLambdaARN: aws.String(""), RotationRules: &types.RotationRulesType{ScheduleExpression: aws.String("rate(10 days)")}})
	wantErr(t, err, "InvalidRequestException", "No Lambda rotation function ARN is associated with this secret.")
}

func TestRotateSecretErrors(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	create(t, c, "s", "v")
	rotate := func(rules *types.RotationRulesType) error {
		_, err := c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("s"), RotationLambdaARN: aws.String(rotationFn), RotationRules: rules})
		return err
	}
	cases := []struct {
		rules     *types.RotationRulesType
		code, msg string
	}{
		{&types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(0)}, "ValidationException", "Value '0' at 'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{&types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(1001)}, "ValidationException", "Value '1001' at 'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{&types.RotationRulesType{ScheduleExpression: aws.String("rate(1 day)"), Duration: aws.String("2 h")}, "ValidationException", "at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+h"},
		{&types.RotationRulesType{ScheduleExpression: aws.String("rate(1 day)"), Duration: aws.String("100h")}, "ValidationException", "Member must have length less than or equal to 3"},
		{&types.RotationRulesType{ScheduleExpression: aws.String("rate(1 day);")}, "ValidationException", "at 'rotationRules.scheduleExpression' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{&types.RotationRulesType{ScheduleExpression: aws.String("")}, "ValidationException", "Member must have length greater than or equal to 1"},
		{&types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7), ScheduleExpression: aws.String("rate(7 days)")}, "InvalidParameterException", "You cannot specify both rotation frequency and schedule expression together."},
		{&types.RotationRulesType{ScheduleExpression: aws.String("rate(2 hours)")}, "InvalidParameterException", "every 4 hours"},
		{&types.RotationRulesType{ScheduleExpression: aws.String("cron(15 8 * * ? *)")}, "InvalidParameterException", "Use 0 for the minutes"},
		{&types.RotationRulesType{ScheduleExpression: aws.String("cron(0 22 * * ? *)"), Duration: aws.String("4h")}, "InvalidParameterException", "next UTC day"},
		{&types.RotationRulesType{Duration: aws.String("4h")}, "InvalidParameterException", "Set a number of days or a schedule expression"},
	}
	for _, tc := range cases {
		wantErr(t, rotate(tc.rules), tc.code, tc.msg)
	}
	// Valid rules get as far as the function.
	for _, rules := range []*types.RotationRulesType{
		{ScheduleExpression: aws.String("cron(0 16 L * ? *)"), Duration: aws.String("3h")},
		{ScheduleExpression: aws.String("rate(4 hours)")},
		{AutomaticallyAfterDays: aws.Int64(1000)},
		{},
	} {
		wantErr(t, rotate(rules), "ResourceNotFoundException", "Lambda does not exist")
	}

	_, err := c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("s"), RotationLambdaARN: aws.String(strings.Repeat("a", 2049))})
	wantErr(t, err, "ValidationException", "at 'rotationLambdaARN' failed to satisfy constraint: Member must have length less than or equal to 2048")
	_, err = c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("s"), RotationLambdaARN: aws.String(rotationFn), ClientRequestToken: aws.String("short")})
	wantErr(t, err, "ValidationException", "at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32")
	_, err = c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("missing"), RotationLambdaARN: aws.String(rotationFn)})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")

	// An unfinished rotation (AWSPENDING on a version that is not current)
	// blocks a new one, and CancelRotateSecret reports that version.
	if _, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("next"), ClientRequestToken: token(7), VersionStages: []string{"AWSPENDING"}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("s"), RotationLambdaARN: aws.String(rotationFn)})
	wantErr(t, err, "InvalidRequestException", "A previous rotation isn't complete. That rotation will be reattempted.")
	cr, err := c.CancelRotateSecret(ctx, &sm.CancelRotateSecretInput{SecretId: aws.String("s")})
	if err != nil || aws.ToString(cr.VersionId) != *token(7) || aws.ToString(cr.Name) != "s" || !arnRE.MatchString(aws.ToString(cr.ARN)) {
		t.Fatalf("cancel = %+v, %v", cr, err)
	}

	// A secret scheduled for deletion can't be rotated, nor its rotation cancelled.
	if _, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("s"), RotationLambdaARN: aws.String(rotationFn)})
	wantErr(t, err, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
	_, err = c.CancelRotateSecret(ctx, &sm.CancelRotateSecretInput{SecretId: aws.String("s")})
	wantErr(t, err, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
}

func TestCancelRotateSecret(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	create(t, c, "c", "v")
	out, err := c.CancelRotateSecret(ctx, &sm.CancelRotateSecretInput{SecretId: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Name) != "c" || out.VersionId != nil {
		t.Fatalf("cancel = %+v", out)
	}
	noRotation(t, c, "c")
	_, err = c.CancelRotateSecret(ctx, &sm.CancelRotateSecretInput{SecretId: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}
