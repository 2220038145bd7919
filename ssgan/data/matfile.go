package data

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
)

// MATLAB v5 element types (the subset SVHN and our writer use, plus the numeric ones we convert from).
const (
	miINT8       = 1
	miUINT8      = 2
	miINT16      = 3
	miUINT16     = 4
	miINT32      = 5
	miUINT32     = 6
	miSINGLE     = 7
	miDOUBLE     = 9
	miINT64      = 12
	miUINT64     = 13
	miMATRIX     = 14
	miCOMPRESSED = 15
)

const matHeaderSize = 128

// MaxMatBytes is the largest element a .mat file may declare (SVHN's training images are 225 MB); a
// compressed element is inflated only up to the size its own tag declares, so a zlib bomb cannot take
// more memory than that.
var MaxMatBytes = 1 << 30

// MatArray is one numeric variable of a MATLAB v5 file, with its values converted to bytes.
// Dims are MATLAB's (column-major: the first dimension varies fastest in Data).
type MatArray struct {
	Name string
	Dims []int
	Data []uint8
}

// ReadMat reads the numeric variables of a MATLAB v5 `.mat` file, plain or zlib-compressed (miCOMPRESSED).
// Values must be integers in 0..255 (SVHN's pixels and labels); anything else is an error.
// Every error names the file and says what is wrong, so a truncated download is easy to spot.
func ReadMat(path string) (map[string]*MatArray, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	vars, err := parseMat(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vars, nil
}

func parseMat(raw []byte) (map[string]*MatArray, error) {
	if len(raw) < matHeaderSize {
		return nil, fmt.Errorf("not a MATLAB v5 file: only %d bytes, the header alone is %d", len(raw), matHeaderSize)
	}
	var order binary.ByteOrder
	switch string(raw[126:128]) {
	case "IM":
		order = binary.LittleEndian
	case "MI":
		order = binary.BigEndian
	default:
		return nil, fmt.Errorf("not a MATLAB v5 file: bad endian marker %q (a v7.3/HDF5 file or not a .mat at all)", raw[126:128])
	}
	vars := make(map[string]*MatArray)
	pos := matHeaderSize
	for pos < len(raw) {
		typ, body, next, err := readElement(raw, pos, order)
		if err != nil {
			return nil, err
		}
		if typ == miCOMPRESSED {
			inflated, err := inflate(body, order)
			if err != nil {
				return nil, fmt.Errorf("compressed element at byte %d: %w", pos, err)
			}
			typ, body, _, err = readElement(inflated, 0, order)
			if err != nil {
				return nil, fmt.Errorf("inside compressed element at byte %d: %w", pos, err)
			}
		}
		if typ == miMATRIX {
			arr, err := parseMatrix(body, order)
			if err != nil {
				return nil, fmt.Errorf("matrix at byte %d: %w", pos, err)
			}
			vars[arr.Name] = arr
		}
		pos = next
	}
	return vars, nil
}

// readElement reads the data element starting at pos: its type, its body and where the next one starts.
func readElement(raw []byte, pos int, order binary.ByteOrder) (typ uint32, body []byte, next int, err error) {
	if len(raw)-pos < 8 {
		return 0, nil, 0, fmt.Errorf("truncated: element tag at byte %d needs 8 bytes, %d remain", pos, len(raw)-pos)
	}
	first := order.Uint32(raw[pos:])
	if small := first >> 16; small != 0 { // Small data element: type and size packed into 4 bytes.
		n := int(small)
		if n > 4 {
			return 0, nil, 0, fmt.Errorf("corrupt small element at byte %d: %d bytes (max 4)", pos, n)
		}
		return first & 0xffff, raw[pos+4 : pos+4+n], pos + 8, nil
	}
	n := int(order.Uint32(raw[pos+4:]))
	start := pos + 8
	if n > len(raw)-start {
		return 0, nil, 0, fmt.Errorf("truncated: element at byte %d declares %d bytes, only %d remain", pos, n, len(raw)-start)
	}
	next = start + n
	if first != miCOMPRESSED { // Uncompressed elements are padded to 8 bytes.
		next = start + (n+7)/8*8
		if next > len(raw) {
			next = len(raw)
		}
	}
	return first, raw[start : start+n], next, nil
}

// inflate decompresses a compressed element: first the tag of the element inside, whose declared size
// is checked against MaxMatBytes, then at most that many bytes, in a buffer that grows with the bytes
// actually inflated (a small stream cannot claim a large allocation).
func inflate(body []byte, order binary.ByteOrder) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("bad zlib stream: %w", err)
	}
	defer r.Close()
	var tag [8]byte
	if _, err := io.ReadFull(r, tag[:]); err != nil {
		return nil, fmt.Errorf("zlib stream cut short before its element's tag: %w", err)
	}
	n := int64(8)
	if order.Uint32(tag[:])>>16 == 0 { // Not a small element: the tag's second word is its size.
		n += int64(order.Uint32(tag[4:]))
	}
	if n > int64(MaxMatBytes) {
		return nil, fmt.Errorf("declares an element of %d bytes, above the limit of %d: refused before inflating", n-8, MaxMatBytes)
	}
	var out bytes.Buffer
	out.Write(tag[:])
	if _, err := io.Copy(&out, io.LimitReader(r, n-8)); err != nil {
		return nil, fmt.Errorf("zlib stream cut short or corrupt after %d bytes: %w", out.Len(), err)
	}
	if int64(out.Len()) < n {
		return nil, fmt.Errorf("declares an element of %d bytes but inflates to %d", n-8, out.Len()-8)
	}
	// At most the padding to 8 bytes may follow; reading to the end also checks the stream's checksum.
	rest, err := io.Copy(io.Discard, io.LimitReader(r, 9))
	switch {
	case err != nil:
		return nil, fmt.Errorf("zlib stream corrupt after its element: %w", err)
	case rest > 8:
		return nil, fmt.Errorf("inflates to more than the %d bytes its element declares", n-8)
	}
	return out.Bytes(), nil
}

