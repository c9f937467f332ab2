package cloud_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/cloud/cloudtest"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

// TestMissingCredentialsAreExplained runs the aws backend on a machine with
// no credentials at all: Berth must start, and the failure must read as
// what it is, with the fix.
func TestMissingCredentialsAreExplained(t *testing.T) {
	cloudtest.NoAWSSetup(t)
	b := cloud.New(context.Background(), cloud.Options{Region: "eu-west-1"})
	_, err := b.Identity(context.Background())
	if err == nil {
		t.Fatal("Identity succeeded without credentials")
	}
	problem, fix := cloud.Explain(err)
	if problem != "no AWS credentials were found." || !strings.Contains(fix, "AWS_PROFILE") || !strings.Contains(fix, "--backend local") {
		t.Errorf("Explain = %q, %q", problem, fix)
	}
}

// TestMissingProfileIsExplained names a profile that does not exist (as
// AWS_PROFILE does): Berth must still start, and every call must fail with
// an explanation that names the profile, where it was looked for and the fix.
func TestMissingProfileIsExplained(t *testing.T) {
	dir := cloudtest.NoAWSSetup(t)
	for _, tc := range []struct{ env, profile string }{{"doesnotexist", ""}, {"", "doesnotexist"}} { // from the environment; from --profile
		t.Setenv("AWS_PROFILE", tc.env)
		profile := tc.profile
		b := cloud.New(context.Background(), cloud.Options{Region: "eu-west-1", Profile: profile})
		if b.ConfigErr() == nil {
			t.Error("ConfigErr is nil for a missing profile")
		}
		_, err := b.Identity(context.Background())
		if err == nil {
			t.Fatal("Identity succeeded with a missing profile")
		}
		if !cloud.IsAWSCall(err) {
			t.Errorf("the kept error does not read as a failed AWS call: %v", err)
		}
		if _, err := b.In("us-west-2").ListRepositories(context.Background(), "", 10); err == nil || !cloud.IsAWSCall(err) {
			t.Errorf("a call in another region: %v", err)
		}
		problem, fix := cloud.Explain(err)
		for _, want := range []string{`"doesnotexist"`, filepath.Join(dir, "config")} {
			if !strings.Contains(problem, want) {
				t.Errorf("problem %q does not say %s", problem, want)
			}
		}
		for _, want := range []string{"aws configure --profile doesnotexist", "aws configure sso", "AWS_PROFILE", "--backend local", "AWS_CONFIG_FILE"} {
			if !strings.Contains(fix, want) {
				t.Errorf("fix %q does not say %s", fix, want)
			}
		}
	}
}

// TestBrokenConfigFileIsExplained: a shared config file the SDK cannot use
// does not stop Berth either; the explanation names the file.
func TestBrokenConfigFileIsExplained(t *testing.T) {
	dir := cloudtest.NoAWSSetup(t)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[default]\nmax_attempts = many\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := cloud.New(context.Background(), cloud.Options{Region: "eu-west-1"})
	_, err := b.Identity(context.Background())
	if err == nil || !cloud.IsAWSCall(err) {
		t.Fatalf("Identity = %v", err)
	}
	problem, fix := cloud.Explain(err)
	if !strings.Contains(problem, "max_attempts") || !strings.Contains(fix, filepath.Join(dir, "config")) || !strings.Contains(fix, "--backend local") {
		t.Errorf("Explain = %q, %q", problem, fix)
	}
}

// TestRegionPrecedence: a given region (--region, or AWS_REGION read by
// Berth's configuration) wins, then the SDK's environment, then the
// profile's region, then us-east-1; the clients use the region found.
func TestRegionPrecedence(t *testing.T) {
	dir := cloudtest.NoAWSSetup(t)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[profile team]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, region, profile, awsRegion, awsDefaultRegion, want string
	}{
		{"given", "ap-south-1", "team", "ca-central-1", "eu-north-1", "ap-south-1"},
		{"AWS_REGION", "", "team", "ca-central-1", "eu-north-1", "ca-central-1"},
		{"AWS_DEFAULT_REGION", "", "team", "", "eu-north-1", "eu-north-1"},
		{"profile", "", "team", "", "", "eu-west-1"},
		{"fallback", "", "", "", "", "us-east-1"},
		{"missing profile, AWS_DEFAULT_REGION", "", "nope", "", "eu-north-1", "eu-north-1"},
		{"missing profile, fallback", "", "nope", "", "", "us-east-1"},
	} {
		t.Setenv("AWS_REGION", c.awsRegion)
		t.Setenv("AWS_DEFAULT_REGION", c.awsDefaultRegion)
		b := cloud.New(context.Background(), cloud.Options{Region: c.region, Profile: c.profile})
		if got := b.DefaultRegion(); got != c.want || b.In("").Region != c.want || b.In("").ECR.Options().Region != c.want {
			t.Errorf("%s: region %q, clients in %q, want %q", c.name, got, b.In("").Region, c.want)
		}
	}
}

// TestLocalModeIgnoresTheMachinesAWSSetup: a profile meant for real AWS,
// even a missing one, must not stop or change local mode.
func TestLocalModeIgnoresTheMachinesAWSSetup(t *testing.T) {
	env := emutest.Start(t)
	cloudtest.NoAWSSetup(t)
	t.Setenv("AWS_PROFILE", "doesnotexist")
	t.Setenv("AWS_DEFAULT_REGION", "eu-north-1")
	b := cloud.New(context.Background(), cloud.Options{Endpoint: env.URL})
	if id, err := b.Identity(context.Background()); err != nil || id.Account != "000000000000" || b.ConfigErr() != nil {
		t.Fatalf("Identity = %+v, %v", id, err)
	}
	if b.DefaultRegion() != "us-east-1" {
		t.Errorf("local region = %q, want us-east-1", b.DefaultRegion())
	}
}

func TestIdentityFromTheEmulator(t *testing.T) {
	env := emutest.Start(t)
	b := cloud.New(context.Background(), cloud.Options{Endpoint: env.URL, Region: "us-east-1"})
	id, err := b.Identity(context.Background())
	if err != nil || id.Account != "000000000000" {
		t.Fatalf("Identity = %+v, %v", id, err)
	}
	first := b.In("eu-west-1")
	if !b.Local() || first.Region != "eu-west-1" || b.In("eu-west-1") != first {
		t.Error("clients per region are not kept")
	}
}

// TestPickerSecretsNewestFirstWithPrefixAndMore: the builder's secret picker
// shows the newest secrets, can be narrowed to a prefix (a person's scope),
// and says when one page does not hold them all.
func TestPickerSecretsNewestFirstWithPrefixAndMore(t *testing.T) {
	env := emutest.Start(t)
	b := cloud.New(context.Background(), cloud.Options{Endpoint: env.URL, Region: "us-east-1"})
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
