package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/auth"
	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web/view"
)

// perm is what a route requires, declared once per route in the routing
// table. The zero value is "not declared": such a route answers 500 and
// fails TestEveryRouteDeclaresAPermission, so a forgotten permission can
// never mean an open route.
type perm int

const (
	permUndeclared perm = iota
	// permPublic: anyone, signed in or not (sign-in, health, static files).
	permPublic
	// permView: any signed-in person (viewer and up). Reading pages, and
	// actions that change nothing in AWS or in Berth's shared data
	// (switching region, signing out).
	permView
	// permReveal: retrieving secret values (editor and up). Not a change,
	// so read-only mode allows it.
	permReveal
	// permEdit: creating and changing repositories, secrets and task
	// definitions (editor and up). Refused in read-only mode.
	permEdit
	// permAdmin: deleting, users, settings (admin). Refused in read-only
	// mode when the request is not a GET.
	permAdmin
)

func (p perm) String() string {
	switch p {
	case permPublic:
		return "public"
	case permView:
		return "view"
	case permReveal:
		return "reveal"
	case permEdit:
		return "edit"
	case permAdmin:
		return "admin"
	}
	return "undeclared"
}

// role is the least role that has the permission.
func (p perm) role() auth.Role {
	switch p {
	case permView:
		return auth.Viewer
	case permReveal, permEdit:
		return auth.Editor
	case permAdmin:
		return auth.Admin
	}
	return ""
}

// isChange reports whether a request under this permission changes
// something (and so is refused in read-only mode).
func (p perm) isChange(method string) bool {
	return (p == permEdit || p == permAdmin) && method != http.MethodGet && method != http.MethodHead
}

// AuthOptions configure sign-in, sessions and read-only mode.
type AuthOptions struct {
	// ReadOnly refuses every change, with a banner on every page.
	ReadOnly bool
	// IdleTimeout ends a session unused this long (default 8 h);
	// Lifetime ends any session this old (default 7 days).
	IdleTimeout, Lifetime time.Duration
	// OIDC, when set, offers single sign-on.
	OIDC *auth.OIDC
	// OIDCIssuer names the provider on the settings page.
	OIDCIssuer string
	// ProxyUserHeader, when set, is the header (X-Forwarded-User, …) that
	// names the signed-in person — believed only from TrustedProxies.
	ProxyUserHeader string
	// ProxyGroupsHeader carries the person's groups (X-Forwarded-Groups),
	// matched against ProxyRoles; without a match, a person Berth already
	// knows keeps their stored role and anyone else is refused.
	ProxyGroupsHeader string
	TrustedProxies    auth.Proxies
	ProxyRoles        auth.RoleMap
	// SignInAttempts per account and per client address within
	// SignInWindow (defaults 10 and 50 per 15 minutes).
	AccountAttempts, AddressAttempts int
	SignInWindow                     time.Duration
	// Now is the clock (tests move it to expire sessions).
	Now func() time.Time
}

// authState is the server's sign-in machinery.
type authState struct {
	AuthOptions
	byAccount, byAddress attemptLimit
}

func newAuthState(o AuthOptions, st *store.Store) *authState {
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 8 * time.Hour
	}
	if o.Lifetime <= 0 {
		o.Lifetime = 7 * 24 * time.Hour
	}
	if o.AccountAttempts <= 0 {
		o.AccountAttempts = 10
	}
	if o.AddressAttempts <= 0 {
		o.AddressAttempts = 50
	}
	if o.SignInWindow <= 0 {
		o.SignInWindow = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &authState{
		AuthOptions: o,
		byAccount:   attemptLimit{store: st, limit: o.AccountAttempts, window: o.SignInWindow, now: o.Now},
		byAddress:   attemptLimit{store: st, limit: o.AddressAttempts, window: o.SignInWindow, now: o.Now},
	}
}

// attemptLimit allows limit sign-in attempts per name (an account or a
// client address) in a sliding window, counted in Berth's database so that
// replicas sharing it share the limit: an attacker spreading attempts over
// them gets no more tries than against one. Every attempt counts, refused
// ones too.
type attemptLimit struct {
	store  *store.Store
	limit  int
	window time.Duration
	now    func() time.Time
}

// over counts an attempt for name and reports whether it goes over the
// limit. An attempt that cannot be counted is an error, and its sign-in
// fails with it, as one whose account cannot be read does.
func (l attemptLimit) over(ctx context.Context, name string) (bool, error) {
	now := l.now().UTC()
	cur := now.Truncate(l.window)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, p, err := l.store.CountAttempt(ctx, name, cur, cur.Add(-l.window))
	if err != nil {
		return false, fmt.Errorf("counting sign-in attempts: %w", err)
	}
	// The previous window counts by the share of it the sliding window
	// still covers.
	rate := float64(p)*float64(l.window-now.Sub(cur))/float64(l.window) + float64(c)
	return rate > float64(l.limit), nil
}

// touchEvery bounds how often a session's last activity is written: the
// idle timeout is hours, so minute precision is plenty and most requests
// write nothing.
const touchEvery = time.Minute

