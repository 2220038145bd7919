package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// MaxIDXValues is the most values an IDX file may declare (MNIST's training images are 47 million).
const MaxIDXValues = 1 << 28

// ReadIDX reads an IDX file of unsigned bytes (the format of the MNIST files), gzip-compressed or not, and
// returns its dimensions and its values in row-major order.
//
// IDX: two zero bytes, a type byte (0x08 = unsigned byte, the only type MNIST uses), the number of
// dimensions, each dimension as a big-endian uint32, then the values. A wrong magic number, another
// value type, a truncated body or bytes after it are errors that name the file.
func ReadIDX(path string) (dims []int, values []uint8, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var r io.Reader = bytes.NewReader(raw)
	gzipped := len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b
	if gzipped {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	br := bufio.NewReader(r)
	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, nil, fmt.Errorf("%s: not an IDX file (truncated header: %v)", path, err)
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, nil, fmt.Errorf("%s: not an IDX file (magic %#x %#x, want 0 0)", path, head[0], head[1])
	}
	if head[2] != 0x08 {
		return nil, nil, fmt.Errorf("%s: IDX value type %#x, want 0x08 (unsigned byte)", path, head[2])
	}
	n := int(head[3])
	if n < 1 || n > 4 {
		return nil, nil, fmt.Errorf("%s: IDX file with %d dimensions, want 1 to 4", path, n)
	}
	total := 1
	for i := 0; i < n; i++ {
		var d uint32
		if err := binary.Read(br, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("%s: truncated IDX header (dimension %d): %v", path, i, err)
		}
		if d == 0 {
			return nil, nil, fmt.Errorf("%s: IDX dimension %d is 0: not a plausible size", path, i)
		}
		if total > MaxIDXValues/int(d) {
			return nil, nil, fmt.Errorf("%s: IDX dimension %d is %d: more than %d values in all, refused", path, i, d, MaxIDXValues)
		}
		dims = append(dims, int(d))
		total *= int(d)
	}
	// The declared size against the bytes present, before allocating for it: exactly for a plain file;
	// for a gzip file its trailer's length (the uncompressed size modulo 2^32).
	want := int64(4 + 4*n + total)
	if !gzipped && int64(len(raw)) != want {
		return nil, nil, fmt.Errorf("%s: its header declares %v (%d values) but the file holds %d bytes for them", path, dims, total, len(raw)-4-4*n)
	}
	if gzipped && len(raw) >= 18 && binary.LittleEndian.Uint32(raw[len(raw)-4:]) != uint32(want) {
		return nil, nil, fmt.Errorf("%s: its header declares %v (%d values) but the gzip stream holds %d bytes in all, not %d", path, dims, total, binary.LittleEndian.Uint32(raw[len(raw)-4:]), want)
	}
	// Read into a buffer that grows with the bytes actually inflated, up to the declared size.
	var buf bytes.Buffer
	got, err := io.Copy(&buf, io.LimitReader(br, int64(total)))
	if err != nil || got < int64(total) {
		return nil, nil, fmt.Errorf("%s: truncated: %d of %d values (%v)", path, got, total, err)
	}
	values = buf.Bytes()
	// Read to the end: a gzip stream is only verified (length and CRC) at its end.
	extra, err := io.Copy(io.Discard, br)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: corrupt or truncated after its values: %v", path, err)
	}
	if extra > 0 {
		return nil, nil, fmt.Errorf("%s: %d bytes after the %d values that its header announces", path, extra, total)
	}
	return dims, values, nil
}

// WriteIDX writes values with the given dimensions as an IDX file of unsigned bytes, gzip-compressed when
// compress is set (tests and small subsets; the official files are gzip-compressed).
func WriteIDX(path string, dims []int, values []uint8, compress bool) error {
	var body bytes.Buffer
	body.Write([]byte{0, 0, 0x08, byte(len(dims))})
	total := 1
	for _, d := range dims {
		binary.Write(&body, binary.BigEndian, uint32(d))
		total *= d
	}
	if total != len(values) {
		return fmt.Errorf("write %s: %d values for dimensions %v", path, len(values), dims)
	}
	body.Write(values)
	out := body.Bytes()
	if compress {
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		w.Write(out)
		if err := w.Close(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		out = gz.Bytes()
	}
	return WriteFileAtomic(path, out)
}
