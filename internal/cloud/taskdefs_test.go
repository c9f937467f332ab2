package cloud_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

func taskDefClients(t *testing.T) (*cloud.Clients, *atomic.Int64) {
	t.Helper()
	env := emutest.Start(t)
	var calls atomic.Int64
	b := cloud.New(context.Background(), cloud.Options{Endpoint: env.URL, Region: "us-east-1",
		Observe: func(service, op, outcome string, d time.Duration) { calls.Add(1) }})
	return b.In(""), &calls
}

const sccDoc = `{"family":"scc","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
"executionRoleArn":"arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
"containerDefinitions":[{"name":"scc","image":"000000000000.dkr.ecr.us-east-1.amazonaws.com/scc:latest","essential":true,
"portMappings":[{"containerPort":80}],
"repositoryCredentials":{"credentialsParameter":"arn:aws:secretsmanager:us-east-1:000000000000:secret:reg-AbCdEf"},
"secrets":[{"name":"DB","valueFrom":"arn:aws:secretsmanager:us-east-1:000000000000:secret:db:password::"}],
"futureContainerField":{"kept":true}}],
"tags":[{"key":"team","value":"payments"}]}`

func TestTaskDefRegisterSendsTheDocumentAsIs(t *testing.T) {
	c, _ := taskDefClients(t)
	ctx := context.Background()
	td, err := c.RegisterTaskDef(ctx, []byte(sccDoc))
	if err != nil {
		t.Fatal(err)
	}
	if td.Family != "scc" || td.Revision != 1 || td.Status != "ACTIVE" || !strings.HasSuffix(td.ARN, ":task-definition/scc:1") {
		t.Fatalf("registered %+v", td)
	}
	if td.RegisteredAt.IsZero() || time.Since(td.RegisteredAt) > time.Minute {
		t.Errorf("registeredAt %v", td.RegisteredAt)
	}
	got, err := c.DescribeTaskDef(ctx, "scc:1")
	if err != nil {
		t.Fatal(err)
	}
	// A key the SDK does not know went to ECS and came back.
	var doc struct {
		ContainerDefinitions []map[string]any `json:"containerDefinitions"`
	}
	if err := json.Unmarshal(got.Doc, &doc); err != nil || len(doc.ContainerDefinitions) != 1 {
		t.Fatalf("doc %s: %v", got.Doc, err)
	}
	if _, ok := doc.ContainerDefinitions[0]["futureContainerField"]; !ok {
		t.Errorf("unknown key lost: %s", got.Doc)
	}
	if len(got.Tags) != 1 || got.Tags[0].Key != "team" {
		t.Errorf("tags %+v", got.Tags)
	}
	if _, err := c.DescribeTaskDef(ctx, "nope:9"); !errors.Is(err, cloud.ErrTaskDefNotFound) {
		t.Errorf("missing revision: %v", err)
	}
	// ECS's own refusal comes back as an AWS error with its message.
	_, err = c.RegisterTaskDef(ctx, []byte(`{"family":"scc","requiresCompatibilities":["FARGATE"],"networkMode":"bridge","cpu":"256","memory":"512","containerDefinitions":[{"name":"a","image":"b"}]}`))
	if cloud.ErrorCode(err) != "ClientException" || !strings.Contains(cloud.ErrorMessage(err), "awsvpc") {
		t.Errorf("refused register: %v", err)
	}
}

