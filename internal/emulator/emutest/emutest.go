// Package emutest starts the emulator for tests: a fresh data dir, an
// httptest server, and an aws.Config whose clients talk to it.
package emutest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
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
	h, err := awsmodel.Wrap(emu, func(problem string) { t.Error(problem) })
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatal(err)
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

// Authorize gives a hand-made request the Authorization header of an SDK
// call from the test credentials in us-east-1, for tests that look at the
// raw wire. The emulator reads the credential scope and does not check the
// signature; a call without the header is refused, as AWS refuses it.
func Authorize(req *http.Request, service string) {
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"+service+
		"/aws4_request, SignedHeaders=host;x-amz-date, Signature=0")
}
