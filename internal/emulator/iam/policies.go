package iam

import (
	"regexp"
	"strings"
)

// managedPolicies are the AWS managed policies a Berth user attaches to ECS
// task and execution roles. Every account sees them under the "aws" account;
// any other policy ARN is refused as not attachable, as AWS does for a policy
// that does not exist.
var managedPolicies = map[string]bool{
	"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy":            true,
	"arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role":         true,
	"arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceRole":               true,
	"arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceEventsRole":         true,
	"arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes": true,
	"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly":                       true,
	"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser":                      true,
	"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess":                     true,
	"arn:aws:iam::aws:policy/AmazonECS_FullAccess":                                     true,
	"arn:aws:iam::aws:policy/SecretsManagerReadWrite":                                  true,
	"arn:aws:iam::aws:policy/CloudWatchLogsFullAccess":                                 true,
	"arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess":                             true,
	"arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy":                              true,
	"arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess":                                 true,
	"arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess":                                  true,
	"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess":                                   true,
	"arn:aws:iam::aws:policy/AmazonS3FullAccess":                                       true,
	"arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser":                         true,
	"arn:aws:iam::aws:policy/ReadOnlyAccess":                                           true,
	"arn:aws:iam::aws:policy/PowerUserAccess":                                          true,
	"arn:aws:iam::aws:policy/AdministratorAccess":                                      true,
}

// policyARNRE is the shape IAM accepts for a managed policy ARN: the aws
// partition, no region, the "aws" pseudo-account or a 12-digit account, and
// a policy path and name.
var policyARNRE = regexp.MustCompile(`^arn:aws:iam::(aws|\d{12}):policy(/[\x{21}-\x{7E}]*)?/([\w+=,.@-]+)$`)

// policyPathAndName splits a valid policy ARN into its path ("/", or
// "/service-role/") and its name.
func policyPathAndName(arn string) (path, name string) {
	rest := arn[strings.Index(arn, ":policy/")+len(":policy"):]
	i := strings.LastIndex(rest, "/")
	return rest[:i+1], rest[i+1:]
}
