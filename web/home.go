package web

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/view"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	m := view.HomePage{Page: s.page(w, r, "Overview", view.SectionHome)}
	c := s.clients(r)
	count := func(dst *view.Count, kind resourceKind, fn func(context.Context, string) (int, bool, error)) {
		n, more, err := fn(r.Context(), s.scopeOf(r, kind))
		if err != nil {
			*dst = view.Count{Err: cloud.ErrorMessage(err)}
			return
		}
		*dst = view.Count{N: n, More: more}
	}
	var wg sync.WaitGroup
	wg.Go(func() { count(&m.Repositories, kindRepository, c.CountRepositories) })
	wg.Go(func() { count(&m.Secrets, kindSecret, c.CountSecrets) })
	wg.Go(func() { count(&m.Families, kindFamily, c.CountFamilies) })
	wg.Wait()
	s.render(w, r, http.StatusOK, view.Home(m))
	return nil
}

func (s *Server) switchRegion(w http.ResponseWriter, r *http.Request) error {
	region := r.PostFormValue("region")
	if !contains(s.regions, region) {
		return badRequest("Berth is not set up for region " + region + ".")
	}
	sess := s.session(r)
	sess.Values["region"] = region
	if err := sess.Save(r, w); err != nil {
		return err
	}
	to := r.PostFormValue("return")
	// Only a local path: never redirect to another site.
	if !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") || strings.HasPrefix(to, "/\\") {
		to = "/"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 when Berth's store and its backend can take requests.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	var problems []string
	if err := s.store.Ping(r.Context()); err != nil {
		problems = append(problems, "store: "+err.Error())
	}
	if s.ready != nil {
		if err := s.ready(r.Context()); err != nil {
			problems = append(problems, "backend: "+err.Error())
		}
	} else if _, err := s.backend.Identity(r.Context()); err != nil {
		problem, fix := cloud.Explain(err)
		problems = append(problems, strings.TrimSpace("backend: "+problem+" "+fix))
	}
	if len(problems) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(strings.Join(problems, "\n") + "\n"))
		return
	}
	w.Write([]byte("ready\n"))
}
