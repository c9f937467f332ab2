// Package clitest runs the real AWS CLI against an emulator for conformance
// tests: what a person types with --endpoint-url must get AWS's answers.
package clitest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Binary is the AWS CLI the tests run: Debian's package when installed
// (what .ci/run installs), else the first aws on PATH.
func Binary(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		return "/usr/bin/aws"
	}
	p, err := exec.LookPath("aws")
	if err != nil {
		t.Fatal("the AWS CLI is needed for conformance tests: apt-get install awscli (.ci/run does)")
	}
	return p
}

// Result is one CLI invocation's outcome.
type Result struct {
	Stdout, Stderr string
	ExitCode       int
}

// JSON decodes stdout into v, failing the test when it is not JSON.
func (r Result) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Stdout), v); err != nil {
		t.Fatalf("aws output is not JSON: %v\n%s", err, r.Stdout)
	}
}

// CLI runs the AWS CLI against one endpoint with throwaway credentials.
type CLI struct {
	Endpoint string
	Region   string
	// Env adds environment variables, after the throwaway credentials so
	// they can replace them (temporary credentials from sts assume-role).
	Env  []string
	bin  string
	home string
}

// New returns a CLI for the emulator at endpoint (for example an httptest URL).
func New(t testing.TB, endpoint string) *CLI {
	t.Helper()
	return &CLI{Endpoint: endpoint, Region: "us-east-1", bin: Binary(t), home: t.TempDir()}
}

// Run runs `aws <args> --endpoint-url … --output json` and returns what it printed.
func (c *CLI) Run(t testing.TB, args ...string) Result {
	t.Helper()
	full := append(append([]string{}, args...), "--endpoint-url", c.Endpoint, "--output", "json", "--region", c.Region)
	cmd := exec.Command(c.bin, full...)
	cmd.Env = append(WithoutAWS(os.Environ()),
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_CONFIG_FILE="+c.home+"/config", "AWS_SHARED_CREDENTIALS_FILE="+c.home+"/credentials",
		"AWS_PAGER=", "HOME="+c.home,
	)
	cmd.Env = append(cmd.Env, c.Env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := Result{Stdout: out.String(), Stderr: errb.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
		}
		res.ExitCode = ee.ExitCode()
	}
	return res
}

// MustRun is Run that fails the test on a non-zero exit.
func (c *CLI) MustRun(t testing.TB, args ...string) Result {
	t.Helper()
	r := c.Run(t, args...)
	if r.ExitCode != 0 {
		t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), r.ExitCode, r.Stderr)
	}
	return r
}

// MustFail runs the CLI, expects a failure, and checks that stderr names the
// AWS error code (the CLI prints "An error occurred (Code) when calling …").
func (c *CLI) MustFail(t testing.TB, code string, args ...string) Result {
	t.Helper()
	r := c.Run(t, args...)
	if r.ExitCode == 0 {
		t.Fatalf("aws %s: succeeded, want error %s\n%s", strings.Join(args, " "), code, r.Stdout)
	}
	if !strings.Contains(r.Stderr, "("+code+")") {
		t.Fatalf("aws %s: stderr does not name %s:\n%s", strings.Join(args, " "), code, r.Stderr)
	}
	return r
}

// WithoutAWS drops the caller's AWS_* settings so that no profile or real
// credential of the machine reaches the CLI under test.
func WithoutAWS(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	return out
}
