package secretsmanager_test

import (
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

// TestCLI runs the real AWS CLI through a secret's life.
func TestCLI(t *testing.T) {
	t.Parallel()
	env := emutest.Start(t)
	cli := clitest.New(t, env.URL)

	var created struct{ ARN, Name, VersionId string }
	cli.MustRun(t, "secretsmanager", "create-secret", "--name", "app/db", "--secret-string", "one",
		"--description", "database login", "--tags", "Key=env,Value=prod").JSON(t, &created)
	if !arnRE.MatchString(created.ARN) || created.Name != "app/db" || created.VersionId == "" {
		t.Fatalf("create-secret = %+v", created)
	}
	var described struct {
		Description        string
		VersionIdsToStages map[string][]string
		Tags               []struct{ Key, Value string }
	}
	cli.MustRun(t, "secretsmanager", "describe-secret", "--secret-id", created.ARN).JSON(t, &described)
	if described.Description != "database login" || len(described.VersionIdsToStages) != 1 || len(described.Tags) != 1 {
		t.Fatalf("describe-secret = %+v", described)
	}
	var value struct{ SecretString string }
	cli.MustRun(t, "secretsmanager", "get-secret-value", "--secret-id", "app/db").JSON(t, &value)
	if value.SecretString != "one" {
		t.Fatalf("get-secret-value = %+v", value)
	}
	var put struct{ VersionId string }
	cli.MustRun(t, "secretsmanager", "put-secret-value", "--secret-id", "app/db", "--secret-string", "two").JSON(t, &put)
	var versions struct {
		Versions []struct {
			VersionId     string
			VersionStages []string
		}
	}
	cli.MustRun(t, "secretsmanager", "list-secret-version-ids", "--secret-id", "app/db").JSON(t, &versions)
	stages := map[string]string{}
	for _, v := range versions.Versions {
		stages[v.VersionId] = strings.Join(v.VersionStages, ",")
	}
	if stages[created.VersionId] != "AWSPREVIOUS" || stages[put.VersionId] != "AWSCURRENT" {
		t.Fatalf("list-secret-version-ids = %+v", versions)
	}

	cli.MustRun(t, "secretsmanager", "create-secret", "--name", "other", "--secret-string", "x")
	var list struct{ SecretList []struct{ Name string } }
	cli.MustRun(t, "secretsmanager", "list-secrets", "--filters", "Key=name,Values=app/").JSON(t, &list)
	if len(list.SecretList) != 1 || list.SecretList[0].Name != "app/db" {
		t.Fatalf("list-secrets --filters = %+v", list)
	}

	r := cli.MustFail(t, "InvalidParameterException", "secretsmanager", "delete-secret", "--secret-id", "app/db", "--recovery-window-in-days", "3")
	if !strings.Contains(r.Stderr, "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).") {
		t.Fatalf("stderr = %s", r.Stderr)
	}
	var deleted struct{ DeletionDate string }
	cli.MustRun(t, "secretsmanager", "delete-secret", "--secret-id", "app/db").JSON(t, &deleted)
	if deleted.DeletionDate == "" {
		t.Fatal("delete-secret printed no DeletionDate")
	}
	r = cli.MustFail(t, "InvalidRequestException", "secretsmanager", "get-secret-value", "--secret-id", "app/db")
	if !strings.Contains(r.Stderr, "because it was marked for deletion") {
		t.Fatalf("stderr = %s", r.Stderr)
	}
	cli.MustRun(t, "secretsmanager", "restore-secret", "--secret-id", "app/db")
	cli.MustRun(t, "secretsmanager", "get-secret-value", "--secret-id", "app/db").JSON(t, &value)
	if value.SecretString != "two" {
		t.Fatalf("get-secret-value after restore = %+v", value)
	}
	var pw struct{ RandomPassword string }
	cli.MustRun(t, "secretsmanager", "get-random-password", "--password-length", "20", "--exclude-punctuation").JSON(t, &pw)
	if len(pw.RandomPassword) != 20 || strings.ContainsAny(pw.RandomPassword, "!#$%&*+-./:;<=>?@^_~") {
		t.Fatalf("get-random-password = %q", pw.RandomPassword)
	}
	cli.MustFail(t, "ResourceNotFoundException", "secretsmanager", "describe-secret", "--secret-id", "missing")
}

// TestCLIRotationAndKeys runs the AWS CLI's rotation commands and a KMS key
// refusal.
func TestCLIRotationAndKeys(t *testing.T) {
	t.Parallel()
	env := emutest.Start(t)
	cli := clitest.New(t, env.URL)

	r := cli.MustFail(t, "InvalidParameterException", "secretsmanager", "create-secret", "--name", "k", "--secret-string", "v", "--kms-key-id", "alias/none")
	if !strings.Contains(r.Stderr, "The operation failed because of an invalid KMS key: Alias arn:aws:kms:us-east-1:000000000000:alias/none is not found.") {
		t.Fatalf("stderr = %s", r.Stderr)
	}
	cli.MustRun(t, "secretsmanager", "create-secret", "--name", "db", "--secret-string", "v")

	r = cli.MustFail(t, "ResourceNotFoundException", "secretsmanager", "rotate-secret", "--secret-id", "db",
		"--rotation-lambda-arn", "arn:aws:lambda:us-east-1:000000000000:function:rotate",
		"--rotation-rules", `{"ScheduleExpression":"cron(0 4 ? * SUN *)","Duration":"3h"}`)
	if !strings.Contains(r.Stderr, "Lambda does not exist or could not be accessed") {
		t.Fatalf("stderr = %s", r.Stderr)
	}
	r = cli.MustFail(t, "InvalidParameterException", "secretsmanager", "rotate-secret", "--secret-id", "db",
		"--rotation-lambda-arn", "arn:aws:lambda:us-east-1:000000000000:function:rotate",
		"--rotation-rules", "AutomaticallyAfterDays=7,ScheduleExpression=rate(7 days)", "--no-rotate-immediately")
	if !strings.Contains(r.Stderr, "You cannot specify both rotation frequency and schedule expression together.") {
		t.Fatalf("stderr = %s", r.Stderr)
	}

	var described map[string]any
	cli.MustRun(t, "secretsmanager", "describe-secret", "--secret-id", "db").JSON(t, &described)
	for _, k := range []string{"RotationEnabled", "RotationLambdaARN", "RotationRules", "NextRotationDate", "LastRotatedDate"} {
		if _, ok := described[k]; ok {
			t.Errorf("describe-secret shows %s after a refused rotation: %v", k, described)
		}
	}
	var cancelled struct{ ARN, Name, VersionId string }
	cli.MustRun(t, "secretsmanager", "cancel-rotate-secret", "--secret-id", "db").JSON(t, &cancelled)
	if cancelled.Name != "db" || !arnRE.MatchString(cancelled.ARN) || cancelled.VersionId != "" {
		t.Fatalf("cancel-rotate-secret = %+v", cancelled)
	}
}
