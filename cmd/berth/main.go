// Command berth runs Berth, a team-shared web console for ECR repositories,
// Secrets Manager secrets and ECS task definitions, and its local AWS emulator.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/berthhq/berth/internal/config"
	"github.com/berthhq/berth/internal/emulator"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return // a command's -h: its flags are printed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "berth:", err)
		os.Exit(1)
	}
}

const usage = `Usage: berth [command] [flags]

Commands:
  serve        run the web console (the default)
  emulator     run only the local AWS emulator
  user         manage local accounts: add, list, set-role, disable, enable, reset-password
  healthcheck  exit 0 when a running Berth answers /healthz
  version      print the version

Run "berth <command> -h" for a command's flags.
`

// run is main without the process: arguments, environment and output come in,
// so tests can drive every subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	switch {
	case len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help"):
		cmd = "help"
	case len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-':
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "emulator":
		return runEmulator(ctx, args, getenv, stderr)
	case "user":
		return userCommand(ctx, args, getenv, os.Stdin, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, getenv, stderr)
	case "version":
		fmt.Fprintln(stdout, "berth", version)
		return nil
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func runEmulator(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.ParseEmulator(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogFormat, stderr)
	emu, err := emulator.New(emulator.Options{DataDir: cfg.DataDir, AccountID: cfg.AccountID, Logger: log})
	if err != nil {
		return err
	}
	defer emu.Close()
	ln, err := net.Listen("tcp", cfg.EmulatorAddr)
	if err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	log.Info("local AWS emulator listening", "endpoint", "http://"+reachable(ln.Addr().String()), "account", emu.AccountID(), "data_dir", cfg.DataDir)
	return serveUntilDone(ctx, &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}, ln, log)
}

// serveUntilDone serves until ctx ends, then lets in-flight requests finish
// for up to 25 seconds.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "addr", ln.Addr().String())
	sctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func healthcheck(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Parse("berth healthcheck", []string{"addr"}, args, getenv, stderr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+reachable(cfg.Addr)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", cfg.Addr, resp.Status)
	}
	return nil
}
