package ecr_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	ecremu "github.com/berthhq/berth/internal/emulator/ecr"
	"github.com/berthhq/berth/internal/emulator/emutest"
	"github.com/berthhq/berth/internal/emulator/state"
)

var ctx = context.Background()

const account = "000000000000"

func newClient(t testing.TB) (*ecr.Client, *emutest.Env) {
	t.Helper()
	env := emutest.Start(t)
	return ecr.NewFromConfig(env.Config), env
}

// wantErr checks that err is AWS's typed exception T with exactly msg (when msg is not empty).
func wantErr[T error](t *testing.T, err error, msg string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error = %v, want %T", err, target)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("message = %q\nwant      %q", ae.ErrorMessage(), msg)
	}
}

func createRepo(t *testing.T, c *ecr.Client, name string, opt ...func(*ecr.CreateRepositoryInput)) *types.Repository {
	t.Helper()
	in := &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)}
	for _, o := range opt {
		o(in)
	}
	out, err := c.CreateRepository(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return out.Repository
}

func TestCreateRepositoryDefaults(t *testing.T) {
	c, _ := newClient(t)
	before := time.Now().Add(-time.Second)
	rep := createRepo(t, c, "team/web-app")
	checks := map[string][2]string{
		"repositoryArn":      {aws.ToString(rep.RepositoryArn), "arn:aws:ecr:us-east-1:000000000000:repository/team/web-app"},
		"repositoryUri":      {aws.ToString(rep.RepositoryUri), "000000000000.dkr.ecr.us-east-1.amazonaws.com/team/web-app"},
		"registryId":         {aws.ToString(rep.RegistryId), account},
		"repositoryName":     {aws.ToString(rep.RepositoryName), "team/web-app"},
		"imageTagMutability": {string(rep.ImageTagMutability), "MUTABLE"},
		"encryptionType":     {string(rep.EncryptionConfiguration.EncryptionType), "AES256"},
	}
	for k, v := range checks {
		if v[0] != v[1] {
			t.Errorf("%s = %q, want %q", k, v[0], v[1])
		}
	}
	if rep.ImageScanningConfiguration == nil || rep.ImageScanningConfiguration.ScanOnPush {
		t.Errorf("imageScanningConfiguration = %+v, want scanOnPush false", rep.ImageScanningConfiguration)
	}
	if rep.EncryptionConfiguration.KmsKey != nil {
		t.Errorf("kmsKey = %q for AES256", aws.ToString(rep.EncryptionConfiguration.KmsKey))
	}
	if rep.CreatedAt == nil || rep.CreatedAt.Before(before) || rep.CreatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("createdAt = %v", rep.CreatedAt)
	}
	if len(rep.ImageTagMutabilityExclusionFilters) != 0 {
		t.Errorf("exclusion filters = %v", rep.ImageTagMutabilityExclusionFilters)
	}

	// The model's pattern allows "__" and runs of "-" between components.
	for _, name := range []string{"a__b", "a---b/c.d_e", "x1"} {
		createRepo(t, c, name)
	}
}

func TestCreateRepositoryValidation(t *testing.T) {
	c, _ := newClient(t)
	_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("Bad_Name!")})
	wantErr[*types.InvalidParameterException](t, err,
		`Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*''`)
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("a")})
	wantErr[*types.InvalidParameterException](t, err, "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'")
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(strings.Repeat("a", 257))})
	wantErr[*types.InvalidParameterException](t, err, "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length less than or equal to 256'")
	for _, bad := range []string{"a___b", "-ab", "ab/", "a..b"} {
		_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(bad)})
		wantErr[*types.InvalidParameterException](t, err, "")
	}

	createRepo(t, c, "dup")
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("dup")})
	wantErr[*types.RepositoryAlreadyExistsException](t, err, "The repository with name 'dup' already exists in the registry with id '000000000000'")

	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("mut"), ImageTagMutability: "SOMETIMES"})
	wantErr[*types.InvalidParameterException](t, err, "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]'")
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("mut"), ImageTagMutability: types.ImageTagMutabilityImmutableWithExclusion})
	wantErr[*types.InvalidParameterException](t, err, "")
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("mut"), ImageTagMutability: types.ImageTagMutabilityImmutable,
		ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{{FilterType: "WILDCARD", Filter: aws.String("dev-*")}}})
	wantErr[*types.InvalidParameterException](t, err, "")
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("mut"), ImageTagMutability: types.ImageTagMutabilityImmutableWithExclusion,
		ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{{FilterType: "WILDCARD", Filter: aws.String("dev/*")}}})
	wantErr[*types.InvalidParameterException](t, err, "Invalid parameter at 'filter' failed to satisfy constraint: 'must satisfy regular expression '^[0-9a-zA-Z._*-]{1,128}$''")
	six := make([]types.ImageTagMutabilityExclusionFilter, 6)
	for i := range six {
		six[i] = types.ImageTagMutabilityExclusionFilter{FilterType: "WILDCARD", Filter: aws.String(fmt.Sprint("f", i))}
	}
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("mut"), ImageTagMutability: types.ImageTagMutabilityImmutableWithExclusion, ImageTagMutabilityExclusionFilters: six})
	wantErr[*types.InvalidParameterException](t, err, "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: 'must have length less than or equal to 5'")
	rep := createRepo(t, c, "mut", func(in *ecr.CreateRepositoryInput) {
		in.ImageTagMutability = types.ImageTagMutabilityImmutableWithExclusion
		in.ImageTagMutabilityExclusionFilters = six[:2]
	})
	if rep.ImageTagMutability != types.ImageTagMutabilityImmutableWithExclusion || len(rep.ImageTagMutabilityExclusionFilters) != 2 ||
		aws.ToString(rep.ImageTagMutabilityExclusionFilters[1].Filter) != "f1" {
		t.Errorf("exclusions not kept: %+v", rep)
	}

	// Tags: at most 50, keys up to 128 and values up to 256 characters.
	many := make([]types.Tag, 51)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")}
	}
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("tagged"), Tags: many})
	wantErr[*types.TooManyTagsException](t, err, "The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is 50.")
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("tagged"), Tags: []types.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}})
	wantErr[*types.InvalidTagParameterException](t, err, "An invalid parameter has been specified. Tag keys can have a maximum character length of 128 characters, and tag values can have a maximum length of 256 characters.")
	createRepo(t, c, "tagged", func(in *ecr.CreateRepositoryInput) { in.Tags = many[:50] })
}

