package ecs_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	ecsemu "github.com/berthhq/berth/internal/emulator/ecs"
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

// TestBenchBodyIsWhatTheSDKSends keeps BenchmarkRegisterTaskDefinitionHandler's
// request the one BenchmarkRegisterTaskDefinition sends through the SDK, so
// that bench-compare sets the two side by side on the same document.
func TestBenchBodyIsWhatTheSDKSends(t *testing.T) {
	var sent []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	c := ecs.NewFromConfig(emutest.Config(srv.URL, "us-east-1"))
	if _, err := c.RegisterTaskDefinition(ctx, fargate("bench")); err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(sent, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(ecsemu.BenchBody), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the SDK sends %s\nthe handler benchmark uses %s", sent, ecsemu.BenchBody)
	}
}
