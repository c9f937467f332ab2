package ecr

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// BenchmarkCreateRepositoryHandler is the emulator's own share of a
// CreateRepository call, without HTTP: decoding, AWS's checks, the committed
// write. The answer's encoding is left to the router, as in a real call.
func BenchmarkCreateRepositoryHandler(b *testing.B) {
	db, err := state.Open(filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	images, err := NewImages(db) // creates ECR's tables, as Register does
	if err != nil {
		b.Fatal(err)
	}
	auth, err := NewAuth(db)
	if err != nil {
		b.Fatal(err)
	}
	s := &service{db: db, images: images, auth: auth}
	op := awsapi.Op(s.createRepository)
	c := &awsapi.Context{Context: context.Background(), Account: "000000000000", Region: "us-east-1"}
	i := 0
	for b.Loop() {
		i++
		if _, err := op(c, fmt.Appendf(nil, `{"repositoryName":"bench/repo-%07d"}`, i)); err != nil {
			b.Fatal(err)
		}
	}
}