// identity is who a request comes from, worked out once, on first use.
// Handlers resolve it (s.user) on the request's goroutine before starting
// others.
type identity struct {
	w         http.ResponseWriter
	done      bool
	resolving bool
	user      *store.User
	sess      *store.Session
}

type identityKey struct{}

// identify prepares each request's identity (resolved lazily, so static
// files and health checks cost no database query) and its collector of AWS
// request ids for the audit trail.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), identityKey{}, &identity{w: w})
		ctx = cloud.WithRequestIDs(ctx)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// user is the signed-in person of the request, or nil.
func (s *Server) user(r *http.Request) *store.User {
	id, _ := r.Context().Value(identityKey{}).(*identity)
	if id == nil {
		return nil
	}
	if !id.done && !id.resolving {
		id.resolving = true
		u, se := s.resolve(id.w, r)
		if !id.done { // a session started while resolving wins
			id.user, id.sess = u, se
		}
		id.done, id.resolving = true, false
	}
	return id.user
}

// currentSession is the request's session row, or nil.
func (s *Server) currentSession(r *http.Request) *store.Session {
	if s.user(r) == nil {
		return nil
	}
	id, _ := r.Context().Value(identityKey{}).(*identity)
	return id.sess
}

// resolve finds the person: from a trusted proxy's header, else from the
// session cookie's token, checked against the store on every request so
// that sign-out, disabling and role changes act at once on every replica.
func (s *Server) resolve(w http.ResponseWriter, r *http.Request) (*store.User, *store.Session) {
	if h := s.auth.ProxyUserHeader; h != "" {
		if name := r.Header.Get(h); name != "" {
			if s.auth.TrustedProxies.Trusted(r.RemoteAddr) {
				return s.proxyIdentity(w, r, name)
			}
			s.log.Warn("ignored the proxy user header from an address that is not a trusted proxy", "header", h, "remote", r.RemoteAddr)
		}
	}
	return s.resolveCookie(r)
}

// resolveCookie finds the person from the session cookie's token.
func (s *Server) resolveCookie(r *http.Request) (*store.User, *store.Session) {
	ctx := r.Context()
	token, _ := s.session(r).Values["sid"].(string)
	if token == "" {
		return nil, nil
	}
	se, u, err := s.store.SessionUser(ctx, auth.HashToken(token))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("load session", "err", err)
		}
		return nil, nil
	}
	now := s.auth.Now()
	if u.Disabled || se.Generation != u.Generation || now.Sub(se.LastSeen) > s.auth.IdleTimeout || now.Sub(se.CreatedAt) > s.auth.Lifetime {
		if err := s.store.DeleteSession(ctx, se.ID); err != nil {
			s.log.Error("delete ended session", "err", err)
		}
		return nil, nil
	}
	if now.Sub(se.LastSeen) >= touchEvery {
		if err := s.store.TouchSession(ctx, se.ID, now); err != nil {
			s.log.Error("touch session", "err", err)
		}
		se.LastSeen = now
	}
	return &u, &se
}

// startSession signs a person in: the browser gets a new random session
// token (so a token planted before sign-in is worthless) and the store a
// session row. Everything else the cookie held is dropped.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u store.User, method string) error {
	token := auth.NewToken()
	now := s.auth.Now()
	se := store.Session{
		ID: auth.HashToken(token), UserID: u.ID, Generation: u.Generation, CreatedAt: now, LastSeen: now,
		Address: s.clientAddr(r), UserAgent: truncate(r.UserAgent(), 300), Method: method,
	}
	if err := s.store.CreateSession(r.Context(), se); err != nil {
		return err
	}
	// Sessions nobody comes back to are removed here, at a moment that
	// happens often enough and never on a hot path.
	if _, err := s.store.DeleteExpiredSessions(r.Context(), now.Add(-s.auth.IdleTimeout), now.Add(-s.auth.Lifetime)); err != nil {
		s.log.Error("delete expired sessions", "err", err)
	}
	sess := s.session(r)
	sess.Values = map[any]any{"sid": token}
	sess.Options.MaxAge = int(s.auth.Lifetime.Seconds())
	if err := sess.Save(r, w); err != nil {
		return err
	}
	if id, _ := r.Context().Value(identityKey{}).(*identity); id != nil {
		id.user, id.sess, id.done = &u, &se, true
	}
	return nil
}

// endSession signs this browser out: the session row goes, so the cookie
// is dead even if someone kept a copy of it.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if se := s.currentSession(r); se != nil {
		if err := s.store.DeleteSession(r.Context(), se.ID); err != nil {
			s.log.Error("delete session", "err", err)
		}
	}
	sess := s.session(r)
	sess.Values = map[any]any{}
	if err := sess.Save(r, w); err != nil {
		s.log.Error("save session", "err", err)
	}
}

