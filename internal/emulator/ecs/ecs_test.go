package ecs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/berthhq/berth/internal/emulator/emutest"
)

var ctx = context.Background()

const acct = "000000000000"

func client(t testing.TB) *ecs.Client {
	t.Helper()
	return ecs.NewFromConfig(emutest.Start(t).Config)
}

// fargate is a valid Fargate registration for family.
func fargate(family string) *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(family),
		NetworkMode:             types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name:         aws.String("web"),
			Image:        aws.String("nginx:1.27"),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(80)}},
		}},
	}
}

// ec2 is a valid bridge-mode registration for family.
func ec2(family string) *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(family),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("job"), Image: aws.String("busybox"), Memory: aws.Int32(128),
		}},
	}
}

func register(t testing.TB, c *ecs.Client, in *ecs.RegisterTaskDefinitionInput) *types.TaskDefinition {
	t.Helper()
	out, err := c.RegisterTaskDefinition(ctx, in)
	if err != nil {
		t.Fatalf("RegisterTaskDefinition(%s): %v", aws.ToString(in.Family), err)
	}
	return out.TaskDefinition
}

// wantClientError checks for a ClientException whose message contains msg.
func wantClientError(t *testing.T, err error, msg string) {
	t.Helper()
	var ce *types.ClientException
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want ClientException %q", err, msg)
	}
	if !strings.Contains(ce.ErrorMessage(), msg) {
		t.Fatalf("message = %q, want it to contain %q", ce.ErrorMessage(), msg)
	}
}

func TestRegisterFargateDefaults(t *testing.T) {
	t.Parallel()
	c := client(t)
	in := fargate("web")
	in.ExecutionRoleArn = aws.String("arn:aws:iam::000000000000:role/exec")
	in.ContainerDefinitions[0].Image = aws.String("000000000000.dkr.ecr.us-east-1.amazonaws.com/web:1")
	in.ContainerDefinitions[0].LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs,
		Options: map[string]string{"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web"}}
	in.ContainerDefinitions[0].Secrets = []types.Secret{{Name: aws.String("DB"), ValueFrom: aws.String("arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf")}}
	in.ContainerDefinitions[0].HealthCheck = &types.HealthCheck{Command: []string{"CMD-SHELL", "true"}}
	td := register(t, c, in)

	if got := aws.ToString(td.TaskDefinitionArn); got != "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1" {
		t.Errorf("arn = %s", got)
	}
	if td.Revision != 1 || td.Status != types.TaskDefinitionStatusActive {
		t.Errorf("revision %d status %s", td.Revision, td.Status)
	}
	if !slices.Equal(td.Compatibilities, []types.Compatibility{"EC2", "FARGATE"}) {
		t.Errorf("compatibilities = %v", td.Compatibilities)
	}
	if !slices.Equal(td.RequiresCompatibilities, []types.Compatibility{"FARGATE"}) {
		t.Errorf("requiresCompatibilities = %v", td.RequiresCompatibilities)
	}
	if aws.ToString(td.RegisteredBy) != "arn:aws:iam::000000000000:root" || td.RegisteredAt == nil {
		t.Errorf("registeredBy %v at %v", aws.ToString(td.RegisteredBy), td.RegisteredAt)
	}
	if td.Volumes == nil || td.PlacementConstraints == nil {
		t.Error("volumes or placementConstraints missing, want []")
	}
	cd := td.ContainerDefinitions[0]
	if cd.Essential == nil || !*cd.Essential {
		t.Errorf("essential = %v, want true by default", cd.Essential)
	}
	if cd.Cpu != 0 || cd.Environment == nil || cd.MountPoints == nil || cd.VolumesFrom == nil {
		t.Errorf("container defaults: cpu %d env %v mounts %v volumesFrom %v", cd.Cpu, cd.Environment, cd.MountPoints, cd.VolumesFrom)
	}
	pm := cd.PortMappings[0]
	if aws.ToInt32(pm.HostPort) != 80 || pm.Protocol != types.TransportProtocolTcp {
		t.Errorf("port mapping = host %d proto %s, want 80 tcp", aws.ToInt32(pm.HostPort), pm.Protocol)
	}
	if hc := cd.HealthCheck; aws.ToInt32(hc.Interval) != 30 || aws.ToInt32(hc.Timeout) != 5 || aws.ToInt32(hc.Retries) != 3 {
		t.Errorf("health check defaults = %+v", hc)
	}
	var attrs []string
	for _, a := range td.RequiresAttributes {
		attrs = append(attrs, aws.ToString(a.Name))
	}
	for _, want := range []string{
		"ecs.capability.task-eni",
		"com.amazonaws.ecs.capability.docker-remote-api.1.18",
		"com.amazonaws.ecs.capability.logging-driver.awslogs",
		"ecs.capability.execution-role-awslogs",
		"com.amazonaws.ecs.capability.ecr-auth",
		"ecs.capability.execution-role-ecr-pull",
		"ecs.capability.secrets.asm.environment-variables",
		"ecs.capability.container-health-check",
	} {
		if !slices.Contains(attrs, want) {
			t.Errorf("requiresAttributes %v lacks %s", attrs, want)
		}
	}
}

