package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/berthhq/berth/static"
	"github.com/berthhq/berth/web/view"
)

// route is one line of Berth's routing table.
type route struct {
	method  string
	pattern string
	handler appHandler
}

// routes is the whole routing table, in one place.
func (s *Server) routes() []route {
	return []route{
		{http.MethodGet, "/", s.home},
		{http.MethodPost, "/region", s.switchRegion},
		{http.MethodGet, "/repositories", s.notBuilt("Repositories", view.SectionRepositories, "Repository pages")},
		{http.MethodGet, "/secrets", s.notBuilt("Secrets", view.SectionSecrets, "Secret pages")},
		{http.MethodGet, "/task-definitions", s.taskDefFamilies},
		{http.MethodGet, "/task-definitions/new", s.taskDefNew},
		{http.MethodPost, "/task-definitions/new", s.taskDefBuild},
		{http.MethodGet, "/task-definitions/drafts", s.taskDefDrafts},
		{http.MethodPost, "/task-definitions/drafts/{id}/delete", s.taskDefDraftDelete},
		{http.MethodGet, "/task-definitions/drafts/{id}/diff", s.taskDefDraftDiff},
		{http.MethodGet, "/task-definitions/{family}", s.taskDefFamily},
		{http.MethodGet, "/task-definitions/{family}/latest", s.taskDefLatest},
		{http.MethodGet, "/task-definitions/{family}/diff", s.taskDefDiff},
		{http.MethodPost, "/task-definitions/{family}/delete", s.taskDefDelete},
		{http.MethodGet, "/task-definitions/{family}/{revision}", s.taskDefRevision},
		{http.MethodGet, "/task-definitions/{family}/{revision}/download", s.taskDefDownload},
		{http.MethodPost, "/task-definitions/{family}/{revision}/deregister", s.taskDefDeregister},
	}
}

func (s *Server) router() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.observe, securityHeaders, s.recoverPanic)
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Get("/metrics", s.metrics.handler.ServeHTTP)
	r.Get("/static/*", static.Handler().ServeHTTP)
	for _, rt := range s.routes() {
		r.Method(rt.method, rt.pattern, s.handle(rt.handler))
	}
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusNotFound, "Page not found", "There is nothing at "+r.URL.Path+".")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusMethodNotAllowed, "Method not allowed", r.Method+" is not allowed here.")
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusForbidden, "Cross-origin request refused",
			"This change was sent from another site, so Berth refused it. Reload Berth and try again from its own page.")
	}))
	return cop.Handler(r)
}

// notBuilt answers for a section that does not exist yet, saying so.
func (s *Server) notBuilt(title, section, what string) appHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		s.render(w, r, http.StatusOK, view.NotBuilt(view.NotBuiltPage{Page: s.page(w, r, title, section), What: what}))
		return nil
	}
}
