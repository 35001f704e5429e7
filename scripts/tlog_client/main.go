// Command tlog_client checks Aqyl's usage log the way any C2SP tlog-tiles client
// would, with the Go team's own packages (golang.org/x/mod/sumdb/note and
// .../tlog): it fetches the signed checkpoint, verifies it with the published
// verifier key, checks the hash tiles against the signed tree hash, and proves
// one entry's inclusion from its entry bundle.
//
//	tlog_client BASE_URL VERIFIER_KEY INDEX
//
// BASE_URL is the log's prefix (http://host:port/stats). Exit status 0 and a
// line starting with "OK" when every check passes.
package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var client = &http.Client{Timeout: 20 * time.Second}

func get(url string) ([]byte, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d: %.200s", url, resp.StatusCode, body)
	}
	return body, nil
}

// indexPath writes N the C2SP way: 1234067 -> x001/x234/067.
func indexPath(n int64) string {
	groups := []string{fmt.Sprintf("%03d", n%1000)}
	for n /= 1000; n > 0; n /= 1000 {
		groups = append([]string{fmt.Sprintf("x%03d", n%1000)}, groups...)
	}
	return strings.Join(groups, "/")
}

// tilePath maps Go's tile coordinates to the C2SP path (Go's own is sumdb-style).
func tilePath(level string, n int64, w int) string {
	p := "tile/" + level + "/" + indexPath(n)
	if w < 256 {
		p += fmt.Sprintf(".p/%d", w)
	}
	return p
}

type tileReader struct{ base string }

func (r tileReader) Height() int { return 8 }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		if t.H != 8 || t.L < 0 {
			return nil, fmt.Errorf("unexpected tile %v", t)
		}
		data, err := get(r.base + "/" + tilePath(strconv.Itoa(t.L), t.N, t.W))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (r tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 4 {
		fail("usage: tlog_client BASE_URL VERIFIER_KEY INDEX")
	}
	base, vkey := strings.TrimSuffix(os.Args[1], "/"), os.Args[2]
	index, err := strconv.ParseInt(os.Args[3], 10, 64)
	if err != nil {
		fail("bad index: %v", err)
	}

	// 1. The checkpoint is a signed note under the published key.
	msg, err := get(base + "/checkpoint")
	if err != nil {
		fail("%v", err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		fail("checkpoint body has %d lines", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size: %v", err)
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		fail("checkpoint root: %v", err)
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	tree := tlog.Tree{N: size, Hash: root}
	if index < 0 || index >= size {
		fail("index %d outside the tree of %d", index, size)
	}

	// 2. The hash tiles hash to the signed root (TileHashReader checks every tile it reads).
	hashes := tlog.TileHashReader(tree, tileReader{base})
	th, err := tlog.TreeHash(tree.N, hashes)
	if err != nil {
		fail("tree hash from tiles: %v", err)
	}
	if th != tree.Hash {
		fail("tiles hash to %v, the checkpoint says %v", th, tree.Hash)
	}

	// 3. The entry, from its bundle, is in the tree.
	bundleIndex, inBundle := index/256, int(index%256)
	width := 256
	if rest := size - bundleIndex*256; rest < 256 {
		width = int(rest)
	}
	bundle, err := get(base + "/" + tilePath("entries", bundleIndex, width))
	if err != nil {
		fail("%v", err)
	}
	var entry []byte
	for i := 0; i <= inBundle; i++ {
		if len(bundle) < 2 {
			fail("entry bundle too short")
		}
		l := int(bundle[0])<<8 | int(bundle[1])
		if len(bundle) < 2+l {
			fail("entry bundle truncated")
		}
		entry, bundle = bundle[2:2+l], bundle[2+l:]
	}
	proof, err := tlog.ProveRecord(tree.N, index, hashes)
	if err != nil {
		fail("inclusion proof: %v", err)
	}
	if err := tlog.CheckRecord(proof, tree.N, tree.Hash, index, tlog.RecordHash(entry)); err != nil {
		fail("inclusion of entry %d: %v", index, err)
	}
	fmt.Printf("OK origin=%s size=%d root=%s entry=%d (%d bytes) included\n", lines[0], size, lines[2], index, len(entry))
}