func TestRegisterEC2Defaults(t *testing.T) {
	t.Parallel()
	c := client(t)
	in := ec2("batch")
	in.ContainerDefinitions[0].PortMappings = []types.PortMapping{{ContainerPort: aws.Int32(8080)}}
	in.ContainerDefinitions[0].RepositoryCredentials = &types.RepositoryCredentials{CredentialsParameter: aws.String("arn:aws:secretsmanager:us-east-1:000000000000:secret:hub")}
	in.ExecutionRoleArn = aws.String("arn:aws:iam::000000000000:role/ecsTaskExecutionRole")
	in.Cpu = aws.String("1 vCPU")
	in.Memory = aws.String("2 GB")
	td := register(t, c, in)
	if td.NetworkMode != types.NetworkModeBridge {
		t.Errorf("networkMode = %q, want bridge", td.NetworkMode)
	}
	if aws.ToString(td.Cpu) != "1024" || aws.ToString(td.Memory) != "2048" {
		t.Errorf("cpu %s memory %s, want 1024 2048", aws.ToString(td.Cpu), aws.ToString(td.Memory))
	}
	if !slices.Equal(td.Compatibilities, []types.Compatibility{"EXTERNAL", "EC2"}) {
		t.Errorf("compatibilities = %v", td.Compatibilities)
	}
	if td.RequiresCompatibilities != nil {
		t.Errorf("requiresCompatibilities = %v, want none", td.RequiresCompatibilities)
	}
	if pm := td.ContainerDefinitions[0].PortMappings[0]; aws.ToInt32(pm.HostPort) != 0 {
		t.Errorf("bridge hostPort = %d, want 0", aws.ToInt32(pm.HostPort))
	}
	found := false
	for _, a := range td.RequiresAttributes {
		if aws.ToString(a.Name) == "ecs.capability.private-registry-authentication.secretsmanager" {
			found = true
		}
	}
	if !found {
		t.Errorf("requiresAttributes %v lacks private registry authentication", td.RequiresAttributes)
	}

	// awsvpc with a valid Fargate size is Fargate-compatible even unasked.
	in = fargate("svc")
	in.RequiresCompatibilities = nil
	if td := register(t, c, in); !slices.Contains(td.Compatibilities, types.CompatibilityFargate) {
		t.Errorf("awsvpc 256/512 compatibilities = %v", td.Compatibilities)
	}
}

func TestRegisterRejects(t *testing.T) {
	t.Parallel()
	c := client(t)
	for _, tc := range []struct {
		name   string
		mutate func(*ecs.RegisterTaskDefinitionInput)
		msg    string
	}{
		{"fargate bridge", func(in *ecs.RegisterTaskDefinitionInput) { in.NetworkMode = types.NetworkModeBridge }, "Fargate only supports network mode ‘awsvpc’."},
		{"fargate no network mode", func(in *ecs.RegisterTaskDefinitionInput) { in.NetworkMode = "" }, "Fargate only supports network mode ‘awsvpc’."},
		{"fargate cpu 333", func(in *ecs.RegisterTaskDefinitionInput) { in.Cpu = aws.String("333"); in.Memory = aws.String("1024") },
			"No Fargate configuration exists for given values: 333 CPU, 1024 memory. See the Amazon ECS documentation for the valid values."},
		{"fargate 512/512", func(in *ecs.RegisterTaskDefinitionInput) { in.Cpu = aws.String("512"); in.Memory = aws.String("512") }, "512 CPU, 512 memory"},
		{"fargate no cpu", func(in *ecs.RegisterTaskDefinitionInput) { in.Cpu = nil }, "Fargate requires that 'cpu' be defined at the task level."},
		{"fargate no memory", func(in *ecs.RegisterTaskDefinitionInput) { in.Memory = nil }, "Fargate requires that 'memory' be defined at the task level."},
		{"fargate privileged", func(in *ecs.RegisterTaskDefinitionInput) { in.ContainerDefinitions[0].Privileged = aws.Bool(true) }, "privileged"},
		{"fargate ipc", func(in *ecs.RegisterTaskDefinitionInput) { in.IpcMode = types.IpcModeHost }, "Tasks using the Fargate launch type do not support ipcMode."},
		{"fargate pid host", func(in *ecs.RegisterTaskDefinitionInput) { in.PidMode = types.PidModeHost }, "do not support pidMode 'host'"},
		{"fargate placement", func(in *ecs.RegisterTaskDefinitionInput) {
			in.PlacementConstraints = []types.TaskDefinitionPlacementConstraint{{Type: "memberOf", Expression: aws.String("attribute:x == y")}}
		}, "placement constraints"},
		{"fargate docker volume", func(in *ecs.RegisterTaskDefinitionInput) {
			in.Volumes = []types.Volume{{Name: aws.String("v"), DockerVolumeConfiguration: &types.DockerVolumeConfiguration{Driver: aws.String("local")}}}
		}, "dockerVolumeConfiguration"},
		{"fargate devices", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].LinuxParameters = &types.LinuxParameters{Devices: []types.Device{{HostPath: aws.String("/dev/fuse")}}}
		}, "devices"},
		{"fargate links", func(in *ecs.RegisterTaskDefinitionInput) { in.ContainerDefinitions[0].Links = []string{"db"} }, "Links are not supported when networkMode=awsvpc."},
		{"fargate awslogs without role", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs}
		}, "Fargate requires task definition to have execution role ARN to support log driver awslogs."},
		{"empty task role", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String("") }, "Role is not valid"},
		{"malformed execution role", func(in *ecs.RegisterTaskDefinitionInput) { in.ExecutionRoleArn = aws.String("arn:aws:s3:::bucket") }, "Role is not valid"},
		{"fargate ecr image without role", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].Image = aws.String("000000000000.dkr.ecr.us-east-1.amazonaws.com/web:1")
		}, "Fargate requires task definition to have execution role ARN to support ECR images."},
		{"bad family", func(in *ecs.RegisterTaskDefinitionInput) { in.Family = aws.String("my.app") }, "Family contains invalid characters."},
		{"long family", func(in *ecs.RegisterTaskDefinitionInput) { in.Family = aws.String(strings.Repeat("f", 256)) }, "Family contains invalid characters."},
		{"blank family", func(in *ecs.RegisterTaskDefinitionInput) { in.Family = aws.String("") }, "Family can not be blank."},
		{"bad container name", func(in *ecs.RegisterTaskDefinitionInput) { in.ContainerDefinitions[0].Name = aws.String("web app") }, "Container.name contains invalid characters."},
		{"11 containers", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions = nil
			for i := range 11 {
				in.ContainerDefinitions = append(in.ContainerDefinitions, types.ContainerDefinition{Name: aws.String(fmt.Sprint("c", i)), Image: aws.String("x")})
			}
		}, "Too many containers."},
		{"duplicate names", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions = append(in.ContainerDefinitions, types.ContainerDefinition{Name: aws.String("web"), Image: aws.String("x")})
		}, "Duplicate container name 'web'."},
		{"no essential", func(in *ecs.RegisterTaskDefinitionInput) { in.ContainerDefinitions[0].Essential = aws.Bool(false) }, "at least one essential container"},
		{"container memory over task", func(in *ecs.RegisterTaskDefinitionInput) { in.ContainerDefinitions[0].Memory = aws.Int32(1024) },
			"The 'memory' setting for container 'web' is greater than for the task."},
		{"reservation over memory", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].Memory = aws.Int32(256)
			in.ContainerDefinitions[0].MemoryReservation = aws.Int32(400)
		}, "Invalid 'memoryReservation' setting for container 'web'."},
		{"host port differs", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].PortMappings[0].HostPort = aws.Int32(8080)
		}, "When networkMode=awsvpc, the host ports and container ports in port mappings must match."},
		{"port out of range", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].PortMappings[0].ContainerPort = aws.Int32(70000)
		}, "Invalid port 70000"},
		{"bad protocol", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].PortMappings[0].Protocol = "sctp"
		}, "Invalid protocol 'sctp'"},
		{"health retries", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].HealthCheck = &types.HealthCheck{Command: []string{"CMD", "true"}, Retries: aws.Int32(11)}
		}, "Health check retries must be less than or equal to the maximum allowed value 10 for container 'web'"},
		{"health interval", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].HealthCheck = &types.HealthCheck{Command: []string{"CMD", "true"}, Interval: aws.Int32(4)}
		}, "Health check interval must be greater than or equal to the minimum allowed value 5"},
		{"health timeout", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].HealthCheck = &types.HealthCheck{Command: []string{"CMD", "true"}, Timeout: aws.Int32(1)}
		}, "Health check timeout"},
		{"health start period", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].HealthCheck = &types.HealthCheck{Command: []string{"CMD", "true"}, StartPeriod: aws.Int32(301)}
		}, "Health check startPeriod"},
		{"ephemeral storage", func(in *ecs.RegisterTaskDefinitionInput) {
			in.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: 20}
		}, "between 21 and 200 GiB"},
		{"repository credentials", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].RepositoryCredentials = &types.RepositoryCredentials{CredentialsParameter: aws.String("")}
		}, "credentialsParameter"},
		{"secret without valueFrom", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].Secrets = []types.Secret{{Name: aws.String("X"), ValueFrom: aws.String("")}}
		}, "valueFrom"},
		{"bad log driver", func(in *ecs.RegisterTaskDefinitionInput) {
			in.RequiresCompatibilities = nil
			in.ContainerDefinitions[0].LogConfiguration = &types.LogConfiguration{LogDriver: "loki"}
		}, "Log driver loki is not supported."},
		{"huge definition", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].Environment = []types.KeyValuePair{{Name: aws.String("BIG"), Value: aws.String(strings.Repeat("x", 70000))}}
		}, "Max allowed length is '65536' bytes."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := fargate("rejects")
			tc.mutate(in)
			_, err := c.RegisterTaskDefinition(ctx, in)
			wantClientError(t, err, tc.msg)
		})
	}

	// EC2: a container needs memory or a reservation when the task has none.
	in := ec2("batch")
	in.ContainerDefinitions[0].Memory = nil
	_, err := c.RegisterTaskDefinition(ctx, in)
	wantClientError(t, err, "Invalid setting for container 'job'. At least one of 'memory' or 'memoryReservation' must be specified.")
	in.ContainerDefinitions[0].MemoryReservation = aws.Int32(64)
	register(t, c, in)

	// A refused registration uses no revision number.
	if td := register(t, c, fargate("rejects")); td.Revision != 1 {
		t.Errorf("first accepted revision = %d, want 1", td.Revision)
	}
}

