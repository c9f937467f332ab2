package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/store"
)

func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	e := env(map[string]string{"BERTH_DATA_DIR": dir})
	runUser := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := userCommand(ctx, args, e, strings.NewReader(stdin), &out, io.Discard)
		return out.String(), err
	}
	if _, err := runUser("short\n", "add", "--username", "alice", "--role", "admin", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "12 characters") {
		t.Errorf("weak password: %v", err)
	}
	if _, err := runUser("a long cli password\n", "add", "--username", "alice", "--role", "owner", "--password-stdin"); err == nil {
		t.Error("unknown role accepted")
	}
	if _, err := runUser("", "add", "--username", "alice", "--role", "admin"); err == nil || !strings.Contains(err.Error(), "--password-stdin") {
		t.Errorf("password on the command line: %v", err)
	}
	if out, err := runUser("a long cli password\n", "add", "--username", "Alice", "--role", "admin", "--password-stdin"); err != nil || !strings.Contains(out, "added alice (admin)") {
		t.Fatalf("add: %q %v", out, err)
	}
	if _, err := runUser("a long cli password\n", "add", "--username", "bob", "--role", "viewer", "--scope", "team/", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if out, err := runUser("", "set-role", "--username", "bob", "--role", "editor", "--scope", "team/"); err != nil || !strings.Contains(out, "bob is now editor") {
		t.Errorf("set-role: %q %v", out, err)
	}
	if _, err := runUser("", "disable", "--username", "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := runUser("another long password\n", "reset-password", "--username", "bob", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	out, err := runUser("", "list")
	if err != nil || !regexp.MustCompile(`alice\s+admin\s+local\s+active`).MatchString(out) || !regexp.MustCompile(`bob\s+editor\s+team/\s+local\s+disabled`).MatchString(out) {
		t.Errorf("list:\n%s %v", out, err)
	}
	if _, err := runUser("", "disable", "--username", "nobody"); err == nil {
		t.Error("unknown user accepted")
	}
	if _, err := runUser("", "frobnicate"); err == nil {
		t.Error("unknown subcommand accepted")
	}
	st, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, _, _ := st.ListAudit(ctx, store.AuditFilter{})
	if len(es) != 5 || !strings.HasPrefix(es[0].Actor, "cli") || es[0].Action != "user.reset-password" || es[4].Action != "user.create" {
		t.Errorf("audit of CLI changes: %+v", es)
	}
}

// TestServePrintsFirstAdminLink starts Berth on an empty data dir: it
// prints a one-time link, and that link creates the first admin.
func TestServePrintsFirstAdminLink(t *testing.T) {
	srv := startServe(t, []string{"--addr", "127.0.0.1:0", "--emulator-addr", "127.0.0.1:0"},
		env(map[string]string{"BERTH_DATA_DIR": filepath.Join(t.TempDir(), "data")}))
	link := srv.waitFor(t, regexp.MustCompile(`Create the first admin at: (http://\S+)`))[1]
	if !strings.Contains(srv.Stderr.String(), "one-time setup link") {
		t.Error("the setup link is not in the log")
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("setup link = %d", resp.StatusCode)
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("serve after shutdown: %v", err)
	}
}
