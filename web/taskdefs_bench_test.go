package web_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/berthhq/berth/web/webtest"
)

// The task definition benchmarks: the families page over 1,000 families
// and a family page over 10,000 revisions of one family. Each reports the
// server time per page (ns/op, over HTTP on loopback, emulator included)
// and the AWS calls each page made (aws-calls/page, from /metrics).

var (
	benchOnce      sync.Map // name -> *benchSetup
	nextPageLinkRE = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
)

type benchSetup struct {
	once sync.Once
	name string
}

// benchRegister registers n revisions through env's adapter, 4 at a time.
func benchRegister(b *testing.B, env *webtest.Env, n int, doc func(i int) string) {
	b.Helper()
	c := env.Backend.In("")
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	work := make(chan int)
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for i := range work {
				if _, err := c.RegisterTaskDef(b.Context(), []byte(doc(i))); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

// shared sets up data once per test binary (the emulator is shared).
func shared(b *testing.B, key string, setup func() string) string {
	v, _ := benchOnce.LoadOrStore(key, &benchSetup{})
	s := v.(*benchSetup)
	s.once.Do(func() { s.name = setup() })
	return s.name
}

func benchDoc(family string) string {
	return `{"family":"` + family + `","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
"containerDefinitions":[{"name":"app","image":"nginx:latest","portMappings":[{"containerPort":80}]}]}`
}

// BenchmarkTaskDefFamiliesPage: the families list (50 per page) with 1,000
// families whose names share the searched prefix.
func BenchmarkTaskDefFamiliesPage(b *testing.B) {
	setupEnv := webtest.New(b)
	prefix := shared(b, "families", func() string {
		p := webtest.Name("benchfam")
		benchRegister(b, setupEnv, 1000, func(i int) string { return benchDoc(fmt.Sprintf("%s-%04d", p, i)) })
		return p
	})
	env := webtest.New(b)
	path := "/task-definitions?prefix=" + prefix
	env.Get(b, path) // identity and clients warmed, as on a running server
	before := env.AWSCalls(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp := env.Get(b, path)
		if resp.StatusCode != http.StatusOK || strings.Count(resp.Body, `href="/task-definitions/`+prefix) < 50 {
			b.Fatalf("families page: %d", resp.StatusCode)
		}
	}
	b.StopTimer()
	b.ReportMetric((env.AWSCalls(b)-before)/float64(b.N), "aws-calls/page")
}

// benchRevisions is one family with 10,000 revisions.
func benchRevisions(b *testing.B) string {
	setupEnv := webtest.New(b)
	return shared(b, "revisions", func() string {
		fam := webtest.Name("benchrev")
		benchRegister(b, setupEnv, 10000, func(int) string { return benchDoc(fam) })
		return fam
	})
}

// BenchmarkTaskDefFamilyPageCold walks the family's pages newest first on a
// fresh Berth: every revision shown is described for the first time.
func BenchmarkTaskDefFamilyPageCold(b *testing.B) {
	fam := benchRevisions(b)
	env := webtest.New(b)
	first := "/task-definitions/" + fam
	env.Get(b, "/task-definitions?prefix=nothing") // identity warmed
	path := first
	before := env.AWSCalls(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp := env.Get(b, path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "arn:aws:iam::000000000000:root") {
			b.Fatalf("family page %s: %d", path, resp.StatusCode)
		}
		m := nextPageLinkRE.FindStringSubmatch(resp.Body)
		if m == nil {
			b.StopTimer()
			env = webtest.New(b) // all 400 pages seen: start cold again
			before -= env.AWSCalls(b)
			path = first
			b.StartTimer()
			continue
		}
		path = html.UnescapeString(m[1])
	}
	b.StopTimer()
	b.ReportMetric((env.AWSCalls(b)-before)/float64(b.N), "aws-calls/page")
}

// BenchmarkTaskDefFamilyPageWarm shows the newest page again and again:
// the described revisions come from the cache.
func BenchmarkTaskDefFamilyPageWarm(b *testing.B) {
	fam := benchRevisions(b)
	env := webtest.New(b)
	path := "/task-definitions/" + fam
	env.Get(b, path)
	before := env.AWSCalls(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp := env.Get(b, path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, fam+":10000") {
			b.Fatalf("family page: %d", resp.StatusCode)
		}
	}
	b.StopTimer()
	b.ReportMetric((env.AWSCalls(b)-before)/float64(b.N), "aws-calls/page")
}
