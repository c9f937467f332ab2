package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/berthhq/berth/web/webtest"
)

// TestBrowserNavigation loads the overview in Chromium and follows every
// link of the left navigation, as a person would, watching the console for
// errors and Content-Security-Policy violations.
func TestBrowserNavigation(t *testing.T) {
	env := webtest.New(t)
	b := webtest.NewBrowser(t)
	env.SignInBrowser(t, b, env.Admin)
	webtest.Run(t, b, chromedp.Navigate(env.URL+"/"))
	if h := webtest.Run(t, b, chromedp.Text(chromedp.CSS("h1"))); h != "Overview" {
		t.Fatalf("h1 = %q", h)
	}
	links := []struct{ label, path string }{
		{"Repositories", "/repositories"},
		{"Secrets", "/secrets"},
		{"Task definitions", "/task-definitions"},
		{"Overview", "/"},
	}
	for _, l := range links {
		sel := `nav.side a[href="` + l.path + `"]`
		webtest.Run(t, b, chromedp.Click(chromedp.CSS(sel)))
		webtest.Run(t, b, chromedp.WaitVisible(chromedp.CSS(sel+`[aria-current="page"]`)))
		loc := webtest.Run(t, b, chromedp.Location())
		if !strings.HasSuffix(loc, l.path) {
			t.Errorf("after clicking %s: location %s", l.label, loc)
		}
	}
	// The stylesheet applied (no CSP block): the header is dark.
	bg := webtest.Run(t, b, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("header.top")).backgroundColor`))
	if bg != "rgb(22, 25, 31)" {
		t.Errorf("header background = %q: stylesheet not applied", bg)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(p, "\n"))
	}
}
