package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/berthhq/berth/web/webtest"
)

func TestShellRendersWithLocalBanner(t *testing.T) {
	env := webtest.New(t)
	r := env.Get(t, "/")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d\n%s", r.StatusCode, r.Body)
	}
	for _, want := range []string{
		`id="local-banner"`, "nothing touches AWS", env.EmulatorURL,
		`<strong id="account-id">000000000000</strong>`, `<strong id="region">us-east-1</strong>`,
		`href="/repositories"`, `href="/secrets"`, `href="/task-definitions"`,
		"Create repository", "Store a new secret", "Create new task definition",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	env := webtest.New(t)
	for _, path := range []string{"/", "/no/such/page", "/healthz"} {
		r := env.Get(t, path)
		h := r.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "style-src 'self'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy = %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", path, h.Get("X-Content-Type-Options"))
		}
		if h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: Referrer-Policy = %q", path, h.Get("Referrer-Policy"))
		}
	}
}

func TestUnknownRouteRendersNotFoundPage(t *testing.T) {
	env := webtest.New(t)
	r := env.Get(t, "/no/such/page")
	if r.StatusCode != http.StatusNotFound {
		t.Fatalf("status = %d", r.StatusCode)
	}
	if !strings.Contains(r.Body, "<h1>Page not found</h1>") || !strings.Contains(r.Body, "Request id") || !strings.Contains(r.Body, `class="shell"`) {
		t.Errorf("404 page is not the app's page:\n%s", r.Body)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	env := webtest.New(t)
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/region", strings.NewReader("region=us-east-1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Accept", "text/html")
	r := env.Do(t, req)
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin POST = %d, want 403\n%s", r.StatusCode, r.Body)
	}
	// The refusal is an answer like any other: the error page with its
	// request id, the security headers, and a line in the metrics.
	if !strings.Contains(r.Body, "Cross-origin request refused") || !strings.Contains(r.Body, `class="shell"`) || !strings.Contains(r.Body, "Request id") {
		t.Errorf("refusal is not the app's error page:\n%.500s", r.Body)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("refusal lacks the security headers: %v", r.Header)
	}
	if m := env.Get(t, "/metrics"); !strings.Contains(m.Body, `status="403"`) {
		t.Error("the refusal is not counted in /metrics")
	}
}

