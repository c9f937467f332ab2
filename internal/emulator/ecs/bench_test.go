package ecs_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/berthhq/berth/internal/emulator/emutest"
)

func BenchmarkRegisterTaskDefinition(b *testing.B) {
	benchRegister(b, client(b))
}

// BenchmarkRegisterTaskDefinitionFloor is the same call against a server
// that replays one answer: the SDK's and net/http's share of the call.
func BenchmarkRegisterTaskDefinitionFloor(b *testing.B) {
	replay, _ := emutest.StartReplay(b)
	benchRegister(b, ecs.NewFromConfig(replay.Config))
}

func benchRegister(b *testing.B, c *ecs.Client) {
	in := fargate("bench")
	for b.Loop() {
		if _, err := c.RegisterTaskDefinition(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRevisions registers n revisions spread over 100 families.
func benchRevisions(b *testing.B, n int) *ecs.Client {
	b.Helper()
	c := client(b)
	for i := range n {
		if _, err := c.RegisterTaskDefinition(ctx, ec2(fmt.Sprintf("fam-%03d", i%100))); err != nil {
			b.Fatal(err)
		}
	}
	return c
}

// BenchmarkListTaskDefinitions compares the first page with a page deep in
// the list, at 100 and 10,000 revisions: keyset paging keeps them equal.
func BenchmarkListTaskDefinitions(b *testing.B) {
	for _, n := range []int{100, 10000} {
		c := benchRevisions(b, n)
		// Walk to the last page; its token is the deepest position.
		var deep *string
		for {
			out, err := c.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{MaxResults: aws.Int32(100), NextToken: deep})
			if err != nil {
				b.Fatal(err)
			}
			if out.NextToken == nil {
				break
			}
			deep = out.NextToken
		}
		b.Run(fmt.Sprintf("revisions=%d/first", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := c.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{MaxResults: aws.Int32(100)}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("revisions=%d/deep", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := c.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{MaxResults: aws.Int32(100), NextToken: deep}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
