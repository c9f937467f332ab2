package webtest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel context.CancelFunc
	browserDir    string
)

// chromiumPath finds Debian's chromium (what .ci/run installs).
func chromiumPath(t testing.TB) string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatal("browser tests need Debian's chromium: apt-get install chromium (.ci/run does)")
	return ""
}

func closeBrowser() {
	if browserCancel != nil {
		browserCancel()
	}
	if browserDir != "" {
		os.RemoveAll(browserDir)
	}
}

// Browser is one tab of the test binary's shared headless Chromium. It
// records what the page writes to the console; Problems lists the errors.
type Browser struct {
	Ctx     context.Context
	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// NewBrowser opens a new tab, closed when the test ends.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	browserOnce.Do(func() {
		browserDir, _ = os.MkdirTemp("", "berth-chromium-")
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromiumPath(t)),
			chromedp.NoSandbox,
			chromedp.Headless,
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.UserDataDir(browserDir),
			chromedp.WindowSize(1280, 900),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(allocCtx)
		// Start the browser now, on a context without a deadline (see chromedp.Run).
		if err := chromedp.Do(ctx); err != nil {
			cancel()
			cancelAlloc()
			t.Fatalf("start chromium: %v", err)
		}
		browserCtx = ctx
		browserCancel = func() { cancel(); cancelAlloc() }
	})
	if browserCtx == nil {
		t.Fatal("chromium did not start")
	}
	tab, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	b := &Browser{Ctx: tab}
	msgs := chromedp.Console(tab)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	return b
}

// Problems returns the console errors, exceptions and browser-log errors
// (a CSP violation is one) seen so far.
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, m := range b.console {
		if m.Type == chromedp.ConsoleError || m.IsException() || strings.Contains(strings.ToLower(m.Text), "content security policy") {
			out = append(out, m.String())
		}
	}
	return out
}

// actionTimeout bounds one browser action, so a missing element fails the
// test with a message instead of hanging the test binary.
const actionTimeout = 30 * time.Second

// Run runs one chromedp action in the tab, failing the test on error.
func Run[T any](t testing.TB, b *Browser, a chromedp.Action[T]) T {
	t.Helper()
	// The tab has run once (NewBrowser), so a deadline here ends only this action.
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
