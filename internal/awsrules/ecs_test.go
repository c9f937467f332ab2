package awsrules

import (
	"strings"
	"testing"
)

func ecsStr(s string) *string { return &s }
func ecsInt(i int) *int       { return &i }
func ecsBool(b bool) *bool    { return &b }

func TestValidECSName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"web", true},
		{"Web_app-2", true},
		{strings.Repeat("a", 255), true},
		{strings.Repeat("a", 256), false},
		{"", false},
		{"web.app", false},
		{"web app", false},
		{"web/app", false},
		{"wéb", false},
	} {
		if got := ValidECSName(tc.name); got != tc.ok {
			t.Errorf("ValidECSName(%q) = %v, want %v", tc.name, got, tc.ok)
		}
		if got := len(ECSNameProblems("Family", tc.name)) == 0; got != tc.ok {
			t.Errorf("ECSNameProblems(%q) ok = %v, want %v", tc.name, got, tc.ok)
		}
	}
}

func TestParseTaskCPU(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"1024", 1024, true},
		{"256", 256, true},
		{"1 vCPU", 1024, true},
		{"1 vcpu", 1024, true},
		{"2vCPU", 2048, true},
		{"0.25 vcpu", 256, true},
		{".5 vCPU", 512, true},
		{"4 vCPUs", 4096, true},
		{" 512 ", 512, true},
		{"333", 333, true},
		{"0.1 vcpu", 0, false}, // 102.4 units is not a whole unit
		{"1024.5", 0, false},
		{"0", 0, false},
		{"-256", 0, false},
		{"1 GB", 0, false},
		{"", 0, false},
		{"abc", 0, false},
	} {
		got, ok := ParseTaskCPU(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseTaskCPU(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseTaskMemory(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"512", 512, true},
		{"2GB", 2048, true},
		{"2 GB", 2048, true},
		{"2 gb", 2048, true},
		{"0.5 GB", 512, true},
		{"1GiB", 1024, true},
		{"30720", 30720, true},
		{"1.5", 0, false},
		{"0", 0, false},
		{"2 vCPU", 0, false},
		{"", 0, false},
		{"2TB", 0, false},
	} {
		got, ok := ParseTaskMemory(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseTaskMemory(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIsFargateSize(t *testing.T) {
	for _, tc := range []struct {
		cpu, mem int
		ok       bool
	}{
		{256, 512, true}, {256, 1024, true}, {256, 2048, true}, {256, 3072, false}, {256, 256, false},
		{512, 1024, true}, {512, 4096, true}, {512, 512, false}, {512, 1536, false}, {512, 5120, false},
		{1024, 2048, true}, {1024, 8192, true}, {1024, 1024, false}, {1024, 9216, false}, {1024, 2560, false},
		{2048, 4096, true}, {2048, 16384, true}, {2048, 17408, false},
		{4096, 8192, true}, {4096, 30720, true}, {4096, 31744, false},
		{8192, 16384, true}, {8192, 20480, true}, {8192, 61440, true}, {8192, 17408, false}, {8192, 62464, false},
		{16384, 32768, true}, {16384, 40960, true}, {16384, 122880, true}, {16384, 33792, false}, {16384, 131072, false},
		{333, 1024, false}, {32768, 131072, false},
	} {
		if got := IsFargateSize(tc.cpu, tc.mem); got != tc.ok {
			t.Errorf("IsFargateSize(%d, %d) = %v, want %v", tc.cpu, tc.mem, got, tc.ok)
		}
	}
	total := 0
	for _, s := range FargateSizes {
		total += len(s.Memory)
	}
	if total != 74 {
		t.Errorf("Fargate has %d sizes, want 74", total)
	}
}

// fargateTD is a minimal valid Fargate task definition.
func fargateTD() ECSTaskDefinition {
	return ECSTaskDefinition{
		Family:                  "web",
		NetworkMode:             "awsvpc",
		RequiresCompatibilities: []string{"FARGATE"},
		CPU:                     ecsStr("256"),
		Memory:                  ecsStr("512"),
		Containers:              []ECSContainer{{Name: "app", Image: "nginx"}},
	}
}

func TestTaskDefinitionProblems(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*ECSTaskDefinition)
		field  string // first problem's field; "" means valid
		aws    string // substring of the first problem's AWS message
	}{
		{"valid fargate", func(*ECSTaskDefinition) {}, "", ""},
		{"fargate vcpu forms", func(td *ECSTaskDefinition) { td.CPU = ecsStr("1 vCPU"); td.Memory = ecsStr("2 GB") }, "", ""},
		{"fargate quarter vcpu", func(td *ECSTaskDefinition) { td.CPU = ecsStr("0.25 vcpu"); td.Memory = ecsStr("1GB") }, "", ""},
		{"blank family", func(td *ECSTaskDefinition) { td.Family = "" }, "family", "Family can not be blank."},
		{"bad family", func(td *ECSTaskDefinition) { td.Family = "web.app" }, "family", "Family contains invalid characters."},
		{"no containers", func(td *ECSTaskDefinition) { td.Containers = nil }, "containerDefinitions", "Container list cannot be empty."},
		{"11 containers", func(td *ECSTaskDefinition) {
			td.Containers = nil
			for i := 0; i < 11; i++ {
				td.Containers = append(td.Containers, ECSContainer{Name: "c" + string(rune('a'+i)), Image: "x"})
			}
		}, "containerDefinitions", "Too many containers."},
		{"bad container name", func(td *ECSTaskDefinition) { td.Containers[0].Name = "my app" }, "containerDefinitions[0].name", "Container.name contains invalid characters."},
		{"duplicate container", func(td *ECSTaskDefinition) {
			td.Containers = append(td.Containers, ECSContainer{Name: "app", Image: "x"})
		}, "containerDefinitions[1].name", "Duplicate container name"},
		{"no image", func(td *ECSTaskDefinition) { td.Containers[0].Image = "" }, "containerDefinitions[0].image", "Container.image"},
		{"task role arn", func(td *ECSTaskDefinition) {
			td.RoleRefs = map[string]*string{"taskRoleArn": ecsStr("arn:aws:iam::123456789012:role/service/app-task")}
		}, "", ""},
		{"task role name", func(td *ECSTaskDefinition) { td.RoleRefs = map[string]*string{"taskRoleArn": ecsStr("app-task")} }, "", ""},
		{"empty task role", func(td *ECSTaskDefinition) { td.RoleRefs = map[string]*string{"taskRoleArn": ecsStr("")} }, "taskRoleArn", "Role is not valid"},
		{"placeholder execution role", func(td *ECSTaskDefinition) {
			td.RoleRefs = map[string]*string{"executionRoleArn": ecsStr("REPLACE_ME ROLE")}
		}, "executionRoleArn", "Role is not valid"},
		{"stack arn as role", func(td *ECSTaskDefinition) {
			td.RoleRefs = map[string]*string{"taskRoleArn": ecsStr("arn:aws:cloudformation:us-east-1:123456789012:stack/app/1")}
		}, "taskRoleArn", "Role is not valid"},
		{"fargate bridge", func(td *ECSTaskDefinition) { td.NetworkMode = "bridge" }, "networkMode", "Fargate only supports network mode ‘awsvpc’."},
		{"fargate default network", func(td *ECSTaskDefinition) { td.NetworkMode = "" }, "networkMode", "Fargate only supports network mode ‘awsvpc’."},
		{"fargate no cpu", func(td *ECSTaskDefinition) { td.CPU = nil }, "cpu", "Fargate requires that 'cpu' be defined at the task level."},
		{"fargate no memory", func(td *ECSTaskDefinition) { td.Memory = nil }, "memory", "Fargate requires that 'memory' be defined at the task level."},
		{"fargate cpu 333", func(td *ECSTaskDefinition) { td.CPU = ecsStr("333"); td.Memory = ecsStr("1024") }, "memory",
			"No Fargate configuration exists for given values: 333 CPU, 1024 memory."},
		{"fargate 1024/1024", func(td *ECSTaskDefinition) { td.CPU = ecsStr("1024"); td.Memory = ecsStr("1024") }, "memory", "1024 CPU, 1024 memory"},
		{"fargate privileged", func(td *ECSTaskDefinition) { td.Containers[0].Privileged = true }, "containerDefinitions[0].privileged", "privileged"},
		{"fargate ipc", func(td *ECSTaskDefinition) { td.IpcMode = "host" }, "ipcMode", "do not support ipcMode."},
		{"fargate pid task ok", func(td *ECSTaskDefinition) { td.PidMode = "task" }, "", ""},
		{"fargate pid host", func(td *ECSTaskDefinition) { td.PidMode = "host" }, "pidMode", "pidMode 'host'"},
		{"fargate placement", func(td *ECSTaskDefinition) { td.PlacementConstraints = 1 }, "placementConstraints", "placement constraints"},
		{"fargate docker volume", func(td *ECSTaskDefinition) { td.Volumes = []ECSVolume{{Name: ecsStr("d"), Docker: true}} }, "volumes", "dockerVolumeConfiguration"},
		{"fargate devices", func(td *ECSTaskDefinition) { td.Containers[0].Devices = 1 }, "containerDefinitions[0].linuxParameters.devices", "devices"},
		{"awsvpc links", func(td *ECSTaskDefinition) { td.Containers[0].Links = []string{"db"} }, "containerDefinitions[0].links", "Links are not supported when networkMode=awsvpc."},
		{"awsvpc hostname", func(td *ECSTaskDefinition) { td.Containers[0].Hostname = "h" }, "containerDefinitions[0].hostname", "hostname is not supported"},
		{"fargate awslogs no role", func(td *ECSTaskDefinition) { td.Containers[0].LogDriver = "awslogs" }, "executionRoleArn", "execution role ARN to support log driver awslogs"},
		{"fargate awslogs role", func(td *ECSTaskDefinition) {
			td.Containers[0].LogDriver = "awslogs"
			td.ExecutionRoleArn = "arn:aws:iam::1:role/x"
		}, "", ""},
		{"fargate ecr image no role", func(td *ECSTaskDefinition) {
			td.Containers[0].Image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:1.4"
		}, "executionRoleArn", "Fargate requires task definition to have execution role ARN to support ECR images."},
		{"fargate ecr image role", func(td *ECSTaskDefinition) {
			td.Containers[0].Image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:1.4"
			td.ExecutionRoleArn = "arn:aws:iam::1:role/x"
		}, "", ""},
		{"fargate public ecr image", func(td *ECSTaskDefinition) { td.Containers[0].Image = "public.ecr.aws/nginx/nginx:1.27" }, "", ""},
		{"fargate json-file", func(td *ECSTaskDefinition) { td.Containers[0].LogDriver = "json-file" }, "containerDefinitions[0].logConfiguration.logDriver", "do not support log driver json-file"},
		{"bad log driver", func(td *ECSTaskDefinition) { td.Containers[0].LogDriver = "loki" }, "containerDefinitions[0].logConfiguration.logDriver", "Log driver loki"},
		{"no essential", func(td *ECSTaskDefinition) { td.Containers[0].Essential = ecsBool(false) }, "containerDefinitions", "at least one essential container"},
		{"essential default", func(td *ECSTaskDefinition) { td.Containers[0].Essential = nil }, "", ""},
		{"container memory over task", func(td *ECSTaskDefinition) { td.Containers[0].Memory = ecsInt(1024) }, "containerDefinitions[0].memory",
			"The 'memory' setting for container 'app' is greater than for the task."},
		{"reservation over memory", func(td *ECSTaskDefinition) {
			td.Containers[0].Memory = ecsInt(256)
			td.Containers[0].MemoryReservation = ecsInt(300)
		}, "containerDefinitions[0].memoryReservation", "'memoryReservation' must be less than or equal to 'memory'"},
		{"reservation equals memory", func(td *ECSTaskDefinition) {
			td.Containers[0].Memory = ecsInt(256)
			td.Containers[0].MemoryReservation = ecsInt(256)
		}, "", ""},
		{"reservations over task", func(td *ECSTaskDefinition) {
			td.Containers[0].MemoryReservation = ecsInt(300)
			td.Containers = append(td.Containers, ECSContainer{Name: "side", Image: "x", MemoryReservation: ecsInt(300)})
		}, "memory", "The sum of all container 'memoryReservation' values"},
		{"container cpu over task", func(td *ECSTaskDefinition) { td.Containers[0].CPU = 512 }, "cpu", "The sum of all container 'cpu' values"},
		{"awsvpc host port differs", func(td *ECSTaskDefinition) {
			td.Containers[0].PortMappings = []ECSPortMapping{{ContainerPort: ecsInt(80), HostPort: ecsInt(8080)}}
		}, "containerDefinitions[0].portMappings[0].hostPort", "When networkMode=awsvpc, the host ports and container ports in port mappings must match."},
		{"awsvpc host port equal", func(td *ECSTaskDefinition) {
			td.Containers[0].PortMappings = []ECSPortMapping{{ContainerPort: ecsInt(80), HostPort: ecsInt(80), Protocol: "udp"}}
		}, "", ""},
		{"bad protocol", func(td *ECSTaskDefinition) {
			td.Containers[0].PortMappings = []ECSPortMapping{{ContainerPort: ecsInt(80), Protocol: "sctp"}}
		}, "containerDefinitions[0].portMappings[0].protocol", "Invalid protocol 'sctp'"},
		{"port too big", func(td *ECSTaskDefinition) {
			td.Containers[0].PortMappings = []ECSPortMapping{{ContainerPort: ecsInt(70000)}}
		}, "containerDefinitions[0].portMappings[0].containerPort", "Invalid port 70000"},
		{"port range", func(td *ECSTaskDefinition) {
			td.Containers[0].PortMappings = []ECSPortMapping{{ContainerPortRange: "8000-8010"}}
		}, "", ""},
		{"bad port range", func(td *ECSTaskDefinition) {
			td.Containers[0].PortMappings = []ECSPortMapping{{ContainerPortRange: "9000-8000"}}
		}, "containerDefinitions[0].portMappings[0].containerPortRange", "containerPortRange"},
		{"health retries 11", func(td *ECSTaskDefinition) {
			td.Containers[0].HealthCheck = &ECSHealthCheck{Command: []string{"CMD", "true"}, Retries: ecsInt(11)}
		}, "containerDefinitions[0].healthCheck.retries",
			"Health check retries must be less than or equal to the maximum allowed value 10 for container 'app'"},
		{"health interval 4", func(td *ECSTaskDefinition) {
			td.Containers[0].HealthCheck = &ECSHealthCheck{Command: []string{"CMD", "true"}, Interval: ecsInt(4)}
		}, "containerDefinitions[0].healthCheck.interval", "minimum allowed value 5"},
		{"health timeout 61", func(td *ECSTaskDefinition) {
			td.Containers[0].HealthCheck = &ECSHealthCheck{Command: []string{"CMD", "true"}, Timeout: ecsInt(61)}
		}, "containerDefinitions[0].healthCheck.timeout", "maximum allowed value 60"},
		{"health start 301", func(td *ECSTaskDefinition) {
			td.Containers[0].HealthCheck = &ECSHealthCheck{Command: []string{"CMD", "true"}, StartPeriod: ecsInt(301)}
		}, "containerDefinitions[0].healthCheck.startPeriod", "maximum allowed value 300"},
		{"health ok edges", func(td *ECSTaskDefinition) {
			td.Containers[0].HealthCheck = &ECSHealthCheck{Command: []string{"CMD", "true"}, Interval: ecsInt(300), Timeout: ecsInt(2), Retries: ecsInt(1), StartPeriod: ecsInt(0)}
		}, "", ""},
		{"health no command", func(td *ECSTaskDefinition) { td.Containers[0].HealthCheck = &ECSHealthCheck{} }, "containerDefinitions[0].healthCheck.command", "command"},
		{"ephemeral 20", func(td *ECSTaskDefinition) { td.EphemeralStorageGiB = ecsInt(20) }, "ephemeralStorage.sizeInGiB", "between 21 and 200"},
		{"ephemeral 200", func(td *ECSTaskDefinition) { td.EphemeralStorageGiB = ecsInt(200) }, "", ""},
		{"ephemeral 201", func(td *ECSTaskDefinition) { td.EphemeralStorageGiB = ecsInt(201) }, "ephemeralStorage.sizeInGiB", "between 21 and 200"},
		{"secret without valueFrom", func(td *ECSTaskDefinition) {
			td.Containers[0].Secrets = []ECSNameValue{{Name: ecsStr("DB")}}
		}, "containerDefinitions[0].secrets[0]", "valueFrom"},
		{"repository credentials empty", func(td *ECSTaskDefinition) { td.Containers[0].RepositoryCredentials = ecsStr("") }, "containerDefinitions[0].repositoryCredentials.credentialsParameter", "credentialsParameter"},
		{"bad network mode", func(td *ECSTaskDefinition) { td.NetworkMode = "nat" }, "networkMode", "Invalid network mode 'nat'"},
		{"bad cpu text", func(td *ECSTaskDefinition) { td.CPU = ecsStr("lots") }, "cpu", "Invalid 'cpu' setting for task."},
		{"bad memory text", func(td *ECSTaskDefinition) { td.Memory = ecsStr("2 TB") }, "memory", "Invalid 'memory' setting for task."},
		{"secrets without execution role", func(td *ECSTaskDefinition) {
			td.Containers[0].Secrets = []ECSNameValue{{Name: ecsStr("DB"), Value: ecsStr("arn:aws:secretsmanager:us-east-1:1:secret:db")}}
		}, "executionRoleArn", "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."},
		{"log secret options without execution role", func(td *ECSTaskDefinition) {
			td.Containers[0].LogDriver = "splunk"
			td.Containers[0].LogSecretOptions = []ECSNameValue{{Name: ecsStr("splunk-token"), Value: ecsStr("arn:aws:ssm:us-east-1:1:parameter/t")}}
		}, "executionRoleArn", "you must also specify a value for 'executionRoleArn'"},
		{"secrets with execution role", func(td *ECSTaskDefinition) {
			td.ExecutionRoleArn = "arn:aws:iam::1:role/x"
			td.Containers[0].Secrets = []ECSNameValue{{Name: ecsStr("DB"), Value: ecsStr("arn:aws:secretsmanager:us-east-1:1:secret:db")}}
			td.Containers[0].RepositoryCredentials = ecsStr("arn:aws:secretsmanager:us-east-1:1:secret:reg")
		}, "", ""},
		{"registry credentials without execution role", func(td *ECSTaskDefinition) {
			td.Containers[0].RepositoryCredentials = ecsStr("arn:aws:secretsmanager:us-east-1:1:secret:reg")
		}, "executionRoleArn", "Private repository authentication requires that the task definition specify a value for executionRoleArn."},
		{"log secret option without valueFrom", func(td *ECSTaskDefinition) {
			td.ExecutionRoleArn = "arn:aws:iam::1:role/x"
			td.Containers[0].LogDriver = "splunk"
			td.Containers[0].LogSecretOptions = []ECSNameValue{{Name: ecsStr("splunk-token")}}
		}, "containerDefinitions[0].logConfiguration.secretOptions[0]", "secretOptions should have both name and valueFrom"},
		{"GPU on Fargate", func(td *ECSTaskDefinition) {
			td.Containers[0].ResourceRequirements = []ECSResourceRequirement{{Type: "GPU", Value: "1"}}
		}, "containerDefinitions[0].resourceRequirements", "do not support GPU resource requirements"},
		{"restart period 59", func(td *ECSTaskDefinition) {
			td.Containers[0].RestartPolicy = &ECSRestartPolicy{Enabled: ecsBool(true), RestartAttemptPeriod: ecsInt(59)}
		}, "containerDefinitions[0].restartPolicy.restartAttemptPeriod", "minimum allowed value 60 for container 'app'"},
		{"restart period 1801", func(td *ECSTaskDefinition) {
			td.Containers[0].RestartPolicy = &ECSRestartPolicy{Enabled: ecsBool(true), RestartAttemptPeriod: ecsInt(1801)}
		}, "containerDefinitions[0].restartPolicy.restartAttemptPeriod", "maximum allowed value 1800"},
		{"restart edges", func(td *ECSTaskDefinition) {
			td.Containers[0].RestartPolicy = &ECSRestartPolicy{Enabled: ecsBool(true), RestartAttemptPeriod: ecsInt(60), IgnoredExitCodes: 50}
			td.Containers = append(td.Containers, ECSContainer{Name: "b", Image: "x", RestartPolicy: &ECSRestartPolicy{Enabled: ecsBool(false), RestartAttemptPeriod: ecsInt(1800)}})
		}, "", ""},
		{"51 ignored exit codes", func(td *ECSTaskDefinition) {
			td.Containers[0].RestartPolicy = &ECSRestartPolicy{Enabled: ecsBool(true), IgnoredExitCodes: 51}
		}, "containerDefinitions[0].restartPolicy.ignoredExitCodes", "cannot exceed 50"},
		{"restart without enabled", func(td *ECSTaskDefinition) { td.Containers[0].RestartPolicy = &ECSRestartPolicy{} },
			"containerDefinitions[0].restartPolicy.enabled", "enabled should not be null or empty"},
		{"waiting for a non-essential init container to succeed", func(td *ECSTaskDefinition) {
			td.Containers = append(td.Containers, ECSContainer{Name: "init", Image: "x", Essential: ecsBool(false)})
			td.Containers[0].DependsOn = []ECSDependency{{ContainerName: ecsStr("init"), Condition: ecsStr("SUCCESS")}}
		}, "", ""},
		{"depends on a missing container", func(td *ECSTaskDefinition) {
			td.Containers[0].DependsOn = []ECSDependency{{ContainerName: ecsStr("db"), Condition: ecsStr("START")}}
		}, "containerDefinitions[0].dependsOn[0].containerName", "Cannot depend on container + 'db' because it does not exist"},
		{"dependency without a name", func(td *ECSTaskDefinition) {
			td.Containers[0].DependsOn = []ECSDependency{{Condition: ecsStr("START")}}
		}, "containerDefinitions[0].dependsOn[0].containerName", "containerName should not be null or empty"},
		{"dependency without a condition", func(td *ECSTaskDefinition) {
			td.Containers = append(td.Containers, ECSContainer{Name: "init", Image: "x"})
			td.Containers[0].DependsOn = []ECSDependency{{ContainerName: ecsStr("init")}}
		}, "containerDefinitions[0].dependsOn[0].condition", "condition should not be null or empty"},
		{"dependency with an unknown condition", func(td *ECSTaskDefinition) {
			td.Containers = append(td.Containers, ECSContainer{Name: "init", Image: "x"})
			td.Containers[0].DependsOn = []ECSDependency{{ContainerName: ecsStr("init"), Condition: ecsStr("READY")}}
		}, "containerDefinitions[0].dependsOn[0].condition", "Invalid condition 'READY'"},
		{"waiting for an essential container to complete", func(td *ECSTaskDefinition) {
			td.Containers = append(td.Containers, ECSContainer{Name: "init", Image: "x"})
			td.Containers[0].DependsOn = []ECSDependency{{ContainerName: ecsStr("init"), Condition: ecsStr("COMPLETE")}}
		}, "containerDefinitions[0].dependsOn[0].condition", "A dependency container with SUCCESS or COMPLETE condition cannot be an essential container"},
		{"ulimit name unknown", func(td *ECSTaskDefinition) {
			td.Containers[0].Ulimits = []ECSUlimit{{Name: ecsStr("memory"), SoftLimit: ecsInt(1), HardLimit: ecsInt(1)}}
		}, "containerDefinitions[0].ulimits[0].name", "Unrecognized ulimit name memory"},
		{"ulimit soft missing", func(td *ECSTaskDefinition) {
			td.Containers[0].Ulimits = []ECSUlimit{{Name: ecsStr("nofile"), HardLimit: ecsInt(1)}}
		}, "containerDefinitions[0].ulimits[0].softLimit", "softLimit should not be null or empty"},
		{"ulimit hard missing", func(td *ECSTaskDefinition) {
			td.Containers[0].Ulimits = []ECSUlimit{{Name: ecsStr("nofile"), SoftLimit: ecsInt(1)}}
		}, "containerDefinitions[0].ulimits[0].hardLimit", "hardLimit should not be null or empty"},
		{"ulimit ok", func(td *ECSTaskDefinition) {
			td.Containers[0].Ulimits = []ECSUlimit{{Name: ecsStr("memlock"), SoftLimit: ecsInt(-1), HardLimit: ecsInt(-1)}}
		}, "", ""},
		{"environment file without value", func(td *ECSTaskDefinition) {
			td.Containers[0].EnvironmentFiles = []ECSEnvironmentFile{{Type: ecsStr("s3")}}
		}, "containerDefinitions[0].environmentFiles[0].value", "environmentFiles.value should not be null or empty"},
		{"environment file of another type", func(td *ECSTaskDefinition) {
			td.Containers[0].EnvironmentFiles = []ECSEnvironmentFile{{Type: ecsStr("S3"), Value: ecsStr("arn:aws:s3:::b/k.env")}}
		}, "containerDefinitions[0].environmentFiles[0].type", "Invalid environment file type 'S3'"},
		{"mount of an unknown volume", func(td *ECSTaskDefinition) {
			td.Volumes = []ECSVolume{{Name: ecsStr("data")}}
			td.Containers[0].MountPoints = []ECSMountPoint{{SourceVolume: ecsStr("logs")}}
		}, "containerDefinitions[0].mountPoints[0].sourceVolume", "Unknown volume 'logs'."},
		{"mount without a volume", func(td *ECSTaskDefinition) {
			td.Containers[0].MountPoints = []ECSMountPoint{{}}
		}, "containerDefinitions[0].mountPoints[0].sourceVolume", "Unknown volume 'null'."},
		{"mount of a task volume", func(td *ECSTaskDefinition) {
			td.Volumes = []ECSVolume{{Name: ecsStr("data"), EFS: true, EFSFileSystemID: ecsStr("fs-1")}}
			td.Containers[0].MountPoints = []ECSMountPoint{{SourceVolume: ecsStr("data")}}
		}, "", ""},
		{"EFS without file system", func(td *ECSTaskDefinition) { td.Volumes = []ECSVolume{{Name: ecsStr("data"), EFS: true}} },
			"volumes[0].efsVolumeConfiguration.fileSystemId", "fileSystemId should not be null or empty"},
		{"EFS without name", func(td *ECSTaskDefinition) { td.Volumes = []ECSVolume{{EFS: true, EFSFileSystemID: ecsStr("fs-1")}} },
			"volumes[0].name", "Volume.name should not be null or empty."},
		{"unknown OS family", func(td *ECSTaskDefinition) { td.OperatingSystemFamily = "LINUX2" }, "runtimePlatform.operatingSystemFamily", "Invalid operating system family 'LINUX2'"},
		{"unknown CPU architecture", func(td *ECSTaskDefinition) { td.CPUArchitecture = "AMD64" }, "runtimePlatform.cpuArchitecture", "Invalid CPU architecture 'AMD64'"},
		{"known runtime platform", func(td *ECSTaskDefinition) { td.OperatingSystemFamily, td.CPUArchitecture = "LINUX", "ARM64" }, "", ""},
		{"proxy without container", func(td *ECSTaskDefinition) { td.Proxy = &ECSProxyConfiguration{} }, "proxyConfiguration.containerName", "containerName should not be null or empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			td := fargateTD()
			tc.mutate(&td)
			ps := TaskDefinitionProblems(td)
			if tc.field == "" {
				if len(ps) != 0 {
					t.Fatalf("problems = %+v, want none", ps)
				}
				return
			}
			if len(ps) == 0 {
				t.Fatalf("no problems, want %s: %s", tc.field, tc.aws)
			}
			if ps[0].Field != tc.field || !strings.Contains(ps[0].AWSMessage, tc.aws) || ps[0].Message == "" || ps[0].Code == "" {
				t.Errorf("first problem = %+v, want field %s, AWS text containing %q", ps[0], tc.field, tc.aws)
			}
		})
	}
}

func TestEC2Rules(t *testing.T) {
	ec2 := func() ECSTaskDefinition {
		return ECSTaskDefinition{Family: "batch", Containers: []ECSContainer{{Name: "job", Image: "busybox", Memory: ecsInt(128)}}}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*ECSTaskDefinition)
		aws    string
	}{
		{"valid bridge", func(*ECSTaskDefinition) {}, ""},
		{"no memory anywhere", func(td *ECSTaskDefinition) { td.Containers[0].Memory = nil },
			"Invalid setting for container 'job'. At least one of 'memory' or 'memoryReservation' must be specified."},
		{"reservation only", func(td *ECSTaskDefinition) {
			td.Containers[0].Memory = nil
			td.Containers[0].MemoryReservation = ecsInt(64)
		}, ""},
		{"task memory covers", func(td *ECSTaskDefinition) { td.Containers[0].Memory = nil; td.Memory = ecsStr("512") }, ""},
		{"cpu 333 fine on EC2", func(td *ECSTaskDefinition) { td.CPU = ecsStr("333") }, ""},
		{"cpu 64 too small", func(td *ECSTaskDefinition) { td.CPU = ecsStr("64") }, "Invalid 'cpu' setting for task."},
		{"cpu 200000 too big", func(td *ECSTaskDefinition) { td.CPU = ecsStr("200000") }, "Invalid 'cpu' setting for task."},
		{"bridge host port free", func(td *ECSTaskDefinition) {
			td.Containers[0].PortMappings = []ECSPortMapping{{ContainerPort: ecsInt(80), HostPort: ecsInt(8080)}}
		}, ""},
		{"host mode ports must match", func(td *ECSTaskDefinition) {
			td.NetworkMode = "host"
			td.Containers[0].PortMappings = []ECSPortMapping{{ContainerPort: ecsInt(80), HostPort: ecsInt(8080)}}
		}, "When networkMode=host"},
		{"links on bridge", func(td *ECSTaskDefinition) {
			td.Containers[0].Links = []string{"db"}
			td.Containers = append(td.Containers, ECSContainer{Name: "db", Image: "postgres", Memory: ecsInt(128)})
		}, ""},
		{"privileged on EC2", func(td *ECSTaskDefinition) { td.Containers[0].Privileged = true; td.IpcMode = "host" }, ""},
		{"fargate log driver fine on EC2", func(td *ECSTaskDefinition) { td.Containers[0].LogDriver = "json-file" }, ""},
		{"GPU fine on EC2", func(td *ECSTaskDefinition) {
			td.Containers[0].ResourceRequirements = []ECSResourceRequirement{{Type: "GPU", Value: "1"}}
		}, ""},
		{"secrets need the execution role on EC2 too", func(td *ECSTaskDefinition) {
			td.Containers[0].Secrets = []ECSNameValue{{Name: ecsStr("DB"), Value: ecsStr("/app/db")}}
		}, "When you are specifying container secrets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			td := ec2()
			tc.mutate(&td)
			ps := TaskDefinitionProblems(td)
			if tc.aws == "" {
				if len(ps) != 0 {
					t.Fatalf("problems = %+v, want none", ps)
				}
				return
			}
			if len(ps) == 0 || !strings.Contains(ps[0].AWSMessage, tc.aws) {
				t.Fatalf("problems = %+v, want %q", ps, tc.aws)
			}
		})
	}
}

