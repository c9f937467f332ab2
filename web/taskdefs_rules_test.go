package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/webtest"
)

// TestTaskDefRulesAgreeWithECS runs every task definition rule the builder
// checks and sends the same document to ECS (the emulator, through Berth's
// adapter): where the builder finds a problem, ECS refuses with the code
// and message the rule names; where it finds none, ECS registers. Each case
// also says at which builder field the problem is shown ("" = the top).
func TestTaskDefRulesAgreeWithECS(t *testing.T) {
	env := webtest.New(t)
	c := env.Backend.In("")
	base := func() map[string]any {
		return map[string]any{
			"family": webtest.Name("rules"), "networkMode": "awsvpc", "requiresCompatibilities": []any{"FARGATE"},
			"cpu": "256", "memory": "512", "executionRoleArn": "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
			"containerDefinitions": []any{map[string]any{"name": "app", "image": "nginx", "essential": true,
				"portMappings": []any{map[string]any{"containerPort": 80}}}},
		}
	}
	ct := func(d map[string]any) map[string]any {
		return d["containerDefinitions"].([]any)[0].(map[string]any)
	}
	pm := func(d map[string]any) map[string]any {
		return ct(d)["portMappings"].([]any)[0].(map[string]any)
	}
	ec2 := func(d map[string]any) {
		d["requiresCompatibilities"] = []any{"EC2"}
		d["networkMode"] = "bridge"
	}
	manyContainers := func(n int) []any {
		var out []any
		for i := 0; i < n; i++ {
			out = append(out, map[string]any{"name": fmt.Sprintf("c%d", i), "image": "nginx", "memory": 32})
		}
		return out
	}
	cases := []struct {
		name      string
		edit      func(d map[string]any)
		rule      string // the first problem's rule path; "" = registers
		formField string // where the builder shows it
	}{
		{"valid Fargate", func(d map[string]any) {}, "", ""},
		{"valid EC2 bridge with host port 0", func(d map[string]any) {
			ec2(d)
			delete(d, "cpu")
			delete(d, "memory")
			ct(d)["memory"] = 128
			pm(d)["hostPort"] = 0
		}, "", ""},
		{"family missing", func(d map[string]any) { delete(d, "family") }, "family", "family"},
		{"family with a space", func(d map[string]any) { d["family"] = "my app" }, "family", "family"},
		{"family too long", func(d map[string]any) { d["family"] = strings.Repeat("a", 256) }, "family", "family"},
		{"no containers", func(d map[string]any) { d["containerDefinitions"] = []any{} }, "containerDefinitions", "containerDefinitions"},
		{"eleven containers", func(d map[string]any) { d["containerDefinitions"] = manyContainers(11) }, "containerDefinitions", "containerDefinitions"},
		{"container name missing", func(d map[string]any) { delete(ct(d), "name") }, "containerDefinitions[0].name", "containerDefinitions.0.name"},
		{"container name invalid", func(d map[string]any) { ct(d)["name"] = "app.v2" }, "containerDefinitions[0].name", "containerDefinitions.0.name"},
		{"duplicate container names", func(d map[string]any) {
			d["containerDefinitions"] = append(d["containerDefinitions"].([]any), map[string]any{"name": "app", "image": "busybox"})
		}, "containerDefinitions[1].name", "containerDefinitions.1.name"},
		{"image missing", func(d map[string]any) { ct(d)["image"] = " " }, "containerDefinitions[0].image", "containerDefinitions.0.image"},
		{"unknown network mode", func(d map[string]any) { ec2(d); d["networkMode"] = "overlay"; ct(d)["memory"] = 64 }, "networkMode", "networkMode"},
		{"unknown compatibility", func(d map[string]any) { d["requiresCompatibilities"] = []any{"LAMBDA"} }, "requiresCompatibilities", "requiresCompatibilities"},
		{"task cpu not a number", func(d map[string]any) { d["cpu"] = "fast" }, "cpu", "cpu"},
		{"task cpu below EC2 minimum", func(d map[string]any) { ec2(d); d["cpu"] = "64" }, "cpu", "cpu"},
		{"task memory not a size", func(d map[string]any) { d["memory"] = "lots" }, "memory", "memory"},
		{"Fargate with bridge", func(d map[string]any) { d["networkMode"] = "bridge" }, "networkMode", "networkMode"},
		{"Fargate without cpu", func(d map[string]any) { delete(d, "cpu") }, "cpu", "cpu"},
		{"Fargate without memory", func(d map[string]any) { delete(d, "memory") }, "memory", "memory"},
		{"Fargate size that does not exist", func(d map[string]any) { d["memory"] = "4096" }, "memory", "memory"},
		{"Fargate CPU that does not exist", func(d map[string]any) { d["cpu"] = "384" }, "memory", "memory"},
		{"vCPU and GB units are fine", func(d map[string]any) { d["cpu"] = ".25 vCPU"; d["memory"] = "0.5 GB" }, "", ""},
		{"soft limit above hard limit", func(d map[string]any) { ct(d)["memory"] = 128; ct(d)["memoryReservation"] = 256 },
			"containerDefinitions[0].memoryReservation", "containerDefinitions.0.memoryReservation"},
		{"container memory above task memory", func(d map[string]any) { ct(d)["memory"] = 1024 }, "containerDefinitions[0].memory", "containerDefinitions.0.memory"},
		{"no memory anywhere (EC2)", func(d map[string]any) { ec2(d); delete(d, "cpu"); delete(d, "memory") }, "containerDefinitions[0].memory", "containerDefinitions.0.memory"},
		{"zero container memory", func(d map[string]any) { ct(d)["memory"] = 0 }, "containerDefinitions[0].memory", "containerDefinitions.0.memory"},
		{"reservations above task memory", func(d map[string]any) {
			cs := manyContainers(3)
			for _, x := range cs {
				x.(map[string]any)["memory"] = 200
			}
			d["containerDefinitions"] = cs
		}, "memory", "memory"},
		{"container cpu above task cpu", func(d map[string]any) { ct(d)["cpu"] = 512 }, "cpu", "cpu"},
		{"negative container cpu", func(d map[string]any) { ct(d)["cpu"] = -1 }, "containerDefinitions[0].cpu", "containerDefinitions.0.cpu"},
		{"no essential container", func(d map[string]any) { ct(d)["essential"] = false }, "containerDefinitions", "containerDefinitions"},
		{"awsvpc host port differs", func(d map[string]any) { pm(d)["hostPort"] = 8080 },
			"containerDefinitions[0].portMappings[0].hostPort", "containerDefinitions.0.portMappings.0.hostPort"},
		{"host mode host port differs", func(d map[string]any) {
			ec2(d)
			d["networkMode"] = "host"
			ct(d)["memory"] = 64
			pm(d)["hostPort"] = 81
		}, "containerDefinitions[0].portMappings[0].hostPort", "containerDefinitions.0.portMappings.0.hostPort"},
		{"port out of range", func(d map[string]any) { pm(d)["containerPort"] = 70000 },
			"containerDefinitions[0].portMappings[0].containerPort", "containerDefinitions.0.portMappings.0.containerPort"},
		{"port missing", func(d map[string]any) { delete(pm(d), "containerPort") },
			"containerDefinitions[0].portMappings[0].containerPort", "containerDefinitions.0.portMappings.0.containerPort"},
		{"unknown protocol", func(d map[string]any) { pm(d)["protocol"] = "sctp" },
			"containerDefinitions[0].portMappings[0].protocol", "containerDefinitions.0.portMappings.0.protocol"},
		{"port and range", func(d map[string]any) { pm(d)["containerPortRange"] = "8000-8010" },
			"containerDefinitions[0].portMappings[0].containerPortRange", "containerDefinitions.0.portMappings.0.containerPortRange"},
		{"bad range", func(d map[string]any) { delete(pm(d), "containerPort"); pm(d)["containerPortRange"] = "9000-8000" },
			"containerDefinitions[0].portMappings[0].containerPortRange", "containerDefinitions.0.portMappings.0.containerPortRange"},
		{"health check without command", func(d map[string]any) { ct(d)["healthCheck"] = map[string]any{"interval": 30} },
			"containerDefinitions[0].healthCheck.command", "containerDefinitions.0.healthCheck.command"},
		{"health check interval too short", func(d map[string]any) {
			ct(d)["healthCheck"] = map[string]any{"command": []any{"CMD", "true"}, "interval": 4}
		}, "containerDefinitions[0].healthCheck.interval", "containerDefinitions.0.healthCheck.interval"},
		{"health check timeout too long", func(d map[string]any) {
			ct(d)["healthCheck"] = map[string]any{"command": []any{"CMD", "true"}, "timeout": 61}
		}, "containerDefinitions[0].healthCheck.timeout", "containerDefinitions.0.healthCheck.timeout"},
		{"health check retries zero", func(d map[string]any) {
			ct(d)["healthCheck"] = map[string]any{"command": []any{"CMD", "true"}, "retries": 0}
		}, "containerDefinitions[0].healthCheck.retries", "containerDefinitions.0.healthCheck.retries"},
		{"health check start period too long", func(d map[string]any) {
			ct(d)["healthCheck"] = map[string]any{"command": []any{"CMD", "true"}, "startPeriod": 301}
		}, "containerDefinitions[0].healthCheck.startPeriod", "containerDefinitions.0.healthCheck.startPeriod"},
		{"unknown log driver", func(d map[string]any) { ct(d)["logConfiguration"] = map[string]any{"logDriver": "stdout"} },
			"containerDefinitions[0].logConfiguration.logDriver", "containerDefinitions.0.logDriver"},
		{"log driver Fargate does not run", func(d map[string]any) { ct(d)["logConfiguration"] = map[string]any{"logDriver": "syslog"} },
			"containerDefinitions[0].logConfiguration.logDriver", "containerDefinitions.0.logDriver"},
		{"awslogs on Fargate without execution role", func(d map[string]any) {
			delete(d, "executionRoleArn")
			ct(d)["logConfiguration"] = map[string]any{"logDriver": "awslogs", "options": map[string]any{"awslogs-group": "/ecs/x"}}
		}, "executionRoleArn", "executionRoleArn"},
		{"secret without valueFrom", func(d map[string]any) { ct(d)["secrets"] = []any{map[string]any{"name": "DB"}} },
			"containerDefinitions[0].secrets[0]", "containerDefinitions.0.env.0.value"},
		{"environment variable without name", func(d map[string]any) {
			ct(d)["environment"] = []any{map[string]any{"name": "A", "value": "1"}, map[string]any{"value": "x"}}
		}, "containerDefinitions[0].environment[1].name", "containerDefinitions.0.env.1.name"},
		{"empty registry credentials", func(d map[string]any) {
			ct(d)["repositoryCredentials"] = map[string]any{"credentialsParameter": ""}
		}, "containerDefinitions[0].repositoryCredentials.credentialsParameter", "containerDefinitions.0.repositoryCredentials.credentialsParameter"},
		{"hostname with awsvpc", func(d map[string]any) { ct(d)["hostname"] = "web" }, "containerDefinitions[0].hostname", ""},
		{"links with awsvpc", func(d map[string]any) { ct(d)["links"] = []any{"db"} }, "containerDefinitions[0].links", ""},
		{"privileged on Fargate", func(d map[string]any) { ct(d)["privileged"] = true }, "containerDefinitions[0].privileged", ""},
		{"devices on Fargate", func(d map[string]any) {
			ct(d)["linuxParameters"] = map[string]any{"devices": []any{map[string]any{"hostPath": "/dev/fuse"}}}
		}, "containerDefinitions[0].linuxParameters.devices", ""},
		{"ipcMode on Fargate", func(d map[string]any) { d["ipcMode"] = "host" }, "ipcMode", ""},
		{"pidMode host on Fargate", func(d map[string]any) { d["pidMode"] = "host" }, "pidMode", ""},
		{"placement constraints on Fargate", func(d map[string]any) {
			d["placementConstraints"] = []any{map[string]any{"type": "memberOf", "expression": "attribute:x == y"}}
		}, "placementConstraints", ""},
		{"Docker volume on Fargate", func(d map[string]any) {
			d["volumes"] = []any{map[string]any{"name": "v", "dockerVolumeConfiguration": map[string]any{"scope": "task"}}}
		}, "volumes", "volumes"},
		{"host path volume on Fargate", func(d map[string]any) {
			d["volumes"] = []any{map[string]any{"name": "v", "host": map[string]any{"sourcePath": "/srv"}}}
		}, "volumes", "volumes"},
		{"ephemeral storage too small", func(d map[string]any) { d["ephemeralStorage"] = map[string]any{"sizeInGiB": 20} },
			"ephemeralStorage.sizeInGiB", "ephemeralStorage.sizeInGiB"},
		{"ephemeral storage too large", func(d map[string]any) { d["ephemeralStorage"] = map[string]any{"sizeInGiB": 201} },
			"ephemeralStorage.sizeInGiB", "ephemeralStorage.sizeInGiB"},
		{"more than 64 KiB", func(d map[string]any) {
			var env []any
			for i := 0; i < 700; i++ {
				env = append(env, map[string]any{"name": fmt.Sprintf("VAR_%d", i), "value": strings.Repeat("x", 90)})
			}
			ct(d)["environment"] = env
		}, "", ""},
		{"secrets without execution role", func(d map[string]any) {
			delete(d, "executionRoleArn")
			ct(d)["secrets"] = []any{map[string]any{"name": "DB", "valueFrom": "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf"}}
		}, "executionRoleArn", "executionRoleArn"},
		{"log secret options without execution role", func(d map[string]any) {
			delete(d, "executionRoleArn")
			ct(d)["logConfiguration"] = map[string]any{"logDriver": "splunk", "secretOptions": []any{map[string]any{"name": "splunk-token", "valueFrom": "/splunk/token"}}}
		}, "executionRoleArn", "executionRoleArn"},
		{"registry credentials without execution role", func(d map[string]any) {
			delete(d, "executionRoleArn")
			ct(d)["repositoryCredentials"] = map[string]any{"credentialsParameter": "arn:aws:secretsmanager:us-east-1:000000000000:secret:hub-AbCdEf"}
		}, "executionRoleArn", "executionRoleArn"},
		{"log secret option without valueFrom", func(d map[string]any) {
			ct(d)["logConfiguration"] = map[string]any{"logDriver": "splunk", "secretOptions": []any{map[string]any{"name": "splunk-token"}}}
		}, "containerDefinitions[0].logConfiguration.secretOptions[0]", ""},
		{"GPU on Fargate", func(d map[string]any) {
			ct(d)["resourceRequirements"] = []any{map[string]any{"type": "GPU", "value": "1"}}
		},
			"containerDefinitions[0].resourceRequirements", "containerDefinitions.0.gpu"},
		{"GPU on EC2", func(d map[string]any) {
			ec2(d)
			ct(d)["memory"] = 128
			ct(d)["resourceRequirements"] = []any{map[string]any{"type": "GPU", "value": "1"}}
		}, "", ""},
		{"restart attempt period too short", func(d map[string]any) {
			ct(d)["restartPolicy"] = map[string]any{"enabled": true, "restartAttemptPeriod": 59}
		}, "containerDefinitions[0].restartPolicy.restartAttemptPeriod", "containerDefinitions.0.restartPolicy.restartAttemptPeriod"},
		{"restart attempt period too long", func(d map[string]any) {
			ct(d)["restartPolicy"] = map[string]any{"enabled": true, "restartAttemptPeriod": 1801}
		}, "containerDefinitions[0].restartPolicy.restartAttemptPeriod", "containerDefinitions.0.restartPolicy.restartAttemptPeriod"},
		{"51 ignored exit codes", func(d map[string]any) {
			var codes []any
			for i := 0; i < 51; i++ {
				codes = append(codes, i)
			}
			ct(d)["restartPolicy"] = map[string]any{"enabled": true, "ignoredExitCodes": codes}
		}, "containerDefinitions[0].restartPolicy.ignoredExitCodes", "containerDefinitions.0.restartPolicy.ignoredExitCodes"},
		{"restart policy without enabled", func(d map[string]any) { ct(d)["restartPolicy"] = map[string]any{"restartAttemptPeriod": 60} },
			"containerDefinitions[0].restartPolicy.enabled", ""},
		{"depends on a missing container", func(d map[string]any) {
			ct(d)["dependsOn"] = []any{map[string]any{"containerName": "db", "condition": "START"}}
		}, "containerDefinitions[0].dependsOn[0].containerName", "containerDefinitions.0.dependsOn.0.containerName"},
		{"dependency without a container name", func(d map[string]any) { ct(d)["dependsOn"] = []any{map[string]any{"condition": "START"}} },
			"containerDefinitions[0].dependsOn[0].containerName", "containerDefinitions.0.dependsOn.0.containerName"},
		{"dependency with an unknown condition", func(d map[string]any) {
			d["containerDefinitions"] = append(d["containerDefinitions"].([]any), map[string]any{"name": "init", "image": "busybox", "essential": false})
			ct(d)["dependsOn"] = []any{map[string]any{"containerName": "init", "condition": "READY"}}
		}, "containerDefinitions[0].dependsOn[0].condition", "containerDefinitions.0.dependsOn.0.condition"},
		{"waiting for an essential container to succeed", func(d map[string]any) {
			d["containerDefinitions"] = append(d["containerDefinitions"].([]any), map[string]any{"name": "init", "image": "busybox"})
			ct(d)["dependsOn"] = []any{map[string]any{"containerName": "init", "condition": "SUCCESS"}}
		}, "containerDefinitions[0].dependsOn[0].condition", "containerDefinitions.0.dependsOn.0.condition"},
		{"waiting for an init container to complete", func(d map[string]any) {
			d["containerDefinitions"] = append(d["containerDefinitions"].([]any), map[string]any{"name": "init", "image": "busybox", "essential": false})
			ct(d)["dependsOn"] = []any{map[string]any{"containerName": "init", "condition": "COMPLETE"}}
		}, "", ""},
		{"unknown ulimit", func(d map[string]any) {
			ct(d)["ulimits"] = []any{map[string]any{"name": "memory", "softLimit": 1, "hardLimit": 1}}
		}, "containerDefinitions[0].ulimits[0].name", "containerDefinitions.0.ulimits.0.name"},
		{"ulimit without soft limit", func(d map[string]any) { ct(d)["ulimits"] = []any{map[string]any{"name": "nofile", "hardLimit": 4096}} },
			"containerDefinitions[0].ulimits[0].softLimit", "containerDefinitions.0.ulimits.0.softLimit"},
		{"ulimit without hard limit", func(d map[string]any) { ct(d)["ulimits"] = []any{map[string]any{"name": "nofile", "softLimit": 1024}} },
			"containerDefinitions[0].ulimits[0].hardLimit", "containerDefinitions.0.ulimits.0.hardLimit"},
		{"environment file without value", func(d map[string]any) {
			ct(d)["environmentFiles"] = []any{map[string]any{"type": "s3", "value": ""}}
		}, "containerDefinitions[0].environmentFiles[0].value", "containerDefinitions.0.environmentFiles.0.value"},
		{"environment file of an unknown type", func(d map[string]any) {
			ct(d)["environmentFiles"] = []any{map[string]any{"type": "http", "value": "https://example.com/a.env"}}
		}, "containerDefinitions[0].environmentFiles[0].type", ""},
		{"mount of an unknown volume", func(d map[string]any) {
			ct(d)["mountPoints"] = []any{map[string]any{"sourceVolume": "data", "containerPath": "/data"}}
		}, "containerDefinitions[0].mountPoints[0].sourceVolume", "containerDefinitions.0.mountPoints.0.sourceVolume"},
		{"mount of a task volume", func(d map[string]any) {
			d["volumes"] = []any{map[string]any{"name": "data"}}
			ct(d)["mountPoints"] = []any{map[string]any{"sourceVolume": "data", "containerPath": "/data"}}
		}, "", ""},
		{"EFS volume without file system", func(d map[string]any) {
			d["volumes"] = []any{map[string]any{"name": "data", "efsVolumeConfiguration": map[string]any{"rootDirectory": "/"}}}
		}, "volumes[0].efsVolumeConfiguration.fileSystemId", "volumes.0.fileSystemId"},
		{"EFS volume without name", func(d map[string]any) {
			d["volumes"] = []any{map[string]any{"efsVolumeConfiguration": map[string]any{"fileSystemId": "fs-1234567890abcdef0"}}}
		}, "volumes[0].name", "volumes.0.name"},
		{"unknown operating system family", func(d map[string]any) {
			d["runtimePlatform"] = map[string]any{"operatingSystemFamily": "DOS", "cpuArchitecture": "X86_64"}
		}, "runtimePlatform.operatingSystemFamily", "runtimePlatform"},
		{"unknown CPU architecture", func(d map[string]any) {
			d["runtimePlatform"] = map[string]any{"operatingSystemFamily": "LINUX", "cpuArchitecture": "RISCV"}
		}, "runtimePlatform.cpuArchitecture", "runtimePlatform"},
		{"proxy without container", func(d map[string]any) { d["proxyConfiguration"] = map[string]any{"type": "APPMESH"} },
			"proxyConfiguration.containerName", "proxyConfiguration.containerName"},
		{"tag key reserved by AWS", func(d map[string]any) { d["tags"] = []any{map[string]any{"key": "aws:team", "value": "x"}} }, "tags[0]", "tags.0.key"},
		{"51 tags", func(d map[string]any) {
			var tags []any
			for i := 0; i < 51; i++ {
				tags = append(tags, map[string]any{"key": fmt.Sprintf("k%d", i), "value": "v"})
			}
			d["tags"] = tags
		}, "tags", "tags"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := base()
			tc.edit(d)
			body, _ := json.Marshal(d)
			doc, _, err := form.ParseTaskDefDoc(body)
			if err != nil {
				t.Fatal(err)
			}
			problems := form.TaskDefDocProblems(doc)
			wire, _ := doc.Marshal()
			_, regErr := c.RegisterTaskDef(t.Context(), wire)
			expectProblem := tc.rule != "" || tc.name == "more than 64 KiB"
			if !expectProblem {
				if len(problems) > 0 {
					t.Fatalf("builder found %+v", problems)
				}
				if regErr != nil {
					t.Fatalf("ECS refused what the builder accepts: %v", regErr)
				}
				return
			}
			if len(problems) == 0 {
				t.Fatalf("builder found nothing; ECS says %v", regErr)
			}
			p := problems[0]
			if p.Field != tc.rule {
				t.Errorf("first problem at %q (%s), want %q", p.Field, p.Message, tc.rule)
			}
			if regErr == nil {
				t.Fatalf("ECS registered what the builder refuses (%s)", p.Message)
			}
			if got := cloud.ErrorCode(regErr); got != p.Code {
				t.Errorf("ECS code %q, rule %q", got, p.Code)
			}
			if p.AWSMessage != "" && cloud.ErrorMessage(regErr) != p.AWSMessage {
				t.Errorf("ECS says %q, rule says %q", cloud.ErrorMessage(regErr), p.AWSMessage)
			}
			f := form.TaskDefFormFromDoc(doc)
			if got := f.FormField(p.Field); got != tc.formField {
				t.Errorf("shown at %q, want %q", got, tc.formField)
			}
			if p.Message == "" {
				t.Error("no plain-language message")
			}
		})
	}
}
