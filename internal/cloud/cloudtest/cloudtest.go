// Package cloudtest prepares tests of the aws backend.
package cloudtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// NoAWSSetup gives the test a machine without AWS credentials or settings,
// whatever the machine running it has: empty shared config and credentials
// files in a temporary folder (returned), no credentials, profile or region
// in the environment, no instance role.
func NoAWSSetup(t testing.TB) (dir string) {
	t.Helper()
	dir = t.TempDir()
	// Every AWS_ setting of the machine goes (endpoints and CA bundles too,
	// not only credentials, profile and region).
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
		}
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return dir
}
