package awsrules

import (
	"encoding/json"
	"fmt"
)

// ECSTaskDefinitionInput is the part of a RegisterTaskDefinition document
// that the rules (and the emulator's derived attributes) read. The emulator
// and Berth's builder both decode documents with it, so they judge the same
// document the same way.
type ECSTaskDefinitionInput struct {
	Family                  *string  `json:"family"`
	NetworkMode             *string  `json:"networkMode"`
	RequiresCompatibilities []string `json:"requiresCompatibilities"`
	CPU                     *string  `json:"cpu"`
	Memory                  *string  `json:"memory"`
	ExecutionRoleArn        *string  `json:"executionRoleArn"`
	TaskRoleArn             *string  `json:"taskRoleArn"`
	IpcMode                 *string  `json:"ipcMode"`
	PidMode                 *string  `json:"pidMode"`
	PlacementConstraints    []struct {
		Type *string `json:"type"`
	} `json:"placementConstraints"`
	EphemeralStorage     *struct{ SizeInGiB *int } `json:"ephemeralStorage"`
	Volumes              []ECSVolumeInput          `json:"volumes"`
	ContainerDefinitions []ECSContainerInput       `json:"containerDefinitions"`
	Tags                 []ECSTagInput             `json:"tags"`
	RuntimePlatform      *struct {
		OperatingSystemFamily *string `json:"operatingSystemFamily"`
		CPUArchitecture       *string `json:"cpuArchitecture"`
	} `json:"runtimePlatform"`
	ProxyConfiguration *struct {
		Type          *string `json:"type"`
		ContainerName *string `json:"containerName"`
	} `json:"proxyConfiguration"`
}

// ECSVolumeInput is a volume of ECSTaskDefinitionInput.
type ECSVolumeInput struct {
	Name *string `json:"name"`
	Host *struct {
		SourcePath *string `json:"sourcePath"`
	} `json:"host"`
	DockerVolumeConfiguration *struct {
		Scope *string `json:"scope"`
	} `json:"dockerVolumeConfiguration"`
	EfsVolumeConfiguration *struct {
		FileSystemID        *string `json:"fileSystemId"`
		TransitEncryption   *string `json:"transitEncryption"`
		AuthorizationConfig *struct {
			IAM *string `json:"iam"`
		} `json:"authorizationConfig"`
	} `json:"efsVolumeConfiguration"`
}

// ECSTagInput is a tag of ECSTaskDefinitionInput.
type ECSTagInput struct {
	Key   *string `json:"key"`
	Value *string `json:"value"`
}

// ECSContainerInput is a container definition of ECSTaskDefinitionInput.
type ECSContainerInput struct {
	Name              *string  `json:"name"`
	Image             *string  `json:"image"`
	CPU               *int     `json:"cpu"`
	Memory            *int     `json:"memory"`
	MemoryReservation *int     `json:"memoryReservation"`
	Essential         *bool    `json:"essential"`
	Links             []string `json:"links"`
	Hostname          *string  `json:"hostname"`
	Privileged        *bool    `json:"privileged"`
	LinuxParameters   *struct {
		Devices []struct {
			Permissions []string `json:"permissions"`
		} `json:"devices"`
	} `json:"linuxParameters"`
	PortMappings []struct {
		ContainerPort      *int    `json:"containerPort"`
		HostPort           *int    `json:"hostPort"`
		Protocol           *string `json:"protocol"`
		AppProtocol        *string `json:"appProtocol"`
		ContainerPortRange *string `json:"containerPortRange"`
	} `json:"portMappings"`
	HealthCheck *struct {
		Command     []string `json:"command"`
		Interval    *int     `json:"interval"`
		Timeout     *int     `json:"timeout"`
		Retries     *int     `json:"retries"`
		StartPeriod *int     `json:"startPeriod"`
	} `json:"healthCheck"`
	LogConfiguration *struct {
		LogDriver     *string          `json:"logDriver"`
		SecretOptions []ECSSecretInput `json:"secretOptions"`
	} `json:"logConfiguration"`
	Secrets     []ECSSecretInput `json:"secrets"`
	Environment []struct {
		Name  *string `json:"name"`
		Value *string `json:"value"`
	} `json:"environment"`
	RepositoryCredentials *struct {
		CredentialsParameter *string `json:"credentialsParameter"`
	} `json:"repositoryCredentials"`
	DependsOn []struct {
		ContainerName *string `json:"containerName"`
		Condition     *string `json:"condition"`
	} `json:"dependsOn"`
	StartTimeout     *int `json:"startTimeout"`
	StopTimeout      *int `json:"stopTimeout"`
	EnvironmentFiles []struct {
		Type  *string `json:"type"`
		Value *string `json:"value"`
	} `json:"environmentFiles"`
	ResourceRequirements []struct {
		Type  *string `json:"type"`
		Value *string `json:"value"`
	} `json:"resourceRequirements"`
	Ulimits []struct {
		Name      *string `json:"name"`
		SoftLimit *int    `json:"softLimit"`
		HardLimit *int    `json:"hardLimit"`
	} `json:"ulimits"`
	MountPoints []struct {
		SourceVolume *string `json:"sourceVolume"`
	} `json:"mountPoints"`
	RestartPolicy *struct {
		Enabled              *bool `json:"enabled"`
		IgnoredExitCodes     []int `json:"ignoredExitCodes"`
		RestartAttemptPeriod *int  `json:"restartAttemptPeriod"`
	} `json:"restartPolicy"`
	VersionConsistency    *string `json:"versionConsistency"`
	FirelensConfiguration *struct {
		Type *string `json:"type"`
	} `json:"firelensConfiguration"`
}

