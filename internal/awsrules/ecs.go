package awsrules

// ECS task definition rules. Berth's task definition wizard and the local
// emulator both run TaskDefinitionProblems over the same ECSTaskDefinition, so
// a form that passes is exactly a request that ECS (and the emulator) accepts.
// Each problem carries the plain-language text for the form and the code and
// message AWS answers with, in the order AWS checks them: the emulator reports
// the first one.

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits of ECS task definitions.
const (
	ECSNameMaxLen             = 255   // family, container and cluster names
	ECSMaxContainers          = 10    // container definitions per task definition
	ECSMaxTaskDefinitionBytes = 65536 // the whole RegisterTaskDefinition document
	ECSMaxTags                = 50
	ECSTagKeyMaxLen           = 128
	ECSTagValueMaxLen         = 256

	// Task-level CPU units for the EC2 and external launch types.
	ECSMinTaskCPU = 128
	ECSMaxTaskCPU = 196608

	EphemeralStorageMinGiB = 21
	EphemeralStorageMaxGiB = 200

	HealthCheckIntervalMin    = 5
	HealthCheckIntervalMax    = 300
	HealthCheckTimeoutMin     = 2
	HealthCheckTimeoutMax     = 60
	HealthCheckRetriesMin     = 1
	HealthCheckRetriesMax     = 10
	HealthCheckStartPeriodMin = 0
	HealthCheckStartPeriodMax = 300

	// Defaults ECS fills in for a health check that leaves them out.
	HealthCheckDefaultInterval = 30
	HealthCheckDefaultTimeout  = 5
	HealthCheckDefaultRetries  = 3

	// A container restart policy's attempt period (seconds) and how many
	// exit codes it may ignore.
	RestartAttemptPeriodMin    = 60
	RestartAttemptPeriodMax    = 1800
	RestartIgnoredExitCodesMax = 50
)

// Network modes, launch types and other enums of the ECS API.
const (
	NetworkModeBridge = "bridge"
	NetworkModeHost   = "host"
	NetworkModeAwsvpc = "awsvpc"
	NetworkModeNone   = "none"

	CompatibilityEC2              = "EC2"
	CompatibilityFargate          = "FARGATE"
	CompatibilityExternal         = "EXTERNAL"
	CompatibilityManagedInstances = "MANAGED_INSTANCES"
)

// Enum values accepted by RegisterTaskDefinition.
var (
	ECSNetworkModes       = []string{NetworkModeBridge, NetworkModeHost, NetworkModeAwsvpc, NetworkModeNone}
	ECSCompatibilities    = []string{CompatibilityEC2, CompatibilityFargate, CompatibilityExternal, CompatibilityManagedInstances}
	ECSLogDrivers         = []string{"json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "awsfirelens"}
	FargateLogDrivers     = []string{"awslogs", "splunk", "awsfirelens"}
	ECSTransportProtocols = []string{"tcp", "udp"}

	// The enums below are the ECS API model's (UlimitName,
	// ContainerCondition, EnvironmentFileType, OSFamily, CPUArchitecture in
	// the SDK's types/enums.go).
	ECSUlimitNames = []string{"core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
		"nproc", "rss", "rtprio", "rttime", "sigpending", "stack"}
	ECSContainerConditions  = []string{"START", "COMPLETE", "SUCCESS", "HEALTHY"}
	ECSEnvironmentFileTypes = []string{"s3"}
	ECSOSFamilies           = []string{"WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2019_CORE", "WINDOWS_SERVER_2016_FULL",
		"WINDOWS_SERVER_2004_CORE", "WINDOWS_SERVER_2022_CORE", "WINDOWS_SERVER_2022_FULL", "WINDOWS_SERVER_2025_CORE",
		"WINDOWS_SERVER_2025_FULL", "WINDOWS_SERVER_20H2_CORE", "LINUX"}
	ECSCPUArchitectures = []string{"X86_64", "ARM64"}
)

// ECSNamePattern is the pattern of task definition families, container names
// and cluster names: 1–255 letters, digits, hyphens and underscores.
const ECSNamePattern = `[a-zA-Z0-9_-]{1,255}`

var ecsNameRE = regexp.MustCompile(`^` + ECSNamePattern + `$`)

// ValidECSName reports whether s is a valid family, container or cluster name.
func ValidECSName(s string) bool { return ecsNameRE.MatchString(s) }

// FargateSize is one task CPU value that Fargate offers and the task memory
// values (MiB) allowed with it.
type FargateSize struct {
	CPU    int
	Memory []int
}

// FargateSizes lists every Fargate CPU/memory combination, smallest first.
var FargateSizes = []FargateSize{
	{256, []int{512, 1024, 2048}},
	{512, ecsSteps(1024, 4096, 1024)},
	{1024, ecsSteps(2048, 8192, 1024)},
	{2048, ecsSteps(4096, 16384, 1024)},
	{4096, ecsSteps(8192, 30720, 1024)},
	{8192, ecsSteps(16384, 61440, 4096)},
	{16384, ecsSteps(32768, 122880, 8192)},
}

func ecsSteps(from, to, step int) []int {
	var out []int
	for v := from; v <= to; v += step {
		out = append(out, v)
	}
	return out
}

// FargateMemoryValues returns the task memory values (MiB) that Fargate allows
// with the given task CPU units, or nil when Fargate has no such CPU size.
func FargateMemoryValues(cpu int) []int {
	for _, s := range FargateSizes {
		if s.CPU == cpu {
			return s.Memory
		}
	}
	return nil
}

// IsFargateSize reports whether cpu units and memory MiB are a Fargate task size.
func IsFargateSize(cpu, memory int) bool {
	for _, m := range FargateMemoryValues(cpu) {
		if m == memory {
			return true
		}
	}
	return false
}

var (
	ecsCPURE = regexp.MustCompile(`(?i)^\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(vcpus?)?\s*$`)
	ecsMemRE = regexp.MustCompile(`(?i)^\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(gb|gib|mb|mib)?\s*$`)
)

// ParseTaskCPU reads a task-level cpu value the way ECS does: CPU units
// ("1024") or vCPUs ("1 vCPU", "0.25 vcpu"), returning CPU units. ok is false
// for anything else, including a fraction of a unit.
func ParseTaskCPU(s string) (units int, ok bool) {
	m := ecsCPURE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	scale := 1.0
	if m[2] != "" {
		scale = 1024
	} else if strings.Contains(m[1], ".") {
		return 0, false
	}
	return ecsScaled(m[1], scale)
}

// ParseTaskMemory reads a task-level memory value the way ECS does: MiB
// ("2048") or GB ("2GB", "2 GB", "0.5 GB"), returning MiB.
func ParseTaskMemory(s string) (mib int, ok bool) {
	m := ecsMemRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	scale := 1.0
	switch strings.ToLower(m[2]) {
	case "gb", "gib":
		scale = 1024
	case "":
		if strings.Contains(m[1], ".") {
			return 0, false
		}
	}
	return ecsScaled(m[1], scale)
}

func ecsScaled(num string, scale float64) (int, bool) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false
	}
	v := f * scale
	if v <= 0 || v > math.MaxInt32 || v != math.Trunc(v) {
		return 0, false
	}
	return int(v), true
}

