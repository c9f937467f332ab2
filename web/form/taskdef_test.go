package form

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// describeOutput is what DescribeTaskDefinition returns for a definition
// like the write-up's, with keys the form shows, keys it cannot show in
// full, and a key no SDK knows yet.
const tdDescribeOutput = `{
  "taskDefinition": {
    "taskDefinitionArn": "arn:aws:ecs:us-east-1:000000000000:task-definition/scc:3",
    "containerDefinitions": [
      {
        "name": "scc",
        "image": "000000000000.dkr.ecr.us-east-1.amazonaws.com/scc:latest",
        "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:us-east-1:000000000000:secret:production/RegistryCredentials-AbCdEf"},
        "cpu": 0,
        "memoryReservation": 256,
        "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp", "name": "scc-80-tcp", "appProtocol": "http"}],
        "essential": true,
        "command": ["nginx", "-g", "daemon off;"],
        "environment": [{"name": "MODE", "value": "prod"}],
        "environmentFiles": [],
        "mountPoints": [{"sourceVolume": "data", "containerPath": "/data", "readOnly": false}],
        "volumesFrom": [],
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf:password::"}],
        "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}],
        "dockerLabels": {"team": "payments"},
        "logConfiguration": {
          "logDriver": "awslogs",
          "options": {"awslogs-group": "/ecs/scc", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs", "awslogs-create-group": "true"},
          "secretOptions": [{"name": "token", "valueFrom": "arn:aws:secretsmanager:us-east-1:000000000000:secret:log-AbCdEf"}]
        },
        "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "interval": 30, "timeout": 5, "retries": 3},
        "linuxParameters": {"initProcessEnabled": true},
        "restartPolicy": {"enabled": true, "ignoredExitCodes": [0], "restartAttemptPeriod": 180},
        "systemControls": [],
        "futureContainerField": {"x": 1}
      }
    ],
    "family": "scc",
    "executionRoleArn": "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
    "networkMode": "awsvpc",
    "revision": 3,
    "volumes": [{"name": "data"}],
    "status": "ACTIVE",
    "requiresAttributes": [{"name": "ecs.capability.task-eni"}],
    "placementConstraints": [],
    "compatibilities": ["EC2", "FARGATE"],
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
    "ephemeralStorage": {"sizeInGiB": 30},
    "enableFaultInjection": false,
    "registeredAt": 1700000000.123,
    "registeredBy": "arn:aws:iam::000000000000:root"
  },
  "tags": [{"key": "team", "value": "payments"}]
}`

