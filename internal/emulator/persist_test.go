package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

// resource is one kind of state that must survive a restart of
// `berth emulator`. To cover another service, add an entry to resources.
type resource struct {
	name string
	// create makes the instances tagged tag through the SDK and returns the
	// snapshot keys they appear under; every call has had its 200 when it returns.
	create func(ctx context.Context, t *testing.T, cfg aws.Config, tag string) []string
	// snapshot reads every instance of the kind, keyed by identity, with
	// everything a client can see of it.
	snapshot func(ctx context.Context, t *testing.T, cfg aws.Config) map[string]any
}

var resources = []resource{
	{name: "iam role", create: createRole, snapshot: snapshotRoles},
	{name: "kms key and alias", create: createKeyAndAlias, snapshot: snapshotKMS},
	{name: "log group", create: createLogGroup, snapshot: snapshotLogGroups},
	{name: "ecr repository and image", create: createRepository, snapshot: snapshotRepositories},
	{name: "ecs task definition", create: createTaskDefinition, snapshot: snapshotTaskDefinitions},
	{name: "secret", create: createSecret, snapshot: snapshotSecrets},
}

func createRepository(ctx context.Context, t *testing.T, cfg aws.Config, tag string) []string {
	c := ecr.NewFromConfig(cfg)
	name := "persist/" + tag
	must(c.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName: aws.String(name), ImageTagMutability: ecrtypes.ImageTagMutabilityImmutable,
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
	}))(t)
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",` +
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:` + strings.Repeat("a", 64) + `","size":10},` +
		`"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:` + strings.Repeat("b", 64) + `","size":1234}]}`
	must(c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String(name), ImageManifest: aws.String(manifest), ImageTag: aws.String("v-" + tag)}))(t)
	return []string{"repo:" + name}
}

func snapshotRepositories(ctx context.Context, t *testing.T, cfg aws.Config) map[string]any {
	c := ecr.NewFromConfig(cfg)
	out := map[string]any{}
	p := ecr.NewDescribeRepositoriesPaginator(c, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		for _, r := range must(p.NextPage(ctx))(t).Repositories {
			images := must(c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: r.RepositoryName}))(t).ImageDetails
			out["repo:"+aws.ToString(r.RepositoryName)] = []any{r, images}
		}
	}
	return out
}

func createTaskDefinition(ctx context.Context, t *testing.T, cfg aws.Config, tag string) []string {
	c := ecs.NewFromConfig(cfg)
	family := "persist-" + tag
	for range 2 {
		must(c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family: aws.String(family), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
			NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx:latest"),
				PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}},
		}))(t)
	}
	must(c.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(family + ":1")}))(t)
	return []string{"td:" + family + ":1", "td:" + family + ":2"}
}

func snapshotTaskDefinitions(ctx context.Context, t *testing.T, cfg aws.Config) map[string]any {
	c := ecs.NewFromConfig(cfg)
	out := map[string]any{}
	for _, status := range []ecstypes.TaskDefinitionStatus{ecstypes.TaskDefinitionStatusActive, ecstypes.TaskDefinitionStatusInactive} {
		p := ecs.NewListTaskDefinitionsPaginator(c, &ecs.ListTaskDefinitionsInput{Status: status, MaxResults: aws.Int32(2)})
		for p.HasMorePages() {
			for _, arn := range must(p.NextPage(ctx))(t).TaskDefinitionArns {
				td := must(c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)}))(t).TaskDefinition
				out["td:"+aws.ToString(td.Family)+":"+fmt.Sprint(td.Revision)] = td
			}
		}
	}
	return out
}

func createSecret(ctx context.Context, t *testing.T, cfg aws.Config, tag string) []string {
	c := secretsmanager.NewFromConfig(cfg)
	name := "persist/" + tag
	must(c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(`{"username":"AWS","password":"p-` + tag + `"}`)}))(t)
	must(c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("second-" + tag)}))(t)
	return []string{"secret:" + name}
}

