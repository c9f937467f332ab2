package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/berthhq/berth/internal/auth"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/view"
)

// settingSetupToken holds the hash of the one-time first-admin link's token.
const settingSetupToken = "setup_token_hash"

// PrepareSetup makes a new one-time setup token when Berth has no users and
// returns it ("" when there are users). serve logs the link; each start
// replaces the previous token, and creating the first admin ends it.
func (s *Server) PrepareSetup(ctx context.Context) (string, error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	token := auth.NewToken()
	if err := s.store.SetSetting(ctx, settingSetupToken, auth.HashToken(token)); err != nil {
		return "", err
	}
	return token, nil
}

// setupToken is the path's setup token, checked against the stored hash
// while no users exist; any other token is errSetupUsed.
func (s *Server) setupToken(r *http.Request) (string, error) {
	token := chi.URLParam(r, "token")
	want, err := s.store.Setting(r.Context(), settingSetupToken)
	if errors.Is(err, store.ErrNotFound) || want == "" {
		return "", errSetupUsed
	}
	if err != nil {
		return "", err
	}
	if subtle.ConstantTimeCompare([]byte(auth.HashToken(token)), []byte(want)) != 1 {
		return "", errSetupUsed
	}
	n, err := s.store.CountUsers(r.Context())
	if err != nil {
		return "", err
	}
	if n > 0 {
		return "", errSetupUsed
	}
	return token, nil
}

var errSetupUsed = notFound("This setup link has been used or replaced. Sign in, or restart Berth with no users for a new link.")

func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) error {
	token, err := s.setupToken(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, view.Setup(view.SetupPage{Page: s.page(w, r, "Create the first admin", ""), Token: token}))
	return nil
}

func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	token, err := s.setupToken(r)
	if err != nil {
		return err
	}
	username := auth.NormalizeUsername(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	var errs form.Errors
	checkNewAccount(&errs, username, password, r.PostFormValue("confirm"), true, true)
	if errs.Any() {
		s.render(w, r, http.StatusUnprocessableEntity, view.Setup(view.SetupPage{Page: s.page(w, r, "Create the first admin", ""), Token: token, Username: username, Errors: errs}))
		return nil
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u, err := s.store.CreateFirstAdmin(r.Context(), store.User{Username: username, Role: string(auth.Admin), PasswordHash: hash})
	if errors.Is(err, store.ErrSetupDone) {
		return errSetupUsed
	}
	if err != nil {
		return err
	}
	if err := s.store.SetSetting(r.Context(), settingSetupToken, ""); err != nil {
		return err
	}
	if err := s.startSession(w, r, u, "setup"); err != nil {
		return err
	}
	s.audit(r, Entry{Action: "user.create", Resource: "user/" + u.Username, Detail: "first admin, through the setup link",
		After: userSettings(u)})
	s.redirectWithFlash(w, r, "/", "Welcome to Berth. You are its first admin: add your team under Users.")
	return nil
}

// checkNewAccount validates a username (when checkUsername) and a new
// password, with its confirmation when needConfirm.
func checkNewAccount(errs *form.Errors, username, password, confirm string, checkUsername, needConfirm bool) {
	if checkUsername {
		if msg := auth.CheckUsername(username); msg != "" {
			errs.Add("username", msg)
		}
	}
	if err := auth.CheckNewPassword(username, password); err != nil {
		errs.Add("password", passwordProblem(err))
	}
	if needConfirm && password != confirm && !errs.Has("password") {
		errs.Add("confirm", "The two passwords are not the same.")
	}
}

// passwordProblem turns auth's "password refused: a password needs …" into
// "A password needs ….".
func passwordProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), auth.ErrWeakPassword.Error()+": ")
	if msg == "" {
		return "Choose another password."
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}

// userSettings is what the audit trail records of a user (never the hash).
func userSettings(u store.User) map[string]any {
	return map[string]any{"username": u.Username, "role": u.Role, "scope": u.Scope, "source": u.Source, "disabled": u.Disabled}
}
