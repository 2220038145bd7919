package engine

import (
	"os"
	"strings"
	"testing"
)

// The set-up (for the notebook kernel) and the Makefile write the allocator setting out in full: it must be
// the same one the CLI uses.
func TestMallocTunablesAgree(t *testing.T) {
	for _, path := range []string{"../../notebooks/setup.sh", "../../Makefile"} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), MallocTunables) {
			t.Errorf("%s does not set GLIBC_TUNABLES to engine.MallocTunables (%s)", path, MallocTunables)
		}
	}
}
