// Package emutest starts the emulator for tests: a fresh data dir, an
// httptest server, and an aws.Config whose clients talk to it.
package emutest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"

	"github.com/berthhq/berth/internal/emulator"
	"github.com/berthhq/berth/internal/emulator/awsmodel"
)

// Env is a running emulator.
type Env struct {
	Emulator *emulator.Emulator
	URL      string
	DataDir  string
	// Config points every SDK client at the emulator (region us-east-1,
	// static test credentials).
	Config aws.Config
}

// Start runs an emulator on a fresh data dir for the length of the test.
func Start(t testing.TB) *Env {
	t.Helper()
	return StartAt(t, t.TempDir())
}

// StartAt runs an emulator on the given data dir, for restart tests.
func StartAt(t testing.TB, dataDir string) *Env {
	t.Helper()
	emu, err := emulator.New(emulator.Options{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = emu
	if !awsmodel.Benchmarking() {
		var err error
		h, err = awsmodel.Wrap(emu, func(problem string) { t.Error(problem) })
		if err != nil && os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); emu.Close() })
	return &Env{Emulator: emu, URL: srv.URL, DataDir: dataDir, Config: Config(srv.URL, "us-east-1")}
}

// Config returns an aws.Config for the emulator at url. The SDK's own log is
// off: when a test's server closes, the SDK warns on standard output about
// the idle connection it loses, which tells a test nothing and splits
// benchmark result lines.
func Config(url, region string) aws.Config {
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithLogger(logging.Nop{}),
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithBaseEndpoint(url),
	)
	if err != nil {
		panic(err)
	}
	return cfg
}

// CallJSON sends body as it is to a JSON 1.1 operation ("<prefix>.<Operation>")
// of the emulator at url, past the SDK's types, for tests that look at the
// raw wire, and returns the status and the answer. The request carries the
// Authorization header of an SDK call from the test credentials in
// us-east-1: the emulator reads its scope and does not check the signature,
// but refuses a call without one, as AWS does.
func CallJSON(t testing.TB, url, target, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/any/aws4_request, SignedHeaders=host;x-amz-date, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, answer
}

// CallJSONMap is CallJSON with the answer decoded into a map.
func CallJSONMap(t testing.TB, url, target, body string) (int, map[string]any) {
	t.Helper()
	status, answer := CallJSON(t, url, target, body)
	var m map[string]any
	if err := json.Unmarshal(answer, &m); err != nil {
		t.Fatalf("%s: answer %q is not JSON: %v", target, answer, err)
	}
	return status, m
}
