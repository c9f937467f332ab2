package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/berthhq/berth/internal/auth"
	"github.com/berthhq/berth/internal/config"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web"
)

// teamSessionKeys returns the cookie keys. On PostgreSQL without configured
// keys they live in the shared database, so every replica reads the others'
// cookies; on SQLite they stay in the data dir as before.
func teamSessionKeys(ctx context.Context, cfg *config.Config, st *store.Store) ([][]byte, error) {
	if cfg.SessionKeys != "" || st.Dialect() != store.Postgres {
		return sessionKeys(cfg.SessionKeys, cfg.DataDir)
	}
	const key = "session_keys"
	text, err := st.Setting(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		k1, k2 := make([]byte, 32), make([]byte, 32)
		rand.Read(k1)
		rand.Read(k2)
		// First writer wins: a replica starting at the same moment reads it back.
		if _, err := st.DB().ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
			key, hex.EncodeToString(k1)+","+hex.EncodeToString(k2)); err != nil {
			return nil, err
		}
		text, err = st.Setting(ctx, key)
	}
	if err != nil {
		return nil, fmt.Errorf("session keys in the database: %w", err)
	}
	return sessionKeys(text, cfg.DataDir)
}

// authOptions turns configuration into the web server's sign-in options.
func authOptions(cfg *config.Config) web.AuthOptions {
	t := cfg.Team
	o := web.AuthOptions{
		ReadOnly: t.ReadOnly, IdleTimeout: t.IdleTimeout, Lifetime: t.Lifetime,
		ProxyUserHeader: t.ProxyUserHeader, ProxyGroupsHeader: t.ProxyGroupsHeader,
		TrustedProxies: t.TrustedProxies, ProxyRoles: t.RoleMap,
	}
	if t.OIDCIssuer != "" {
		o.OIDCIssuer = t.OIDCIssuer
		o.OIDC = auth.NewOIDC(auth.OIDCConfig{Issuer: t.OIDCIssuer, ClientID: t.OIDCClientID, ClientSecret: t.OIDCClientSecret,
			RedirectURL: t.OIDCRedirectURL, Claim: t.OIDCRoleClaim, Roles: t.RoleMap})
	}
	return o
}

// announceSetup logs the one-time first-admin link while Berth has no users.
func announceSetup(ctx context.Context, srv *web.Server, cfg *config.Config, addr string, log *slog.Logger, stdout io.Writer) {
	token, err := srv.PrepareSetup(ctx)
	if err != nil {
		log.Error("first-admin setup", "err", err)
		return
	}
	if token == "" {
		return
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	if base == "" {
		base = "http://" + addr
	}
	link := base + "/setup/" + token
	log.Warn("Berth has no users yet: open the one-time setup link to create the first admin", "url", link)
	fmt.Fprintf(stdout, "No users yet. Create the first admin at: %s\n", link)
}
