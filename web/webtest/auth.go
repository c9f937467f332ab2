package webtest

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/berthhq/berth/internal/auth"
	"github.com/berthhq/berth/internal/store"
)

// Password is every test account's password.
const Password = "webtest-correct-horse"

var (
	hashOnce sync.Once
	hash     string
)

// passwordHash hashes Password once per test binary: argon2id is slow on
// purpose, and tests create many accounts.
func passwordHash(t testing.TB) string {
	hashOnce.Do(func() {
		var err error
		hash, err = auth.HashPassword(Password)
		if err != nil {
			panic(err)
		}
	})
	return hash
}

// Account is a test user.
type Account struct {
	Username, Password, Role string
}

// NewUser adds a local account with a role ("viewer", "editor", "admin")
// and an optional scope, without signing in.
func (e *Env) NewUser(t testing.TB, role, scope string) Account {
	t.Helper()
	name := Name(role)
	if _, err := e.Store.CreateUser(context.Background(), store.User{Username: name, Role: role, Scope: scope, PasswordHash: passwordHash(t)}); err != nil {
		t.Fatal(err)
	}
	return Account{Username: name, Password: Password, Role: role}
}

// SignIn adds a user with a role and signs the env's client in as them,
// replacing the previous sign-in.
func (e *Env) SignIn(t testing.TB, role string) Account {
	t.Helper()
	a := e.NewUser(t, role, "")
	e.SignInAs(t, a)
	return a
}

// SignInAs signs the env's client in through the sign-in form.
func (e *Env) SignInAs(t testing.TB, a Account) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	e.Client.Jar = jar
	r := e.PostForm(t, "/sign-in", url.Values{"username": {a.Username}, "password": {a.Password}, "next": {"/"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d\n%s", a.Username, r.StatusCode, r.Body)
	}
}

// SignOut forgets the client's cookies (the server-side session stays).
func (e *Env) SignOut(t testing.TB) {
	jar, _ := cookiejar.New(nil)
	e.Client.Jar = jar
}

// SignInBrowser signs a browser tab in through the sign-in page, as a
// person would. Browser tests start with it.
func (e *Env) SignInBrowser(t testing.TB, b *Browser, a Account) {
	t.Helper()
	Run(t, b, chromedp.Navigate(e.URL+"/sign-in"))
	if !strings.Contains(Run(t, b, chromedp.Location()), "/sign-in") {
		// Signed in already (as someone): sign out first, as a person would.
		Run(t, b, chromedp.Evaluate[bool](`document.getElementById("sign-out").form.submit(), true`))
		Run(t, b, chromedp.WaitVisible(chromedp.ID("sign-in-form")))
	}
	Run(t, b, chromedp.SetValue(chromedp.ID("f-username"), a.Username))
	Run(t, b, chromedp.SetValue(chromedp.ID("f-password"), a.Password))
	Run(t, b, chromedp.Click(chromedp.ID("sign-in")))
	Run(t, b, chromedp.WaitVisible(chromedp.ID("user-menu")))
}