func snapshotSecrets(ctx context.Context, t *testing.T, cfg aws.Config) map[string]any {
	c := secretsmanager.NewFromConfig(cfg)
	out := map[string]any{}
	p := secretsmanager.NewListSecretsPaginator(c, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		for _, s := range must(p.NextPage(ctx))(t).SecretList {
			cur := must(c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: s.ARN}))(t)
			prev := must(c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: s.ARN, VersionStage: aws.String("AWSPREVIOUS")}))(t)
			// LastAccessedDate moves with every read; compare the rest.
			s.LastAccessedDate = nil
			out["secret:"+aws.ToString(s.Name)] = []any{s, aws.ToString(cur.SecretString), aws.ToString(prev.SecretString), cur.VersionId, prev.VersionId}
		}
	}
	return out
}

const ecsTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// must turns an SDK call's (value, error) into the value, failing the test
// on error: must(c.Op(ctx, in))(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func createRole(ctx context.Context, t *testing.T, cfg aws.Config, tag string) []string {
	c := iam.NewFromConfig(cfg)
	name := "persist-" + tag
	must(c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(ecsTrust),
		Description: aws.String("restart test " + tag), MaxSessionDuration: aws.Int32(7200),
		Tags: []iamtypes.Tag{{Key: aws.String("tag"), Value: aws.String(tag)}},
	}))(t)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
		RoleName: aws.String(name), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"),
	}))(t)
	return []string{"role:" + name}
}

func snapshotRoles(ctx context.Context, t *testing.T, cfg aws.Config) map[string]any {
	c := iam.NewFromConfig(cfg)
	out := map[string]any{}
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		for _, r := range must(p.NextPage(ctx))(t).Roles {
			full := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: r.RoleName}))(t).Role
			attached := must(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName}))(t).AttachedPolicies
			out["role:"+aws.ToString(r.RoleName)] = []any{r, full, attached}
		}
	}
	return out
}

func createKeyAndAlias(ctx context.Context, t *testing.T, cfg aws.Config, tag string) []string {
	c := kms.NewFromConfig(cfg)
	key := must(c.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String("restart test " + tag),
		Tags:        []kmstypes.Tag{{TagKey: aws.String("tag"), TagValue: aws.String(tag)}},
	}))(t).KeyMetadata
	alias := "alias/persist-" + tag
	must(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: key.KeyId}))(t)
	keys := []string{"key:" + aws.ToString(key.KeyId), "alias:" + alias}
	if tag == "a" {
		// First use of an AWS managed key creates it; it must persist too.
		managed := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/ecr")}))(t).KeyMetadata
		keys = append(keys, "key:"+aws.ToString(managed.KeyId))
	}
	return keys
}

func snapshotKMS(ctx context.Context, t *testing.T, cfg aws.Config) map[string]any {
	c := kms.NewFromConfig(cfg)
	out := map[string]any{}
	kp := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(2)})
	for kp.HasMorePages() {
		for _, k := range must(kp.NextPage(ctx))(t).Keys {
			out["key:"+aws.ToString(k.KeyId)] = must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId}))(t).KeyMetadata
		}
	}
	ap := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{Limit: aws.Int32(3)})
	for ap.HasMorePages() {
		for _, a := range must(ap.NextPage(ctx))(t).Aliases {
			out["alias:"+aws.ToString(a.AliasName)] = a
		}
	}
	return out
}

func createLogGroup(ctx context.Context, t *testing.T, cfg aws.Config, tag string) []string {
	c := cloudwatchlogs.NewFromConfig(cfg)
	name := "/ecs/persist-" + tag
	must(c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), Tags: map[string]string{"tag": tag}}))(t)
	must(c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(14)}))(t)
	return []string{"group:" + name}
}

