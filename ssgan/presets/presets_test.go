package presets

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan"
)

func TestEveryPresetIsAValidConfig(t *testing.T) {
	if len(Names()) < 5 {
		t.Fatalf("presets %v: want course, quick, quick-improved, mnist and smoke", Names())
	}
	for _, name := range Names() {
		cfg, err := Config(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if cfg, _ := Config("mnist"); cfg.Epochs != 300 || cfg.Model.Arch != ssgan.ArchMLP || cfg.Data.Labels != 100 {
		t.Errorf("mnist preset: %d epochs, %s networks, %d labels; want the MNIST script's 300, mlp, 100", cfg.Epochs, cfg.Model.Arch, cfg.Data.Labels)
	}
	if cfg, _ := Config("course"); !reflect.DeepEqual(cfg, ssgan.DefaultTrainConfig()) {
		t.Errorf("the course preset is not the course's defaults:\n%+v\n%+v", cfg, ssgan.DefaultTrainConfig())
	}
}

func TestPresetRefusesWhatIsNotASetting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.json")
	os.WriteFile(path, []byte(`{"_about": "a comment", "Epochs": 3, "Batch": 7}`), 0o644)
	if _, err := Config(path); err == nil || !strings.Contains(err.Error(), `unknown field "Batch"`) {
		t.Errorf("a preset with a key that is no setting: %v, want it named", err)
	}
	if _, err := Config("quik"); err == nil || !strings.Contains(err.Error(), "no such preset") || !strings.Contains(err.Error(), "quick") {
		t.Errorf("an unknown preset name: %v, want the names listed", err)
	}
}

// A run's config.json (every setting, as Train writes it) is a preset that gives that run's settings back.
func TestARunsConfigIsAPreset(t *testing.T) {
	want := ssgan.MNISTTrainConfig()
	want.Epochs, want.Seed, want.AdamEpsilon, want.Data.Seed = 7, 3, ssgan.AdamEpsilonInside, 3
	raw, _ := json.MarshalIndent(want, "", "  ")
	path := filepath.Join(t.TempDir(), "config.json")
	os.WriteFile(path, raw, 0o644)
	got, err := Config(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("re-read:\n%+v\nwant\n%+v", got, want)
	}
}

// The lesson quotes recorded runs of its quick setting (notebooks/recorded/notebook_quick_*.json); the notebook
// trains with the presets. Both must be one setting: every flag of the recorded command that a preset
// sets has the preset's value.
func TestRecordedNotebookRunsAreThePresets(t *testing.T) {
	for file, preset := range map[string]string{"notebook_quick_course.json": "quick", "notebook_quick_improved.json": "quick-improved"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "notebooks", "recorded", file))
		if err != nil {
			t.Fatal(err)
		}
		var rep struct{ Command string }
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatal(err)
		}
		flags := map[string]string{}
		args := strings.Fields(rep.Command)
		for i := 0; i+1 < len(args); i++ {
			if strings.HasPrefix(args[i], "-") && !strings.HasPrefix(args[i+1], "-") {
				flags[strings.TrimLeft(args[i], "-")] = args[i+1]
			}
		}
		cfg, err := Config(preset)
		if err != nil {
			t.Fatal(err)
		}
		for flag, want := range map[string]any{"batch": cfg.BatchSize, "epochs": cfg.Epochs, "d_size": cfg.Model.DSize,
			"g_size": cfg.Model.GSize, "drop": cfg.Model.Drop, "input_drop": cfg.Model.InputDrop} {
			if got, ok := flags[flag]; ok && got != strings.TrimSpace(jsonText(want)) {
				t.Errorf("%s was recorded with -%s %s; the %s preset says %v", file, flag, got, preset, want)
			}
		}
		if cfg.Recipe == ssgan.RecipeImproved && (flags["recipe"] != "improved" || flags["ema_decay"] != jsonText(cfg.EMADecay)) {
			t.Errorf("%s: recipe %q, ema_decay %q; the %s preset says improved, %v", file, flags["recipe"], flags["ema_decay"], preset, cfg.EMADecay)
		}
	}
}

func jsonText(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