func tdMustDoc(t *testing.T, s string) TaskDefDoc {
	t.Helper()
	d, _, err := ParseTaskDefDoc([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFromJSONRemovesReadOnlyKeysAndKeepsTheRest(t *testing.T) {
	f, notes, err := TaskDefFormFromJSON(tdDescribeOutput)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "taskDefinitionArn") || !strings.Contains(notes[0], "registeredBy") {
		t.Errorf("notes = %v", notes)
	}
	if f.Family != "scc" || f.CPU != "256" || f.Memory != "512" || f.OSArch != "LINUX/X86_64" || f.EphemeralStorage != "30" {
		t.Errorf("task fields: %+v", f)
	}
	if len(f.Containers) != 1 {
		t.Fatalf("containers: %d", len(f.Containers))
	}
	c := f.Containers[0]
	if !c.PrivateRegistry || !strings.HasSuffix(c.CredentialsParameter, "RegistryCredentials-AbCdEf") {
		t.Errorf("private registry: %+v", c)
	}
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != "80" || c.Ports[0].Name != "scc-80-tcp" {
		t.Errorf("ports: %+v", c.Ports)
	}
	if len(c.Env) != 2 || c.Env[1].Type != EnvTypeValueFrom || c.Env[1].Name != "DB_PASSWORD" {
		t.Errorf("env: %+v", c.Env)
	}
	if c.HealthCommand != "CMD-SHELL, curl -f http://localhost/ || exit 1" {
		t.Errorf("health command %q", c.HealthCommand)
	}
	if c.Restart != "enabled" || c.RestartIgnoredExitCodes != "0" {
		t.Errorf("restart %q %q", c.Restart, c.RestartIgnoredExitCodes)
	}
	// Kept as they are: a key the form does not show, one it cannot show
	// in full (a command with a ";" is fine, but secretOptions is not shown),
	// and one nobody knows yet.
	for _, k := range []string{"linuxParameters", "futureContainerField", "logConfiguration"} {
		if !c.Locked(k) {
			t.Errorf("container key %s not kept; extra = %v", k, TaskDefExtraKeys(c.Extra))
		}
	}
	if c.Locked("portMappings") || c.Locked("healthCheck") || c.Locked("command") {
		t.Errorf("shown keys kept as JSON: %v", TaskDefExtraKeys(c.Extra))
	}
	if f.Locked("containerDefinitions") || f.Locked("family") {
		t.Errorf("top keys kept: %v", TaskDefExtraKeys(f.Extra))
	}
}

// TestRoundTripJSONFormJSON: pasted JSON -> form -> JSON gives back the
// same definition (minus the read-only keys and what makes no difference).
func TestRoundTripJSONFormJSON(t *testing.T) {
	inputs := map[string]string{
		"describe output": tdDescribeOutput,
		"minimal":         `{"family":"a","containerDefinitions":[{"name":"web","image":"nginx","memory":512}]}`,
		"ec2 with docker volume": `{"family":"b","networkMode":"bridge","requiresCompatibilities":["EC2"],
			"containerDefinitions":[{"name":"w","image":"nginx","memory":256,"essential":false,"portMappings":[{"containerPort":80,"hostPort":0}],
			"dependsOn":[{"containerName":"x","condition":"START"}],"entryPoint":["sh","-c"],"workingDirectory":"/app","readonlyRootFilesystem":true,
			"resourceRequirements":[{"type":"GPU","value":"1"}],"mountPoints":[{"sourceVolume":"v","containerPath":"/v","readOnly":true}]},
			{"name":"x","image":"busybox","memoryReservation":64,"firelensConfiguration":{"type":"fluentbit"}}],
			"volumes":[{"name":"v","dockerVolumeConfiguration":{"scope":"shared","autoprovision":true,"driver":"local"}},
			{"name":"h","host":{"sourcePath":"/var/data"}},{"name":"e","efsVolumeConfiguration":{"fileSystemId":"fs-1","rootDirectory":"/","transitEncryption":"ENABLED","authorizationConfig":{"accessPointId":"fsap-1","iam":"ENABLED"}}}],
			"proxyConfiguration":{"type":"APPMESH","containerName":"envoy","properties":[{"name":"AppPorts","value":"80"}]},
			"ipcMode":"host","pidMode":"host","placementConstraints":[{"type":"memberOf","expression":"attribute:ecs.os-type == linux"}]}`,
		"odd values kept": `{"family":"c","cpu":256,"containerDefinitions":[{"name":"w","image":"i","memory":"lots","command":["a, b"],"portMappings":"80"}],"volumes":{"x":1}}`,
		"not a list":      `{"family":"d","containerDefinitions":"nope"}`,
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			want := tdMustDoc(t, in)
			f := TaskDefFormFromDoc(tdMustDoc(t, in))
			got, errs := f.Document()
			if errs.Any() {
				t.Fatalf("document problems: %v", errs.All())
			}
			if !tdSame(map[string]any(want), map[string]any(got)) {
				t.Errorf("round trip changed the definition\nwant %s\ngot  %s", tdCanonical(tdPrune(map[string]any(want))), tdCanonical(tdPrune(map[string]any(got))))
			}
			// And through the posted form: form -> values -> form -> JSON.
			again, _ := DecodeTaskDefForm(f.values()).Document()
			if !tdSame(map[string]any(want), map[string]any(again)) {
				t.Errorf("form post changed the definition\nwant %s\ngot  %s", tdCanonical(tdPrune(map[string]any(want))), tdCanonical(tdPrune(map[string]any(again))))
			}
		})
	}
}

