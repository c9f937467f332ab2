// Package cloudtest prepares tests of the aws backend.
package cloudtest

import (
	"path/filepath"
	"testing"
)

// NoAWSSetup gives the test a machine without AWS credentials or settings,
// whatever the machine running it has: empty shared config and credentials
// files in a temporary folder (returned), no credentials, profile or region
// in the environment, no instance role.
func NoAWSSetup(t testing.TB) (dir string) {
	t.Helper()
	dir = t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return dir
}
