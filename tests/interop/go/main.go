// Command interop checks a Passage log from its C2SP tlog-tiles with the Go
// checksum database's own packages, golang.org/x/mod/sumdb/note and
// golang.org/x/mod/sumdb/tlog, which share no code with Passage: it
// verifies the checkpoint's signature, reads the hash tiles through
// tlog.TileHashReader (which checks every tile it loads against the signed
// tree), and proves and checks the inclusion of records and the
// consistency of an older tree.
//
// Usage: interop DIR VKEY OLDSIZE INDEX...
//
// Paths: sumdb names a hash tile tile/H/L/N[.p/W] with H its tile height,
// 8 for 256 hashes; C2SP's tlog-tiles drops the height, tile/L/N[.p/W],
// and keeps entries at tile/entries/N (sumdb's tile/H/data/N), as bundles
// of big-endian uint16 lengths and entries where sumdb has
// newline-separated records.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

// c2spPath maps a sumdb tile to its C2SP path.
func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", height))
	if strings.HasPrefix(p, "data/") {
		return "tile/entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

type dirTiles struct{ dir string }

func (d dirTiles) Height() int { return height }

func (d dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := os.ReadFile(filepath.Join(d.dir, c2spPath(t)))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (d dirTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// hashes is a proof as base64 hashes separated by commas, to compare with
// the proofs Passage itself makes.
func hashes(p []tlog.Hash) string {
	s := make([]string, len(p))
	for i, h := range p {
		s[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return strings.Join(s, ",")
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "interop: "+format+"\n", args...)
	os.Exit(1)
}

// checkpoint opens the signed note and reads its body: origin, size, root.
func checkpoint(dir, vkey string) (string, tlog.Tree) {
	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		fail("%v", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		fail("checkpoint: %v", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		fail("checkpoint: fewer than three lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || strconv.FormatInt(size, 10) != lines[1] {
		fail("checkpoint: bad size %q", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		fail("checkpoint: bad root %q", lines[2])
	}
	var root tlog.Hash
	copy(root[:], raw)
	fmt.Printf("checkpoint: %s, %d entries, signed by %s (%d other signatures)\n",
		lines[0], size, v.Name(), len(n.UnverifiedSigs))
	return lines[0], tlog.Tree{N: size, Hash: root}
}

// entry reads entry i from its bundle.
func entry(dir string, tree tlog.Tree, i int64) []byte {
	// The bundle of the level-0 tile holding i: full, or as wide as the
	// tree reaches.
	t := tlog.Tile{H: height, L: -1, N: i >> height, W: 1 << height}
	if rest := tree.N - t.N<<height; rest < int64(t.W) {
		t.W = int(rest)
	}
	data, err := dirTiles{dir}.ReadTiles([]tlog.Tile{t})
	if err != nil {
		fail("bundle of entry %d: %v", i, err)
	}
	b := data[0]
	for k := int64(0); ; k++ {
		if len(b) < 2 {
			fail("bundle of entry %d: cut short", i)
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			fail("bundle of entry %d: cut short", i)
		}
		if k == i%(1<<height) {
			return b[2 : 2+n]
		}
		b = b[2+n:]
	}
}

func main() {
	if len(os.Args) < 5 {
		fail("usage: interop DIR VKEY OLDSIZE INDEX...")
	}
	dir, vkey := os.Args[1], os.Args[2]
	_, tree := checkpoint(dir, vkey)
	thr := tlog.TileHashReader(tree, dirTiles{dir})
	th, err := tlog.TreeHash(tree.N, thr)
	if err != nil || th != tree.Hash {
		fail("the tiles' tree hash: %v", err)
	}
	old, err := strconv.ParseInt(os.Args[3], 10, 64)
	if err != nil || old < 1 || old > tree.N {
		fail("bad OLDSIZE %q", os.Args[3])
	}
	oldHash, err := tlog.TreeHash(old, thr)
	if err != nil {
		fail("tree hash at %d: %v", old, err)
	}
	tp, err := tlog.ProveTree(tree.N, old, thr)
	if err != nil {
		fail("prove tree %d in %d: %v", old, tree.N, err)
	}
	if err := tlog.CheckTree(tp, tree.N, tree.Hash, old, oldHash); err != nil {
		fail("check tree %d in %d: %v", old, tree.N, err)
	}
	fmt.Printf("consistency: the tree of %d extends the tree of %d (%d hashes)\n",
		tree.N, old, len(tp))
	fmt.Printf("consistency proof %d %d: %s\n", old, tree.N, hashes(tp))
	for _, arg := range os.Args[4:] {
		i, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || i < 0 || i >= tree.N {
			fail("bad INDEX %q", arg)
		}
		e := entry(dir, tree, i)
		rp, err := tlog.ProveRecord(tree.N, i, thr)
		if err != nil {
			fail("prove record %d: %v", i, err)
		}
		if err := tlog.CheckRecord(rp, tree.N, tree.Hash, i, tlog.RecordHash(e)); err != nil {
			fail("check record %d: %v", i, err)
		}
		var rec struct {
			Record string `json:"record"`
			ID     string `json:"id"`
		}
		if err := json.Unmarshal(e, &rec); err != nil {
			fail("entry %d is not JSON: %v", i, err)
		}
		fmt.Printf("inclusion: entry %d (%s %s) is in the tree (%d hashes)\n",
			i, rec.Record, rec.ID, len(rp))
		fmt.Printf("inclusion proof %d %d: %s\n", i, tree.N, hashes(rp))
	}
}
