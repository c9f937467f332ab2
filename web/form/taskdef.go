package form

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// TaskDefForm is the "Create new task definition" builder as the person
// filled it in: every value as typed (numbers too), so a re-rendered form
// shows exactly what was entered. Input names follow the JSON paths
// ("containerDefinitions.0.portMappings.1.containerPort") so AWS rule
// problems land on their field.
type TaskDefForm struct {
	// Task definition configuration
	Family string

	// Infrastructure requirements
	LaunchTypes      []string // requiresCompatibilities
	OSArch           string   // "LINUX/X86_64": runtimePlatform
	NetworkMode      string
	CPU, Memory      string
	TaskRoleArn      string
	ExecutionRoleArn string

	Containers []ContainerForm

	// Storage
	EphemeralStorage string
	Volumes          []VolumeForm

	// Proxy configuration (App Mesh)
	ProxyEnabled    bool
	ProxyContainer  string
	ProxyProperties []KeyValue

	Tags []KeyValue

	// Extra holds the top-level keys the form does not show (or cannot show
	// as they are), exactly as they came from JSON; they are sent as they are.
	Extra map[string]json.RawMessage
}

// ContainerForm is one container of the builder.
type ContainerForm struct {
	Name, Image          string
	Essential            bool
	PrivateRegistry      bool
	CredentialsParameter string
	Ports                []PortForm
	// Resource allocation limits
	CPU, GPU, Memory, MemoryReservation string
	Env                                 []EnvForm
	EnvFiles                            []string
	// Log collection: LogDriver "" means off.
	LogDriver    string
	LogOptions   []KeyValue
	FirelensType string
	// Health check
	HealthCommand, HealthInterval, HealthTimeout, HealthRetries, HealthStartPeriod string
	// Docker configuration
	EntryPoint, Command, WorkingDirectory string
	// Restart policy: "" not set, "enabled", "disabled".
	Restart                 string
	RestartIgnoredExitCodes string
	RestartAttemptPeriod    string
	ReadonlyRootFilesystem  bool
	Ulimits                 []UlimitForm
	Labels                  []KeyValue
	DependsOn               []DependsOnForm
	MountPoints             []MountPointForm
	// Extra holds this container's keys the form does not show.
	Extra map[string]json.RawMessage
}

// PortForm is one port mapping row.
type PortForm struct {
	ContainerPort, HostPort, Protocol, Name, AppProtocol, Range string
}

// EnvForm is one environment variable row: Type "value" puts it in
// environment, "valueFrom" in secrets (Value is then the secret's ARN).
type EnvForm struct {
	Name, Type, Value string
}

// UlimitForm is one ulimit row.
type UlimitForm struct {
	Name, Soft, Hard string
}

// DependsOnForm is one startup dependency row.
type DependsOnForm struct {
	Container, Condition string
}

// MountPointForm is one mount point row.
type MountPointForm struct {
	SourceVolume, ContainerPath string
	ReadOnly                    bool
}

// VolumeForm is one task volume. Type is "bind", "docker" or "efs".
type VolumeForm struct {
	Name, Type                            string
	SourcePath                            string
	Scope, Driver                         string
	Autoprovision                         bool
	FileSystemID, RootDirectory           string
	TransitEncryption, AccessPointID, IAM string
}

// Env value types.
const (
	EnvTypeValue     = "value"
	EnvTypeValueFrom = "valueFrom"
)

// NewTaskDefForm is the builder's starting point, with the console's
// defaults: Fargate, Linux/X86_64, awsvpc, 1 vCPU and 3 GB, one essential
// container with CloudWatch logs.
func NewTaskDefForm() *TaskDefForm {
	return &TaskDefForm{
		LaunchTypes: []string{"FARGATE"},
		OSArch:      "LINUX/X86_64",
		NetworkMode: "awsvpc",
		CPU:         "1024",
		Memory:      "3072",
		Containers:  []ContainerForm{NewContainerForm()},
	}
}

// NewContainerForm is a fresh container as the console starts one.
func NewContainerForm() ContainerForm {
	return ContainerForm{
		Essential: true,
		Ports:     []PortForm{{Protocol: "tcp", AppProtocol: "http"}},
		LogDriver: "awslogs",
		LogOptions: []KeyValue{
			{Key: "awslogs-group", Value: ""},
			{Key: "awslogs-region", Value: ""},
			{Key: "awslogs-stream-prefix", Value: "ecs"},
			{Key: "awslogs-create-group", Value: "true"},
		},
	}
}

// Locked reports whether a top-level key is kept from JSON as it was, so
// the form does not offer it (the JSON tab does).
func (f *TaskDefForm) Locked(key string) bool { _, ok := f.Extra[key]; return ok }

