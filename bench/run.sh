#!/usr/bin/env bash
# Runs Berth's benchmarks with counts that fit each one: 200 iterations of
# the API and page benchmarks, 10 of the 100 MB registry push and pull.
# The figures in docs/benchmarks.md come from this script.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchtime 200x -benchmem \
  ./internal/emulator/ecr/ ./internal/emulator/ecs/ ./internal/emulator/secretsmanager/ \
  ./internal/emulator/state/ ./web/
go test -run '^$' -bench . -benchtime 10x ./internal/emulator/registry/
