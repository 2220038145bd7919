package main

import (
	"os"
	"syscall"

	"github.com/ssgan-go/ssgan-go/ssgan/engine"
)

// tuneMalloc runs the command again, at once, with glibc's allocator set up for XLA (see
// engine.MallocTunables): glibc reads GLIBC_TUNABLES only when a process starts. It does nothing when
// GLIBC_TUNABLES is already set (by us, or by the user on purpose), and carries on untuned if the
// re-execution fails.
func tuneMalloc() {
	if _, set := os.LookupEnv("GLIBC_TUNABLES"); set {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_ = syscall.Exec(exe, os.Args, append(os.Environ(), "GLIBC_TUNABLES="+engine.MallocTunables))
}
