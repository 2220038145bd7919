package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/engine"
)

// The command re-executes itself once, with GLIBC_TUNABLES set, and leaves a user's own setting alone.
// The test runs this test binary as the "command": tuneMalloc re-executes it with the same arguments.
func TestTuneMallocReexecutesOnce(t *testing.T) {
	if os.Getenv("SSGAN_TUNE_MALLOC_CHILD") == "1" {
		tuneMalloc()
		fmt.Printf("GLIBC_TUNABLES=%s\n", os.Getenv("GLIBC_TUNABLES"))
		os.Exit(0)
	}
	for _, tc := range []struct {
		name, preset, want string
	}{
		{"unset", "", engine.MallocTunables},
		{"the user's own", "glibc.malloc.arena_max=4", "glibc.malloc.arena_max=4"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTuneMallocReexecutesOnce$")
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "GLIBC_TUNABLES=") {
				env = append(env, kv)
			}
		}
		env = append(env, "SSGAN_TUNE_MALLOC_CHILD=1")
		if tc.preset != "" {
			env = append(env, "GLIBC_TUNABLES="+tc.preset)
		}
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.name, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != "GLIBC_TUNABLES="+tc.want {
			t.Errorf("%s: the command ran with %q, want GLIBC_TUNABLES=%s", tc.name, got, tc.want)
		}
	}
}
