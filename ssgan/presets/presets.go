// Package presets holds the project's named settings, one JSON file each, as nanoGPT keeps its config/:
// course (the course's run), quick and quick-improved (the notebooks' quick setting, each procedure),
// mnist (the paper's MNIST script) and smoke (the tests'). A preset names only what it sets; the rest comes
// from the defaults of its data set, recipe and network (ssgan.DefaultConfig). A run's config.json is a
// preset too, one that sets everything, so a recorded run re-runs exactly:
//
//	ssgan train -preset quick -synthetic -out run
//	ssgan train -preset out/run/config.json -out rerun
//
// Keys that start with "_" are comments; any other key that is not a setting is refused by name.
package presets

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ssgan-go/ssgan-go/ssgan"
)

//go:embed *.json
var files embed.FS

// Names lists the presets kept here.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(names)
	return names
}

// read returns a preset's JSON: one of Names, or a path to a JSON file.
func read(nameOrPath string) ([]byte, error) {
	if raw, err := files.ReadFile(nameOrPath + ".json"); err == nil {
		return raw, nil
	}
	if !strings.ContainsAny(nameOrPath, `/\`) && filepath.Ext(nameOrPath) != ".json" {
		return nil, fmt.Errorf("preset %q: no such preset (want one of %s, or a path to a .json file such as a run's config.json)",
			nameOrPath, strings.Join(Names(), ", "))
	}
	raw, err := os.ReadFile(nameOrPath)
	if err != nil {
		return nil, fmt.Errorf("preset %s: %w", nameOrPath, err)
	}
	return raw, nil
}

// Apply returns cfg with the preset's settings on top.
func Apply(cfg ssgan.TrainConfig, nameOrPath string) (ssgan.TrainConfig, error) {
	raw, err := read(nameOrPath)
	if err != nil {
		return cfg, err
	}
	if err := decode(raw, &cfg); err != nil {
		return cfg, fmt.Errorf("preset %s: %w", nameOrPath, err)
	}
	return cfg, nil
}

// MustApply is Apply for the presets kept here, whose files a test reads (TestPresetsDecode).
func MustApply(cfg ssgan.TrainConfig, name string) ssgan.TrainConfig {
	cfg, err := Apply(cfg, name)
	if err != nil {
		panic(err)
	}
	return cfg
}

// Config returns the configuration a preset describes: the defaults of the data set, recipe and network
// it names (ssgan.DefaultConfig; "" for what it leaves out), with the preset on top.
func Config(nameOrPath string) (ssgan.TrainConfig, error) {
	dataset, recipe, arch, err := Choices(nameOrPath)
	if err != nil {
		return ssgan.TrainConfig{}, err
	}
	return Apply(ssgan.DefaultConfig(dataset, recipe, arch), nameOrPath)
}

// Choices returns the data set, recipe and network a preset names ("" where it names none): the choices
// whose defaults it starts from.
func Choices(nameOrPath string) (dataset, recipe, arch string, err error) {
	raw, err := read(nameOrPath)
	if err != nil {
		return "", "", "", err
	}
	var picks struct {
		Data   struct{ Dataset string }
		Recipe string
		Model  struct{ Arch string }
	}
	if err := json.Unmarshal(raw, &picks); err != nil {
		return "", "", "", fmt.Errorf("preset %s: %w", nameOrPath, err)
	}
	return picks.Data.Dataset, picks.Recipe, picks.Model.Arch, nil
}

// decode puts the JSON object's settings on top of cfg, refusing keys that are not settings (a typo would
// otherwise be ignored); top-level keys that start with "_" are comments.
func decode(raw []byte, cfg *ssgan.TrainConfig) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return err
	}
	for k := range obj {
		if strings.HasPrefix(k, "_") {
			delete(obj, k)
		}
	}
	clean, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(clean))
	dec.DisallowUnknownFields()
	return dec.Decode(cfg)
}
