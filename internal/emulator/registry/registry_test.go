package registry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	ggtypes "github.com/google/go-containerregistry/pkg/v1/types"

	ecremu "github.com/berthhq/berth/internal/emulator/ecr"
	"github.com/berthhq/berth/internal/emulator/emutest"
	"github.com/berthhq/berth/internal/emulator/state"
)

// ociCode returns the first OCI error code and message of a registry error.
func ociCode(t *testing.T, err error) (code, message string, status int) {
	t.Helper()
	var te *transport.Error
	if !errors.As(err, &te) {
		t.Fatalf("want a registry error, got %v", err)
	}
	if len(te.Errors) == 0 {
		return "", "", te.StatusCode
	}
	return string(te.Errors[0].Code), te.Errors[0].Message, te.StatusCode
}

func describe(t *testing.T, g *reg, repo string, ids ...types.ImageIdentifier) []types.ImageDetail {
	t.Helper()
	out, err := g.ecr.DescribeImages(context.Background(), &ecr.DescribeImagesInput{RepositoryName: aws.String(repo), ImageIds: ids})
	if err != nil {
		t.Fatal(err)
	}
	return out.ImageDetails
}

// TestPushPullImage pushes a random image with crane's library, pulls it
// back byte for byte, and finds it in ECR's DescribeImages and ListImages.
func TestPushPullImage(t *testing.T) {
	t.Parallel()
	g := startReg(t)
	g.createRepo(t, "team/app", types.ImageTagMutabilityMutable)
	img, err := random.Image(4096, 3)
	if err != nil {
		t.Fatal(err)
	}
	ref := g.ref(t, "team/app:v1")
	if err := remote.Write(ref, img, g.opts()...); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()

	got, err := remote.Image(ref, g.opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := got.Digest(); d != want {
		t.Fatalf("pulled digest %s, pushed %s", d, want)
	}
	wantLayers, _ := img.Layers()
	gotLayers, err := got.Layers()
	if err != nil || len(gotLayers) != len(wantLayers) {
		t.Fatalf("layers: %v %d", err, len(gotLayers))
	}
	var layerSize int64
	for i, l := range gotLayers {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		wrc, _ := wantLayers[i].Compressed()
		wb, _ := io.ReadAll(wrc)
		wrc.Close()
		if !bytes.Equal(b, wb) {
			t.Fatalf("layer %d differs after the round trip", i)
		}
		layerSize += int64(len(wb))
	}
	if _, err := remote.Head(g.ref(t, "team/app@"+want.String()), g.opts()...); err != nil {
		t.Fatalf("HEAD by digest: %v", err)
	}

	details := describe(t, g, "team/app")
	if len(details) != 1 {
		t.Fatalf("DescribeImages: %d images", len(details))
	}
	d := details[0]
	if aws.ToString(d.ImageDigest) != want.String() || !slices.Equal(d.ImageTags, []string{"v1"}) {
		t.Errorf("DescribeImages: digest %s tags %v", aws.ToString(d.ImageDigest), d.ImageTags)
	}
	// ECR reports the sum of the compressed layers.
	if aws.ToInt64(d.ImageSizeInBytes) != layerSize {
		t.Errorf("imageSizeInBytes %d, want %d", aws.ToInt64(d.ImageSizeInBytes), layerSize)
	}
	if aws.ToString(d.ImageManifestMediaType) != string(ggtypes.DockerManifestSchema2) ||
		aws.ToString(d.ArtifactMediaType) != string(ggtypes.DockerConfigJSON) {
		t.Errorf("media types %q %q", aws.ToString(d.ImageManifestMediaType), aws.ToString(d.ArtifactMediaType))
	}
	if d.ImagePushedAt == nil || time.Since(*d.ImagePushedAt) > time.Minute {
		t.Errorf("imagePushedAt %v", d.ImagePushedAt)
	}
	// The GET above was a pull.
	if d.LastRecordedPullTime == nil {
		t.Error("lastRecordedPullTime not set by a pull")
	}
	list, err := g.ecr.ListImages(context.Background(), &ecr.ListImagesInput{RepositoryName: aws.String("team/app")})
	if err != nil || len(list.ImageIds) != 1 || aws.ToString(list.ImageIds[0].ImageTag) != "v1" {
		t.Fatalf("ListImages: %v %+v", err, list)
	}
}

// TestPushPullIndex pushes a multi-platform index; its children are stored
// as untagged images and the index reports the largest child's size.
func TestPushPullIndex(t *testing.T) {
	t.Parallel()
	g := startReg(t)
	g.createRepo(t, "multi", types.ImageTagMutabilityMutable)
	idx, err := random.Index(2048, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	ref := g.ref(t, "multi:latest")
	if err := remote.WriteIndex(ref, idx, g.opts()...); err != nil {
		t.Fatal(err)
	}
	want, _ := idx.Digest()
	got, err := remote.Index(ref, g.opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := got.Digest(); d != want {
		t.Fatalf("index digest %s, pushed %s", d, want)
	}
	im, _ := got.IndexManifest()
	var largest int64
	for _, m := range im.Manifests {
		child, err := got.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		layers, err := child.Layers()
		if err != nil {
			t.Fatal(err)
		}
		var size int64
		for _, l := range layers {
			s, _ := l.Size()
			size += s
			// Pull the blob itself, not only its descriptor.
			rc, err := l.Compressed()
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, rc)
			rc.Close()
		}
		largest = max(largest, size)
	}
	details := describe(t, g, "multi", types.ImageIdentifier{ImageTag: aws.String("latest")})
	if aws.ToString(details[0].ImageManifestMediaType) != string(ggtypes.OCIImageIndex) || aws.ToInt64(details[0].ImageSizeInBytes) != largest {
		t.Errorf("index detail: %s size %d, want size %d", aws.ToString(details[0].ImageManifestMediaType), aws.ToInt64(details[0].ImageSizeInBytes), largest)
	}
	if n := len(describe(t, g, "multi")); n != 4 {
		t.Errorf("DescribeImages: %d images, want the index and its 3 children", n)
	}
}

// TestAuth checks ECR's login: docker's first GET /v2/ gets the Basic
// challenge; a wrong or expired password is refused.
func TestAuth(t *testing.T) {
	t.Parallel()
	g := startReg(t)
	get := func(user, pass string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, g.env.URL+"/v2/", nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := get("", "")
	if resp.StatusCode != 401 || resp.Header.Get("Www-Authenticate") != `Basic realm="http://`+g.host+`/",service="ecr.amazonaws.com"` {
		t.Fatalf("anonymous: %d %q", resp.StatusCode, resp.Header.Get("Www-Authenticate"))
	}
	if !strings.Contains(body, `"code":"UNAUTHORIZED"`) || resp.Header.Get("Docker-Distribution-Api-Version") != "registry/2.0" {
		t.Errorf("anonymous body %s", body)
	}
	if resp, body := get("AWS", g.pass); resp.StatusCode != 200 || body != "{}" {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get("AWS", g.pass+"x"); resp.StatusCode != 401 {
		t.Errorf("wrong password: %d", resp.StatusCode)
	}
	if resp, _ := get("admin", g.pass); resp.StatusCode != 401 {
		t.Errorf("wrong user: %d", resp.StatusCode)
	}
	// An expired password signed with the emulator's own key.
	db, err := state.Open(filepath.Join(g.env.DataDir, "emulator", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	auth, err := ecremu.NewAuth(db)
	if err != nil {
		t.Fatal(err)
	}
	expired := auth.Password("000000000000", "us-east-1", time.Now().Add(-time.Minute))
	resp, body = get("AWS", expired)
	if resp.StatusCode != 401 || !strings.Contains(body, `"code":"DENIED"`) || !strings.Contains(body, "Your authorization token has expired. Reauthenticate and try again.") {
		t.Errorf("expired: %d %s", resp.StatusCode, body)
	}
	// crane with the wrong password.
	g.createRepo(t, "locked", types.ImageTagMutabilityMutable)
	_, err = remote.Image(g.ref(t, "locked:v1"), remote.WithAuth(&authn.Basic{Username: "AWS", Password: "nope"}))
	if _, _, status := ociCode(t, err); status != 401 {
		t.Errorf("crane with a bad password: %v", err)
	}
}

// TestRepositoryMustExist: ECR does not create repositories on push.
func TestRepositoryMustExist(t *testing.T) {
	t.Parallel()
	g := startReg(t)
	img, _ := random.Image(100, 1)
	err := remote.Write(g.ref(t, "nope/app:v1"), img, g.opts()...)
	code, msg, status := ociCode(t, err)
	if code != "NAME_UNKNOWN" || status != 404 || msg != "The repository with name 'nope/app' does not exist in the registry with id '000000000000'" {
		t.Errorf("push to a missing repository: %s %d %q", code, status, msg)
	}
}

// TestImmutability: an IMMUTABLE repository refuses to move a tag, with
// ECR's message, and a tag pushed there stays on its first image.
func TestImmutability(t *testing.T) {
	t.Parallel()
	g := startReg(t)
	g.createRepo(t, "frozen", types.ImageTagMutabilityImmutable)
	first, _ := random.Image(100, 1)
	second, _ := random.Image(100, 1)
	if err := remote.Write(g.ref(t, "frozen:v1"), first, g.opts()...); err != nil {
		t.Fatal(err)
	}
	err := remote.Write(g.ref(t, "frozen:v1"), second, g.opts()...)
	code, msg, status := ociCode(t, err)
	if code != "TAG_INVALID" || status != 400 || msg != "The image tag 'v1' already exists in the 'frozen' repository and cannot be overwritten because the repository is immutable." {
		t.Errorf("moving an immutable tag: %s %d %q", code, status, msg)
	}
	d, err := remote.Head(g.ref(t, "frozen:v1"), g.opts()...)
	if want, _ := first.Digest(); err != nil || d.Digest != want {
		t.Errorf("v1 moved: %v %v", d, err)
	}
	if err := remote.Write(g.ref(t, "frozen:v2"), second, g.opts()...); err != nil {
		t.Errorf("a new tag: %v", err)
	}
	// A mutable repository moves the tag; the old image stays, untagged.
	g.createRepo(t, "fluid", types.ImageTagMutabilityMutable)
	for _, img := range []v1.Image{first, second} {
		if err := remote.Write(g.ref(t, "fluid:v1"), img, g.opts()...); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(describe(t, g, "fluid")); n != 2 {
		t.Errorf("fluid: %d images", n)
	}
}

// TestDeletion: BatchDeleteImage removes what a pull then cannot find;
// DELETE /v2/ by digest removes the image from DescribeImages; DELETE by
// tag untags and keeps the manifest.
func TestDeletion(t *testing.T) {
	t.Parallel()
	g := startReg(t)
	g.createRepo(t, "gone", types.ImageTagMutabilityMutable)
	a, _ := random.Image(100, 1)
	b, _ := random.Image(100, 1)
	c, _ := random.Image(100, 1)
	for tag, img := range map[string]v1.Image{"a": a, "b": b, "c": c} {
		if err := remote.Write(g.ref(t, "gone:"+tag), img, g.opts()...); err != nil {
			t.Fatal(err)
		}
	}
	da, _ := a.Digest()
	out, err := g.ecr.BatchDeleteImage(context.Background(), &ecr.BatchDeleteImageInput{
		RepositoryName: aws.String("gone"), ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("a")}},
	})
	if err != nil || len(out.Failures) != 0 {
		t.Fatal(err, out.Failures)
	}
	for _, ref := range []string{"gone:a", "gone@" + da.String()} {
		_, err := remote.Image(g.ref(t, ref), g.opts()...)
		if code, msg, status := ociCode(t, err); code != "MANIFEST_UNKNOWN" || status != 404 || msg != "Requested image not found" {
			t.Errorf("pull %s after BatchDeleteImage: %s %d %q", ref, code, status, msg)
		}
	}

	db, _ := b.Digest()
	if err := remote.Delete(g.ref(t, "gone@"+db.String()), g.opts()...); err != nil {
		t.Fatal(err)
	}
	_, err = g.ecr.DescribeImages(context.Background(), &ecr.DescribeImagesInput{
		RepositoryName: aws.String("gone"), ImageIds: []types.ImageIdentifier{{ImageDigest: aws.String(db.String())}},
	})
	var nf *types.ImageNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("DescribeImages after DELETE: %v", err)
	}

	dc, _ := c.Digest()
	if err := remote.Delete(g.ref(t, "gone:c"), g.opts()...); err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Image(g.ref(t, "gone:c"), g.opts()...); err == nil {
		t.Error("tag c still resolves")
	}
	if _, err := remote.Image(g.ref(t, "gone@"+dc.String()), g.opts()...); err != nil {
		t.Errorf("untagged manifest no longer pullable: %v", err)
	}
	if d := describe(t, g, "gone"); len(d) != 1 || len(d[0].ImageTags) != 0 {
		t.Errorf("after untag: %+v", d)
	}
}

// TestMissingLayers: like ECR, a manifest is refused when the repository
// does not hold its layers.
func TestMissingLayers(t *testing.T) {
	t.Parallel()
	g := startReg(t)
	g.createRepo(t, "partial", types.ImageTagMutabilityMutable)
	img, _ := random.Image(100, 2)
	err := remote.Put(g.ref(t, "partial:v1"), img, g.opts()...)
	if code, _, status := ociCode(t, err); code != "MANIFEST_BLOB_UNKNOWN" || status != 400 {
		t.Errorf("manifest without its blobs: %s %d", code, status)
	}
	if n := len(describe(t, g, "partial")); n != 0 {
		t.Errorf("%d images stored", n)
	}
}

// TestTagsAndReferrers pages the tag list with n and last, and finds an
// artifact that names an image as its subject.
func TestTagsAndReferrers(t *testing.T) {
	t.Parallel()
	g := startReg(t)
	g.createRepo(t, "paged", types.ImageTagMutabilityMutable)
	img, _ := random.Image(100, 1)
	tags := []string{"a", "b", "c", "d", "e"}
	for _, tag := range tags {
		if err := remote.Write(g.ref(t, "paged:"+tag), img, g.opts()...); err != nil {
			t.Fatal(err)
		}
	}
	repo, _ := name.NewRepository(g.host+"/paged", name.Insecure)
	got, err := remote.List(repo, append(g.opts(), remote.WithPageSize(2))...)
	if err != nil || !slices.Equal(got, tags) {
		t.Fatalf("List with pages of 2: %v %v", got, err)
	}
	req, _ := http.NewRequest(http.MethodGet, g.env.URL+"/v2/paged/tags/list?n=2&last=b", nil)
	req.SetBasicAuth("AWS", g.pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if page.Name != "paged" || !slices.Equal(page.Tags, []string{"c", "d"}) || resp.Header.Get("Link") != `</v2/paged/tags/list?last=d&n=2>; rel="next"` {
		t.Errorf("page after b: %+v Link %q", page, resp.Header.Get("Link"))
	}

	subject, _ := img.Digest()
	size, _ := img.Size()
	mt, _ := img.MediaType()
	sig := mutate.ConfigMediaType(mutate.MediaType(empty.Image, ggtypes.OCIManifestSchema1), "application/vnd.example.sig")
	sig = mutate.Subject(sig, v1.Descriptor{MediaType: mt, Digest: subject, Size: size}).(v1.Image)
	if err := remote.Write(g.ref(t, "paged:sig"), sig, g.opts()...); err != nil {
		t.Fatal(err)
	}
	sigDigest, _ := sig.Digest()
	subj, _ := name.NewDigest(g.host+"/paged@"+subject.String(), name.Insecure)
	idx, err := remote.Referrers(subj, g.opts()...)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	if len(im.Manifests) != 1 || im.Manifests[0].Digest != sigDigest || im.Manifests[0].ArtifactType != "application/vnd.example.sig" {
		t.Fatalf("referrers: %+v", im.Manifests)
	}
	idx, err = remote.Referrers(subj, append(g.opts(), remote.WithFilter("artifactType", "application/other"))...)
	if err != nil {
		t.Fatal(err)
	}
	if im, _ := idx.IndexManifest(); len(im.Manifests) != 0 {
		t.Errorf("filtered referrers: %+v", im.Manifests)
	}
	d := describe(t, g, "paged", types.ImageIdentifier{ImageTag: aws.String("sig")})
	if aws.ToString(d[0].SubjectManifestDigest) != subject.String() || aws.ToString(d[0].ArtifactMediaType) != "application/vnd.example.sig" {
		t.Errorf("DescribeImages of the artifact: %+v", d[0])
	}
}

// TestCrossRepositoryMount: a layer pushed to one repository is mounted,
// not uploaded again, into another of the same registry.
func TestCrossRepositoryMount(t *testing.T) {
	t.Parallel()
	g := startReg(t)
	g.createRepo(t, "base", types.ImageTagMutabilityMutable)
	g.createRepo(t, "derived", types.ImageTagMutabilityMutable)
	img, _ := random.Image(1000, 1)
	if err := remote.Write(g.ref(t, "base:v1"), img, g.opts()...); err != nil {
		t.Fatal(err)
	}
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	do := func(method, path string) *http.Response {
		req, _ := http.NewRequest(method, g.env.URL+path, nil)
		req.SetBasicAuth("AWS", g.pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := do(http.MethodHead, "/v2/derived/blobs/"+ld.String()); resp.StatusCode != 404 {
		t.Fatalf("blob visible before the mount: %d", resp.StatusCode)
	}
	resp := do(http.MethodPost, "/v2/derived/blobs/uploads/?mount="+ld.String()+"&from=base")
	if resp.StatusCode != 201 || resp.Header.Get("Location") != "/v2/derived/blobs/"+ld.String() {
		t.Fatalf("mount: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := do(http.MethodHead, "/v2/derived/blobs/"+ld.String()); resp.StatusCode != 200 {
		t.Fatalf("blob after the mount: %d", resp.StatusCode)
	}
	// From a repository that does not hold it, the mount falls back to an upload.
	resp = do(http.MethodPost, "/v2/base/blobs/uploads/?mount=sha256:"+strings.Repeat("0", 64)+"&from=derived")
	if resp.StatusCode != 202 || !strings.HasPrefix(resp.Header.Get("Location"), "/v2/base/blobs/uploads/") {
		t.Errorf("mount of an unknown blob: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestRestart: what was pushed is pullable after the emulator restarts,
// content intact.
func TestRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := emutest.StartAt(t, dir)
	g := regFor(t, env)
	g.createRepo(t, "kept", types.ImageTagMutabilityMutable)
	img, _ := random.Image(50000, 2)
	if err := remote.Write(g.ref(t, "kept:v1"), img, g.opts()...); err != nil {
		t.Fatal(err)
	}
	env.Emulator.Close()

	g2 := regFor(t, emutest.StartAt(t, dir))
	// The password from before the restart still works.
	g2.pass = g.pass
	got, err := remote.Image(g2.ref(t, "kept:v1"), g2.opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(got); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	if d, _ := got.Digest(); d != want {
		t.Errorf("digest %s after restart, want %s", d, want)
	}

	// Deleting the repository through ECR drops its blobs' links; the next
	// start removes the files.
	if n := len(blobFiles(t, dir)); n != 3 {
		t.Fatalf("%d blob files, want 2 layers and a config", n)
	}
	if _, err := g2.ecr.DeleteRepository(context.Background(), &ecr.DeleteRepositoryInput{RepositoryName: aws.String("kept"), Force: true}); err != nil {
		t.Fatal(err)
	}
	g2.env.Emulator.Close()
	emutest.StartAt(t, dir)
	if f := blobFiles(t, dir); len(f) != 0 {
		t.Errorf("blob files of a deleted repository: %v", f)
	}
}

// TestFormContentType: curl --data-binary sends a form content type; the
// upload must still reach the registry, not the AWS Query protocol.
func TestFormContentType(t *testing.T) {
	t.Parallel()
	g := startReg(t)
	g.createRepo(t, "curl", types.ImageTagMutabilityMutable)
	data := []byte("hello from curl")
	dg, _, _ := v1.SHA256(bytes.NewReader(data))
	req, _ := http.NewRequest(http.MethodPost, g.env.URL+"/v2/curl/blobs/uploads/?digest="+dg.String(), bytes.NewReader(data))
	req.SetBasicAuth("AWS", g.pass)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || resp.Header.Get("Docker-Content-Digest") != dg.String() {
		t.Errorf("upload with a form content type: %d", resp.StatusCode)
	}
}

// validate reads every layer to the end, which checks its digest.
func validate(img v1.Image) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// errAfter is a request body that fails after n bytes, as a client that
// dies mid-upload.
type errAfter struct {
	r io.Reader
	n int
}

func (e *errAfter) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, errors.New("client went away")
	}
	if len(p) > e.n {
		p = p[:e.n]
	}
	n, err := e.r.Read(p)
	e.n -= n
	return n, err
}

func blobFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(filepath.Join(dir, "emulator", "blobs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, filepath.Base(p))
		}
		return nil
	})
	return files
}

// TestInterruptedUpload: a monolithic upload cut off mid-way leaves no
// blob and no temp file; a chunked upload cut off mid-chunk resumes from
// its last whole chunk, also across a restart, and ends in the right blob.
func TestInterruptedUpload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := emutest.StartAt(t, dir)
	g := regFor(t, env)
	g.createRepo(t, "flaky", types.ImageTagMutabilityMutable)
	data := bytes.Repeat([]byte("berth-registry-"), 200000) // 3 MB
	dg, _, _ := v1.SHA256(bytes.NewReader(data))

	send := func(method, url string, body io.Reader, hdr map[string]string) (*http.Response, error) {
		req, _ := http.NewRequest(method, url, body)
		req.SetBasicAuth("AWS", g.pass)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}
	head := func() int {
		resp, err := send(http.MethodHead, g.env.URL+"/v2/flaky/blobs/"+dg.String(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}

	// Monolithic POST ?digest= whose body dies at 1 MB.
	_, err := send(http.MethodPost, g.env.URL+"/v2/flaky/blobs/uploads/?digest="+dg.String(), &errAfter{bytes.NewReader(data), 1 << 20}, nil)
	if err == nil {
		t.Fatal("the interrupted request succeeded")
	}
	time.Sleep(50 * time.Millisecond) // let the handler see the broken body
	if s := head(); s != 404 {
		t.Fatalf("blob after an interrupted upload: %d", s)
	}
	if f := blobFiles(t, dir); len(f) != 0 {
		t.Fatalf("files left in blobs/: %v", f)
	}

	// Chunked: one whole chunk, then a chunk that dies half-way.
	resp, err := send(http.MethodPost, g.env.URL+"/v2/flaky/blobs/uploads/", nil, nil)
	if err != nil || resp.StatusCode != 202 {
		t.Fatal(err, resp.StatusCode)
	}
	loc := g.env.URL + resp.Header.Get("Location")
	chunk := 1 << 20
	resp, err = send(http.MethodPatch, loc, bytes.NewReader(data[:chunk]), map[string]string{"Content-Range": "0-1048575", "Content-Type": "application/octet-stream"})
	if err != nil || resp.StatusCode != 202 || resp.Header.Get("Range") != "0-1048575" {
		t.Fatal(err, resp.StatusCode, resp.Header.Get("Range"))
	}
	send(http.MethodPatch, loc, &errAfter{bytes.NewReader(data[chunk : 2*chunk]), chunk / 2}, map[string]string{"Content-Range": "1048576-2097151"})
	time.Sleep(50 * time.Millisecond)

	// The emulator restarts; the session and its whole chunk survive.
	env.Emulator.Close()
	g2 := regFor(t, emutest.StartAt(t, dir))
	g.env = g2.env
	loc = g.env.URL + loc[strings.Index(loc, "/v2/"):]
	resp, err = send(http.MethodGet, loc, nil, nil)
	if err != nil || resp.StatusCode != 204 || resp.Header.Get("Range") != "0-1048575" {
		t.Fatalf("status after restart: %v %d %q", err, resp.StatusCode, resp.Header.Get("Range"))
	}
	// Out of order: refused with 416 and the progress so far.
	resp, _ = send(http.MethodPatch, loc, bytes.NewReader(data[2*chunk:]), map[string]string{"Content-Range": "2097152-2999999"})
	if resp.StatusCode != 416 || resp.Header.Get("Range") != "0-1048575" {
		t.Fatalf("out-of-order chunk: %d %q", resp.StatusCode, resp.Header.Get("Range"))
	}
	// A wrong digest leaves no blob.
	resp, _ = send(http.MethodPost, g.env.URL+"/v2/flaky/blobs/uploads/?digest=sha256:"+strings.Repeat("a", 64), bytes.NewReader(data), nil)
	if resp.StatusCode != 400 {
		t.Fatalf("wrong digest: %d", resp.StatusCode)
	}
	resp, err = send(http.MethodPatch, loc, bytes.NewReader(data[chunk:2*chunk]), map[string]string{"Content-Range": "1048576-2097151"})
	if err != nil || resp.StatusCode != 202 {
		t.Fatal(err, resp.StatusCode)
	}
	resp, err = send(http.MethodPut, loc+"?digest="+dg.String(), bytes.NewReader(data[2*chunk:]), map[string]string{"Content-Range": "2097152-2999999"})
	if err != nil || resp.StatusCode != 201 || resp.Header.Get("Docker-Content-Digest") != dg.String() {
		t.Fatalf("finish: %v %d", err, resp.StatusCode)
	}
	if s := head(); s != 200 {
		t.Fatalf("blob after the resumed upload: %d", s)
	}
	b, err := os.ReadFile(filepath.Join(dir, "emulator", "blobs", "sha256", dg.Hex))
	if err != nil || !bytes.Equal(b, data) {
		t.Fatalf("blob on disk differs: %v", err)
	}
	if f := blobFiles(t, dir); len(f) != 1 {
		t.Errorf("files in blobs/: %v", f)
	}
	if up, _ := os.ReadDir(filepath.Join(dir, "emulator", "uploads")); len(up) != 0 {
		t.Errorf("upload data left behind: %d files", len(up))
	}
}
