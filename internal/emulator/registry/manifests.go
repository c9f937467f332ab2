package registry

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/emulator/ecr"
)

var zeroTime time.Time

// maxManifest is ECR's limit on imageManifest (4 MiB).
const maxManifest = 4 << 20

// tagRE is the OCI tag grammar.
var tagRE = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)

func isDigestRef(ref string) bool { return strings.Contains(ref, ":") }

// ---- GET / HEAD /v2/<name>/manifests/<reference> ----

func (g *Registry) getManifest(w http.ResponseWriter, r *http.Request, repo ecr.Repo, ref string) error {
	if isDigestRef(ref) {
		if _, perr := parseDigest(ref); perr != nil {
			return manifestUnknown()
		}
	} else if !tagRE.MatchString(ref) {
		return manifestUnknown()
	}
	img, err := g.images.GetManifest(r.Context(), repo, ref)
	switch {
	case errors.Is(err, ecr.ErrRepositoryNotFound):
		return nameUnknown(repo)
	case errors.Is(err, ecr.ErrImageNotFound):
		return manifestUnknown()
	case err != nil:
		return err
	}
	h := w.Header()
	h.Set("Content-Type", img.MediaType)
	h.Set("Docker-Content-Digest", img.Digest)
	h.Set("Etag", `"`+img.Digest+`"`)
	h.Set("Content-Length", strconv.Itoa(len(img.Manifest)))
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	// A GET is a pull: ECR's lastRecordedPullTime.
	if err := g.images.RecordPull(r.Context(), repo, img.Digest, g.now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	w.Write(img.Manifest)
	return nil
}

// ---- PUT /v2/<name>/manifests/<reference> ----

type descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
}

type manifestDoc struct {
	MediaType string       `json:"mediaType"`
	Config    *descriptor  `json:"config"`
	Layers    []descriptor `json:"layers"`
	Manifests []descriptor `json:"manifests"`
	Subject   *descriptor  `json:"subject"`
	// Schema 1 manifests name their layers here.
	FSLayers []struct {
		BlobSum string `json:"blobSum"`
	} `json:"fsLayers"`
}

// nondistributable layers are not pushed; a registry must not ask for them.
func nondistributable(mediaType string) bool {
	return strings.Contains(mediaType, "nondistributable") || strings.Contains(mediaType, "foreign")
}

func manifestInvalid(msg string) *regError {
	return newErr(http.StatusBadRequest, "MANIFEST_INVALID", msg)
}

func (g *Registry) putManifest(w http.ResponseWriter, r *http.Request, repo ecr.Repo, ref string) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxManifest+1))
	if err != nil {
		return err
	}
	if len(body) > maxManifest {
		return newErr(http.StatusRequestEntityTooLarge, "SIZE_INVALID", "manifest exceeds the 4 MiB limit")
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "", "application/json", "application/octet-stream", "text/plain":
		mediaType = ""
	}
	// tags are the reference when it is a tag, else the ?tag= parameters
	// (OCI 1.1+: push by digest and tag in one request).
	var tags []string
	dig := ecr.Digest(body)
	if isDigestRef(ref) {
		d, perr := parseDigest(ref)
		if perr != nil {
			return digestInvalid("invalid digest: " + ref)
		}
		if d.algo == "sha512" {
			sum := sha512.Sum512(body)
			dig = "sha512:" + hex.EncodeToString(sum[:])
		}
		if d.String() != dig {
			return digestInvalid("provided digest did not match uploaded content")
		}
		tags = r.URL.Query()["tag"]
	} else {
		tags = []string{ref}
	}
	for _, tag := range tags {
		if !tagRE.MatchString(tag) {
			return newErr(http.StatusBadRequest, "TAG_INVALID", "Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '"+tagRE.String()+"''")
		}
	}
	var doc manifestDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return manifestInvalid("Invalid JSON syntax")
	}
	if err := g.checkReferencedBlobs(r, repo, &doc); err != nil {
		return err
	}
	if len(tags) == 0 {
		tags = []string{""}
	}
	for _, tag := range tags {
		if err := g.storeManifest(r, repo, body, mediaType, tag, dig); err != nil {
			return err
		}
	}
	h := w.Header()
	h.Set("Location", "/v2/"+repo.Name+"/manifests/"+dig)
	h.Set("Docker-Content-Digest", dig)
	if doc.Subject != nil && doc.Subject.Digest != "" {
		h.Set("Oci-Subject", doc.Subject.Digest)
	}
	if isDigestRef(ref) {
		for _, tag := range tags {
			if tag != "" {
				h.Add("Oci-Tag", tag)
			}
		}
	}
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
	return nil
}

// storeManifest puts the manifest in ECR's image store under one tag ("" for none).
func (g *Registry) storeManifest(r *http.Request, repo ecr.Repo, body []byte, mediaType, tag, dig string) error {
	_, err := g.images.PutManifestAs(r.Context(), repo, body, mediaType, tag, dig)
	var me *ecr.ManifestError
	switch {
	case err == nil, errors.Is(err, ecr.ErrImageAlreadyExists):
		// Pushing the same manifest again is how docker re-pushes; it succeeds.
		return nil
	case errors.Is(err, ecr.ErrDigestMismatch):
		return digestInvalid("provided digest did not match uploaded content")
	case errors.As(err, &me):
		return manifestInvalid(me.Error())
	case errors.Is(err, ecr.ErrRepositoryNotFound):
		return nameUnknown(repo)
	case errors.Is(err, ecr.ErrImageTagAlreadyExists):
		return newErr(http.StatusBadRequest, "TAG_INVALID", fmt.Sprintf(
			"The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the repository is immutable.", tag, repo.Name))
	case errors.Is(err, ecr.ErrReferencedImagesNotFound):
		return newErr(http.StatusBadRequest, "MANIFEST_BLOB_UNKNOWN", "The manifest list is referencing an image that does not exist.")
	default:
		return err
	}
}

