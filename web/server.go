// Package web is Berth's HTTP layer: one routing table, middleware, and the
// handlers for each area (overview, repositories, secrets, task definitions).
package web

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gorilla/sessions"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/store"
)

// Options are what the server is built from.
type Options struct {
	Backend *cloud.Backend
	Store   *store.Store
	Logger  *slog.Logger
	// SessionKeys are gorilla/sessions key pairs (signing, encryption).
	SessionKeys [][]byte
	// SecureCookies marks cookies Secure (Berth is served over https).
	SecureCookies bool
	// Regions offered by the region switcher.
	Regions []string
	// Ready reports whether the backend can take calls (the emulator's
	// database in local mode); nil means always.
	Ready func(context.Context) error
	// Metrics is the registry /metrics serves; New creates one when nil.
	Metrics *prometheus.Registry
	// Auth configures sign-in, sessions and read-only mode.
	Auth AuthOptions
}

// Server is Berth's web application.
type Server struct {
	backend  *cloud.Backend
	store    *store.Store
	log      *slog.Logger
	sessions *sessions.CookieStore
	regions  []string
	ready    func(context.Context) error
	metrics  *metrics
	auth     *authState
	handler  http.Handler
	// secretDrafts holds the open "Store a new secret" wizards in memory.
	secretDrafts *secretDrafts
}

// New builds the server and its routes.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = prometheus.NewRegistry()
	}
	cs := sessions.NewCookieStore(o.SessionKeys...)
	cs.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   7 * 24 * 3600,
		HttpOnly: true,
		Secure:   o.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	s := &Server{
		backend:      o.Backend,
		store:        o.Store,
		log:          o.Logger,
		sessions:     cs,
		regions:      o.Regions,
		ready:        o.Ready,
		metrics:      newMetrics(o.Metrics),
		auth:         newAuthState(o.Auth, o.Store),
		secretDrafts: newSecretDrafts(),
	}
	s.handler = s.mux()
	return s
}

// ObserveAWS records one AWS call in /metrics. Pass it to cloud.Options.Observe.
func ObserveAWS(reg *prometheus.Registry) cloud.Observer {
	return newAWSMetrics(reg).observe
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }
