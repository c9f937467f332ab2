package ecs

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// benchBody is the request the SDK sends for the benchmarks' Fargate
// registration (package ecs_test's fargate("bench"); a test there keeps the
// two the same).
const benchBody = `{"containerDefinitions":[{"image":"nginx:1.27","name":"web","portMappings":[{"containerPort":80}]}],` +
	`"cpu":"256","family":"bench","memory":"512","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"]}`

func benchService(b *testing.B) (*service, *awsapi.Context) {
	b.Helper()
	db, err := state.Open(filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(schema...); err != nil {
		b.Fatal(err)
	}
	c := &awsapi.Context{Context: context.Background(), Account: "000000000000", Region: "us-east-1"}
	return &service{db: db, lastRevision: map[string]int{}}, c
}

// BenchmarkRegisterTaskDefinitionHandler is the emulator's own share of a
// RegisterTaskDefinition call, without HTTP: decoding, AWS's checks, the
// defaults ECS fills in, the committed write and the answer.
func BenchmarkRegisterTaskDefinitionHandler(b *testing.B) {
	s, c := benchService(b)
	body := []byte(benchBody)
	for b.Loop() {
		if _, err := s.registerTaskDefinition(c, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreTaskDefinition is the storage part of it alone: the
// transaction that takes the next revision and commits the document before
// the answer is sent.
func BenchmarkStoreTaskDefinition(b *testing.B) {
	s, c := benchService(b)
	out, err := s.registerTaskDefinition(c, []byte(benchBody))
	if err != nil {
		b.Fatal(err)
	}
	var answer struct{ TaskDefinition rawObject }
	if err := json.Unmarshal(out.(awsapi.RawJSON), &answer); err != nil {
		b.Fatal(err)
	}
	tags := []byte("[]")
	for b.Loop() {
		if _, err := s.storeTaskDefinition(c, "bench", answer.TaskDefinition, tags); err != nil {
			b.Fatal(err)
		}
	}
}
