package data

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
)

// WriteMat writes uint8 arrays as a little-endian MATLAB v5 file (the layout scipy.io.savemat and SVHN use),
// each variable zlib-compressed when compress is true. It writes to a temporary file and renames it into
// place, so a reader never sees half a file. Used for synthetic data sets and by tests.
func WriteMat(path string, compress bool, arrays ...*MatArray) error {
	var out bytes.Buffer
	header := make([]byte, matHeaderSize)
	copy(header, []byte("MATLAB 5.0 MAT-file, written by ssgan-go"))
	for i := 40; i < 116; i++ {
		header[i] = ' '
	}
	binary.LittleEndian.PutUint16(header[124:], 0x0100)
	copy(header[126:], "IM")
	out.Write(header)
	for _, a := range arrays {
		count := 1
		for _, d := range a.Dims {
			count *= d
		}
		if count != len(a.Data) {
			return fmt.Errorf("write %s: variable %q has %d values, dims %v need %d", path, a.Name, len(a.Data), a.Dims, count)
		}
		matrix := encodeMatrix(a)
		if !compress {
			out.Write(matrix)
			continue
		}
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(matrix)
		zw.Close()
		writeTag(&out, miCOMPRESSED, z.Len())
		out.Write(z.Bytes())
	}
	return WriteFileAtomic(path, out.Bytes())
}

func writeTag(w *bytes.Buffer, typ uint32, n int) {
	var tag [8]byte
	binary.LittleEndian.PutUint32(tag[0:], typ)
	binary.LittleEndian.PutUint32(tag[4:], uint32(n))
	w.Write(tag[:])
}

// writeElement writes a tagged element padded to 8 bytes.
func writeElement(w *bytes.Buffer, typ uint32, body []byte) {
	writeTag(w, typ, len(body))
	w.Write(body)
	if pad := (8 - len(body)%8) % 8; pad > 0 {
		w.Write(make([]byte, pad))
	}
}

func encodeMatrix(a *MatArray) []byte {
	var body bytes.Buffer
	flags := make([]byte, 8)
	binary.LittleEndian.PutUint32(flags, 9) // mxUINT8_CLASS
	writeElement(&body, miUINT32, flags)
	dims := make([]byte, 4*len(a.Dims))
	for i, d := range a.Dims {
		binary.LittleEndian.PutUint32(dims[4*i:], uint32(d))
	}
	writeElement(&body, miINT32, dims)
	writeElement(&body, miINT8, []byte(a.Name))
	writeElement(&body, miUINT8, a.Data)
	var m bytes.Buffer
	writeElement(&m, miMATRIX, body.Bytes())
	return m.Bytes()
}