// TestRoundTripUnknownFields keeps every field of the request, including
// ones the emulator has no rules for.
func TestRoundTripUnknownFields(t *testing.T) {
	t.Parallel()
	c := client(t)
	in := fargate("full")
	in.ContainerDefinitions[0].DockerLabels = map[string]string{"team": "web"}
	in.ContainerDefinitions[0].Ulimits = []types.Ulimit{{Name: types.UlimitNameNofile, SoftLimit: 1024, HardLimit: 4096}}
	in.ContainerDefinitions[0].RestartPolicy = &types.ContainerRestartPolicy{Enabled: aws.Bool(true), RestartAttemptPeriod: aws.Int32(60)}
	in.RuntimePlatform = &types.RuntimePlatform{CpuArchitecture: types.CPUArchitectureArm64, OperatingSystemFamily: types.OSFamilyLinux}
	in.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: 50}
	in.EnableFaultInjection = aws.Bool(true)
	register(t, c, in)
	out, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("full")})
	if err != nil {
		t.Fatal(err)
	}
	td := out.TaskDefinition
	cd := td.ContainerDefinitions[0]
	if cd.DockerLabels["team"] != "web" || len(cd.Ulimits) != 1 || cd.Ulimits[0].HardLimit != 4096 || !aws.ToBool(cd.RestartPolicy.Enabled) {
		t.Errorf("container fields lost: %+v", cd)
	}
	if td.RuntimePlatform == nil || td.RuntimePlatform.CpuArchitecture != types.CPUArchitectureArm64 ||
		td.EphemeralStorage == nil || td.EphemeralStorage.SizeInGiB != 50 || !aws.ToBool(td.EnableFaultInjection) {
		t.Errorf("task fields lost: runtime %+v storage %+v fault %v", td.RuntimePlatform, td.EphemeralStorage, td.EnableFaultInjection)
	}
}

