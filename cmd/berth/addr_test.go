package main

import "testing"

func TestReachable(t *testing.T) {
	for in, want := range map[string]string{
		"0.0.0.0:8080":        "127.0.0.1:8080",
		"[::]:4566":           "127.0.0.1:4566",
		":9000":               "127.0.0.1:9000",
		"127.0.0.1:8080":      "127.0.0.1:8080",
		"10.1.2.3:80":         "10.1.2.3:80",
		"berth.internal:8080": "berth.internal:8080",
		"[::1]:8080":          "[::1]:8080",
	} {
		if got := reachable(in); got != want {
			t.Errorf("reachable(%q) = %q, want %q", in, got, want)
		}
	}
}