// ECSTaskDefinition is the part of a task definition that the rules look at.
// The web form fills it from its fields; the emulator from the request JSON.
// Pointers and empty strings mean "not given".
type ECSTaskDefinition struct {
	Family                  string
	NetworkMode             string
	RequiresCompatibilities []string
	CPU                     *string // task-level, as typed: "1024", "1 vCPU"
	Memory                  *string // task-level, as typed: "2048", "2 GB"
	ExecutionRoleArn        string
	// RoleRefs are taskRoleArn and executionRoleArn as sent: nil when the
	// member is absent, which ECS allows, unlike an empty or malformed one.
	RoleRefs             map[string]*string
	IpcMode              string
	PidMode              string
	PlacementConstraints int // how many task placement constraints are set
	EphemeralStorageGiB  *int
	Volumes              []ECSVolume
	// OperatingSystemFamily and CPUArchitecture are runtimePlatform's.
	OperatingSystemFamily string
	CPUArchitecture       string
	// Proxy is nil without proxyConfiguration.
	Proxy      *ECSProxyConfiguration
	Containers []ECSContainer
	// Enums are the values given for members whose values the ECS model
	// enumerates and no other rule checks (see ecsEnums).
	Enums []ECSEnumValue
}

// ECSEnumValue is a value given for an enumerated member: Member names it in
// ecsEnums, Field is where it stands ("volumes[0].dockerVolumeConfiguration.scope").
type ECSEnumValue struct {
	Member, Field, Value string
}

// enum notes v, when given, for the enum check.
func (td *ECSTaskDefinition) enum(member, field string, v *string) {
	if v != nil {
		td.Enums = append(td.Enums, ECSEnumValue{Member: member, Field: field, Value: *v})
	}
}

// ecsEnums are the values of the ECS model's enumerated members that the
// other rules do not check, in the order ECS lists them in its answer.
// The answer's text is AWS's, quoted for pidMode ("… is not a valid value
// for pidMode. The value must be one of [task,host]", ClientException, for
// an empty pidMode); the order of the other lists was not seen in an answer
// and is the model's.
var ecsEnums = map[string][]string{
	"pidMode":                                  {"task", "host"},
	"ipcMode":                                  {"host", "task", "none"},
	"proxyConfiguration.type":                  {"APPMESH"},
	"placementConstraints.type":                {"memberOf"},
	"dockerVolumeConfiguration.scope":          {"task", "shared"},
	"efsVolumeConfiguration.transitEncryption": {"ENABLED", "DISABLED"},
	"authorizationConfig.iam":                  {"ENABLED", "DISABLED"},
	"devices.permissions":                      {"read", "write", "mknod"},
	"portMappings.appProtocol":                 {"http", "http2", "grpc"},
	"versionConsistency":                       {"enabled", "disabled"},
	"firelensConfiguration.type":               {"fluentd", "fluentbit"},
	"resourceRequirements.type":                {"GPU", "InferenceAccelerator", "NeuronDevice"},
}

