package ecs_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

type cliTD struct {
	TaskDefinition struct {
		TaskDefinitionArn string
		Family            string
		Revision          int
		Status            string
		NetworkMode       string
		Cpu, Memory       string
		Compatibilities   []string
		DeregisteredAt    any
		ContainerDefs     []struct {
			Name      string
			Essential *bool
			Cpu       *int
		} `json:"containerDefinitions"`
	} `json:"taskDefinition"`
}

const cliFargate = `{
  "family": "cli-web",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "0.25 vCPU",
  "memory": "512",
  "containerDefinitions": [{"name": "web", "image": "nginx", "portMappings": [{"containerPort": 80}]}]
}`

// TestCLI runs what a person types against the emulator with the real AWS CLI.
func TestCLI(t *testing.T) {
	t.Parallel()
	env := emutest.Start(t)
	cli := clitest.New(t, env.URL)
	dir := t.TempDir()
	file := filepath.Join(dir, "td.json")
	if err := os.WriteFile(file, []byte(cliFargate), 0o600); err != nil {
		t.Fatal(err)
	}

	var td cliTD
	cli.MustRun(t, "ecs", "register-task-definition", "--cli-input-json", "file://"+file).JSON(t, &td)
	got := td.TaskDefinition
	if got.TaskDefinitionArn != "arn:aws:ecs:us-east-1:000000000000:task-definition/cli-web:1" || got.Cpu != "256" || got.Status != "ACTIVE" ||
		!slices.Equal(got.Compatibilities, []string{"EC2", "FARGATE"}) {
		t.Errorf("register --cli-input-json = %+v", got)
	}
	if c := got.ContainerDefs[0]; c.Essential == nil || !*c.Essential || c.Cpu == nil || *c.Cpu != 0 {
		t.Errorf("container defaults = %+v", c)
	}

	cli.MustRun(t, "ecs", "register-task-definition", "--family", "cli-web",
		"--container-definitions", `[{"name":"web","image":"nginx","memory":128}]`).JSON(t, &td)
	if td.TaskDefinition.Revision != 2 || td.TaskDefinition.NetworkMode != "bridge" {
		t.Errorf("register --container-definitions = %+v", td.TaskDefinition)
	}
	cli.MustRun(t, "ecs", "register-task-definition", "--family", "cli-api",
		"--container-definitions", `[{"name":"api","image":"busybox","memory":64}]`)

	cli.MustRun(t, "ecs", "describe-task-definition", "--task-definition", "cli-web").JSON(t, &td)
	if td.TaskDefinition.Revision != 2 {
		t.Errorf("describe family = revision %d, want 2", td.TaskDefinition.Revision)
	}

	var list struct{ TaskDefinitionArns []string }
	cli.MustRun(t, "ecs", "list-task-definitions", "--sort", "DESC").JSON(t, &list)
	arn := func(s string) string { return "arn:aws:ecs:us-east-1:000000000000:task-definition/" + s }
	if !slices.Equal(list.TaskDefinitionArns, []string{arn("cli-web:2"), arn("cli-web:1"), arn("cli-api:1")}) {
		t.Errorf("list --sort DESC = %v", list.TaskDefinitionArns)
	}
	// The CLI pages through everything itself, two at a time here.
	cli.MustRun(t, "ecs", "list-task-definitions", "--family-prefix", "cli-web", "--page-size", "1").JSON(t, &list)
	if !slices.Equal(list.TaskDefinitionArns, []string{arn("cli-web:1"), arn("cli-web:2")}) {
		t.Errorf("list --family-prefix = %v", list.TaskDefinitionArns)
	}

	cli.MustRun(t, "ecs", "deregister-task-definition", "--task-definition", "cli-web:1").JSON(t, &td)
	if td.TaskDefinition.Status != "INACTIVE" || td.TaskDefinition.DeregisteredAt == nil {
		t.Errorf("deregister = %+v", td.TaskDefinition)
	}

	var del struct {
		TaskDefinitions []struct{ Status string }
		Failures        []struct{ Arn, Reason string }
	}
	// Debian's CLI (2.9) predates delete-task-definitions (2023); the SDK
	// test covers the operation, and newer CLIs get checked here.
	if r := cli.Run(t, "ecs", "delete-task-definitions", "--task-definitions", "cli-web:1", "cli-web:2"); strings.Contains(r.Stderr, "Invalid choice") {
		t.Log("this AWS CLI has no delete-task-definitions")
	} else {
		r.JSON(t, &del)
		if len(del.TaskDefinitions) != 1 || del.TaskDefinitions[0].Status != "DELETE_IN_PROGRESS" ||
			len(del.Failures) != 1 || !strings.Contains(del.Failures[0].Reason, "still in ACTIVE status") {
			t.Errorf("delete-task-definitions = %+v", del)
		}
	}

	var fams struct{ Families []string }
	cli.MustRun(t, "ecs", "list-task-definition-families", "--family-prefix", "cli-", "--status", "ACTIVE").JSON(t, &fams)
	if !slices.Equal(fams.Families, []string{"cli-api", "cli-web"}) {
		t.Errorf("list-task-definition-families = %v", fams.Families)
	}

}

// TestCLIErrorsAndClusters checks the errors a person sees in the CLI, and clusters.
func TestCLIErrorsAndClusters(t *testing.T) {
	t.Parallel()
	cli := clitest.New(t, emutest.Start(t).URL)
	r := cli.MustFail(t, "ClientException", "ecs", "register-task-definition", "--family", "bad",
		"--requires-compatibilities", "FARGATE", "--network-mode", "bridge", "--cpu", "256", "--memory", "512",
		"--container-definitions", `[{"name":"web","image":"nginx"}]`)
	if !strings.Contains(r.Stderr, "Fargate only supports network mode ‘awsvpc’.") {
		t.Errorf("fargate/bridge stderr = %s", r.Stderr)
	}
	r = cli.MustFail(t, "ClientException", "ecs", "register-task-definition", "--family", "bad",
		"--requires-compatibilities", "FARGATE", "--network-mode", "awsvpc", "--cpu", "333", "--memory", "1024",
		"--container-definitions", `[{"name":"web","image":"nginx"}]`)
	if !strings.Contains(r.Stderr, "No Fargate configuration exists for given values: 333 CPU, 1024 memory.") {
		t.Errorf("cpu 333 stderr = %s", r.Stderr)
	}

	r = cli.MustFail(t, "ClientException", "ecs", "describe-task-definition", "--task-definition", "ghost")
	if !strings.Contains(r.Stderr, "Unable to describe task definition.") {
		t.Errorf("describe ghost stderr = %s", r.Stderr)
	}

	var cl struct {
		Cluster struct{ ClusterName, Status string }
	}
	cli.MustRun(t, "ecs", "create-cluster").JSON(t, &cl)
	if cl.Cluster.ClusterName != "default" || cl.Cluster.Status != "ACTIVE" {
		t.Errorf("create-cluster = %+v", cl)
	}
	var dc struct {
		Clusters []struct{ ClusterName string }
		Failures []struct{ Arn, Reason string }
	}
	cli.MustRun(t, "ecs", "describe-clusters", "--clusters", "default", "nope").JSON(t, &dc)
	if len(dc.Clusters) != 1 || len(dc.Failures) != 1 || dc.Failures[0].Reason != "MISSING" {
		t.Errorf("describe-clusters = %+v", dc)
	}
}
