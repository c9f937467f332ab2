package ecr_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

func BenchmarkCreateRepository(b *testing.B) {
	c, _ := newClient(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(fmt.Sprintf("bench/repo-%07d", i))}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDescribeRepositories1000 is one SDK call returning a full page of
// 1,000 repositories.
func BenchmarkDescribeRepositories1000(b *testing.B) {
	c, _ := newClient(b)
	for i := 0; i < 1000; i++ {
		if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(fmt.Sprintf("bench/repo-%04d", i))}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1000)})
		if err != nil {
			b.Fatal(err)
		}
		if len(out.Repositories) != 1000 || out.NextToken != nil {
			b.Fatalf("got %d repositories, token %v", len(out.Repositories), out.NextToken)
		}
	}
}