// EnumProblems checks the values of enumerated members (ECSTaskDefinition.Enums).
func EnumProblems(td ECSTaskDefinition) []ECSProblem {
	var ps []ECSProblem
	for _, e := range td.Enums {
		values := ecsEnums[e.Member]
		if ecsContains(values, e.Value) {
			continue
		}
		name := e.Member[strings.LastIndexByte(e.Member, '.')+1:]
		ps = append(ps, ECSProblem{Field: e.Field, Code: ecsClient,
			Message:    "Choose one of: " + strings.Join(values, ", ") + ".",
			AWSMessage: fmt.Sprintf("%s is not a valid value for %s. The value must be one of [%s]", e.Value, name, strings.Join(values, ","))})
	}
	return ps
}

// ECSVolume is one task volume.
type ECSVolume struct {
	Name *string
	// EFS is set for a volume with efsVolumeConfiguration; EFSFileSystemID
	// is then its fileSystemId.
	EFS             bool
	EFSFileSystemID *string
	// Docker: the volume has dockerVolumeConfiguration; HostPath is its
	// host sourcePath ("" for none).
	Docker   bool
	HostPath string
}

// ECSProxyConfiguration is the App Mesh proxy of a task.
type ECSProxyConfiguration struct {
	ContainerName *string
}

// ECSContainer is the part of a container definition that the rules look at.
type ECSContainer struct {
	Name              string
	Image             string
	CPU               int
	Memory            *int
	MemoryReservation *int
	Essential         *bool
	Links             []string
	Hostname          string
	Privileged        bool
	Devices           int // linuxParameters.devices
	PortMappings      []ECSPortMapping
	HealthCheck       *ECSHealthCheck
	LogDriver         string // empty: no logConfiguration
	Secrets           []ECSNameValue
	Environment       []ECSNameValue
	// RepositoryCredentials is nil without repositoryCredentials, else its
	// credentialsParameter.
	RepositoryCredentials *string
	// LogSecretOptions are logConfiguration.secretOptions.
	LogSecretOptions     []ECSNameValue
	ResourceRequirements []ECSResourceRequirement
	DependsOn            []ECSDependency
	Ulimits              []ECSUlimit
	EnvironmentFiles     []ECSEnvironmentFile
	MountPoints          []ECSMountPoint
	RestartPolicy        *ECSRestartPolicy
}

// ECSResourceRequirement reserves GPUs or an inference accelerator.
type ECSResourceRequirement struct {
	Type, Value string
}

// ECSDependency is one dependsOn entry of a container.
type ECSDependency struct {
	ContainerName *string
	Condition     *string
}

// ECSUlimit is one ulimit of a container.
type ECSUlimit struct {
	Name      *string
	SoftLimit *int
	HardLimit *int
}

// ECSEnvironmentFile is one environmentFiles entry of a container.
type ECSEnvironmentFile struct {
	Type  *string
	Value *string
}

// ECSMountPoint is one mount point of a container.
type ECSMountPoint struct {
	SourceVolume *string
}

// ECSRestartPolicy is a container's restart policy.
type ECSRestartPolicy struct {
	Enabled              *bool
	IgnoredExitCodes     int // how many
	RestartAttemptPeriod *int
}

// ECSPortMapping is one port mapping of a container.
type ECSPortMapping struct {
	ContainerPort      *int
	HostPort           *int
	Protocol           string
	ContainerPortRange string
}

// ECSHealthCheck is a container health check; nil fields take ECS's defaults.
type ECSHealthCheck struct {
	Command     []string
	Interval    *int
	Timeout     *int
	Retries     *int
	StartPeriod *int
}

// ECSNameValue is an environment variable or a secret (Value is valueFrom).
type ECSNameValue struct {
	Name  *string
	Value *string
}

// ECSProblem is one reason a task definition is invalid: where (Field, a path
// such as "containerDefinitions[0].memory"), what to tell a person (Message),
// and what AWS answers (Code and AWSMessage).
type ECSProblem struct {
	Field      string
	Message    string
	Code       string
	AWSMessage string
}

const (
	ecsClient  = "ClientException"
	ecsInvalid = "InvalidParameterException"
)

// ECSNameProblems checks a family or container name; what names the thing
// in the plain-language text ("Family", "Container name").
func ECSNameProblems(what, name string) []string {
	switch {
	case name == "":
		return []string{what + " is required."}
	case len(name) > ECSNameMaxLen:
		return []string{fmt.Sprintf("%s must be at most %d characters.", what, ECSNameMaxLen)}
	case !ValidECSName(name):
		return []string{"Use only letters, digits, hyphens (-) and underscores (_)."}
	}
	return nil
}

