package web

import (
	"errors"
	"net/http"

	"github.com/berthhq/berth/internal/auth"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web/view"
)

// settingLocalSignIn is "off" when an admin turned password sign-in off.
const settingLocalSignIn = "local_sign_in"

// localSignIn reports whether local accounts may sign in with a password.
func (s *Server) localSignIn(r *http.Request) bool {
	v, err := s.store.Setting(r.Context(), settingLocalSignIn)
	return err != nil || v != "off"
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	if s.user(r) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	s.renderSignIn(w, r, http.StatusOK, "", next, "")
	return nil
}

func (s *Server) renderSignIn(w http.ResponseWriter, r *http.Request, status int, username, next, msg string) {
	m := view.SignInPage{Page: s.page(w, r, "Sign in", ""), Username: username, Next: next, Error: msg,
		Local: s.localSignIn(r), SSO: s.auth.OIDC != nil}
	s.render(w, r, status, view.SignIn(m))
}

// signInFailed is the only thing a failed sign-in says: it does not tell
// an unknown user from a wrong password or a disabled account.
const signInFailed = "The username or password is not right, or this account cannot sign in with a password."

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	username := auth.NormalizeUsername(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))
	if !s.localSignIn(r) {
		s.renderSignIn(w, r, http.StatusForbidden, "", next, "Sign-in with a Berth password is turned off. Use single sign-on.")
		return nil
	}
	addr := s.clientAddr(r)
	// Both limits count every attempt; the address limit first, so one
	// address cannot use up many accounts' allowances.
	over, err := s.auth.byAddress.over(r.Context(), "addr:"+addr)
	if err == nil && !over {
		over, err = s.auth.byAccount.over(r.Context(), "user:"+username)
	}
	if err != nil {
		return err
	}
	if over {
		s.audit(r, Entry{Action: "sign-in", Actor: truncate(username, 128), Outcome: store.OutcomeDenied, Detail: "too many attempts"})
		s.renderSignIn(w, r, http.StatusTooManyRequests, username, next,
			"Too many sign-in attempts. Wait a few minutes, then try again.")
		return nil
	}
	u, err := s.store.UserByUsername(r.Context(), username)
	ok := false
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && u.PasswordHash == ""):
		auth.VerifyNobody(password)
	case err != nil:
		return err
	default:
		ok = auth.VerifyPassword(u.PasswordHash, password) && !u.Disabled
	}
	if !ok {
		s.audit(r, Entry{Action: "sign-in", Actor: truncate(username, 128), Outcome: store.OutcomeFailure, Detail: "password sign-in failed"})
		s.renderSignIn(w, r, http.StatusUnauthorized, username, next, signInFailed)
		return nil
	}
	if err := s.startSession(w, r, u, "password"); err != nil {
		return err
	}
	s.audit(r, Entry{Action: "sign-in", Detail: "password"})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	s.audit(r, Entry{Action: "sign-out"})
	s.endSession(w, r)
	s.flash(w, r, "info", "You are signed out.")
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
	return nil
}

func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	u := s.user(r)
	if err := s.store.SignOutEverywhere(r.Context(), u.ID); err != nil {
		return err
	}
	s.audit(r, Entry{Action: "sign-out-everywhere", Resource: "user/" + u.Username})
	s.endSession(w, r)
	s.flash(w, r, "info", "You are signed out in every browser.")
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
	return nil
}