func TestTaskDefListsDeregisterDelete(t *testing.T) {
	c, calls := taskDefClients(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := c.RegisterTaskDef(ctx, []byte(sccDoc)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.RegisterTaskDef(ctx, []byte(strings.Replace(sccDoc, `"family":"scc"`, `"family":"other"`, 1))); err != nil {
		t.Fatal(err)
	}
	fams, err := c.ListTaskDefFamilies(ctx, "ACTIVE", "sc", "", 10)
	if err != nil || len(fams.Families) != 1 || fams.Families[0] != "scc" {
		t.Fatalf("families %+v %v", fams, err)
	}
	page, err := c.ListTaskDefRevisions(ctx, "scc", "ACTIVE", "", 2)
	if err != nil || len(page.Revisions) != 2 || page.Revisions[0].Revision != 3 || page.NextToken == "" {
		t.Fatalf("revisions %+v %v", page, err)
	}
	next, err := c.ListTaskDefRevisions(ctx, "scc", "ACTIVE", page.NextToken, 2)
	if err != nil || len(next.Revisions) != 1 || next.Revisions[0].Revision != 1 {
		t.Fatalf("second page %+v %v", next, err)
	}

	// Summaries: registered revisions are described once.
	arns := []string{page.Revisions[0].ARN, page.Revisions[1].ARN, next.Revisions[0].ARN}
	before := calls.Load()
	sums, err := c.TaskDefSummaries(ctx, arns)
	if err != nil || len(sums) != 3 || sums[2].Revision != 1 {
		t.Fatalf("summaries %v %v", sums, err)
	}
	if n := calls.Load() - before; n != 0 {
		t.Errorf("summaries of revisions just registered cost %d calls; registering fills the cache", n)
	}

	if _, _, err := c.DeleteTaskDefs(ctx, []string{"scc:1"}); err != nil {
		t.Fatal(err)
	}
	_, fails, _ := c.DeleteTaskDefs(ctx, []string{"scc:1"})
	if len(fails) != 1 || !strings.Contains(fails[0].Reason, "ACTIVE") {
		t.Errorf("deleting an ACTIVE revision: %+v", fails)
	}
	if err := c.DeregisterTaskDef(ctx, "scc:1"); err != nil {
		t.Fatal(err)
	}
	inactive, _ := c.ListTaskDefRevisions(ctx, "scc", "INACTIVE", "", 10)
	if len(inactive.Revisions) != 1 || inactive.Revisions[0].Revision != 1 {
		t.Errorf("inactive %+v", inactive)
	}
	deleted, fails, err := c.DeleteTaskDefs(ctx, []string{"scc:1"})
	if err != nil || len(deleted) != 1 || len(fails) != 0 {
		t.Errorf("delete %v %v %v", deleted, fails, err)
	}
	td, _ := c.DescribeTaskDef(ctx, "scc:1")
	if td == nil || td.Status != "DELETE_IN_PROGRESS" {
		t.Errorf("after delete: %+v", td)
	}
}

func TestTaskDefsWhereUsed(t *testing.T) {
	c, _ := taskDefClients(t)
	ctx := context.Background()
	if _, err := c.RegisterTaskDef(ctx, []byte(sccDoc)); err != nil {
		t.Fatal(err)
	}
	uses, complete, err := c.TaskDefsUsingRepository(ctx, "000000000000.dkr.ecr.us-east-1.amazonaws.com/scc")
	if err != nil || !complete || len(uses) != 1 || uses[0].Family != "scc" || uses[0].Containers[0] != "scc" {
		t.Errorf("repository uses %+v %v %v", uses, complete, err)
	}
	if uses, _, _ := c.TaskDefsUsingRepository(ctx, "000000000000.dkr.ecr.us-east-1.amazonaws.com/sc"); len(uses) != 0 {
		t.Errorf("prefix of a repository name matched: %+v", uses)
	}
	for arn, want := range map[string]int{
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:reg-AbCdEf": 1, // registry credentials
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:db-XyZ123":  1, // partial ARN with a JSON key
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:d-XyZ123":   0,
	} {
		uses, _, err := c.TaskDefsUsingSecret(ctx, arn)
		if err != nil || len(uses) != want {
			t.Errorf("secret %s: %+v %v", arn, uses, err)
		}
	}
}

// Registry credentials may name a secret of the task's region; a container
// secret's bare name is a Systems Manager parameter; log drivers read
// secrets through secretOptions.
func TestTaskDefsWhereUsedByNameAndLogOptions(t *testing.T) {
	c, _ := taskDefClients(t)
	ctx := context.Background()
	doc := `{"family":"byname","executionRoleArn":"arn:aws:iam::000000000000:role/ecsTaskExecutionRole","containerDefinitions":[
{"name":"web","image":"registry.example.com/web:1","memory":128,"repositoryCredentials":{"credentialsParameter":"team/regcred"},
 "secrets":[{"name":"TOKEN","valueFrom":"token"}]},
{"name":"logs","image":"busybox","memory":128,"secrets":[{"name":"X","valueFrom":"arn:aws:ssm:us-east-1:000000000000:parameter/x"}],
 "logConfiguration":{"logDriver":"splunk","options":{"splunk-url":"https://splunk.example.com"},
  "secretOptions":[{"name":"splunk-token","valueFrom":"arn:aws:secretsmanager:us-east-1:000000000000:secret:splunk-QwErTy"}]}}]}`
	if _, err := c.RegisterTaskDef(ctx, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	for arn, want := range map[string]string{
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:team/regcred-AbCdEf": "web",  // by name, same region
		"arn:aws:secretsmanager:us-west-2:000000000000:secret:team/regcred-AbCdEf": "",     // a name means the task's region
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:regcred-AbCdEf":      "",     // a name is matched whole
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:token-AbCdEf":        "",     // a bare valueFrom is a parameter
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:splunk-QwErTy":       "logs", // log secret option
	} {
		uses, _, err := c.TaskDefsUsingSecret(ctx, arn)
		got := ""
		if len(uses) == 1 {
			got = strings.Join(uses[0].Containers, ",")
		}
		if err != nil || len(uses) > 1 || got != want {
			t.Errorf("secret %s: %+v %v, want containers %q", arn, uses, err, want)
		}
	}
}

func TestPickers(t *testing.T) {
	c, _ := taskDefClients(t)
	ctx := context.Background()
	if _, err := c.ECR.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("team/scc")}); err != nil {
		t.Fatal(err)
	}
	repos, _, err := c.PickerRepositories(ctx)
	if err != nil || len(repos) != 1 || repos[0].Value != "000000000000.dkr.ecr.us-east-1.amazonaws.com/team/scc" {
		t.Fatalf("repositories %+v %v", repos, err)
	}
	ref, ok := cloud.ParseECRImage(repos[0].Value)
	if !ok || ref.Repository != "team/scc" || ref.Tag != "latest" {
		t.Fatalf("parse %+v", ref)
	}
	if got := c.CheckECRImage(ctx, ref); got != cloud.ECRImageMissing {
		t.Errorf("missing tag: %v", got)
	}
	ref.Repository = "nope"
	if got := c.CheckECRImage(ctx, ref); got != cloud.ECRRepositoryMissing {
		t.Errorf("missing repository: %v", got)
	}
	if _, ok := cloud.ParseECRImage("nginx:latest"); ok {
		t.Error("Docker Hub image read as ECR")
	}

	for name, value := range map[string]string{"reg": `{"username":"AWS","password":"x"}`, "plain": "hello"} {
		in := &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}
		if name == "reg" {
			in.Tags = []smtypes.Tag{{Key: aws.String(cloud.RegistryCredentialsTagKey), Value: aws.String(cloud.RegistryCredentialsTagValue)}}
		}
		if _, err := c.SecretsManager.CreateSecret(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	secrets, _, err := c.PickerSecrets(ctx, "")
	if err != nil || len(secrets) != 2 {
		t.Fatalf("secrets %+v %v", secrets, err)
	}
	for _, s := range secrets {
		if s.Registry != (s.Label == "reg") {
			t.Errorf("%s marked as registry credentials = %v", s.Label, s.Registry)
		}
		ok, err := c.SecretHoldsRegistryCredentials(ctx, s.Value)
		if err != nil || ok != (s.Label == "reg") {
			t.Errorf("%s holds credentials = %v, %v", s.Label, ok, err)
		}
		if n, _ := cloud.SecretNameFromARN(s.Value + ":password::"); n != s.Label {
			t.Errorf("name from %s = %q", s.Value, n)
		}
	}

	arn, err := c.CreateTaskExecutionRole(ctx)
	if err != nil || !strings.HasSuffix(arn, ":role/ecsTaskExecutionRole") {
		t.Fatalf("create role %q %v", arn, err)
	}
	if again, err := c.CreateTaskExecutionRole(ctx); err != nil || again != arn {
		t.Errorf("create again %q %v", again, err)
	}
	other := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`
	if _, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("lambda-role"), AssumeRolePolicyDocument: aws.String(other)}); err != nil {
		t.Fatal(err)
	}
	roles, _, err := c.PickerTaskRoles(ctx)
	if err != nil || len(roles) != 1 || roles[0].Value != arn {
		t.Errorf("task roles %+v %v", roles, err)
	}
	attached, err := c.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("ecsTaskExecutionRole")})
	if err != nil || len(attached.AttachedPolicies) != 1 || aws.ToString(attached.AttachedPolicies[0].PolicyArn) != cloud.TaskExecutionPolicyARN {
		t.Errorf("attached %+v %v", attached, err)
	}

	created, err := c.EnsureLogGroup(ctx, "/ecs/scc")
	if err != nil || !created {
		t.Errorf("log group %v %v", created, err)
	}
	if created, err := c.EnsureLogGroup(ctx, "/ecs/scc"); err != nil || created {
		t.Errorf("log group again %v %v", created, err)
	}
}
