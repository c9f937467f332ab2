package emutest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binDir    string
	binErr    error
)

// Main runs a package's tests and removes the berth binary built for them.
// Call it from TestMain in packages that use StartBinary.
func Main(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// Binary builds cmd/berth once per test binary and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil || strings.TrimSpace(string(gomod)) == "" {
			binErr = fmt.Errorf("go env GOMOD: %v", err)
			return
		}
		if binDir, binErr = os.MkdirTemp("", "berth-bin-"); binErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, "berth"), "./cmd/berth")
		cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/berth: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "berth")
}

// FreeAddr returns a loopback address with a port nobody listens on now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Process is a running `berth emulator` — the real binary, for restart,
// SIGKILL and conformance tests.
type Process struct {
	// Env points SDK clients and the AWS CLI at the process.
	Env    *Env
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan error
	once   sync.Once
	exit   error
}

// StartBinary runs `berth emulator` on addr and dataDir and waits until it
// answers. The process is killed when the test ends, if still running.
func StartBinary(t testing.TB, addr, dataDir string) *Process {
	t.Helper()
	url := "http://" + addr
	p := &Process{stderr: &bytes.Buffer{}, done: make(chan error, 1),
		Env: &Env{URL: url, DataDir: dataDir, Config: Config(url, "us-east-1")}}
	p.cmd = exec.Command(Binary(t), "emulator", "--addr", addr, "--data-dir", dataDir)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.Stop(t, syscall.SIGKILL) })
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(url + "/")
		if err == nil {
			resp.Body.Close()
			return p
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("berth emulator exited before answering: %v\n%s", err, p.stderr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("berth emulator did not answer on %s\n%s", addr, p.stderr)
		}
	}
}

// Stop sends sig and waits for the process to end; after SIGTERM it must
// exit cleanly. Stopping a stopped process does nothing.
func (p *Process) Stop(t testing.TB, sig syscall.Signal) {
	t.Helper()
	p.once.Do(func() {
		p.cmd.Process.Signal(sig)
		select {
		case p.exit = <-p.done:
		case <-time.After(30 * time.Second):
			t.Fatalf("berth emulator did not stop on %v\n%s", sig, p.stderr)
		}
		if sig == syscall.SIGTERM && p.exit != nil {
			t.Fatalf("berth emulator after SIGTERM: %v\n%s", p.exit, p.stderr)
		}
	})
}
