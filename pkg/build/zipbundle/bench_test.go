package zipbundle

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkWrite bundles a generated tree of 4000 small Python-like files (about 16 MB), the shape
// of a dependency layer.
func BenchmarkWrite(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("def return import class self numpy lambda for in if else while yield None True False")
	var nodes []node
	var total int64
	for i := range 4000 {
		var sb strings.Builder
		for sb.Len() < 1000+rng.IntN(6000) {
			sb.WriteString(words[rng.IntN(len(words))])
			sb.WriteByte(" \n"[rng.IntN(2)])
		}
		total += int64(sb.Len())
		nodes = append(nodes, node{name: fmt.Sprintf("pkg%02d/sub%d/mod%04d.py", i%40, i%7, i), content: sb.String()})
	}
	src := filepath.Join(b.TempDir(), "src")
	makeTree(b, src, nodes, time.Now())
	dst := filepath.Join(b.TempDir(), "bench.zip")
	b.SetBytes(total)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Write(context.Background(), dst, []Source{{Dir: src, Prefix: "python/"}}); err != nil {
			b.Fatal(err)
		}
	}
}
