package ecr_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/berthhq/berth/internal/emulator/emutest"
)

func BenchmarkCreateRepository(b *testing.B) {
	c, _ := newClient(b)
	benchCreate(b, c)
}

// BenchmarkCreateRepositoryFloor is the same call against a server that
// replays one answer: the SDK's and net/http's share of the call.
func BenchmarkCreateRepositoryFloor(b *testing.B) {
	replay, _ := emutest.StartReplay(b)
	benchCreate(b, ecr.NewFromConfig(replay.Config))
}

func benchCreate(b *testing.B, c *ecr.Client) {
	i := 0
	for b.Loop() {
		i++
		if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(fmt.Sprintf("bench/repo-%07d", i))}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDescribeRepositories1000 is one SDK call returning a full page of
// 1,000 repositories.
func BenchmarkDescribeRepositories1000(b *testing.B) {
	c, _ := newClient(b)
	benchDescribe1000(b, c, c)
}

// BenchmarkDescribeRepositories1000Floor replays the emulator's answer of
// 1,000 repositories: most of this call is the SDK decoding it.
func BenchmarkDescribeRepositories1000Floor(b *testing.B) {
	replay, real := emutest.StartReplay(b)
	benchDescribe1000(b, ecr.NewFromConfig(real.Config), ecr.NewFromConfig(replay.Config))
}

// benchDescribe1000 creates 1,000 repositories through setup and describes
// them through c.
func benchDescribe1000(b *testing.B, setup, c *ecr.Client) {
	for i := 0; i < 1000; i++ {
		if _, err := setup.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(fmt.Sprintf("bench/repo-%04d", i))}); err != nil {
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
