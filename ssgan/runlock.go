package ssgan

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

// held counts this process's holds on each locked directory, so that the CLI can lock a directory before
// it checks and clears it, and Train can take the same lock again.
var held = struct {
	sync.Mutex
	locks map[string]*heldLock
}{locks: map[string]*heldLock{}}

type heldLock struct {
	lock  *flock.Flock
	count int
}

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
	if h, ok := held.locks[key]; ok {
		h.count++
		return func() { releaseLock(key) }, nil
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
	held.locks[key] = &heldLock{lock: l, count: 1}
	return func() { releaseLock(key) }, nil
}

func releaseLock(key string) {
	held.Lock()
	defer held.Unlock()
	h, ok := held.locks[key]
	if !ok {
		return
	}
	if h.count--; h.count == 0 {
		_ = h.lock.Unlock()
		delete(held.locks, key)
	}
}
