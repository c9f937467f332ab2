package config

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/auth"
)

// Team is the configuration of sign-in, roles, read-only mode and the
// shared database.
type Team struct {
	// DatabaseURL, when set, keeps Berth's own data in PostgreSQL
	// (postgres://…) instead of SQLite in the data dir.
	DatabaseURL                                                                string
	ReadOnlyText, IdleTimeoutText, LifetimeText                                string
	OIDCIssuer, OIDCClientID, OIDCClientSecret, OIDCRedirectURL, OIDCRoleClaim string
	RoleMapText                                                                string
	ProxyUserHeader, ProxyGroupsHeader, TrustedProxiesText                     string

	// Parsed by validation.
	ReadOnly              bool
	IdleTimeout, Lifetime time.Duration
	RoleMap               auth.RoleMap
	TrustedProxies        auth.Proxies
}

var teamOptions = []Option{
	{"database-url", "BERTH_DATABASE_URL", "", "PostgreSQL URL (postgres://user:password@host/db) for Berth's own data, shared by several replicas; empty: SQLite in the data dir", func(c *Config) *string { return &c.Team.DatabaseURL }},
	{"read-only", "BERTH_READ_ONLY", "false", "true refuses every change, with a banner on every page", func(c *Config) *string { return &c.Team.ReadOnlyText }},
	{"session-idle-timeout", "BERTH_SESSION_IDLE_TIMEOUT", "8h", "a session unused this long ends", func(c *Config) *string { return &c.Team.IdleTimeoutText }},
	{"session-lifetime", "BERTH_SESSION_LIFETIME", "168h", "any session ends this long after sign-in", func(c *Config) *string { return &c.Team.LifetimeText }},
	{"oidc-issuer", "BERTH_OIDC_ISSUER", "", "single sign-on: the OpenID Connect issuer URL; empty turns single sign-on off", func(c *Config) *string { return &c.Team.OIDCIssuer }},
	{"oidc-client-id", "BERTH_OIDC_CLIENT_ID", "", "single sign-on: client id", func(c *Config) *string { return &c.Team.OIDCClientID }},
	{"oidc-client-secret", "BERTH_OIDC_CLIENT_SECRET", "", "single sign-on: client secret (prefer the environment variable)", func(c *Config) *string { return &c.Team.OIDCClientSecret }},
	{"oidc-redirect-url", "BERTH_OIDC_REDIRECT_URL", "", "single sign-on: callback URL; default <base-url>/auth/oidc/callback", func(c *Config) *string { return &c.Team.OIDCRedirectURL }},
	{"oidc-role-claim", "BERTH_OIDC_ROLE_CLAIM", "groups", "single sign-on: the ID token claim --role-map matches", func(c *Config) *string { return &c.Team.OIDCRoleClaim }},
	{"role-map", "BERTH_ROLE_MAP", "", "claim or proxy group values to roles, first match wins: value=role[:scope],… e.g. berth-admins=admin,payments=editor:payments/,*=viewer", func(c *Config) *string { return &c.Team.RoleMapText }},
	{"proxy-user-header", "BERTH_PROXY_USER_HEADER", "", "behind an authenticating proxy: the header naming the person (e.g. X-Forwarded-User)", func(c *Config) *string { return &c.Team.ProxyUserHeader }},
	{"proxy-groups-header", "BERTH_PROXY_GROUPS_HEADER", "", "behind an authenticating proxy: the header with the person's groups (e.g. X-Forwarded-Groups), matched by --role-map", func(c *Config) *string { return &c.Team.ProxyGroupsHeader }},
	{"trusted-proxies", "BERTH_TRUSTED_PROXIES", "", "comma list of proxy addresses or CIDR ranges whose user header and X-Forwarded-For Berth believes", func(c *Config) *string { return &c.Team.TrustedProxiesText }},
}

func init() { Options = append(Options, teamOptions...) }

// UserOptions are the settings `berth user …` reads: where the data is.
var UserOptions = []string{"data-dir", "database-url", "log-format"}

func (c *Config) validateTeam() []error {
	t := &c.Team
	var errs []error
	var err error
	if t.ReadOnly, err = strconv.ParseBool(strings.TrimSpace(t.ReadOnlyText)); err != nil {
		errs = append(errs, fmt.Errorf("--read-only must be true or false, not %q", t.ReadOnlyText))
	}
	if t.IdleTimeout, err = time.ParseDuration(t.IdleTimeoutText); err != nil || t.IdleTimeout < time.Minute {
		errs = append(errs, fmt.Errorf("--session-idle-timeout must be a duration of at least 1m (like 8h), not %q", t.IdleTimeoutText))
	}
	if t.Lifetime, err = time.ParseDuration(t.LifetimeText); err != nil || t.Lifetime < time.Minute {
		errs = append(errs, fmt.Errorf("--session-lifetime must be a duration of at least 1m (like 168h), not %q", t.LifetimeText))
	}
	if t.DatabaseURL != "" && !strings.HasPrefix(t.DatabaseURL, "postgres://") && !strings.HasPrefix(t.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("--database-url must be a postgres:// URL"))
	}
	if t.RoleMap, err = auth.ParseRoleMap(t.RoleMapText); err != nil {
		errs = append(errs, fmt.Errorf("--role-map: %w", err))
	}
	if t.TrustedProxies, err = auth.ParseProxies(t.TrustedProxiesText); err != nil {
		errs = append(errs, fmt.Errorf("--trusted-proxies: %w", err))
	}
	if t.ProxyUserHeader != "" && len(t.TrustedProxies) == 0 {
		errs = append(errs, errors.New("--proxy-user-header needs --trusted-proxies: Berth believes the header only from those addresses"))
	}
	if t.OIDCIssuer != "" {
		if u, err := url.Parse(t.OIDCIssuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--oidc-issuer must be an https URL, not %q", t.OIDCIssuer))
		}
		if t.OIDCClientID == "" {
			errs = append(errs, errors.New("--oidc-client-id is needed with --oidc-issuer"))
		}
		if t.OIDCRedirectURL == "" {
			if c.BaseURL == "" {
				errs = append(errs, errors.New("single sign-on needs --base-url (or --oidc-redirect-url) for its callback"))
			} else {
				t.OIDCRedirectURL = strings.TrimSuffix(c.BaseURL, "/") + "/auth/oidc/callback"
			}
		}
		if len(t.RoleMap) == 0 {
			errs = append(errs, errors.New("single sign-on needs --role-map: without it nobody gets a role"))
		}
	}
	return errs
}
