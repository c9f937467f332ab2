package registry_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/berthhq/berth/internal/emulator/emutest"
)

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return fi.Size()
}

// TestSIGKILLDuringUpload kills `berth emulator` while a monolithic and a
// chunked upload are half-way through: after the restart the completed
// push is intact, the cut-off blob does not exist, nothing half-written is
// left in blobs/, and the chunked upload resumes from its last whole chunk.
func TestSIGKILLDuringUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the berth binary")
	}
	t.Parallel()
	dir, addr := t.TempDir(), emutest.FreeAddr(t)
	p := emutest.StartBinary(t, addr, dir)
	g := regFor(t, p.Env)
	g.createRepo(t, "crash", types.ImageTagMutabilityMutable)
	done, _ := random.Image(100000, 2)
	if err := remote.Write(g.ref(t, "crash:done"), done, g.opts()...); err != nil {
		t.Fatal(err)
	}

	data := make([]byte, 4<<20)
	rand.Read(data)
	dg, _, _ := v1.SHA256(bytes.NewReader(data))
	do := func(method, path string, body io.Reader, hdr ...string) (*http.Response, error) {
		req, _ := http.NewRequest(method, "http://"+addr+path, body)
		req.SetBasicAuth("AWS", g.pass)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}

	// A chunked upload with one whole chunk.
	resp, err := do(http.MethodPost, "/v2/crash/blobs/uploads/", nil)
	if err != nil || resp.StatusCode != 202 {
		t.Fatal(err)
	}
	loc := resp.Header.Get("Location")
	id := loc[strings.LastIndex(loc, "/")+1:]
	const chunk = 1 << 20
	if resp, err := do(http.MethodPatch, loc, bytes.NewReader(data[:chunk]), "Content-Range", "0-1048575"); err != nil || resp.StatusCode != 202 {
		t.Fatal(err)
	}

	// Two uploads in flight: the monolithic one and the chunked one's
	// second chunk, each stopped half-way by a pipe that is never finished.
	monoR, monoW := io.Pipe()
	chunkR, chunkW := io.Pipe()
	errs := make(chan error, 2)
	go func() {
		_, err := do(http.MethodPost, "/v2/crash/blobs/uploads/?digest="+dg.String(), monoR)
		errs <- err
	}()
	go func() {
		_, err := do(http.MethodPatch, loc, chunkR, "Content-Range", "1048576-2097151")
		errs <- err
	}()
	go monoW.Write(data[:2<<20])
	go chunkW.Write(data[chunk : chunk+chunk/2])
	waitFor(t, "the monolithic upload's temp file", func() bool {
		tmps, _ := filepath.Glob(filepath.Join(dir, "emulator", "blobs", "sha256", ".tmp-*"))
		return len(tmps) == 1 && fileSize(tmps[0]) > 0
	})
	waitFor(t, "the second chunk on disk", func() bool {
		return fileSize(filepath.Join(dir, "emulator", "uploads", id)) > chunk
	})

	p.Stop(t, syscall.SIGKILL)
	// The client stops writing only when its body ends.
	monoW.CloseWithError(io.ErrUnexpectedEOF)
	chunkW.CloseWithError(io.ErrUnexpectedEOF)
	for range 2 {
		if err := <-errs; err == nil {
			t.Error("an upload cut off by SIGKILL succeeded")
		}
	}

	emutest.StartBinary(t, addr, dir)
	got, err := remote.Image(g.ref(t, "crash:done"), g.opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(got); err != nil {
		t.Fatalf("the push completed before SIGKILL: %v", err)
	}
	if resp, err := do(http.MethodHead, "/v2/crash/blobs/"+dg.String(), nil); err != nil || resp.StatusCode != 404 {
		t.Fatalf("the cut-off blob: %v %d", err, resp.StatusCode)
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, "emulator", "blobs", "*", ".tmp-*"))
	if len(tmps) != 0 {
		t.Errorf("temp files left after restart: %v", tmps)
	}
	if _, err := os.Stat(filepath.Join(dir, "emulator", "blobs", "sha256", dg.Hex)); !os.IsNotExist(err) {
		t.Errorf("a file for the cut-off blob exists: %v", err)
	}

	resp, err = do(http.MethodGet, loc, nil)
	if err != nil || resp.StatusCode != 204 || resp.Header.Get("Range") != "0-1048575" {
		t.Fatalf("chunked session after SIGKILL: %v %d %q", err, resp.StatusCode, resp.Header.Get("Range"))
	}
	if resp, err := do(http.MethodPatch, loc, bytes.NewReader(data[chunk:]), "Content-Range", "1048576-4194303"); err != nil || resp.StatusCode != 202 {
		t.Fatal(err, resp.StatusCode)
	}
	if resp, err := do(http.MethodPut, loc+"?digest="+dg.String(), nil); err != nil || resp.StatusCode != 201 {
		t.Fatal(err, resp.StatusCode)
	}
	b, err := os.ReadFile(filepath.Join(dir, "emulator", "blobs", "sha256", dg.Hex))
	if err != nil || !bytes.Equal(b, data) {
		t.Fatalf("resumed blob differs: %v", err)
	}
}