// TestRoundTripFormJSONForm: what a person typed -> JSON tab -> form again
// is what they typed.
func TestRoundTripFormJSONForm(t *testing.T) {
	f := NewTaskDefForm()
	f.Family = "scc"
	f.CPU, f.Memory = "256", "512"
	c := &f.Containers[0]
	c.Name, c.Image = "scc", "nginx:latest"
	c.Ports = []PortForm{{ContainerPort: "80", Protocol: "tcp", AppProtocol: "http", Name: "web"}}
	c.Env = []EnvForm{{Name: "A", Type: EnvTypeValue, Value: "1"}, {Name: "S", Type: EnvTypeValueFrom, Value: "arn:aws:secretsmanager:us-east-1:1:secret:s"}}
	c.PrivateRegistry, c.CredentialsParameter = true, "arn:aws:secretsmanager:us-east-1:1:secret:reg"
	c.HealthCommand, c.HealthInterval = "CMD-SHELL, curl -f http://localhost/", "10"
	c.Restart, c.RestartIgnoredExitCodes, c.RestartAttemptPeriod = "enabled", "0, 137", "60"
	c.Ulimits = []UlimitForm{{Name: "nofile", Soft: "1", Hard: "2"}}
	c.Labels = []KeyValue{{Key: "a", Value: "b"}}
	c.DependsOn = []DependsOnForm{{Container: "x", Condition: "HEALTHY"}}
	c.EnvFiles = []string{"arn:aws:s3:::bucket/app.env"}
	f.FillLogDefaults("us-east-1")
	f.Tags = []KeyValue{{Key: "team", Value: "x"}}
	f.Volumes = []VolumeForm{{Name: "data", Type: "bind"}}
	f.ProxyEnabled, f.ProxyContainer = true, "envoy"

	back, notes, err := TaskDefFormFromJSON(f.JSON())
	if err != nil || len(notes) > 0 {
		t.Fatalf("FromJSON: %v %v", err, notes)
	}
	if len(back.Extra) > 0 || len(back.Containers[0].Extra) > 0 {
		t.Errorf("keys kept as JSON: %v %v", TaskDefExtraKeys(back.Extra), TaskDefExtraKeys(back.Containers[0].Extra))
	}
	// Log options come back sorted by key; compare as sets.
	sortKV := func(kv []KeyValue) map[string]string {
		m := map[string]string{}
		for _, x := range kv {
			m[x.Key] = x.Value
		}
		return m
	}
	if !reflect.DeepEqual(sortKV(back.Containers[0].LogOptions), sortKV(c.LogOptions)) {
		t.Errorf("log options %v, want %v", back.Containers[0].LogOptions, c.LogOptions)
	}
	back.Containers[0].LogOptions, c.LogOptions = nil, nil
	if !reflect.DeepEqual(back, f) {
		t.Errorf("form changed:\n got  %+v\n want %+v", back, f)
	}
}

func TestRowsAddAndRemove(t *testing.T) {
	f := NewTaskDefForm()
	for _, p := range []string{"containerDefinitions", "containerDefinitions.1.portMappings", "containerDefinitions.1.env", "tags", "volumes",
		"containerDefinitions.0.ulimits", "containerDefinitions.0.dockerLabels", "containerDefinitions.0.dependsOn", "containerDefinitions.0.mountPoints",
		"containerDefinitions.0.environmentFiles", "containerDefinitions.0.logOptions", "proxyConfiguration.properties"} {
		if !f.AddRow(p) {
			t.Errorf("AddRow(%q) refused", p)
		}
	}
	if len(f.Containers) != 2 || len(f.Containers[1].Ports) != 2 || len(f.Containers[1].Env) != 1 {
		t.Fatalf("rows: %+v", f.Containers)
	}
	f.Containers[0].Name = "first"
	if !f.RemoveRow("containerDefinitions.1") || len(f.Containers) != 1 || f.Containers[0].Name != "first" {
		t.Errorf("remove container: %+v", f.Containers)
	}
	for _, bad := range []string{"containerDefinitions.5", "containerDefinitions.0.nothing.0", "x.0", "containerDefinitions", "containerDefinitions.-1"} {
		if f.RemoveRow(bad) {
			t.Errorf("RemoveRow(%q) accepted", bad)
		}
	}
	if f.AddRow("containerDefinitions.9.portMappings") || f.AddRow("nope") {
		t.Error("AddRow accepted a bad path")
	}
}

