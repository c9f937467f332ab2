package registry

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/berthhq/berth/internal/emulator/ecr"
	"github.com/berthhq/berth/internal/emulator/state"
)

// digest is a parsed content address: algorithm and lowercase hex.
type digest struct{ algo, hex string }

func (d digest) String() string { return d.algo + ":" + d.hex }

var digestRE = regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`)

// parseDigest accepts the algorithms the registry can verify: sha256 and sha512.
func parseDigest(s string) (digest, *regError) {
	if !digestRE.MatchString(s) {
		return digest{}, digestInvalid("invalid digest: " + s)
	}
	algo, h, _ := strings.Cut(s, ":")
	n := 0
	switch algo {
	case "sha256":
		n = 64
	case "sha512":
		n = 128
	default:
		return digest{}, newErr(http.StatusBadRequest, "UNSUPPORTED", "unsupported digest algorithm: "+algo)
	}
	if len(h) != n {
		return digest{}, digestInvalid("invalid digest: " + s)
	}
	if _, err := hex.DecodeString(h); err != nil || strings.ToLower(h) != h {
		return digest{}, digestInvalid("invalid digest: " + s)
	}
	return digest{algo, h}, nil
}

func newHash(algo string) hash.Hash {
	if algo == "sha512" {
		return sha512.New()
	}
	return sha256.New()
}

func (g *Registry) blobPath(d digest) string    { return filepath.Join(g.blobDir, d.algo, d.hex) }
func (g *Registry) uploadPath(id string) string { return filepath.Join(g.upDir, id) }

// ---- blob links: which repository holds which blob ----

func blobLinked(q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, ctx context.Context, r ecr.Repo, d string) (int64, bool, error) {
	var size int64
	err := q.QueryRowContext(ctx, `SELECT size FROM registry_blobs WHERE account=? AND region=? AND repository=? AND digest=?`,
		r.Account, r.Region, r.Name, d).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return size, err == nil, err
}

// commitBlob makes the verified file at tmp the blob d and links it into
// repository r, in one write transaction: the rename happens under the
// writer lock, so a concurrent delete of the last link cannot remove the
// file between the rename and the link.
func (g *Registry) commitBlob(ctx context.Context, r ecr.Repo, d digest, size int64, tmp string) error {
	return g.db.Write(ctx, func(tx *state.Tx) error {
		final := g.blobPath(d)
		if fi, err := os.Stat(final); err == nil && fi.Size() == size {
			os.Remove(tmp)
		} else {
			if err := os.Rename(tmp, final); err != nil {
				return err
			}
			if err := syncDir(filepath.Dir(final)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO registry_blobs (account, region, repository, digest, size, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			r.Account, r.Region, r.Name, d.String(), size, g.now().UnixMilli())
		return err
	})
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// writeTemp streams body into a temp file in the blob's folder, hashing as
// it goes, and fsyncs it.
func (g *Registry) writeTemp(algo string, body io.Reader) (path string, size int64, sum string, err error) {
	f, err := os.CreateTemp(filepath.Join(g.blobDir, algo), ".tmp-*")
	if err != nil {
		return "", 0, "", err
	}
	h := newHash(algo)
	size, err = io.Copy(io.MultiWriter(f, h), &clientBody{body})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", 0, "", err
	}
	return f.Name(), size, algo + ":" + hex.EncodeToString(h.Sum(nil)), nil
}

// clientBody marks a failure to read the request body as the client's: an
// upload cut off by the client is a 400, not a server error.
type clientBody struct{ r io.Reader }

func (c *clientBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		err = newErr(http.StatusBadRequest, "BLOB_UPLOAD_INVALID", "the upload was interrupted: "+err.Error())
	}
	return n, err
}

// ---- GET / HEAD / DELETE /v2/<name>/blobs/<digest> ----

func (g *Registry) getBlob(w http.ResponseWriter, r *http.Request, repo ecr.Repo, ref string) error {
	d, perr := parseDigest(ref)
	if perr != nil {
		return perr
	}
	_, ok, err := blobLinked(g.db.Read(), r.Context(), repo, d.String())
	if err != nil {
		return err
	}
	if !ok {
		return blobUnknown(d.String())
	}
	f, err := os.Open(g.blobPath(d))
	if errors.Is(err, os.ErrNotExist) {
		return blobUnknown(d.String())
	}
	if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Docker-Content-Digest", d.String())
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Etag", `"`+d.String()+`"`)
	h.Set("Cache-Control", "max-age=31536000")
	// ServeContent answers HEAD, Range and If-Range.
	http.ServeContent(w, r, "", zeroTime, f)
	return nil
}

func (g *Registry) deleteBlob(w http.ResponseWriter, r *http.Request, repo ecr.Repo, ref string) error {
	d, perr := parseDigest(ref)
	if perr != nil {
		return perr
	}
	err := g.db.Write(r.Context(), func(tx *state.Tx) error {
		res, err := tx.ExecContext(r.Context(), `DELETE FROM registry_blobs WHERE account=? AND region=? AND repository=? AND digest=?`,
			repo.Account, repo.Region, repo.Name, d.String())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return blobUnknown(d.String())
		}
		// The file goes with its last link anywhere.
		var one int
		err = tx.QueryRowContext(r.Context(), `SELECT 1 FROM registry_blobs WHERE digest=? LIMIT 1`, d.String()).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			if err := os.Remove(g.blobPath(d)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// ---- uploads ----

type runningHash struct {
	size int64
	h    hash.Hash
}

func (g *Registry) lock(id string) func() {
	h := fnv.New32a()
	h.Write([]byte(id))
	m := &g.locks[h.Sum32()%uint32(len(g.locks))]
	m.Lock()
	return m.Unlock
}

func uploadLocation(repo ecr.Repo, id string) string {
	return "/v2/" + repo.Name + "/blobs/uploads/" + id
}

func blobLocation(repo ecr.Repo, d string) string {
	return "/v2/" + repo.Name + "/blobs/" + d
}

func writeUploadProgress(w http.ResponseWriter, repo ecr.Repo, id string, size int64, status int) {
	h := w.Header()
	h.Set("Location", uploadLocation(repo, id))
	h.Set("Docker-Upload-Uuid", id)
	h.Set("Range", fmt.Sprintf("0-%d", max(size-1, 0)))
	h.Set("Content-Length", "0")
	w.WriteHeader(status)
}

func writeBlobCreated(w http.ResponseWriter, repo ecr.Repo, d string) {
	h := w.Header()
	h.Set("Location", blobLocation(repo, d))
	h.Set("Docker-Content-Digest", d)
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

// startUpload is POST /v2/<name>/blobs/uploads/: a cross-repository mount
// (?mount=&from=), a monolithic upload (?digest=) or a new session.
func (g *Registry) startUpload(w http.ResponseWriter, r *http.Request, repo ecr.Repo) error {
	q := r.URL.Query()
	if m := q.Get("mount"); m != "" {
		if d, perr := parseDigest(m); perr == nil {
			mounted, err := g.mount(r.Context(), repo, d, q.Get("from"))
			if err != nil {
				return err
			}
			if mounted {
				writeBlobCreated(w, repo, d.String())
				return nil
			}
		}
		// Not mountable: start an ordinary upload, as the spec asks.
	} else if ds := q.Get("digest"); ds != "" {
		d, perr := parseDigest(ds)
		if perr != nil {
			return perr
		}
		tmp, size, sum, err := g.writeTemp(d.algo, r.Body)
		if err != nil {
			return err
		}
		if sum != d.String() {
			os.Remove(tmp)
			return digestInvalid("provided digest did not match uploaded content")
		}
		if err := g.commitBlob(r.Context(), repo, d, size, tmp); err != nil {
			return err
		}
		writeBlobCreated(w, repo, d.String())
		return nil
	}
	id := uuid.NewString()
	f, err := os.OpenFile(g.uploadPath(id), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	err = g.db.Write(r.Context(), func(tx *state.Tx) error {
		_, err := tx.ExecContext(r.Context(), `INSERT INTO registry_uploads (id, account, region, repository, size, started_at) VALUES (?, ?, ?, ?, 0, ?)`,
			id, repo.Account, repo.Region, repo.Name, g.now().UnixMilli())
		return err
	})
	if err != nil {
		os.Remove(g.uploadPath(id))
		return err
	}
	g.mu.Lock()
	g.hashes[id] = &runningHash{h: sha256.New()}
	g.mu.Unlock()
	writeUploadProgress(w, repo, id, 0, http.StatusAccepted)
	return nil
}

// mount links a blob another repository of the same registry holds. With
// no from, any repository of the registry will do (OCI 1.1 anonymous mount).
func (g *Registry) mount(ctx context.Context, repo ecr.Repo, d digest, from string) (bool, error) {
	var size int64
	var err error
	if from != "" {
		src := ecr.Repo{Account: repo.Account, Region: repo.Region, Name: from}
		var ok bool
		size, ok, err = blobLinked(g.db.Read(), ctx, src, d.String())
		if err != nil || !ok {
			return false, err
		}
	} else {
		err = g.db.Read().QueryRowContext(ctx, `SELECT size FROM registry_blobs WHERE account=? AND region=? AND digest=? LIMIT 1`,
			repo.Account, repo.Region, d.String()).Scan(&size)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	mounted := false
	err = g.db.Write(ctx, func(tx *state.Tx) error {
		// Checked under the writer lock: a delete of the last link removes
		// the file in the same lock.
		if _, err := os.Stat(g.blobPath(d)); err != nil {
			return nil
		}
		mounted = true
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO registry_blobs (account, region, repository, digest, size, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			repo.Account, repo.Region, repo.Name, d.String(), size, g.now().UnixMilli())
		return err
	})
	return mounted && err == nil, err
}

// session reads an upload session of the repository.
func (g *Registry) session(ctx context.Context, repo ecr.Repo, id string) (int64, error) {
	if _, err := uuid.Parse(id); err != nil {
		return 0, uploadUnknown()
	}
	var size int64
	err := g.db.Read().QueryRowContext(ctx, `SELECT size FROM registry_uploads WHERE id=? AND account=? AND region=? AND repository=?`,
		id, repo.Account, repo.Region, repo.Name).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, uploadUnknown()
	}
	return size, err
}

func (g *Registry) uploadStatus(w http.ResponseWriter, r *http.Request, repo ecr.Repo, id string) error {
	unlock := g.lock(id)
	defer unlock()
	size, err := g.session(r.Context(), repo, id)
	if err != nil {
		return err
	}
	writeUploadProgress(w, repo, id, size, http.StatusNoContent)
	return nil
}

// contentRange parses "start-end" (the registry form, also "bytes start-end").
func contentRange(v string) (start, end int64, ok bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "bytes ")
	a, b, found := strings.Cut(v, "-")
	if !found {
		return 0, 0, false
	}
	b, _, _ = strings.Cut(b, "/")
	s, err1 := strconv.ParseInt(a, 10, 64)
	e, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || s < 0 || e < s {
		return 0, 0, false
	}
	return s, e, true
}

// appendChunk writes body at offset size of the session's data (cutting
// off anything a crashed request left past it) and returns the new size.
// A Content-Range that does not start at size is refused with 416.
func (g *Registry) appendChunk(r *http.Request, repo ecr.Repo, id string, size int64) (int64, error) {
	if cr := r.Header.Get("Content-Range"); cr != "" {
		start, end, ok := contentRange(cr)
		if !ok || start != size || (r.ContentLength >= 0 && end-start+1 != r.ContentLength) {
			e := newErr(http.StatusRequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID", "invalid content range")
			e.header = http.Header{
				"Location":           {uploadLocation(repo, id)},
				"Range":              {fmt.Sprintf("0-%d", max(size-1, 0))},
				"Docker-Upload-Uuid": {id},
			}
			return size, e
		}
	}
	f, err := os.OpenFile(g.uploadPath(id), os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return size, err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return size, err
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		return size, err
	}
	g.mu.Lock()
	rh := g.hashes[id]
	g.mu.Unlock()
	var dst io.Writer = f
	if rh != nil && rh.size == size {
		dst = io.MultiWriter(f, rh.h)
	} else {
		rh = nil
		g.mu.Lock()
		delete(g.hashes, id)
		g.mu.Unlock()
	}
	bw := bufio.NewWriterSize(dst, 256<<10)
	n, err := io.Copy(bw, &clientBody{r.Body})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		// The hash has seen bytes the session will not keep.
		g.mu.Lock()
		delete(g.hashes, id)
		g.mu.Unlock()
		return size, err
	}
	if rh != nil {
		rh.size += n
	}
	size += n
	err = g.db.Write(r.Context(), func(tx *state.Tx) error {
		_, err := tx.ExecContext(r.Context(), `UPDATE registry_uploads SET size=? WHERE id=?`, size, id)
		return err
	})
	return size, err
}

func (g *Registry) patchUpload(w http.ResponseWriter, r *http.Request, repo ecr.Repo, id string) error {
	unlock := g.lock(id)
	defer unlock()
	size, err := g.session(r.Context(), repo, id)
	if err != nil {
		return err
	}
	size, err = g.appendChunk(r, repo, id, size)
	if err != nil {
		return err
	}
	writeUploadProgress(w, repo, id, size, http.StatusAccepted)
	return nil
}

// finishUpload is PUT /v2/<name>/blobs/uploads/<id>?digest=: the last
// chunk (optional), then the digest check, then the data becomes the blob by
// rename. A mismatch leaves no blob and ends the session.
func (g *Registry) finishUpload(w http.ResponseWriter, r *http.Request, repo ecr.Repo, id string) error {
	unlock := g.lock(id)
	defer unlock()
	size, err := g.session(r.Context(), repo, id)
	if err != nil {
		return err
	}
	ds := r.URL.Query().Get("digest")
	if ds == "" {
		return digestInvalid("digest parameter is required")
	}
	d, perr := parseDigest(ds)
	if perr != nil {
		return perr
	}
	if r.ContentLength != 0 {
		if size, err = g.appendChunk(r, repo, id, size); err != nil {
			return err
		}
	}
	path := g.uploadPath(id)
	g.mu.Lock()
	rh := g.hashes[id]
	g.mu.Unlock()
	var sum string
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	// The data must be on disk before the rename makes it a blob.
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if d.algo == "sha256" && rh != nil && rh.size == size {
		sum = "sha256:" + hex.EncodeToString(rh.h.Sum(nil))
	} else {
		h := newHash(d.algo)
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, size)); err != nil {
			f.Close()
			return err
		}
		sum = d.algo + ":" + hex.EncodeToString(h.Sum(nil))
	}
	f.Close()
	if sum != d.String() {
		g.endSession(r.Context(), id)
		return digestInvalid("provided digest did not match uploaded content")
	}
	err = g.db.Write(r.Context(), func(tx *state.Tx) error {
		final := g.blobPath(d)
		if fi, err := os.Stat(final); err == nil && fi.Size() == size {
			os.Remove(path)
		} else {
			if err := os.Rename(path, final); err != nil {
				return err
			}
			if err := syncDir(filepath.Dir(final)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(r.Context(), `DELETE FROM registry_uploads WHERE id=?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(r.Context(), `INSERT OR IGNORE INTO registry_blobs (account, region, repository, digest, size, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			repo.Account, repo.Region, repo.Name, d.String(), size, g.now().UnixMilli())
		return err
	})
	if err != nil {
		return err
	}
	g.mu.Lock()
	delete(g.hashes, id)
	g.mu.Unlock()
	writeBlobCreated(w, repo, d.String())
	return nil
}

// endSession drops an upload session and its data.
func (g *Registry) endSession(ctx context.Context, id string) error {
	g.mu.Lock()
	delete(g.hashes, id)
	g.mu.Unlock()
	err := g.db.Write(ctx, func(tx *state.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM registry_uploads WHERE id=?`, id)
		return err
	})
	if rerr := os.Remove(g.uploadPath(id)); err == nil && rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		err = rerr
	}
	return err
}

