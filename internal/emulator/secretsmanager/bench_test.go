package secretsmanager_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

func BenchmarkCreateSecret(b *testing.B) {
	c, _ := newClient(b)
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(fmt.Sprintf("bench/%d", i)), SecretString: aws.String("value")}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListSecrets reads one page of 100 from 5,000 secrets, deep in the
// list and with a filter, so that a page's cost shows whether it is one
// indexed query.
func BenchmarkListSecrets(b *testing.B) {
	c, _ := newClient(b)
	const n = 5000
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{
					Name: aws.String(fmt.Sprintf("app%d/secret-%05d", i%10, i)), SecretString: aws.String("v"),
					Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String(fmt.Sprint("t", i%7))}},
				})
				if err != nil {
					panic(err)
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	first, err := c.ListSecrets(ctx, &sm.ListSecretsInput{MaxResults: aws.Int32(100)})
	if err != nil || first.NextToken == nil {
		b.Fatalf("first page: %v", err)
	}
	b.Run("page", func(b *testing.B) {
		for range b.N {
			out, err := c.ListSecrets(ctx, &sm.ListSecretsInput{MaxResults: aws.Int32(100), NextToken: first.NextToken})
			if err != nil || len(out.SecretList) != 100 {
				b.Fatalf("page: %v", err)
			}
		}
	})
	b.Run("filtered", func(b *testing.B) {
		for range b.N {
			out, err := c.ListSecrets(ctx, &sm.ListSecretsInput{MaxResults: aws.Int32(100), Filters: []types.Filter{
				{Key: types.FilterNameStringTypeName, Values: []string{"app3/"}},
				{Key: types.FilterNameStringTypeTagValue, Values: []string{"t1"}},
			}})
			if err != nil || len(out.SecretList) == 0 {
				b.Fatalf("filtered page: %v", err)
			}
		}
	})
}
