package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/web/webtest"
)

// browserSecretRegion keeps the browser test's production/RegistryCredentials
// apart from every other test sharing the emulator: it is the only test in
// this region.
const browserSecretRegion = "ap-southeast-4"

// TestBrowserStoreRegistryCredentials stores production/RegistryCredentials
// with username AWS through the four steps as a person would (region
// switcher, secret type, Generate password, name, review, Store), reveals
// it, and checks with the AWS CLI that Secrets Manager holds the value.
func TestBrowserStoreRegistryCredentials(t *testing.T) {
	const name = "production/RegistryCredentials"
	env := webtest.NewWith(t, webtest.Options{Regions: []string{"us-east-1", browserSecretRegion}})
	sm := env.Backend.In(browserSecretRegion)
	forget := func() { sm.DeleteSecret(context.Background(), name, 0, true) }
	forget()
	t.Cleanup(forget)

	b := webtest.NewBrowser(t)
	env.SignInBrowser(t, b, env.Admin)
	run := func(a chromedp.Action[struct{}]) { t.Helper(); webtest.Run(t, b, a) }
	text := func(sel string) string { t.Helper(); return webtest.Run(t, b, chromedp.Text(chromedp.CSS(sel))) }

	run(chromedp.Navigate(env.URL + "/"))
	// Switch region with the header's select (berth.js submits it on change).
	webtest.Run(t, b, chromedp.Evaluate[bool](`(function(){var s=document.getElementById("region-select");s.value="`+browserSecretRegion+`";s.dispatchEvent(new Event("change",{bubbles:true}));return true})()`))
	run(chromedp.WaitReady(chromedp.CSS(`#region-select option[value="` + browserSecretRegion + `"][selected]`)))
	run(chromedp.Click(chromedp.CSS(`nav.side a[href="/secrets"]`)))
	run(chromedp.WaitVisible(chromedp.CSS("#store-new-secret")))
	run(chromedp.Click(chromedp.CSS("#store-new-secret")))

	// Step 1: Private registry credentials adds the username/password rows.
	run(chromedp.WaitVisible(chromedp.CSS("#secret-type-form")))
	run(chromedp.Click(chromedp.CSS(`input[name="preset"][value="registry"]`)))
	run(chromedp.WaitVisible(chromedp.CSS("#registry-note")))
	if k := webtest.Run(t, b, chromedp.Value(chromedp.CSS("#f-kv-0-key"))); k != "username" {
		t.Fatalf("first key = %q", k)
	}
	run(chromedp.SendKeys(chromedp.CSS("#f-kv-0-value"), "AWS"))
	run(chromedp.Click(chromedp.CSS("#generate-1")))
	run(chromedp.WaitVisible(chromedp.CSS(`#f-kv-1-value:not([value=""])`)))
	password := webtest.Run(t, b, chromedp.Value(chromedp.CSS("#f-kv-1-value")))
	if len(password) != 32 {
		t.Fatalf("generated password %q", password)
	}
	if u := webtest.Run(t, b, chromedp.Value(chromedp.CSS("#f-kv-0-value"))); u != "AWS" {
		t.Fatalf("username lost on Generate password: %q", u)
	}
	run(chromedp.Click(chromedp.CSS("#wizard-next")))

	// Step 2.
	run(chromedp.WaitVisible(chromedp.CSS("#secret-configure-form")))
	run(chromedp.SendKeys(chromedp.CSS("#f-name"), name))
	run(chromedp.SendKeys(chromedp.CSS("#f-description"), "Registry credentials for the web service"))
	run(chromedp.Click(chromedp.CSS("#wizard-next")))
	// Step 3: rotation stays off.
	run(chromedp.WaitVisible(chromedp.CSS("#secret-rotation-form")))
	run(chromedp.Click(chromedp.CSS("#wizard-next")))
	// Step 4: everything chosen, values masked.
	run(chromedp.WaitVisible(chromedp.CSS("#secret-review-form")))
	if got := text("#review-name"); got != name {
		t.Fatalf("review name = %q", got)
	}
	if body := text("main"); strings.Contains(body, password) || !strings.Contains(body, "••••••••") {
		t.Fatal("review does not mask the value")
	}
	run(chromedp.Click(chromedp.CSS("#wizard-next")))

	// The secret's page, then Retrieve secret value.
	run(chromedp.WaitVisible(chromedp.CSS("#secret-arn")))
	arn := text("#secret-arn")
	if !strings.HasPrefix(arn, "arn:aws:secretsmanager:"+browserSecretRegion+":000000000000:secret:"+name+"-") {
		t.Fatalf("ARN = %q", arn)
	}
	run(chromedp.Click(chromedp.CSS("#retrieve-value")))
	run(chromedp.WaitVisible(chromedp.CSS("#secret-kv")))
	if v := text("#sv-1"); v == password || !strings.HasPrefix(v, "•") {
		t.Fatalf("value not masked on arrival: %q", v)
	}
	run(chromedp.Click(chromedp.CSS(`button[data-secret-toggle="sv-1"]`)))
	if v := text("#sv-1"); v != password {
		t.Fatalf("shown value = %q", v)
	}
	if v := text("#sv-0"); v == "AWS" {
		t.Fatal("showing one value showed another")
	}
	run(chromedp.Click(chromedp.CSS(`button[data-secret-toggle="sv-1"]`)))
	if v := text("#sv-1"); v == password {
		t.Fatal("Hide did not mask the value")
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(p, "\n"))
	}

	// The AWS CLI sees the same secret.
	cli := clitest.New(t, env.EmulatorURL)
	cli.Region = browserSecretRegion
	var out struct{ ARN, Name, SecretString string }
	cli.MustRun(t, "secretsmanager", "get-secret-value", "--secret-id", name).JSON(t, &out)
	var creds struct{ Username, Password string }
	if err := json.Unmarshal([]byte(out.SecretString), &creds); err != nil {
		t.Fatal(err)
	}
	if out.ARN != arn || creds.Username != "AWS" || creds.Password != password {
		t.Errorf("CLI sees %s %+v, want %s AWS/%s", out.ARN, creds, arn, password)
	}
}
