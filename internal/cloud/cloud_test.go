package cloud_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

// TestMissingCredentialsAreExplained runs the aws backend on a machine with
// no credentials at all: Berth must start, and the failure must read as
// what it is, with the fix.
func TestMissingCredentialsAreExplained(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	b, err := cloud.New(context.Background(), cloud.Options{Region: "eu-west-1"})
	if err != nil {
		t.Fatalf("New with no credentials: %v (Berth must start and explain instead)", err)
	}
	_, err = b.Identity(context.Background())
	if err == nil {
		t.Fatal("Identity succeeded without credentials")
	}
	problem, fix := cloud.Explain(err)
	if problem != "no AWS credentials were found." || !strings.Contains(fix, "AWS_PROFILE") || !strings.Contains(fix, "--backend local") {
		t.Errorf("Explain = %q, %q", problem, fix)
	}
}

func TestIdentityFromTheEmulator(t *testing.T) {
	env := emutest.Start(t)
	b, err := cloud.New(context.Background(), cloud.Options{Endpoint: env.URL, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := b.Identity(context.Background())
	if err != nil || id.Account != "000000000000" {
		t.Fatalf("Identity = %+v, %v", id, err)
	}
	if !b.Local() || b.In("eu-west-1").Region != "eu-west-1" || b.In("eu-west-1") != b.In("eu-west-1") {
		t.Error("clients per region are not kept")
	}
}

// TestPickerSecretsNewestFirstWithPrefixAndMore: the builder's secret picker
// shows the newest secrets, can be narrowed to a prefix (a person's scope),
// and says when one page does not hold them all.
func TestPickerSecretsNewestFirstWithPrefixAndMore(t *testing.T) {
	env := emutest.Start(t)
	b, err := cloud.New(context.Background(), cloud.Options{Endpoint: env.URL, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	c := b.In("")
	ctx := context.Background()
	for i := range 101 {
		name := fmt.Sprintf("app/s-%03d", i)
		if i == 100 {
			name = "team/last"
		}
		if _, err := c.CreateSecret(ctx, cloud.NewSecret{Name: name, Value: "v", Token: fmt.Sprintf("%040d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	all, more, err := c.PickerSecrets(ctx, "")
	if err != nil || len(all) != 100 || !more || all[0].Label != "team/last" {
		t.Fatalf("all: %d choices, more %v, first %v, err %v", len(all), more, all[0], err)
	}
	team, more, err := c.PickerSecrets(ctx, "team/")
	if err != nil || len(team) != 1 || more || team[0].Label != "team/last" {
		t.Errorf("team/: %v more %v err %v", team, more, err)
	}
}
