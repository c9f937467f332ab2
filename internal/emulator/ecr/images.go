package ecr

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/emulator/state"
)

// schema is ECR's tables. Images and tags cascade from their repository so
// that DeleteRepository --force is one statement; tags and index references
// cascade from their image.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS ecr_repositories (
		account TEXT NOT NULL,
		region TEXT NOT NULL,
		name TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		tag_mutability TEXT NOT NULL,
		exclusion_filters TEXT NOT NULL DEFAULT '[]',
		scan_on_push INTEGER NOT NULL DEFAULT 0,
		encryption_type TEXT NOT NULL,
		kms_key TEXT NOT NULL DEFAULT '',
		policy TEXT,
		lifecycle_policy TEXT,
		tags TEXT NOT NULL DEFAULT '[]',
		-- The repository object as DescribeRepositories returns it. NULL
		-- means "build it from the columns": see migrateRepositoryDocs.
		doc TEXT,
		PRIMARY KEY (account, region, name)
	) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS ecr_images (
		account TEXT NOT NULL,
		region TEXT NOT NULL,
		repository TEXT NOT NULL,
		digest TEXT NOT NULL,
		media_type TEXT NOT NULL,
		artifact_media_type TEXT NOT NULL DEFAULT '',
		subject_digest TEXT NOT NULL DEFAULT '',
		manifest BLOB NOT NULL,
		size INTEGER NOT NULL,
		pushed_at INTEGER NOT NULL,
		last_pull INTEGER,
		PRIMARY KEY (account, region, repository, digest),
		FOREIGN KEY (account, region, repository) REFERENCES ecr_repositories (account, region, name) ON DELETE CASCADE
	)`,
	`CREATE TABLE IF NOT EXISTS ecr_image_tags (
		account TEXT NOT NULL,
		region TEXT NOT NULL,
		repository TEXT NOT NULL,
		tag TEXT NOT NULL,
		digest TEXT NOT NULL,
		PRIMARY KEY (account, region, repository, tag),
		FOREIGN KEY (account, region, repository, digest) REFERENCES ecr_images (account, region, repository, digest) ON DELETE CASCADE
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS ecr_image_tags_by_digest ON ecr_image_tags (account, region, repository, digest, tag)`,
	`CREATE TABLE IF NOT EXISTS ecr_image_refs (
		account TEXT NOT NULL,
		region TEXT NOT NULL,
		repository TEXT NOT NULL,
		child TEXT NOT NULL,
		parent TEXT NOT NULL,
		PRIMARY KEY (account, region, repository, child, parent),
		FOREIGN KEY (account, region, repository, parent) REFERENCES ecr_images (account, region, repository, digest) ON DELETE CASCADE
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS ecr_image_refs_by_parent ON ecr_image_refs (account, region, repository, parent)`,
	`CREATE TABLE IF NOT EXISTS ecr_secrets (
		name TEXT PRIMARY KEY,
		value BLOB NOT NULL
	)`,
}

// Errors of the image store. The ECR API and the registry each turn them
// into their own protocol's error.
var (
	ErrRepositoryNotFound       = errors.New("ecr: repository not found")
	ErrImageNotFound            = errors.New("ecr: image not found")
	ErrImageAlreadyExists       = errors.New("ecr: image with this digest and tag already exists")
	ErrImageTagAlreadyExists    = errors.New("ecr: tag exists and is immutable")
	ErrReferencedImagesNotFound = errors.New("ecr: manifest list references images that do not exist")
	ErrReferencedByManifestList = errors.New("ecr: image is referenced by a manifest list")
)

// Repo names one repository: the registry (account), region and name.
type Repo struct {
	Account, Region, Name string
}

// Image is one stored manifest with what ECR reports about it.
type Image struct {
	Digest            string
	MediaType         string
	ArtifactMediaType string
	SubjectDigest     string
	Manifest          []byte
	// Size is imageSizeInBytes: the sum of the layer sizes for an image, the
	// largest referenced image for a manifest list / index.
	Size     int64
	PushedAt time.Time
	// LastPull is zero when the image was never pulled.
	LastPull time.Time
	Tags     []string
}

// Images is the image store: manifests by digest and tags by name, per
// repository. ECR's API and the emulator's OCI registry (/v2/) share it, so
// a docker push shows in DescribeImages and PutImage is pullable.
type Images struct {
	db *state.DB
}

// NewImages returns the image store on db, creating ECR's tables if needed.
func NewImages(db *state.DB) (*Images, error) {
	if err := db.Migrate(schema...); err != nil {
		return nil, err
	}
	if err := migrateRepositoryDocs(db); err != nil {
		return nil, err
	}
	return &Images{db: db}, nil
}

// migrateRepositoryDocs brings a data dir from before the doc column up to
// date: it adds the column and fills it for every repository without one.
// The trigger clears a document whenever a setting it shows changes without
// the document being rewritten in the same statement, so that even a
// repository changed by an older emulator on this data dir is described
// from its columns rather than from a stale document.
func migrateRepositoryDocs(db *state.DB) error {
	return db.Write(context.Background(), func(tx *state.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM pragma_table_info('ecr_repositories') WHERE name='doc'`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if _, err := tx.Exec(`ALTER TABLE ecr_repositories ADD COLUMN doc TEXT`); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`CREATE TRIGGER IF NOT EXISTS ecr_repositories_doc_stale
			AFTER UPDATE OF name, created_at, tag_mutability, exclusion_filters, scan_on_push, encryption_type, kms_key ON ecr_repositories
			FOR EACH ROW WHEN NEW.doc IS OLD.doc
			BEGIN
				UPDATE ecr_repositories SET doc = NULL WHERE account = NEW.account AND region = NEW.region AND name = NEW.name;
			END`); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT account, region, name FROM ecr_repositories WHERE doc IS NULL`)
		if err != nil {
			return err
		}
		var stale []Repo
		for rows.Next() {
			var r Repo
			if err := rows.Scan(&r.Account, &r.Region, &r.Name); err != nil {
				rows.Close()
				return err
			}
			stale = append(stale, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range stale {
			if err := refreshDoc(tx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// RepositoryExists reports whether the repository exists.
func (s *Images) RepositoryExists(ctx context.Context, r Repo) (bool, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT 1 FROM ecr_repositories WHERE account=? AND region=? AND name=?`,
		r.Account, r.Region, r.Name).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// PutManifest stores a manifest and points tag (optional) at it, with ECR's