func TestCreateRepositoryEncryption(t *testing.T) {
	c, env := newClient(t)
	rep := createRepo(t, c, "kms-default", func(in *ecr.CreateRepositoryInput) {
		in.EncryptionConfiguration = &types.EncryptionConfiguration{EncryptionType: types.EncryptionTypeKms}
	})
	// Without a key, ECR uses the AWS managed key for ECR and reports its key ARN.
	managed, err := kms.NewFromConfig(env.Config).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/ecr")})
	if err != nil {
		t.Fatal(err)
	}
	if rep.EncryptionConfiguration.EncryptionType != types.EncryptionTypeKms || aws.ToString(rep.EncryptionConfiguration.KmsKey) != aws.ToString(managed.KeyMetadata.Arn) {
		t.Errorf("default KMS encryption = %+v, want key %s", rep.EncryptionConfiguration, aws.ToString(managed.KeyMetadata.Arn))
	}
	own, err := kms.NewFromConfig(env.Config).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("images")})
	if err != nil {
		t.Fatal(err)
	}
	key := aws.ToString(own.KeyMetadata.Arn)
	createRepo(t, c, "kms-own", func(in *ecr.CreateRepositoryInput) {
		in.EncryptionConfiguration = &types.EncryptionConfiguration{EncryptionType: types.EncryptionTypeKms, KmsKey: own.KeyMetadata.KeyId}
		in.ImageScanningConfiguration = &types.ImageScanningConfiguration{ScanOnPush: true}
	})
	out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"kms-own"}})
	if err != nil {
		t.Fatal(err)
	}
	got := out.Repositories[0]
	if aws.ToString(got.EncryptionConfiguration.KmsKey) != key || !got.ImageScanningConfiguration.ScanOnPush {
		t.Errorf("kms-own = %+v %+v", got.EncryptionConfiguration, got.ImageScanningConfiguration)
	}
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("kms-missing"),
		EncryptionConfiguration: &types.EncryptionConfiguration{EncryptionType: types.EncryptionTypeKms, KmsKey: aws.String("arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab")}})
	wantErr[*types.KmsException](t, err, "")
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("aes-key"),
		EncryptionConfiguration: &types.EncryptionConfiguration{EncryptionType: types.EncryptionTypeAes256, KmsKey: aws.String(key)}})
	wantErr[*types.InvalidParameterException](t, err, "")
}

func TestDescribeRepositories(t *testing.T) {
	c, _ := newClient(t)
	for _, n := range []string{"e-repo", "a-repo", "c-repo", "b-repo", "d-repo"} {
		createRepo(t, c, n)
	}
	var names []string
	var token *string
	pages := 0
	for {
		out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.Repositories {
			names = append(names, aws.ToString(r.RepositoryName))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if got := strings.Join(names, ","); got != "a-repo,b-repo,c-repo,d-repo,e-repo" || pages != 3 {
		t.Errorf("paged names = %s in %d pages", got, pages)
	}
	out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil || len(out.Repositories) != 5 || out.NextToken != nil {
		t.Fatalf("describe all = %d repositories, token %v, err %v", len(out.Repositories), out.NextToken, err)
	}
	names = names[:0]
	for _, r := range out.Repositories {
		names = append(names, aws.ToString(r.RepositoryName))
	}
	if got := strings.Join(names, ","); got != "a-repo,b-repo,c-repo,d-repo,e-repo" {
		t.Errorf("names in one page = %s", got)
	}
	// A page that ends exactly at the last repository has no next token.
	out, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(5)})
	if err != nil || len(out.Repositories) != 5 || out.NextToken != nil {
		t.Fatalf("page of exactly 5 = %d repositories, token %v, err %v", len(out.Repositories), out.NextToken, err)
	}
	out, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"d-repo", "a-repo"}})
	if err != nil || len(out.Repositories) != 2 || aws.ToString(out.Repositories[0].RepositoryName) != "d-repo" {
		t.Fatalf("describe by names = %+v, %v", out, err)
	}
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"a-repo", "nope"}})
	wantErr[*types.RepositoryNotFoundException](t, err, "The repository with name 'nope' does not exist in the registry with id '000000000000'")
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1001)})
	wantErr[*types.InvalidParameterException](t, err, "")
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(0)})
	wantErr[*types.InvalidParameterException](t, err, "")
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{NextToken: aws.String("garbage")})
	wantErr[*types.InvalidParameterException](t, err, "")

	// Another region is another registry scope.
	west := ecr.NewFromConfig(emutestConfigRegion(t, c, "eu-west-1"))
	out, err = west.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil || len(out.Repositories) != 0 {
		t.Fatalf("eu-west-1 sees %d repositories, %v", len(out.Repositories), err)
	}
}

func emutestConfigRegion(t *testing.T, c *ecr.Client, region string) aws.Config {
	t.Helper()
	return emutest.Config(aws.ToString(c.Options().BaseEndpoint), region)
}

func TestPutImageTagMutabilityAndScanning(t *testing.T) {
	c, _ := newClient(t)
	createRepo(t, c, "app")
	out, err := c.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("app"), ImageTagMutability: types.ImageTagMutabilityImmutable})
	if err != nil || out.ImageTagMutability != types.ImageTagMutabilityImmutable || aws.ToString(out.RegistryId) != account || aws.ToString(out.RepositoryName) != "app" {
		t.Fatalf("PutImageTagMutability = %+v, %v", out, err)
	}
	_, err = c.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("nope"), ImageTagMutability: types.ImageTagMutabilityImmutable})
	wantErr[*types.RepositoryNotFoundException](t, err, "The repository with name 'nope' does not exist in the registry with id '000000000000'")
	_, err = c.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("app"), ImageTagMutability: "immutable"})
	wantErr[*types.InvalidParameterException](t, err, "")

	sc, err := c.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: aws.String("app"),
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true}})
	if err != nil || !sc.ImageScanningConfiguration.ScanOnPush {
		t.Fatalf("PutImageScanningConfiguration = %+v, %v", sc, err)
	}
	_, err = c.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: aws.String("nope"),
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true}})
	wantErr[*types.RepositoryNotFoundException](t, err, "")

	d, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"app"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := d.Repositories[0]; r.ImageTagMutability != types.ImageTagMutabilityImmutable || !r.ImageScanningConfiguration.ScanOnPush {
		t.Errorf("settings not persisted: %+v", r)
	}
}

func TestDeleteRepository(t *testing.T) {
	c, _ := newClient(t)
	_, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("nope")})
	wantErr[*types.RepositoryNotFoundException](t, err, "The repository with name 'nope' does not exist in the registry with id '000000000000'")

	createRepo(t, c, "empty")
	out, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("empty")})
	if err != nil || aws.ToString(out.Repository.RepositoryName) != "empty" {
		t.Fatalf("DeleteRepository = %+v, %v", out, err)
	}

	createRepo(t, c, "full")
	putImage(t, c, "full", manifestV2(100), "v1")
	_, err = c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("full")})
	wantErr[*types.RepositoryNotEmptyException](t, err, "The repository with name 'full' in registry with id '000000000000' cannot be deleted because it still contains images")
	if _, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("full"), Force: true}); err != nil {
		t.Fatal(err)
	}
	// Images went with it: a new repository of the same name is empty.
	createRepo(t, c, "full")
	li, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("full")})
	if err != nil || len(li.ImageIds) != 0 {
		t.Fatalf("recreated repository has images: %+v, %v", li, err)
	}
}

// ---- images ----

func manifestV2(layerSizes ...int64) string {
	var layers []string
	for i, s := range layerSizes {
		layers = append(layers, fmt.Sprintf(`{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"sha256:%064x"}`, s, i+1))
	}
	return `{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1469, "digest": "sha256:` + strings.Repeat("c", 64) + `"},
   "layers": [` + strings.Join(layers, ",") + `]
}`
}

func ociManifest(layerSize int64) string {
	return fmt.Sprintf(`{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":7,"digest":"sha256:%064x"},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":%d,"digest":"sha256:%064x"}]}`, 9, layerSize, layerSize)
}

func index(mediaType string, digests ...string) string {
	var ms []string
	for _, d := range digests {
		ms = append(ms, fmt.Sprintf(`{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":300,"digest":%q,"platform":{"architecture":"amd64","os":"linux"}}`, d))
	}
	mt := ""
	if mediaType != "" {
		mt = fmt.Sprintf(`"mediaType":%q,`, mediaType)
	}
	return `{"schemaVersion":2,` + mt + `"manifests":[` + strings.Join(ms, ",") + `]}`
}

func putImage(t *testing.T, c *ecr.Client, repo, manifest, tag string) *types.Image {
	t.Helper()
	in := &ecr.PutImageInput{RepositoryName: aws.String(repo), ImageManifest: aws.String(manifest)}
	if tag != "" {
		in.ImageTag = aws.String(tag)
	}
	out, err := c.PutImage(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return out.Image
}

func describe(t *testing.T, c *ecr.Client, repo string, ids ...types.ImageIdentifier) []types.ImageDetail {
	t.Helper()
	out, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String(repo), ImageIds: ids})
	if err != nil {
		t.Fatal(err)
	}
	return out.ImageDetails
}