// FargateCompatible reports whether a definition meets Fargate's rules; ECS
// then lists FARGATE in the definition's compatibilities even when it was not
// requested. It assumes TaskDefinitionProblems found nothing.
func FargateCompatible(td ECSTaskDefinition) bool {
	if td.NetworkMode != NetworkModeAwsvpc || td.CPU == nil || td.Memory == nil {
		return false
	}
	cpu, ok1 := ParseTaskCPU(*td.CPU)
	mem, ok2 := ParseTaskMemory(*td.Memory)
	if !ok1 || !ok2 || !IsFargateSize(cpu, mem) {
		return false
	}
	return len(ecsFargateProblems(td, false)) == 0
}

// EffectiveNetworkMode is the network mode a definition gets: bridge when
// none is given.
func EffectiveNetworkMode(td ECSTaskDefinition) string {
	if td.NetworkMode == "" {
		return NetworkModeBridge
	}
	return td.NetworkMode
}

// TaskDefinitionProblems checks a whole task definition, returning every
// problem found, the one AWS reports first at the front.
func TaskDefinitionProblems(td ECSTaskDefinition) []ECSProblem {
	// Values outside a member's enumeration are refused before any rule
	// that reads them.
	ps := EnumProblems(td)
	add := func(field, msg, code, aws string) {
		ps = append(ps, ECSProblem{Field: field, Message: msg, Code: code, AWSMessage: aws})
	}

	switch {
	case td.Family == "":
		add("family", "Family is required.", ecsClient, "Family can not be blank.")
	case !ValidECSName(td.Family):
		add("family", ECSNameProblems("Family", td.Family)[0], ecsClient, "Family contains invalid characters.")
	}

	switch n := len(td.Containers); {
	case n == 0:
		add("containerDefinitions", "Add at least one container.", ecsClient, "Container list cannot be empty.")
	case n > ECSMaxContainers:
		add("containerDefinitions", fmt.Sprintf("A task definition can have at most %d containers.", ECSMaxContainers), ecsClient, "Too many containers.")
	}
	seen := map[string]bool{}
	for i, c := range td.Containers {
		f := fmt.Sprintf("containerDefinitions[%d]", i)
		switch {
		case c.Name == "":
			add(f+".name", "Container name is required.", ecsClient, "Container.name should not be null or empty.")
		case !ValidECSName(c.Name):
			add(f+".name", ECSNameProblems("Container name", c.Name)[0], ecsClient, "Container.name contains invalid characters.")
		case seen[c.Name]:
			add(f+".name", "Each container needs its own name.", ecsClient, fmt.Sprintf("Duplicate container name '%s'.", c.Name))
		}
		seen[c.Name] = true
		if strings.TrimSpace(c.Image) == "" {
			add(f+".image", "Image is required.", ecsClient, "Container.image should not be null or empty.")
		}
	}

	if td.NetworkMode != "" && !ecsContains(ECSNetworkModes, td.NetworkMode) {
		add("networkMode", "Choose bridge, host, awsvpc or none.", ecsInvalid,
			fmt.Sprintf("Invalid network mode '%s'. Valid values are: bridge, host, awsvpc, none.", td.NetworkMode))
	}
	for _, c := range td.RequiresCompatibilities {
		if !ecsContains(ECSCompatibilities, c) {
			add("requiresCompatibilities", "Choose EC2, FARGATE, EXTERNAL or MANAGED_INSTANCES.", ecsInvalid,
				fmt.Sprintf("Invalid compatibility '%s'. Valid values are: EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES.", c))
		}
	}
	// AWS's texts for runtimePlatform values outside the model's enums were
	// not found; these follow the network mode's.
	if td.OperatingSystemFamily != "" && !ecsContains(ECSOSFamilies, td.OperatingSystemFamily) {
		add("runtimePlatform.operatingSystemFamily", "Choose LINUX or one of the WINDOWS_SERVER_… operating system families.", ecsInvalid,
			fmt.Sprintf("Invalid operating system family '%s'. Valid values are: %s.", td.OperatingSystemFamily, strings.Join(ECSOSFamilies, ", ")))
	}
	if td.CPUArchitecture != "" && !ecsContains(ECSCPUArchitectures, td.CPUArchitecture) {
		add("runtimePlatform.cpuArchitecture", "Choose the X86_64 or ARM64 CPU architecture.", ecsInvalid,
			fmt.Sprintf("Invalid CPU architecture '%s'. Valid values are: %s.", td.CPUArchitecture, strings.Join(ECSCPUArchitectures, ", ")))
	}

	fargate := ecsContains(td.RequiresCompatibilities, CompatibilityFargate)
	ecrImageSeen := false
	cpu, cpuOK := 0, true
	if td.CPU != nil {
		cpu, cpuOK = ParseTaskCPU(*td.CPU)
		if cpuOK && !fargate && (cpu < ECSMinTaskCPU || cpu > ECSMaxTaskCPU) {
			cpuOK = false
		}
		if !cpuOK {
			add("cpu", fmt.Sprintf("Enter CPU units between %d and %d (1024 = 1 vCPU), such as 1024 or \"1 vCPU\".", ECSMinTaskCPU, ECSMaxTaskCPU), ecsClient,
				"Invalid 'cpu' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")
		}
	}
	mem, memOK := 0, true
	if td.Memory != nil {
		mem, memOK = ParseTaskMemory(*td.Memory)
		if !memOK {
			add("memory", "Enter memory in MiB (such as 2048) or GB (such as \"2 GB\").", ecsClient,
				"Invalid 'memory' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")
		}
	}

	if fargate {
		if EffectiveNetworkMode(td) != NetworkModeAwsvpc {
			add("networkMode", "Fargate tasks must use the awsvpc network mode.", ecsClient, "Fargate only supports network mode ‘awsvpc’.")
		}
		if td.CPU == nil {
			add("cpu", "Fargate tasks need a task CPU size.", ecsClient, "Fargate requires that 'cpu' be defined at the task level.")
		}
		if td.Memory == nil {
			add("memory", "Fargate tasks need a task memory size.", ecsClient, "Fargate requires that 'memory' be defined at the task level.")
		}
		if td.CPU != nil && td.Memory != nil && cpuOK && memOK && !IsFargateSize(cpu, mem) {
			add("memory", fargateSizeHint(cpu), ecsClient,
				fmt.Sprintf("No Fargate configuration exists for given values: %d CPU, %d memory. See the Amazon ECS documentation for the valid values.", cpu, mem))
		}
		ps = append(ps, ecsFargateProblems(td, true)...)
	}

	ps = append(ps, VolumeProblems(td.Volumes)...)
	volumes := map[string]bool{}
	for _, v := range td.Volumes {
		if v.Name != nil {
			volumes[*v.Name] = true
		}
	}

	mode := EffectiveNetworkMode(td)
	anyEssential := false
	sumReservation, sumCPU := 0, 0
	for i, c := range td.Containers {
		f := fmt.Sprintf("containerDefinitions[%d]", i)
		if c.Essential == nil || *c.Essential {
			anyEssential = true
		}
		ps = append(ps, ContainerMemoryProblems(f, c, td.Memory != nil && memOK, mem)...)
		if c.CPU < 0 {
			add(f+".cpu", "CPU units cannot be negative.", ecsClient, fmt.Sprintf("Invalid 'cpu' setting for container '%s'.", c.Name))
		}
		sumCPU += c.CPU
		switch {
		case c.MemoryReservation != nil:
			sumReservation += *c.MemoryReservation
		case c.Memory != nil:
			sumReservation += *c.Memory
		}
		if mode == NetworkModeAwsvpc && c.Hostname != "" {
			add(f+".hostname", "Leave the hostname empty with the awsvpc network mode.", ecsClient, "hostname is not supported on container when networkMode=awsvpc.")
		}
		if mode != NetworkModeBridge && len(c.Links) > 0 {
			add(f+".links", "Links work only with the bridge network mode.", ecsClient, fmt.Sprintf("Links are not supported when networkMode=%s.", mode))
		}
		ps = append(ps, PortMappingProblems(f, mode, c.PortMappings)...)
		if c.HealthCheck != nil {
			ps = append(ps, HealthCheckProblems(f+".healthCheck", c.Name, *c.HealthCheck)...)
		}
		if fargate && td.ExecutionRoleArn == "" && !ecrImageSeen && IsECRImage(c.Image) {
			ecrImageSeen = true
			add("executionRoleArn", "Fargate tasks that pull images from Amazon ECR need a task execution role: ECS uses it to pull them.", ecsClient,
				"Fargate requires task definition to have execution role ARN to support ECR images.")
		}
		if c.LogDriver != "" && !ecsContains(ECSLogDrivers, c.LogDriver) {
			add(f+".logConfiguration.logDriver", "Choose a supported log driver.", ecsClient,
				fmt.Sprintf("Log driver %s is not supported. Valid values are: %s.", c.LogDriver, strings.Join(ECSLogDrivers, ", ")))
		} else if fargate && c.LogDriver != "" && !ecsContains(FargateLogDrivers, c.LogDriver) {
			add(f+".logConfiguration.logDriver", "Fargate supports the awslogs, splunk and awsfirelens log drivers.", ecsClient,
				fmt.Sprintf("Tasks using the Fargate launch type do not support log driver %s. Supported log drivers are: awslogs, splunk, awsfirelens.", c.LogDriver))
		} else if fargate && c.LogDriver == "awslogs" && td.ExecutionRoleArn == "" {
			add("executionRoleArn", "Fargate tasks that send logs to CloudWatch need a task execution role.", ecsClient,
				"Fargate requires task definition to have execution role ARN to support log driver awslogs.")
		}
		for j, s := range c.Secrets {
			if s.Name == nil || *s.Name == "" || s.Value == nil || *s.Value == "" {
				add(fmt.Sprintf("%s.secrets[%d]", f, j), "Each secret needs a name and a value from (a Secrets Manager or Parameter Store ARN).", ecsClient,
					"Container.secrets should have both name and valueFrom.")
			}
		}
		for j, e := range c.Environment {
			if e.Name == nil || *e.Name == "" {
				add(fmt.Sprintf("%s.environment[%d].name", f, j), "Each environment variable needs a name.", ecsClient,
					"Container.environment.name should not be null or empty.")
			}
		}
		if c.RepositoryCredentials != nil && *c.RepositoryCredentials == "" {
			add(f+".repositoryCredentials.credentialsParameter", "Give the ARN of the secret that holds the registry credentials.", ecsClient,
				"Container.repositoryCredentials.credentialsParameter should not be null or empty.")
		}
		for j, s := range c.LogSecretOptions {
			if s.Name == nil || *s.Name == "" || s.Value == nil || *s.Value == "" {
				// Worded as for container secrets; AWS's own text for log
				// secret options was not found.
				add(fmt.Sprintf("%s.logConfiguration.secretOptions[%d]", f, j), "Each log secret option needs a name and a value from (a Secrets Manager or Parameter Store ARN).", ecsClient,
					"Container.logConfiguration.secretOptions should have both name and valueFrom.")
			}
		}
		ps = append(ps, ContainerLinkProblems(f, c, td.Containers, volumes)...)
		ps = append(ps, UlimitProblems(f, c.Ulimits)...)
		ps = append(ps, EnvironmentFileProblems(f, c.EnvironmentFiles)...)
		if c.RestartPolicy != nil {
			ps = append(ps, RestartPolicyProblems(f+".restartPolicy", c.Name, *c.RestartPolicy)...)
		}
	}
	ps = append(ps, RoleRefProblems(td.RoleRefs)...)
	ps = append(ps, ExecutionRoleProblems(td)...)
	if td.Proxy != nil && (td.Proxy.ContainerName == nil || *td.Proxy.ContainerName == "") {
		// AWS's text was not found; worded as the other missing members.
		add("proxyConfiguration.containerName", "Name the Envoy proxy container of this task.", ecsClient,
			"ProxyConfiguration.containerName should not be null or empty.")
	}
	if td.Memory != nil && memOK && sumReservation > mem {
		add("memory", "The containers reserve more memory than the task has.", ecsClient,
			"The sum of all container 'memoryReservation' values cannot be greater than the value of the task 'memory'.")
	}
	if td.CPU != nil && cpuOK && sumCPU > cpu {
		add("cpu", "The containers reserve more CPU units than the task has.", ecsClient,
			"The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.")
	}
	if len(td.Containers) > 0 && !anyEssential {
		add("containerDefinitions", "Mark at least one container as essential.", ecsClient,
			"A task definition must have at least one essential container.")
	}
	if td.EphemeralStorageGiB != nil && (*td.EphemeralStorageGiB < EphemeralStorageMinGiB || *td.EphemeralStorageGiB > EphemeralStorageMaxGiB) {
		add("ephemeralStorage.sizeInGiB", fmt.Sprintf("Ephemeral storage must be between %d and %d GiB.", EphemeralStorageMinGiB, EphemeralStorageMaxGiB), ecsClient,
			fmt.Sprintf("The ephemeral storage size must be between %d and %d GiB.", EphemeralStorageMinGiB, EphemeralStorageMaxGiB))
	}
	return ps
}

