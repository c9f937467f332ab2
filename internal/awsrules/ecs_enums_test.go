package awsrules

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// values turns an SDK enum's values into strings.
func values[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	slices.Sort(out)
	return out
}

// TestEnumsMatchTheSDK holds the hand-written value lists to the ECS model
// as the Go SDK generates it: a value ECS added (or a typo here) fails.
func TestEnumsMatchTheSDK(t *testing.T) {
	for name, tc := range map[string]struct{ ours, sdk []string }{
		"pidMode":                                  {ecsEnums["pidMode"], values(types.PidMode("").Values())},
		"ipcMode":                                  {ecsEnums["ipcMode"], values(types.IpcMode("").Values())},
		"proxyConfiguration.type":                  {ecsEnums["proxyConfiguration.type"], values(types.ProxyConfigurationType("").Values())},
		"placementConstraints.type":                {ecsEnums["placementConstraints.type"], values(types.TaskDefinitionPlacementConstraintType("").Values())},
		"dockerVolumeConfiguration.scope":          {ecsEnums["dockerVolumeConfiguration.scope"], values(types.Scope("").Values())},
		"efsVolumeConfiguration.transitEncryption": {ecsEnums["efsVolumeConfiguration.transitEncryption"], values(types.EFSTransitEncryption("").Values())},
		"authorizationConfig.iam":                  {ecsEnums["authorizationConfig.iam"], values(types.EFSAuthorizationConfigIAM("").Values())},
		"devices.permissions":                      {ecsEnums["devices.permissions"], values(types.DeviceCgroupPermission("").Values())},
		"portMappings.appProtocol":                 {ecsEnums["portMappings.appProtocol"], values(types.ApplicationProtocol("").Values())},
		"versionConsistency":                       {ecsEnums["versionConsistency"], values(types.VersionConsistency("").Values())},
		"firelensConfiguration.type":               {ecsEnums["firelensConfiguration.type"], values(types.FirelensConfigurationType("").Values())},
		"resourceRequirements.type":                {ecsEnums["resourceRequirements.type"], values(types.ResourceType("").Values())},
		"networkMode":                              {ECSNetworkModes, values(types.NetworkMode("").Values())},
		"requiresCompatibilities":                  {ECSCompatibilities, values(types.Compatibility("").Values())},
		"logDriver":                                {ECSLogDrivers, values(types.LogDriver("").Values())},
		"ulimits.name":                             {ECSUlimitNames, values(types.UlimitName("").Values())},
		"dependsOn.condition":                      {ECSContainerConditions, values(types.ContainerCondition("").Values())},
		"runtimePlatform.operatingSystemFamily":    {ECSOSFamilies, values(types.OSFamily("").Values())},
		"runtimePlatform.cpuArchitecture":          {ECSCPUArchitectures, values(types.CPUArchitecture("").Values())},
	} {
		ours := slices.Sorted(slices.Values(tc.ours))
		if !slices.Equal(ours, tc.sdk) {
			t.Errorf("%s: ours %v, the SDK's %v", name, ours, tc.sdk)
		}
	}
}
