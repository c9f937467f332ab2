package form

import (
	"bytes"
	"encoding/json"
	"sort"
)

// This file is Berth's own model of an ECS task definition document: the
// JSON that RegisterTaskDefinition takes and DescribeTaskDefinition returns,
// with the keys the builder shows typed and everything else carried along
// untouched. No SDK types: the document goes to AWS as JSON.

// TaskDefinition is the typed part of a task definition document. Pointers
// are "given or not", so a zero that matters (cpu 0, hostPort 0) survives.
type TaskDefinition struct {
	Family                  string              `json:"family,omitempty"`
	TaskRoleArn             string              `json:"taskRoleArn,omitempty"`
	ExecutionRoleArn        string              `json:"executionRoleArn,omitempty"`
	NetworkMode             string              `json:"networkMode,omitempty"`
	ContainerDefinitions    []ContainerDef      `json:"containerDefinitions,omitempty"`
	Volumes                 []TaskVolume        `json:"volumes,omitempty"`
	RequiresCompatibilities []string            `json:"requiresCompatibilities,omitempty"`
	CPU                     string              `json:"cpu,omitempty"`
	Memory                  string              `json:"memory,omitempty"`
	RuntimePlatform         *RuntimePlatform    `json:"runtimePlatform,omitempty"`
	EphemeralStorage        *EphemeralStorage   `json:"ephemeralStorage,omitempty"`
	ProxyConfiguration      *ProxyConfiguration `json:"proxyConfiguration,omitempty"`
	Tags                    []TaskDefTag        `json:"tags,omitempty"`
}

// RuntimePlatform is the task's operating system and CPU architecture.
type RuntimePlatform struct {
	OperatingSystemFamily string `json:"operatingSystemFamily,omitempty"`
	CPUArchitecture       string `json:"cpuArchitecture,omitempty"`
}

// EphemeralStorage is the task's Fargate scratch space.
type EphemeralStorage struct {
	SizeInGiB *int `json:"sizeInGiB,omitempty"`
}

// ProxyConfiguration is the App Mesh proxy of a task.
type ProxyConfiguration struct {
	Type          string             `json:"type,omitempty"`
	ContainerName string             `json:"containerName,omitempty"`
	Properties    []TaskDefNameValue `json:"properties,omitempty"`
}

// TaskDefTag is one resource tag.
type TaskDefTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// TaskDefNameValue is an environment variable or a proxy property.
type TaskDefNameValue struct {
	Name  string `json:"name,omitempty"`
	Value string `json:"value,omitempty"`
}

// ContainerSecret is a secret given to a container: a name and the ARN (or
// Parameter Store name) it comes from. Never a secret value.
type ContainerSecret struct {
	Name      string `json:"name,omitempty"`
	ValueFrom string `json:"valueFrom,omitempty"`
}

// ContainerDef is the typed part of one container definition.
type ContainerDef struct {
	Name                   string                 `json:"name,omitempty"`
	Image                  string                 `json:"image,omitempty"`
	RepositoryCredentials  *RepositoryCredentials `json:"repositoryCredentials,omitempty"`
	CPU                    *int                   `json:"cpu,omitempty"`
	Memory                 *int                   `json:"memory,omitempty"`
	MemoryReservation      *int                   `json:"memoryReservation,omitempty"`
	PortMappings           []PortMapping          `json:"portMappings,omitempty"`
	Essential              *bool                  `json:"essential,omitempty"`
	EntryPoint             []string               `json:"entryPoint,omitempty"`
	Command                []string               `json:"command,omitempty"`
	Environment            []TaskDefNameValue     `json:"environment,omitempty"`
	EnvironmentFiles       []EnvironmentFile      `json:"environmentFiles,omitempty"`
	MountPoints            []MountPoint           `json:"mountPoints,omitempty"`
	Secrets                []ContainerSecret      `json:"secrets,omitempty"`
	DependsOn              []DependsOn            `json:"dependsOn,omitempty"`
	WorkingDirectory       string                 `json:"workingDirectory,omitempty"`
	ReadonlyRootFilesystem *bool                  `json:"readonlyRootFilesystem,omitempty"`
	DockerLabels           map[string]string      `json:"dockerLabels,omitempty"`
	Ulimits                []Ulimit               `json:"ulimits,omitempty"`
	LogConfiguration       *LogConfiguration      `json:"logConfiguration,omitempty"`
	HealthCheck            *HealthCheck           `json:"healthCheck,omitempty"`
	ResourceRequirements   []ResourceRequirement  `json:"resourceRequirements,omitempty"`
	FirelensConfiguration  *FirelensConfiguration `json:"firelensConfiguration,omitempty"`
	RestartPolicy          *RestartPolicy         `json:"restartPolicy,omitempty"`
}