func TestDescribeDeregisterDelete(t *testing.T) {
	t.Parallel()
	c := client(t)
	for range 3 {
		register(t, c, fargate("app"))
	}
	desc := func(id string) (*ecs.DescribeTaskDefinitionOutput, error) {
		return c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(id)})
	}
	for id, want := range map[string]int32{
		"app":   3,
		"app:2": 2,
		"arn:aws:ecs:us-east-1:000000000000:task-definition/app:1": 1,
	} {
		out, err := desc(id)
		if err != nil {
			t.Fatalf("describe %s: %v", id, err)
		}
		if out.TaskDefinition.Revision != want {
			t.Errorf("describe %s = revision %d, want %d", id, out.TaskDefinition.Revision, want)
		}
	}
	for _, id := range []string{"nope", "app:9", "arn:aws:ecs:eu-west-1:000000000000:task-definition/app:1"} {
		_, err := desc(id)
		wantClientError(t, err, "Unable to describe task definition.")
	}

	// Deregistering the latest makes the family resolve to the one before.
	dout, err := c.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("app:3")})
	if err != nil {
		t.Fatal(err)
	}
	if dout.TaskDefinition.Status != types.TaskDefinitionStatusInactive || dout.TaskDefinition.DeregisteredAt == nil {
		t.Errorf("deregistered = %s at %v", dout.TaskDefinition.Status, dout.TaskDefinition.DeregisteredAt)
	}
	if out, _ := desc("app"); out == nil || out.TaskDefinition.Revision != 2 {
		t.Errorf("family after deregistering 3 = %+v", out)
	}
	if out, _ := desc("app:3"); out == nil || out.TaskDefinition.Status != types.TaskDefinitionStatusInactive {
		t.Errorf("app:3 = %+v, want INACTIVE and still describable", out)
	}
	_, err = c.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("app")})
	wantClientError(t, err, "Revision is missing.")
	_, err = c.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("app:42")})
	wantClientError(t, err, "Unable to describe task definition.")

	del, err := c.DeleteTaskDefinitions(ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{
		"app:3", "app:2", "app", "ghost:1", "arn:aws:ecs:us-east-1:000000000000:task-definition/app:3",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.TaskDefinitions) != 2 {
		t.Fatalf("deleted %d, want 2 (app:3 twice)", len(del.TaskDefinitions))
	}
	for _, td := range del.TaskDefinitions {
		if td.Status != types.TaskDefinitionStatusDeleteInProgress || td.DeleteRequestedAt == nil {
			t.Errorf("deleted = %s at %v", td.Status, td.DeleteRequestedAt)
		}
	}
	wantFailures := []types.Failure{
		{Arn: aws.String("app:2"), Reason: aws.String("The specified task definition is still in ACTIVE status. Please deregister the target and try again.")},
		{Arn: aws.String("app"), Reason: aws.String("The specified task definition identifier is invalid. Specify a valid name or ARN and try again.")},
		{Arn: aws.String("ghost:1"), Reason: aws.String("The specified task definition does not exist. Specify a valid account, family, revision and try again.")},
	}
	if len(del.Failures) != len(wantFailures) {
		t.Fatalf("failures = %+v", del.Failures)
	}
	for i, f := range del.Failures {
		if aws.ToString(f.Arn) != aws.ToString(wantFailures[i].Arn) || aws.ToString(f.Reason) != aws.ToString(wantFailures[i].Reason) {
			t.Errorf("failure %d = %s: %s", i, aws.ToString(f.Arn), aws.ToString(f.Reason))
		}
	}
	tooMany := make([]string, 11)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("app:%d", i+1)
	}
	_, err = c.DeleteTaskDefinitions(ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: tooMany})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Errorf("deleting 11: err = %v, want InvalidParameterException", err)
	}

	// Revisions are never reused, even after a delete.
	if td := register(t, c, fargate("app")); td.Revision != 4 {
		t.Errorf("next revision = %d, want 4", td.Revision)
	}
}

func listArns(t *testing.T, c *ecs.Client, in *ecs.ListTaskDefinitionsInput) []string {
	t.Helper()
	var all []string
	p := ecs.NewListTaskDefinitionsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.TaskDefinitionArns...)
	}
	return all
}

func TestListTaskDefinitions(t *testing.T) {
	t.Parallel()
	c := client(t)
	for _, f := range []string{"beta", "alpha", "beta", "alpha", "gamma"} {
		register(t, c, ec2(f))
	}
	if _, err := c.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("beta:1")}); err != nil {
		t.Fatal(err)
	}
	arn := func(s string) string { return "arn:aws:ecs:us-east-1:" + acct + ":task-definition/" + s }

	got := listArns(t, c, &ecs.ListTaskDefinitionsInput{MaxResults: aws.Int32(1)})
	want := []string{arn("alpha:1"), arn("alpha:2"), arn("beta:2"), arn("gamma:1")}
	if !slices.Equal(got, want) {
		t.Errorf("ASC pages of 1 = %v, want %v", got, want)
	}
	got = listArns(t, c, &ecs.ListTaskDefinitionsInput{Sort: types.SortOrderDesc, MaxResults: aws.Int32(3)})
	slices.Reverse(want)
	if !slices.Equal(got, want) {
		t.Errorf("DESC = %v, want %v", got, want)
	}
	got = listArns(t, c, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("alpha")})
	if !slices.Equal(got, []string{arn("alpha:1"), arn("alpha:2")}) {
		t.Errorf("familyPrefix alpha = %v", got)
	}
	got = listArns(t, c, &ecs.ListTaskDefinitionsInput{Status: types.TaskDefinitionStatusInactive})
	if !slices.Equal(got, []string{arn("beta:1")}) {
		t.Errorf("INACTIVE = %v", got)
	}
	out, err := c.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{MaxResults: aws.Int32(4)})
	if err != nil || out.NextToken != nil {
		t.Errorf("exact last page: token %v err %v, want no token", out.NextToken, err)
	}
	var ipe *types.InvalidParameterException
	_, err = c.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{MaxResults: aws.Int32(101)})
	if !errors.As(err, &ipe) {
		t.Errorf("maxResults 101: err = %v, want InvalidParameterException", err)
	}
	_, err = c.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{NextToken: aws.String("garbage")})
	if !errors.As(err, &ipe) {
		t.Errorf("bad token: err = %v, want InvalidParameterException", err)
	}
}