// Locked reports whether a container key is kept from JSON as it was.
func (c ContainerForm) Locked(key string) bool { _, ok := c.Extra[key]; return ok }

// TaskDefExtraKeys lists the keys kept from JSON, for the form's note.
func TaskDefExtraKeys(extra map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// HasLaunchType reports whether a launch type is chosen.
func (f *TaskDefForm) HasLaunchType(t string) bool {
	for _, l := range f.LaunchTypes {
		if l == t {
			return true
		}
	}
	return false
}

// Fargate reports whether the task must run on Fargate.
func (f *TaskDefForm) Fargate() bool { return f.HasLaunchType("FARGATE") }

// --- posted values -> form ---

// indexes lists the row numbers posted under prefix ("tags" finds tags.0.…,
// tags.3.…), in order.
func tdIndexes(v url.Values, prefix string) []int {
	seen := map[int]bool{}
	p := prefix + "."
	for k := range v {
		if !strings.HasPrefix(k, p) {
			continue
		}
		rest := k[len(p):]
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			rest = rest[:i]
		}
		if n, err := strconv.Atoi(rest); err == nil && n >= 0 && n < 1000 {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

func tdKeyValues(v url.Values, prefix string) []KeyValue {
	var out []KeyValue
	for _, i := range tdIndexes(v, prefix) {
		p := prefix + "." + itoa(i) + "."
		row := KeyValue{Key: Trimmed(v, p+"key"), Value: v.Get(p + "value")}
		if row.Key == "" && row.Value == "" {
			continue
		}
		out = append(out, row)
	}
	return out
}

func tdDecodeExtra(s string) map[string]json.RawMessage {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(s), &m) != nil || len(m) == 0 {
		return nil
	}
	return m
}

// TaskDefEncodeExtra writes kept keys for the form's hidden field.
func TaskDefEncodeExtra(m map[string]json.RawMessage) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// DecodeTaskDefForm reads the builder's posted fields.
func DecodeTaskDefForm(v url.Values) *TaskDefForm {
	f := &TaskDefForm{
		Family:           Trimmed(v, "family"),
		OSArch:           Trimmed(v, "runtimePlatform"),
		NetworkMode:      Trimmed(v, "networkMode"),
		CPU:              Trimmed(v, "cpu"),
		Memory:           Trimmed(v, "memory"),
		TaskRoleArn:      Trimmed(v, "taskRoleArn"),
		ExecutionRoleArn: Trimmed(v, "executionRoleArn"),
		EphemeralStorage: Trimmed(v, "ephemeralStorage.sizeInGiB"),
		ProxyEnabled:     Bool(v, "proxyConfiguration.enabled"),
		ProxyContainer:   Trimmed(v, "proxyConfiguration.containerName"),
		ProxyProperties:  tdKeyValues(v, "proxyConfiguration.properties"),
		Tags:             tdKeyValues(v, "tags"),
		Extra:            tdDecodeExtra(v.Get("extra")),
	}
	for _, lt := range v["requiresCompatibilities"] {
		if lt = strings.TrimSpace(lt); lt != "" && !f.HasLaunchType(lt) {
			f.LaunchTypes = append(f.LaunchTypes, lt)
		}
	}
	for _, i := range tdIndexes(v, "containerDefinitions") {
		f.Containers = append(f.Containers, tdDecodeContainer(v, "containerDefinitions."+itoa(i)+"."))
	}
	for _, i := range tdIndexes(v, "volumes") {
		p := "volumes." + itoa(i) + "."
		vol := VolumeForm{
			Name: Trimmed(v, p+"name"), Type: Trimmed(v, p+"type"), SourcePath: Trimmed(v, p+"host.sourcePath"),
			Scope: Trimmed(v, p+"scope"), Driver: Trimmed(v, p+"driver"), Autoprovision: Bool(v, p+"autoprovision"),
			FileSystemID: Trimmed(v, p+"fileSystemId"), RootDirectory: Trimmed(v, p+"rootDirectory"),
			TransitEncryption: Trimmed(v, p+"transitEncryption"), AccessPointID: Trimmed(v, p+"accessPointId"), IAM: Trimmed(v, p+"iam"),
		}
		if vol.Type == "" {
			vol.Type = "bind"
		}
		f.Volumes = append(f.Volumes, vol)
	}
	return f
}

func tdDecodeContainer(v url.Values, p string) ContainerForm {
	c := ContainerForm{
		Name:                    Trimmed(v, p+"name"),
		Image:                   Trimmed(v, p+"image"),
		Essential:               Bool(v, p+"essential"),
		PrivateRegistry:         Bool(v, p+"privateRegistry"),
		CredentialsParameter:    Trimmed(v, p+"repositoryCredentials.credentialsParameter"),
		CPU:                     Trimmed(v, p+"cpu"),
		GPU:                     Trimmed(v, p+"gpu"),
		Memory:                  Trimmed(v, p+"memory"),
		MemoryReservation:       Trimmed(v, p+"memoryReservation"),
		LogDriver:               Trimmed(v, p+"logDriver"),
		LogOptions:              tdKeyValues(v, p+"logOptions"),
		FirelensType:            Trimmed(v, p+"firelensConfiguration.type"),
		HealthCommand:           Trimmed(v, p+"healthCheck.command"),
		HealthInterval:          Trimmed(v, p+"healthCheck.interval"),
		HealthTimeout:           Trimmed(v, p+"healthCheck.timeout"),
		HealthRetries:           Trimmed(v, p+"healthCheck.retries"),
		HealthStartPeriod:       Trimmed(v, p+"healthCheck.startPeriod"),
		EntryPoint:              Trimmed(v, p+"entryPoint"),
		Command:                 Trimmed(v, p+"command"),
		WorkingDirectory:        Trimmed(v, p+"workingDirectory"),
		Restart:                 Trimmed(v, p+"restartPolicy.enabled"),
		RestartIgnoredExitCodes: Trimmed(v, p+"restartPolicy.ignoredExitCodes"),
		RestartAttemptPeriod:    Trimmed(v, p+"restartPolicy.restartAttemptPeriod"),
		ReadonlyRootFilesystem:  Bool(v, p+"readonlyRootFilesystem"),
		Labels:                  tdKeyValues(v, p+"dockerLabels"),
		Extra:                   tdDecodeExtra(v.Get(p + "extra")),
	}
	for _, i := range tdIndexes(v, p+"portMappings") {
		q := p + "portMappings." + itoa(i) + "."
		pm := PortForm{
			ContainerPort: Trimmed(v, q+"containerPort"), HostPort: Trimmed(v, q+"hostPort"),
			Protocol: Trimmed(v, q+"protocol"), Name: Trimmed(v, q+"name"),
			AppProtocol: Trimmed(v, q+"appProtocol"), Range: Trimmed(v, q+"containerPortRange"),
		}
		// A row with only its default choices is an unused row.
		if pm.ContainerPort == "" && pm.HostPort == "" && pm.Name == "" && pm.Range == "" && !v.Has(q+"keep") {
			continue
		}
		c.Ports = append(c.Ports, pm)
	}
	for _, i := range tdIndexes(v, p+"env") {
		q := p + "env." + itoa(i) + "."
		e := EnvForm{Name: Trimmed(v, q+"name"), Type: Trimmed(v, q+"type"), Value: v.Get(q + "value")}
		if e.Type != EnvTypeValueFrom {
			e.Type = EnvTypeValue
		} else {
			e.Value = strings.TrimSpace(e.Value)
		}
		if e.Name == "" && e.Value == "" && !v.Has(q+"keep") {
			continue
		}
		c.Env = append(c.Env, e)
	}
	for _, i := range tdIndexes(v, p+"environmentFiles") {
		if s := Trimmed(v, p+"environmentFiles."+itoa(i)+".value"); s != "" || v.Has(p+"environmentFiles."+itoa(i)+".keep") {
			c.EnvFiles = append(c.EnvFiles, s)
		}
	}
	for _, i := range tdIndexes(v, p+"ulimits") {
		q := p + "ulimits." + itoa(i) + "."
		u := UlimitForm{Name: Trimmed(v, q+"name"), Soft: Trimmed(v, q+"softLimit"), Hard: Trimmed(v, q+"hardLimit")}
		if u.Name == "" && u.Soft == "" && u.Hard == "" && !v.Has(q+"keep") {
			continue
		}
		c.Ulimits = append(c.Ulimits, u)
	}
	for _, i := range tdIndexes(v, p+"dependsOn") {
		q := p + "dependsOn." + itoa(i) + "."
		d := DependsOnForm{Container: Trimmed(v, q+"containerName"), Condition: Trimmed(v, q+"condition")}
		if d.Container == "" && !v.Has(q+"keep") {
			continue
		}
		c.DependsOn = append(c.DependsOn, d)
	}
	for _, i := range tdIndexes(v, p+"mountPoints") {
		q := p + "mountPoints." + itoa(i) + "."
		m := MountPointForm{SourceVolume: Trimmed(v, q+"sourceVolume"), ContainerPath: Trimmed(v, q+"containerPath"), ReadOnly: Bool(v, q+"readOnly")}
		if m.SourceVolume == "" && m.ContainerPath == "" && !v.Has(q+"keep") {
			continue
		}
		c.MountPoints = append(c.MountPoints, m)
	}
	return c
}

// --- form -> document ---

// splitList reads the console's comma-separated lists (command, entry point).
func tdSplitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

func tdJoinList(l []string) string { return strings.Join(l, ", ") }

// intField reads a whole number typed into a field, recording a problem
// when it is not one. Empty is "not given".
func tdIntField(errs *Errors, field, s string) *int {
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		errs.Add(field, "Enter a whole number.")
		return nil
	}
	return &n
}

func tdItoaPtr(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func tdBoolPtr(b bool) *bool { return &b }

// Typed converts the form to Berth's typed task definition, recording
// values that are not numbers where numbers belong.
func (f *TaskDefForm) Typed() (TaskDefinition, Errors) {
	var errs Errors
	td := TaskDefinition{
		Family:                  f.Family,
		TaskRoleArn:             f.TaskRoleArn,
		ExecutionRoleArn:        f.ExecutionRoleArn,
		NetworkMode:             f.NetworkMode,
		RequiresCompatibilities: f.LaunchTypes,
		CPU:                     f.CPU,
		Memory:                  f.Memory,
	}
	if f.OSArch != "" {
		os, arch, _ := strings.Cut(f.OSArch, "/")
		td.RuntimePlatform = &RuntimePlatform{OperatingSystemFamily: os, CPUArchitecture: arch}
	}
	if n := tdIntField(&errs, "ephemeralStorage.sizeInGiB", f.EphemeralStorage); n != nil {
		td.EphemeralStorage = &EphemeralStorage{SizeInGiB: n}
	}
	for i, c := range f.Containers {
		td.ContainerDefinitions = append(td.ContainerDefinitions, c.typed(&errs, "containerDefinitions."+itoa(i)+"."))
	}
	for _, v := range f.Volumes {
		vol := TaskVolume{Name: v.Name}
		switch v.Type {
		case "docker":
			vol.DockerVolumeConfiguration = &DockerVolumeConfiguration{Scope: v.Scope, Driver: v.Driver}
			if v.Scope == "shared" {
				vol.DockerVolumeConfiguration.Autoprovision = tdBoolPtr(v.Autoprovision)
			}
		case "efs":
			vol.EfsVolumeConfiguration = &EfsVolumeConfiguration{FileSystemID: v.FileSystemID, RootDirectory: v.RootDirectory, TransitEncryption: v.TransitEncryption}
			if v.AccessPointID != "" || v.IAM != "" {
				vol.EfsVolumeConfiguration.AuthorizationConfig = &EfsAuthorizationCfg{AccessPointID: v.AccessPointID, IAM: v.IAM}
			}
		default:
			if v.SourcePath != "" {
				vol.Host = &TaskHostVolume{SourcePath: v.SourcePath}
			}
		}
		td.Volumes = append(td.Volumes, vol)
	}
	if f.ProxyEnabled {
		pc := &ProxyConfiguration{Type: "APPMESH", ContainerName: f.ProxyContainer}
		for _, p := range f.ProxyProperties {
			pc.Properties = append(pc.Properties, TaskDefNameValue{Name: p.Key, Value: p.Value})
		}
		td.ProxyConfiguration = pc
	}
	for _, t := range f.Tags {
		td.Tags = append(td.Tags, TaskDefTag(t))
	}
	return td, errs
}

func (c ContainerForm) typed(errs *Errors, p string) ContainerDef {
	cd := ContainerDef{
		Name:              c.Name,
		Image:             c.Image,
		Essential:         tdBoolPtr(c.Essential),
		CPU:               tdIntField(errs, p+"cpu", c.CPU),
		Memory:            tdIntField(errs, p+"memory", c.Memory),
		MemoryReservation: tdIntField(errs, p+"memoryReservation", c.MemoryReservation),
		EntryPoint:        tdSplitList(c.EntryPoint),
		Command:           tdSplitList(c.Command),
		WorkingDirectory:  c.WorkingDirectory,
	}
	if c.PrivateRegistry {
		cd.RepositoryCredentials = &RepositoryCredentials{CredentialsParameter: c.CredentialsParameter}
	}
	if c.GPU != "" {
		if tdIntField(errs, p+"gpu", c.GPU) != nil {
			cd.ResourceRequirements = []ResourceRequirement{{Type: "GPU", Value: c.GPU}}
		}
	}
	for i, pm := range c.Ports {
		q := p + "portMappings." + itoa(i) + "."
		cd.PortMappings = append(cd.PortMappings, PortMapping{
			ContainerPort: tdIntField(errs, q+"containerPort", pm.ContainerPort),
			HostPort:      tdIntField(errs, q+"hostPort", pm.HostPort),
			Protocol:      pm.Protocol, Name: pm.Name, AppProtocol: pm.AppProtocol, ContainerPortRange: pm.Range,
		})
	}
	for _, e := range c.Env {
		if e.Type == EnvTypeValueFrom {
			cd.Secrets = append(cd.Secrets, ContainerSecret{Name: e.Name, ValueFrom: e.Value})
		} else {
			cd.Environment = append(cd.Environment, TaskDefNameValue{Name: e.Name, Value: e.Value})
		}
	}
	for _, ef := range c.EnvFiles {
		cd.EnvironmentFiles = append(cd.EnvironmentFiles, EnvironmentFile{Value: ef, Type: "s3"})
	}
	if c.LogDriver != "" {
		lc := &LogConfiguration{LogDriver: c.LogDriver}
		for _, o := range c.LogOptions {
			if lc.Options == nil {
				lc.Options = map[string]string{}
			}
			lc.Options[o.Key] = o.Value
		}
		cd.LogConfiguration = lc
	}
	if c.FirelensType != "" {
		cd.FirelensConfiguration = &FirelensConfiguration{Type: c.FirelensType}
	}
	hc := &HealthCheck{
		Command:     tdSplitList(c.HealthCommand),
		Interval:    tdIntField(errs, p+"healthCheck.interval", c.HealthInterval),
		Timeout:     tdIntField(errs, p+"healthCheck.timeout", c.HealthTimeout),
		Retries:     tdIntField(errs, p+"healthCheck.retries", c.HealthRetries),
		StartPeriod: tdIntField(errs, p+"healthCheck.startPeriod", c.HealthStartPeriod),
	}
	if len(hc.Command) > 0 || hc.Interval != nil || hc.Timeout != nil || hc.Retries != nil || hc.StartPeriod != nil {
		cd.HealthCheck = hc
	}
	if c.Restart != "" {
		rp := &RestartPolicy{Enabled: tdBoolPtr(c.Restart == "enabled"),
			RestartAttemptPeriod: tdIntField(errs, p+"restartPolicy.restartAttemptPeriod", c.RestartAttemptPeriod)}
		for _, s := range tdSplitList(c.RestartIgnoredExitCodes) {
			n, err := strconv.Atoi(s)
			if err != nil {
				errs.Add(p+"restartPolicy.ignoredExitCodes", "List exit codes as whole numbers separated by commas.")
				break
			}
			rp.IgnoredExitCodes = append(rp.IgnoredExitCodes, n)
		}
		cd.RestartPolicy = rp
	}
	if c.ReadonlyRootFilesystem {
		cd.ReadonlyRootFilesystem = tdBoolPtr(true)
	}
	for i, u := range c.Ulimits {
		q := p + "ulimits." + itoa(i) + "."
		cd.Ulimits = append(cd.Ulimits, Ulimit{Name: u.Name,
			SoftLimit: tdIntField(errs, q+"softLimit", u.Soft), HardLimit: tdIntField(errs, q+"hardLimit", u.Hard)})
	}
	for _, l := range c.Labels {
		if cd.DockerLabels == nil {
			cd.DockerLabels = map[string]string{}
		}
		cd.DockerLabels[l.Key] = l.Value
	}
	for _, d := range c.DependsOn {
		cd.DependsOn = append(cd.DependsOn, DependsOn{ContainerName: d.Container, Condition: d.Condition})
	}
	for _, m := range c.MountPoints {
		mp := MountPoint{SourceVolume: m.SourceVolume, ContainerPath: m.ContainerPath}
		if m.ReadOnly {
			mp.ReadOnly = tdBoolPtr(true)
		}
		cd.MountPoints = append(cd.MountPoints, mp)
	}
	return cd
}

// Document is the task definition the form describes: its typed fields
// with the kept keys on top. Problems are values that are not numbers where
// numbers belong; those fields are left out of the document.
func (f *TaskDefForm) Document() (TaskDefDoc, Errors) {
	td, errs := f.Typed()
	doc, _ := tdToAny(td).(map[string]any)
	if doc == nil {
		doc = map[string]any{}
	}
	if cs, ok := doc["containerDefinitions"].([]any); ok {
		for i, c := range cs {
			cm, ok := c.(map[string]any)
			if !ok || i >= len(f.Containers) {
				continue
			}
			tdOverlay(cm, f.Containers[i].Extra)
		}
	}
	tdOverlay(doc, f.Extra)
	return TaskDefDoc(doc), errs
}

func tdOverlay(m map[string]any, extra map[string]json.RawMessage) {
	for k, raw := range extra {
		var v any
		if tdDecodeJSON(raw, &v) == nil {
			m[k] = v
		}
	}
}

// --- document -> form ---

// TaskDefFormFromDoc fills a form from a task definition document. Keys the form
// cannot show exactly as they are stay in Extra, so the document the form
// gives back is the one it was given (minus what makes no difference to
// ECS: empty lists, empty strings and false flags).
func TaskDefFormFromDoc(doc TaskDefDoc) *TaskDefForm {
	td := doc.Typed()
	f := &TaskDefForm{
		Family:           td.Family,
		NetworkMode:      td.NetworkMode,
		CPU:              td.CPU,
		Memory:           td.Memory,
		TaskRoleArn:      td.TaskRoleArn,
		ExecutionRoleArn: td.ExecutionRoleArn,
		LaunchTypes:      td.RequiresCompatibilities,
	}
	if rp := td.RuntimePlatform; rp != nil && (rp.OperatingSystemFamily != "" || rp.CPUArchitecture != "") {
		f.OSArch = rp.OperatingSystemFamily + "/" + rp.CPUArchitecture
	}
	if td.EphemeralStorage != nil {
		f.EphemeralStorage = tdItoaPtr(td.EphemeralStorage.SizeInGiB)
	}
	for _, cd := range td.ContainerDefinitions {
		f.Containers = append(f.Containers, tdContainerFromTyped(cd))
	}
	for _, v := range td.Volumes {
		vf := VolumeForm{Name: v.Name, Type: "bind"}
		switch {
		case v.EfsVolumeConfiguration != nil:
			e := v.EfsVolumeConfiguration
			vf.Type, vf.FileSystemID, vf.RootDirectory, vf.TransitEncryption = "efs", e.FileSystemID, e.RootDirectory, e.TransitEncryption
			if a := e.AuthorizationConfig; a != nil {
				vf.AccessPointID, vf.IAM = a.AccessPointID, a.IAM
			}
		case v.DockerVolumeConfiguration != nil:
			d := v.DockerVolumeConfiguration
			vf.Type, vf.Scope, vf.Driver = "docker", d.Scope, d.Driver
			vf.Autoprovision = d.Autoprovision != nil && *d.Autoprovision
		case v.Host != nil:
			vf.SourcePath = v.Host.SourcePath
		}
		f.Volumes = append(f.Volumes, vf)
	}
	if pc := td.ProxyConfiguration; pc != nil {
		f.ProxyEnabled, f.ProxyContainer = true, pc.ContainerName
		for _, p := range pc.Properties {
			f.ProxyProperties = append(f.ProxyProperties, KeyValue{Key: p.Name, Value: p.Value})
		}
	}
	for _, t := range td.Tags {
		f.Tags = append(f.Tags, KeyValue(t))
	}

	// Whatever does not come back the same is kept as it was.
	back, _ := f.Document()
	for k, v := range doc {
		if k == "containerDefinitions" {
			continue
		}
		if !tdSame(v, back[k]) {
			f.keep(&f.Extra, k, v)
		}
	}
	orig, isList := doc["containerDefinitions"].([]any)
	backList, _ := back["containerDefinitions"].([]any)
	switch {
	case doc["containerDefinitions"] == nil:
	case !isList || len(orig) != len(backList):
		f.Containers = nil
		f.keep(&f.Extra, "containerDefinitions", doc["containerDefinitions"])
	default:
		for i, oc := range orig {
			om, ok := oc.(map[string]any)
			bm, _ := backList[i].(map[string]any)
			if !ok {
				f.Containers = nil
				f.keep(&f.Extra, "containerDefinitions", doc["containerDefinitions"])
				break
			}
			for k, v := range om {
				if !tdSame(v, bm[k]) {
					f.keep(&f.Containers[i].Extra, k, v)
				}
			}
			// The form always says whether a container is essential; ECS's
			// default is true, so a missing key is the same as true.
			if _, has := om["essential"]; !has {
				f.Containers[i].Essential = true
			}
		}
	}
	return f
}

func (f *TaskDefForm) keep(dst *map[string]json.RawMessage, k string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	if *dst == nil {
		*dst = map[string]json.RawMessage{}
	}
	(*dst)[k] = b
}

func tdContainerFromTyped(cd ContainerDef) ContainerForm {
	c := ContainerForm{
		Name:              cd.Name,
		Image:             cd.Image,
		Essential:         cd.Essential == nil || *cd.Essential,
		CPU:               tdItoaPtr(cd.CPU),
		Memory:            tdItoaPtr(cd.Memory),
		MemoryReservation: tdItoaPtr(cd.MemoryReservation),
		EntryPoint:        tdJoinList(cd.EntryPoint),
		Command:           tdJoinList(cd.Command),
		WorkingDirectory:  cd.WorkingDirectory,
	}
	if rc := cd.RepositoryCredentials; rc != nil {
		c.PrivateRegistry, c.CredentialsParameter = true, rc.CredentialsParameter
	}
	if len(cd.ResourceRequirements) == 1 && cd.ResourceRequirements[0].Type == "GPU" {
		c.GPU = cd.ResourceRequirements[0].Value
	}
	for _, pm := range cd.PortMappings {
		c.Ports = append(c.Ports, PortForm{
			ContainerPort: tdItoaPtr(pm.ContainerPort), HostPort: tdItoaPtr(pm.HostPort), Protocol: pm.Protocol,
			Name: pm.Name, AppProtocol: pm.AppProtocol, Range: pm.ContainerPortRange,
		})
	}
	for _, e := range cd.Environment {
		c.Env = append(c.Env, EnvForm{Name: e.Name, Type: EnvTypeValue, Value: e.Value})
	}
	for _, s := range cd.Secrets {
		c.Env = append(c.Env, EnvForm{Name: s.Name, Type: EnvTypeValueFrom, Value: s.ValueFrom})
	}
	for _, ef := range cd.EnvironmentFiles {
		c.EnvFiles = append(c.EnvFiles, ef.Value)
	}
	if lc := cd.LogConfiguration; lc != nil {
		c.LogDriver = lc.LogDriver
		keys := make([]string, 0, len(lc.Options))
		for k := range lc.Options {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c.LogOptions = append(c.LogOptions, KeyValue{Key: k, Value: lc.Options[k]})
		}
	}
	if fl := cd.FirelensConfiguration; fl != nil {
		c.FirelensType = fl.Type
	}
	if hc := cd.HealthCheck; hc != nil {
		c.HealthCommand = tdJoinList(hc.Command)
		c.HealthInterval, c.HealthTimeout = tdItoaPtr(hc.Interval), tdItoaPtr(hc.Timeout)
		c.HealthRetries, c.HealthStartPeriod = tdItoaPtr(hc.Retries), tdItoaPtr(hc.StartPeriod)
	}
	if rp := cd.RestartPolicy; rp != nil {
		c.Restart = "disabled"
		if rp.Enabled != nil && *rp.Enabled {
			c.Restart = "enabled"
		}
		codes := make([]string, len(rp.IgnoredExitCodes))
		for i, n := range rp.IgnoredExitCodes {
			codes[i] = strconv.Itoa(n)
		}
		c.RestartIgnoredExitCodes = tdJoinList(codes)
		c.RestartAttemptPeriod = tdItoaPtr(rp.RestartAttemptPeriod)
	}
	c.ReadonlyRootFilesystem = cd.ReadonlyRootFilesystem != nil && *cd.ReadonlyRootFilesystem
	for _, u := range cd.Ulimits {
		c.Ulimits = append(c.Ulimits, UlimitForm{Name: u.Name, Soft: tdItoaPtr(u.SoftLimit), Hard: tdItoaPtr(u.HardLimit)})
	}
	keys := make([]string, 0, len(cd.DockerLabels))
	for k := range cd.DockerLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c.Labels = append(c.Labels, KeyValue{Key: k, Value: cd.DockerLabels[k]})
	}
	for _, d := range cd.DependsOn {
		c.DependsOn = append(c.DependsOn, DependsOnForm{Container: d.ContainerName, Condition: d.Condition})
	}
	for _, m := range cd.MountPoints {
		c.MountPoints = append(c.MountPoints, MountPointForm{SourceVolume: m.SourceVolume, ContainerPath: m.ContainerPath, ReadOnly: m.ReadOnly != nil && *m.ReadOnly})
	}
	return c
}

// TaskDefFormFromJSON fills a form from JSON typed or pasted into the JSON tab. notes
// say what Berth changed (read-only keys removed).
func TaskDefFormFromJSON(text string) (*TaskDefForm, []string, error) {
	doc, removed, err := ParseTaskDefDoc([]byte(text))
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	if len(removed) > 0 {
		notes = append(notes, "Removed the read-only keys that DescribeTaskDefinition adds and RegisterTaskDefinition refuses: "+strings.Join(removed, ", ")+".")
	}
	return TaskDefFormFromDoc(doc), notes, nil
}

// JSON is the form's task definition as pretty JSON, for the JSON tab.
// Values that are not numbers where numbers belong are left out.
func (f *TaskDefForm) JSON() string {
	doc, _ := f.Document()
	return string(doc.MarshalIndent())
}

// --- rows: add and remove without JavaScript ---

// AddRow appends an empty row to the list at path ("containerDefinitions",
// "containerDefinitions.0.portMappings", "tags" …). It reports whether
// the path names a list.
func (f *TaskDefForm) AddRow(path string) bool {
	switch path {
	case "containerDefinitions":
		f.Containers = append(f.Containers, NewContainerForm())
		return true
	case "volumes":
		f.Volumes = append(f.Volumes, VolumeForm{Type: "bind"})
		return true
	case "tags":
		f.Tags = append(f.Tags, KeyValue{})
		return true
	case "proxyConfiguration.properties":
		f.ProxyProperties = append(f.ProxyProperties, KeyValue{})
		return true
	}
	c, list := f.containerPath(path)
	if c == nil {
		return false
	}
	switch list {
	case "portMappings":
		c.Ports = append(c.Ports, PortForm{Protocol: "tcp"})
	case "env":
		c.Env = append(c.Env, EnvForm{Type: EnvTypeValue})
	case "environmentFiles":
		c.EnvFiles = append(c.EnvFiles, "")
	case "logOptions":
		c.LogOptions = append(c.LogOptions, KeyValue{})
	case "ulimits":
		c.Ulimits = append(c.Ulimits, UlimitForm{})
	case "dockerLabels":
		c.Labels = append(c.Labels, KeyValue{})
	case "dependsOn":
		c.DependsOn = append(c.DependsOn, DependsOnForm{Condition: "START"})
	case "mountPoints":
		c.MountPoints = append(c.MountPoints, MountPointForm{})
	default:
		return false
	}
	return true
}

// RemoveRow removes the row at path ("containerDefinitions.1",
// "containerDefinitions.0.env.2" …). It reports whether there was one.
func (f *TaskDefForm) RemoveRow(path string) bool {
	dot := strings.LastIndexByte(path, '.')
	if dot < 0 {
		return false
	}
	i, err := strconv.Atoi(path[dot+1:])
	if err != nil || i < 0 {
		return false
	}
	list := path[:dot]
	switch list {
	case "containerDefinitions":
		return tdCut(&f.Containers, i)
	case "volumes":
		return tdCut(&f.Volumes, i)
	case "tags":
		return tdCut(&f.Tags, i)
	case "proxyConfiguration.properties":
		return tdCut(&f.ProxyProperties, i)
	}
	c, name := f.containerPath(list)
	if c == nil {
		return false
	}
	switch name {
	case "portMappings":
		return tdCut(&c.Ports, i)
	case "env":
		return tdCut(&c.Env, i)
	case "environmentFiles":
		return tdCut(&c.EnvFiles, i)
	case "logOptions":
		return tdCut(&c.LogOptions, i)
	case "ulimits":
		return tdCut(&c.Ulimits, i)
	case "dockerLabels":
		return tdCut(&c.Labels, i)
	case "dependsOn":
		return tdCut(&c.DependsOn, i)
	case "mountPoints":
		return tdCut(&c.MountPoints, i)
	}
	return false
}

func tdCut[T any](s *[]T, i int) bool {
	if i >= len(*s) {
		return false
	}
	*s = append((*s)[:i], (*s)[i+1:]...)
	return true
}

// containerPath splits "containerDefinitions.<n>.<list>".
func (f *TaskDefForm) containerPath(path string) (*ContainerForm, string) {
	rest, ok := strings.CutPrefix(path, "containerDefinitions.")
	if !ok {
		return nil, ""
	}
	num, list, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, ""
	}
	i, err := strconv.Atoi(num)
	if err != nil || i < 0 || i >= len(f.Containers) {
		return nil, ""
	}
	return &f.Containers[i], list
}

// FillLogDefaults completes awslogs settings the way the console does:
// log group /ecs/<family>, the task's region, stream prefix ecs. Only
// empty or missing options are filled; what the person typed stays.
func (f *TaskDefForm) FillLogDefaults(region string) {
	for i := range f.Containers {
		c := &f.Containers[i]
		if c.LogDriver != "awslogs" {
			continue
		}
		set := func(key, val string) {
			if val == "" {
				return
			}
			for j := range c.LogOptions {
				if c.LogOptions[j].Key == key {
					if c.LogOptions[j].Value == "" {
						c.LogOptions[j].Value = val
					}
					return
				}
			}
			c.LogOptions = append(c.LogOptions, KeyValue{Key: key, Value: val})
		}
		if f.Family != "" {
			set("awslogs-group", "/ecs/"+f.Family)
		}
		set("awslogs-region", region)
		set("awslogs-stream-prefix", "ecs")
	}
}

// LogOption returns a container's log option value.
func (c ContainerForm) LogOption(key string) string {
	for _, o := range c.LogOptions {
		if o.Key == key {
			return o.Value
		}
	}
	return ""
}
