package ecr_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/berthhq/berth/internal/emulator/emutest"
	"github.com/berthhq/berth/internal/emulator/state"
)

// oldRepositories is ecr_repositories as emulators before the doc column
// created it.
const oldRepositories = `CREATE TABLE ecr_repositories (
	account TEXT NOT NULL,
	region TEXT NOT NULL,
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	tag_mutability TEXT NOT NULL,
	exclusion_filters TEXT NOT NULL DEFAULT '[]',
	scan_on_push INTEGER NOT NULL DEFAULT 0,
	encryption_type TEXT NOT NULL,
	kms_key TEXT NOT NULL DEFAULT '',
	policy TEXT,
	lifecycle_policy TEXT,
	tags TEXT NOT NULL DEFAULT '[]',
	PRIMARY KEY (account, region, name)
) WITHOUT ROWID`

// A data dir written by an older emulator keeps working: its repositories
// are described as before, and changes made by an older emulator after the
// upgrade (which do not know about the stored document) still show.
func TestUpgradeFromBeforeRepositoryDocs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "emulator", "state.db")
	old, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2025, 3, 4, 5, 6, 7, 891e6, time.UTC)
	if err := old.Migrate(oldRepositories,
		`INSERT INTO ecr_repositories (account, region, name, created_at, tag_mutability, exclusion_filters, scan_on_push, encryption_type, kms_key)
			VALUES ('000000000000', 'us-east-1', 'old/plain', `+strconv.FormatInt(created.UnixMilli(), 10)+`, 'MUTABLE', '[]', 0, 'AES256', '')`,
		`INSERT INTO ecr_repositories (account, region, name, created_at, tag_mutability, exclusion_filters, scan_on_push, encryption_type, kms_key)
			VALUES ('000000000000', 'us-east-1', 'old/kms', `+strconv.FormatInt(created.UnixMilli(), 10)+`, 'IMMUTABLE_WITH_EXCLUSION',
			'[{"filterType":"WILDCARD","filter":"latest*"}]', 1, 'KMS', '')`,
	); err != nil {
		t.Fatal(err)
	}
	old.Close()

	env := emutest.StartAt(t, dir)
	c := ecr.NewFromConfig(env.Config)
	describe := func() map[string]types.Repository {
		t.Helper()
		out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]types.Repository{}
		for _, r := range out.Repositories {
			m[aws.ToString(r.RepositoryName)] = r
		}
		if len(m) != 2 {
			t.Fatalf("got %d repositories, want 2", len(m))
		}
		return m
	}
	repos := describe()
	p, k := repos["old/plain"], repos["old/kms"]
	if aws.ToString(p.RepositoryArn) != "arn:aws:ecr:us-east-1:000000000000:repository/old/plain" ||
		aws.ToString(p.RepositoryUri) != "000000000000.dkr.ecr.us-east-1.amazonaws.com/old/plain" ||
		aws.ToString(p.RegistryId) != "000000000000" || p.ImageTagMutability != types.ImageTagMutabilityMutable ||
		p.ImageScanningConfiguration.ScanOnPush || p.EncryptionConfiguration.EncryptionType != types.EncryptionTypeAes256 ||
		p.EncryptionConfiguration.KmsKey != nil || len(p.ImageTagMutabilityExclusionFilters) != 0 || !p.CreatedAt.Equal(created) {
		t.Errorf("old/plain = %+v", p)
	}
	if k.ImageTagMutability != types.ImageTagMutabilityImmutableWithExclusion || len(k.ImageTagMutabilityExclusionFilters) != 1 ||
		aws.ToString(k.ImageTagMutabilityExclusionFilters[0].Filter) != "latest*" || !k.ImageScanningConfiguration.ScanOnPush ||
		k.EncryptionConfiguration.EncryptionType != types.EncryptionTypeKms ||
		aws.ToString(k.EncryptionConfiguration.KmsKey) != "arn:aws:kms:us-east-1:000000000000:alias/aws/ecr" {
		t.Errorf("old/kms = %+v", k)
	}

	// A change through the API rewrites the document.
	if _, err := c.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("old/plain"),
		ImageTagMutability: types.ImageTagMutabilityImmutable}); err != nil {
		t.Fatal(err)
	}
	if got := describe()["old/plain"].ImageTagMutability; got != types.ImageTagMutabilityImmutable {
		t.Errorf("after PutImageTagMutability: %s", got)
	}

	// A change by an emulator that does not know the document (here, a
	// plain UPDATE on the same file) is not hidden by it.
	other, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Write(context.Background(), func(tx *state.Tx) error {
		_, err := tx.Exec(`UPDATE ecr_repositories SET scan_on_push=1 WHERE name='old/plain'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !describe()["old/plain"].ImageScanningConfiguration.ScanOnPush {
		t.Error("a change made without the document is not shown")
	}
	out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"old/plain", "old/kms", "old/plain"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Repositories) != 2 || aws.ToString(out.Repositories[0].RepositoryName) != "old/plain" ||
		!out.Repositories[0].ImageScanningConfiguration.ScanOnPush {
		t.Errorf("by name: %+v", out.Repositories)
	}
}
