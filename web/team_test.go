package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/berthhq/berth/internal/auth"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/internal/store/storetest"
	"github.com/berthhq/berth/web"
	"github.com/berthhq/berth/web/webtest"
)

func TestFirstAdminSetupLinkWorksOnce(t *testing.T) {
	env := webtest.NewWith(t, webtest.Options{NoSignIn: true})
	ctx := context.Background()
	token, err := env.Server.PrepareSetup(ctx)
	if err != nil || token == "" {
		t.Fatalf("PrepareSetup = %q, %v", token, err)
	}
	if r := env.Get(t, "/setup/wrong-token"); r.StatusCode != http.StatusNotFound {
		t.Errorf("wrong token = %d", r.StatusCode)
	}
	if r := env.Get(t, "/setup/"+token); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Create Berth's first admin") {
		t.Fatalf("setup page = %d", r.StatusCode)
	}
	r := env.PostForm(t, "/setup/"+token, url.Values{"username": {"Root Admin"}, "password": {"password1234"}, "confirm": {"x"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "commonly used") || !strings.Contains(r.Body, `aria-describedby="f-username-help f-username-error"`) {
		t.Errorf("bad setup = %d\n%s", r.StatusCode, r.Body)
	}
	r = env.PostForm(t, "/setup/"+token, url.Values{"username": {"root"}, "password": {"a long setup password"}, "confirm": {"a long setup password"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup = %d\n%s", r.StatusCode, r.Body)
	}
	home := env.Follow(t, r)
	if home.StatusCode != http.StatusOK || !strings.Contains(home.Body, `<span id="user-name">root</span>`) || !strings.Contains(home.Body, "first admin") {
		t.Errorf("after setup: %d\n%.500s", home.StatusCode, home.Body)
	}
	if r := env.Get(t, "/setup/"+token); r.StatusCode != http.StatusNotFound {
		t.Errorf("used setup link = %d", r.StatusCode)
	}
	if tok, _ := env.Server.PrepareSetup(ctx); tok != "" {
		t.Error("a new setup token while users exist")
	}
	u, err := env.Store.UserByUsername(ctx, "root")
	if err != nil || u.Role != "admin" {
		t.Errorf("first admin = %+v, %v", u, err)
	}
}

func TestAdminManagesUsers(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	name := webtest.Name("dev")
	r := env.PostForm(t, "/users", url.Values{"username": {name}, "role": {"editor"}, "scope": {"payments/"}, "password": {"short"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "at least 12 characters") || !strings.Contains(r.Body, `value="payments/"`) {
		t.Fatalf("weak password = %d", r.StatusCode)
	}
	r = env.PostForm(t, "/users", url.Values{"username": {name}, "role": {"editor"}, "scope": {"payments/"}, "password": {"a long enough password"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d\n%s", r.StatusCode, r.Body)
	}
	if page := env.Follow(t, r); !strings.Contains(page.Body, "added as editor") || !strings.Contains(page.Body, "<code>payments/</code>") {
		t.Errorf("user page:\n%.800s", page.Body)
	}
	if r := env.PostForm(t, "/users", url.Values{"username": {name}, "role": {"viewer"}, "password": {"a long enough password"}}); !strings.Contains(r.Body, "already exists") {
		t.Errorf("duplicate = %d", r.StatusCode)
	}
	// The new person signs in and sees their scope.
	dev := webtest.Account{Username: name, Password: "a long enough password"}
	other := *env
	other.Client = &http.Client{CheckRedirect: env.Client.CheckRedirect}
	other.SignInAs(t, dev)
	if a := other.Get(t, "/account"); !strings.Contains(a.Body, "<code>payments/</code>") || !strings.Contains(a.Body, `id="account-role">editor<`) {
		t.Errorf("account page:\n%.800s", a.Body)
	}
	// Role change, disable (ends the session), enable.
	if r := env.PostForm(t, "/users/"+name+"/role", url.Values{"role": {"viewer"}, "scope": {""}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("set role = %d", r.StatusCode)
	}
	if r := env.PostForm(t, "/users/"+name+"/disable", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("disable = %d", r.StatusCode)
	}
	if a := other.Get(t, "/account"); a.StatusCode != http.StatusSeeOther {
		t.Errorf("disabled user still signed in: %d", a.StatusCode)
	}
	env.PostForm(t, "/users/"+name+"/enable", nil)
	// The admin cannot disable or demote themselves out of the last admin role.
	if r := env.PostForm(t, "/users/"+env.Admin.Username+"/disable", nil); r.StatusCode != http.StatusBadRequest {
		t.Errorf("self-disable = %d", r.StatusCode)
	}
	if r := env.PostForm(t, "/users/"+env.Admin.Username+"/role", url.Values{"role": {"viewer"}}); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "only admin") {
		t.Errorf("last admin demoted: %d", r.StatusCode)
	}
	// Every change is in the audit trail, with the diff.
	es, _, _ := env.Store.ListAudit(ctx, store.AuditFilter{Resource: "user/" + name})
	var actions []string
	for _, e := range es {
		actions = append(actions, e.Action)
		if e.Actor != env.Admin.Username && e.Action != "sign-in" {
			t.Errorf("%s by %q", e.Action, e.Actor)
		}
	}
	if got := strings.Join(actions, ","); got != "user.enable,user.disable,user.set-role,user.create" {
		t.Errorf("audited actions = %s", got)
	}
	var roleChange store.AuditEntry
	for _, e := range es {
		if e.Action == "user.set-role" {
			roleChange = e
		}
	}
	if len(roleChange.Changes) != 2 || roleChange.Changes[0].Field != "role" || roleChange.Changes[0].Before != `"editor"` || roleChange.Changes[0].After != `"viewer"` {
		t.Errorf("role change diff: %+v", roleChange.Changes)
	}
	all, _ := json.Marshal(es)
	if strings.Contains(string(all), "a long enough password") || strings.Contains(string(all), "argon2") {
		t.Error("a password or hash is in the audit trail")
	}
}

func TestAuditPageFiltersPaginatesAndExports(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	for i := range 60 {
		env.Store.AppendAudit(ctx, store.AuditEntry{Actor: "robot", Action: "secret.update", Resource: "arn:aws:secretsmanager:us-east-1:000000000000:secret:team/app-" + string(rune('a'+i%26)), Outcome: "success"})
	}
	r := env.Get(t, "/audit?actor=robot&action=secret.")
	if r.StatusCode != http.StatusOK || strings.Count(r.Body, "<code>secret.update</code>") != 50 || !strings.Contains(r.Body, `id="older"`) {
		t.Fatalf("first page: %d, %d rows", r.StatusCode, strings.Count(r.Body, "<code>secret.update</code>"))
	}
	i := strings.Index(r.Body, `id="older" href="`) + len(`id="older" href="`)
	next := strings.ReplaceAll(r.Body[i:i+strings.Index(r.Body[i:], `"`)], "&amp;", "&")
	if r2 := env.Get(t, next); strings.Count(r2.Body, "<code>secret.update</code>") != 10 || strings.Contains(r2.Body, `id="older"`) {
		t.Errorf("second page %s: %d rows", next, strings.Count(r2.Body, "<code>secret.update</code>"))
	}
	if r := env.Get(t, "/audit?resource=TEAM/APP-B"); strings.Count(r.Body, "<code>secret.update</code>") != 3 {
		t.Errorf("resource filter: %d rows", strings.Count(r.Body, "<code>secret.update</code>"))
	}
	if r := env.Get(t, "/audit?from=2026-13-01"); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "YYYY-MM-DD") {
		t.Errorf("bad date = %d", r.StatusCode)
	}
	c := env.Get(t, "/audit/export.csv?actor=robot")
	rows, err := csv.NewReader(strings.NewReader(c.Body)).ReadAll()
	if err != nil || len(rows) != 61 || rows[0][2] != "actor" || rows[1][2] != "robot" || !strings.HasPrefix(c.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV: %d rows, %v", len(rows), err)
	}
	j := env.Get(t, "/audit/export.json?actor=robot")
	var entries []store.AuditEntry
	if err := json.Unmarshal([]byte(j.Body), &entries); err != nil || len(entries) != 60 || entries[0].Action != "secret.update" {
		t.Errorf("JSON: %d entries, %v", len(entries), err)
	}
	// A viewer sees only their own entries, whatever the filter says.
	viewer := env.SignIn(t, "viewer")
	v := env.Get(t, "/audit?actor=robot")
	if strings.Contains(v.Body, "robot") || !strings.Contains(v.Body, viewer.Username) {
		t.Errorf("viewer's audit page shows others or not themselves")
	}
	vj := env.Get(t, "/audit/export.json?actor=robot")
	if strings.Contains(vj.Body, "robot") {
		t.Error("viewer's export shows others' entries")
	}
}

func TestSingleSignOnWithOIDC(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	cfg := m.Config()
	roles, _ := auth.ParseRoleMap("berth-admins=admin,berth-editors=editor:team/")
	oidc := auth.NewOIDC(auth.OIDCConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Roles: roles})
	env := webtest.NewWith(t, webtest.Options{NoSignIn: true, Auth: web.AuthOptions{OIDC: oidc, OIDCIssuer: cfg.Issuer}})
	oidc.SetRedirectURL(env.URL + "/auth/oidc/callback")

	signIn := func(user *mockoidc.MockUser) webtest.Response {
		t.Helper()
		m.QueueUser(user)
		if p := env.Get(t, "/sign-in"); !strings.Contains(p.Body, `id="sso"`) {
			t.Fatal("no single sign-on button")
		}
		r := env.Get(t, "/auth/oidc/login?next=/account")
		if r.StatusCode != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), m.AuthorizationEndpoint()) {
			t.Fatalf("login = %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		// The provider signs the person in and sends the browser back.
		req, _ := http.NewRequest(http.MethodGet, r.Header.Get("Location"), nil)
		resp, err := env.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cb := resp.Header.Get("Location")
		if !strings.HasPrefix(cb, env.URL+"/auth/oidc/callback") {
			t.Fatalf("provider redirected to %q (%d)", cb, resp.StatusCode)
		}
		return env.Get(t, strings.TrimPrefix(cb, env.URL))
	}
	r := signIn(&mockoidc.MockUser{Subject: "s-1", PreferredUsername: "Jane.Doe", Email: "jane@example.com", Groups: []string{"staff", "berth-editors"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
		t.Fatalf("callback = %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	acct := env.Follow(t, r)
	if !strings.Contains(acct.Body, `id="account-username">jane.doe<`) || !strings.Contains(acct.Body, `id="account-role">editor<`) || !strings.Contains(acct.Body, "<code>team/</code>") {
		t.Errorf("account after SSO:\n%.1000s", acct.Body)
	}
	u, _ := env.Store.UserByUsername(context.Background(), "jane.doe")
	if u.Source != store.SourceOIDC || u.PasswordHash != "" {
		t.Errorf("SSO user = %+v", u)
	}
	es, _, _ := env.Store.ListAudit(context.Background(), store.AuditFilter{Action: "sign-in"})
	if len(es) != 1 || es[0].Actor != "jane.doe" || es[0].Detail != "single sign-on" {
		t.Errorf("audit: %+v", es)
	}

	// No mapped group: the provider vouches, Berth refuses.
	env.SignOut(t)
	r = signIn(&mockoidc.MockUser{Subject: "s-2", PreferredUsername: "outsider", Groups: []string{"staff"}})
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "no Berth role") {
		t.Errorf("unmapped = %d", r.StatusCode)
	}
	// A forged callback (wrong state) is refused.
	env.Get(t, "/auth/oidc/login")
	if r := env.Get(t, "/auth/oidc/callback?code=x&state=forged"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("forged state = %d", r.StatusCode)
	}
	// The provider may not take over a local account of the same name.
	env.NewUser(t, "admin", "")
	local := env.NewUser(t, "viewer", "")
	r = signIn(&mockoidc.MockUser{Subject: "s-3", PreferredUsername: local.Username, Groups: []string{"berth-admins"}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("takeover of a local account = %d", r.StatusCode)
	}
}

func TestTrustedProxyHeader(t *testing.T) {
	roles, _ := auth.ParseRoleMap("ops=admin,dev=editor")
	trusted, _ := auth.ParseProxies("127.0.0.1")
	env := webtest.NewWith(t, webtest.Options{NoSignIn: true, Auth: web.AuthOptions{
		ProxyUserHeader: "X-Forwarded-User", ProxyGroupsHeader: "X-Forwarded-Groups", TrustedProxies: trusted, ProxyRoles: roles}})
	get := func(e *webtest.Env, user, groups string) webtest.Response {
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/account", nil)
		req.Header.Set("Accept", "text/html")
		req.Header.Set("X-Forwarded-User", user)
		req.Header.Set("X-Forwarded-Groups", groups)
		return e.Do(t, req)
	}
	r := get(env, "Sam", "dev,other")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `id="account-username">sam<`) || !strings.Contains(r.Body, `id="account-role">editor<`) {
		t.Fatalf("proxied = %d\n%.600s", r.StatusCode, r.Body)
	}
	get(env, "sam", "dev") // same person: the session is reused
	if n, _ := env.Store.CountSessions(context.Background(), mustUser(t, env, "sam").ID); n != 1 {
		t.Errorf("%d sessions for one proxied person", n)
	}
	if r := get(env, "stranger", "visitors"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("unmapped proxied person = %d", r.StatusCode)
	}
	// From an address that is not a trusted proxy the header means nothing.
	tenNet, _ := auth.ParseProxies("10.0.0.0/8")
	env2 := webtest.NewWith(t, webtest.Options{NoSignIn: true, Auth: web.AuthOptions{ProxyUserHeader: "X-Forwarded-User", TrustedProxies: tenNet, ProxyRoles: roles}})
	if r := get(env2, "sam", "ops"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("header from an untrusted address = %d", r.StatusCode)
	}
}

func mustUser(t *testing.T, env *webtest.Env, name string) store.User {
	t.Helper()
	u, err := env.Store.UserByUsername(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestTwoReplicasShareUsersAndSessions runs two Berth servers on one
// database, as two replicas behind a load balancer: a sign-in on one works
// on the other, and signing out on either ends it on both.
func TestTwoReplicasShareUsersAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		open := e.OpenShared(t)
		keys := [][]byte{[]byte(strings.Repeat("k", 32)), []byte(strings.Repeat("e", 32))}
		a := webtest.NewWith(t, webtest.Options{Store: open(), SessionKeys: keys})
		b := webtest.NewWith(t, webtest.Options{Store: open(), SessionKeys: keys, NoSignIn: true})
		cookie := cookieOf(t, a)
		if !signedIn(getWith(t, b, cookie, "/account")) {
			t.Fatal("replica B does not know A's session")
		}
		if _, err := b.Store.UserByUsername(context.Background(), a.Admin.Username); err != nil {
			t.Errorf("replica B does not know A's user: %v", err)
		}
		b.Client.Jar = a.Client.Jar
		if r := b.PostForm(t, "/sign-out", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out on B = %d", r.StatusCode)
		}
		if signedIn(getWith(t, a, cookie, "/account")) {
			t.Error("replica A still accepts a session signed out on B")
		}
	})
}

// TestReplicasShareSignInLimits: the sign-in limits count in the shared
// database, so attempts spread over two replicas use one allowance.
func TestReplicasShareSignInLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		open := e.OpenShared(t)
		limits := web.AuthOptions{AccountAttempts: 3, AddressAttempts: 100}
		a := webtest.NewWith(t, webtest.Options{Store: open(), NoSignIn: true, Auth: limits})
		b := webtest.NewWith(t, webtest.Options{Store: open(), NoSignIn: true, Auth: limits})
		u := a.NewUser(t, "viewer", "")
		try := func(env *webtest.Env, pw string) int {
			return env.PostForm(t, "/sign-in", url.Values{"username": {u.Username}, "password": {pw}}).StatusCode
		}
		for i, env := range []*webtest.Env{a, b, a} {
			if c := try(env, "not the password"); c != http.StatusUnauthorized {
				t.Fatalf("attempt %d = %d", i+1, c)
			}
		}
		if c := try(b, webtest.Password); c != http.StatusTooManyRequests {
			t.Errorf("4th attempt, on the other replica = %d, want 429", c)
		}
	})
}

// A username typed at the sign-in page reaches the audit trail as typed;
// the CSV export must not hand it to a spreadsheet as a formula.
func TestAuditCSVCellsAreNotFormulas(t *testing.T) {
	env := webtest.New(t)
	env.Store.AppendAudit(context.Background(), store.AuditEntry{Actor: "=HYPERLINK(\"http://x\")", Action: "sign-in", Outcome: "failure", Detail: "-2+3"})
	c := env.Get(t, "/audit/export.csv?action=sign-in")
	rows, err := csv.NewReader(strings.NewReader(c.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q starts like a formula", cell)
			}
		}
		if row[2] == `'=HYPERLINK("http://x")` && row[8] != "'-2+3" {
			t.Errorf("detail = %q", row[8])
		}
	}
	if !strings.Contains(c.Body, `'=HYPERLINK`) {
		t.Errorf("the actor is missing or changed otherwise:\n%s", c.Body)
	}
}