func snapshotLogGroups(ctx context.Context, t *testing.T, cfg aws.Config) map[string]any {
	c := cloudwatchlogs.NewFromConfig(cfg)
	out := map[string]any{}
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		for _, g := range must(p.NextPage(ctx))(t).LogGroups {
			out["group:"+aws.ToString(g.LogGroupName)] = g
		}
	}
	return out
}

// state is every resource kind's snapshot, each entry as JSON so that
// comparisons ignore pointer identity and show readable diffs.
type state map[string]map[string]string

func takeSnapshot(ctx context.Context, t *testing.T, cfg aws.Config) state {
	t.Helper()
	s := state{}
	for _, r := range resources {
		s[r.name] = map[string]string{}
		for k, v := range r.snapshot(ctx, t, cfg) {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			s[r.name][k] = string(b)
		}
	}
	return s
}

// mustContain checks that every entry of want is in got, unchanged.
func mustContain(t *testing.T, got, want state) {
	t.Helper()
	for kind, entries := range want {
		for k, v := range entries {
			g, ok := got[kind][k]
			switch {
			case !ok:
				t.Errorf("%s %s was lost", kind, k)
			case g != v:
				t.Errorf("%s %s changed:\nbefore %s\nafter  %s", kind, k, v, g)
			}
		}
	}
}

func keysOf(s state) []string {
	var out []string
	for kind, entries := range s {
		for k := range entries {
			out = append(out, kind+" "+k)
		}
	}
	sort.Strings(out)
	return out
}

// --- running the real binary ---

func TestMain(m *testing.M) { emutest.Main(m) }

func TestStateSurvivesRestartAndKill(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	addr := emutest.FreeAddr(t)

	proc := emutest.StartBinary(t, addr, dataDir)
	cfg := emutest.Config(proc.Env.URL, "us-east-1")
	cli := clitest.New(t, proc.Env.URL)

	var created []string
	for _, r := range resources {
		created = append(created, r.create(ctx, t, cfg, "a")...)
	}
	before := takeSnapshot(ctx, t, cfg)
	for _, k := range created {
		if !hasKey(before, k) {
			t.Fatalf("%s missing right after creation; have %v", k, keysOf(before))
		}
	}
	roleBefore := cli.MustRun(t, "iam", "get-role", "--role-name", "persist-a").Stdout

	// (1) A clean stop and start keeps exactly the same state.
	proc.Stop(t, syscall.SIGTERM)
	proc = emutest.StartBinary(t, addr, dataDir)
	after := takeSnapshot(ctx, t, cfg)
	mustContain(t, after, before)
	mustContain(t, before, after)
	if got := cli.MustRun(t, "iam", "get-role", "--role-name", "persist-a").Stdout; got != roleBefore {
		t.Errorf("aws iam get-role differs after restart:\nbefore %s\nafter  %s", roleBefore, got)
	}

	// (2) SIGKILL straight after the 200s loses nothing that was confirmed.
	var confirmed []string
	for _, r := range resources {
		confirmed = append(confirmed, r.create(ctx, t, cfg, "b")...)
	}
	proc.Stop(t, syscall.SIGKILL)
	proc = emutest.StartBinary(t, addr, dataDir)
	killed := takeSnapshot(ctx, t, cfg)
	mustContain(t, killed, before)
	for _, k := range confirmed {
		if !hasKey(killed, k) {
			t.Errorf("%s was confirmed before SIGKILL and lost; have %v", k, keysOf(killed))
		}
	}
	if got := cli.MustRun(t, "iam", "get-role", "--role-name", "persist-a").Stdout; got != roleBefore {
		t.Errorf("aws iam get-role differs after SIGKILL:\nbefore %s\nafter  %s", roleBefore, got)
	}
	cli.MustRun(t, "iam", "get-role", "--role-name", "persist-b")
	proc.Stop(t, syscall.SIGTERM)
}

func hasKey(s state, key string) bool {
	for _, entries := range s {
		if _, ok := entries[key]; ok {
			return true
		}
	}
	return false
}