func TestListTaskDefinitionFamilies(t *testing.T) {
	t.Parallel()
	c := client(t)
	for _, f := range []string{"web-a", "web-b", "worker", "api"} {
		register(t, c, ec2(f))
	}
	if _, err := c.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("web-b:1")}); err != nil {
		t.Fatal(err)
	}
	list := func(in *ecs.ListTaskDefinitionFamiliesInput) []string {
		var all []string
		p := ecs.NewListTaskDefinitionFamiliesPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page.Families...)
		}
		return all
	}
	for _, tc := range []struct {
		in   *ecs.ListTaskDefinitionFamiliesInput
		want []string
	}{
		{&ecs.ListTaskDefinitionFamiliesInput{MaxResults: aws.Int32(1)}, []string{"api", "web-a", "web-b", "worker"}},
		{&ecs.ListTaskDefinitionFamiliesInput{Status: types.TaskDefinitionFamilyStatusActive}, []string{"api", "web-a", "worker"}},
		{&ecs.ListTaskDefinitionFamiliesInput{Status: types.TaskDefinitionFamilyStatusInactive}, []string{"web-b"}},
		{&ecs.ListTaskDefinitionFamiliesInput{FamilyPrefix: aws.String("web"), MaxResults: aws.Int32(1)}, []string{"web-a", "web-b"}},
		{&ecs.ListTaskDefinitionFamiliesInput{FamilyPrefix: aws.String("w"), Status: types.TaskDefinitionFamilyStatusAll}, []string{"web-a", "web-b", "worker"}},
	} {
		if got := list(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("families(%+v) = %v, want %v", *tc.in, got, tc.want)
		}
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	c := client(t)
	in := fargate("tagged")
	in.Tags = []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}
	out, err := c.RegisterTaskDefinition(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tags) != 1 {
		t.Errorf("register tags = %+v", out.Tags)
	}
	arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	if _, err := c.TagResource(ctx, &ecs.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{
		{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("web")},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &ecs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	lt, err := c.ListTagsForResource(ctx, &ecs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].Value) != "prod" {
		t.Errorf("tags = %+v, want env=prod", lt.Tags)
	}
	d, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("tagged:1"), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tags) != 1 || aws.ToString(d.Tags[0].Key) != "env" {
		t.Errorf("describe include TAGS = %+v", d.Tags)
	}
	d, _ = c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("tagged:1")})
	if d.Tags != nil {
		t.Errorf("describe without include = %+v, want no tags", d.Tags)
	}

	_, err = c.TagResource(ctx, &ecs.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Errorf("aws: tag: err = %v, want InvalidParameterException", err)
	}
	_, err = c.ListTagsForResource(ctx, &ecs.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:ecs:us-east-1:000000000000:task-definition/tagged:9")})
	wantClientError(t, err, "Unable to describe task definition.")
	_, err = c.ListTagsForResource(ctx, &ecs.ListTagsForResourceInput{ResourceArn: aws.String("not-an-arn")})
	if !errors.As(err, &ipe) {
		t.Errorf("bad arn: err = %v, want InvalidParameterException", err)
	}
	_, err = c.ListTagsForResource(ctx, &ecs.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:ecs:us-east-1:000000000000:cluster/none")})
	var cnf *types.ClusterNotFoundException
	if !errors.As(err, &cnf) {
		t.Errorf("missing cluster: err = %v, want ClusterNotFoundException", err)
	}
}

func TestClusters(t *testing.T) {
	t.Parallel()
	c := client(t)
	def, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{})
	if err != nil {
		t.Fatal(err)
	}
	cl := def.Cluster
	if aws.ToString(cl.ClusterName) != "default" || aws.ToString(cl.ClusterArn) != "arn:aws:ecs:us-east-1:000000000000:cluster/default" ||
		aws.ToString(cl.Status) != "ACTIVE" || cl.RunningTasksCount != 0 || cl.ActiveServicesCount != 0 {
		t.Errorf("default cluster = %+v", cl)
	}
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}); err != nil {
		t.Errorf("creating an existing cluster: %v", err)
	}
	_, err = c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("bad name")})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Errorf("bad cluster name: err = %v", err)
	}

	var arns []string
	p := ecs.NewListClustersPaginator(c, &ecs.ListClustersInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, page.ClusterArns...)
	}
	if !slices.Equal(arns, []string{"arn:aws:ecs:us-east-1:000000000000:cluster/default", "arn:aws:ecs:us-east-1:000000000000:cluster/prod"}) {
		t.Errorf("clusters = %v", arns)
	}

	d, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{
		Clusters: []string{"prod", "arn:aws:ecs:us-east-1:000000000000:cluster/default", "ghost"},
		Include:  []types.ClusterField{types.ClusterFieldTags},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Clusters) != 2 || len(d.Clusters[0].Tags) != 1 {
		t.Errorf("described = %+v", d.Clusters)
	}
	if len(d.Failures) != 1 || aws.ToString(d.Failures[0].Reason) != "MISSING" ||
		aws.ToString(d.Failures[0].Arn) != "arn:aws:ecs:us-east-1:000000000000:cluster/ghost" {
		t.Errorf("failures = %+v", d.Failures)
	}
	d, err = c.DescribeClusters(ctx, &ecs.DescribeClustersInput{})
	if err != nil || len(d.Clusters) != 1 || aws.ToString(d.Clusters[0].ClusterName) != "default" || d.Clusters[0].Tags != nil {
		t.Errorf("describe default = %+v, %v", d, err)
	}

	// Cluster settings: containerInsights only, enabled, disabled or enhanced.
	for _, st := range []types.ClusterSetting{
		{Name: "containerInsights", Value: aws.String("enhaced")},
		{Name: "insights", Value: aws.String("enabled")},
	} {
		_, err = c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("set"), Settings: []types.ClusterSetting{st}})
		var ip *types.InvalidParameterException
		if !errors.As(err, &ip) || !strings.HasPrefix(aws.ToString(ip.Message), "Invalid setting '") {
			t.Errorf("setting %s=%s: %v", st.Name, aws.ToString(st.Value), err)
		}
	}
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("set"),
		Settings: []types.ClusterSetting{{Name: "containerInsights", Value: aws.String("enhanced")}}}); err != nil {
		t.Errorf("enhanced container insights: %v", err)
	}

	// A default strategy names only providers the cluster is given.
	_, err = c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("spot"), CapacityProviders: []string{"FARGATE"},
		DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}}})
	wantInvalidParam(t, err, "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. "+
		"Associate the capacity provider with the cluster or specify a valid capacity provider and try again.")
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("spot"), CapacityProviders: []string{"FARGATE", "FARGATE_SPOT"},
		DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}}}); err != nil {
		t.Errorf("strategy on the cluster's providers: %v", err)
	}

	// include takes only the fields ECS lists, here and for task definitions.
	_, err = c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Include: []types.ClusterField{"TAGS", "tags"}})
	wantInvalidParam(t, err, "include should be one of [ATTACHMENTS,CONFIGURATIONS,SETTINGS,STATISTICS,TAGS]")
	register(t, c, fargate("included"))
	_, err = c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("included:1"), Include: []types.TaskDefinitionField{"SETTINGS"}})
	wantInvalidParam(t, err, "include should be one of [TAGS]")
}

