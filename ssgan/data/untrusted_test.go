package data

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// allocated runs fn and returns the bytes it allocated (runtime.MemStats.TotalAlloc) and how long it took.
func allocated(fn func()) (uint64, time.Duration) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	fn()
	d := time.Since(start)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, d
}

// pngDeclaring returns a small grey PNG whose header declares w x h pixels (its data is a 4x4 image's).
func pngDeclaring(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// IHDR is the first chunk: length(4) "IHDR"(4) width(4) height(4) ... crc(4), after the 8-byte signature.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// A PNG that declares far more pixels than the limit is refused from its header, in well under a second
// and without allocating for its pixels; one within the limit is decoded and resampled.
func TestReadImageFileRefusesDecompressionBombs(t *testing.T) {
	dir := t.TempDir()
	for _, side := range []uint32{20000, 60000} {
		path := filepath.Join(dir, "bomb.png")
		if err := os.WriteFile(path, pngDeclaring(t, side, side), 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		alloc, took := allocated(func() { _, err = ReadImageFile(path, MNISTShape, 0) })
		if err == nil || !strings.Contains(err.Error(), "declares") || !strings.Contains(err.Error(), "89478485") {
			t.Errorf("%dx%d PNG: %v", side, side, err)
		}
		if alloc > 1<<20 || took > time.Second {
			t.Errorf("%dx%d PNG: refused after allocating %d bytes in %v", side, side, alloc, took)
		}
	}
	ok := filepath.Join(dir, "ok.png")
	var buf bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 56, 56))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(ok, buf.Bytes(), 0o644)
	px, err := ReadImageFile(ok, MNISTShape, 0)
	if err != nil || len(px) != 784 {
		t.Fatalf("a 56x56 PNG: %v, %d bytes", err, len(px))
	}
	if _, err := ReadImageFile(ok, SVHNShape, 1000); err == nil || !strings.Contains(err.Error(), "above the limit of 1000") {
		t.Errorf("a 56x56 PNG under a limit of 1000 pixels: %v", err)
	}
}

// IDX headers that declare more values than the file holds, or than any plausible data set, are refused
// before the values are allocated, plain or gzipped.
func TestReadIDXCheckedAgainstItsBytes(t *testing.T) {
	dir := t.TempDir()
	header := func(dims ...uint32) []byte {
		b := []byte{0, 0, 8, byte(len(dims))}
		for _, d := range dims {
			b = binary.BigEndian.AppendUint32(b, d)
		}
		return b
	}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	lying := gz(append(header(1<<27), make([]byte, 100)...))
	// A gzip trailer that agrees with the header but a stream that holds 100 values.
	agreeing := append([]byte(nil), lying...)
	binary.LittleEndian.PutUint32(agreeing[len(agreeing)-4:], 8+1<<27)
	for name, tc := range map[string]struct {
		content []byte
		want    string
	}{
		"plain, declares 2^27":      {append(header(1<<27), make([]byte, 100)...), "file holds 100 bytes"},
		"gzip, declares 2^27":       {lying, "gzip stream holds 108 bytes"},
		"gzip, trailer agrees":      {agreeing, "truncated: 100 of 134217728"},
		"dimensions overflow":       {header(0xffffffff, 0xffffffff), "more than 268435456 values"},
		"three dimensions too many": {header(1<<10, 1<<10, 1<<10), "more than 268435456 values"},
	} {
		path := filepath.Join(dir, "x.idx")
		os.WriteFile(path, tc.content, 0o644)
		var err error
		alloc, _ := allocated(func() { _, _, err = ReadIDX(path) })
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v; want an error naming the file and %q", name, err, tc.want)
		}
		if alloc > 4<<20 {
			t.Errorf("%s: allocated %d bytes before refusing", name, alloc)
		}
	}
}

// matFile returns a little-endian MATLAB v5 file: the header and the given elements.
func matFile(elements ...[]byte) []byte {
	raw := make([]byte, matHeaderSize)
	copy(raw, "MATLAB 5.0 MAT-file")
	raw[124], raw[125], raw[126], raw[127] = 0, 1, 'I', 'M'
	for _, e := range elements {
		raw = append(raw, e...)
	}
	return raw
}

// compressed wraps an element's bytes in a miCOMPRESSED element.
func compressed(inner []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(inner)
	w.Close()
	tag := binary.LittleEndian.AppendUint32(nil, miCOMPRESSED)
	tag = binary.LittleEndian.AppendUint32(tag, uint32(buf.Len()))
	return append(tag, buf.Bytes()...)
}

