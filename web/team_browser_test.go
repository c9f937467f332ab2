package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/berthhq/berth/web/view"
	"github.com/berthhq/berth/web/webtest"
)

// TestBrowserRolesAndAuditTrail is issue 7's scenario: a viewer signs in
// through the sign-in page, sees a secret's metadata and no way to reveal
// its value, and signs out through the user menu; an editor signs in and
// reveals the value; an admin finds both (the viewer's sign-in and the
// editor's retrieval) in the audit trail and in the secret's history.
func TestBrowserRolesAndAuditTrail(t *testing.T) {
	env := webtest.New(t)
	viewer := env.NewUser(t, "viewer", "")
	editor := env.NewUser(t, "editor", "")
	const password = "browser-canary-7731"
	name := webtest.Name("team") + "/app"
	ref := newSecret(t, env, name, `{"username":"AWS","password":"`+password+`"}`)
	b := webtest.NewBrowser(t)
	run := func(a chromedp.Action[struct{}]) { t.Helper(); webtest.Run(t, b, a) }
	text := func(sel string) string { t.Helper(); return webtest.Run(t, b, chromedp.Text(chromedp.CSS(sel))) }
	exists := func(sel string) bool {
		t.Helper()
		return webtest.Run(t, b, chromedp.Evaluate[bool](`document.querySelector(`+strconv.Quote(sel)+`) !== null`))
	}

	// Signed out, every page leads to the sign-in form.
	run(chromedp.Navigate(env.URL + "/audit"))
	run(chromedp.WaitVisible(chromedp.ID("sign-in-form")))
	if vis := webtest.Run(t, b, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("nav.side")).display !== "none"`)); vis {
		t.Error("navigation shown to a signed-out person")
	}
	run(chromedp.SetValue(chromedp.ID("f-username"), viewer.Username))
	run(chromedp.SetValue(chromedp.ID("f-password"), viewer.Password))
	run(chromedp.Click(chromedp.ID("sign-in")))
	run(chromedp.WaitVisible(chromedp.ID("audit-filter")))
	if loc := webtest.Run(t, b, chromedp.Location()); !strings.HasSuffix(loc, "/audit") {
		t.Errorf("after sign-in: %s, want back at /audit", loc)
	}
	if role := text("#user-role"); role != "viewer" {
		t.Errorf("header role = %q", role)
	}
	links := webtest.Run(t, b, chromedp.Evaluate[string](`[...document.querySelectorAll("nav.side a")].map(a => a.getAttribute("href")).join(" ")`))
	if strings.Contains(links, "/users") || strings.Contains(links, "/settings") || !strings.Contains(links, "/audit") {
		t.Errorf("viewer's navigation: %s", links)
	}

	// The viewer opens the secret from the list: metadata, no value.
	run(chromedp.Navigate(env.URL + "/secrets?name=" + url.QueryEscape(name)))
	run(chromedp.Click(chromedp.CSS(`#secret-list a[href="` + view.SecretURL(name, "") + `"]`)))
	run(chromedp.WaitVisible(chromedp.ID("secret-arn")))
	if arn := text("#secret-arn"); arn != ref.ARN {
		t.Errorf("viewer sees ARN %q, want %q", arn, ref.ARN)
	}
	if versions := text("#secret-versions"); !strings.Contains(versions, "AWSCURRENT") {
		t.Errorf("viewer does not see the versions: %q", versions)
	}
	run(chromedp.WaitVisible(chromedp.ID("no-reveal")))
	for _, sel := range []string{"#retrieve-value", `form[action$="/reveal"]`, "#edit-secret", "#new-value", "#delete-secret"} {
		if exists(sel) {
			t.Errorf("a viewer is offered %s", sel)
		}
	}
	if body := text("main"); strings.Contains(body, password) {
		t.Fatal("the viewer's page shows the value")
	}
	// Sign out through the user menu.
	run(chromedp.Click(chromedp.CSS("#user-menu summary")))
	run(chromedp.Click(chromedp.ID("sign-out")))
	run(chromedp.WaitVisible(chromedp.ID("sign-in-form")))

	// The editor retrieves the value.
	env.SignInBrowser(t, b, editor)
	run(chromedp.Navigate(env.URL + view.SecretURL(name, "")))
	run(chromedp.WaitVisible(chromedp.ID("retrieve-value")))
	run(chromedp.Click(chromedp.ID("retrieve-value")))
	run(chromedp.WaitVisible(chromedp.ID("secret-kv")))
	run(chromedp.Click(chromedp.CSS(`button[data-secret-toggle="sv-1"]`)))
	if v := text("#sv-1"); v != password {
		t.Errorf("revealed value = %q", v)
	}

	// The admin finds both in the audit trail, and the retrieval on the
	// secret's own page.
	env.SignInBrowser(t, b, env.Admin)
	run(chromedp.Navigate(env.URL + "/audit?actor=" + viewer.Username + "&action=sign-in"))
	run(chromedp.WaitVisible(chromedp.ID("audit")))
	if table := text("#audit"); !strings.Contains(table, viewer.Username) || !strings.Contains(table, "sign-in") || !strings.Contains(table, "success") {
		t.Errorf("audit trail lacks the viewer's sign-in:\n%s", table)
	}
	run(chromedp.Navigate(env.URL + "/audit?actor=" + editor.Username + "&action=secret.get-value"))
	run(chromedp.WaitVisible(chromedp.ID("audit")))
	table := text("#audit")
	for _, want := range []string{editor.Username, "secret.get-value", ref.ARN, "success"} {
		if !strings.Contains(table, want) {
			t.Errorf("audit trail lacks %q in the editor's retrieval:\n%s", want, table)
		}
	}
	if strings.Contains(table, password) {
		t.Fatal("the audit trail shows the value")
	}
	run(chromedp.Navigate(env.URL + view.SecretURL(name, "")))
	run(chromedp.WaitVisible(chromedp.ID("secret-history")))
	if h := text("#secret-history"); !strings.Contains(h, "secret.get-value") || !strings.Contains(h, editor.Username) {
		t.Errorf("the secret's history lacks the retrieval:\n%s", h)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(p, "\n"))
	}
}