// TestDecodeKeepsWhatWasTyped: numbers stay text until validation says
// what is wrong with them, and unused rows are dropped.
func TestDecodeKeepsWhatWasTyped(t *testing.T) {
	v := url.Values{
		"family":                           {" web "},
		"requiresCompatibilities":          {"FARGATE", "EC2"},
		"cpu":                              {"256"},
		"memory":                           {"lots"},
		"containerDefinitions.0.name":      {"web"},
		"containerDefinitions.0.essential": {"true"},
		"containerDefinitions.0.memory":    {"12x"},
		"containerDefinitions.0.portMappings.0.containerPort": {"80"},
		"containerDefinitions.0.portMappings.1.protocol":      {"tcp"},
		"containerDefinitions.0.env.0.name":                   {""},
		"containerDefinitions.0.env.0.value":                  {""},
		"containerDefinitions.2.name":                         {"third"},
	}
	f := DecodeTaskDefForm(v)
	if f.Family != "web" || !reflect.DeepEqual(f.LaunchTypes, []string{"FARGATE", "EC2"}) || f.Memory != "lots" {
		t.Errorf("%+v", f)
	}
	if len(f.Containers) != 2 || f.Containers[1].Name != "third" {
		t.Fatalf("containers %+v", f.Containers)
	}
	c := f.Containers[0]
	if len(c.Ports) != 1 || len(c.Env) != 0 || c.Memory != "12x" {
		t.Errorf("rows %+v", c)
	}
	_, errs := f.Validate()
	if got := errs.For("containerDefinitions.0.memory"); len(got) != 1 || got[0] != "Enter a whole number." {
		t.Errorf("memory errors %v (all %v)", got, errs.All())
	}
	if !errs.Has("memory") {
		t.Errorf("task memory 'lots' not flagged: %v", errs.All())
	}
}

// TestBlankUlimitIsAProblemNotZero: a ulimit row with blank limits is not
// sent as 0/0; each blank limit is a problem at its input.
func TestBlankUlimitIsAProblemNotZero(t *testing.T) {
	f := DecodeTaskDefForm(url.Values{
		"family": {"web"}, "networkMode": {"bridge"},
		"containerDefinitions.0.name": {"web"}, "containerDefinitions.0.image": {"nginx"}, "containerDefinitions.0.memory": {"128"},
		"containerDefinitions.0.essential":           {"true"},
		"containerDefinitions.0.ulimits.0.name":      {"nofile"},
		"containerDefinitions.0.ulimits.0.softLimit": {""},
		"containerDefinitions.0.ulimits.0.hardLimit": {""},
	})
	doc, errs := f.Validate()
	for _, field := range []string{"containerDefinitions.0.ulimits.0.softLimit", "containerDefinitions.0.ulimits.0.hardLimit"} {
		if !errs.Has(field) {
			t.Errorf("no problem at %s: %v", field, errs.All())
		}
	}
	b, _ := doc.Marshal()
	if !strings.Contains(string(b), `"ulimits":[{"name":"nofile"}]`) {
		t.Errorf("blank limits are in the document: %s", b)
	}
}

// TestOneFieldSeveralRules: each rule that speaks of a field says why, once.
func TestOneFieldSeveralRules(t *testing.T) {
	f := NewTaskDefForm()
	f.Family = "web"
	f.CPU, f.Memory = "256", "512"
	f.Containers[0].Name, f.Containers[0].Image = "web", "nginx"
	f.Containers[0].PrivateRegistry, f.Containers[0].CredentialsParameter = true, "hub"
	second := NewContainerForm()
	second.Name, second.Image = "side", "busybox"
	f.Containers = append(f.Containers, second)
	_, errs := f.Validate()
	got := errs.For("executionRoleArn")
	if len(got) != 2 || !strings.Contains(got[0], "send logs to CloudWatch") || !strings.Contains(got[1], "Private registry authentication") {
		t.Errorf("execution role problems %q", got)
	}
}

func TestFillLogDefaultsKeepsTypedValues(t *testing.T) {
	f := NewTaskDefForm()
	f.Family = "scc"
	f.Containers[0].LogOptions[2].Value = "custom"
	f.FillLogDefaults("eu-west-1")
	c := f.Containers[0]
	if c.LogOption("awslogs-group") != "/ecs/scc" || c.LogOption("awslogs-region") != "eu-west-1" || c.LogOption("awslogs-stream-prefix") != "custom" {
		t.Errorf("options %v", c.LogOptions)
	}
}

func TestParseDocumentErrors(t *testing.T) {
	for _, in := range []string{``, `[]`, `"x"`, `{"a":}`, `{} {}`, `null`} {
		if _, _, err := ParseTaskDefDoc([]byte(in)); err == nil {
			t.Errorf("ParseDocument(%q) accepted", in)
		}
	}
}

