package registry_test

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
	"testing"
	"time"

	"github.com/berthhq/berth/internal/emulator/emutest"
)

var (
	buildOnce sync.Once
	binDir    string
	binErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// berthBinary builds cmd/berth once per test binary.
func berthBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil || strings.TrimSpace(string(gomod)) == "" {
			binErr = fmt.Errorf("go env GOMOD: %v", err)
			return
		}
		if binDir, binErr = os.MkdirTemp("", "berth-registry-"); binErr != nil {
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

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// berthProc is a running `berth emulator`.
type berthProc struct {
	cmd    *exec.Cmd
	env    *emutest.Env
	stderr *bytes.Buffer
	done   chan error
	once   sync.Once
}

// startBerth runs `berth emulator` on addr and dataDir and waits until it answers.
func startBerth(t testing.TB, addr, dataDir string) *berthProc {
	t.Helper()
	url := "http://" + addr
	p := &berthProc{stderr: &bytes.Buffer{}, done: make(chan error, 1),
		env: &emutest.Env{URL: url, DataDir: dataDir, Config: emutest.Config(url, "us-east-1")}}
	p.cmd = exec.Command(berthBinary(t), "emulator", "--emulator-addr", addr, "--data-dir", dataDir)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(url + "/v2/")
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

// kill sends SIGKILL and waits for the process to be gone.
func (p *berthProc) kill() {
	p.once.Do(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
}
