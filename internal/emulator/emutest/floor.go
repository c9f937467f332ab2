package emutest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// StartReplay starts an emulator (real, for setting up state) and a server
// in front of it (replay) that passes its first request on and answers
// every later one with that first answer, whatever it asks: a server that
// does no work of its own. Benchmarks run the same SDK call against replay
// to show what the SDK and net/http cost before the emulator does anything,
// the floor under each figure.
func StartReplay(t testing.TB) (replay, real *Env) {
	t.Helper()
	env := Start(t)
	var (
		once   sync.Once
		header http.Header
		status int
		body   []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			rec := httptest.NewRecorder()
			env.Emulator.ServeHTTP(rec, r)
			header, status, body = rec.Header(), rec.Code, rec.Body.Bytes()
		})
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return &Env{Emulator: env.Emulator, URL: srv.URL, DataDir: env.DataDir, Config: Config(srv.URL, "us-east-1")}, env
}
