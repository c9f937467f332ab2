package cloud_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

func secretsClients(t *testing.T) *cloud.Clients {
	t.Helper()
	emu := emutest.Start(t)
	b := cloud.New(context.Background(), cloud.Options{Endpoint: emu.URL, Region: "us-east-1"})
	return b.In("")
}

const tokenA = "berth-test-token-aaaaaaaaaaaaaaaaaaaaaaaa"

func TestSecretLifecycle(t *testing.T) {
	c := secretsClients(t)
	ctx := context.Background()
	in := cloud.NewSecret{Name: "production/RegistryCredentials", Description: "registry", Value: `{"username":"AWS","password":"p"}`,
		Tags: []cloud.SecretTag{{Key: "team", Value: "web"}}, Token: tokenA}
	ref, err := c.CreateSecret(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ref.ARN, "arn:aws:secretsmanager:us-east-1:000000000000:secret:production/RegistryCredentials-") {
		t.Errorf("ARN = %q", ref.ARN)
	}
	// The same token and value again: the same secret, no error.
	again, err := c.CreateSecret(ctx, in)
	if err != nil || again.ARN != ref.ARN {
		t.Fatalf("retry = %+v, %v", again, err)
	}
	// Another token: the name is taken.
	in.Token = strings.Repeat("b", 40)
	if _, err := c.CreateSecret(ctx, in); !errors.Is(err, cloud.ErrSecretExists) {
		t.Fatalf("second create err = %v, want ErrSecretExists", err)
	}
	if _, err := c.DescribeSecret(ctx, "no/such/secret"); !errors.Is(err, cloud.ErrSecretNotFound) {
		t.Fatalf("describe missing = %v", err)
	}

	v, err := c.GetSecretValue(ctx, ref.Name)
	if err != nil || v.String != `{"username":"AWS","password":"p"}` || v.VersionID != tokenA {
		t.Fatalf("value = %+v, %v", v, err)
	}
	tok := strings.Repeat("c", 36)
	if _, _, err := c.PutSecretValue(ctx, ref.ARN, "second", tok); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.PutSecretValue(ctx, ref.ARN, "second", tok); err != nil {
		t.Fatalf("idempotent put: %v", err)
	}
	d, err := c.DescribeSecret(ctx, ref.ARN)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Versions) != 2 || d.Versions[0].ID != tok || d.Versions[0].Stages[0] != "AWSCURRENT" || d.Versions[1].Stages[0] != "AWSPREVIOUS" {
		t.Errorf("versions = %+v", d.Versions)
	}
	if d.Description != "registry" || len(d.Tags) != 1 || d.Tags[0] != (cloud.SecretTag{Key: "team", Value: "web"}) {
		t.Errorf("detail = %+v", d)
	}

	desc := "changed"
	if err := c.UpdateSecret(ctx, ref.ARN, cloud.SecretUpdate{Description: &desc}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetSecretTags(ctx, ref.ARN, d.Tags, []cloud.SecretTag{{Key: "env", Value: "prod"}}); err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeSecret(ctx, ref.ARN)
	if d.Description != "changed" || len(d.Tags) != 1 || d.Tags[0].Key != "env" {
		t.Errorf("after update = %+v", d)
	}

	when, err := c.DeleteSecret(ctx, ref.ARN, 7, false)
	if err != nil {
		t.Fatal(err)
	}
	if days := time.Until(when).Hours() / 24; days < 6.9 || days > 7.1 {
		t.Errorf("deletion in %.1f days", days)
	}
	if _, err := c.GetSecretValue(ctx, ref.ARN); !errors.Is(err, cloud.ErrSecretScheduledForDeletion) {
		t.Errorf("read deleted = %v", err)
	}
	if _, err := c.RestoreSecret(ctx, ref.ARN); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSecretValue(ctx, ref.ARN); err != nil {
		t.Errorf("read restored = %v", err)
	}
	if _, err := c.DeleteSecret(ctx, ref.ARN, 0, true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeSecret(ctx, ref.ARN); !errors.Is(err, cloud.ErrSecretNotFound) {
		t.Errorf("after force delete = %v", err)
	}
}

func TestSecretHelpers(t *testing.T) {
	c := secretsClients(t)
	ctx := context.Background()
	pw, err := c.RandomPassword(ctx, cloud.PasswordOptions{Length: 20, ExcludePunctuation: true, RequireEachIncludedType: true})
	if err != nil || len(pw) != 20 || strings.ContainsAny(pw, "!#$%&*") {
		t.Errorf("password %q, %v", pw, err)
	}
	keys, more, err := c.KMSKeyChoices(ctx)
	if err != nil || more {
		t.Fatalf("kms = %v %v", more, err)
	}
	for _, k := range keys {
		if strings.HasPrefix(k.Alias, "alias/aws/") {
			t.Errorf("AWS managed alias offered: %+v", k)
		}
	}
	ref, err := c.CreateSecret(ctx, cloud.NewSecret{Name: "rot", Value: "x", Token: tokenA})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PutSecretPolicy(ctx, ref.ARN, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`); !errors.Is(err, cloud.ErrSecretPolicy) {
		t.Errorf("public policy = %v, want ErrSecretPolicy", err)
	}
	err = c.RotateSecret(ctx, ref.ARN, cloud.Rotation{LambdaARN: "arn:aws:lambda:us-east-1:000000000000:function:rot", AfterDays: 30}, strings.Repeat("r", 40))
	// The emulator has no Lambda: like AWS for a missing function, it refuses.
	if !errors.Is(err, cloud.ErrSecretRotationFunction) {
		t.Errorf("rotate = %v, want ErrSecretRotationFunction", err)
	}
}
