package web

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/gorilla/sessions"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/view"
)

const sessionName = "berth"

func (s *Server) session(r *http.Request) *sessions.Session {
	// A cookie that no longer decodes (keys rotated) just starts a new session.
	sess, _ := s.sessions.Get(r, sessionName)
	return sess
}

// region is the region this request works in: the session's choice when the
// switcher offers it, else the configured default.
func (s *Server) region(r *http.Request) string {
	if len(s.regions) > 1 {
		if v, ok := s.session(r).Values["region"].(string); ok && contains(s.regions, v) {
			return v
		}
	}
	return s.backend.DefaultRegion()
}

// clients are the SDK clients of the request's region, acting for the
// signed-in person: with a role configured, every call is made in that
// person's role session, whose SourceIdentity names them in CloudTrail.
func (s *Server) clients(r *http.Request) *cloud.Clients {
	return s.backend.For(s.region(r), s.username(r))
}

// username is the signed-in person's username, "" when nobody is.
func (s *Server) username(r *http.Request) string {
	if u := s.user(r); u != nil {
		return u.Username
	}
	return ""
}

// identity is who Berth acts as for the request's person (the assumed role's
// session when a role is configured): its account is the one pages name.
func (s *Server) identity(r *http.Request) (cloud.Identity, error) {
	return s.backend.IdentityFor(r.Context(), s.username(r))
}

// maxFlashes is how many messages wait for the next page at most. They
// live in the session cookie, which holds about 4 KB: a client that posts
// again and again without loading a page (a script, a form sent many
// times) would otherwise fill it, and every later change to the session —
// signing in, starting a wizard — would fail.
const maxFlashes = 3

// flash queues a one-time message for the next page (Post/Redirect/Get),
// behind at most maxFlashes-1 older ones.
func (s *Server) flash(w http.ResponseWriter, r *http.Request, kind, message string) {
	sess := s.session(r)
	queued := append(sess.Flashes(), kind+"|"+message)
	if len(queued) > maxFlashes {
		queued = queued[len(queued)-maxFlashes:]
	}
	for {
		for _, f := range queued {
			sess.AddFlash(f)
		}
		err := sess.Save(r, w)
		if err == nil {
			return
		}
		sess.Flashes()
		if len(queued) == 1 {
			s.log.Error("save session", "err", err)
			return
		}
		// Still too long for the cookie: the oldest message goes first.
		queued = queued[1:]
	}
}

// redirectWithFlash finishes a successful change: flash, then See Other.
func (s *Server) redirectWithFlash(w http.ResponseWriter, r *http.Request, to, message string) {
	s.flash(w, r, "success", message)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// page builds the base page model: backend, region, account and the flashes
// waiting in the session (which it consumes).
func (s *Server) page(w http.ResponseWriter, r *http.Request, title, section string, crumbs ...view.Crumb) view.Page {
	p := view.Page{Title: title, Section: section, Crumbs: crumbs, Path: r.URL.Path}
	p.User, p.ReadOnly = s.viewUser(r), s.auth.ReadOnly
	p.Backend = view.Backend{Local: s.backend.Local(), Endpoint: s.backend.Endpoint(), Region: s.region(r), Regions: s.regions}
	if p.User == nil {
		// Nobody signed in: say nothing about the AWS account.
	} else if id, err := s.identity(r); err != nil {
		p.Backend.Problem, p.Backend.Fix = cloud.Explain(err)
	} else {
		p.Backend.Account = id.Account
		if s.backend.AssumedRoleARN() != "" {
			p.Backend.AssumedRole = id.ARN
		}
	}
	sess := s.session(r)
	if fl := sess.Flashes(); len(fl) > 0 {
		for _, f := range fl {
			str, _ := f.(string)
			kind, msg, ok := strings.Cut(str, "|")
			if !ok {
				kind, msg = "info", str
			}
			p.Flashes = append(p.Flashes, view.Flash{Kind: kind, Message: msg})
		}
		if err := sess.Save(r, w); err != nil {
			s.log.Error("save session", "err", err)
		}
	}
	return p
}

// render writes a component with a status. It renders into a buffer first so
// a template failure becomes a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.log.Error("render", "err", err, "path", r.URL.Path)
		http.Error(w, "internal error while rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// formStatus is the status of a re-rendered form: 422 when it has problems
// (validation failures are answers, not errors), else 200.
func formStatus(errs form.Errors) int {
	if errs.Any() {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}
