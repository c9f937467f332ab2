package cloud

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// The overview counts what one page of each list holds, so the home page
// costs three AWS calls however large the account is; more says a next page exists.

// Each count takes a name prefix ("" for all): a scoped person counts only
// what they may see.

// CountRepositories counts repositories up to one page of 1,000. ECR has no
// name filter, so the prefix is applied to that page.
func (c *Clients) CountRepositories(ctx context.Context, prefix string) (n int, more bool, err error) {
	out, err := c.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1000)})
	if err != nil {
		return 0, false, err
	}
	for _, r := range out.Repositories {
		if strings.HasPrefix(aws.ToString(r.RepositoryName), prefix) {
			n++
		}
	}
	return n, out.NextToken != nil, nil
}

// CountSecrets counts secrets up to one page of 100.
func (c *Clients) CountSecrets(ctx context.Context, prefix string) (n int, more bool, err error) {
	in := &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(100)}
	if prefix != "" {
		in.Filters = []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{prefix}}}
	}
	out, err := c.SecretsManager.ListSecrets(ctx, in)
	if err != nil {
		return 0, false, err
	}
	return len(out.SecretList), out.NextToken != nil, nil
}

// CountFamilies counts active task definition families up to one page of 100.
func (c *Clients) CountFamilies(ctx context.Context, prefix string) (n int, more bool, err error) {
	in := &ecs.ListTaskDefinitionFamiliesInput{MaxResults: aws.Int32(100), Status: ecstypes.TaskDefinitionFamilyStatusActive}
	if prefix != "" {
		in.FamilyPrefix = aws.String(prefix)
	}
	out, err := c.ECS.ListTaskDefinitionFamilies(ctx, in)
	if err != nil {
		return 0, false, err
	}
	return len(out.Families), out.NextToken != nil, nil
}