// ECSSecretInput is a container secret or log secret option.
type ECSSecretInput struct {
	Name      *string `json:"name"`
	ValueFrom *string `json:"valueFrom"`
}

// Rules maps the document onto the rules' task definition.
func (in *ECSTaskDefinitionInput) Rules() ECSTaskDefinition {
	td := ECSTaskDefinition{
		Family:                  strOf(in.Family),
		NetworkMode:             strOf(in.NetworkMode),
		RequiresCompatibilities: in.RequiresCompatibilities,
		CPU:                     in.CPU,
		Memory:                  in.Memory,
		ExecutionRoleArn:        strOf(in.ExecutionRoleArn),
		RoleRefs:                map[string]*string{"taskRoleArn": in.TaskRoleArn, "executionRoleArn": in.ExecutionRoleArn},
		IpcMode:                 strOf(in.IpcMode),
		PidMode:                 strOf(in.PidMode),
		PlacementConstraints:    len(in.PlacementConstraints),
	}
	if in.EphemeralStorage != nil {
		size := 0
		if in.EphemeralStorage.SizeInGiB != nil {
			size = *in.EphemeralStorage.SizeInGiB
		}
		td.EphemeralStorageGiB = &size
	}
	if rp := in.RuntimePlatform; rp != nil {
		td.OperatingSystemFamily, td.CPUArchitecture = strOf(rp.OperatingSystemFamily), strOf(rp.CPUArchitecture)
	}
	if pc := in.ProxyConfiguration; pc != nil {
		td.Proxy = &ECSProxyConfiguration{ContainerName: pc.ContainerName}
		td.enum("proxyConfiguration.type", "proxyConfiguration.type", pc.Type)
	}
	td.enum("pidMode", "pidMode", in.PidMode)
	td.enum("ipcMode", "ipcMode", in.IpcMode)
	for i, pc := range in.PlacementConstraints {
		td.enum("placementConstraints.type", fmt.Sprintf("placementConstraints[%d].type", i), pc.Type)
	}
	for _, v := range in.Volumes {
		vol := ECSVolume{Name: v.Name, Docker: v.DockerVolumeConfiguration != nil}
		if v.Host != nil {
			vol.HostPath = strOf(v.Host.SourcePath)
		}
		f := fmt.Sprintf("volumes[%d]", len(td.Volumes))
		if dv := v.DockerVolumeConfiguration; dv != nil {
			td.enum("dockerVolumeConfiguration.scope", f+".dockerVolumeConfiguration.scope", dv.Scope)
		}
		if efs := v.EfsVolumeConfiguration; efs != nil {
			vol.EFS, vol.EFSFileSystemID = true, efs.FileSystemID
			td.enum("efsVolumeConfiguration.transitEncryption", f+".efsVolumeConfiguration.transitEncryption", efs.TransitEncryption)
			if efs.AuthorizationConfig != nil {
				td.enum("authorizationConfig.iam", f+".efsVolumeConfiguration.authorizationConfig.iam", efs.AuthorizationConfig.IAM)
			}
		}
		td.Volumes = append(td.Volumes, vol)
	}
	for _, ci := range in.ContainerDefinitions {
		c := ECSContainer{
			Name:              strOf(ci.Name),
			Image:             strOf(ci.Image),
			Memory:            ci.Memory,
			MemoryReservation: ci.MemoryReservation,
			Essential:         ci.Essential,
			Links:             ci.Links,
			Hostname:          strOf(ci.Hostname),
			Privileged:        ci.Privileged != nil && *ci.Privileged,
		}
		if ci.CPU != nil {
			c.CPU = *ci.CPU
		}
		f := fmt.Sprintf("containerDefinitions[%d]", len(td.Containers))
		if ci.LinuxParameters != nil {
			c.Devices = len(ci.LinuxParameters.Devices)
			for i, d := range ci.LinuxParameters.Devices {
				for j := range d.Permissions {
					td.enum("devices.permissions", fmt.Sprintf("%s.linuxParameters.devices[%d].permissions[%d]", f, i, j), &d.Permissions[j])
				}
			}
		}
		for i, p := range ci.PortMappings {
			c.PortMappings = append(c.PortMappings, ECSPortMapping{
				ContainerPort: p.ContainerPort, HostPort: p.HostPort,
				Protocol: strOf(p.Protocol), ContainerPortRange: strOf(p.ContainerPortRange),
			})
			td.enum("portMappings.appProtocol", fmt.Sprintf("%s.portMappings[%d].appProtocol", f, i), p.AppProtocol)
		}
		td.enum("versionConsistency", f+".versionConsistency", ci.VersionConsistency)
		if ci.FirelensConfiguration != nil {
			td.enum("firelensConfiguration.type", f+".firelensConfiguration.type", ci.FirelensConfiguration.Type)
		}
		for i, r := range ci.ResourceRequirements {
			td.enum("resourceRequirements.type", fmt.Sprintf("%s.resourceRequirements[%d].type", f, i), r.Type)
		}
		if h := ci.HealthCheck; h != nil {
			c.HealthCheck = &ECSHealthCheck{Command: h.Command, Interval: h.Interval, Timeout: h.Timeout, Retries: h.Retries, StartPeriod: h.StartPeriod}
		}
		if ci.LogConfiguration != nil {
			c.LogDriver = strOf(ci.LogConfiguration.LogDriver)
			if c.LogDriver == "" {
				c.LogDriver = "(none)"
			}
			for _, s := range ci.LogConfiguration.SecretOptions {
				c.LogSecretOptions = append(c.LogSecretOptions, ECSNameValue{Name: s.Name, Value: s.ValueFrom})
			}
		}
		for _, s := range ci.Secrets {
			c.Secrets = append(c.Secrets, ECSNameValue{Name: s.Name, Value: s.ValueFrom})
		}
		for _, e := range ci.Environment {
			c.Environment = append(c.Environment, ECSNameValue{Name: e.Name, Value: e.Value})
		}
		if ci.RepositoryCredentials != nil {
			p := strOf(ci.RepositoryCredentials.CredentialsParameter)
			c.RepositoryCredentials = &p
		}
		for _, r := range ci.ResourceRequirements {
			c.ResourceRequirements = append(c.ResourceRequirements, ECSResourceRequirement{Type: strOf(r.Type), Value: strOf(r.Value)})
		}
		for _, d := range ci.DependsOn {
			c.DependsOn = append(c.DependsOn, ECSDependency{ContainerName: d.ContainerName, Condition: d.Condition})
		}
		for _, u := range ci.Ulimits {
			c.Ulimits = append(c.Ulimits, ECSUlimit{Name: u.Name, SoftLimit: u.SoftLimit, HardLimit: u.HardLimit})
		}
		for _, e := range ci.EnvironmentFiles {
			c.EnvironmentFiles = append(c.EnvironmentFiles, ECSEnvironmentFile{Type: e.Type, Value: e.Value})
		}
		for _, m := range ci.MountPoints {
			c.MountPoints = append(c.MountPoints, ECSMountPoint{SourceVolume: m.SourceVolume})
		}
		if rp := ci.RestartPolicy; rp != nil {
			c.RestartPolicy = &ECSRestartPolicy{Enabled: rp.Enabled, IgnoredExitCodes: len(rp.IgnoredExitCodes), RestartAttemptPeriod: rp.RestartAttemptPeriod}
		}
		td.Containers = append(td.Containers, c)
	}
	return td
}

// DecodeECSTaskDefinition reads a RegisterTaskDefinition document. An error
// means a value has the wrong JSON type (a number where ECS wants a
// string…), which ECS refuses before any rule.
func DecodeECSTaskDefinition(doc []byte) (*ECSTaskDefinitionInput, error) {
	in := new(ECSTaskDefinitionInput)
	if err := json.Unmarshal(doc, in); err != nil {
		return nil, err
	}
	return in, nil
}

func strOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