func (g *Registry) cancelUpload(w http.ResponseWriter, r *http.Request, repo ecr.Repo, id string) error {
	unlock := g.lock(id)
	defer unlock()
	if _, err := g.session(r.Context(), repo, id); err != nil {
		return err
	}
	if err := g.endSession(r.Context(), id); err != nil {
		return err
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// recover clears what a crash can leave: temp blob files (never renamed,
// so never a blob), upload data without a session and sessions without
// data. It also removes blob files no repository links any more (their
// repository was deleted through ECR's API, which drops the links).
func (g *Registry) recover() error {
	for _, algo := range []string{"sha256", "sha512"} {
		entries, err := os.ReadDir(filepath.Join(g.blobDir, algo))
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := filepath.Join(g.blobDir, algo, e.Name())
			if strings.HasPrefix(e.Name(), ".tmp-") {
				os.Remove(p)
				continue
			}
			var one int
			err := g.db.Read().QueryRow(`SELECT 1 FROM registry_blobs WHERE digest=? LIMIT 1`, algo+":"+e.Name()).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				os.Remove(p)
			} else if err != nil {
				return err
			}
		}
	}
	ids := map[string]bool{}
	rows, err := g.db.Read().Query(`SELECT id FROM registry_uploads`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids[id] = true
	}
	rows.Close()
	entries, err := os.ReadDir(g.upDir)
	if err != nil {
		return err
	}
	onDisk := map[string]bool{}
	for _, e := range entries {
		if ids[e.Name()] {
			onDisk[e.Name()] = true
			continue
		}
		os.Remove(filepath.Join(g.upDir, e.Name()))
	}
	return g.db.Write(context.Background(), func(tx *state.Tx) error {
		for id := range ids {
			if !onDisk[id] {
				if _, err := tx.Exec(`DELETE FROM registry_uploads WHERE id=?`, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
