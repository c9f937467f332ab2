// Package emulator is Berth's local AWS: an http.Handler that speaks the real
// AWS wire protocols for ECR, ECS, Secrets Manager, IAM, STS, KMS and
// CloudWatch Logs, keeping its state in SQLite under <data-dir>/emulator/.
// It never imports Berth's SDK adapters (internal/cloud).
package emulator

import (
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/ecr"
	"github.com/berthhq/berth/internal/emulator/ecs"
	"github.com/berthhq/berth/internal/emulator/iam"
	"github.com/berthhq/berth/internal/emulator/kms"
	"github.com/berthhq/berth/internal/emulator/logs"
	"github.com/berthhq/berth/internal/emulator/registry"
	"github.com/berthhq/berth/internal/emulator/secretsmanager"
	"github.com/berthhq/berth/internal/emulator/state"
	"github.com/berthhq/berth/internal/emulator/sts"
)

// DefaultAccountID is the account the emulator answers for unless told otherwise.
const DefaultAccountID = "000000000000"

// Options configure an Emulator.
type Options struct {
	// DataDir is Berth's data dir; the emulator keeps its state in DataDir/emulator.
	DataDir string
	// AccountID defaults to DefaultAccountID.
	AccountID string
	// Logger receives server-side errors; nil discards them.
	Logger *slog.Logger
}

// Emulator is the local AWS endpoint.
type Emulator struct {
	router *awsapi.Router
	db     *state.DB
}

// registrars lists every emulated service.
var registrars = []func(*awsapi.Router, *state.DB) error{
	ecr.Register, ecs.Register, secretsmanager.Register,
	iam.Register, sts.Register, kms.Register, logs.Register,
}

// New opens the emulator's state and registers every service.
func New(opts Options) (*Emulator, error) {
	if opts.AccountID == "" {
		opts.AccountID = DefaultAccountID
	}
	db, err := state.Open(filepath.Join(opts.DataDir, "emulator", "state.db"))
	if err != nil {
		return nil, err
	}
	r := awsapi.NewRouter(opts.AccountID, opts.Logger)
	for _, reg := range registrars {
		if err := reg(r, db); err != nil {
			db.Close()
			return nil, fmt.Errorf("emulator: %w", err)
		}
	}
	// The OCI registry (/v2/) shares ECR's image store and keeps blobs
	// beside the state database.
	reg, err := registry.New(db, registry.Options{Dir: filepath.Join(opts.DataDir, "emulator"), Logger: opts.Logger})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	r.Fallback = reg
	return &Emulator{router: r, db: db}, nil
}

// ServeHTTP answers one AWS API request, or a registry request under /v2/.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// AWS calls all go to "/"; sending /v2/ straight to the registry keeps
	// an upload that carries a form content type (curl --data-binary's
	// default) from being read as a Query-protocol call.
	if r.URL.Path == "/v2" || strings.HasPrefix(r.URL.Path, "/v2/") {
		e.router.Fallback.ServeHTTP(w, r)
		return
	}
	e.router.ServeHTTP(w, r)
}

// AccountID is the account the emulator answers for.
func (e *Emulator) AccountID() string { return e.router.Account() }

// Ping checks that the state database answers, for readiness checks.
func (e *Emulator) Ping() error { return e.db.Read().Ping() }

// Close releases the state database.
func (e *Emulator) Close() error { return e.db.Close() }
