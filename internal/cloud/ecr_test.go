package cloud_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

func ecrClients(t *testing.T) *cloud.Clients {
	t.Helper()
	env := emutest.Start(t)
	b := cloud.New(context.Background(), cloud.Options{Endpoint: env.URL, Region: "us-east-1"})
	return b.In("")
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// ociManifest builds a real OCI image manifest: a config and two layers
// with their true digests and sizes.
func ociManifest(t *testing.T) string {
	t.Helper()
	blob := func(n int) map[string]any {
		b := make([]byte, n)
		rand.Read(b)
		return map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digestOf(b), "size": n}
	}
	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	m := map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digestOf(cfg), "size": len(cfg)},
		"layers":        []any{blob(1500), blob(2500)},
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestECRRepositoryLifecycle(t *testing.T) {
	c := ecrClients(t)
	ctx := context.Background()
	repo, err := c.CreateRepository(ctx, cloud.NewRepository{
		Name: "team/web-app", TagMutability: "IMMUTABLE_WITH_EXCLUSION", ExclusionFilters: []string{"latest", "dev-*"},
		ScanOnPush: true, EncryptionType: "KMS", Tags: []cloud.Tag{{Key: "team", Value: "web"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if repo.Name != "team/web-app" || repo.URI != "000000000000.dkr.ecr.us-east-1.amazonaws.com/team/web-app" ||
		repo.Registry() != "000000000000.dkr.ecr.us-east-1.amazonaws.com" || !repo.ScanOnPush ||
		repo.TagMutability != "IMMUTABLE_WITH_EXCLUSION" || strings.Join(repo.ExclusionFilters, ",") != "latest,dev-*" ||
		repo.EncryptionType != "KMS" || repo.KMSKey == "" || repo.CreatedAt.IsZero() {
		t.Errorf("created %+v", repo)
	}
	_, err = c.CreateRepository(ctx, cloud.NewRepository{Name: "team/web-app"})
	if !errors.Is(err, cloud.ErrRepositoryExists) || cloud.ErrorCode(err) != "RepositoryAlreadyExistsException" {
		t.Errorf("duplicate: %v (code %q)", err, cloud.ErrorCode(err))
	}
	_, err = c.CreateRepository(ctx, cloud.NewRepository{Name: "Bad"})
	if !errors.Is(err, cloud.ErrInvalidParameter) || cloud.ECRErrorParameter(err) != "repositoryName" {
		t.Errorf("bad name: %v, parameter %q", err, cloud.ECRErrorParameter(err))
	}
	got, err := c.Repository(ctx, "team/web-app")
	if err != nil || got.ARN != repo.ARN {
		t.Fatalf("describe: %+v %v", got, err)
	}
	if _, err := c.Repository(ctx, "team/nope"); !errors.Is(err, cloud.ErrRepositoryNotFound) {
		t.Errorf("missing: %v", err)
	}
	tags, err := c.RepositoryTags(ctx, repo.ARN)
	if err != nil || len(tags) != 1 || tags[0] != (cloud.Tag{Key: "team", Value: "web"}) {
		t.Errorf("tags %v %v", tags, err)
	}

	if err := c.UpdateRepositorySettings(ctx, got, "MUTABLE", nil, false); err != nil {
		t.Fatal(err)
	}
	got, _ = c.Repository(ctx, "team/web-app")
	if got.TagMutability != "MUTABLE" || got.ScanOnPush || len(got.ExclusionFilters) != 0 {
		t.Errorf("after update %+v", got)
	}

	// Images through PutImage with a real manifest.
	m := ociManifest(t)
	d, err := c.PutImage(ctx, "team/web-app", "v1", m, "")
	if err != nil || d != digestOf([]byte(m)) {
		t.Fatalf("put image: %q %v", d, err)
	}
	if _, err := c.PutImage(ctx, "team/web-app", "latest", m, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutImage(ctx, "team/web-app", "", ociManifest(t), ""); err != nil {
		t.Fatal(err)
	}
	all, err := c.Images(ctx, "team/web-app", cloud.ImagesAll, "", 100)
	if err != nil || len(all.Images) != 2 {
		t.Fatalf("images %+v %v", all, err)
	}
	tagged, _ := c.Images(ctx, "team/web-app", cloud.ImagesTagged, "", 100)
	untagged, _ := c.Images(ctx, "team/web-app", cloud.ImagesUntagged, "", 100)
	if len(tagged.Images) != 1 || len(untagged.Images) != 1 || tagged.Images[0].Digest != d {
		t.Fatalf("tagged %+v untagged %+v", tagged, untagged)
	}
	img := tagged.Images[0]
	if strings.Join(img.Tags, ",") != "latest,v1" && strings.Join(img.Tags, ",") != "v1,latest" ||
		img.SizeBytes != 4000 || img.PushedAt.IsZero() || img.ManifestMediaType != "application/vnd.oci.image.manifest.v1+json" {
		t.Errorf("image %+v", img)
	}
	page1, _ := c.Images(ctx, "team/web-app", cloud.ImagesAll, "", 1)
	page2, _ := c.Images(ctx, "team/web-app", cloud.ImagesAll, page1.NextToken, 1)
	if page1.NextToken == "" || len(page2.Images) != 1 || page2.Images[0].Digest == page1.Images[0].Digest {
		t.Errorf("pagination: %+v / %+v", page1, page2)
	}

	if err := c.DeleteRepository(ctx, "team/web-app", false); !errors.Is(err, cloud.ErrRepositoryNotEmpty) {
		t.Errorf("delete non-empty: %v", err)
	}
	if err := c.DeleteImage(ctx, "team/web-app", "", "v1"); err != nil {
		t.Fatal(err)
	}
	if one, err := c.Image(ctx, "team/web-app", d); err != nil || strings.Join(one.Tags, ",") != "latest" {
		t.Errorf("after untag: %+v %v", one, err)
	}
	if err := c.DeleteImage(ctx, "team/web-app", "", "v1"); !errors.Is(err, cloud.ErrImageNotFound) {
		t.Errorf("untag twice: %v", err)
	}
	if err := c.DeleteImage(ctx, "team/web-app", d, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Image(ctx, "team/web-app", d); !errors.Is(err, cloud.ErrImageNotFound) {
		t.Errorf("deleted image still there: %v", err)
	}

	// Policies.
	if p, err := c.RepositoryPolicy(ctx, "team/web-app"); p != "" || err != nil {
		t.Errorf("no policy: %q %v", p, err)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage"]}]}`
	if err := c.SetRepositoryPolicy(ctx, "team/web-app", pol); err != nil {
		t.Fatal(err)
	}
	if p, _ := c.RepositoryPolicy(ctx, "team/web-app"); !strings.Contains(p, "ecr:BatchGetImage") {
		t.Errorf("policy = %q", p)
	}
	if err := c.SetRepositoryPolicy(ctx, "team/web-app", `{"Statement":[]}`); !errors.Is(err, cloud.ErrInvalidParameter) {
		t.Errorf("bad policy: %v", err)
	}
	if err := c.DeleteRepositoryPolicy(ctx, "team/web-app"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRepositoryPolicy(ctx, "team/web-app"); !errors.Is(err, cloud.ErrRepositoryPolicyNotFound) {
		t.Errorf("delete missing policy: %v", err)
	}
	life := `{"rules":[{"rulePriority":1,"description":"keep 10","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}`
	if err := c.PutLifecyclePolicy(ctx, "team/web-app", life); err != nil {
		t.Fatal(err)
	}
	if p, _ := c.LifecyclePolicy(ctx, "team/web-app"); !strings.Contains(p, "imageCountMoreThan") {
		t.Errorf("lifecycle = %q", p)
	}
	if err := c.DeleteLifecyclePolicy(ctx, "team/web-app"); err != nil {
		t.Fatal(err)
	}
	if p, err := c.LifecyclePolicy(ctx, "team/web-app"); p != "" || err != nil {
		t.Errorf("lifecycle after delete: %q %v", p, err)
	}

	if err := c.DeleteRepository(ctx, "team/web-app", true); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRepository(ctx, "team/web-app", true); !errors.Is(err, cloud.ErrRepositoryNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

func TestECRListRepositoriesPages(t *testing.T) {
	c := ecrClients(t)
	ctx := context.Background()
	for i := range 5 {
		if _, err := c.CreateRepository(ctx, cloud.NewRepository{Name: fmt.Sprintf("list/r%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	p1, err := c.ListRepositories(ctx, "", 3)
	if err != nil || len(p1.Repositories) != 3 || p1.NextToken == "" {
		t.Fatalf("page 1: %+v %v", p1, err)
	}
	p2, err := c.ListRepositories(ctx, p1.NextToken, 3)
	if err != nil || len(p2.Repositories) != 2 || p2.NextToken != "" {
		t.Fatalf("page 2: %+v %v", p2, err)
	}
	if p1.Repositories[0].TagMutability != "MUTABLE" || p1.Repositories[0].EncryptionType != "AES256" {
		t.Errorf("defaults: %+v", p1.Repositories[0])
	}
}

func TestECRKMSKeys(t *testing.T) {
	env := emutest.Start(t)
	b := cloud.New(context.Background(), cloud.Options{Endpoint: env.URL, Region: "us-east-1"})
	c := b.In("")
	ctx := context.Background()
	aliasedKey, err := c.KMS.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.KMS.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/images"), TargetKeyId: aliasedKey.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	bare, err := c.KMS.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keys, more, err := c.KMSKeys(ctx)
	if err != nil || more {
		t.Fatalf("keys %v more %v err %v", keys, more, err)
	}
	want := []cloud.KMSKey{
		{Label: "images", ARN: aws.ToString(aliasedKey.KeyMetadata.Arn)},
		{Label: aws.ToString(bare.KeyMetadata.KeyId), ARN: aws.ToString(bare.KeyMetadata.Arn)},
	}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
}
