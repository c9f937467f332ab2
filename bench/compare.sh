#!/usr/bin/env bash
# Compares Berth's emulator with kumo, another Go AWS emulator (state in
# memory, no persistence), on this machine: the same three SDK calls, the
# same AWS SDK versions (kumo's are raised to Berth's), both in-process over
# loopback. Rounds alternate the two emulators so that the machine's drift
# falls on both alike; the figures in docs/benchmarks.md come from here.
# Also runs the floor benchmarks: each call against a server that replays
# one answer, which is the SDK's and net/http's share of the call; Berth's
# handler without HTTP ("handler") for both writes; and, for
# RegisterTaskDefinition, its committed write alone ("storage").
# Needs the Go module proxy (it fetches kumo). ROUNDS=n sets the rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
kumo=github.com/sivchari/kumo@v0.33.1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

src=$(go mod download -json "$kumo" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
cp -r "$src" "$work/kumo"
chmod -R u+w "$work/kumo"
cp bench/testdata/kumo/kumo_bench_test.go "$work/kumo/"
sdk=$(go list -m -f '{{.Path}}@{{.Version}}' github.com/aws/aws-sdk-go-v2 \
  github.com/aws/aws-sdk-go-v2/config github.com/aws/aws-sdk-go-v2/credentials \
  github.com/aws/aws-sdk-go-v2/service/ecr github.com/aws/aws-sdk-go-v2/service/ecs \
  github.com/aws/smithy-go)
(cd "$work/kumo" && go get $sdk >/dev/null 2>&1 && go test -c -tags kumocompare -o "$work/kumo.test" .)
go test -c -o "$work/ecr.test" ./internal/emulator/ecr
go test -c -o "$work/ecs.test" ./internal/emulator/ecs

# one <binary> <benchmark> <iterations>: ns per call
one() {
  "$1" -test.run '^$' -test.bench "^$2\$" -test.benchtime "$3x" 2>/dev/null | awk '/ns\/op/ { print $3 }'
}

for r in $(seq "$rounds"); do
  echo "CreateRepository berth $(one "$work/ecr.test" BenchmarkCreateRepository 1000)"
  echo "CreateRepository kumo $(one "$work/kumo.test" BenchmarkCreateRepository 1000)"
  echo "CreateRepository floor $(one "$work/ecr.test" BenchmarkCreateRepositoryFloor 1000)"
  echo "CreateRepository handler $(one "$work/ecr.test" BenchmarkCreateRepositoryHandler 1000)"
  echo "RegisterTaskDefinition berth $(one "$work/ecs.test" BenchmarkRegisterTaskDefinition 1000)"
  echo "RegisterTaskDefinition kumo $(one "$work/kumo.test" BenchmarkRegisterTaskDefinition 1000)"
  echo "RegisterTaskDefinition floor $(one "$work/ecs.test" BenchmarkRegisterTaskDefinitionFloor 1000)"
  echo "RegisterTaskDefinition handler $(one "$work/ecs.test" BenchmarkRegisterTaskDefinitionHandler 1000)"
  echo "RegisterTaskDefinition storage $(one "$work/ecs.test" BenchmarkStoreTaskDefinition 1000)"
  echo "DescribeRepositories1000 berth $(one "$work/ecr.test" BenchmarkDescribeRepositories1000 200)"
  echo "DescribeRepositories1000 kumo $(one "$work/kumo.test" BenchmarkDescribeRepositories1000 200)"
  echo "DescribeRepositories1000 floor $(one "$work/ecr.test" BenchmarkDescribeRepositories1000Floor 200)"
done >"$work/runs"

# Median and range per call and emulator, in µs.
printf '%-26s %-6s %10s %21s\n' call server median range
for call in CreateRepository RegisterTaskDefinition DescribeRepositories1000; do
  for server in berth kumo floor handler storage; do
    grep -q "^$call $server " "$work/runs" || continue
    awk -v c="$call" -v s="$server" '$1 == c && $2 == s { print $3 / 1000 }' "$work/runs" | sort -n |
      awk -v c="$call" -v s="$server" '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%-26s %-6s %10.0f %10.0f–%-10.0f\n", c, s, m, v[1], v[NR] }'
  done
done