func TestFargateCompatible(t *testing.T) {
	td := fargateTD()
	td.RequiresCompatibilities = nil
	if !FargateCompatible(td) {
		t.Error("awsvpc 256/512 definition is not Fargate compatible")
	}
	td.NetworkMode = "bridge"
	if FargateCompatible(td) {
		t.Error("bridge definition is Fargate compatible")
	}
	td = fargateTD()
	td.Containers[0].Privileged = true
	if FargateCompatible(td) {
		t.Error("privileged definition is Fargate compatible")
	}
	td = fargateTD()
	td.Memory = ecsStr("600")
	if FargateCompatible(td) {
		t.Error("256/600 is Fargate compatible")
	}
	td = fargateTD()
	td.Containers[0].ResourceRequirements = []ECSResourceRequirement{{Type: "GPU", Value: "1"}}
	if FargateCompatible(td) {
		t.Error("a definition with a GPU is Fargate compatible")
	}
}

func TestECSTagProblems(t *testing.T) {
	for _, tc := range []struct {
		k, v string
		ok   bool
	}{
		{"env", "prod", true},
		{"team name", "a/b:c=d+e-f@g", true},
		{"", "x", false},
		{strings.Repeat("k", 129), "x", false},
		{"aws:thing", "x", false},
		{"k", strings.Repeat("v", 257), false},
		{"k", "bad!", false},
		{"k", "", true},
	} {
		if got := len(ECSTagProblems(tc.k, tc.v)) == 0; got != tc.ok {
			t.Errorf("ECSTagProblems(%q, %q) ok = %v, want %v", tc.k, tc.v, got, tc.ok)
		}
	}
}

func TestEnumProblems(t *testing.T) {
	for member, values := range ecsEnums {
		for _, v := range values {
			td := ECSTaskDefinition{}
			td.enum(member, "f", ecsStr(v))
			if ps := EnumProblems(td); len(ps) != 0 {
				t.Errorf("%s %q refused: %+v", member, v, ps)
			}
		}
		for _, v := range []string{"", "bogus", strings.ToUpper(values[0]) + "x"} {
			td := ECSTaskDefinition{}
			td.enum(member, "f", ecsStr(v))
			ps := EnumProblems(td)
			if len(ps) != 1 || ps[0].Field != "f" || ps[0].Code != ecsClient ||
				!strings.HasPrefix(ps[0].AWSMessage, v+" is not a valid value for ") || !strings.HasPrefix(ps[0].Message, "Choose one of: ") {
				t.Errorf("%s %q: %+v", member, v, ps)
			}
		}
	}
	// A member that is not given is not checked.
	td := ECSTaskDefinition{}
	td.enum("pidMode", "pidMode", nil)
	if ps := EnumProblems(td); len(ps) != 0 {
		t.Errorf("absent member: %+v", ps)
	}
}
