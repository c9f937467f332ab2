package registry_test

import (
	"crypto/rand"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	ggtypes "github.com/google/go-containerregistry/pkg/v1/types"
)

const benchImageSize = 100 << 20

// BenchmarkImage100MB pushes and pulls a 100 MB single-layer image with
// crane's library over loopback; MB/s is the layer throughput. The layer is
// random bytes served from memory, so the figure is the registry's, not
// gzip's.
func BenchmarkImage100MB(b *testing.B) {
	g := startReg(b)
	data := make([]byte, benchImageSize)
	rand.Read(data)
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, ggtypes.OCIManifestSchema1), static.NewLayer(data, ggtypes.OCILayer))
	if err != nil {
		b.Fatal(err)
	}
	img.Digest() // hash once, outside the timings
	g.createRepo(b, "bench/pull", types.ImageTagMutabilityMutable)
	if err := remote.Write(g.ref(b, "bench/pull:v1"), img, g.opts()...); err != nil {
		b.Fatal(err)
	}

	pushes := 0 // repository names stay unique across -count runs
	b.Run("push", func(b *testing.B) {
		b.SetBytes(benchImageSize)
		for b.Loop() {
			// A fresh repository each time, or the client finds the layer
			// already there and skips the upload.
			b.StopTimer()
			pushes++
			repo := fmt.Sprintf("bench/push-%d", pushes)
			g.createRepo(b, repo, types.ImageTagMutabilityMutable)
			b.StartTimer()
			if err := remote.Write(g.ref(b, repo+":v1"), img, g.opts()...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pull", func(b *testing.B) {
		b.SetBytes(benchImageSize)
		for b.Loop() {
			got, err := remote.Image(g.ref(b, "bench/pull:v1"), g.opts()...)
			if err != nil {
				b.Fatal(err)
			}
			layers, err := got.Layers()
			if err != nil {
				b.Fatal(err)
			}
			rc, err := layers[0].Compressed()
			if err != nil {
				b.Fatal(err)
			}
			// Reading to the end also verifies the digest.
			if n, err := io.Copy(io.Discard, rc); err != nil || n != benchImageSize {
				b.Fatal(n, err)
			}
			rc.Close()
		}
	})
}