func parseMatrix(body []byte, order binary.ByteOrder) (*MatArray, error) {
	var sub [4][]byte
	var subTypes [4]uint32
	pos := 0
	for i := range sub {
		typ, b, next, err := readElement(body, pos, order)
		if err != nil {
			return nil, fmt.Errorf("sub-element %d: %w", i, err)
		}
		sub[i], subTypes[i], pos = b, typ, next
	}
	// sub[0]: array flags; sub[1]: dimensions; sub[2]: name; sub[3]: real part.
	if len(sub[0]) < 8 {
		return nil, fmt.Errorf("array flags too short (%d bytes)", len(sub[0]))
	}
	flags := order.Uint32(sub[0])
	if flags&0x0800 != 0 {
		return nil, fmt.Errorf("complex arrays are not supported")
	}
	if subTypes[1] != miINT32 || len(sub[1])%4 != 0 || len(sub[1]) == 0 {
		return nil, fmt.Errorf("bad dimensions sub-element (type %d, %d bytes)", subTypes[1], len(sub[1]))
	}
	arr := &MatArray{Name: string(sub[2])}
	count := 1
	for i := 0; i < len(sub[1]); i += 4 {
		d := int(int32(order.Uint32(sub[1][i:])))
		if d < 0 {
			return nil, fmt.Errorf("variable %q: negative dimension %d", arr.Name, d)
		}
		if d > 0 && count > MaxMatBytes/d {
			return nil, fmt.Errorf("variable %q: dimensions %v... hold more than %d values", arr.Name, append(arr.Dims, d), MaxMatBytes)
		}
		arr.Dims = append(arr.Dims, d)
		count *= d
	}
	data, err := numericToBytes(subTypes[3], sub[3], count, order)
	if err != nil {
		return nil, fmt.Errorf("variable %q: %w", arr.Name, err)
	}
	arr.Data = data
	return arr, nil
}

// numericToBytes converts the real part of a matrix to uint8, checking the element count and the value range.
func numericToBytes(typ uint32, b []byte, count int, order binary.ByteOrder) ([]uint8, error) {
	sizes := map[uint32]int{miINT8: 1, miUINT8: 1, miINT16: 2, miUINT16: 2, miINT32: 4, miUINT32: 4,
		miSINGLE: 4, miDOUBLE: 8, miINT64: 8, miUINT64: 8}
	size, ok := sizes[typ]
	if !ok {
		return nil, fmt.Errorf("unsupported data type %d", typ)
	}
	if len(b) != count*size {
		return nil, fmt.Errorf("holds %d bytes of data, its dimensions need %d", len(b), count*size)
	}
	if typ == miUINT8 {
		return b, nil
	}
	out := make([]uint8, count)
	for i := range out {
		var v float64
		p := b[i*size:]
		switch typ {
		case miINT8:
			v = float64(int8(p[0]))
		case miINT16:
			v = float64(int16(order.Uint16(p)))
		case miUINT16:
			v = float64(order.Uint16(p))
		case miINT32:
			v = float64(int32(order.Uint32(p)))
		case miUINT32:
			v = float64(order.Uint32(p))
		case miSINGLE:
			v = float64(math.Float32frombits(order.Uint32(p)))
		case miDOUBLE:
			v = math.Float64frombits(order.Uint64(p))
		case miINT64:
			v = float64(int64(order.Uint64(p)))
		case miUINT64:
			v = float64(order.Uint64(p))
		}
		if v < 0 || v > 255 || v != math.Trunc(v) {
			return nil, fmt.Errorf("value %g at index %d is not an integer in 0..255", v, i)
		}
		out[i] = uint8(v)
	}
	return out, nil
}
