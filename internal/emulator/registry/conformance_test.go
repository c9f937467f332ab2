package registry_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/berthhq/berth/internal/emulator/emutest"
)

// conformancePkg is the OCI distribution-spec conformance suite, pinned by
// the tool line in go.mod so `go test -c` builds it from the module cache.
const conformancePkg = "github.com/opencontainers/distribution-spec/conformance"

// TestOCIConformance builds the OCI distribution-spec conformance suite and
// runs all of it (pull, push, content discovery, content management) against
// a running `berth emulator`, logged in as `docker login --username AWS`
// would be.
func TestOCIConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the OCI conformance suite")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "conformance.test")
	build := exec.Command("go", "test", "-c", "-o", bin, conformancePkg)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c %s: %v\n%s", conformancePkg, err, out)
	}

	g := regFor(t, emutest.StartBinary(t, emutest.FreeAddr(t), t.TempDir()).Env)
	g.createRepo(t, "conformance/repo1", types.ImageTagMutabilityMutable)
	g.createRepo(t, "conformance/repo2", types.ImageTagMutabilityMutable)

	results := filepath.Join(dir, "results")
	run := exec.Command(bin, "-test.v", "-test.timeout", "5m")
	run.Dir = dir
	run.Env = append(os.Environ(),
		"OCI_REGISTRY="+g.host,
		"OCI_TLS=disabled",
		"OCI_VERSION=1.1",
		"OCI_REPO1=conformance/repo1",
		"OCI_REPO2=conformance/repo2",
		"OCI_USERNAME=AWS",
		"OCI_PASSWORD="+g.pass,
		"OCI_RESULTS_DIR="+results,
		"OCI_LOG=warn",
		// Pull, push, content discovery and content management.
		"OCI_API_PULL=true",
		"OCI_API_PUSH=true",
		"OCI_API_TAGS_LIST=true",
		"OCI_API_REFERRER=true",
		"OCI_API_TAGS_DELETE=true",
		"OCI_API_MANIFESTS_DELETE=true",
		"OCI_API_BLOBS_DELETE=true",
		"OCI_API_BLOBS_UPLOAD_CANCEL=true",
		// Beyond 1.1's defaults: what the spec's next version tests.
		"OCI_API_BLOBS_DIGEST_HEADER=true",
		"OCI_API_MANIFESTS_DIGEST_HEADER=true",
		"OCI_API_MANIFESTS_TAG_PARAM=true",
	)
	out, err := run.CombinedOutput()
	if err != nil {
		t.Errorf("conformance suite failed: %v", err)
	}
	if err != nil || testing.Verbose() {
		t.Logf("%s", out)
		if y, rerr := os.ReadFile(filepath.Join(results, "results.yaml")); rerr == nil && err != nil {
			t.Logf("results.yaml:\n%s", y)
		}
	}
}
