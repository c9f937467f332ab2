package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/web/webtest"
)

// TestBrowserCreateRepository does what a person does: opens "Create
// repository", types an invalid name and sees why with the input kept,
// fixes it, picks Immutable and Scan on push, creates the repository, lands
// on its page and opens the push commands. Then the AWS CLI confirms the
// repository exists with those settings.
func TestBrowserCreateRepository(t *testing.T) {
	env := webtest.New(t)
	b := webtest.NewBrowser(t)
	env.SignInBrowser(t, b, env.Admin)
	webtest.Run(t, b, chromedp.Navigate(env.URL+"/repositories"))
	webtest.Run(t, b, chromedp.Click(chromedp.CSS(`.pagehead a[href="/repositories/new"]`)))
	webtest.Run(t, b, chromedp.WaitVisible(chromedp.ID("f-name")))
	if h := webtest.Run(t, b, chromedp.Text(chromedp.CSS("h1"))); h != "Create repository" {
		t.Fatalf("h1 = %q", h)
	}
	// Parts that do not apply to the defaults are folded away by the script.
	hidden := webtest.Run(t, b, chromedp.Evaluate[bool](`document.getElementById("f-exclusions").classList.contains("ecr-hidden") &&
		document.querySelector(".kms-key").classList.contains("ecr-hidden")`))
	if !hidden {
		t.Error("exclusion filters or KMS key shown for Mutable / AES-256")
	}

	webtest.Run(t, b, chromedp.SendKeys(chromedp.ID("f-name"), "My App"))
	webtest.Run(t, b, chromedp.Click(chromedp.ID("create-repository")))
	webtest.Run(t, b, chromedp.WaitVisible(chromedp.ID("error-summary")))
	msg := webtest.Run(t, b, chromedp.Text(chromedp.ID("f-name-error")))
	if !strings.Contains(msg, "Use lowercase letters only") || !strings.Contains(msg, "Remove spaces") {
		t.Errorf("name message = %q", msg)
	}
	if v := webtest.Run(t, b, chromedp.Value(chromedp.ID("f-name"))); v != "My App" {
		t.Errorf("typed name not kept: %q", v)
	}
	if d := webtest.Run(t, b, chromedp.AttributeValue(chromedp.ID("f-name"), "aria-describedby")); !strings.Contains(d.Value, "f-name-error") {
		t.Errorf("aria-describedby = %q", d.Value)
	}

	name := webtest.Name("browser") + "/web-app"
	webtest.Run(t, b, chromedp.Clear(chromedp.ID("f-name")))
	webtest.Run(t, b, chromedp.SendKeys(chromedp.ID("f-name"), name))
	webtest.Run(t, b, chromedp.Click(chromedp.CSS(`input[name="tagMutability"][value="IMMUTABLE"]`)))
	webtest.Run(t, b, chromedp.Click(chromedp.ID("f-scanOnPush")))
	webtest.Run(t, b, chromedp.Click(chromedp.ID("create-repository")))

	webtest.Run(t, b, chromedp.WaitVisible(chromedp.ID("view-push-commands")))
	if h := webtest.Run(t, b, chromedp.Text(chromedp.CSS("h1"))); h != name {
		t.Errorf("landed on %q", h)
	}
	if loc := webtest.Run(t, b, chromedp.Location()); !strings.HasSuffix(loc, "/repositories/"+name) {
		t.Errorf("location %s", loc)
	}
	if f := webtest.Run(t, b, chromedp.Text(chromedp.CSS(".flash.success"))); f != "Repository "+name+" created." {
		t.Errorf("flash = %q", f)
	}
	webtest.Run(t, b, chromedp.Click(chromedp.ID("view-push-commands")))
	webtest.Run(t, b, chromedp.WaitVisible(chromedp.CSS("ol.commands")))
	cmds := webtest.Run(t, b, chromedp.Text(chromedp.CSS("ol.commands")))
	for _, want := range []string{
		"aws ecr get-login-password --region us-east-1 --endpoint-url " + env.EmulatorURL,
		"docker push " + strings.TrimPrefix(env.EmulatorURL, "http://") + "/" + name + ":latest",
	} {
		if !strings.Contains(cmds, want) {
			t.Errorf("push commands lack %q:\n%s", want, cmds)
		}
	}
	if note := webtest.Run(t, b, chromedp.Text(chromedp.ID("push-local-note"))); !strings.Contains(note, strings.TrimPrefix(env.EmulatorURL, "http://")) {
		t.Errorf("local note = %q", note)
	}
	// The refused form is answered with 422 by design; Chromium logs every
	// 4xx document as a console error. Anything else is a real problem.
	var problems []string
	for _, p := range b.Problems() {
		if !strings.Contains(p, "status of 422") {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(problems, "\n"))
	}

	var out struct {
		Repositories []struct {
			RepositoryName             string
			ImageTagMutability         string
			ImageScanningConfiguration struct{ ScanOnPush bool }
			EncryptionConfiguration    struct{ EncryptionType string }
		}
	}
	clitest.New(t, env.EmulatorURL).MustRun(t, "ecr", "describe-repositories", "--repository-names", name).JSON(t, &out)
	if len(out.Repositories) != 1 {
		t.Fatalf("CLI sees %d repositories", len(out.Repositories))
	}
	got := out.Repositories[0]
	if got.RepositoryName != name || got.ImageTagMutability != "IMMUTABLE" || !got.ImageScanningConfiguration.ScanOnPush || got.EncryptionConfiguration.EncryptionType != "AES256" {
		t.Errorf("CLI sees %+v", got)
	}
}