// RepositoryCredentials points at the secret with a private registry's
// username and password.
type RepositoryCredentials struct {
	CredentialsParameter string `json:"credentialsParameter"`
}

// PortMapping is one port a container listens on.
type PortMapping struct {
	ContainerPort      *int   `json:"containerPort,omitempty"`
	HostPort           *int   `json:"hostPort,omitempty"`
	Protocol           string `json:"protocol,omitempty"`
	Name               string `json:"name,omitempty"`
	AppProtocol        string `json:"appProtocol,omitempty"`
	ContainerPortRange string `json:"containerPortRange,omitempty"`
}

// EnvironmentFile is an S3 object of environment variables.
type EnvironmentFile struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

// MountPoint mounts a task volume into a container.
type MountPoint struct {
	SourceVolume  string `json:"sourceVolume,omitempty"`
	ContainerPath string `json:"containerPath,omitempty"`
	ReadOnly      *bool  `json:"readOnly,omitempty"`
}

// DependsOn orders container start-up.
type DependsOn struct {
	ContainerName string `json:"containerName"`
	Condition     string `json:"condition"`
}

// Ulimit is one resource limit of a container. A limit left blank is
// left out (ECS then refuses it), never sent as 0.
type Ulimit struct {
	Name      string `json:"name"`
	SoftLimit *int   `json:"softLimit,omitempty"`
	HardLimit *int   `json:"hardLimit,omitempty"`
}

// LogConfiguration is where a container's output goes.
type LogConfiguration struct {
	LogDriver string            `json:"logDriver,omitempty"`
	Options   map[string]string `json:"options,omitempty"`
}

// HealthCheck is a container's health check; nil numbers take ECS's defaults.
type HealthCheck struct {
	Command     []string `json:"command,omitempty"`
	Interval    *int     `json:"interval,omitempty"`
	Timeout     *int     `json:"timeout,omitempty"`
	Retries     *int     `json:"retries,omitempty"`
	StartPeriod *int     `json:"startPeriod,omitempty"`
}

// ResourceRequirement reserves GPUs (or an inference accelerator).
type ResourceRequirement struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// FirelensConfiguration makes a container the task's log router.
type FirelensConfiguration struct {
	Type string `json:"type"`
}

// RestartPolicy restarts a container in place when it exits.
type RestartPolicy struct {
	Enabled              *bool `json:"enabled,omitempty"`
	IgnoredExitCodes     []int `json:"ignoredExitCodes,omitempty"`
	RestartAttemptPeriod *int  `json:"restartAttemptPeriod,omitempty"`
}

// TaskVolume is a task volume: a bind mount, a Docker volume or an EFS file system.
type TaskVolume struct {
	Name                      string                     `json:"name,omitempty"`
	Host                      *TaskHostVolume            `json:"host,omitempty"`
	DockerVolumeConfiguration *DockerVolumeConfiguration `json:"dockerVolumeConfiguration,omitempty"`
	EfsVolumeConfiguration    *EfsVolumeConfiguration    `json:"efsVolumeConfiguration,omitempty"`
}

// TaskHostVolume is a bind mount of a path on the host.
type TaskHostVolume struct {
	SourcePath string `json:"sourcePath,omitempty"`
}

// DockerVolumeConfiguration is a Docker-managed volume (EC2 only).
type DockerVolumeConfiguration struct {
	Scope         string `json:"scope,omitempty"`
	Autoprovision *bool  `json:"autoprovision,omitempty"`
	Driver        string `json:"driver,omitempty"`
}

