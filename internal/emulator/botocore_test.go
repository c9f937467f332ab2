package emulator_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

// botocoreError is an error as botocore parsed it, or nil for a call that
// succeeded where it should have failed.
type botocoreError struct {
	Code, Message string
	Status        int
}

// TestBotocore runs testdata/botocore_calls.py: boto3 and botocore, the
// Python SDK, call every emulated service, the Query protocol's XML and the
// JSON protocol's errors included, and must read AWS's answers.
func TestBotocore(t *testing.T) {
	t.Parallel()
	// Debian's python3-boto3 (what .ci/run installs) lives with Debian's
	// Python, whatever python3 comes first on PATH.
	python := "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Fatalf("boto3 is needed for this test: apt-get install python3-boto3 (.ci/run does)\n%s", out)
	}
	env := emutest.Start(t)
	cmd := exec.Command(python, "testdata/botocore_calls.py", env.URL)
	cmd.Env = append(clitest.WithoutAWS(os.Environ()), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore_calls.py: %v\n%s", err, stderr.String())
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("botocore_calls.py printed %q: %v", raw, err)
	}
	value := func(key string, v any) {
		t.Helper()
		if err := json.Unmarshal(got[key], v); err != nil {
			t.Fatalf("%s = %s: %v", key, got[key], err)
		}
	}
	equal := func(key string, want any) {
		t.Helper()
		p := reflect.New(reflect.TypeOf(want))
		value(key, p.Interface())
		if g := p.Elem().Interface(); !reflect.DeepEqual(g, want) {
			t.Errorf("%s = %#v, want %#v", key, g, want)
		}
	}
	refused := func(key, code, message string, status int) {
		t.Helper()
		var e *botocoreError
		value(key, &e)
		if e == nil || e.Code != code || !strings.HasPrefix(e.Message, message) || e.Status != status {
			t.Errorf("%s = %+v, want %d %s %q…", key, e, status, code, message)
		}
	}

	equal("ecr.uri", "000000000000.dkr.ecr.us-east-1.amazonaws.com/boto/app")
	equal("ecr.mutability", "MUTABLE")
	equal("ecr.createdAtType", "datetime")
	refused("ecr.again", "RepositoryAlreadyExistsException", "The repository with name 'boto/app' already exists", 400)
	refused("ecr.badName", "InvalidParameterException", "Invalid parameter at 'repositoryName' failed to satisfy constraint:", 400)
	equal("ecr.names", []string{"boto/app"})
	equal("ecr.tokenUser", "AWS")

	refused("ecs.fargateBridge", "ClientException", "Fargate only supports network mode ‘awsvpc’.", 400)
	equal("ecs.revision", 1)
	equal("ecs.essential", true)
	equal("ecs.cpu", 0)
	equal("ecs.tags", []map[string]string{{"key": "team", "value": "a"}})
	equal("ecs.arns", []string{"arn:aws:ecs:us-east-1:000000000000:task-definition/boto:1"})
	refused("ecs.missing", "ClientException", "Unable to describe task definition.", 400)

	var arn string
	value("sm.arn", &arn)
	if !regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:boto/db-[A-Za-z0-9]{6}$`).MatchString(arn) {
		t.Errorf("sm.arn = %s", arn)
	}
	equal("sm.value", `{"password":"p"}`)
	refused("sm.window3", "InvalidParameterException", "", 400)
	refused("sm.deleted", "InvalidRequestException", "", 400)
	equal("sm.listed", []string{})

	equal("iam.arn", "arn:aws:iam::000000000000:role/boto-task")
	refused("iam.again", "EntityAlreadyExists", "Role with name boto-task already exists.", 409)
	refused("iam.missing", "NoSuchEntity", "The role with name ghost cannot be found.", 404)
	equal("iam.attached", []string{"AmazonECSTaskExecutionRolePolicy"})
	var roles []string
	value("iam.roles", &roles)
	if !slices.Contains(roles, "boto-task") {
		t.Errorf("iam.roles = %v", roles)
	}

	equal("sts.account", "000000000000")
	refused("sts.unsigned", "MissingAuthenticationToken", "The request must contain", 403)

	var aliases []string
	value("kms.aliases", &aliases)
	if !slices.Contains(aliases, "alias/aws/ecr") || !slices.Contains(aliases, "alias/aws/secretsmanager") {
		t.Errorf("kms.aliases = %v", aliases)
	}
	equal("kms.keyState", "Enabled")
	equal("kms.described", "boto")

	// Every page of every listing, two items a page, through botocore's
	// paginators (IAM's Marker and IsTruncated, KMS's NextMarker and
	// Truncated, the others' nextToken).
	equal("pages.repositories", []string{"boto/app", "boto/page-0", "boto/page-1", "boto/page-2", "boto/page-3"})
	tdARN := "arn:aws:ecs:us-east-1:000000000000:task-definition/boto:"
	equal("pages.taskDefinitions", []string{tdARN + "1", tdARN + "2", tdARN + "3", tdARN + "4", tdARN + "5"})
	equal("pages.families", []string{"boto", "page-0", "page-1", "page-2", "page-3"})
	clARN := "arn:aws:ecs:us-east-1:000000000000:cluster/"
	equal("pages.clusters", []string{clARN + "page-0", clARN + "page-1", clARN + "page-2", clARN + "page-3"})
	equal("pages.secrets", []string{"boto/page-0", "boto/page-1", "boto/page-2", "boto/page-3"})
	var keys, noPageKeys, pagedAliases, noPageAliases int
	value("pages.keys", &keys)
	value("nopage.keys", &noPageKeys)
	value("pages.aliases", &pagedAliases)
	value("nopage.aliases", &noPageAliases)
	if keys != noPageKeys || keys < 5 || pagedAliases != noPageAliases || pagedAliases < 3 {
		t.Errorf("KMS pages: %d keys (%d in one call), %d aliases (%d in one call)", keys, noPageKeys, pagedAliases, noPageAliases)
	}
	equal("pages.logGroups", []string{"/boto/page-0", "/boto/page-1", "/boto/page-2", "/boto/page-3"})
	equal("pages.roles", []string{"boto-page-0", "boto-page-1", "boto-page-2", "boto-page-3", "boto-task"})
	equal("pages.attached", []string{"AmazonEC2ContainerRegistryPowerUser", "AmazonEC2ContainerRegistryReadOnly",
		"AmazonECSTaskExecutionRolePolicy", "AmazonECS_FullAccess", "SecretsManagerReadWrite"})

	equal("logs.retention", 7)
	equal("logs.creationTimeType", "int")
	refused("logs.again", "ResourceAlreadyExistsException", "", 400)
}
