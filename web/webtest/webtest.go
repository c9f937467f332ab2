// Package webtest runs Berth for handler and browser tests: one emulator and
// one Chromium per test binary, and a fresh Berth server (own store, own
// cookie jar) per test on top of them. Tests isolate themselves by using
// unique resource names (Name).
package webtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/cloud/cloudtest"
	"github.com/berthhq/berth/internal/emulator"
	"github.com/berthhq/berth/internal/emulator/awsmodel"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web"
)

var (
	emuOnce sync.Once
	emuURL  string
	emuDir  string
	emuErr  error

	// modelProblems collects what the shared emulator saw that AWS's
	// service models do not have (awsmodel): Main fails the package on any.
	modelMu       sync.Mutex
	modelProblems []string
)

// sharedEmulator starts the process-wide emulator on first use.
func sharedEmulator() (string, error) {
	emuOnce.Do(func() {
		emuDir, emuErr = os.MkdirTemp("", "berth-webtest-")
		if emuErr != nil {
			return
		}
		var emu *emulator.Emulator
		emu, emuErr = emulator.New(emulator.Options{DataDir: emuDir})
		if emuErr != nil {
			return
		}
		var h http.Handler = emu
		if !awsmodel.Benchmarking() {
			var err error
			h, err = awsmodel.Wrap(emu, func(problem string) {
				modelMu.Lock()
				defer modelMu.Unlock()
				modelProblems = append(modelProblems, problem)
			})
			if err != nil && os.Getenv("CI") == "true" {
				emuErr = err
				return
			}
		}
		emuURL = httptest.NewServer(h).URL
	})
	return emuURL, emuErr
}

// Main runs the tests of a package and removes the shared emulator's and
// browser's files afterwards. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	modelMu.Lock()
	if len(modelProblems) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: Berth's calls to the shared emulator:\n%s\n", strings.Join(modelProblems, "\n"))
		code = 1
	}
	modelMu.Unlock()
	closeBrowser()
	if emuDir != "" {
		os.RemoveAll(emuDir)
	}
	os.Exit(code)
}

// Env is one Berth server for one test.
type Env struct {
	URL string
	// EmulatorURL is the shared emulator, for checks with the AWS CLI or SDK.
	EmulatorURL string
	// DataDir is this server's data dir (its store).
	DataDir string
	Server  *web.Server
	Backend *cloud.Backend
	Store   *store.Store
	// Client keeps cookies and does not follow redirects, so tests see them.
	Client *http.Client
	// Logs holds everything the server logged.
	Logs *SyncBuffer
	// Admin is the account the client is signed in as after New (unless
	// Options.NoSignIn).
	Admin Account
}

// SyncBuffer is a bytes.Buffer safe for a logger and a test to share.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Options adjust the server a test gets.
type Options struct {
	Regions []string
	// NoSignIn leaves the client signed out (New signs in an admin).
	NoSignIn bool
	// Auth configures sign-in (read-only mode, timeouts, SSO, proxy).
	Auth web.AuthOptions
	// Store, when set, is used instead of a new SQLite store (two servers
	// on one store play two replicas); SessionKeys likewise.
	Store       *store.Store
	SessionKeys [][]byte
	// Endpoint, when set, points Berth at another AWS endpoint than the
	// shared emulator (an unreachable one, to test failures).
	Endpoint string
	// AssumeRoleARN makes Berth assume this role (of the shared emulator)
	// for each signed-in person, as --assume-role-arn does; ExternalID goes
	// with it.
	AssumeRoleARN, ExternalID string
	// AWSProfile, when set, runs Berth with the aws backend (real AWS, no
	// emulator) and this shared-config profile, as --profile does, on a
	// machine with no AWS setup (cloudtest.NoAWSSetup). Tests use it with a
	// missing profile.
	AWSProfile string
}

// New starts a Berth server in local mode on the shared emulator, with its
// client signed in as an admin (env.Admin). Use env.SignIn(t, "viewer") to
// act with another role, NewWith(t, Options{NoSignIn: true}) to start
// signed out.
func New(t testing.TB) *Env { return NewWith(t, Options{}) }

// NewWith is New with options.
func NewWith(t testing.TB, o Options) *Env {
	t.Helper()
	endpoint, err := sharedEmulator()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	st := o.Store
	if st == nil {
		st, err = store.OpenSQLite(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
	}
	if o.Endpoint != "" {
		endpoint = o.Endpoint
	}
	reg := prometheus.NewRegistry()
	opts := cloud.Options{Endpoint: endpoint, Region: "us-east-1", Observe: web.ObserveAWS(reg),
		AssumeRoleARN: o.AssumeRoleARN, ExternalID: o.ExternalID}
	if o.AWSProfile != "" {
		cloudtest.NoAWSSetup(t)
		opts.Endpoint, opts.Profile = "", o.AWSProfile
	}
	backend := cloud.New(ctx, opts)
	logs := &SyncBuffer{}
	keys := o.SessionKeys
	if keys == nil {
		keys = [][]byte{randomBytes(32), randomBytes(32)}
	}
	srv := web.New(web.Options{
		Backend: backend, Store: st, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		SessionKeys: keys, Regions: o.Regions, Metrics: reg, Auth: o.Auth,
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); st.Close() })
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	env := &Env{URL: ts.URL, EmulatorURL: endpoint, DataDir: dir, Server: srv, Backend: backend, Store: st, Client: client, Logs: logs}
	if !o.NoSignIn {
		env.Admin = env.SignIn(t, "admin")
	}
	return env
}

// Name returns a unique lowercase resource name with the given prefix, so
// tests sharing the emulator never collide.
func Name(prefix string) string { return prefix + "-" + hex.EncodeToString(randomBytes(4)) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// Response is a fetched page.
type Response struct {
	*http.Response
	Body string
}

// Get fetches a path as a browser would (Accept: text/html).
func (e *Env) Get(t testing.TB, path string) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	return e.Do(t, req)
}

// PostForm submits a form as a browser on Berth's own origin would.
func (e *Env) PostForm(t testing.TB, path string, form url.Values) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", e.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return e.Do(t, req)
}

// Do sends a request with the test's cookie jar and reads the whole body.
func (e *Env) Do(t testing.TB, req *http.Request) Response {
	t.Helper()
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Response: resp, Body: string(b)}
}

// Follow fetches the Location of a redirect response.
func (e *Env) Follow(t testing.TB, r Response) Response {
	t.Helper()
	loc := r.Header.Get("Location")
	if loc == "" {
		t.Fatalf("no redirect: status %d\n%s", r.StatusCode, r.Body)
	}
	return e.Get(t, loc)
}

// AWSCalls sums berth_aws_calls_total over every operation, from /metrics:
// benchmarks divide its growth by the pages they rendered.
func (e *Env) AWSCalls(t testing.TB) float64 {
	t.Helper()
	total := 0.0
	for _, line := range strings.Split(e.Get(t, "/metrics").Body, "\n") {
		if !strings.HasPrefix(line, "berth_aws_calls_total{") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		total += v
	}
	return total
}
