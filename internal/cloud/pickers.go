package cloud

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/berthhq/berth/internal/awsrules"
)

// The task definition builder's pickers: one page of each list, so a
// builder page costs a fixed number of calls however large the account is.
// The lists say when there is more; the fields still take any value typed.

// PickerChoice is one entry of a picker: what to show and what it writes.
type PickerChoice struct {
	Label, Value string
	// Registry marks a secret tagged as private registry credentials.
	Registry bool
}

// Secrets stored with the secrets wizard's "Private registry credentials"
// type carry this tag, so the builder's credentials picker can offer them
// first without reading any secret's value (listing secrets shows names
// and tags, never what they hold).
const (
	RegistryCredentialsTagKey   = "berth:secret-type"
	RegistryCredentialsTagValue = "registry-credentials"
)

// pickerPage is the page size of the tag picker; repositories come in
// ECR's largest page and secrets in Secrets Manager's, newest first.
const pickerPage = 100

// PickerRepositories lists repository URIs (one page of up to 1,000).
func (c *Clients) PickerRepositories(ctx context.Context) (choices []PickerChoice, more bool, err error) {
	out, err := c.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1000)})
	if err != nil {
		return nil, false, err
	}
	for _, r := range out.Repositories {
		choices = append(choices, PickerChoice{Label: aws.ToString(r.RepositoryName), Value: aws.ToString(r.RepositoryUri)})
	}
	return choices, out.NextToken != nil, nil
}

// PickerImageTags lists a repository's image tags (first page of 100).
func (c *Clients) PickerImageTags(ctx context.Context, repository string) (tags []string, more bool, err error) {
	out, err := c.ECR.ListImages(ctx, &ecr.ListImagesInput{
		RepositoryName: aws.String(repository), MaxResults: aws.Int32(pickerPage),
		Filter: &ecrtypes.ListImagesFilter{TagStatus: ecrtypes.TagStatusTagged},
	})
	if err != nil {
		return nil, false, err
	}
	seen := map[string]bool{}
	for _, id := range out.ImageIds {
		if t := aws.ToString(id.ImageTag); t != "" && !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	return tags, out.NextToken != nil, nil
}

var ecrImageRE = regexp.MustCompile(`^` + awsrules.ECRRegistryHost + `/([^:@]+)(?::([^@]+))?(?:@(.+))?$`)

// ECRImageRef is an image URI of a private ECR registry, taken apart.
type ECRImageRef struct {
	Account, Region, Repository, Tag, Digest string
}

// ParseECRImage reads an ECR image URI; ok is false for other registries.
// An image without tag or digest means the tag "latest", as Docker reads it.
func ParseECRImage(image string) (ref ECRImageRef, ok bool) {
	m := ecrImageRE.FindStringSubmatch(image)
	if m == nil {
		return ECRImageRef{}, false
	}
	ref = ECRImageRef{Account: m[1], Region: m[2], Repository: m[3], Tag: m[4], Digest: m[5]}
	if ref.Tag == "" && ref.Digest == "" {
		ref.Tag = "latest"
	}
	return ref, true
}

// ECRImageState says whether an image's repository and tag exist.
type ECRImageState int

// Image states for the revision page's warnings.
const (
	ECRImageUnknown ECRImageState = iota // not checked (other registry or region, or an error)
	ECRImageFound
	ECRRepositoryMissing
	ECRImageMissing
)

// CheckECRImage looks up an ECR image in this region: one DescribeImages call.
func (c *Clients) CheckECRImage(ctx context.Context, ref ECRImageRef) ECRImageState {
	if ref.Region != c.Region {
		return ECRImageUnknown
	}
	id := ecrtypes.ImageIdentifier{}
	if ref.Digest != "" {
		id.ImageDigest = aws.String(ref.Digest)
	} else {
		id.ImageTag = aws.String(ref.Tag)
	}
	_, err := c.ECR.DescribeImages(ctx, &ecr.DescribeImagesInput{
		RegistryId: aws.String(ref.Account), RepositoryName: aws.String(ref.Repository), ImageIds: []ecrtypes.ImageIdentifier{id},
	})
	switch ErrorCode(err) {
	case "":
		return ECRImageFound
	case "RepositoryNotFoundException":
		return ECRRepositoryMissing
	case "ImageNotFoundException":
		return ECRImageMissing
	}
	return ECRImageUnknown
}

// PickerSecrets lists secrets whose names start with prefix ("" for all),
// with their ARNs and whether they are tagged as registry credentials: one
// page of 100, newest first, since the secret a person just stored is the
// likely pick.
func (c *Clients) PickerSecrets(ctx context.Context, prefix string) (choices []PickerChoice, more bool, err error) {
	in := &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(100), SortOrder: smtypes.SortOrderTypeDesc}
	if prefix != "" {
		in.Filters = []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{prefix}}}
	}
	out, err := c.SecretsManager.ListSecrets(ctx, in)
	if err != nil {
		return nil, false, err
	}
	for _, s := range out.SecretList {
		ch := PickerChoice{Label: aws.ToString(s.Name), Value: aws.ToString(s.ARN)}
		for _, t := range s.Tags {
			if aws.ToString(t.Key) == RegistryCredentialsTagKey && aws.ToString(t.Value) == RegistryCredentialsTagValue {
				ch.Registry = true
			}
		}
		choices = append(choices, ch)
	}
	return choices, out.NextToken != nil, nil
}

