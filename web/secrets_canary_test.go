package web_test

import (
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthhq/berth/web/view"
	"github.com/berthhq/berth/web/webtest"
)

// TestSecretValueCanary stores a secret whose value is a random marker,
// walks every secrets page and the reveal, and then looks for the marker
// everywhere Berth writes: no log line, no file under the data dir (the
// shared emulator, which plays Secrets Manager, keeps its store elsewhere),
// no URL or cookie, and no page but the reveal response.
func TestSecretValueCanary(t *testing.T) {
	env := webtest.New(t)
	b := make([]byte, 16)
	rand.Read(b)
	marker := "canary" + hex.EncodeToString(b)
	name := webtest.Name("canary") + "/RegistryCredentials"

	var pages []webtest.Response
	var revealed []webtest.Response
	get := func(path string) webtest.Response {
		r := env.Get(t, path)
		pages = append(pages, r)
		return r
	}
	post := func(path string, v url.Values) webtest.Response {
		r := env.PostForm(t, path, v)
		pages = append(pages, r)
		return r
	}

	// The wizard, as a person would go through it, with a detour back.
	get("/secrets")
	get("/secrets/new?preset=registry")
	wantRedirect(t, post("/secrets/new", url.Values{"preset": {"registry"}, "mode": {"kv"}, "action": {"next"},
		"kv.0.key": {"username"}, "kv.0.value": {"AWS"}, "kv.1.key": {"password"}, "kv.1.value": {marker}}), "/secrets/new/configure")
	get("/secrets/new/configure")
	post("/secrets/new/configure", url.Values{"name": {"bad name!"}, "action": {"next"}}) // a 422 on step 2
	wantRedirect(t, post("/secrets/new/configure", url.Values{"name": {name}, "description": {"canary"}, "tags.0.key": {"kind"}, "tags.0.value": {"canary"}, "action": {"next"}}), "/secrets/new/rotation")
	get("/secrets/new/rotation")
	post("/secrets/new/rotation", url.Values{"rotation": {"true"}, "action": {"next"}}) // a 422 on step 3
	wantRedirect(t, post("/secrets/new/rotation", url.Values{"action": {"next"}}), "/secrets/new/review")
	get("/secrets/new/review")
	stored := post("/secrets/new/review", url.Values{"action": {"next"}})
	wantRedirect(t, stored, view.SecretURL(name, ""))
	post("/secrets/new/review", url.Values{"action": {"next"}}) // double submit
	get("/secrets/new")                                         // a fresh wizard: the old value is gone
	get("/secrets/new/review")

	// Every page of the secret.
	secretPath := view.SecretURL(name, "")
	get("/")
	get("/secrets")
	get("/secrets?name=" + url.QueryEscape(name))
	get("/secrets?tag_key=kind&tag_value=canary")
	get(secretPath)
	get(secretPath + "?key=password")
	get(view.SecretURL(name, "/edit"))
	wantRedirect(t, post(view.SecretURL(name, "/edit"), url.Values{"description": {"canary 2"}, "tags.0.key": {"kind"}, "tags.0.value": {"canary"}, "action": {"save"}}), secretPath)
	get(view.SecretURL(name, "/new-value"))
	post(view.SecretURL(name, "/new-value"), url.Values{"mode": {"plaintext"}, "plaintext": {""}, "action": {"save"}}) // a 422
	get(view.SecretURL(name, "/delete"))
	post(view.SecretURL(name, "/delete"), url.Values{"force": {"true"}}) // a 422: no confirmation

	r := env.PostForm(t, view.SecretURL(name, "/reveal"), nil)
	wantStatus(t, r, http.StatusOK)
	revealed = append(revealed, r)
	get(secretPath)
	wantRedirect(t, post(view.SecretURL(name, "/delete"), url.Values{"days": {"7"}}), secretPath)
	get(secretPath)
	get("/secrets?deleted=true&name=" + url.QueryEscape(name))
	post(view.SecretURL(name, "/reveal"), nil) // scheduled for deletion: explained, no value
	wantRedirect(t, post(view.SecretURL(name, "/restore"), nil), secretPath)
	get(secretPath)
	get("/metrics")

	// The reveal response, and only it, carries the value.
	if !strings.Contains(revealed[0].Body, marker) {
		t.Fatal("the reveal response does not show the value: the canary cannot be trusted")
	}
	for _, p := range pages {
		where := p.Request.Method + " " + p.Request.URL.String()
		if strings.Contains(p.Body, marker) {
			t.Errorf("%s: the page shows the value", where)
		}
		for k, vs := range p.Header {
			for _, v := range vs {
				if strings.Contains(v, marker) {
					t.Errorf("%s: header %s carries the value", where, k)
				}
			}
		}
		if strings.Contains(p.Request.URL.String(), marker) {
			t.Errorf("%s: the URL carries the value", where)
		}
	}
	u, _ := url.Parse(env.URL)
	for _, c := range env.Client.Jar.Cookies(u) {
		if strings.Contains(c.Value, marker) {
			t.Errorf("cookie %s carries the value", c.Name)
		}
	}
	if logs := env.Logs.String(); strings.Contains(logs, marker) {
		t.Errorf("the value is in the log:\n%s", logs)
	} else if !strings.Contains(logs, "secret value retrieved") {
		t.Error("the retrieval was not logged")
	}
	files := 0
	err := filepath.WalkDir(env.DataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), marker) {
			t.Errorf("%s holds the value", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no file under the data dir: the walk checked nothing")
	}
}
