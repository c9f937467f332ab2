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
		{http.MethodGet, "/secrets", s.secretList},
		{http.MethodGet, "/secrets/new", s.secretWizardType},
		{http.MethodPost, "/secrets/new", s.secretWizardTypePost},
		{http.MethodGet, "/secrets/new/configure", s.secretWizardConfigure},
		{http.MethodPost, "/secrets/new/configure", s.secretWizardConfigurePost},
		{http.MethodGet, "/secrets/new/rotation", s.secretWizardRotation},
		{http.MethodPost, "/secrets/new/rotation", s.secretWizardRotationPost},
		{http.MethodGet, "/secrets/new/review", s.secretWizardReview},
		{http.MethodPost, "/secrets/new/review", s.secretWizardStore},
		{http.MethodPost, "/secrets/new/cancel", s.secretWizardCancel},
		{http.MethodGet, "/secrets/{name}", s.secretDetail},
		{http.MethodPost, "/secrets/{name}/reveal", s.secretReveal},
		{http.MethodGet, "/secrets/{name}/value", s.secretValueForm},
		{http.MethodPost, "/secrets/{name}/value", s.secretValuePost},
		{http.MethodGet, "/secrets/{name}/edit", s.secretEditForm},
		{http.MethodPost, "/secrets/{name}/edit", s.secretEditPost},
		{http.MethodGet, "/secrets/{name}/delete", s.secretDeleteForm},
		{http.MethodPost, "/secrets/{name}/delete", s.secretDeletePost},
		{http.MethodPost, "/secrets/{name}/restore", s.secretRestore},
		{http.MethodGet, "/task-definitions", s.notBuilt("Task definitions", view.SectionTaskDefs, "Task definition pages")},
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