func TestPutImage(t *testing.T) {
	c, _ := newClient(t)
	createRepo(t, c, "app")
	m := manifestV2(1000, 234)
	img := putImage(t, c, "app", m, "v1")
	wantDigest := ecremu.Digest([]byte(m))
	if aws.ToString(img.ImageId.ImageDigest) != wantDigest || aws.ToString(img.ImageId.ImageTag) != "v1" ||
		aws.ToString(img.ImageManifest) != m || aws.ToString(img.ImageManifestMediaType) != "application/vnd.docker.distribution.manifest.v2+json" ||
		aws.ToString(img.RegistryId) != account || aws.ToString(img.RepositoryName) != "app" {
		t.Errorf("PutImage = %+v", img)
	}
	d := describe(t, c, "app")
	if len(d) != 1 {
		t.Fatalf("DescribeImages = %d images", len(d))
	}
	if got := d[0]; aws.ToInt64(got.ImageSizeInBytes) != 1234 || got.ArtifactMediaType == nil ||
		aws.ToString(got.ArtifactMediaType) != "application/vnd.docker.container.image.v1+json" ||
		strings.Join(got.ImageTags, ",") != "v1" || got.ImagePushedAt == nil || got.LastRecordedPullTime != nil ||
		got.ImageStatus != types.ImageStatusActive {
		t.Errorf("ImageDetail = %+v", got)
	}

	// Same manifest and tag again: nothing changed.
	_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(m), ImageTag: aws.String("v1")})
	wantErr[*types.ImageAlreadyExistsException](t, err, fmt.Sprintf("Image with digest '%s' and tag 'v1' already exists in the repository with name 'app' in registry with id '000000000000'", wantDigest))
	// Same manifest, new tag: the image gains a tag.
	putImage(t, c, "app", m, "latest")
	if d := describe(t, c, "app"); len(d) != 1 || strings.Join(d[0].ImageTags, ",") != "latest,v1" {
		t.Errorf("after second tag: %+v", d)
	}
	// A new manifest takes "latest" away from the first image, which keeps v1.
	m2 := manifestV2(5)
	putImage(t, c, "app", m2, "latest")
	d = describe(t, c, "app", types.ImageIdentifier{ImageDigest: aws.String(wantDigest)})
	if strings.Join(d[0].ImageTags, ",") != "v1" {
		t.Errorf("old image tags = %v", d[0].ImageTags)
	}
	// Moving v1 too leaves the old image untagged but present.
	putImage(t, c, "app", m2, "v1")
	d = describe(t, c, "app", types.ImageIdentifier{ImageDigest: aws.String(wantDigest)})
	if len(d[0].ImageTags) != 0 {
		t.Errorf("old image tags = %v, want none", d[0].ImageTags)
	}

	// Errors.
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("nope"), ImageManifest: aws.String(m)})
	wantErr[*types.RepositoryNotFoundException](t, err, "The repository with name 'nope' does not exist in the registry with id '000000000000'")
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String("{not json")})
	wantErr[*types.InvalidParameterException](t, err, "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'")
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(manifestV2(3)), ImageDigest: aws.String("sha256:" + strings.Repeat("0", 64))})
	wantErr[*types.ImageDigestDoesNotMatchException](t, err, "")
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(manifestV2(3)),
		ImageManifestMediaType: aws.String("application/vnd.oci.image.manifest.v1+json")})
	wantErr[*types.InvalidParameterException](t, err, "")
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(m)})
	wantErr[*types.ImageAlreadyExistsException](t, err, fmt.Sprintf("Image with digest '%s' and tag 'null' already exists in the repository with name 'app' in registry with id '000000000000'", wantDigest))
	// The right digest given explicitly is accepted.
	m3 := manifestV2(7)
	if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(m3), ImageDigest: aws.String(ecremu.Digest([]byte(m3)))}); err != nil {
		t.Fatal(err)
	}
}

func TestPutImageTagImmutability(t *testing.T) {
	c, _ := newClient(t)
	createRepo(t, c, "locked", func(in *ecr.CreateRepositoryInput) { in.ImageTagMutability = types.ImageTagMutabilityImmutable })
	putImage(t, c, "locked", manifestV2(1), "v1")
	_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("locked"), ImageManifest: aws.String(manifestV2(2)), ImageTag: aws.String("v1")})
	wantErr[*types.ImageTagAlreadyExistsException](t, err, "The image tag 'v1' already exists in the 'locked' repository and cannot be overwritten because the repository is immutable.")
	// Even the same manifest under the same tag is refused in an immutable repository.
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("locked"), ImageManifest: aws.String(manifestV2(1)), ImageTag: aws.String("v1")})
	wantErr[*types.ImageTagAlreadyExistsException](t, err, "")
	putImage(t, c, "locked", manifestV2(2), "v2")

	createRepo(t, c, "mixed", func(in *ecr.CreateRepositoryInput) {
		in.ImageTagMutability = types.ImageTagMutabilityImmutableWithExclusion
		in.ImageTagMutabilityExclusionFilters = []types.ImageTagMutabilityExclusionFilter{{FilterType: "WILDCARD", Filter: aws.String("dev-*")}}
	})
	putImage(t, c, "mixed", manifestV2(1), "dev-1")
	putImage(t, c, "mixed", manifestV2(2), "dev-1") // excluded: mutable
	putImage(t, c, "mixed", manifestV2(1), "release")
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("mixed"), ImageManifest: aws.String(manifestV2(2)), ImageTag: aws.String("release")})
	wantErr[*types.ImageTagAlreadyExistsException](t, err, "")

	// Switching to MUTABLE lifts it.
	if _, err := c.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("locked"), ImageTagMutability: types.ImageTagMutabilityMutable}); err != nil {
		t.Fatal(err)
	}
	putImage(t, c, "locked", manifestV2(3), "v1")
}

