package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berthhq/berth/internal/cloud/cloudtest"
	"github.com/berthhq/berth/web/webtest"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// -h and --help print the commands and succeed; a command's -h prints its
// flags and is not an error either.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, env(nil), &out, io.Discard); err != nil || !strings.Contains(out.String(), "Usage: berth [command]") {
			t.Errorf("%v: %v %q", args, err, out.String())
		}
	}
	for _, cmd := range []string{"serve", "emulator", "healthcheck"} {
		var errOut bytes.Buffer
		err := run(context.Background(), []string{cmd, "-h"}, env(nil), io.Discard, &errOut)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "-data-dir") && cmd != "healthcheck" {
			t.Errorf("%s -h: %v\n%s", cmd, err, errOut.String())
		}
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(nil), &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "berth ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, env(nil), io.Discard, io.Discard); err == nil {
		t.Error("unknown command accepted")
	}
	if err := run(context.Background(), []string{"serve", "--backend", "azure"}, env(nil), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "--backend") {
		t.Errorf("bad backend: %v", err)
	}
}

// TestServeLocalModeEndToEnd runs `berth serve` as main would: local backend,
// emulator on its own port, health check, then a graceful shutdown.
func TestServeLocalModeEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	srv := startServe(t, []string{"--addr", "127.0.0.1:0", "--emulator-addr", "127.0.0.1:0"},
		env(map[string]string{"BERTH_DATA_DIR": dir}))
	base := srv.Base
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "nothing touches AWS") {
		t.Errorf("GET / = %d", resp.StatusCode)
	}
	addr := strings.TrimPrefix(base, "http://")
	if err := run(context.Background(), []string{"healthcheck", "--addr", addr}, env(nil), io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck: %v", err)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode = %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "session.keys")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("session.keys: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("serve after shutdown: %v", err)
	}
	if err := run(context.Background(), []string{"healthcheck", "--addr", addr}, env(nil), io.Discard, io.Discard); err == nil {
		t.Error("healthcheck passed with Berth stopped")
	}
}

func TestSessionKeys(t *testing.T) {
	dir := t.TempDir()
	a, err := sessionKeys("", dir)
	if err != nil || len(a) != 2 {
		t.Fatalf("generated keys: %v %d", err, len(a))
	}
	b, err := sessionKeys("", dir)
	if err != nil || !bytes.Equal(a[0], b[0]) || !bytes.Equal(a[1], b[1]) {
		t.Fatal("keys not kept in the data dir")
	}
	if _, err := sessionKeys("abcd", dir); err == nil {
		t.Error("short key accepted")
	}
	if _, err := sessionKeys(strings.Repeat("ab", 32), dir); err == nil {
		t.Error("lone key accepted")
	}
	if k, err := sessionKeys(strings.Repeat("ab", 32)+","+strings.Repeat("cd", 32), dir); err != nil || len(k) != 2 {
		t.Errorf("configured pair: %v", err)
	}
}

// served is a `berth serve` started by a test.
type served struct {
	Base           string // http://host:port
	Stdout, Stderr *webtest.SyncBuffer
	// Stop shuts it down gracefully and says how that went; the test's end
	// stops it too.
	Stop func() error
}

// startServe runs `berth serve` with args until it says where it listens.
func startServe(t *testing.T, args []string, getenv func(string) string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &webtest.SyncBuffer{}, &webtest.SyncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), getenv, stdout, stderr) }()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = errors.New("serve did not shut down")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve after shutdown: %v", err)
		}
	})
	re := regexp.MustCompile(`running at (http://[0-9.:]+)`)
	// Generous: a loaded machine may take seconds to open the store.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			return &served{Base: m[1], Stdout: stdout, Stderr: stderr, Stop: stop}
		}
		select {
		case err := <-done:
			done <- err // for the clean-up's stop, which would wait for it
			t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
		case <-time.After(25 * time.Millisecond):
		}
	}
	t.Fatalf("server did not start: %s\n%s", stdout.String(), stderr.String())
	return nil
}

// waitFor waits up to 10 s for serve's standard output to match re and
// returns the match, failing the test without one.
func (s *served) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if m := re.FindStringSubmatch(s.Stdout.String()); m != nil {
			return m
		}
	}
	t.Fatalf("serve never printed %s:\n%s\n%s", re, s.Stdout.String(), s.Stderr.String())
	return nil
}

// TestServeWithAMissingProfileStartsAndExplains: a profile that does not
// exist must not stop Berth; /readyz says what is wrong and how to fix it.
func TestServeWithAMissingProfileStartsAndExplains(t *testing.T) {
	cloudtest.NoAWSSetup(t)
	base := startServe(t, []string{"--backend", "aws", "--profile", "nope", "--addr", "127.0.0.1:0"},
		env(map[string]string{"BERTH_DATA_DIR": filepath.Join(t.TempDir(), "data")})).Base
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `profile "nope"`) ||
		!strings.Contains(string(body), "aws configure --profile nope") {
		t.Errorf("/readyz = %d %q", resp.StatusCode, body)
	}
}

// TestServeTakesTheProfilesRegion: without --region the aws backend works in
// the profile's region, which the header shows and the switcher offers.
func TestServeTakesTheProfilesRegion(t *testing.T) {
	cloudtest.NoAWSSetup(t)
	if err := os.WriteFile(os.Getenv("AWS_CONFIG_FILE"), []byte("[profile team]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, []string{"--backend", "aws", "--addr", "127.0.0.1:0", "--regions", "us-west-2"},
		env(map[string]string{"BERTH_DATA_DIR": filepath.Join(t.TempDir(), "data"), "AWS_PROFILE": "team"}))
	setup := srv.waitFor(t, regexp.MustCompile(`http://\S+/setup/\S+`))[0] // printed just after "running at"
	resp, err := http.Get(setup)                                           // a page with the header, before anyone signs in
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `<option value="eu-west-1" selected>`) || !strings.Contains(string(body), `<option value="us-west-2">`) {
		t.Errorf("the header does not offer the profile's region, selected, beside --regions:\n%s", body)
	}
}