// rules: immutable tags are not moved, a manifest already stored under the
// same tag (or with no tag) is ErrImageAlreadyExists, a tag moves from its old
// image (which stays, untagged if that was its last tag), and a manifest list
// must reference images already in the repository. mediaType may be empty.
func (s *Images) PutManifest(ctx context.Context, r Repo, manifest []byte, mediaType, tag string) (*Image, error) {
	return s.PutManifestAs(ctx, r, manifest, mediaType, tag, "")
}

// ErrDigestMismatch is returned by PutManifestAs when the manifest's bytes
// do not hash to the digest given.
var ErrDigestMismatch = errors.New("ecr: manifest does not match its digest")

// PutManifestAs is PutManifest with the digest the image is stored under:
// "" or a sha256 digest is the usual content address; a sha512 digest is
// how an OCI client pushes by /v2/<name>/manifests/sha512:…. The digest
// must match the manifest's bytes (ErrDigestMismatch).
func (s *Images) PutManifestAs(ctx context.Context, r Repo, manifest []byte, mediaType, tag, digest string) (*Image, error) {
	p, err := parseManifest(manifest, mediaType)
	if err != nil {
		return nil, err
	}
	if digest != "" {
		if digest != p.digest && digest != digestSHA512(manifest) {
			return nil, ErrDigestMismatch
		}
		p.digest = digest
	}
	var img *Image
	err = s.db.Write(ctx, func(tx *state.Tx) error {
		img, err = putManifest(tx, r, manifest, p, tag, time.Now())
		return err
	})
	return img, err
}