func TestPutImageOCIAndIndex(t *testing.T) {
	c, _ := newClient(t)
	createRepo(t, c, "multi")
	amd := ociManifest(500)
	arm := ociManifest(800)
	putImage(t, c, "multi", amd, "")
	putImage(t, c, "multi", arm, "")
	d := describe(t, c, "multi", types.ImageIdentifier{ImageDigest: aws.String(ecremu.Digest([]byte(amd)))})
	if aws.ToString(d[0].ImageManifestMediaType) != "application/vnd.oci.image.manifest.v1+json" || aws.ToInt64(d[0].ImageSizeInBytes) != 500 ||
		aws.ToString(d[0].ArtifactMediaType) != "application/vnd.oci.image.config.v1+json" {
		t.Errorf("OCI manifest detail = %+v", d[0])
	}

	idx := index("application/vnd.oci.image.index.v1+json", ecremu.Digest([]byte(amd)), ecremu.Digest([]byte(arm)))
	img := putImage(t, c, "multi", idx, "latest")
	if aws.ToString(img.ImageManifestMediaType) != "application/vnd.oci.image.index.v1+json" {
		t.Errorf("index media type = %q", aws.ToString(img.ImageManifestMediaType))
	}
	d = describe(t, c, "multi", types.ImageIdentifier{ImageTag: aws.String("latest")})
	if aws.ToInt64(d[0].ImageSizeInBytes) != 800 || d[0].ArtifactMediaType != nil {
		t.Errorf("index detail = size %d artifact %v", aws.ToInt64(d[0].ImageSizeInBytes), d[0].ArtifactMediaType)
	}

	// A Docker manifest list given by parameter only.
	list := index("", ecremu.Digest([]byte(amd)))
	out, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("multi"), ImageManifest: aws.String(list),
		ImageManifestMediaType: aws.String("application/vnd.docker.distribution.manifest.list.v2+json")})
	if err != nil || aws.ToString(out.Image.ImageManifestMediaType) != "application/vnd.docker.distribution.manifest.list.v2+json" {
		t.Fatalf("manifest list = %+v, %v", out, err)
	}

	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("multi"), ImageManifest: aws.String(index("", "sha256:"+strings.Repeat("e", 64)))})
	wantErr[*types.ReferencedImagesNotFoundException](t, err, "")

	// A referenced image cannot be deleted while the index is there.
	del, err := c.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String("multi"),
		ImageIds: []types.ImageIdentifier{{ImageDigest: aws.String(ecremu.Digest([]byte(arm)))}}})
	if err != nil || len(del.Failures) != 1 || del.Failures[0].FailureCode != types.ImageFailureCodeImageReferencedByManifestList {
		t.Fatalf("delete referenced image = %+v, %v", del, err)
	}
	if !strings.HasPrefix(aws.ToString(del.Failures[0].FailureReason), "Requested image referenced by manifest list: [sha256:") {
		t.Errorf("failure reason = %q", aws.ToString(del.Failures[0].FailureReason))
	}
}

func TestListImages(t *testing.T) {
	c, _ := newClient(t)
	createRepo(t, c, "app")
	a := putImage(t, c, "app", manifestV2(1), "a")
	putImage(t, c, "app", manifestV2(1), "b")
	putImage(t, c, "app", manifestV2(2), "c")
	putImage(t, c, "app", manifestV2(3), "")
	out, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("app")})
	if err != nil || len(out.ImageIds) != 4 {
		t.Fatalf("ListImages = %+v, %v", out, err)
	}
	seen := 0
	for _, id := range out.ImageIds {
		if aws.ToString(id.ImageDigest) == aws.ToString(a.ImageId.ImageDigest) {
			seen++
		}
	}
	if seen != 2 {
		t.Errorf("image with two tags listed %d times, want 2", seen)
	}
	for status, want := range map[types.TagStatus]int{types.TagStatusTagged: 3, types.TagStatusUntagged: 1, types.TagStatusAny: 4} {
		out, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("app"), Filter: &types.ListImagesFilter{TagStatus: status}})
		if err != nil || len(out.ImageIds) != want {
			t.Errorf("ListImages %s = %d ids, %v; want %d", status, len(out.ImageIds), err, want)
		}
	}
	var all []string
	var token *string
	for {
		out, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("app"), MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range out.ImageIds {
			all = append(all, aws.ToString(id.ImageDigest)+":"+aws.ToString(id.ImageTag))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(all) != 4 {
		t.Errorf("paged ListImages = %v", all)
	}
	_, err = c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("nope")})
	wantErr[*types.RepositoryNotFoundException](t, err, "The repository with name 'nope' does not exist in the registry with id '000000000000'")
}

func TestDescribeImages(t *testing.T) {
	c, _ := newClient(t)
	createRepo(t, c, "app")
	for i := int64(1); i <= 5; i++ {
		tag := ""
		if i%2 == 1 {
			tag = fmt.Sprint("t", i)
		}
		putImage(t, c, "app", manifestV2(i), tag)
	}
	var got int
	var token *string
	for {
		out, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		got += len(out.ImageDetails)
		if token = out.NextToken; token == nil {
			break
		}
	}
	if got != 5 {
		t.Errorf("paged DescribeImages = %d images", got)
	}
	out, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), Filter: &types.DescribeImagesFilter{TagStatus: types.TagStatusUntagged}})
	if err != nil || len(out.ImageDetails) != 2 {
		t.Fatalf("untagged = %d, %v", len(out.ImageDetails), err)
	}
	_, err = c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("latest")}}})
	wantErr[*types.ImageNotFoundException](t, err, "The image with imageId {imageDigest:'null', imageTag:'latest'} does not exist within the repository with name 'app' in the registry with id '000000000000'")
	_, err = c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("nope")})
	wantErr[*types.RepositoryNotFoundException](t, err, "")
}

