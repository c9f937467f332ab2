package config

import (
	"io"
	"strings"
	"testing"
)

func TestPrecedenceFlagOverEnvOverDefault(t *testing.T) {
	env := map[string]string{"BERTH_ADDR": "0.0.0.0:9000", "BERTH_BACKEND": "aws", "BERTH_REGIONS": "eu-west-1, us-west-2"}
	c, err := Parse("t", nil, []string{"--backend", "local"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" || c.Backend != "local" || c.DataDir != "./data" || c.Region != "us-east-1" {
		t.Errorf("config = %+v", c)
	}
	if strings.Join(c.Regions, ",") != "us-east-1,eu-west-1,us-west-2" {
		t.Errorf("regions = %v (the default region joins the switcher)", c.Regions)
	}
}

// TestRegionDefault: the aws backend leaves the region to the SDK (the
// backend says which it found, through UseRegion); local mode keeps
// us-east-1; a given region wins, the flag over AWS_REGION.
func TestRegionDefault(t *testing.T) {
	env := map[string]string{"BERTH_BACKEND": "aws", "BERTH_REGIONS": "us-west-2"}
	getenv := func(k string) string { return env[k] }
	c, err := Parse("t", nil, nil, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Region != "" || strings.Join(c.Regions, ",") != "us-west-2" {
		t.Errorf("aws backend without a region: region %q, regions %v", c.Region, c.Regions)
	}
	c.UseRegion("eu-west-1") // the profile's region
	if c.Region != "eu-west-1" || strings.Join(c.Regions, ",") != "eu-west-1,us-west-2" {
		t.Errorf("after UseRegion: region %q, regions %v (the effective region joins the switcher)", c.Region, c.Regions)
	}
	env["AWS_REGION"] = "ca-central-1"
	if c, _ := Parse("t", nil, nil, getenv, io.Discard); c.Region != "ca-central-1" {
		t.Errorf("AWS_REGION: %q", c.Region)
	}
	if c, _ := Parse("t", nil, []string{"--region", "ap-south-1"}, getenv, io.Discard); c.Region != "ap-south-1" || strings.Join(c.Regions, ",") != "ap-south-1,us-west-2" {
		t.Errorf("--region over AWS_REGION: %q %v", c.Region, c.Regions)
	}
	env["BERTH_BACKEND"], env["AWS_REGION"] = "local", ""
	if c, _ := Parse("t", nil, nil, getenv, io.Discard); c.Region != "us-east-1" {
		t.Errorf("local backend: %q", c.Region)
	}
}

func TestInvalidValuesAreNamed(t *testing.T) {
	for _, args := range [][]string{
		{"--backend", "gcp"}, {"--log-format", "xml"}, {"--base-url", "ftp://x"}, {"--account-id", "12"}, {"extra"},
	} {
		if _, err := Parse("t", nil, args, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestSecureCookiesFollowBaseURL(t *testing.T) {
	c, _ := Parse("t", nil, []string{"--base-url", "https://berth.example.com"}, func(string) string { return "" }, io.Discard)
	if !c.SecureCookies() {
		t.Error("https base URL should make cookies Secure")
	}
}

func TestAssumeRole(t *testing.T) {
	env := map[string]string{"BERTH_ASSUME_ROLE_ARN": "arn:aws:iam::123456789012:role/team/berth-operator", "BERTH_ASSUME_ROLE_EXTERNAL_ID": "berth-123"}
	c, err := Parse("t", nil, nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.AssumeRoleARN != env["BERTH_ASSUME_ROLE_ARN"] || c.ExternalID != "berth-123" {
		t.Errorf("config = %+v", c)
	}
	for _, args := range [][]string{
		{"--assume-role-arn", "berth-operator"},
		{"--assume-role-arn", "arn:aws:iam::123456789012:user/ana"},
		{"--assume-role-external-id", "berth-123"},
		{"--assume-role-arn", "arn:aws:iam::123456789012:role/x", "--assume-role-external-id", "has space"},
	} {
		if _, err := Parse("t", nil, args, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestEmulatorCommandAddr(t *testing.T) {
	env := map[string]string{"BERTH_EMULATOR_ADDR": "127.0.0.1:5000", "BERTH_DATA_DIR": "/tmp/d", "BERTH_ACCOUNT_ID": "111122223333"}
	getenv := func(k string) string { return env[k] }
	c, err := ParseEmulator(nil, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.EmulatorAddr != "127.0.0.1:5000" || c.DataDir != "/tmp/d" || c.AccountID != "111122223333" {
		t.Errorf("from the environment: %+v", c)
	}
	c, err = ParseEmulator([]string{"--addr", "127.0.0.1:4567"}, getenv, io.Discard)
	if err != nil || c.EmulatorAddr != "127.0.0.1:4567" {
		t.Errorf("--addr: %+v, %v", c, err)
	}
	if _, err := ParseEmulator([]string{"--backend", "aws"}, getenv, io.Discard); err == nil {
		t.Error("berth emulator accepted a serve-only flag")
	}
}