// Compressed .mat elements are inflated only up to the size their tag declares, and only when that is
// within MaxMatBytes; dimensions whose product overflows are refused.
func TestReadMatRefusesBombs(t *testing.T) {
	dir := t.TempDir()
	tag := func(typ, n uint32) []byte {
		return binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, typ), n)
	}
	// A real zlib bomb: 64 MB of zeros (about 64 KB compressed) in a matrix element that declares them.
	bomb := append(tag(miMATRIX, 64<<20), make([]byte, 64<<20)...)
	saved := MaxMatBytes
	defer func() { MaxMatBytes = saved }()
	for name, tc := range map[string]struct {
		content []byte
		limit   int
		want    string
	}{
		"declares 4 GB":          {matFile(compressed(tag(miMATRIX, 0xfffffff0))), saved, "above the limit"},
		"declares 100 MB of 16":  {matFile(compressed(append(tag(miMATRIX, 100<<20), make([]byte, 16)...))), saved, "inflates to 16"},
		"bomb over a 1 MB limit": {matFile(compressed(bomb)), 1 << 20, "above the limit of 1048576"},
	} {
		MaxMatBytes = tc.limit
		path := filepath.Join(dir, "x.mat")
		os.WriteFile(path, tc.content, 0o644)
		var err error
		alloc, took := allocated(func() { _, err = ReadMat(path) })
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v; want an error naming the file and %q", name, err, tc.want)
		}
		if alloc > 8<<20 || took > time.Second {
			t.Errorf("%s: allocated %d bytes in %v before refusing", name, alloc, took)
		}
	}
	MaxMatBytes = saved
	// Dimensions 2^20 x 2^20 x 2^20 in an otherwise well-formed matrix.
	var dims []byte
	for range 3 {
		dims = binary.LittleEndian.AppendUint32(dims, 1<<20)
	}
	sub := func(typ uint32, b []byte) []byte {
		out := append(tag(typ, uint32(len(b))), b...)
		for len(out)%8 != 0 {
			out = append(out, 0)
		}
		return out
	}
	body := append(sub(miUINT32, make([]byte, 8)), sub(miINT32, dims)...)
	body = append(body, sub(miINT8, []byte("X"))...)
	body = append(body, sub(miUINT8, make([]byte, 8))...)
	path := filepath.Join(dir, "dims.mat")
	os.WriteFile(path, matFile(append(tag(miMATRIX, uint32(len(body))), body...)), 0o644)
	if _, err := ReadMat(path); err == nil || !strings.Contains(err.Error(), "hold more than") {
		t.Errorf("overflowing dimensions: %v", err)
	}
}

// FuzzReadMat: no input makes the reader panic (go test -fuzz FuzzReadMat ./ssgan/data to explore
// beyond the seeds; a plain go test runs the seeds).
func FuzzReadMat(f *testing.F) {
	dir := f.TempDir()
	for _, compress := range []bool{false, true} {
		path := filepath.Join(dir, "seed.mat")
		if err := SaveSVHN(path, SyntheticDigits(2, 1), compress); err != nil {
			f.Fatal(err)
		}
		raw, _ := os.ReadFile(path)
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		saved := MaxMatBytes
		MaxMatBytes = 1 << 20
		defer func() { MaxMatBytes = saved }()
		_, _ = parseMat(raw)
	})
}

// A file far larger than what it should hold is refused from its size, before it is read.
func TestReadFileLimited(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil { // A sparse 1 GiB file: no disk used.
		t.Fatal(err)
	}
	f.Close()
	var got []byte
	alloc, _ := allocated(func() { got, err = ReadFileLimited(path, 64<<20) })
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "1073741824 bytes") || got != nil {
		t.Errorf("a 1 GiB file under a 64 MiB limit: %v", err)
	}
	if alloc > 1<<20 {
		t.Errorf("allocated %d bytes before refusing", alloc)
	}
	os.WriteFile(path, []byte("{}\n"), 0o644)
	if got, err := ReadFileLimited(path, 10); err != nil || string(got) != "{}\n" {
		t.Errorf("a small file: %q, %v", got, err)
	}
}

// 9,000 seeded mutations of two small .mat files (flipped bytes, rewritten 32-bit fields, cuts): each is
// read without a panic, and none allocates more than its limit allows.
func TestReadMatMutations(t *testing.T) {
	dir := t.TempDir()
	var seeds [][]byte
	for _, compress := range []bool{false, true} {
		path := filepath.Join(dir, "seed.mat")
		if err := SaveSVHN(path, SyntheticDigits(2, 1), compress); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(path)
		seeds = append(seeds, raw)
	}
	saved := MaxMatBytes
	MaxMatBytes = 1 << 20
	defer func() { MaxMatBytes = saved }()
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range 9000 {
		raw := append([]byte(nil), seeds[i%2]...)
		switch rng.IntN(3) {
		case 0:
			for range 1 + rng.IntN(4) {
				raw[rng.IntN(len(raw))] ^= byte(1 + rng.IntN(255))
			}
		case 1: // A size or dimension field rewritten: any 32-bit word after the header.
			at := matHeaderSize + 4*rng.IntN((len(raw)-matHeaderSize)/4)
			binary.LittleEndian.PutUint32(raw[at:], rng.Uint32())
		case 2:
			raw = raw[:rng.IntN(len(raw))]
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("mutation %d: panic %v", i, r)
				}
			}()
			_, _ = parseMat(raw)
		}()
	}
}
