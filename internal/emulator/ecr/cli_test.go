package ecr_test

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/berthhq/berth/internal/emulator/clitest"
	ecremu "github.com/berthhq/berth/internal/emulator/ecr"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

// TestCLI runs what a person types with the real AWS CLI against one
// emulator; the groups use their own repositories so they run in parallel.
func TestCLI(t *testing.T) {
	env := emutest.Start(t)
	cli := clitest.New(t, env.URL)
	sdk := ecr.NewFromConfig(env.Config)
	manifest, err := os.ReadFile("testdata/manifest.json")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("repositories", func(t *testing.T) {
		t.Parallel()
		cliRepositories(t, cli)
	})
	t.Run("images", func(t *testing.T) {
		t.Parallel()
		createRepo(t, sdk, "team/images")
		cliImages(t, cli, manifest)
	})
	t.Run("token", func(t *testing.T) {
		t.Parallel()
		cliToken(t, cli)
	})
	t.Run("force-delete", func(t *testing.T) {
		t.Parallel()
		createRepo(t, sdk, "team/full")
		putImage(t, sdk, "team/full", string(manifest), "v1")
		cli.MustFail(t, "RepositoryNotEmptyException", "ecr", "delete-repository", "--repository-name", "team/full")
		cli.MustRun(t, "ecr", "delete-repository", "--repository-name", "team/full", "--force")
		if _, err := sdk.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/full"}}); err == nil {
			t.Error("repository still there after delete-repository --force")
		}
	})
}

func cliRepositories(t *testing.T, cli *clitest.CLI) {
	var created struct {
		Repository struct {
			RepositoryName, RepositoryUri, RepositoryArn, RegistryId, ImageTagMutability string
			ImageScanningConfiguration                                                   struct{ ScanOnPush bool }
			EncryptionConfiguration                                                      struct{ EncryptionType string }
			CreatedAt                                                                    string
		}
	}
	cli.MustRun(t, "ecr", "create-repository", "--repository-name", "team/web").JSON(t, &created)
	r := created.Repository
	if r.RepositoryUri != "000000000000.dkr.ecr.us-east-1.amazonaws.com/team/web" || r.RegistryId != "000000000000" ||
		r.ImageTagMutability != "MUTABLE" || r.ImageScanningConfiguration.ScanOnPush || r.EncryptionConfiguration.EncryptionType != "AES256" || r.CreatedAt == "" {
		t.Errorf("create-repository = %+v", r)
	}

	var described struct {
		Repositories []struct{ RepositoryName, RepositoryArn string }
	}
	cli.MustRun(t, "ecr", "describe-repositories", "--repository-names", "team/web").JSON(t, &described)
	if len(described.Repositories) != 1 || described.Repositories[0].RepositoryArn != "arn:aws:ecr:us-east-1:000000000000:repository/team/web" {
		t.Errorf("describe-repositories = %+v", described)
	}

	res := cli.MustFail(t, "RepositoryAlreadyExistsException", "ecr", "create-repository", "--repository-name", "team/web")
	if !strings.Contains(res.Stderr, "The repository with name 'team/web' already exists in the registry with id '000000000000'") {
		t.Errorf("duplicate stderr: %s", res.Stderr)
	}
	res = cli.MustFail(t, "InvalidParameterException", "ecr", "create-repository", "--repository-name", "Bad_Name!")
	if !strings.Contains(res.Stderr, "Invalid parameter at 'repositoryName' failed to satisfy constraint:") {
		t.Errorf("bad name stderr: %s", res.Stderr)
	}

	var mut struct{ ImageTagMutability string }
	cli.MustRun(t, "ecr", "put-image-tag-mutability", "--repository-name", "team/web", "--image-tag-mutability", "IMMUTABLE").JSON(t, &mut)
	if mut.ImageTagMutability != "IMMUTABLE" {
		t.Errorf("put-image-tag-mutability = %+v", mut)
	}

}

func cliImages(t *testing.T, cli *clitest.CLI, manifest []byte) {
	var put struct {
		Image struct {
			ImageID                struct{ ImageDigest, ImageTag string } `json:"imageId"`
			ImageManifestMediaType string
		}
	}
	cli.MustRun(t, "ecr", "put-image", "--repository-name", "team/images", "--image-tag", "v1", "--image-manifest", "file://testdata/manifest.json").JSON(t, &put)
	if put.Image.ImageID.ImageDigest != ecremu.Digest(manifest) || put.Image.ImageID.ImageTag != "v1" ||
		put.Image.ImageManifestMediaType != "application/vnd.docker.distribution.manifest.v2+json" {
		t.Errorf("put-image = %+v", put)
	}

	var listed struct {
		ImageIds []struct{ ImageDigest, ImageTag string }
	}
	cli.MustRun(t, "ecr", "list-images", "--repository-name", "team/images").JSON(t, &listed)
	if len(listed.ImageIds) != 1 || listed.ImageIds[0].ImageTag != "v1" || listed.ImageIds[0].ImageDigest != ecremu.Digest(manifest) {
		t.Errorf("list-images = %+v", listed)
	}

	var deleted struct {
		ImageIds []struct{ ImageDigest, ImageTag string }
		Failures []struct{ FailureCode string }
	}
	cli.MustRun(t, "ecr", "batch-delete-image", "--repository-name", "team/images", "--image-ids", "imageTag=v1", "imageTag=missing").JSON(t, &deleted)
	if len(deleted.ImageIds) != 1 || deleted.ImageIds[0].ImageTag != "v1" || len(deleted.Failures) != 1 || deleted.Failures[0].FailureCode != "ImageNotFound" {
		t.Errorf("batch-delete-image = %+v", deleted)
	}

}

func cliToken(t *testing.T, cli *clitest.CLI) {
	var tok struct {
		AuthorizationData []struct {
			AuthorizationToken, ProxyEndpoint string
			ExpiresAt                         string
		}
	}
	cli.MustRun(t, "ecr", "get-authorization-token").JSON(t, &tok)
	if len(tok.AuthorizationData) != 1 || tok.AuthorizationData[0].ProxyEndpoint != "https://000000000000.dkr.ecr.us-east-1.amazonaws.com" {
		t.Fatalf("get-authorization-token = %+v", tok)
	}
	if raw, err := base64.StdEncoding.DecodeString(tok.AuthorizationData[0].AuthorizationToken); err != nil || !strings.HasPrefix(string(raw), "AWS:") {
		t.Errorf("token = %q, %v", raw, err)
	}

}
