package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web"
	"github.com/berthhq/berth/web/webtest"
)

// samplePath fills a route pattern's parameters with harmless values: a
// user that does not exist, a setup token that is wrong.
func samplePath(pattern string) string {
	r := strings.NewReplacer("{username}", "webtest-nobody", "{token}", "not-a-token", "*", "nothing", "{name}", "webtest-nothing",
		"{arn}", "webtest-nothing", "{family}", "webtest-nothing", "{revision}", "1", "{id}", "webtest-nothing", "{tag}", "latest", "{digest}", "sha256:00")
	p := r.Replace(pattern)
	// Any parameter not listed above: a generic value.
	for strings.Contains(p, "{") {
		i, j := strings.Index(p, "{"), strings.Index(p, "}")
		p = p[:i] + "webtest-nothing" + p[j+1:]
	}
	return p
}

// TestRoleMatrix signs in as each role (and as nobody) and checks every
// route of the table against its declared permission: allowed, the 403
// page, or a redirect to sign-in. It covers routes added later without
// change; TestPinnedPermissions pins what each route must declare.
func TestRoleMatrix(t *testing.T) {
	env := webtest.New(t)
	accounts := map[string]webtest.Account{
		"viewer": env.NewUser(t, "viewer", ""),
		"editor": env.NewUser(t, "editor", ""),
		"admin":  env.NewUser(t, "admin", ""),
	}
	rank := map[string]int{"": 0, "viewer": 1, "editor": 2, "admin": 3}
	routes := env.Server.Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, who := range []string{"", "viewer", "editor", "admin"} {
		signIn := func() {
			if who == "" {
				env.SignOut(t)
			} else {
				env.SignInAs(t, accounts[who])
			}
		}
		signIn()
		for _, rt := range routes {
			path := samplePath(rt.Pattern)
			var r webtest.Response
			if rt.Method == http.MethodGet {
				r = env.Get(t, path)
			} else {
				req, _ := http.NewRequest(rt.Method, env.URL+path, strings.NewReader(""))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Accept", "text/html")
				req.Header.Set("Origin", env.URL)
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				r = env.Do(t, req)
			}
			// Signing out rightly ends at the sign-in page too.
			signsOut := strings.Contains(rt.Pattern, "sign-out") && who != "" && rank[who] >= rank[rt.Role]
			toSignIn := r.StatusCode == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/sign-in") && !signsOut
			forbidden := r.StatusCode == http.StatusForbidden
			got := "allowed"
			switch {
			case toSignIn:
				got = "sign-in"
			case forbidden:
				got = "403"
			}
			want := "allowed"
			switch {
			case rt.Perm == "public":
			case who == "":
				want = "sign-in"
			case rank[who] < rank[rt.Role]:
				want = "403"
			}
			if rt.Perm == "undeclared" {
				t.Errorf("%s %s declares no permission", rt.Method, rt.Pattern)
			} else if got != want {
				t.Errorf("%s %s as %q: %s (status %d, Location %q), want %s", rt.Method, rt.Pattern, who, got, r.StatusCode, r.Header.Get("Location"), want)
			}
			if r.StatusCode >= 500 {
				t.Errorf("%s %s as %q: status %d\n%s", rt.Method, rt.Pattern, who, r.StatusCode, r.Body)
			}
			if want == "403" && !strings.Contains(r.Body, "Not allowed") {
				t.Errorf("%s %s as %q: not the 403 page:\n%.300s", rt.Method, rt.Pattern, who, r.Body)
			}
			if strings.Contains(rt.Pattern, "sign-out") && who != "" {
				signIn() // that route ended the session, as it should
			}
		}
	}
}

// TestPinnedPermissions fixes the permission of each team route and of the
// rules every area follows (deletes are admin, secret values editor).
func TestPinnedPermissions(t *testing.T) {
	env := webtest.New(t)
	want := map[string]string{
		"GET /":                       "view",
		"GET /sign-in":                "public",
		"POST /sign-in":               "public",
		"POST /sign-out":              "view",
		"POST /sign-out-everywhere":   "view",
		"GET /setup/{token}":          "public",
		"POST /setup/{token}":         "public",
		"GET /audit":                  "view",
		"GET /audit/export.csv":       "view",
		"GET /users":                  "admin",
		"POST /users":                 "admin",
		"POST /users/{username}/role": "admin",
		"GET /settings":               "admin",
		"POST /settings":              "admin",
		"GET /healthz":                "public",
	}
	got := map[string]string{}
	for _, rt := range env.Server.Routes() {
		got[rt.Method+" "+rt.Pattern] = rt.Perm
		if strings.Contains(strings.ToLower(rt.Pattern), "delete") && rt.Perm != "admin" {
			t.Errorf("%s %s deletes but declares %s: deletes are admin", rt.Method, rt.Pattern, rt.Perm)
		}
		if rt.Method == http.MethodDelete && rt.Perm != "admin" {
			t.Errorf("%s %s declares %s: deletes are admin", rt.Method, rt.Pattern, rt.Perm)
		}
		if (strings.Contains(rt.Pattern, "/value") || strings.Contains(rt.Pattern, "reveal")) && rt.Perm != "reveal" {
			t.Errorf("%s %s retrieves a secret value but declares %s: use permReveal", rt.Method, rt.Pattern, rt.Perm)
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s declares %q, want %q", k, got[k], v)
		}
	}
}

