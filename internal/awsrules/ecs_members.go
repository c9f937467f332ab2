package awsrules

// Rules on the parts of a task definition that the ECS API model requires
// or constrains (the SDK checks the required members before sending, but
// Berth sends its JSON itself), and the references between them: a
// dependency names a container of the task, a mount point a volume of it,
// and secrets need the task execution role that reads them.
//
// AWS texts quoted from its answers: "Cannot depend on container + '…'
// because it does not exist", "A dependency container with SUCCESS or
// COMPLETE condition cannot be an essential container", "Unrecognized
// ulimit name …", "Unknown volume '…'.", and both execution role texts.
// The others were not found in AWS's answers; they follow the wording of
// the rules AWS does word that way ("Container.x should not be null or
// empty.", "Invalid … '…'. Valid values are: ….").

import (
	"fmt"
	"strings"
)

// ExecutionRoleProblems checks that a task whose containers take secrets,
// log secret options or private registry credentials has the task
// execution role that reads them.
func ExecutionRoleProblems(td ECSTaskDefinition) []ECSProblem {
	if td.ExecutionRoleArn != "" {
		return nil
	}
	secrets, credentials := false, false
	for _, c := range td.Containers {
		secrets = secrets || len(c.Secrets) > 0 || len(c.LogSecretOptions) > 0
		credentials = credentials || c.RepositoryCredentials != nil
	}
	var ps []ECSProblem
	if secrets {
		ps = append(ps, ECSProblem{Field: "executionRoleArn", Code: ecsClient,
			Message:    "Containers that take values from secrets need a task execution role: ECS uses it to read them when the task starts.",
			AWSMessage: "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."})
	}
	if credentials {
		ps = append(ps, ECSProblem{Field: "executionRoleArn", Code: ecsClient,
			Message:    "Private registry authentication needs a task execution role: ECS uses it to read the credentials secret.",
			AWSMessage: "Private repository authentication requires that the task definition specify a value for executionRoleArn."})
	}
	return ps
}

// VolumeProblems checks the task's volumes: an EFS volume needs a name
// (ECS documents it) and its file system ID (the model requires it).
func VolumeProblems(vols []ECSVolume) []ECSProblem {
	var ps []ECSProblem
	for i, v := range vols {
		if !v.EFS {
			continue
		}
		f := fmt.Sprintf("volumes[%d]", i)
		if v.Name == nil || *v.Name == "" {
			ps = append(ps, ECSProblem{Field: f + ".name", Code: ecsClient, Message: "An EFS volume needs a name; containers mount it by that name.",
				AWSMessage: "Volume.name should not be null or empty."})
		}
		if v.EFSFileSystemID == nil || *v.EFSFileSystemID == "" {
			ps = append(ps, ECSProblem{Field: f + ".efsVolumeConfiguration.fileSystemId", Code: ecsClient,
				Message:    "Enter the EFS file system ID, such as fs-1234567890abcdef0.",
				AWSMessage: "Volume.efsVolumeConfiguration.fileSystemId should not be null or empty."})
		}
	}
	return ps
}

// ContainerLinkProblems checks what a container refers to: the containers
// it depends on (among all) and the volumes it mounts (by name). field is
// the container's path.
func ContainerLinkProblems(field string, c ECSContainer, all []ECSContainer, volumes map[string]bool) []ECSProblem {
	var ps []ECSProblem
	add := func(f, msg, aws string) {
		ps = append(ps, ECSProblem{Field: f, Message: msg, Code: ecsClient, AWSMessage: aws})
	}
	for j, d := range c.DependsOn {
		f := fmt.Sprintf("%s.dependsOn[%d]", field, j)
		name, cond := strOf(d.ContainerName), strOf(d.Condition)
		switch {
		case name == "":
			add(f+".containerName", "Name the container this one waits for.", "Container.dependsOn.containerName should not be null or empty.")
		case ecsContainerNamed(all, name) == nil:
			add(f+".containerName", fmt.Sprintf("There is no container named %s in this task definition.", name),
				fmt.Sprintf("Cannot depend on container + '%s' because it does not exist", name))
		}
		switch {
		case cond == "":
			add(f+".condition", "Choose START, COMPLETE, SUCCESS or HEALTHY.", "Container.dependsOn.condition should not be null or empty.")
		case !ecsContains(ECSContainerConditions, cond):
			add(f+".condition", "Choose START, COMPLETE, SUCCESS or HEALTHY.",
				fmt.Sprintf("Invalid condition '%s'. Valid values are: %s.", cond, strings.Join(ECSContainerConditions, ", ")))
		case cond == "COMPLETE" || cond == "SUCCESS":
			if dep := ecsContainerNamed(all, name); dep != nil && (dep.Essential == nil || *dep.Essential) {
				add(f+".condition", fmt.Sprintf("%s is essential, so no container can wait for it to COMPLETE or SUCCESS (the task stops when it exits): mark %s as not essential, or wait for START or HEALTHY.", name, name),
					"A dependency container with SUCCESS or COMPLETE condition cannot be an essential container")
			}
		}
	}
	for j, m := range c.MountPoints {
		if m.SourceVolume != nil && volumes[*m.SourceVolume] {
			continue
		}
		shown, msg := "null", "Choose the volume to mount: one of the task's volumes (Storage, Volumes)."
		if m.SourceVolume != nil {
			shown = *m.SourceVolume
			msg = fmt.Sprintf("There is no volume named %s in this task definition; add it under Storage, Volumes.", shown)
		}
		add(fmt.Sprintf("%s.mountPoints[%d].sourceVolume", field, j), msg, fmt.Sprintf("Unknown volume '%s'.", shown))
	}
	return ps
}