func fargateSizeHint(cpu int) string {
	mems := FargateMemoryValues(cpu)
	if mems == nil {
		var cpus []string
		for _, s := range FargateSizes {
			cpus = append(cpus, strconv.Itoa(s.CPU))
		}
		return "Fargate CPU must be one of " + strings.Join(cpus, ", ") + " units."
	}
	return fmt.Sprintf("With %d CPU units, Fargate memory must be between %d and %d MiB in steps shown in the list.", cpu, mems[0], mems[len(mems)-1])
}

// ecsFargateProblems lists task settings that Fargate does not run. When
// explain is false it only reports whether there are any, for compatibility.
func ecsFargateProblems(td ECSTaskDefinition, explain bool) []ECSProblem {
	var ps []ECSProblem
	add := func(field, msg, aws string) {
		ps = append(ps, ECSProblem{Field: field, Message: msg, Code: ecsClient, AWSMessage: aws})
	}
	if td.IpcMode != "" {
		add("ipcMode", "Fargate does not support an IPC mode.", "Tasks using the Fargate launch type do not support ipcMode.")
	}
	if td.PidMode != "" && td.PidMode != "task" {
		add("pidMode", "On Fargate the PID mode can only be task.",
			fmt.Sprintf("Tasks using the Fargate launch type do not support pidMode '%s'. The supported value for pidMode is 'task'.", td.PidMode))
	}
	if td.PlacementConstraints > 0 {
		add("placementConstraints", "Fargate does not support placement constraints.", "Tasks using the Fargate launch type do not support placement constraints.")
	}
	if slices.ContainsFunc(td.Volumes, func(v ECSVolume) bool { return v.Docker }) {
		add("volumes", "Fargate does not support Docker volumes.", "Tasks using the Fargate launch type do not support dockerVolumeConfiguration.")
	}
	if slices.ContainsFunc(td.Volumes, func(v ECSVolume) bool { return v.HostPath != "" }) {
		add("volumes", "Fargate does not support host source paths for volumes.", "Tasks using the Fargate launch type do not support host sourcePath for volumes.")
	}
	for i, c := range td.Containers {
		f := fmt.Sprintf("containerDefinitions[%d]", i)
		if c.Privileged {
			add(f+".privileged", "Fargate does not run privileged containers.", "Tasks using the Fargate launch type do not support privileged containers.")
		}
		if c.Devices > 0 {
			add(f+".linuxParameters.devices", "Fargate does not support devices.", "Tasks using the Fargate launch type do not support devices.")
		}
		// AWS documents that Fargate has no GPUs ("gpu" is among the
		// parameters not valid in Fargate tasks); its exact refusal was not
		// found, so the text follows the other Fargate refusals.
		for _, r := range c.ResourceRequirements {
			if r.Type == "GPU" {
				add(f+".resourceRequirements", "Fargate does not offer GPUs: leave GPU empty, or run the task on EC2 or Managed instances.",
					"Tasks using the Fargate launch type do not support GPU resource requirements.")
				break
			}
		}
	}
	return ps
}