func TestBatchGetImage(t *testing.T) {
	c, _ := newClient(t)
	createRepo(t, c, "app")
	// Odd whitespace and key order must come back byte for byte.
	m := "{\n\t\"schemaVersion\" : 2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",  \"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":1,\"digest\":\"sha256:" + strings.Repeat("a", 64) + "\"},\"layers\":[]}\n"
	putImage(t, c, "app", m, "v1")
	out, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("app"), ImageIds: []types.ImageIdentifier{
		{ImageTag: aws.String("v1")},
		{ImageTag: aws.String("missing")},
		{ImageDigest: aws.String("not-a-digest")},
		{},
		{ImageTag: aws.String("v1"), ImageDigest: aws.String("sha256:" + strings.Repeat("b", 64))},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Images) != 1 || aws.ToString(out.Images[0].ImageManifest) != m || aws.ToString(out.Images[0].ImageId.ImageDigest) != ecremu.Digest([]byte(m)) ||
		aws.ToString(out.Images[0].ImageManifestMediaType) != "application/vnd.docker.distribution.manifest.v2+json" {
		t.Fatalf("images = %+v", out.Images)
	}
	codes := []string{}
	for _, f := range out.Failures {
		codes = append(codes, string(f.FailureCode))
	}
	if got := strings.Join(codes, ","); got != "ImageNotFound,InvalidImageDigest,MissingDigestAndTag,ImageTagDoesNotMatchDigest" {
		t.Errorf("failure codes = %s", got)
	}
	if r := aws.ToString(out.Failures[0].FailureReason); r != "Requested image not found" {
		t.Errorf("ImageNotFound reason = %q", r)
	}
	// BatchGetImage is a pull.
	d := describe(t, c, "app")
	if d[0].LastRecordedPullTime == nil || time.Since(*d[0].LastRecordedPullTime) > time.Minute {
		t.Errorf("lastRecordedPullTime = %v", d[0].LastRecordedPullTime)
	}
	_, err = c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("nope"), ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v1")}}})
	wantErr[*types.RepositoryNotFoundException](t, err, "")
}

func TestBatchDeleteImage(t *testing.T) {
	c, _ := newClient(t)
	createRepo(t, c, "app")
	one := putImage(t, c, "app", manifestV2(1), "a")
	putImage(t, c, "app", manifestV2(1), "b")
	two := putImage(t, c, "app", manifestV2(2), "c")
	putImage(t, c, "app", manifestV2(2), "d")
	d1, d2 := aws.ToString(one.ImageId.ImageDigest), aws.ToString(two.ImageId.ImageDigest)

	del := func(ids ...types.ImageIdentifier) *ecr.BatchDeleteImageOutput {
		t.Helper()
		out, err := c.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String("app"), ImageIds: ids})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// By tag: only the tag goes while the image has others.
	out := del(types.ImageIdentifier{ImageTag: aws.String("a")})
	if len(out.ImageIds) != 1 || aws.ToString(out.ImageIds[0].ImageDigest) != d1 || aws.ToString(out.ImageIds[0].ImageTag) != "a" {
		t.Errorf("delete by tag = %+v", out.ImageIds)
	}
	if d := describe(t, c, "app", types.ImageIdentifier{ImageDigest: aws.String(d1)}); strings.Join(d[0].ImageTags, ",") != "b" {
		t.Errorf("tags after untag = %v", d[0].ImageTags)
	}
	// Removing its last tag deletes the image.
	del(types.ImageIdentifier{ImageTag: aws.String("b")})
	_, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), ImageIds: []types.ImageIdentifier{{ImageDigest: aws.String(d1)}}})
	wantErr[*types.ImageNotFoundException](t, err, "")
	// By digest: the image and all its tags.
	out = del(types.ImageIdentifier{ImageDigest: aws.String(d2)},
		types.ImageIdentifier{ImageTag: aws.String("gone")},
		types.ImageIdentifier{ImageDigest: aws.String("sha256:zz")},
		types.ImageIdentifier{})
	if len(out.ImageIds) != 2 || aws.ToString(out.ImageIds[0].ImageTag) != "c" || aws.ToString(out.ImageIds[1].ImageTag) != "d" {
		t.Errorf("delete by digest = %+v", out.ImageIds)
	}
	if len(out.Failures) != 3 || out.Failures[0].FailureCode != types.ImageFailureCodeImageNotFound ||
		out.Failures[1].FailureCode != types.ImageFailureCodeInvalidImageDigest || out.Failures[2].FailureCode != types.ImageFailureCodeMissingDigestAndTag {
		t.Errorf("failures = %+v", out.Failures)
	}
	if aws.ToString(out.Failures[1].FailureReason) != "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'" {
		t.Errorf("InvalidImageDigest reason = %q", aws.ToString(out.Failures[1].FailureReason))
	}
	li, _ := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("app")})
	if len(li.ImageIds) != 0 {
		t.Errorf("images left: %+v", li.ImageIds)
	}
	// An untagged image deleted by digest is reported by digest alone.
	u := putImage(t, c, "app", manifestV2(9), "")
	out = del(types.ImageIdentifier{ImageDigest: u.ImageId.ImageDigest})
	if len(out.ImageIds) != 1 || out.ImageIds[0].ImageTag != nil {
		t.Errorf("untagged delete = %+v", out.ImageIds)
	}
	_, err = c.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String("nope"), ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("x")}}})
	wantErr[*types.RepositoryNotFoundException](t, err, "")
}

