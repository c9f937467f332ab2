package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/berthhq/berth/static"
)

// route is one line of Berth's routing table: every route declares the
// permission it needs (see perm); require enforces it on every request.
type route struct {
	method  string
	pattern string
	perm    perm
	handler appHandler
}

// routes is the whole routing table, in one place.
func (s *Server) routes() []route {
	return []route{
		{http.MethodGet, "/healthz", permPublic, plain(s.healthz)},
		{http.MethodGet, "/readyz", permPublic, plain(s.readyz)},
		{http.MethodGet, "/metrics", permPublic, plain(s.metrics.handler.ServeHTTP)},
		{http.MethodGet, "/static/*", permPublic, plain(static.Handler().ServeHTTP)},
		{http.MethodGet, "/", permView, s.home},
		{http.MethodPost, "/region", permView, s.switchRegion},

		// ECR repositories. Names contain "/", so a repository's page is the
		// wildcard /repositories/{name}, and each action is its own line,
		// /repositories/-/{action}/{name}, with its own permission ("-" cannot
		// start a repository name). A repository named "new" is
		// /repositories/new/-/ (the create form owns /repositories/new).
		{http.MethodGet, "/repositories", permView, s.repositories},
		{http.MethodGet, "/repositories/new", permEdit, s.newRepository},
		{http.MethodPost, "/repositories/new", permEdit, s.createRepository},
		{http.MethodGet, "/repositories/*", permView, s.repositoryPage},
		{http.MethodGet, "/repositories/-/edit/*", permEdit, s.repoAction(s.editRepository)},
		{http.MethodPost, "/repositories/-/edit/*", permEdit, s.repoAction(s.updateRepository)},
		{http.MethodGet, "/repositories/-/policy/*", permEdit, s.repoAction(policyAction(s.policyForm, repositoryPolicyKind))},
		{http.MethodPost, "/repositories/-/policy/*", permEdit, s.repoAction(policyAction(s.savePolicy, repositoryPolicyKind))},
		{http.MethodPost, "/repositories/-/policy-delete/*", permAdmin, s.repoAction(policyAction(s.deletePolicy, repositoryPolicyKind))},
		{http.MethodGet, "/repositories/-/lifecycle/*", permEdit, s.repoAction(policyAction(s.policyForm, lifecyclePolicyKind))},
		{http.MethodPost, "/repositories/-/lifecycle/*", permEdit, s.repoAction(policyAction(s.savePolicy, lifecyclePolicyKind))},
		{http.MethodPost, "/repositories/-/lifecycle-delete/*", permAdmin, s.repoAction(policyAction(s.deletePolicy, lifecyclePolicyKind))},
		{http.MethodGet, "/repositories/-/images-delete/*", permAdmin, s.repoAction(s.deleteImageForm)},
		{http.MethodPost, "/repositories/-/images-delete/*", permAdmin, s.repoAction(s.deleteImage)},
		{http.MethodGet, "/repositories/-/delete/*", permAdmin, s.repoAction(s.deleteRepositoryForm)},
		{http.MethodPost, "/repositories/-/delete/*", permAdmin, s.repoAction(s.deleteRepository)},

		// Secrets Manager. A secret's name is one escaped path segment
		// (view.SecretURL), so names with "/" work and "new" is the wizard.
		{http.MethodGet, "/secrets", permView, s.secretList},
		{http.MethodGet, "/secrets/new", permEdit, s.secretWizardType},
		{http.MethodPost, "/secrets/new", permEdit, s.secretWizardTypePost},
		{http.MethodGet, "/secrets/new/configure", permEdit, s.secretWizardConfigure},
		{http.MethodPost, "/secrets/new/configure", permEdit, s.secretWizardConfigurePost},
		{http.MethodGet, "/secrets/new/rotation", permEdit, s.secretWizardRotation},
		{http.MethodPost, "/secrets/new/rotation", permEdit, s.secretWizardRotationPost},
		{http.MethodGet, "/secrets/new/review", permEdit, s.secretWizardReview},
		{http.MethodPost, "/secrets/new/review", permEdit, s.secretWizardStore},
		{http.MethodPost, "/secrets/new/cancel", permEdit, s.secretWizardCancel},
		{http.MethodGet, "/secrets/{name}", permView, s.secretDetail},
		{http.MethodPost, "/secrets/{name}/reveal", permReveal, s.secretReveal},
		{http.MethodGet, "/secrets/{name}/new-value", permEdit, s.secretValueForm},
		{http.MethodPost, "/secrets/{name}/new-value", permEdit, s.secretValuePost},
		{http.MethodGet, "/secrets/{name}/edit", permEdit, s.secretEditForm},
		{http.MethodPost, "/secrets/{name}/edit", permEdit, s.secretEditPost},
		{http.MethodGet, "/secrets/{name}/delete", permAdmin, s.secretDeleteForm},
		{http.MethodPost, "/secrets/{name}/delete", permAdmin, s.secretDeletePost},
		{http.MethodPost, "/secrets/{name}/restore", permAdmin, s.secretRestore},

		// ECS task definitions. "new" and "drafts" are not usable as family
		// pages: the builder and the drafts list own those paths.
		{http.MethodGet, "/task-definitions", permView, s.taskDefFamilies},
		{http.MethodGet, "/task-definitions/new", permEdit, s.taskDefNew},
		{http.MethodPost, "/task-definitions/new", permEdit, s.taskDefBuild},
		{http.MethodGet, "/task-definitions/drafts", permEdit, s.taskDefDrafts},
		{http.MethodPost, "/task-definitions/drafts/{id}/discard", permEdit, s.taskDefDraftDelete},
		{http.MethodGet, "/task-definitions/drafts/{id}/diff", permEdit, s.taskDefDraftDiff},
		{http.MethodGet, "/task-definitions/{family}", permView, s.taskDefFamily},
		{http.MethodGet, "/task-definitions/{family}/latest", permView, s.taskDefLatest},
		{http.MethodGet, "/task-definitions/{family}/diff", permView, s.taskDefDiff},
		{http.MethodPost, "/task-definitions/{family}/delete", permAdmin, s.taskDefDelete},
		{http.MethodGet, "/task-definitions/{family}/{revision}", permView, s.taskDefRevision},
		{http.MethodGet, "/task-definitions/{family}/{revision}/download", permView, s.taskDefDownload},
		{http.MethodPost, "/task-definitions/{family}/{revision}/deregister", permAdmin, s.taskDefDeregister},

		// Team: sign-in, accounts, users, settings, audit trail.
		{http.MethodGet, "/sign-in", permPublic, s.signInPage},
		{http.MethodPost, "/sign-in", permPublic, s.signIn},
		{http.MethodPost, "/sign-out", permView, s.signOut},
		{http.MethodPost, "/sign-out-everywhere", permView, s.signOutEverywhere},
		{http.MethodGet, "/setup/{token}", permPublic, s.setupPage},
		{http.MethodPost, "/setup/{token}", permPublic, s.setup},
		{http.MethodGet, "/auth/oidc/login", permPublic, s.oidcLogin},
		{http.MethodGet, "/auth/oidc/callback", permPublic, s.oidcCallback},
		{http.MethodGet, "/account", permView, s.accountPage},
		// Your own password: not shared data, so allowed to viewers and in read-only mode.
		{http.MethodPost, "/account/password", permView, s.changePassword},
		{http.MethodGet, "/audit", permView, s.auditPage},
		{http.MethodGet, "/audit/export.csv", permView, s.auditExport("csv")},
		{http.MethodGet, "/audit/export.json", permView, s.auditExport("json")},
		{http.MethodGet, "/users", permAdmin, s.usersPage},
		{http.MethodGet, "/users/new", permAdmin, s.newUserPage},
		{http.MethodPost, "/users", permAdmin, s.createUser},
		{http.MethodGet, "/users/{username}", permAdmin, s.userPage},
		{http.MethodPost, "/users/{username}/role", permAdmin, s.setUserRole},
		{http.MethodPost, "/users/{username}/disable", permAdmin, s.setUserDisabled(true)},
		{http.MethodPost, "/users/{username}/enable", permAdmin, s.setUserDisabled(false)},
		{http.MethodPost, "/users/{username}/password", permAdmin, s.resetUserPassword},
		{http.MethodPost, "/users/{username}/sign-out", permAdmin, s.signOutUser},
		{http.MethodGet, "/settings", permAdmin, s.settingsPage},
		{http.MethodPost, "/settings", permAdmin, s.saveSettings},
	}
}

// mux is the chi router of the table, every route behind require.
func (s *Server) mux() *chi.Mux {
	r := chi.NewRouter()
	// Cross-origin protection comes after the request id, metrics, headers
	// and identity, so that its refusal is logged, counted and rendered like
	// any other answer.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusForbidden, "Cross-origin request refused",
			"This change was sent from another site, so Berth refused it. Reload Berth and try again from its own page.")
	}))
	r.Use(middleware.RequestID, s.observe, securityHeaders, s.recoverPanic, s.identify, cop.Handler)
	for _, rt := range s.routes() {
		r.Method(rt.method, rt.pattern, s.require(rt.perm, s.handle(rt.handler)))
	}
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusNotFound, "Page not found", "There is nothing at "+r.URL.Path+".")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusMethodNotAllowed, "Method not allowed", r.Method+" is not allowed here.")
	})
	return r
}

// plain adapts a handler that cannot fail to the routing table.
func plain(h http.HandlerFunc) appHandler {
	return func(w http.ResponseWriter, r *http.Request) error { h(w, r); return nil }
}