// wantInvalidParam checks for an InvalidParameterException saying msg.
func wantInvalidParam(t *testing.T, err error, msg string) {
	t.Helper()
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) || aws.ToString(ip.Message) != msg {
		t.Errorf("err = %v, want InvalidParameterException %q", err, msg)
	}
}

// TestConcurrentRegister: parallel registrations of one family all succeed
// with distinct revisions.
func TestConcurrentRegister(t *testing.T) {
	t.Parallel()
	c := client(t)
	const n = 50
	revs := make([]int32, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := c.RegisterTaskDefinition(ctx, fargate("busy"))
			errs[i] = err
			if err == nil {
				revs[i] = out.TaskDefinition.Revision
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(revs)
	for i, r := range revs {
		if r != int32(i+1) {
			t.Fatalf("revisions = %v, want 1..%d each once", revs, n)
		}
	}
}

func TestUnknownOperationCode(t *testing.T) {
	// An SDK-typed error proves the error body carries the "message" key.
	t.Parallel()
	c := client(t)
	_, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("x")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ClientException" || ae.ErrorMessage() == "" {
		t.Fatalf("err = %v", err)
	}
}

// unvalidated turns off the SDK's own required-member check, so a request
// reaches the emulator as Berth's builder (which sends its JSON itself) or
// the AWS CLI with --cli-input-json sends it.
func unvalidated(o *ecs.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

// TestRegisterRejectsMembersAndReferences: what the ECS model requires or
// limits, what a container refers to (dependencies, volumes), GPUs on
// Fargate, and the execution role that secrets need.
func TestRegisterRejectsMembersAndReferences(t *testing.T) {
	t.Parallel()
	c := client(t)
	const role = "arn:aws:iam::000000000000:role/ecsTaskExecutionRole"
	second := func(in *ecs.RegisterTaskDefinitionInput, essential bool) {
		in.ContainerDefinitions = append(in.ContainerDefinitions, types.ContainerDefinition{
			Name: aws.String("init"), Image: aws.String("busybox"), Essential: aws.Bool(essential)})
	}
	for _, tc := range []struct {
		name   string
		mutate func(*ecs.RegisterTaskDefinitionInput)
		code   string // "" is ClientException
		msg    string // "" registers
	}{
		{"secrets without execution role", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].Secrets = []types.Secret{{Name: aws.String("DB"), ValueFrom: aws.String("arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf")}}
		}, "", "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."},
		{"log secret options without execution role", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverSplunk,
				SecretOptions: []types.Secret{{Name: aws.String("splunk-token"), ValueFrom: aws.String("/splunk/token")}}}
		}, "", "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."},
		{"registry credentials without execution role", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].RepositoryCredentials = &types.RepositoryCredentials{CredentialsParameter: aws.String("arn:aws:secretsmanager:us-east-1:000000000000:secret:hub")}
		}, "", "Private repository authentication requires that the task definition specify a value for executionRoleArn."},
		{"secrets and credentials with execution role", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ExecutionRoleArn = aws.String(role)
			in.ContainerDefinitions[0].Secrets = []types.Secret{{Name: aws.String("DB"), ValueFrom: aws.String("/app/db")}}
			in.ContainerDefinitions[0].RepositoryCredentials = &types.RepositoryCredentials{CredentialsParameter: aws.String("hub")}
		}, "", ""},
		{"GPU on Fargate", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].ResourceRequirements = []types.ResourceRequirement{{Type: types.ResourceTypeGpu, Value: aws.String("1")}}
		}, "", "Tasks using the Fargate launch type do not support GPU resource requirements."},
		{"restart attempt period 30", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].RestartPolicy = &types.ContainerRestartPolicy{Enabled: aws.Bool(true), RestartAttemptPeriod: aws.Int32(30)}
		}, "", "Restart policy restartAttemptPeriod must be greater than or equal to the minimum allowed value 60 for container 'web'"},
		{"restart attempt period 3600", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].RestartPolicy = &types.ContainerRestartPolicy{Enabled: aws.Bool(true), RestartAttemptPeriod: aws.Int32(3600)}
		}, "", "Restart policy restartAttemptPeriod must be less than or equal to the maximum allowed value 1800 for container 'web'"},
		{"51 ignored exit codes", func(in *ecs.RegisterTaskDefinitionInput) {
			codes := make([]int32, 51)
			for i := range codes {
				codes[i] = int32(i)
			}
			in.ContainerDefinitions[0].RestartPolicy = &types.ContainerRestartPolicy{Enabled: aws.Bool(true), IgnoredExitCodes: codes}
		}, "", "The number of ignoredExitCodes cannot exceed 50 for container 'web'."},
		{"restart policy without enabled", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].RestartPolicy = &types.ContainerRestartPolicy{RestartAttemptPeriod: aws.Int32(60)}
		}, "", "Container.restartPolicy.enabled should not be null or empty."},
		{"depends on a missing container", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].DependsOn = []types.ContainerDependency{{ContainerName: aws.String("db"), Condition: types.ContainerConditionStart}}
		}, "", "Cannot depend on container + 'db' because it does not exist"},
		{"dependency without a container name", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].DependsOn = []types.ContainerDependency{{Condition: types.ContainerConditionStart}}
		}, "", "Container.dependsOn.containerName should not be null or empty."},
		{"dependency without a condition", func(in *ecs.RegisterTaskDefinitionInput) {
			second(in, false)
			in.ContainerDefinitions[0].DependsOn = []types.ContainerDependency{{ContainerName: aws.String("init")}}
		}, "", "Container.dependsOn.condition should not be null or empty."},
		{"dependency with an unknown condition", func(in *ecs.RegisterTaskDefinitionInput) {
			second(in, false)
			in.ContainerDefinitions[0].DependsOn = []types.ContainerDependency{{ContainerName: aws.String("init"), Condition: "READY"}}
		}, "", "Invalid condition 'READY'. Valid values are: START, COMPLETE, SUCCESS, HEALTHY."},
		{"waiting for an essential container to succeed", func(in *ecs.RegisterTaskDefinitionInput) {
			second(in, true)
			in.ContainerDefinitions[0].DependsOn = []types.ContainerDependency{{ContainerName: aws.String("init"), Condition: types.ContainerConditionSuccess}}
		}, "", "A dependency container with SUCCESS or COMPLETE condition cannot be an essential container"},
		{"waiting for an init container to succeed", func(in *ecs.RegisterTaskDefinitionInput) {
			second(in, false)
			in.ContainerDefinitions[0].DependsOn = []types.ContainerDependency{{ContainerName: aws.String("init"), Condition: types.ContainerConditionSuccess}}
		}, "", ""},
		{"unknown ulimit", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].Ulimits = []types.Ulimit{{Name: "memory", SoftLimit: 1, HardLimit: 1}}
		}, "", "Unrecognized ulimit name memory"},
		{"ulimit without a name", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].Ulimits = []types.Ulimit{{SoftLimit: 1, HardLimit: 1}}
		}, "", "Container.ulimits.name should not be null or empty."},
		{"environment file without value", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].EnvironmentFiles = []types.EnvironmentFile{{Type: types.EnvironmentFileTypeS3}}
		}, "", "Container.environmentFiles.value should not be null or empty."},
		{"environment file of an unknown type", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].EnvironmentFiles = []types.EnvironmentFile{{Type: "http", Value: aws.String("https://example.com/a.env")}}
		}, "", "Invalid environment file type 'http'. Valid values are: s3."},
		{"mount of an unknown volume", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions[0].MountPoints = []types.MountPoint{{SourceVolume: aws.String("data"), ContainerPath: aws.String("/data")}}
		}, "", "Unknown volume 'data'."},
		{"mount point without a volume", func(in *ecs.RegisterTaskDefinitionInput) {
			in.Volumes = []types.Volume{{Name: aws.String("data")}}
			in.ContainerDefinitions[0].MountPoints = []types.MountPoint{{ContainerPath: aws.String("/data")}}
		}, "", "Unknown volume 'null'."},
		{"mount of a task volume", func(in *ecs.RegisterTaskDefinitionInput) {
			in.Volumes = []types.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{FileSystemId: aws.String("fs-1234567890abcdef0")}}}
			in.ContainerDefinitions[0].MountPoints = []types.MountPoint{{SourceVolume: aws.String("data"), ContainerPath: aws.String("/data")}}
		}, "", ""},
		{"EFS volume without file system", func(in *ecs.RegisterTaskDefinitionInput) {
			in.Volumes = []types.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{RootDirectory: aws.String("/")}}}
		}, "", "Volume.efsVolumeConfiguration.fileSystemId should not be null or empty."},
		{"EFS volume without name", func(in *ecs.RegisterTaskDefinitionInput) {
			in.Volumes = []types.Volume{{EfsVolumeConfiguration: &types.EFSVolumeConfiguration{FileSystemId: aws.String("fs-1234567890abcdef0")}}}
		}, "", "Volume.name should not be null or empty."},
		{"unknown operating system", func(in *ecs.RegisterTaskDefinitionInput) {
			in.RuntimePlatform = &types.RuntimePlatform{OperatingSystemFamily: "DOS", CpuArchitecture: types.CPUArchitectureX8664}
		}, "InvalidParameterException", "Invalid operating system family 'DOS'."},
		{"unknown CPU architecture", func(in *ecs.RegisterTaskDefinitionInput) {
			in.RuntimePlatform = &types.RuntimePlatform{OperatingSystemFamily: types.OSFamilyLinux, CpuArchitecture: "RISCV"}
		}, "InvalidParameterException", "Invalid CPU architecture 'RISCV'. Valid values are: X86_64, ARM64."},
		{"proxy without container", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ProxyConfiguration = &types.ProxyConfiguration{Type: types.ProxyConfigurationTypeAppmesh}
		}, "", "ProxyConfiguration.containerName should not be null or empty."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := fargate("members")
			tc.mutate(in)
			_, err := c.RegisterTaskDefinition(ctx, in, unvalidated)
			switch {
			case tc.msg == "":
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
			case tc.code == "":
				wantClientError(t, err, tc.msg)
			default:
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != tc.code || !strings.Contains(ae.ErrorMessage(), tc.msg) {
					t.Fatalf("err = %v, want %s %q", err, tc.code, tc.msg)
				}
			}
		})
	}
}