func openState(t *testing.T, env *emutest.Env) *state.DB {
	t.Helper()
	db, err := state.Open(filepath.Join(env.DataDir, "emulator", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestGetAuthorizationToken(t *testing.T) {
	c, env := newClient(t)
	out, err := c.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AuthorizationData) != 1 {
		t.Fatalf("authorizationData = %+v", out.AuthorizationData)
	}
	ad := out.AuthorizationData[0]
	if aws.ToString(ad.ProxyEndpoint) != "https://000000000000.dkr.ecr.us-east-1.amazonaws.com" {
		t.Errorf("proxyEndpoint = %q", aws.ToString(ad.ProxyEndpoint))
	}
	if left := time.Until(*ad.ExpiresAt); left < 12*time.Hour-time.Minute || left > 12*time.Hour+time.Minute {
		t.Errorf("expiresAt in %v, want 12h", left)
	}
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(ad.AuthorizationToken))
	if err != nil {
		t.Fatal(err)
	}
	user, pw, ok := strings.Cut(string(raw), ":")
	if !ok || user != "AWS" || pw == "" {
		t.Fatalf("token decodes to %q", raw)
	}
	// The registry verifies the password from the stored key alone.
	auth, err := ecremu.NewAuth(openState(t, env))
	if err != nil {
		t.Fatal(err)
	}
	acct, region, err := auth.VerifyPassword(pw, time.Now())
	if err != nil || acct != account || region != "us-east-1" {
		t.Errorf("VerifyPassword = %q %q %v", acct, region, err)
	}
	if _, _, err := auth.VerifyPassword(pw, time.Now().Add(13*time.Hour)); !errors.Is(err, ecremu.ErrBadPassword) {
		t.Errorf("expired password accepted: %v", err)
	}
	if _, _, err := auth.VerifyPassword(pw[:len(pw)-2]+"xx", time.Now()); !errors.Is(err, ecremu.ErrBadPassword) {
		t.Errorf("tampered password accepted: %v", err)
	}
}

const repoPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`

func TestRepositoryPolicy(t *testing.T) {
	c, _ := newClient(t)
	createRepo(t, c, "app")
	_, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("app")})
	wantErr[*types.RepositoryPolicyNotFoundException](t, err, "Repository policy does not exist for the repository with name 'app' in the registry with id '000000000000'")
	_, err = c.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String("app")})
	wantErr[*types.RepositoryPolicyNotFoundException](t, err, "")
	for _, bad := range []string{`{"Statement":`, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*","Resource":"*"}]}`, `[]`} {
		_, err = c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("app"), PolicyText: aws.String(bad)})
		wantErr[*types.InvalidParameterException](t, err, "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'")
	}
	_, err = c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("nope"), PolicyText: aws.String(repoPolicy)})
	wantErr[*types.RepositoryNotFoundException](t, err, "")
	set, err := c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("app"), PolicyText: aws.String(repoPolicy)})
	if err != nil || aws.ToString(set.PolicyText) != repoPolicy {
		t.Fatalf("SetRepositoryPolicy = %+v, %v", set, err)
	}
	got, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("app")})
	if err != nil || aws.ToString(got.PolicyText) != repoPolicy || aws.ToString(got.RegistryId) != account {
		t.Fatalf("GetRepositoryPolicy = %+v, %v", got, err)
	}
	del, err := c.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String("app")})
	if err != nil || aws.ToString(del.PolicyText) != repoPolicy {
		t.Fatalf("DeleteRepositoryPolicy = %+v, %v", del, err)
	}
	_, err = c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("app")})
	wantErr[*types.RepositoryPolicyNotFoundException](t, err, "")
}

const lifecyclePolicy = `{"rules":[{"rulePriority":1,"description":"expire untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`

func TestLifecyclePolicy(t *testing.T) {
	c, _ := newClient(t)
	createRepo(t, c, "app")
	_, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String("app")})
	wantErr[*types.LifecyclePolicyNotFoundException](t, err, "Lifecycle policy does not exist for the repository with name 'app' in the registry with id '000000000000'")
	_, err = c.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: aws.String("app")})
	wantErr[*types.LifecyclePolicyNotFoundException](t, err, "")

	_, err = c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("app"), LifecyclePolicyText: aws.String(`{"rules":[]}`)})
	wantErr[*types.InvalidParameterException](t, err, "Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'must have length greater than or equal to 100'")
	bad := strings.Replace(lifecyclePolicy, `"expire"`, `"delete"`, 1)
	_, err = c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("app"), LifecyclePolicyText: aws.String(bad)})
	wantErr[*types.InvalidParameterException](t, err, `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: instance value (delete) not found in enum (possible values: ["expire","transition"])'`)
	notJSON := strings.Repeat(" ", 100) + "{"
	_, err = c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("app"), LifecyclePolicyText: aws.String(notJSON)})
	wantErr[*types.InvalidParameterException](t, err, "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: Could not map policyString into LifecyclePolicy.'")
	_, err = c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("nope"), LifecyclePolicyText: aws.String(lifecyclePolicy)})
	wantErr[*types.RepositoryNotFoundException](t, err, "")

	put, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("app"), LifecyclePolicyText: aws.String(lifecyclePolicy)})
	if err != nil || aws.ToString(put.LifecyclePolicyText) != lifecyclePolicy {
		t.Fatalf("PutLifecyclePolicy = %+v, %v", put, err)
	}
	got, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String("app")})
	if err != nil || aws.ToString(got.LifecyclePolicyText) != lifecyclePolicy {
		t.Fatalf("GetLifecyclePolicy = %+v, %v", got, err)
	}
	del, err := c.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: aws.String("app")})
	if err != nil || aws.ToString(del.LifecyclePolicyText) != lifecyclePolicy {
		t.Fatalf("DeleteLifecyclePolicy = %+v, %v", del, err)
	}
	_, err = c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String("app")})
	wantErr[*types.LifecyclePolicyNotFoundException](t, err, "")
}