func ecsContainerNamed(all []ECSContainer, name string) *ECSContainer {
	for i := range all {
		if all[i].Name == name {
			return &all[i]
		}
	}
	return nil
}

// UlimitProblems checks a container's ulimits: a name from the model's
// list and both limits (all three are required members).
func UlimitProblems(field string, us []ECSUlimit) []ECSProblem {
	var ps []ECSProblem
	for j, u := range us {
		f := fmt.Sprintf("%s.ulimits[%d]", field, j)
		add := func(sub, msg, aws string) {
			ps = append(ps, ECSProblem{Field: f + sub, Message: msg, Code: ecsClient, AWSMessage: aws})
		}
		switch name := strOf(u.Name); {
		case name == "":
			add(".name", "Choose the limit: "+strings.Join(ECSUlimitNames, ", ")+".", "Container.ulimits.name should not be null or empty.")
		case !ecsContains(ECSUlimitNames, name):
			add(".name", "Choose the limit: "+strings.Join(ECSUlimitNames, ", ")+".", "Unrecognized ulimit name "+name)
		}
		if u.SoftLimit == nil {
			add(".softLimit", "Enter the soft limit as a whole number.", "Container.ulimits.softLimit should not be null or empty.")
		}
		if u.HardLimit == nil {
			add(".hardLimit", "Enter the hard limit as a whole number.", "Container.ulimits.hardLimit should not be null or empty.")
		}
	}
	return ps
}

// EnvironmentFileProblems checks a container's environment files: an S3
// object each (value and type are required members, type's only value s3).
func EnvironmentFileProblems(field string, efs []ECSEnvironmentFile) []ECSProblem {
	var ps []ECSProblem
	for j, e := range efs {
		f := fmt.Sprintf("%s.environmentFiles[%d]", field, j)
		if strOf(e.Value) == "" {
			ps = append(ps, ECSProblem{Field: f + ".value", Code: ecsClient, Message: "Enter the ARN of the S3 object that holds the variables.",
				AWSMessage: "Container.environmentFiles.value should not be null or empty."})
		}
		switch t := strOf(e.Type); {
		case t == "":
			ps = append(ps, ECSProblem{Field: f + ".type", Code: ecsClient, Message: "Environment files come from S3: set type to s3.",
				AWSMessage: "Container.environmentFiles.type should not be null or empty."})
		case !ecsContains(ECSEnvironmentFileTypes, t):
			ps = append(ps, ECSProblem{Field: f + ".type", Code: ecsClient, Message: "Environment files come from S3: set type to s3.",
				AWSMessage: fmt.Sprintf("Invalid environment file type '%s'. Valid values are: s3.", t)})
		}
	}
	return ps
}

// RestartPolicyProblems checks a container restart policy: enabled is a
// required member, the attempt period is 60–1800 seconds and at most 50
// exit codes are ignored (ECS's documented limits).
func RestartPolicyProblems(field, container string, rp ECSRestartPolicy) []ECSProblem {
	var ps []ECSProblem
	add := func(sub, msg, aws string) {
		ps = append(ps, ECSProblem{Field: field + sub, Message: msg, Code: ecsClient, AWSMessage: aws})
	}
	if rp.Enabled == nil {
		add(".enabled", "Say whether the restart policy is enabled.", "Container.restartPolicy.enabled should not be null or empty.")
	}
	if p := rp.RestartAttemptPeriod; p != nil {
		msg := fmt.Sprintf("Use a restart attempt period between %d and %d seconds.", RestartAttemptPeriodMin, RestartAttemptPeriodMax)
		switch {
		case *p < RestartAttemptPeriodMin:
			add(".restartAttemptPeriod", msg, fmt.Sprintf("Restart policy restartAttemptPeriod must be greater than or equal to the minimum allowed value %d for container '%s'", RestartAttemptPeriodMin, container))
		case *p > RestartAttemptPeriodMax:
			add(".restartAttemptPeriod", msg, fmt.Sprintf("Restart policy restartAttemptPeriod must be less than or equal to the maximum allowed value %d for container '%s'", RestartAttemptPeriodMax, container))
		}
	}
	if rp.IgnoredExitCodes > RestartIgnoredExitCodesMax {
		add(".ignoredExitCodes", fmt.Sprintf("List at most %d exit codes.", RestartIgnoredExitCodesMax),
			fmt.Sprintf("The number of ignoredExitCodes cannot exceed %d for container '%s'.", RestartIgnoredExitCodesMax, container))
	}
	return ps
}