// ContainerMemoryProblems checks a container's memory settings: it needs a
// hard or soft limit unless the task has memory, the soft limit may not
// exceed the hard one, and the hard limit may not exceed the task's memory.
// field is the container's path ("containerDefinitions[0]").
func ContainerMemoryProblems(field string, c ECSContainer, taskMemorySet bool, taskMemory int) []ECSProblem {
	var ps []ECSProblem
	add := func(f, msg, aws string) {
		ps = append(ps, ECSProblem{Field: field + f, Message: msg, Code: ecsClient, AWSMessage: aws})
	}
	if c.Memory != nil && *c.Memory <= 0 {
		add(".memory", "Memory must be a positive number of MiB.", fmt.Sprintf("Invalid 'memory' setting for container '%s'.", c.Name))
	}
	if c.MemoryReservation != nil && *c.MemoryReservation <= 0 {
		add(".memoryReservation", "Memory reservation must be a positive number of MiB.", fmt.Sprintf("Invalid 'memoryReservation' setting for container '%s'.", c.Name))
	}
	if !taskMemorySet && c.Memory == nil && c.MemoryReservation == nil {
		add(".memory", "Set a memory limit or reservation for the container, or a task memory size.",
			fmt.Sprintf("Invalid setting for container '%s'. At least one of 'memory' or 'memoryReservation' must be specified.", c.Name))
	}
	if c.Memory != nil && c.MemoryReservation != nil && *c.MemoryReservation > *c.Memory {
		add(".memoryReservation", "The memory reservation (soft limit) cannot be more than the memory limit (hard limit).",
			fmt.Sprintf("Invalid 'memoryReservation' setting for container '%s'. 'memoryReservation' must be less than or equal to 'memory'.", c.Name))
	}
	if taskMemorySet && c.Memory != nil && *c.Memory > taskMemory {
		add(".memory", "The container's memory limit is more than the task's memory.",
			fmt.Sprintf("The 'memory' setting for container '%s' is greater than for the task.", c.Name))
	}
	return ps
}