func TestSignInFailuresDoNotRevealAccounts(t *testing.T) {
	env := webtest.NewWith(t, webtest.Options{NoSignIn: true})
	a := env.NewUser(t, "editor", "")
	disabled := env.NewUser(t, "viewer", "")
	u, _ := env.Store.UserByUsername(context.Background(), disabled.Username)
	env.Store.SetDisabled(context.Background(), u.ID, true)
	var bodies []string
	for _, form := range []url.Values{
		{"username": {a.Username}, "password": {"wrong password!!"}},
		{"username": {"nobody-" + a.Username}, "password": {"wrong password!!"}},
		{"username": {disabled.Username}, "password": {webtest.Password}},
	} {
		r := env.PostForm(t, "/sign-in", form)
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failed sign-in = %d", r.StatusCode)
		}
		i := strings.Index(r.Body, `id="sign-in-error"`)
		j := strings.Index(r.Body[i:], "</div>")
		bodies = append(bodies, r.Body[i:i+j])
	}
	if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
		t.Errorf("failure messages differ:\n%s\n%s\n%s", bodies[0], bodies[1], bodies[2])
	}
	es, _, _ := env.Store.ListAudit(context.Background(), store.AuditFilter{Action: "sign-in"})
	if len(es) != 3 || es[0].Outcome != store.OutcomeFailure || es[2].Actor != a.Username || es[2].Address != "127.0.0.1" {
		t.Errorf("failed sign-ins in the audit trail: %+v", es)
	}
}

func TestSignInRateLimits(t *testing.T) {
	env := webtest.NewWith(t, webtest.Options{NoSignIn: true, Auth: web.AuthOptions{AccountAttempts: 3, AddressAttempts: 6}})
	a := env.NewUser(t, "viewer", "")
	b := env.NewUser(t, "viewer", "")
	try := func(user, pw string) int {
		return env.PostForm(t, "/sign-in", url.Values{"username": {user}, "password": {pw}}).StatusCode
	}
	for i := range 3 {
		if c := try(a.Username, "not the password"); c != http.StatusUnauthorized {
			t.Fatalf("attempt %d = %d", i, c)
		}
	}
	// The account is locked for the window, even with the right password.
	if c := try(a.Username, webtest.Password); c != http.StatusTooManyRequests {
		t.Errorf("4th attempt on one account = %d, want 429", c)
	}
	// Another account from the same address still works…
	if c := try(b.Username, webtest.Password); c != http.StatusSeeOther {
		t.Errorf("other account = %d", c)
	}
	// …until the address itself has used its attempts.
	if c := try("somebody-else", "x"); c != http.StatusUnauthorized {
		t.Errorf("6th attempt from the address = %d", c)
	}
	if c := try("yet-another", "x"); c != http.StatusTooManyRequests {
		t.Errorf("7th attempt from the address = %d, want 429", c)
	}
	es, _, _ := env.Store.ListAudit(context.Background(), store.AuditFilter{Action: "sign-in"})
	denied := 0
	for _, e := range es {
		if e.Outcome == store.OutcomeDenied {
			denied++
		}
	}
	if denied != 2 {
		t.Errorf("%d rate-limited attempts audited, want 2", denied)
	}
}

// cookieOf returns the session cookie the client holds for env.
func cookieOf(t *testing.T, env *webtest.Env) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(env.URL)
	for _, c := range env.Client.Jar.Cookies(u) {
		if c.Name == "berth" {
			return c
		}
	}
	return nil
}