// TestRegisterUlimitWithoutLimits: the SDK always sends both limits (they
// are plain numbers in its types); JSON sent as it is can leave one out,
// and ECS requires both.
func TestRegisterUlimitWithoutLimits(t *testing.T) {
	t.Parallel()
	env := emutest.Start(t)
	for _, tc := range []struct{ ulimit, msg string }{
		{`{"name":"nofile","hardLimit":4096}`, "Container.ulimits.softLimit should not be null or empty."},
		{`{"name":"nofile","softLimit":1024}`, "Container.ulimits.hardLimit should not be null or empty."},
	} {
		body := `{"family":"u","containerDefinitions":[{"name":"a","image":"busybox","memory":64,"ulimits":[` + tc.ulimit + `]}]}`
		if status, m := rawRegister(t, env, body); status != 400 || m["__type"] != "ClientException" || m["message"] != tc.msg {
			t.Errorf("%s: %d %v, want ClientException %q", tc.ulimit, status, m, tc.msg)
		}
	}
}

// rawRegister sends a RegisterTaskDefinition body as it is, past the SDK's
// types, and returns the status and the decoded answer.
func rawRegister(t *testing.T, env *emutest.Env, body string) (int, map[string]any) {
	t.Helper()
	return emutest.CallJSONMap(t, env.URL, "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition", body)
}