// PortMappingProblems checks a container's port mappings under a network
// mode. field is the container's path.
func PortMappingProblems(field, networkMode string, pms []ECSPortMapping) []ECSProblem {
	var ps []ECSProblem
	for i, p := range pms {
		f := fmt.Sprintf("%s.portMappings[%d]", field, i)
		add := func(sub, msg, aws string) {
			ps = append(ps, ECSProblem{Field: f + sub, Message: msg, Code: ecsClient, AWSMessage: aws})
		}
		if p.Protocol != "" && !ecsContains(ECSTransportProtocols, p.Protocol) {
			add(".protocol", "Choose tcp or udp.", fmt.Sprintf("Invalid protocol '%s'. Valid values are: tcp, udp.", p.Protocol))
		}
		if p.ContainerPortRange != "" {
			if p.ContainerPort != nil {
				add(".containerPortRange", "Give a container port or a port range, not both.", "Specify either a containerPort or a containerPortRange, not both.")
			} else if !ecsValidPortRange(p.ContainerPortRange) {
				add(".containerPortRange", "Write the range as two ports, such as 8000-8010.", "Invalid containerPortRange. The port range must be of the form 'from-to' with ports between 1 and 65535.")
			}
			continue
		}
		if p.ContainerPort == nil {
			add(".containerPort", "Container port is required.", "Container.portMappings.containerPort should not be null or empty.")
			continue
		}
		if *p.ContainerPort < 1 || *p.ContainerPort > 65535 {
			add(".containerPort", "Ports are between 1 and 65535.", fmt.Sprintf("Invalid port %d. Ports must be between 1 and 65535.", *p.ContainerPort))
		}
		if p.HostPort != nil && (*p.HostPort < 0 || *p.HostPort > 65535) {
			add(".hostPort", "Host ports are between 0 and 65535.", fmt.Sprintf("Invalid port %d. Ports must be between 1 and 65535.", *p.HostPort))
		}
		if (networkMode == NetworkModeAwsvpc || networkMode == NetworkModeHost) && p.HostPort != nil && *p.HostPort != *p.ContainerPort {
			add(".hostPort", fmt.Sprintf("With the %s network mode, leave the host port empty or make it equal to the container port.", networkMode),
				fmt.Sprintf("When networkMode=%s, the host ports and container ports in port mappings must match.", networkMode))
		}
	}
	return ps
}

