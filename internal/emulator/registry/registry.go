// Package registry is the emulator's OCI distribution registry: the /v2/ API
// that docker, crane and containerd push to and pull from. It authenticates
// like ECR (Basic auth, user AWS, the GetAuthorizationToken password) and
// keeps manifests and tags in ECR's image store, so a push shows in
// ListImages/DescribeImages and BatchDeleteImage removes what a pull then
// cannot find. Blob content lives on disk, content-addressed, under
// <data-dir>/emulator/blobs; which repository holds which blob, and upload
// sessions, live in the emulator's SQLite.
package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/berthhq/berth/internal/emulator/ecr"
	"github.com/berthhq/berth/internal/emulator/state"
)

// schema is the registry's own tables. Blob links cascade from ECR's
// repository so DeleteRepository --force drops them; the referrers index
// lets /referrers/<digest> seek on ECR's image table.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS registry_blobs (
		account TEXT NOT NULL,
		region TEXT NOT NULL,
		repository TEXT NOT NULL,
		digest TEXT NOT NULL,
		size INTEGER NOT NULL,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (account, region, repository, digest),
		FOREIGN KEY (account, region, repository) REFERENCES ecr_repositories (account, region, name) ON DELETE CASCADE
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS registry_blobs_by_digest ON registry_blobs (digest, account, region)`,
	`CREATE TABLE IF NOT EXISTS registry_uploads (
		id TEXT PRIMARY KEY,
		account TEXT NOT NULL,
		region TEXT NOT NULL,
		repository TEXT NOT NULL,
		size INTEGER NOT NULL,
		started_at INTEGER NOT NULL,
		FOREIGN KEY (account, region, repository) REFERENCES ecr_repositories (account, region, name) ON DELETE CASCADE
	)`,
	`CREATE INDEX IF NOT EXISTS registry_images_by_subject ON ecr_images (account, region, repository, subject_digest)`,
}

// Options configure a Registry.
type Options struct {
	// Dir is the emulator's folder (<data-dir>/emulator). Blobs are kept in
	// Dir/blobs/<algorithm>/<hex>, partial uploads in Dir/uploads.
	Dir string
	// Logger receives server-side errors; nil discards them.
	Logger *slog.Logger
	// Now is the clock used to check token expiry; nil is time.Now.
	Now func() time.Time
}

// Registry serves the OCI distribution API under /v2/.
type Registry struct {
	db      *state.DB
	images  *ecr.Images
	auth    *ecr.Auth
	log     *slog.Logger
	now     func() time.Time
	blobDir string
	upDir   string

	// locks serialise requests on one upload session (striped by id).
	locks [64]sync.Mutex
	// hashes keeps the running sha256 of upload sessions so finishing a
	// chunked upload does not read the data back; after a restart the
	// data is re-read instead.
	mu     sync.Mutex
	hashes map[string]*runningHash
}

// New opens the registry on the emulator's database, creating its tables
// and folders and clearing what a crash left behind (temp files, upload
// data without a session).
func New(db *state.DB, opts Options) (*Registry, error) {
	images, err := ecr.NewImages(db)
	if err != nil {
		return nil, err
	}
	auth, err := ecr.NewAuth(db)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(schema...); err != nil {
		return nil, err
	}
	g := &Registry{
		db: db, images: images, auth: auth, log: opts.Logger, now: opts.Now,
		blobDir: filepath.Join(opts.Dir, "blobs"),
		upDir:   filepath.Join(opts.Dir, "uploads"),
		hashes:  map[string]*runningHash{},
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.now == nil {
		g.now = time.Now
	}
	for _, d := range []string{g.upDir, filepath.Join(g.blobDir, "sha256"), filepath.Join(g.blobDir, "sha512")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
	}
	if err := g.recover(); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	return g, nil
}

// ---- errors ----

// regError is an OCI error response: {"errors":[{"code","message","detail"}]}.
type regError struct {
	status  int
	code    string
	message string
	detail  any
	header  http.Header
}

func (e *regError) Error() string { return e.code + ": " + e.message }

func newErr(status int, code, message string) *regError {
	return &regError{status: status, code: code, message: message}
}

func (e *regError) withDetail(d any) *regError { e.detail = d; return e }

func (g *Registry) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *regError
	if !errors.As(err, &e) {
		g.log.Error("registry server error", "method", r.Method, "path", r.URL.Path, "err", err)
		e = newErr(http.StatusInternalServerError, "UNKNOWN", "unknown error")
	}
	for k, v := range e.header {
		w.Header()[k] = v
	}
	type item struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Detail  any    `json:"detail,omitempty"`
	}
	b, _ := json.Marshal(struct {
		Errors []item `json:"errors"`
	}{[]item{{e.code, e.message, e.detail}}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

func nameUnknown(r ecr.Repo) *regError {
	return newErr(http.StatusNotFound, "NAME_UNKNOWN",
		fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '%s'", r.Name, r.Account))
}

func blobUnknown(d string) *regError {
	return newErr(http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown to registry").withDetail(map[string]string{"digest": d})
}

func manifestUnknown() *regError {
	return newErr(http.StatusNotFound, "MANIFEST_UNKNOWN", "Requested image not found")
}

func uploadUnknown() *regError {
	return newErr(http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
}

func digestInvalid(msg string) *regError {
	return newErr(http.StatusBadRequest, "DIGEST_INVALID", msg)
}

func unsupported() *regError {
	return newErr(http.StatusMethodNotAllowed, "UNSUPPORTED", "The operation is unsupported.")
}

// ---- authentication ----

const (
	expiredMessage = "Your authorization token has expired. Reauthenticate and try again."
	deniedMessage  = "Not Authorized"
)

// authenticate checks the Basic credentials (user AWS, a password from
// GetAuthorizationToken) and returns the registry and region they grant.
func (g *Registry) authenticate(r *http.Request) (account, region string, err *regError) {
	user, pw, ok := r.BasicAuth()
	if ok && user == ecr.RegistryUser {
		acct, reg, verr := g.auth.VerifyPassword(pw, g.now())
		if verr == nil {
			return acct, reg, nil
		}
		// A password with a valid signature that fails only on time has expired.
		if _, _, e2 := g.auth.VerifyPassword(pw, time.Time{}); e2 == nil {
			err = newErr(http.StatusUnauthorized, "DENIED", expiredMessage)
		}
	}
	if err == nil {
		err = newErr(http.StatusUnauthorized, "UNAUTHORIZED", deniedMessage)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	err.header = http.Header{"Www-Authenticate": {fmt.Sprintf(`Basic realm="%s://%s/",service="ecr.amazonaws.com"`, scheme, r.Host)}}
	return "", "", err
}

// ---- routing ----

type routeKind int

const (
	routeBase routeKind = iota
	routeManifest
	routeBlob
	routeUploads // POST /blobs/uploads/
	routeUpload  // /blobs/uploads/<id>
	routeTags
	routeReferrers
)

// nameRE is the OCI repository name grammar; ECR's is the same with a
// length of 2 to 256.
var nameRE = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)

// parseRoute splits the path after /v2/ into the repository name (which may
// contain slashes) and the endpoint.
func parseRoute(rest string) (kind routeKind, name, ref string, ok bool) {
	if rest == "" {
		return routeBase, "", "", true
	}
	if n, found := strings.CutSuffix(rest, "/tags/list"); found {
		return routeTags, n, "", true
	}
	if n, found := strings.CutSuffix(rest, "/blobs/uploads"); found {
		return routeUploads, n, "", true
	}
	if n, found := strings.CutSuffix(rest, "/blobs/uploads/"); found {
		return routeUploads, n, "", true
	}
	for _, sep := range []struct {
		s string
		k routeKind
	}{{"/manifests/", routeManifest}, {"/referrers/", routeReferrers}, {"/blobs/uploads/", routeUpload}, {"/blobs/", routeBlob}} {
		i := strings.LastIndex(rest, sep.s)
		if i <= 0 {
			continue
		}
		ref := rest[i+len(sep.s):]
		if ref == "" || strings.Contains(ref, "/") {
			continue
		}
		return sep.k, rest[:i], ref, true
	}
	return 0, "", "", false
}

// ServeHTTP answers one /v2/ request.
func (g *Registry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
	path := r.URL.Path
	if path == "/v2" {
		path = "/v2/"
	}
	rest, isV2 := strings.CutPrefix(path, "/v2/")
	if !isV2 {
		g.writeError(w, r, newErr(http.StatusNotFound, "NOT_FOUND", "The requested URL was not found on this server."))
		return
	}
	account, region, aerr := g.authenticate(r)
	if aerr != nil {
		g.writeError(w, r, aerr)
		return
	}
	kind, name, ref, ok := parseRoute(rest)
	if !ok {
		g.writeError(w, r, newErr(http.StatusNotFound, "NOT_FOUND", "The requested URL was not found on this server."))
		return
	}
	if kind == routeBase {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			g.writeError(w, r, unsupported())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "2")
		if r.Method == http.MethodGet {
			w.Write([]byte("{}"))
		}
		return
	}
	if len(name) < 2 || len(name) > 256 || !nameRE.MatchString(name) {
		g.writeError(w, r, newErr(http.StatusBadRequest, "NAME_INVALID", "invalid repository name"))
		return
	}
	repo := ecr.Repo{Account: account, Region: region, Name: name}
	ok, err := g.images.RepositoryExists(r.Context(), repo)
	if err != nil {
		g.writeError(w, r, err)
		return
	}
	if !ok {
		g.writeError(w, r, nameUnknown(repo))
		return
	}
	var herr error
	switch kind {
	case routeManifest:
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			herr = g.getManifest(w, r, repo, ref)
		case http.MethodPut:
			herr = g.putManifest(w, r, repo, ref)
		case http.MethodDelete:
			herr = g.deleteManifest(w, r, repo, ref)
		default:
			herr = unsupported()
		}
	case routeBlob:
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			herr = g.getBlob(w, r, repo, ref)
		case http.MethodDelete:
			herr = g.deleteBlob(w, r, repo, ref)
		default:
			herr = unsupported()
		}
	case routeUploads:
		if r.Method != http.MethodPost {
			herr = unsupported()
			break
		}
		herr = g.startUpload(w, r, repo)
	case routeUpload:
		switch r.Method {
		case http.MethodGet:
			herr = g.uploadStatus(w, r, repo, ref)
		case http.MethodPatch:
			herr = g.patchUpload(w, r, repo, ref)
		case http.MethodPut:
			herr = g.finishUpload(w, r, repo, ref)
		case http.MethodDelete:
			herr = g.cancelUpload(w, r, repo, ref)
		default:
			herr = unsupported()
		}
	case routeTags:
		if r.Method != http.MethodGet {
			herr = unsupported()
			break
		}
		herr = g.listTags(w, r, repo)
	case routeReferrers:
		if r.Method != http.MethodGet {
			herr = unsupported()
			break
		}
		herr = g.referrers(w, r, repo, ref)
	}
	if herr != nil {
		g.writeError(w, r, herr)
	}
}
