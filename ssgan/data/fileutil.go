package data

import (
	"fmt"
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
