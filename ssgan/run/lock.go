package run

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/gofrs/flock"
)

// LockFile is the lock a training run holds on its output directory.
const LockFile = ".ssgan.lock"

// held is this process's locks, by directory: an flock does not stop the process that holds it from
// taking it again, so a second run in the same process (a notebook's cell run twice at once) is refused
// here.
var held = struct {
	sync.Mutex
	locks map[string]*flock.Flock
}{locks: map[string]*flock.Flock{}}

// LockOutDir makes dir (created if needed) the output directory of one run: a second run, in this process
// or another, is refused with one line until release is called or this process ends (the operating
// system drops the lock of a process that crashed). The lock is an flock on dir/.ssgan.lock, which holds
// the owner's process id for that message.
func LockOutDir(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output directory %s: %w", dir, err)
	}
	key, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	held.Lock()
	defer held.Unlock()
	if _, ok := held.locks[key]; ok {
		return nil, fmt.Errorf("output directory %s is in use by another run (in this process): wait for it to end, or choose another -out", dir)
	}
	path := filepath.Join(dir, LockFile)
	l := flock.New(path)
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("output directory %s: lock %s: %w", dir, LockFile, err)
	}
	if !ok {
		owner := "another process"
		if raw, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(raw)) != "" {
			owner = "process " + strings.TrimSpace(string(raw))
		}
		return nil, fmt.Errorf("output directory %s is in use by another run (%s): wait for it to end, or choose another -out", dir, owner)
	}
	_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644) // Only for the message above.
	held.locks[key] = l
	return func() { releaseLock(key) }, nil
}

func releaseLock(key string) {
	held.Lock()
	defer held.Unlock()
	if l, ok := held.locks[key]; ok {
		_ = l.Unlock()
		delete(held.locks, key)
	}
}
