package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/webtest"
)

// benchRegion holds exactly the benchmark's repositories: no test uses it.
const benchRegion = "eu-north-1"

// BenchmarkRepositoryList renders the repository list of a registry with
// 1,000 repositories: server time per page and AWS calls per page.
func BenchmarkRepositoryList(b *testing.B) {
	env := webtest.NewWith(b, webtest.Options{Regions: []string{"us-east-1", benchRegion}})
	api := env.Backend.In(benchRegion)
	ctx := context.Background()
	page, err := api.ListRepositories(ctx, "", 1000)
	if err != nil {
		b.Fatal(err)
	}
	for i := len(page.Repositories); i < 1000; i++ {
		in := cloud.NewRepository{Name: fmt.Sprintf("team-%02d/service-%04d", i%40, i)}
		if i%3 == 0 {
			in.TagMutability, in.ScanOnPush = "IMMUTABLE", true
		}
		if _, err := api.CreateRepository(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	env.PostForm(b, "/region", url.Values{"region": {benchRegion}, "return": {"/"}})
	for _, bc := range []struct{ name, path string }{
		{"first-page", "/repositories"},
		{"sorted-by-created", "/repositories?sort=created-desc"},
		{"filtered-namespace", "/repositories?ns=team-07&q=service"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := env.Get(b, bc.path)
			if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `id="repositories"`) {
				b.Fatalf("%s = %d", bc.path, r.StatusCode)
			}
			before := env.AWSCalls(b)
			bytes := 0
			b.ResetTimer()
			for b.Loop() {
				r := env.Get(b, bc.path)
				bytes = len(r.Body)
			}
			b.StopTimer()
			// The /metrics read itself makes no AWS call.
			b.ReportMetric((env.AWSCalls(b)-before)/float64(b.N), "aws-calls/page")
			b.ReportMetric(float64(bytes), "html-bytes/page")
		})
	}
}
