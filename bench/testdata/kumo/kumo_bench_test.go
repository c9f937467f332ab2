//go:build kumocompare

// The other side of bench/compare.sh: the same SDK calls as Berth's
// emulator benchmarks (internal/emulator/ecr and ecs), against kumo, another
// Go AWS emulator that keeps its state in memory, run in-process over
// loopback the same way. compare.sh copies this file into kumo's module.
package kumo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/sivchari/kumo"
)

var ctx = context.Background()

// start runs kumo in-process and returns a client config like Berth's
// emutest.Config: region us-east-1, static test credentials.
func start(b *testing.B) aws.Config {
	srv := kumo.NewServer()
	b.Cleanup(srv.Close)
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithBaseEndpoint(srv.URL),
	)
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

func BenchmarkCreateRepository(b *testing.B) {
	c := ecr.NewFromConfig(start(b))
	i := 0
	for b.Loop() {
		i++
		if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(fmt.Sprintf("bench/repo-%07d", i))}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDescribeRepositories1000(b *testing.B) {
	c := ecr.NewFromConfig(start(b))
	for i := 0; i < 1000; i++ {
		if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(fmt.Sprintf("bench/repo-%04d", i))}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1000)})
		if err != nil {
			b.Fatal(err)
		}
		if len(out.Repositories) != 1000 || out.NextToken != nil {
			b.Fatalf("got %d repositories, token %v", len(out.Repositories), out.NextToken)
		}
	}
}

func BenchmarkRegisterTaskDefinition(b *testing.B) {
	c := ecs.NewFromConfig(start(b))
	in := &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String("bench"),
		NetworkMode:             types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name:         aws.String("web"),
			Image:        aws.String("nginx:1.27"),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(80)}},
		}},
	}
	for b.Loop() {
		if _, err := c.RegisterTaskDefinition(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
