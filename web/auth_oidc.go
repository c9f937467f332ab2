package web

import (
	"errors"
	"net/http"

	"github.com/berthhq/berth/internal/auth"
	"github.com/berthhq/berth/internal/store"
)

// oidcLogin sends the browser to the identity provider, remembering in the
// session the state, nonce and PKCE verifier that the callback must match.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) error {
	if s.auth.OIDC == nil {
		return notFound("Single sign-on is not configured.")
	}
	state, nonce, verifier := auth.NewToken(), auth.NewToken(), auth.NewToken()
	to, err := s.auth.OIDC.AuthCodeURL(r.Context(), state, nonce, verifier)
	if err != nil {
		s.log.Error("single sign-on", "err", err)
		s.renderSignIn(w, r, http.StatusBadGateway, "", localPath(r.URL.Query().Get("next")),
			"The identity provider could not be reached. Try again in a moment, or ask the person who runs Berth.")
		return nil
	}
	sess := s.session(r)
	sess.Values["oidc_state"], sess.Values["oidc_nonce"], sess.Values["oidc_verifier"] = state, nonce, verifier
	sess.Values["oidc_next"] = localPath(r.URL.Query().Get("next"))
	if err := sess.Save(r, w); err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}

// oidcCallback finishes single sign-on: it checks the state, exchanges the
// code, verifies the ID token and maps the claim to a role.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if s.auth.OIDC == nil {
		return notFound("Single sign-on is not configured.")
	}
	sess := s.session(r)
	state, _ := sess.Values["oidc_state"].(string)
	nonce, _ := sess.Values["oidc_nonce"].(string)
	verifier, _ := sess.Values["oidc_verifier"].(string)
	next, _ := sess.Values["oidc_next"].(string)
	for _, k := range []string{"oidc_state", "oidc_nonce", "oidc_verifier", "oidc_next"} {
		delete(sess.Values, k)
	}
	q := r.URL.Query()
	fail := func(status int, detail, msg string, err error) error {
		s.audit(r, Entry{Action: "sign-in", Outcome: store.OutcomeFailure, Detail: "single sign-on: " + detail, Err: err})
		if err := sess.Save(r, w); err != nil {
			return err
		}
		s.renderSignIn(w, r, status, "", localPath(next), msg)
		return nil
	}
	if state == "" || q.Get("state") != state {
		return fail(http.StatusBadRequest, "state mismatch", "This sign-in link is stale. Start again.", nil)
	}
	if e := q.Get("error"); e != "" {
		return fail(http.StatusUnauthorized, "provider said "+truncate(e, 100), "The identity provider did not sign you in ("+truncate(e, 100)+").", nil)
	}
	id, err := s.auth.OIDC.Exchange(r.Context(), q.Get("code"), nonce, verifier)
	if errors.Is(err, auth.ErrNoRole) {
		s.audit(r, Entry{Action: "sign-in", Actor: id.Username, Outcome: store.OutcomeDenied, Detail: "single sign-on: no role mapped"})
		sess.Save(r, w)
		s.renderSignIn(w, r, http.StatusForbidden, "", "/", "You signed in at the identity provider, but no Berth role is given to your account. Ask an admin.")
		return nil
	}
	if err != nil {
		s.log.Error("single sign-on", "err", err)
		return fail(http.StatusUnauthorized, "token exchange failed", "Single sign-on failed. Start again.", err)
	}
	if msg := auth.CheckUsername(id.Username); msg != "" {
		return fail(http.StatusForbidden, "unusable username", "Your identity provider account has no usable username.", nil)
	}
	if have, err := s.store.UserByUsername(r.Context(), id.Username); err == nil && have.Source != store.SourceOIDC {
		// Never let the provider take over a local account of the same name.
		s.audit(r, Entry{Action: "sign-in", Actor: id.Username, Outcome: store.OutcomeDenied, Detail: "single sign-on: a " + have.Source + " account has this username"})
		sess.Save(r, w)
		s.renderSignIn(w, r, http.StatusForbidden, "", "/", "A Berth account that does not use single sign-on already has your username. Ask an admin.")
		return nil
	}
	u, err := s.store.SyncExternalUser(r.Context(), store.User{Username: id.Username, DisplayName: id.Name, Role: string(id.Role), Scope: id.Scope, Source: store.SourceOIDC})
	if err != nil {
		return err
	}
	if u.Disabled {
		s.audit(r, Entry{Action: "sign-in", Actor: u.Username, Outcome: store.OutcomeDenied, Detail: "single sign-on: account disabled"})
		sess.Save(r, w)
		s.renderSignIn(w, r, http.StatusForbidden, "", "/", "Your Berth account is disabled. Ask an admin.")
		return nil
	}
	if err := s.startSession(w, r, u, "oidc"); err != nil {
		return err
	}
	s.audit(r, Entry{Action: "sign-in", Detail: "single sign-on"})
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
	return nil
}

// proxyIdentity signs in the person a trusted proxy names. A matching
// session cookie is reused; otherwise a session is started (and audited)
// for them, so sign-out everywhere and the session pages work alike.
func (s *Server) proxyIdentity(w http.ResponseWriter, r *http.Request, name string) (*store.User, *store.Session) {
	username := auth.NormalizeUsername(name)
	if u, se := s.resolveCookie(r); u != nil && u.Username == username {
		return u, se
	}
	if auth.CheckUsername(username) != "" {
		s.log.Warn("proxy named an unusable username", "header", s.auth.ProxyUserHeader)
		return nil, nil
	}
	ctx := r.Context()
	var groups []string
	if h := s.auth.ProxyGroupsHeader; h != "" {
		groups = auth.SplitValues(r.Header.Get(h))
	}
	role, scope, matched := s.auth.ProxyRoles.Match(groups)
	have, err := s.store.UserByUsername(ctx, username)
	var u store.User
	switch {
	case err == nil && (!matched || have.Source != store.SourceProxy):
		u = have // a person Berth knows keeps the role an admin gave them
	case (err == nil || errors.Is(err, store.ErrNotFound)) && matched:
		u, err = s.store.SyncExternalUser(ctx, store.User{Username: username, Role: string(role), Scope: scope, Source: store.SourceProxy})
		if err != nil {
			s.log.Error("proxy user", "err", err)
			return nil, nil
		}
	case errors.Is(err, store.ErrNotFound):
		s.audit(r, Entry{Action: "sign-in", Actor: username, Outcome: store.OutcomeDenied, Detail: "proxy: not a Berth user and no role mapped"})
		return nil, nil
	default:
		s.log.Error("proxy user", "err", err)
		return nil, nil
	}
	if u.Disabled {
		return nil, nil
	}
	if w == nil {
		return &u, nil
	}
	if err := s.startSession(w, r, u, "proxy"); err != nil {
		s.log.Error("proxy session", "err", err)
		return nil, nil
	}
	id, _ := r.Context().Value(identityKey{}).(*identity)
	s.audit(r, Entry{Action: "sign-in", Actor: u.Username, Detail: "authenticating proxy"})
	return id.user, id.sess
}