func ecsValidPortRange(s string) bool {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return false
	}
	a, err1 := strconv.Atoi(from)
	b, err2 := strconv.Atoi(to)
	return err1 == nil && err2 == nil && a >= 1 && b <= 65535 && a < b
}

// HealthCheckProblems checks a container health check's command and ranges.
func HealthCheckProblems(field, container string, h ECSHealthCheck) []ECSProblem {
	var ps []ECSProblem
	if len(h.Command) == 0 {
		ps = append(ps, ECSProblem{Field: field + ".command", Message: "Give the health check command, starting with CMD or CMD-SHELL.", Code: ecsClient,
			AWSMessage: "Container.healthCheck.command should not be null or empty."})
	}
	check := func(name string, v *int, lo, hi int) {
		if v == nil {
			return
		}
		switch {
		case *v < lo:
			ps = append(ps, ECSProblem{Field: field + "." + name, Message: fmt.Sprintf("Use a value between %d and %d.", lo, hi), Code: ecsClient,
				AWSMessage: fmt.Sprintf("Health check %s must be greater than or equal to the minimum allowed value %d for container '%s'", name, lo, container)})
		case *v > hi:
			ps = append(ps, ECSProblem{Field: field + "." + name, Message: fmt.Sprintf("Use a value between %d and %d.", lo, hi), Code: ecsClient,
				AWSMessage: fmt.Sprintf("Health check %s must be less than or equal to the maximum allowed value %d for container '%s'", name, hi, container)})
		}
	}
	check("interval", h.Interval, HealthCheckIntervalMin, HealthCheckIntervalMax)
	check("timeout", h.Timeout, HealthCheckTimeoutMin, HealthCheckTimeoutMax)
	check("retries", h.Retries, HealthCheckRetriesMin, HealthCheckRetriesMax)
	check("startPeriod", h.StartPeriod, HealthCheckStartPeriodMin, HealthCheckStartPeriodMax)
	return ps
}

// ECSTagProblems checks one resource tag as ECS does.
func ECSTagProblems(key, value string) []string {
	var out []string
	switch {
	case key == "":
		out = append(out, "Tag key is required.")
	case len([]rune(key)) > ECSTagKeyMaxLen:
		out = append(out, fmt.Sprintf("Tag keys are at most %d characters.", ECSTagKeyMaxLen))
	case strings.HasPrefix(strings.ToLower(key), "aws:"):
		out = append(out, "Tag keys starting with aws: are reserved for AWS.")
	case !ecsTagRE.MatchString(key):
		out = append(out, "Use letters, digits, spaces and _ . : / = + - @ in tag keys.")
	}
	switch {
	case len([]rune(value)) > ECSTagValueMaxLen:
		out = append(out, fmt.Sprintf("Tag values are at most %d characters.", ECSTagValueMaxLen))
	case !ecsTagRE.MatchString(value):
		out = append(out, "Use letters, digits, spaces and _ . : / = + - @ in tag values.")
	}
	return out
}

var ecsTagRE = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

func ecsContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ECRRegistryHost is the host of a private Amazon ECR registry, with the
// account and the region as its two groups:
// <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn].
const ECRRegistryHost = `([0-9]{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?`

// ecrImageRE matches an image in a private Amazon ECR registry.
var ecrImageRE = regexp.MustCompile(`^` + ECRRegistryHost + `/`)

// IsECRImage reports whether image is pulled from a private ECR registry,
// which a Fargate task does with its execution role.
func IsECRImage(image string) bool { return ecrImageRE.MatchString(image) }

// roleRefRE is what ECS takes for a task or execution role: an IAM role's
// name, or its ARN (with a path, in any partition).
var roleRefRE = regexp.MustCompile(`^([\w+=,.@-]{1,64}|arn:aws[a-z-]*:iam::\d{12}:role/([\x21-\x7E]{0,510}/)?[\w+=,.@-]{1,64})$`)

// RoleRefProblems checks the task's role members: ECS takes a role's name
// or ARN, and answers "Role is not valid" for anything else — an empty
// string included (tools that send "" for "no role" meet this), or another
// kind of ARN. Whether the role exists is not checked.
func RoleRefProblems(refs map[string]*string) []ECSProblem {
	var ps []ECSProblem
	for _, field := range []string{"taskRoleArn", "executionRoleArn"} {
		v := refs[field]
		if v == nil || roleRefRE.MatchString(*v) {
			continue
		}
		ps = append(ps, ECSProblem{Field: field, Code: ecsClient,
			Message:    "Enter an IAM role's ARN (arn:aws:iam::123456789012:role/name) or its name.",
			AWSMessage: "Role is not valid"})
	}
	return ps
}
