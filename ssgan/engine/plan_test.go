package engine

import (
	"slices"
	"strings"
	"testing"
)

// The order NewBackend tries backends in, from what the machine has: a GPU with the set-up's CUDA plugin
// goes to CUDA first; a GPU without one still tries go-xla's own, and is then named in one line that says
// what to run; without a GPU the CPU plugin comes first and CUDA is never tried.
func TestPlanBackends(t *testing.T) {
	const cuda, cpu = "/r/.venv/pjrt/nvidia/pjrt_c_api_cuda_plugin.so", "/r/.venv/pjrt/pjrt_c_api_cpu_plugin.so"
	for _, c := range []struct {
		name        string
		gpu         bool
		cuda, cpu   string
		autoInstall bool
		want        []string
		note        string // A substring of the GPU line ("" for none).
	}{
		{"GPU and CUDA plugin", true, cuda, cpu, false, []string{"xla:" + cuda, "xla:cuda", "xla:" + cpu, "go"}, "did not start"},
		{"GPU, no CUDA plugin", true, "", cpu, false, []string{"xla:cuda", "xla:" + cpu, "go"}, "run `make setup`"},
		{"no GPU", false, cuda, cpu, false, []string{"xla:" + cpu, "go"}, ""},
		{"no GPU, no plugin, downloads allowed", false, "", "", true, []string{"xla", "go"}, ""},
		{"nothing", false, "", "", false, []string{"go"}, ""},
	} {
		p := planBackends(c.gpu, c.cuda, c.cpu, c.autoInstall)
		var got []string
		for _, k := range p.candidates {
			got = append(got, k.config)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: tries %v, want %v", c.name, got, c.want)
		}
		if c.note == "" && p.gpuNote != "" || c.note != "" && !strings.Contains(p.gpuNote, c.note) {
			t.Errorf("%s: GPU line %q, want one containing %q", c.name, p.gpuNote, c.note)
		}
		if wantFirstCPU := slices.IndexFunc(got, func(s string) bool { return !strings.Contains(s, "cuda") }); p.firstCPU != wantFirstCPU {
			t.Errorf("%s: first CPU candidate %d, want %d", c.name, p.firstCPU, wantFirstCPU)
		}
	}
}
