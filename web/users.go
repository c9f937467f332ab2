package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/berthhq/berth/internal/auth"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/view"
)

func userRow(u store.User) view.UserRow {
	return view.UserRow{Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Scope: u.Scope, Source: u.Source,
		Disabled: u.Disabled, HasPassword: u.PasswordHash != "", Created: u.CreatedAt}
}

// personHistory is a person's recent entries.
func (s *Server) personHistory(r *http.Request, username string) []view.AuditRow {
	es, _, err := s.store.ListAudit(r.Context(), store.AuditFilter{Actor: username, Limit: 10})
	if err != nil {
		s.log.Error("person history", "err", err)
	}
	return auditRows(es)
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, form.Errors{})
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, errs form.Errors) error {
	u := s.user(r)
	n, err := s.store.CountSessions(r.Context(), u.ID)
	if err != nil {
		return err
	}
	s.render(w, r, status, view.Account(view.AccountPage{Page: s.page(w, r, "Your account", view.SectionAccount),
		Me: userRow(*u), Sessions: n, Errors: errs, History: s.personHistory(r, u.Username)}))
	return nil
}

// changePassword lets a local account change its own password. Every other
// session ends; this browser gets a fresh one.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	u := s.user(r)
	if u.PasswordHash == "" {
		return badRequest("Your account signs in through single sign-on or a proxy; it has no Berth password.")
	}
	var errs form.Errors
	if !auth.VerifyPassword(u.PasswordHash, r.PostFormValue("current")) {
		errs.Add("current", "The current password is not right.")
	}
	checkNewAccount(&errs, u.Username, r.PostFormValue("password"), r.PostFormValue("confirm"), false, true)
	if errs.Any() {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, errs)
	}
	hash, err := auth.HashPassword(r.PostFormValue("password"))
	if err != nil {
		return err
	}
	if err := s.store.SetPasswordHash(r.Context(), u.ID, hash); err != nil {
		return err
	}
	s.audit(r, Entry{Action: "user.change-password", Resource: "user/" + u.Username, Detail: "every other session ended"})
	fresh, err := s.store.UserByID(r.Context(), u.ID)
	if err != nil {
		return err
	}
	if err := s.startSession(w, r, fresh, "password"); err != nil {
		return err
	}
	s.redirectWithFlash(w, r, "/account", "Password changed. Every other browser is signed out.")
	return nil
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) error {
	us, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	m := view.UsersPage{Page: s.page(w, r, "Users", view.SectionUsers)}
	for _, u := range us {
		m.Users = append(m.Users, userRow(u))
	}
	s.render(w, r, http.StatusOK, view.Users(m))
	return nil
}

var usersCrumb = view.Crumb{Label: "Users", Href: "/users"}

func (s *Server) newUserPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, view.UserNew(view.UserFormPage{
		Page: s.page(w, r, "Add user", view.SectionUsers, usersCrumb, view.Crumb{Label: "Add user"}), Role: string(auth.Viewer)}))
	return nil
}

