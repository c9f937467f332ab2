package registry_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// podman is the podman CLI with its own image store, login file and
// settings under one temporary folder, so that the test touches nothing of
// the machine's.
type podman struct {
	bin, dir, authfile string
}

// newPodman finds podman (Debian's package, with uidmap for users other
// than root; .ci/run installs both). Without it the test is skipped, except
// in CI, where it must run.
func newPodman(t *testing.T) *podman {
	t.Helper()
	bin, err := exec.LookPath("podman")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("podman is needed for the registry's client test: apt-get install podman (.ci/run does)")
		}
		t.Skip("podman is not installed (apt-get install podman); CI runs this test")
	}
	dir := t.TempDir()
	p := &podman{bin: bin, dir: dir, authfile: filepath.Join(dir, "auth.json")}
	// Run as a user other than root, podman stores image files under the
	// user's subordinate ids, which only its own user namespace may remove;
	// this runs before TempDir's own clean-up.
	t.Cleanup(func() { p.run(t, "", "unshare", "rm", "-rf", filepath.Join(dir, "root"), filepath.Join(dir, "run")) })
	return p
}

// run runs podman with input on its standard input and returns what it
// printed, both streams together.
func (p *podman) run(t *testing.T, input string, args ...string) (string, error) {
	t.Helper()
	global := []string{"--root", filepath.Join(p.dir, "root"), "--runroot", filepath.Join(p.dir, "run"),
		"--storage-driver", "vfs", "--log-level", "error"}
	cmd := exec.Command(p.bin, append(global, args...)...)
	cmd.Env = append(os.Environ(), "REGISTRY_AUTH_FILE="+p.authfile, "XDG_RUNTIME_DIR="+p.dir, "HOME="+p.dir)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (p *podman) mustRun(t *testing.T, input string, args ...string) string {
	t.Helper()
	out, err := p.run(t, input, args...)
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// build makes a one-file image FROM scratch (nothing to download) tagged ref.
func (p *podman) build(t *testing.T, ref, content string) {
	t.Helper()
	ctx := filepath.Join(p.dir, "context-"+strings.NewReplacer("/", "_", ":", "_").Replace(ref))
	if err := os.MkdirAll(ctx, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ctx, "hello.txt"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ctx, "Containerfile"), []byte("FROM scratch\nCOPY hello.txt /\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p.mustRun(t, "", "build", "--quiet", "--tag", ref, ctx)
}

// TestPodmanPushPull is what the push commands Berth shows do, with a real
// container client other than crane: log in with the ECR password as user
// AWS, push, see the image in DescribeImages, pull it back; and ECR's
// refusals as that client reports them.
func TestPodmanPushPull(t *testing.T) {
	t.Parallel()
	p := newPodman(t)
	g := startReg(t)
	g.createRepo(t, "team/app", types.ImageTagMutabilityImmutable)
	ctx := context.Background()

	if out, err := p.run(t, "not-the-password\n", "login", "--tls-verify=false", "--username", "AWS", "--password-stdin", g.host); err == nil ||
		!strings.Contains(out, "invalid username/password") {
		t.Fatalf("login with a wrong password: %v\n%s", err, out)
	}
	p.mustRun(t, g.pass+"\n", "login", "--tls-verify=false", "--username", "AWS", "--password-stdin", g.host)

	ref := g.host + "/team/app:v1"
	p.build(t, ref, "first\n")
	for _, format := range []string{"oci", "v2s2"} {
		p.mustRun(t, "", "push", "--tls-verify=false", "--format", format, ref, g.host+"/team/app:"+format)
	}
	out, err := g.ecr.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("team/app")})
	if err != nil {
		t.Fatal(err)
	}
	media := map[string]string{}
	digests := map[string]string{}
	for _, d := range out.ImageDetails {
		for _, tag := range d.ImageTags {
			media[tag] = aws.ToString(d.ImageManifestMediaType)
			digests[tag] = aws.ToString(d.ImageDigest)
		}
		if aws.ToInt64(d.ImageSizeInBytes) <= 0 || d.ImagePushedAt == nil {
			t.Errorf("image detail without size or push time: %+v", d)
		}
	}
	if media["oci"] != "application/vnd.oci.image.manifest.v1+json" ||
		media["v2s2"] != "application/vnd.docker.distribution.manifest.v2+json" {
		t.Fatalf("pushed images' media types = %v", media)
	}

	// Pull into an empty store: the digest podman records is the one ECR lists.
	p.mustRun(t, "", "rmi", "--all", "--force")
	p.mustRun(t, "", "pull", "--quiet", "--tls-verify=false", g.host+"/team/app:oci")
	if got := strings.TrimSpace(p.mustRun(t, "", "image", "inspect", "--format", "{{.Digest}}", g.host+"/team/app:oci")); got != digests["oci"] {
		t.Errorf("pulled digest %s, ECR lists %s", got, digests["oci"])
	}

	// The repository is immutable: another image under a pushed tag is refused.
	p.build(t, g.host+"/team/app:other", "second\n")
	if out, err := p.run(t, "", "push", "--tls-verify=false", g.host+"/team/app:other", g.host+"/team/app:oci"); err == nil ||
		!strings.Contains(out, "The image tag 'oci' already exists in the 'team/app' repository and cannot be overwritten because the repository is immutable.") {
		t.Errorf("push over an immutable tag: %v\n%s", err, out)
	}
	// A repository that does not exist is not made by a push, as in ECR.
	if out, err := p.run(t, "", "push", "--tls-verify=false", g.host+"/team/app:other", g.host+"/missing/app:v1"); err == nil ||
		!strings.Contains(out, "The repository with name 'missing/app' does not exist in the registry with id '000000000000'") {
		t.Errorf("push to a missing repository: %v\n%s", err, out)
	}
}
