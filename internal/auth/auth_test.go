package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash = %q", h)
	}
	if !VerifyPassword(h, "correct horse battery") {
		t.Error("right password refused")
	}
	if VerifyPassword(h, "correct horse batterY") || VerifyPassword("", "") || VerifyPassword("$argon2id$x", "a") {
		t.Error("wrong password or malformed hash accepted")
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if VerifyNobody("anything") {
		t.Error("VerifyNobody said yes")
	}
}

func TestCheckNewPassword(t *testing.T) {
	for _, tc := range []struct {
		user, pw string
		ok       bool
	}{
		{"alice", "short", false},
		{"alice", "elevenchars", false},
		{"alice", "twelve chars", true},
		{"alice", "Password1234", false},
		{"alice", "QWERTYUIOPAS", false},
		{"alice", "aaaaaaaaaaaaaaa", false},
		{"alice", "alice-is-my-name", false},
		{"alice", "ünïcödé-ünïcödé", true},
		{"bob", strings.Repeat("ab", 200), false},
	} {
		err := CheckNewPassword(tc.user, tc.pw)
		if (err == nil) != tc.ok {
			t.Errorf("CheckNewPassword(%q, %q) = %v, want ok=%v", tc.user, tc.pw, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrWeakPassword) {
			t.Errorf("error %v does not wrap ErrWeakPassword", err)
		}
	}
}

func TestRoles(t *testing.T) {
	if !Admin.AtLeast(Editor) || !Editor.AtLeast(Viewer) || Viewer.AtLeast(Editor) || Role("root").AtLeast(Viewer) {
		t.Error("role order wrong")
	}
	if r, err := ParseRole(" Editor "); err != nil || r != Editor {
		t.Errorf("ParseRole = %q, %v", r, err)
	}
	if _, err := ParseRole("owner"); err == nil {
		t.Error("unknown role accepted")
	}
}

func TestRoleMapFirstMatchWins(t *testing.T) {
	m, err := ParseRoleMap("berth-admins=admin, payments=editor:payments/ ,*=viewer")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		groups []string
		role   Role
		scope  string
	}{
		{[]string{"payments", "berth-admins"}, Admin, ""},
		{[]string{"payments"}, Editor, "payments/"},
		{nil, Viewer, ""},
	} {
		r, s, ok := m.Match(tc.groups)
		if !ok || r != tc.role || s != tc.scope {
			t.Errorf("Match(%v) = %q %q %v", tc.groups, r, s, ok)
		}
	}
	strict, _ := ParseRoleMap("ops=admin")
	if _, _, ok := strict.Match([]string{"dev"}); ok {
		t.Error("unmapped group matched")
	}
	for _, bad := range []string{"ops", "ops=root", "=admin"} {
		if _, err := ParseRoleMap(bad); err == nil {
			t.Errorf("ParseRoleMap(%q) accepted", bad)
		}
	}
}

func TestProxiesClientAddr(t *testing.T) {
	ps, err := ParseProxies("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ remote, xff, want string }{
		{"192.0.2.1:5000", "203.0.113.9", "192.0.2.1"},                   // untrusted peer: header ignored
		{"127.0.0.1:5000", "203.0.113.9", "203.0.113.9"},                 // trusted proxy
		{"10.1.2.3:80", "6.6.6.6, 203.0.113.9, 10.9.9.9", "203.0.113.9"}, // spoofed left part ignored
		{"127.0.0.1:5000", "", "127.0.0.1"},
		{"[::ffff:127.0.0.1]:1", "198.51.100.7", "198.51.100.7"},
	} {
		if got := ps.ClientAddr(tc.remote, tc.xff); got != tc.want {
			t.Errorf("ClientAddr(%q, %q) = %q, want %q", tc.remote, tc.xff, got, tc.want)
		}
	}
	if ps.Trusted("192.168.1.1:1") || !ps.Trusted("10.200.0.1:1") {
		t.Error("Trusted wrong")
	}
	if _, err := ParseProxies("10.0.0.0/33"); err == nil {
		t.Error("bad CIDR accepted")
	}
}

func TestUsernamesAndScopes(t *testing.T) {
	if CheckUsername(NormalizeUsername(" Alice@Example.com ")) != "" {
		t.Error("email username refused")
	}
	for _, bad := range []string{"", "-x", "a b", "a/b"} {
		if CheckUsername(bad) == "" {
			t.Errorf("username %q accepted", bad)
		}
	}
	if !InScope("", "anything") || !InScope("payments/", "payments/api") || InScope("payments/", "paymentsx") {
		t.Error("InScope wrong")
	}
	if a, b := NewToken(), NewToken(); a == b || len(a) < 40 || HashToken(a) == a {
		t.Error("tokens not random or hash is identity")
	}
}