// require is the one place permissions are enforced: every route of the
// table goes through it with its declared permission.
func (s *Server) require(p perm, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p {
		case permPublic:
			next.ServeHTTP(w, r)
			return
		case permUndeclared:
			s.log.Error("route declares no permission: refusing it", "method", r.Method, "path", r.URL.Path)
			s.renderError(w, r, http.StatusInternalServerError, "Something went wrong", "This page has no declared permission, so Berth refuses it.")
			return
		}
		u := s.user(r)
		if u == nil {
			to := "/sign-in"
			if r.Method == http.MethodGet {
				to += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		if !auth.Role(u.Role).AtLeast(p.role()) {
			if r.Method != http.MethodGet {
				s.audit(r, Entry{Action: "access.denied", Resource: r.Method + " " + r.URL.Path, Outcome: store.OutcomeDenied,
					Detail: "needs the " + string(p.role()) + " role"})
			}
			s.renderError(w, r, http.StatusForbidden, "Not allowed",
				"This needs the "+string(p.role())+" role; you are "+articled(u.Role)+". Ask an admin if you need it.")
			return
		}
		if s.auth.ReadOnly && p.isChange(r.Method) {
			s.renderError(w, r, http.StatusForbidden, "Berth is read-only",
				"Berth is in read-only mode, so it refuses every change. Nothing was changed.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func articled(role string) string {
	if role == string(auth.Admin) || role == string(auth.Editor) {
		return "an " + role
	}
	return "a " + role
}

// clientAddr is where the request comes from, honouring X-Forwarded-For
// only from trusted proxies.
func (s *Server) clientAddr(r *http.Request) string {
	return s.auth.TrustedProxies.ClientAddr(r.RemoteAddr, r.Header.Get("X-Forwarded-For"))
}

// viewUser is the signed-in person for the page header.
func (s *Server) viewUser(r *http.Request) *view.User {
	u := s.user(r)
	if u == nil {
		return nil
	}
	role := auth.Role(u.Role)
	return &view.User{
		Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Scope: u.Scope,
		CanEdit: role.AtLeast(auth.Editor), CanReveal: role.AtLeast(auth.Editor), IsAdmin: role.AtLeast(auth.Admin),
		Local: u.PasswordHash != "",
	}
}

// localPath keeps redirects on Berth: anything else becomes "/".
func localPath(to string) string {
	if !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") || strings.HasPrefix(to, "/\\") {
		return "/"
	}
	return to
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// resourceKind names what a scope limits.
type resourceKind string

// The kinds of resources a scope limits.
const (
	kindRepository resourceKind = "repository"
	kindSecret     resourceKind = "secret"
	kindFamily     resourceKind = "task-definition-family"
)

// allowed reports whether a person may see and change a resource of a kind
// by its name (not its ARN): a scoped person only those whose name starts
// with their scope. List pages filter with it and detail pages answer 404
// outside the scope, so names outside it are not even confirmed to exist.
func allowed(u *store.User, kind resourceKind, name string) bool {
	return u != nil && auth.InScope(scopeFor(u.Scope, kind), name)
}

// scopeFor is a scope as it applies to one kind of resource. Family names
// cannot contain "/", so for task definition families a scope's "/" reads
// as "-": the scope payments/ covers the repository payments/api, the
// secret payments/db and the family payments-api.
func scopeFor(scope string, kind resourceKind) string {
	if kind == kindFamily {
		return strings.ReplaceAll(scope, "/", "-")
	}
	return scope
}

// allowedFor is allowed for the request's person.
func (s *Server) allowedFor(r *http.Request, kind resourceKind, name string) bool {
	return allowed(s.user(r), kind, name)
}

// scopeOf is the request person's scope for a kind of resource ("" when
// not scoped).
func (s *Server) scopeOf(r *http.Request, kind resourceKind) string {
	if u := s.user(r); u != nil {
		return scopeFor(u.Scope, kind)
	}
	return ""
}

// inScope answers a detail page or action on a resource outside the
// person's scope with the same 404 as a missing resource (notFoundMessage),
// so the name is not even confirmed to exist. An attempted change is
// recorded as denied; it never reaches AWS.
func (s *Server) inScope(r *http.Request, kind resourceKind, name, notFoundMessage string) error {
	if s.allowedFor(r, kind, name) {
		return nil
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.audit(r, Entry{Action: "access.denied", Resource: name, Outcome: store.OutcomeDenied,
			Detail: string(kind) + " outside the scope " + s.scopeOf(r, kind)})
	}
	return notFound(notFoundMessage)
}

// scopeMessage is the name field's message when a person creates a
// resource outside their scope.
func scopeMessage(scope, what string) string {
	return "Your scope is " + scope + ": " + what + " must start with " + scope + "."
}

// RouteInfo is one route of the table with its declared permission
// ("public", "view", "reveal", "edit", "admin", or "undeclared").
type RouteInfo struct {
	Method, Pattern, Perm string
	// Role is the least role allowed ("" for public routes).
	Role string
}

// Routes lists the routing table with permissions, for the role matrix
// test and for documentation.
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, rt := range s.routes() {
		out = append(out, RouteInfo{Method: rt.method, Pattern: rt.pattern, Perm: rt.perm.String(), Role: string(rt.perm.role())})
	}
	return out
}