func putManifest(tx *state.Tx, r Repo, manifest []byte, p *parsedManifest, tag string, now time.Time) (*Image, error) {
	var mutability, filtersJSON string
	err := tx.QueryRow(`SELECT tag_mutability, exclusion_filters FROM ecr_repositories WHERE account=? AND region=? AND name=?`,
		r.Account, r.Region, r.Name).Scan(&mutability, &filtersJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrRepositoryNotFound
	}
	if err != nil {
		return nil, err
	}
	size := p.layerSize
	if p.isIndex() {
		for _, child := range p.children {
			var childSize int64
			err := tx.QueryRow(`SELECT size FROM ecr_images WHERE account=? AND region=? AND repository=? AND digest=?`,
				r.Account, r.Region, r.Name, child).Scan(&childSize)
			if errors.Is(err, sql.ErrNoRows) {
				return nil, ErrReferencedImagesNotFound
			}
			if err != nil {
				return nil, err
			}
			size = max(size, childSize)
		}
	}
	existing, err := getImage(tx, r, p.digest)
	if err != nil && !errors.Is(err, ErrImageNotFound) {
		return nil, err
	}
	if tag != "" {
		var current string
		err := tx.QueryRow(`SELECT digest FROM ecr_image_tags WHERE account=? AND region=? AND repository=? AND tag=?`,
			r.Account, r.Region, r.Name, tag).Scan(&current)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, err
		case awsrules.TagIsImmutable(mutability, filterValues(filtersJSON), tag):
			return nil, ErrImageTagAlreadyExists
		case current == p.digest:
			return nil, ErrImageAlreadyExists
		}
	} else if existing != nil {
		return nil, ErrImageAlreadyExists
	}
	if existing == nil {
		_, err := tx.Exec(`INSERT INTO ecr_images (account, region, repository, digest, media_type, artifact_media_type, subject_digest, manifest, size, pushed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Account, r.Region, r.Name, p.digest, p.mediaType, p.artifactMediaType, p.subjectDigest, manifest, size, now.UnixMilli())
		if err != nil {
			return nil, err
		}
		for _, child := range p.children {
			if _, err := tx.Exec(`INSERT OR IGNORE INTO ecr_image_refs (account, region, repository, child, parent) VALUES (?, ?, ?, ?, ?)`,
				r.Account, r.Region, r.Name, child, p.digest); err != nil {
				return nil, err
			}
		}
	}
	if tag != "" {
		if _, err := tx.Exec(`INSERT INTO ecr_image_tags (account, region, repository, tag, digest) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account, region, repository, tag) DO UPDATE SET digest=excluded.digest`,
			r.Account, r.Region, r.Name, tag, p.digest); err != nil {
			return nil, err
		}
	}
	return getImage(tx, r, p.digest)
}

// querier is what both state.Reader and *state.Tx offer, so reads run inside or
// outside a write transaction.
type querier interface {
	QueryRow(query string, args ...any) *sql.Row
	Query(query string, args ...any) (*sql.Rows, error)
}

const imageColumns = `i.digest, i.media_type, i.artifact_media_type, i.subject_digest, i.size, i.pushed_at, i.last_pull,
	(SELECT json_group_array(tag) FROM (SELECT t.tag FROM ecr_image_tags t
		WHERE t.account=i.account AND t.region=i.region AND t.repository=i.repository AND t.digest=i.digest ORDER BY t.tag))`

type rowScanner interface{ Scan(dest ...any) error }

func scanImage(row rowScanner) (*Image, error) {
	var img Image
	var pushed int64
	var pulled sql.NullInt64
	var tags string
	if err := row.Scan(&img.Digest, &img.MediaType, &img.ArtifactMediaType, &img.SubjectDigest, &img.Size, &pushed, &pulled, &tags); err != nil {
		return nil, err
	}
	img.PushedAt = time.UnixMilli(pushed).UTC()
	if pulled.Valid {
		img.LastPull = time.UnixMilli(pulled.Int64).UTC()
	}
	if err := json.Unmarshal([]byte(tags), &img.Tags); err != nil {
		return nil, err
	}
	return &img, nil
}

// getImage reads one image by digest (without the manifest bytes).
func getImage(q querier, r Repo, digest string) (*Image, error) {
	img, err := scanImage(q.QueryRow(`SELECT `+imageColumns+` FROM ecr_images i WHERE i.account=? AND i.region=? AND i.repository=? AND i.digest=?`,
		r.Account, r.Region, r.Name, digest))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrImageNotFound
	}
	return img, err
}

// resolveTag returns the digest a tag points at.
func resolveTag(q querier, r Repo, tag string) (string, error) {
	var digest string
	err := q.QueryRow(`SELECT digest FROM ecr_image_tags WHERE account=? AND region=? AND repository=? AND tag=?`,
		r.Account, r.Region, r.Name, tag).Scan(&digest)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrImageNotFound
	}
	return digest, err
}

func manifestBytes(q querier, r Repo, digest string) ([]byte, error) {
	var b []byte
	err := q.QueryRow(`SELECT manifest FROM ecr_images WHERE account=? AND region=? AND repository=? AND digest=?`,
		r.Account, r.Region, r.Name, digest).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrImageNotFound
	}
	return b, err
}

// GetManifest returns the image that reference (a tag or a "sha256:…"
// digest) names, with its manifest bytes exactly as pushed. It does not
// count as a pull; call RecordPull for that.
func (s *Images) GetManifest(ctx context.Context, r Repo, reference string) (*Image, error) {
	if ok, err := s.RepositoryExists(ctx, r); err != nil || !ok {
		if err == nil {
			err = ErrRepositoryNotFound
		}
		return nil, err
	}
	q := readQuerier{ctx, s.db.Read()}
	digest := reference
	if !isDigest(reference) {
		d, err := resolveTag(q, r, reference)
		if err != nil {
			return nil, err
		}
		digest = d
	}
	img, err := getImage(q, r, digest)
	if err != nil {
		return nil, err
	}
	if img.Manifest, err = manifestBytes(q, r, digest); err != nil {
		return nil, err
	}
	return img, nil
}

// RecordPull sets the image's lastRecordedPullTime.
func (s *Images) RecordPull(ctx context.Context, r Repo, digest string, at time.Time) error {
	return s.db.Write(ctx, func(tx *state.Tx) error {
		_, err := tx.Exec(`UPDATE ecr_images SET last_pull=? WHERE account=? AND region=? AND repository=? AND digest=?`,
			at.UnixMilli(), r.Account, r.Region, r.Name, digest)
		return err
	})
}

// ListTags returns up to limit tags of the repository in lexical order,
// starting after the tag `after` (the OCI tags list's "last" parameter).
func (s *Images) ListTags(ctx context.Context, r Repo, after string, limit int) ([]string, error) {
	if ok, err := s.RepositoryExists(ctx, r); err != nil || !ok {
		if err == nil {
			err = ErrRepositoryNotFound
		}
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT tag FROM ecr_image_tags WHERE account=? AND region=? AND repository=? AND tag > ? ORDER BY tag LIMIT ?`,
		r.Account, r.Region, r.Name, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tags := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}
	return tags, rows.Err()
}