// EfsVolumeConfiguration mounts an Amazon EFS file system.
type EfsVolumeConfiguration struct {
	FileSystemID        string               `json:"fileSystemId,omitempty"`
	RootDirectory       string               `json:"rootDirectory,omitempty"`
	TransitEncryption   string               `json:"transitEncryption,omitempty"`
	AuthorizationConfig *EfsAuthorizationCfg `json:"authorizationConfig,omitempty"`
}

// EfsAuthorizationCfg is the access point and IAM setting of an EFS volume.
type EfsAuthorizationCfg struct {
	AccessPointID string `json:"accessPointId,omitempty"`
	IAM           string `json:"iam,omitempty"`
}

// TaskDefReadOnlyKeys are the keys DescribeTaskDefinition adds that
// RegisterTaskDefinition refuses; Berth removes them from pasted JSON and
// from the JSON it offers for download.
var TaskDefReadOnlyKeys = []string{
	"taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
	"registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt",
}

// topOrder and containerOrder are the key orders of the JSON Berth writes,
// the console's order, so the JSON tab reads like AWS's own examples.
var tdTopOrder = []string{
	"family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
	"placementConstraints", "requiresCompatibilities", "cpu", "memory", "runtimePlatform",
	"ephemeralStorage", "proxyConfiguration", "tags",
}

var tdContainerOrder = []string{
	"name", "image", "repositoryCredentials", "cpu", "memory", "memoryReservation", "portMappings",
	"essential", "entryPoint", "command", "environment", "environmentFiles", "mountPoints", "volumesFrom",
	"secrets", "dependsOn", "workingDirectory", "readonlyRootFilesystem", "dockerLabels", "ulimits",
	"logConfiguration", "healthCheck", "resourceRequirements", "firelensConfiguration", "restartPolicy",
}

// TaskDefDoc is a task definition as a JSON object: Berth's typed keys and
// any others, in one map. Values are what encoding/json decodes with
// UseNumber (json.Number for numbers).
type TaskDefDoc map[string]any

// decodeJSON reads JSON keeping numbers exact.
func tdDecodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return tdErrTrailing
	}
	return nil
}

type tdError string

func (e tdError) Error() string { return string(e) }

const tdErrTrailing = tdError("there is more text after the JSON object")

// toAny turns a typed value into its generic JSON form.
func tdToAny(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if tdDecodeJSON(b, &out) != nil {
		return nil
	}
	return out
}

// canonical is a value's JSON with sorted keys, for equality.
func tdCanonical(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "\x00invalid"
	}
	return string(b)
}

// prune drops what makes no difference to ECS: empty strings, lists and
// objects, false flags (ECS's default) and essential true (its default,
// so only essential false is kept); restartPolicy's enabled is required and
// stays. It is applied only to compare, never to what is sent.
func tdPrune(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			p := tdPrune(e)
			if p == nil {
				continue
			}
			if b, ok := p.(bool); ok && k != "enabled" && (b == (k == "essential")) {
				continue
			}
			out[k] = p
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(x) == 0 {
			return nil
		}
		out := make([]any, 0, len(x))
		for _, e := range x {
			p := tdPrune(e)
			if p == nil {
				p = map[string]any{}
			}
			out = append(out, p)
		}
		return out
	case string:
		if x == "" {
			return nil
		}
	}
	return v
}

func tdSame(a, b any) bool { return tdCanonical(tdPrune(a)) == tdCanonical(tdPrune(b)) }

// orderedObject marshals a map with the given keys first, then the rest sorted.
type tdOrderedObject struct {
	m     map[string]any
	order []string
}

