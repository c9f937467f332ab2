package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/config"
	"github.com/berthhq/berth/internal/emulator"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Parse("berth serve", nil, args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogFormat, stderr)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	st, err := store.Open(ctx, cfg.DataDir, cfg.Team.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := teamSessionKeys(ctx, cfg, st)
	if err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opts := cloud.Options{Region: cfg.Region, Profile: cfg.Profile, Observe: web.ObserveAWS(reg),
		AssumeRoleARN: cfg.AssumeRoleARN, ExternalID: cfg.ExternalID}
	var ready func(context.Context) error

	errc := make(chan error, 2)
	var emuSrv *http.Server
	if cfg.Backend == config.BackendLocal {
		emu, err := emulator.New(emulator.Options{DataDir: cfg.DataDir, AccountID: cfg.AccountID, Logger: log.With("component", "emulator")})
		if err != nil {
			return err
		}
		defer emu.Close()
		eln, err := net.Listen("tcp", cfg.EmulatorAddr)
		if err != nil {
			return fmt.Errorf("local emulator: %w", err)
		}
		opts.Endpoint = "http://" + reachable(eln.Addr().String())
		ready = func(context.Context) error { return emu.Ping() }
		emuSrv = &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- emuSrv.Serve(eln) }()
		log.Info("local AWS emulator listening", "endpoint", opts.Endpoint, "account", emu.AccountID())
	}
	backend := cloud.New(ctx, opts)
	// Without --region the backend found the region (the SDK's, or the
	// fallback): the header, the switcher and clients all use that one.
	cfg.UseRegion(backend.DefaultRegion())
	if err := backend.ConfigErr(); err != nil {
		// Berth still starts: every page and /readyz explain it.
		problem, fix := cloud.Explain(err)
		log.Warn("AWS configuration could not be loaded: every AWS call fails until it is fixed", "problem", problem, "fix", fix)
	}
	if opts.AssumeRoleARN != "" {
		log.Info("signed-in people act through an assumed role, named by STS SourceIdentity", "role", opts.AssumeRoleARN)
	}
	srv := web.New(web.Options{
		Backend: backend, Store: st, Logger: log, SessionKeys: keys,
		SecureCookies: cfg.SecureCookies(), Regions: cfg.Regions, Ready: ready, Metrics: reg,
		Auth: authOptions(cfg),
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { errc <- httpSrv.Serve(ln) }()
	here := reachable(ln.Addr().String())
	log.Info("Berth listening", "url", "http://"+here, "backend", cfg.Backend, "region", cfg.Region, "data_dir", cfg.DataDir)
	fmt.Fprintf(stdout, "Berth is running at http://%s (backend: %s)\n", here, cfg.Backend)
	announceSetup(ctx, srv, cfg, here, log, stdout)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	err = httpSrv.Shutdown(sctx)
	if emuSrv != nil {
		err = errors.Join(err, emuSrv.Shutdown(sctx))
	}
	return err
}

// sessionKeys returns the cookie keys: from configuration when given, else
// from <data-dir>/session.keys, generating that file (0600) on first start so
// sessions survive restarts.
func sessionKeys(configured, dataDir string) ([][]byte, error) {
	text := configured
	if text == "" {
		path := filepath.Join(dataDir, "session.keys")
		b, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			k1, k2 := make([]byte, 32), make([]byte, 32)
			rand.Read(k1)
			rand.Read(k2)
			text = hex.EncodeToString(k1) + "," + hex.EncodeToString(k2)
			if err := os.WriteFile(path, []byte(text+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("write session keys: %w", err)
			}
		case err != nil:
			return nil, fmt.Errorf("read session keys: %w", err)
		default:
			text = strings.TrimSpace(string(b))
		}
	}
	var keys [][]byte
	for _, part := range strings.Split(text, ",") {
		k, err := hex.DecodeString(strings.TrimSpace(part))
		if err != nil || len(k) != 32 {
			return nil, errors.New("session keys must be pairs of hex-encoded 32-byte keys separated by commas: signing key, encryption key[, older signing key, older encryption key]")
		}
		keys = append(keys, k)
	}
	if len(keys)%2 != 0 {
		return nil, errors.New("session keys come in pairs: a signing key and an encryption key")
	}
	return keys, nil
}