// getWith fetches a path presenting exactly one cookie.
func getWith(t *testing.T, env *webtest.Env, c *http.Cookie, path string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	req.AddCookie(c)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func signedIn(resp *http.Response) bool { return resp.StatusCode == http.StatusOK }

func TestSessionFixationAndServerSideSignOut(t *testing.T) {
	env := webtest.New(t)
	signedInCookie := cookieOf(t, env)
	if !signedIn(getWith(t, env, signedInCookie, "/account")) {
		t.Fatal("cookie after sign-in does not work")
	}
	// Sign out: the session ends on the server, so a copy of the cookie is dead.
	if r := env.PostForm(t, "/sign-out", nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/sign-in" {
		t.Fatalf("sign out = %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if signedIn(getWith(t, env, signedInCookie, "/account")) {
		t.Error("a copy of the cookie still works after sign-out")
	}
	// The client now holds a signed-out cookie (carrying the flash). Signing
	// in must replace its session, so the pre-sign-in cookie grants nothing.
	before := cookieOf(t, env)
	if before == nil {
		t.Fatal("no cookie after sign-out")
	}
	env.SignInAs(t, env.Admin)
	after := cookieOf(t, env)
	if after.Value == before.Value || after.Value == signedInCookie.Value {
		t.Error("session cookie did not change at sign-in")
	}
	if signedIn(getWith(t, env, before, "/account")) {
		t.Error("the pre-sign-in cookie grants access after sign-in (fixation)")
	}
	if !signedIn(getWith(t, env, after, "/account")) {
		t.Error("new cookie does not work")
	}
}

func TestSignOutEverywhereEndsEverySession(t *testing.T) {
	env := webtest.New(t)
	first := cookieOf(t, env)
	env.SignInAs(t, env.Admin) // a second browser
	second := cookieOf(t, env)
	if !signedIn(getWith(t, env, first, "/")) || !signedIn(getWith(t, env, second, "/")) {
		t.Fatal("both sessions should work")
	}
	if r := env.PostForm(t, "/sign-out-everywhere", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere = %d", r.StatusCode)
	}
	if signedIn(getWith(t, env, first, "/")) || signedIn(getWith(t, env, second, "/")) {
		t.Error("a session survived sign out everywhere")
	}
	es, _, _ := env.Store.ListAudit(context.Background(), store.AuditFilter{Action: "sign-out-everywhere"})
	if len(es) != 1 || es[0].Actor != env.Admin.Username {
		t.Errorf("audit: %+v", es)
	}
}

// clock is a settable time for session timeouts.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestSessionTimeouts(t *testing.T) {
	clk := &clock{t: time.Now()}
	env := webtest.NewWith(t, webtest.Options{Auth: web.AuthOptions{IdleTimeout: time.Hour, Lifetime: 3 * time.Hour, Now: clk.now}})
	// Activity keeps the session alive within the idle timeout…
	for range 3 {
		clk.add(50 * time.Minute)
		if r := env.Get(t, "/account"); r.StatusCode != http.StatusOK {
			t.Fatalf("active session ended early: %d", r.StatusCode)
		}
	}
	// …but not past its lifetime (3 h since sign-in).
	clk.add(40 * time.Minute)
	if r := env.Get(t, "/account"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("session older than its lifetime still works: %d", r.StatusCode)
	}
	// Idle timeout: a fresh session left alone past an hour ends.
	env.SignInAs(t, env.Admin)
	clk.add(61 * time.Minute)
	if r := env.Get(t, "/account"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/sign-in?next=%2Faccount") {
		t.Errorf("idle session still works: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestDisablingAndRoleChangesActAtOnce(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	editor := env.SignIn(t, "editor")
	u, _ := env.Store.UserByUsername(ctx, editor.Username)
	if r := env.Get(t, "/users"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("editor on /users = %d", r.StatusCode)
	}
	env.Store.SetRole(ctx, u.ID, "admin", "")
	if r := env.Get(t, "/users"); r.StatusCode != http.StatusOK {
		t.Errorf("promoted editor on /users = %d", r.StatusCode)
	}
	env.Store.SetDisabled(ctx, u.ID, true)
	if r := env.Get(t, "/"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("disabled user still signed in: %d", r.StatusCode)
	}
}

func TestReadOnlyModeRefusesChanges(t *testing.T) {
	env := webtest.NewWith(t, webtest.Options{Auth: web.AuthOptions{ReadOnly: true}})
	home := env.Get(t, "/")
	if !strings.Contains(home.Body, `id="read-only-banner"`) {
		t.Error("no read-only banner")
	}
	r := env.PostForm(t, "/users", url.Values{"username": {"newbie"}, "role": {"viewer"}, "password": {"a fine long password"}})
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "read-only") {
		t.Errorf("change in read-only mode = %d %s", r.StatusCode, r.Body)
	}
	if _, err := env.Store.UserByUsername(context.Background(), "newbie"); err == nil {
		t.Error("user created in read-only mode")
	}
	if r := env.Get(t, "/users"); r.StatusCode != http.StatusOK || strings.Contains(r.Body, `id="add-user"`) {
		t.Errorf("reading in read-only mode = %d, or the Add user button shows", r.StatusCode)
	}
	// The one change everyone keeps, as the banner and README say: their
	// own password, so an account can be made safe during a freeze.
	if !strings.Contains(home.Body, "change your own password") {
		t.Error("the banner does not say that passwords can still be changed")
	}
	newPassword := "another fine long password"
	if r := env.PostForm(t, "/account/password", url.Values{"current": {webtest.Password}, "password": {newPassword}, "confirm": {newPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("own password change in read-only mode = %d", r.StatusCode)
	}
}
