package data

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// fileMode is the permission of the files we write: os.CreateTemp makes 0600 files, which would leave
// results, data and checkpoints unreadable to the other users of a shared machine.
const fileMode = 0o644

// CreateTempBeside creates a temporary file in dir (named after name and kind) with fileMode.
func CreateTempBeside(dir, name, kind string) (*os.File, error) {
	tmp, err := os.CreateTemp(dir, "."+name+"."+kind+"-*")
	if err != nil {
		return nil, err
	}
	if err := tmp.Chmod(fileMode); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return tmp, nil
}

// WriteFileAtomic writes data to a temporary file beside path, syncs it and renames it into place:
// an interrupted write leaves the previous file (or none) rather than half a file.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := CreateTempBeside(dir, filepath.Base(path), "tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // No-op once renamed.
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ReadFileLimited reads a file we did not necessarily write (metrics, reports read back), refusing one
// larger than limit bytes before reading it, with an error naming the file, its size and the limit.
func ReadFileLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d this file can hold: refused", path, st.Size(), limit)
	}
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(raw)) > limit {
		err = fmt.Errorf("%s: grew past %d bytes while being read: refused", path, limit)
	}
	return raw, err
}
