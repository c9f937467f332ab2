package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig is how Berth signs people in through an OpenID Connect
// provider.
type OIDCConfig struct {
	Issuer, ClientID, ClientSecret string
	// RedirectURL is Berth's callback, <base-url>/auth/oidc/callback.
	RedirectURL string
	// Claim holds the values RoleMap matches, "groups" for most providers.
	Claim string
	Roles RoleMap
}

// OIDC signs people in with an identity provider. The provider's discovery
// document is fetched on first use, so Berth starts while the provider is
// down and recovers when it is back.
type OIDC struct {
	cfg OIDCConfig

	mu       sync.Mutex
	provider *oidc.Provider
	oauth    *oauth2.Config
}

// NewOIDC prepares sign-in with an identity provider.
func NewOIDC(cfg OIDCConfig) *OIDC {
	if cfg.Claim == "" {
		cfg.Claim = "groups"
	}
	return &OIDC{cfg: cfg}
}

func (o *OIDC) setup(ctx context.Context) (*oidc.Provider, *oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, o.oauth, nil
	}
	p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("identity provider %s: %w", o.cfg.Issuer, err)
	}
	scopes := []string{oidc.ScopeOpenID, "profile", "email"}
	if o.cfg.Claim == "groups" {
		scopes = append(scopes, "groups")
	}
	o.provider = p
	o.oauth = &oauth2.Config{
		ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: scopes,
	}
	return o.provider, o.oauth, nil
}

// AuthCodeURL is where to send the browser to sign in. state and nonce are
// random values kept in the person's session; verifier is the PKCE secret.
func (o *OIDC) AuthCodeURL(ctx context.Context, state, nonce, verifier string) (string, error) {
	_, oc, err := o.setup(ctx)
	if err != nil {
		return "", err
	}
	return oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Identity is who the provider says signed in, and what Berth makes of it.
type Identity struct {
	Subject, Username, Name string
	Values                  []string
	Role                    Role
	Scope                   string
}

// ErrNoRole means the provider vouched for the person but no role mapping
// applies to them.
var ErrNoRole = errors.New("no Berth role is mapped to this account")

// Exchange trades the callback's code for a verified ID token and maps its
// claims to a role.
func (o *OIDC) Exchange(ctx context.Context, code, nonce, verifier string) (Identity, error) {
	p, oc, err := o.setup(ctx)
	if err != nil {
		return Identity{}, err
	}
	tok, err := oc.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("code exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return Identity{}, errors.New("the provider returned no ID token")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("ID token: %w", err)
	}
	if idt.Nonce != nonce {
		return Identity{}, errors.New("ID token: nonce does not match this sign-in")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, err
	}
	id := Identity{Subject: idt.Subject}
	id.Username, _ = claims["preferred_username"].(string)
	if email, _ := claims["email"].(string); id.Username == "" {
		id.Username = email
	}
	if id.Username == "" {
		id.Username = idt.Subject
	}
	id.Username = NormalizeUsername(id.Username)
	id.Name, _ = claims["name"].(string)
	id.Values = claimValues(claims[o.cfg.Claim])
	role, scope, ok := o.cfg.Roles.Match(id.Values)
	if !ok {
		return id, ErrNoRole
	}
	id.Role, id.Scope = role, scope
	return id, nil
}

// claimValues reads a claim that is either a string or a list of strings.
func claimValues(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// SplitValues reads a proxy's group header ("a,b" or "a b").
func SplitValues(h string) []string {
	return strings.FieldsFunc(h, func(r rune) bool { return r == ',' || r == ' ' })
}

// SetRedirectURL sets the callback before first use, for servers that know
// their address only once they listen (tests).
func (o *OIDC) SetRedirectURL(u string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.cfg.RedirectURL = u
	if o.oauth != nil {
		o.oauth.RedirectURL = u
	}
}