// checkReferencedBlobs refuses an image manifest whose config or layers the
// repository does not hold, as ECR does (LayersNotFoundException in its API).
func (g *Registry) checkReferencedBlobs(r *http.Request, repo ecr.Repo, doc *manifestDoc) error {
	var need []string
	if doc.Config != nil {
		need = append(need, doc.Config.Digest)
	}
	for _, l := range doc.Layers {
		if !nondistributable(l.MediaType) {
			need = append(need, l.Digest)
		}
	}
	for _, l := range doc.FSLayers {
		need = append(need, l.BlobSum)
	}
	var missing []string
	for _, d := range need {
		_, ok, err := blobLinked(g.db.Read(), r.Context(), repo, d)
		if err != nil {
			return err
		}
		if !ok {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		return newErr(http.StatusBadRequest, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry").withDetail(map[string]any{"digests": missing})
	}
	return nil
}

// ---- DELETE /v2/<name>/manifests/<reference> ----

func (g *Registry) deleteManifest(w http.ResponseWriter, r *http.Request, repo ecr.Repo, ref string) error {
	var err error
	if isDigestRef(ref) {
		if _, perr := parseDigest(ref); perr != nil {
			return perr
		}
		err = g.images.DeleteManifest(r.Context(), repo, ref)
	} else {
		if !tagRE.MatchString(ref) {
			return newErr(http.StatusBadRequest, "TAG_INVALID", "invalid tag")
		}
		err = g.images.DeleteTag(r.Context(), repo, ref)
	}
	switch {
	case err == nil:
	case errors.Is(err, ecr.ErrRepositoryNotFound):
		return nameUnknown(repo)
	case errors.Is(err, ecr.ErrImageNotFound):
		return manifestUnknown()
	case errors.Is(err, ecr.ErrReferencedByManifestList):
		return newErr(http.StatusConflict, "DENIED", "Requested image referenced by manifest list")
	default:
		return err
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// ---- GET /v2/<name>/tags/list ----

// maxTagsPage bounds one tags page; a larger n is cut and the Link header
// leads on.
const maxTagsPage = 1000

func (g *Registry) listTags(w http.ResponseWriter, r *http.Request, repo ecr.Repo) error {
	q := r.URL.Query()
	n := maxTagsPage
	if v := q.Get("n"); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 {
			return newErr(http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid number of results requested")
		}
		n = min(i, maxTagsPage)
	}
	last := q.Get("last")
	var tags []string
	if n > 0 {
		var err error
		tags, err = g.images.ListTags(r.Context(), repo, last, n+1)
		if errors.Is(err, ecr.ErrRepositoryNotFound) {
			return nameUnknown(repo)
		}
		if err != nil {
			return err
		}
	}
	if tags == nil {
		tags = []string{}
	}
	if len(tags) > n {
		tags = tags[:n]
		next := url.Values{"n": {strconv.Itoa(n)}, "last": {tags[n-1]}}
		w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?%s>; rel="next"`, repo.Name, next.Encode()))
	}
	b, err := json.Marshal(struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}{repo.Name, tags})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
	return nil
}

// ---- GET /v2/<name>/referrers/<digest> ----

type referrer struct {
	MediaType    string            `json:"mediaType"`
	Digest       string            `json:"digest"`
	Size         int64             `json:"size"`
	ArtifactType string            `json:"artifactType,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
}

func (g *Registry) referrers(w http.ResponseWriter, r *http.Request, repo ecr.Repo, ref string) error {
	d, perr := parseDigest(ref)
	if perr != nil {
		return perr
	}
	filter := r.URL.Query().Get("artifactType")
	rows, err := g.db.Read().QueryContext(r.Context(), `SELECT digest, media_type, artifact_media_type, manifest FROM ecr_images
		WHERE account=? AND region=? AND repository=? AND subject_digest=? ORDER BY digest`,
		repo.Account, repo.Region, repo.Name, d.String())
	if err != nil {
		return err
	}
	defer rows.Close()
	out := []referrer{}
	for rows.Next() {
		var ref referrer
		var manifest []byte
		if err := rows.Scan(&ref.Digest, &ref.MediaType, &ref.ArtifactType, &manifest); err != nil {
			return err
		}
		if filter != "" && ref.ArtifactType != filter {
			continue
		}
		ref.Size = int64(len(manifest))
		var ann struct {
			Annotations map[string]string `json:"annotations"`
		}
		json.Unmarshal(manifest, &ann)
		ref.Annotations = ann.Annotations
		out = append(out, ref)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(struct {
		SchemaVersion int        `json:"schemaVersion"`
		MediaType     string     `json:"mediaType"`
		Manifests     []referrer `json:"manifests"`
	}{2, ecr.MediaTypeOCIIndex, out})
	if err != nil {
		return err
	}
	if filter != "" {
		w.Header().Set("Oci-Filters-Applied", "artifactType")
	}
	w.Header().Set("Content-Type", ecr.MediaTypeOCIIndex)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
	return nil
}
