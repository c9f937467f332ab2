package cloud

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// The overview counts what one page of each list holds, so the home page
// costs three AWS calls however large the account is; more says a next page exists.

// CountRepositories counts repositories up to one page of 1,000.
func (c *Clients) CountRepositories(ctx context.Context) (n int, more bool, err error) {
	out, err := c.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1000)})
	if err != nil {
		return 0, false, err
	}
	return len(out.Repositories), out.NextToken != nil, nil
}

// CountSecrets counts secrets up to one page of 100.
func (c *Clients) CountSecrets(ctx context.Context) (n int, more bool, err error) {
	out, err := c.SecretsManager.ListSecrets(ctx, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(100)})
	if err != nil {
		return 0, false, err
	}
	return len(out.SecretList), out.NextToken != nil, nil
}

// CountFamilies counts active task definition families up to one page of 100.
func (c *Clients) CountFamilies(ctx context.Context) (n int, more bool, err error) {
	out, err := c.ECS.ListTaskDefinitionFamilies(ctx, &ecs.ListTaskDefinitionFamiliesInput{
		MaxResults: aws.Int32(100), Status: ecstypes.TaskDefinitionFamilyStatusActive,
	})
	if err != nil {
		return 0, false, err
	}
	return len(out.Families), out.NextToken != nil, nil
}
