// Package static holds Berth's CSS, JavaScript and icons, embedded into the
// binary and served under content-hashed names so browsers may cache them
// for a year.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed css js img
var files embed.FS

type asset struct {
	body        []byte
	contentType string
}

var (
	hashed = map[string]string{} // logical path -> hashed path
	byURL  = map[string]asset{}  // hashed path -> content
)

func init() {
	fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		h := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:])[:12] + ext
		hashed[p] = "/static/" + h
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		byURL[h] = asset{body: b, contentType: ct}
		return nil
	})
}

// Path returns the content-hashed URL of an embedded file such as
// "css/berth.css". It panics on an unknown name so a typo fails every test.
func Path(name string) string {
	p, ok := hashed[name]
	if !ok {
		panic("static: no file " + name)
	}
	return p
}

// Handler serves /static/<hashed name>. A file is immutable under its hashed
// name, so it is cached for a year.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := byURL[strings.TrimPrefix(r.URL.Path, "/static/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.contentType)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write(a.body)
	})
}
