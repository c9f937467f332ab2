package auth

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Proxies are the addresses of authenticating proxies (oauth2-proxy and
// similar) whose identity headers Berth believes.
type Proxies []netip.Prefix

// ParseProxies reads a comma list of addresses and CIDR ranges.
func ParseProxies(s string) (Proxies, error) {
	var ps Proxies
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			a, err := netip.ParseAddr(item)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an address or CIDR range", item)
			}
			ps = append(ps, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not an address or CIDR range", item)
		}
		ps = append(ps, p.Masked())
	}
	return ps, nil
}

// Trusted reports whether a peer address ("host:port" or bare host) is one
// of the proxies.
func (ps Proxies) Trusted(addr string) bool {
	a, ok := parseHost(addr)
	if !ok {
		return false
	}
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is where a request comes from: the peer, or, when the peer is
// a trusted proxy, the nearest address in X-Forwarded-For that is not one.
// Addresses a client wrote itself further left are never believed.
func (ps Proxies) ClientAddr(remoteAddr, forwardedFor string) string {
	peer, ok := parseHost(remoteAddr)
	if !ok {
		return remoteAddr
	}
	if !ps.Trusted(remoteAddr) || forwardedFor == "" {
		return peer.String()
	}
	hops := strings.Split(forwardedFor, ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		a, ok := parseHost(h)
		if !ok {
			break
		}
		if !ps.Trusted(h) {
			return a.String()
		}
	}
	return peer.String()
}

func parseHost(addr string) (netip.Addr, bool) {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