func TestRegionSwitcherKeepsChoiceInSession(t *testing.T) {
	env := webtest.NewWith(t, webtest.Options{Regions: []string{"us-east-1", "eu-west-1"}})
	if r := env.Get(t, "/"); !strings.Contains(r.Body, `<option value="eu-west-1">`) {
		t.Fatalf("no region switcher:\n%s", r.Body)
	}
	r := env.PostForm(t, "/region", url.Values{"region": {"eu-west-1"}, "return": {"/"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("switch = %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := env.Get(t, "/"); !strings.Contains(r.Body, `<option value="eu-west-1" selected>`) {
		t.Errorf("eu-west-1 not selected after switching")
	}
	if r := env.PostForm(t, "/region", url.Values{"region": {"mars-north-1"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown region = %d, want 400", r.StatusCode)
	}
	r = env.PostForm(t, "/region", url.Values{"region": {"us-east-1"}, "return": {"//evil.example/"}})
	if loc := r.Header.Get("Location"); loc != "/" {
		t.Errorf("open redirect: Location = %q", loc)
	}
}

// TestWaitingFlashesDoNotFillTheSession: a message waits in the session
// cookie for the next page. Posts that never load one (a script, a form
// sent again and again) used to pile them up until the cookie was too long
// and the next change to the session failed with a 500. The newest few
// wait; the session stays usable.
func TestWaitingFlashesDoNotFillTheSession(t *testing.T) {
	env := webtest.New(t)
	for range 60 {
		wantRedirect(t, env.PostForm(t, "/secrets/new/cancel", nil), "/secrets")
	}
	step1 := url.Values{"preset": {"other"}, "mode": {"kv"}, "kv.0.key": {"k"}, "kv.0.value": {"v"}, "action": {"next"}}
	wantRedirect(t, env.PostForm(t, "/secrets/new", step1), "/secrets/new/configure")
	if n := strings.Count(env.Get(t, "/secrets").Body, "The new secret was discarded"); n != 3 {
		t.Errorf("%d messages shown, want the newest 3", n)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	env := webtest.New(t)
	if r := env.Get(t, "/healthz"); r.StatusCode != 200 || r.Body != "ok\n" {
		t.Errorf("/healthz = %d %q", r.StatusCode, r.Body)
	}
	if r := env.Get(t, "/readyz"); r.StatusCode != 200 {
		t.Errorf("/readyz = %d %q", r.StatusCode, r.Body)
	}
	env.Get(t, "/")
	env.Get(t, "/no/such/page")
	r := env.Get(t, "/metrics")
	for _, want := range []string{
		`berth_http_requests_total{method="GET",route="/",status="200"} 1`,
		`berth_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`berth_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		`berth_aws_calls_total{operation="GetCallerIdentity",outcome="ok",service="STS"}`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestReadyzFailsWhenStoreIsClosed(t *testing.T) {
	env := webtest.New(t)
	env.Store.Close()
	if r := env.Get(t, "/readyz"); r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.Body, "store") {
		t.Errorf("/readyz with closed store = %d %q", r.StatusCode, r.Body)
	}
}

func TestStaticFilesAreHashedAndCached(t *testing.T) {
	env := webtest.New(t)
	home := env.Get(t, "/").Body
	i := strings.Index(home, `href="/static/css/berth.`)
	if i < 0 {
		t.Fatal("no hashed stylesheet link")
	}
	href := home[i+6:]
	href = href[:strings.IndexByte(href, '"')]
	r := env.Get(t, href)
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Errorf("%s = %d, Cache-Control %q, Content-Type %q", href, r.StatusCode, r.Header.Get("Cache-Control"), r.Header.Get("Content-Type"))
	}
	if r := env.Get(t, "/static/css/berth.css"); r.StatusCode != 404 {
		t.Errorf("unhashed name served: %d", r.StatusCode)
	}
}

// TestOversizedFormIsRefused: every posted form is read once, bounded, before
// any handler; a body over the bound is a 400, not a handler's problem.
func TestOversizedFormIsRefused(t *testing.T) {
	env := webtest.New(t)
	big := url.Values{"family": {strings.Repeat("x", 3<<20)}}
	for _, path := range []string{"/task-definitions/new", "/repositories/new", "/secrets/new"} {
		if r := env.PostForm(t, path, big); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "too large") {
			t.Errorf("POST %s with 3 MiB = %d %q", path, r.StatusCode, r.Body)
		}
	}
	// A normal form still reaches its handler, parsed.
	if r := env.PostForm(t, "/repositories/new", url.Values{"name": {"Bad_Name"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("small form = %d", r.StatusCode)
	}
}

// TestAWSFailuresAreExplainedNotCrashes points Berth at an AWS that refuses
// every call: each page explains the failure (502) instead of answering
// Berth's own 500.
func TestAWSFailuresAreExplainedNotCrashes(t *testing.T) {
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"__type":"AccessDeniedException","message":"User is not authorized","Message":"User is not authorized"}`))
	}))
	t.Cleanup(refuse.Close)
	env := webtest.NewWith(t, webtest.Options{Endpoint: refuse.URL})
	for _, path := range []string{
		"/repositories", "/repositories/app", "/repositories/-/edit/app",
		"/secrets", "/secrets/app", "/secrets/app/edit", "/secrets/app/new-value", "/secrets/app/delete",
		"/task-definitions", "/task-definitions/app", "/task-definitions/app/1",
	} {
		r := env.Get(t, path)
		if r.StatusCode != http.StatusBadGateway || !strings.Contains(r.Body, "User is not authorized (AccessDeniedException)") {
			t.Errorf("GET %s = %d, want 502 with the explanation\n%.600s", path, r.StatusCode, r.Body)
		}
	}
}

// TestMissingProfileIsExplainedOnEveryPage runs the aws backend with a
// profile that does not exist: Berth serves, the header, every page that
// calls AWS and /readyz say which profile is missing and how to fix it.
func TestMissingProfileIsExplainedOnEveryPage(t *testing.T) {
	env := webtest.NewWith(t, webtest.Options{AWSProfile: "nope"})
	const fix = "aws configure --profile nope"
	if r := env.Get(t, "/"); !strings.Contains(r.Body, fix) {
		t.Errorf("GET / = %d without the explanation\n%.600s", r.StatusCode, r.Body)
	}
	for _, path := range []string{"/repositories", "/repositories/app", "/secrets", "/secrets/app", "/task-definitions", "/task-definitions/app"} {
		r := env.Get(t, path)
		if r.StatusCode != http.StatusBadGateway || !strings.Contains(r.Body, fix) || !strings.Contains(r.Body, "nope&#34; (from --profile or AWS_PROFILE) was not found") {
			t.Errorf("GET %s = %d, want 502 with the explanation\n%.600s", path, r.StatusCode, r.Body)
		}
	}
	if r := env.Get(t, "/readyz"); r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.Body, fix) {
		t.Errorf("/readyz = %d %q", r.StatusCode, r.Body)
	}
}
