package main

import "net"

// reachable is a listening address as a host:port that works from this
// machine: a listener on every interface (0.0.0.0, [::], or no host) is
// reached through 127.0.0.1. URLs Berth prints and shows (its own, the
// emulator's endpoint in the banner and push commands, the setup link)
// use it, and so does the health check.
func reachable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