// SecretHoldsRegistryCredentials reports whether a secret's current value
// is a JSON object with "username" and "password", the shape private
// registry authentication needs. The value is read, checked and dropped
// here; it never leaves this function.
func (c *Clients) SecretHoldsRegistryCredentials(ctx context.Context, arn string) (bool, error) {
	out, err := c.SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return false, err
	}
	var pair struct {
		Username *string `json:"username"`
		Password *string `json:"password"`
	}
	if json.Unmarshal([]byte(aws.ToString(out.SecretString)), &pair) != nil {
		return false, nil
	}
	return pair.Username != nil && pair.Password != nil && *pair.Username != "" && *pair.Password != "", nil
}

// TaskExecutionRoleName is the role the console creates for task execution.
const TaskExecutionRoleName = "ecsTaskExecutionRole"

// TaskExecutionPolicyARN is the AWS managed policy that role gets.
const TaskExecutionPolicyARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

const ecsTasksTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// PickerTaskRoles lists the IAM roles that ECS tasks can assume (trusted by
// ecs-tasks.amazonaws.com), from one page of up to 1,000 roles.
func (c *Clients) PickerTaskRoles(ctx context.Context) (choices []PickerChoice, more bool, err error) {
	out, err := c.IAM.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1000)})
	if err != nil {
		return nil, false, err
	}
	for _, r := range out.Roles {
		if trustsECSTasks(aws.ToString(r.AssumeRolePolicyDocument)) {
			choices = append(choices, PickerChoice{Label: aws.ToString(r.RoleName), Value: aws.ToString(r.Arn)})
		}
	}
	return choices, out.IsTruncated, nil
}

// trustsECSTasks reads a trust policy (URL-encoded, as IAM returns it) and
// reports whether it lets ecs-tasks.amazonaws.com assume the role.
func trustsECSTasks(doc string) bool {
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	type statement struct {
		Effect    string
		Principal struct {
			Service json.RawMessage
		}
	}
	var sts []statement
	if json.Unmarshal(p.Statement, &sts) != nil {
		var one statement
		if json.Unmarshal(p.Statement, &one) != nil {
			return false
		}
		sts = []statement{one}
	}
	for _, st := range sts {
		if st.Effect != "Allow" {
			continue
		}
		var services []string
		if json.Unmarshal(st.Principal.Service, &services) != nil {
			var one string
			if json.Unmarshal(st.Principal.Service, &one) != nil {
				continue
			}
			services = []string{one}
		}
		for _, s := range services {
			if s == "ecs-tasks.amazonaws.com" {
				return true
			}
		}
	}
	return false
}

// CreateTaskExecutionRole creates ecsTaskExecutionRole, trusted by ECS
// tasks, with the AWS managed AmazonECSTaskExecutionRolePolicy, as the
// console does. When the role exists, it attaches the policy (harmless when
// attached already) and returns the existing role.
func (c *Clients) CreateTaskExecutionRole(ctx context.Context) (arn string, err error) {
	out, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String(TaskExecutionRoleName), AssumeRolePolicyDocument: aws.String(ecsTasksTrustPolicy),
		Description: aws.String("Lets ECS pull images and write logs for tasks; created by Berth."),
	})
	switch {
	case err == nil:
		arn = aws.ToString(out.Role.Arn)
	case ErrorCode(err) == "EntityAlreadyExists":
		got, gerr := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(TaskExecutionRoleName)})
		if gerr != nil {
			return "", gerr
		}
		arn = aws.ToString(got.Role.Arn)
	default:
		return "", err
	}
	if _, err := c.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
		RoleName: aws.String(TaskExecutionRoleName), PolicyArn: aws.String(TaskExecutionPolicyARN),
	}); err != nil {
		return arn, err
	}
	return arn, nil
}

// EnsureLogGroup creates a CloudWatch Logs group unless it exists;
// created says whether it did.
func (c *Clients) EnsureLogGroup(ctx context.Context, name string) (created bool, err error) {
	_, err = c.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})
	if ErrorCode(err) == "ResourceAlreadyExistsException" {
		return false, nil
	}
	return err == nil, err
}

// SecretNameFromARN returns the secret name in a Secrets Manager ARN,
// without the six-character suffix Secrets Manager adds, and any JSON key
// or version that ECS's valueFrom appends.
func SecretNameFromARN(arn string) (string, bool) {
	const marker = ":secret:"
	i := strings.Index(arn, marker)
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return "", false
	}
	rest := arn[i+len(marker):]
	if j := strings.IndexByte(rest, ':'); j >= 0 {
		rest = rest[:j]
	}
	if k := strings.LastIndexByte(rest, '-'); k > 0 && len(rest)-k == 7 {
		rest = rest[:k]
	}
	return rest, rest != ""
}