func TestResourceTags(t *testing.T) {
	c, _ := newClient(t)
	rep := createRepo(t, c, "app", func(in *ecr.CreateRepositoryInput) {
		in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}
	})
	arn := rep.RepositoryArn
	list := func() string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		var kv []string
		for _, tg := range out.Tags {
			kv = append(kv, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(kv, ",")
	}
	if got := list(); got != "team=web" {
		t.Errorf("tags = %s", got)
	}
	if _, err := c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("team"), Value: aws.String("api")}}}); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != "team=api,env=dev" {
		t.Errorf("tags = %s", got)
	}
	if _, err := c.UntagResource(ctx, &ecr.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != "env=dev" {
		t.Errorf("tags = %s", got)
	}
	_, err := c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))}}})
	wantErr[*types.InvalidTagParameterException](t, err, "")
	many := make([]types.Tag, 50)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")}
	}
	_, err = c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: arn, Tags: many})
	wantErr[*types.TooManyTagsException](t, err, "")
	_, err = c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:ecr:us-east-1:000000000000:repository/nope")})
	wantErr[*types.RepositoryNotFoundException](t, err, "The repository with name 'nope' does not exist in the registry with id '000000000000'")
	_, err = c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: aws.String("not-an-arn"), Tags: many[:1]})
	wantErr[*types.InvalidParameterException](t, err, "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'")
}

// TestImagesAPI drives the exported image store that the registry uses, on
// the same tables as the ECR API.
func TestImagesAPI(t *testing.T) {
	c, env := newClient(t)
	createRepo(t, c, "app")
	images, err := ecremu.NewImages(openState(t, env))
	if err != nil {
		t.Fatal(err)
	}
	repo := ecremu.Repo{Account: account, Region: "us-east-1", Name: "app"}
	m := manifestV2(10, 20)
	img, err := images.PutManifest(ctx, repo, []byte(m), "", "v1")
	if err != nil || img.Digest != ecremu.Digest([]byte(m)) || img.Size != 30 {
		t.Fatalf("PutManifest = %+v, %v", img, err)
	}
	// What the registry stored, the ECR API sees.
	d := describe(t, c, "app", types.ImageIdentifier{ImageTag: aws.String("v1")})
	if aws.ToString(d[0].ImageDigest) != img.Digest {
		t.Errorf("DescribeImages digest = %s", aws.ToString(d[0].ImageDigest))
	}
	putImage(t, c, "app", manifestV2(1), "v0")
	got, err := images.GetManifest(ctx, repo, "v0")
	if err != nil || string(got.Manifest) != manifestV2(1) {
		t.Fatalf("GetManifest(v0) = %+v, %v", got, err)
	}
	if got, err = images.GetManifest(ctx, repo, img.Digest); err != nil || string(got.Manifest) != m {
		t.Fatalf("GetManifest(digest) = %v", err)
	}
	if _, err := images.GetManifest(ctx, repo, "nope"); !errors.Is(err, ecremu.ErrImageNotFound) {
		t.Errorf("GetManifest(nope) = %v", err)
	}
	if _, err := images.GetManifest(ctx, ecremu.Repo{Account: account, Region: "us-east-1", Name: "zz"}, "v1"); !errors.Is(err, ecremu.ErrRepositoryNotFound) {
		t.Errorf("GetManifest in missing repo = %v", err)
	}
	tags, err := images.ListTags(ctx, repo, "", 10)
	if err != nil || strings.Join(tags, ",") != "v0,v1" {
		t.Errorf("ListTags = %v, %v", tags, err)
	}
	if tags, _ = images.ListTags(ctx, repo, "v0", 10); strings.Join(tags, ",") != "v1" {
		t.Errorf("ListTags after v0 = %v", tags)
	}
	if err := images.RecordPull(ctx, repo, img.Digest, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := images.DeleteManifest(ctx, repo, img.Digest); err != nil {
		t.Fatal(err)
	}
	if _, err := images.GetManifest(ctx, repo, "v1"); !errors.Is(err, ecremu.ErrImageNotFound) {
		t.Errorf("deleted manifest still found: %v", err)
	}
	if _, err := images.PutManifest(ctx, repo, []byte("nope"), "", ""); err == nil {
		t.Error("invalid manifest accepted")
	}
}

// TestRestart checks that repositories, images and the registry password
// key survive a restart of the emulator on the same data dir.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	env := emutest.StartAt(t, dir)
	c := ecr.NewFromConfig(env.Config)
	createRepo(t, c, "keep")
	img := putImage(t, c, "keep", manifestV2(42), "v1")
	tok, err := c.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	env.Emulator.Close()

	env2 := emutest.StartAt(t, dir)
	c2 := ecr.NewFromConfig(env2.Config)
	d := describe(t, c2, "keep", types.ImageIdentifier{ImageTag: aws.String("v1")})
	if aws.ToString(d[0].ImageDigest) != aws.ToString(img.ImageId.ImageDigest) || aws.ToInt64(d[0].ImageSizeInBytes) != 42 {
		t.Errorf("after restart: %+v", d[0])
	}
	raw, _ := base64.StdEncoding.DecodeString(aws.ToString(tok.AuthorizationData[0].AuthorizationToken))
	auth, err := ecremu.NewAuth(openState(t, env2))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := auth.VerifyPassword(strings.TrimPrefix(string(raw), "AWS:"), time.Now()); err != nil {
		t.Errorf("password from before the restart: %v", err)
	}
}
