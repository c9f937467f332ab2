package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/webtest"
)

// benchSecretRegion holds the benchmark's 5,000 secrets, apart from the
// secrets of every other test sharing the emulator.
const benchSecretRegion = "eu-central-2"

var benchSecretsOnce sync.Once

// BenchmarkSecretListPage renders /secrets in a region holding 5,000
// secrets: the first page, a page deep in the list, and a name filter.
// Each is one ListSecrets call of 100 plus the render.
func BenchmarkSecretListPage(b *testing.B) {
	env := webtest.NewWith(b, webtest.Options{Regions: []string{"us-east-1", benchSecretRegion}})
	c := env.Backend.In(benchSecretRegion)
	benchSecretsOnce.Do(func() {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for i := range 5000 {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				_, err := c.CreateSecret(context.Background(), cloud.NewSecret{
					Name: fmt.Sprintf("bench/app%02d/secret-%04d", i%50, i), Description: "benchmark secret",
					Value: "v", Tags: []cloud.SecretTag{{Key: "team", Value: fmt.Sprintf("t%d", i%7)}},
					Token: fmt.Sprintf("bench-token-%028d", i),
				})
				if err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	})
	if r := env.PostForm(b, "/region", url.Values{"region": {benchSecretRegion}, "return": {"/secrets"}}); r.StatusCode != 303 {
		b.Fatalf("switch region = %d", r.StatusCode)
	}
	// The 30th page's token, by walking the list once.
	var deep string
	token := ""
	for range 29 {
		p, err := c.ListSecrets(context.Background(), cloud.SecretFilter{}, token, 100)
		if err != nil {
			b.Fatal(err)
		}
		token = p.Next
	}
	deep = "/secrets?page=" + url.QueryEscape(token)
	for _, bc := range []struct{ name, path string }{
		{"first", "/secrets"},
		{"page30", deep},
		{"filter", "/secrets?name=bench%2Fapp07%2F&tag_key=team"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				r := env.Get(b, bc.path)
				if r.StatusCode != 200 || !strings.Contains(r.Body, "bench/app") {
					b.Fatalf("%s = %d", bc.path, r.StatusCode)
				}
			}
		})
	}
}