// TestRegisterEnumeratedValues: a member whose values the ECS model
// enumerates takes only those; anything else (an empty string too) is
// refused as ECS refuses it, and every listed value is taken.
func TestRegisterEnumeratedValues(t *testing.T) {
	t.Parallel()
	env := emutest.Start(t)
	container := func(extra string) string {
		return `{"family":"enums","containerDefinitions":[{"name":"a","image":"busybox","memory":64` + extra + `}]`
	}
	for _, tc := range []struct {
		doc     func(v string) string // a document with v in the member
		member  string
		allowed []string
	}{
		{func(v string) string { return container("") + `,"pidMode":"` + v + `"}` }, "pidMode", []string{"task", "host"}},
		{func(v string) string { return container("") + `,"ipcMode":"` + v + `"}` }, "ipcMode", []string{"host", "task", "none"}},
		{func(v string) string {
			return container("") + `,"placementConstraints":[{"type":"` + v + `","expression":"attribute:ecs.os-type == linux"}]}`
		}, "type", []string{"memberOf"}},
		{func(v string) string {
			return container("") + `,"volumes":[{"name":"v","dockerVolumeConfiguration":{"scope":"` + v + `"}}]}`
		}, "scope", []string{"task", "shared"}},
		{func(v string) string {
			return container("") + `,"volumes":[{"name":"v","efsVolumeConfiguration":{"fileSystemId":"fs-1","transitEncryption":"` + v + `"}}]}`
		}, "transitEncryption", []string{"ENABLED", "DISABLED"}},
		{func(v string) string {
			return container(`,"portMappings":[{"containerPort":80,"name":"web","appProtocol":"`+v+`"}]`) + `}`
		}, "appProtocol", []string{"http", "http2", "grpc"}},
		{func(v string) string {
			return container(`,"linuxParameters":{"devices":[{"hostPath":"/dev/fuse","permissions":["read","`+v+`"]}]}`) + `}`
		}, "permissions", []string{"read", "write", "mknod"}},
		{func(v string) string { return container(`,"versionConsistency":"`+v+`"`) + `}` }, "versionConsistency", []string{"enabled", "disabled"}},
		{func(v string) string { return container(`,"firelensConfiguration":{"type":"`+v+`"}`) + `}` }, "type", []string{"fluentd", "fluentbit"}},
	} {
		for _, bad := range []string{"bogus", ""} {
			status, m := rawRegister(t, env, tc.doc(bad))
			want := fmt.Sprintf("%s is not a valid value for %s. The value must be one of [%s]", bad, tc.member, strings.Join(tc.allowed, ","))
			if status != 400 || m["__type"] != "ClientException" || m["message"] != want {
				t.Errorf("%s %q: %d %v, want ClientException %q", tc.member, bad, status, m, want)
			}
		}
		for _, ok := range tc.allowed {
			if status, m := rawRegister(t, env, tc.doc(ok)); status != 200 {
				t.Errorf("%s %q: %d %v, want it taken", tc.member, ok, status, m)
			}
		}
	}
}

// Two emulators on one data dir (berth serve's and a berth emulator, say)
// share the revision numbers: neither may give a number the other gave, even
// though each keeps the last one it gave in memory.
func TestTwoEmulatorsOnOneDataDirShareRevisions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := ecs.NewFromConfig(emutest.StartAt(t, dir).Config)
	b := ecs.NewFromConfig(emutest.StartAt(t, dir).Config)
	for i, c := range []*ecs.Client{a, b, a, b, a} {
		td := register(t, c, fargate("shared"))
		if got := td.Revision; got != int32(i+1) {
			t.Fatalf("registration %d got revision %d, want %d", i+1, got, i+1)
		}
	}
}
