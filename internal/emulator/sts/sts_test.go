package sts_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

func TestGetCallerIdentity(t *testing.T) {
	env := emutest.Start(t)
	out, err := sts.NewFromConfig(env.Config).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Account); got != "000000000000" {
		t.Errorf("Account = %q, want 000000000000", got)
	}
	if got := aws.ToString(out.Arn); got != "arn:aws:iam::000000000000:root" {
		t.Errorf("Arn = %q", got)
	}
}

func TestCLIGetCallerIdentity(t *testing.T) {
	env := emutest.Start(t)
	var out struct{ Account, Arn string }
	cli := clitest.New(t, env.URL)
	cli.MustRun(t, "sts", "get-caller-identity").JSON(t, &out)
	if out.Account != "000000000000" || out.Arn != "arn:aws:iam::000000000000:root" {
		t.Errorf("get-caller-identity = %+v", out)
	}
	// A call the CLI does not sign is refused, in both protocols.
	cli.MustFail(t, "MissingAuthenticationToken", "sts", "get-caller-identity", "--no-sign-request")
	cli.MustFail(t, "MissingAuthenticationToken", "ecs", "list-clusters", "--no-sign-request")
}