func (o tdOrderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	write := func(k string, v any) error {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		vb, err := json.Marshal(v)
		if err != nil {
			return err
		}
		buf.Write(vb)
		return nil
	}
	done := map[string]bool{}
	for _, k := range o.order {
		if v, ok := o.m[k]; ok {
			if err := write(k, v); err != nil {
				return nil, err
			}
			done[k] = true
		}
	}
	rest := make([]string, 0, len(o.m))
	for k := range o.m {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		if err := write(k, o.m[k]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// MarshalIndent writes the document as pretty JSON in the console's key order.
func (d TaskDefDoc) MarshalIndent() []byte {
	b, err := d.Marshal()
	if err != nil {
		return nil
	}
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return b
	}
	return out.Bytes()
}

// Marshal writes the document as compact JSON in the console's key order:
// what Berth sends to RegisterTaskDefinition.
func (d TaskDefDoc) Marshal() ([]byte, error) {
	m := map[string]any(d)
	if cs, ok := m["containerDefinitions"].([]any); ok {
		cp := make(map[string]any, len(m))
		for k, v := range m {
			cp[k] = v
		}
		list := make([]any, len(cs))
		for i, c := range cs {
			if cm, ok := c.(map[string]any); ok {
				list[i] = tdOrderedObject{m: cm, order: tdContainerOrder}
			} else {
				list[i] = c
			}
		}
		cp["containerDefinitions"] = list
		m = cp
	}
	return json.Marshal(tdOrderedObject{m: m, order: tdTopOrder})
}

// ParseTaskDefDoc reads a task definition document: the task definition
// object itself, RegisterTaskDefinition input, or DescribeTaskDefinition
// output ({"taskDefinition": …, "tags": […]}). It removes the read-only keys
// and says which it removed.
func ParseTaskDefDoc(b []byte) (TaskDefDoc, []string, error) {
	var raw any
	if err := tdDecodeJSON(b, &raw); err != nil {
		return nil, nil, tdError("This is not valid JSON: " + tdJSONErrorText(err))
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, nil, tdError("The JSON must be an object: { \"family\": …, \"containerDefinitions\": […] }.")
	}
	if inner, ok := obj["taskDefinition"].(map[string]any); ok {
		if tags, ok := obj["tags"]; ok {
			if _, has := inner["tags"]; !has {
				inner["tags"] = tags
			}
		}
		obj = inner
	}
	var removed []string
	for _, k := range TaskDefReadOnlyKeys {
		if _, ok := obj[k]; ok {
			delete(obj, k)
			removed = append(removed, k)
		}
	}
	return TaskDefDoc(obj), removed, nil
}

func tdJSONErrorText(err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return se.Error() + " (at byte " + itoa(int(se.Offset)) + ")"
	}
	return err.Error()
}

// Typed reads the typed part of a document, skipping values of the wrong
// type (they stay in the document untouched).
func (d TaskDefDoc) Typed() TaskDefinition {
	var td TaskDefinition
	b, err := json.Marshal(map[string]any(d))
	if err != nil {
		return td
	}
	// A wrong type in one field leaves that field empty; the rest is read.
	_ = json.Unmarshal(b, &td)
	if cs, ok := d["containerDefinitions"].([]any); ok && len(cs) != len(td.ContainerDefinitions) {
		// A container that is not an object broke the list: read one by one.
		td.ContainerDefinitions = nil
		for _, c := range cs {
			var cd ContainerDef
			if cb, err := json.Marshal(c); err == nil {
				_ = json.Unmarshal(cb, &cd)
			}
			td.ContainerDefinitions = append(td.ContainerDefinitions, cd)
		}
	}
	return td
}

// DropFilledHostPorts removes the host ports ECS fills in for the awsvpc
// network mode (equal to the container port), so that revising a
// registered revision lets the person change a port in one field. For
// awsvpc the definition is the same with or without them.
func (d TaskDefDoc) DropFilledHostPorts() {
	if d["networkMode"] != "awsvpc" {
		return
	}
	cs, _ := d["containerDefinitions"].([]any)
	for _, c := range cs {
		cm, _ := c.(map[string]any)
		pms, _ := cm["portMappings"].([]any)
		for _, p := range pms {
			pm, _ := p.(map[string]any)
			if pm == nil {
				continue
			}
			if hp, ok := pm["hostPort"]; ok && tdCanonical(hp) == tdCanonical(pm["containerPort"]) {
				delete(pm, "hostPort")
			}
		}
	}
}