// FuzzTaskDefFormFromJSON: nothing typed or pasted into the JSON tab crashes the
// builder, and whatever it accepts survives a trip through the form.
func FuzzTaskDefFormFromJSON(f *testing.F) {
	f.Add(tdDescribeOutput)
	f.Add(`{"family":"a","containerDefinitions":[{"name":"web","image":"nginx","memory":512}]}`)
	f.Add(`{"containerDefinitions":[1,"x",null,{"portMappings":[{"containerPort":1e400}]}]}`)
	f.Add(`{"taskDefinition":{"family":"x"},"tags":"nope"}`)
	f.Add(`{"cpu":{"a":[]},"volumes":[null],"tags":[{"key":1}]}`)
	f.Add(`{"family":"a","volumes":[{"efsVolumeConfiguration":{}}],"runtimePlatform":{"operatingSystemFamily":"X"},"proxyConfiguration":{},
"containerDefinitions":[{"name":"w","image":"x","ulimits":[{"name":"nofile"}],"dependsOn":[{}],"mountPoints":[{}],"environmentFiles":[{}],
"restartPolicy":{},"resourceRequirements":[{"type":"GPU","value":"1"}],"logConfiguration":{"secretOptions":[{}]}}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		form, _, err := TaskDefFormFromJSON(in)
		if err != nil {
			return
		}
		doc, _ := form.Document()
		_ = form.JSON()
		_ = TaskDefDocProblems(doc)
		_, _ = form.Validate()
		again, _ := DecodeTaskDefForm(form.values()).Document()
		if b, err := json.Marshal(map[string]any(again)); err != nil || len(b) == 0 {
			t.Fatalf("re-encode: %v", err)
		}
	})
}

func TestTaskDefDiff(t *testing.T) {
	a := tdMustDoc(t, tdDescribeOutput)
	b := tdMustDoc(t, tdDescribeOutput)
	cs := b["containerDefinitions"].([]any)
	c := cs[0].(map[string]any)
	c["portMappings"] = []any{map[string]any{"containerPort": json.Number("8080"), "hostPort": json.Number("8080"), "protocol": "tcp", "name": "scc-80-tcp", "appProtocol": "http"}}
	c["environment"] = []any{}
	b["cpu"] = "512"
	b["containerDefinitions"] = append(cs, map[string]any{"name": "sidecar", "image": "envoy"})
	secs := TaskDefDiff(a, b)
	if len(secs) != 3 || secs[0].Title != "Task definition" || secs[1].Title != "Container scc" || secs[2].Title != "Container sidecar" {
		t.Fatalf("sections %+v", secs)
	}
	changed := func(s TaskDefDiffSection) map[string][2]string {
		m := map[string][2]string{}
		for _, r := range s.Rows {
			if r.Changed {
				m[r.Path] = [2]string{r.A, r.B}
			}
		}
		return m
	}
	if got := changed(secs[0]); len(got) != 1 || got["cpu"] != [2]string{"256", "512"} {
		t.Errorf("task changes %v", got)
	}
	got := changed(secs[1])
	if got["portMappings[scc-80-tcp].containerPort"] != [2]string{"80", "8080"} || got["environment[MODE].value"] != [2]string{"prod", ""} || len(got) != 4 {
		t.Errorf("container changes %v", got)
	}
	if secs[2].Changed != 2 {
		t.Errorf("new container %+v", secs[2])
	}
	// The same definition compares equal, whatever the key order or empty lists.
	for _, s := range TaskDefDiff(a, tdMustDoc(t, tdDescribeOutput)) {
		if s.Changed != 0 {
			t.Errorf("%s: %d changes", s.Title, s.Changed)
		}
	}
}

func TestDropFilledHostPorts(t *testing.T) {
	d := tdMustDoc(t, `{"networkMode":"awsvpc","containerDefinitions":[{"portMappings":[{"containerPort":80,"hostPort":80},{"containerPort":81,"hostPort":82}]}]}`)
	d.DropFilledHostPorts()
	pms := d["containerDefinitions"].([]any)[0].(map[string]any)["portMappings"].([]any)
	if _, ok := pms[0].(map[string]any)["hostPort"]; ok {
		t.Error("filled host port kept")
	}
	if _, ok := pms[1].(map[string]any)["hostPort"]; !ok {
		t.Error("a different host port was dropped")
	}
	b := tdMustDoc(t, `{"networkMode":"bridge","containerDefinitions":[{"portMappings":[{"containerPort":80,"hostPort":80}]}]}`)
	b.DropFilledHostPorts()
	if _, ok := b["containerDefinitions"].([]any)[0].(map[string]any)["portMappings"].([]any)[0].(map[string]any)["hostPort"]; !ok {
		t.Error("bridge host port dropped")
	}
}