// checkScope validates an optional scope prefix.
func checkScope(errs *form.Errors, scope string) {
	if len(scope) > 200 {
		errs.Add("scope", "A scope has at most 200 characters.")
	}
	if strings.ContainsAny(scope, " \t*?") {
		errs.Add("scope", "A scope is a plain name prefix such as payments/ — no spaces or wildcards.")
	}
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	username := auth.NormalizeUsername(r.PostFormValue("username"))
	scope := strings.TrimSpace(r.PostFormValue("scope"))
	password := r.PostFormValue("password")
	var errs form.Errors
	checkNewAccount(&errs, username, password, "", true, false)
	role, err := auth.ParseRole(r.PostFormValue("role"))
	if err != nil {
		errs.Add("role", "Choose a role.")
	}
	checkScope(&errs, scope)
	render := func(status int) error {
		s.render(w, r, status, view.UserNew(view.UserFormPage{
			Page:     s.page(w, r, "Add user", view.SectionUsers, usersCrumb, view.Crumb{Label: "Add user"}),
			Username: username, Role: r.PostFormValue("role"), Scope: scope, Errors: errs}))
		return nil
	}
	if errs.Any() {
		return render(http.StatusUnprocessableEntity)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u, err := s.store.CreateUser(r.Context(), store.User{Username: username, Role: string(role), Scope: scope, PasswordHash: hash})
	if errors.Is(err, store.ErrUserExists) {
		errs.Add("username", "A user named "+username+" already exists.")
		return render(http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	s.audit(r, Entry{Action: "user.create", Resource: "user/" + u.Username, After: userSettings(u)})
	s.redirectWithFlash(w, r, "/users/"+u.Username, "User "+u.Username+" added as "+u.Role+".")
	return nil
}

// namedUser loads the user of the {username} URL parameter.
func (s *Server) namedUser(r *http.Request) (store.User, error) {
	name := chi.URLParam(r, "username")
	u, err := s.store.UserByUsername(r.Context(), name)
	if errors.Is(err, store.ErrNotFound) {
		return u, notFound("There is no user named " + name + ".")
	}
	return u, err
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request) error {
	u, err := s.namedUser(r)
	if err != nil {
		return err
	}
	return s.renderUser(w, r, http.StatusOK, u, u.Role, u.Scope, form.Errors{})
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, status int, u store.User, role, scope string, errs form.Errors) error {
	n, err := s.store.CountSessions(r.Context(), u.ID)
	if err != nil {
		return err
	}
	s.render(w, r, status, view.UserDetail(view.UserPage{
		Page: s.page(w, r, u.Username, view.SectionUsers, usersCrumb, view.Crumb{Label: u.Username}),
		User: userRow(u), Sessions: n, Role: role, Scope: scope, Errors: errs,
		History: s.personHistory(r, u.Username), Self: s.user(r).ID == u.ID,
	}))
	return nil
}

// lastAdmin reports whether u is the only enabled admin: demoting or
// disabling them would leave Berth without one.
func (s *Server) lastAdmin(r *http.Request, u store.User) (bool, error) {
	if u.Role != string(auth.Admin) || u.Disabled {
		return false, nil
	}
	us, err := s.store.Users(r.Context())
	if err != nil {
		return false, err
	}
	for _, o := range us {
		if o.ID != u.ID && o.Role == string(auth.Admin) && !o.Disabled {
			return false, nil
		}
	}
	return true, nil
}

func (s *Server) setUserRole(w http.ResponseWriter, r *http.Request) error {
	u, err := s.namedUser(r)
	if err != nil {
		return err
	}
	scope := strings.TrimSpace(r.PostFormValue("scope"))
	var errs form.Errors
	role, err := auth.ParseRole(r.PostFormValue("role"))
	if err != nil {
		errs.Add("role", "Choose a role.")
	}
	checkScope(&errs, scope)
	if role != auth.Admin {
		if last, err := s.lastAdmin(r, u); err != nil {
			return err
		} else if last {
			errs.Add("role", u.Username+" is the only admin: make someone else an admin first.")
		}
	}
	if errs.Any() {
		return s.renderUser(w, r, http.StatusUnprocessableEntity, u, r.PostFormValue("role"), scope, errs)
	}
	before := userSettings(u)
	if err := s.store.SetRole(r.Context(), u.ID, string(role), scope); err != nil {
		return err
	}
	u.Role, u.Scope = string(role), scope
	s.audit(r, Entry{Action: "user.set-role", Resource: "user/" + u.Username, Before: before, After: userSettings(u)})
	s.redirectWithFlash(w, r, "/users/"+u.Username, "Saved: "+u.Username+" is "+articled(u.Role)+".")
	return nil
}

func (s *Server) setUserDisabled(disabled bool) appHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := s.namedUser(r)
		if err != nil {
			return err
		}
		if disabled {
			if u.ID == s.user(r).ID {
				return badRequest("You cannot disable your own account.")
			}
			if last, err := s.lastAdmin(r, u); err != nil {
				return err
			} else if last {
				return badRequest(u.Username + " is the only admin: make someone else an admin first.")
			}
		}
		before := userSettings(u)
		if err := s.store.SetDisabled(r.Context(), u.ID, disabled); err != nil {
			return err
		}
		u.Disabled = disabled
		action, msg := "user.enable", u.Username+" can sign in again."
		if disabled {
			action, msg = "user.disable", u.Username+" is disabled and signed out everywhere."
		}
		s.audit(r, Entry{Action: action, Resource: "user/" + u.Username, Before: before, After: userSettings(u)})
		s.redirectWithFlash(w, r, "/users/"+u.Username, msg)
		return nil
	}
}

func (s *Server) resetUserPassword(w http.ResponseWriter, r *http.Request) error {
	u, err := s.namedUser(r)
	if err != nil {
		return err
	}
	if u.Source != store.SourceLocal && u.PasswordHash == "" {
		return badRequest(u.Username + " signs in through single sign-on or a proxy and has no Berth password.")
	}
	var errs form.Errors
	checkNewAccount(&errs, u.Username, r.PostFormValue("password"), "", false, false)
	if errs.Any() {
		return s.renderUser(w, r, http.StatusUnprocessableEntity, u, u.Role, u.Scope, errs)
	}
	hash, err := auth.HashPassword(r.PostFormValue("password"))
	if err != nil {
		return err
	}
	if err := s.store.SetPasswordHash(r.Context(), u.ID, hash); err != nil {
		return err
	}
	s.audit(r, Entry{Action: "user.reset-password", Resource: "user/" + u.Username, Detail: "sessions ended"})
	if u.ID == s.user(r).ID {
		fresh, err := s.store.UserByID(r.Context(), u.ID)
		if err != nil {
			return err
		}
		if err := s.startSession(w, r, fresh, "password"); err != nil {
			return err
		}
	}
	s.redirectWithFlash(w, r, "/users/"+u.Username, "Password reset; "+u.Username+" is signed out everywhere.")
	return nil
}

func (s *Server) signOutUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.namedUser(r)
	if err != nil {
		return err
	}
	if err := s.store.SignOutEverywhere(r.Context(), u.ID); err != nil {
		return err
	}
	s.audit(r, Entry{Action: "user.sign-out-everywhere", Resource: "user/" + u.Username})
	if u.ID == s.user(r).ID {
		s.endSession(w, r)
		s.flash(w, r, "info", "You are signed out in every browser.")
		http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		return nil
	}
	s.redirectWithFlash(w, r, "/users/"+u.Username, u.Username+" is signed out everywhere.")
	return nil
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) error {
	m := view.SettingsPage{Page: s.page(w, r, "Settings", view.SectionSettings), LocalSignIn: s.localSignIn(r),
		CanDisableLocal: s.auth.OIDC != nil || s.auth.ProxyUserHeader != "",
		SSO:             s.auth.OIDCIssuer, IdleTimeout: s.auth.IdleTimeout.String(), Lifetime: s.auth.Lifetime.String()}
	if s.auth.ProxyUserHeader != "" {
		m.Proxy = "header " + s.auth.ProxyUserHeader + " from " + proxiesText(s.auth.TrustedProxies)
	}
	s.render(w, r, http.StatusOK, view.Settings(m))
	return nil
}

func proxiesText(ps auth.Proxies) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, ", ")
}

func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) error {
	v := r.PostFormValue("local_sign_in")
	if v != "on" && v != "off" {
		return badRequest("local_sign_in must be on or off.")
	}
	if v == "off" && s.auth.OIDC == nil && s.auth.ProxyUserHeader == "" {
		return badRequest("Password sign-in can only be turned off when single sign-on or an authenticating proxy is configured.")
	}
	before := map[string]any{"local_sign_in": map[bool]string{true: "on", false: "off"}[s.localSignIn(r)]}
	if err := s.store.SetSetting(r.Context(), settingLocalSignIn, v); err != nil {
		return err
	}
	s.audit(r, Entry{Action: "settings.update", Resource: "settings", Before: before, After: map[string]any{"local_sign_in": v}})
	s.redirectWithFlash(w, r, "/settings", "Password sign-in is "+v+".")
	return nil
}