// DeleteManifest deletes an image and all its tags. An image that a manifest
// list in the repository references is kept (ErrReferencedByManifestList).
func (s *Images) DeleteManifest(ctx context.Context, r Repo, digest string) error {
	return s.db.Write(ctx, func(tx *state.Tx) error {
		if ok, err := repoExistsTx(tx, r); err != nil || !ok {
			if err == nil {
				err = ErrRepositoryNotFound
			}
			return err
		}
		_, err := deleteImage(tx, r, digest)
		return err
	})
}

// deleteImage deletes an image (tags and references cascade) and returns
// the tags it had.
func deleteImage(tx *state.Tx, r Repo, digest string) ([]string, error) {
	img, err := getImage(tx, r, digest)
	if err != nil {
		return nil, err
	}
	var parent string
	err = tx.QueryRow(`SELECT parent FROM ecr_image_refs WHERE account=? AND region=? AND repository=? AND child=? LIMIT 1`,
		r.Account, r.Region, r.Name, digest).Scan(&parent)
	if err == nil {
		return nil, &referencedError{parent: parent}
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if _, err := tx.Exec(`DELETE FROM ecr_images WHERE account=? AND region=? AND repository=? AND digest=?`,
		r.Account, r.Region, r.Name, digest); err != nil {
		return nil, err
	}
	return img.Tags, nil
}

// referencedError is ErrReferencedByManifestList with the referencing
// manifest list, which ECR names in its failure reason.
type referencedError struct{ parent string }

func (e *referencedError) Error() string {
	return ErrReferencedByManifestList.Error() + ": " + e.parent
}
func (e *referencedError) Unwrap() error { return ErrReferencedByManifestList }

// untag removes one tag; the image goes too when that was its last tag
// (BatchDeleteImage by tag).
func untag(tx *state.Tx, r Repo, tag, digest string) error {
	img, err := getImage(tx, r, digest)
	if err != nil {
		return err
	}
	if len(img.Tags) <= 1 {
		_, err := deleteImage(tx, r, digest)
		return err
	}
	_, err = tx.Exec(`DELETE FROM ecr_image_tags WHERE account=? AND region=? AND repository=? AND tag=?`,
		r.Account, r.Region, r.Name, tag)
	return err
}

func repoExistsTx(q querier, r Repo) (bool, error) {
	var n int
	err := q.QueryRow(`SELECT 1 FROM ecr_repositories WHERE account=? AND region=? AND name=?`, r.Account, r.Region, r.Name).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// readQuerier adapts state.Reader with a context to querier.
type readQuerier struct {
	ctx context.Context
	db  state.Reader
}

func (q readQuerier) QueryRow(query string, args ...any) *sql.Row {
	return q.db.QueryRowContext(q.ctx, query, args...)
}

func (q readQuerier) Query(query string, args ...any) (*sql.Rows, error) {
	return q.db.QueryContext(q.ctx, query, args...)
}

func isDigest(ref string) bool {
	for i := 0; i < len(ref); i++ {
		if ref[i] == ':' {
			return true
		}
	}
	return false
}

func filterValues(filtersJSON string) []string {
	var fs []exclusionFilter
	json.Unmarshal([]byte(filtersJSON), &fs)
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Filter
	}
	return out
}

// DeleteTag removes one tag and keeps its image, untagged if that was its
// last tag. It is the OCI registry's DELETE /v2/<name>/manifests/<tag>,
// which unlike BatchDeleteImage by tag must leave the manifest pullable by
// digest.
func (s *Images) DeleteTag(ctx context.Context, r Repo, tag string) error {
	return s.db.Write(ctx, func(tx *state.Tx) error {
		if ok, err := repoExistsTx(tx, r); err != nil || !ok {
			if err == nil {
				err = ErrRepositoryNotFound
			}
			return err
		}
		res, err := tx.Exec(`DELETE FROM ecr_image_tags WHERE account=? AND region=? AND repository=? AND tag=?`,
			r.Account, r.Region, r.Name, tag)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = ErrImageNotFound
			}
			return err
		}
		return nil
	})
}
