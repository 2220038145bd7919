package notebooks

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestModelCodeIsWhatTheEyeLandsOn: the learner's notebooks show the model, not the plumbing. At most 5
// error-handling blocks each (ssgan/notebook's Must and Check end a cell in one line instead); no code
// cell over 25 lines but the course's own model and training-loop code and the exercises' answers; the
// project's test-only setting nowhere in the learner's text.
func TestModelCodeIsWhatTheEyeLandsOn(t *testing.T) {
	longAllowed := []string{"func Generator(", "func Discriminator(", "func StepLosses(", "func CourseEpoch(", "is exercise "}
	for _, name := range []string{"solutions.ipynb", "exercises.ipynb", "mnist.ipynb"} {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var nb struct {
			Cells []struct {
				Type   string   `json:"cell_type"`
				Source []string `json:"source"`
			} `json:"cells"`
		}
		if err := json.Unmarshal(raw, &nb); err != nil {
			t.Fatal(err)
		}
		errBlocks := 0
		for i, c := range nb.Cells {
			src := strings.Join(c.Source, "")
			if strings.Contains(src, "smoke") {
				t.Errorf("%s cell %d mentions the tests' smoke setting", name, i)
			}
			if c.Type != "code" {
				continue
			}
			errBlocks += strings.Count(src, "err != nil") + strings.Count(src, "err == nil")
			if lines := strings.Count(strings.TrimSpace(src), "\n") + 1; lines > 25 && !containsAny(src, longAllowed) {
				t.Errorf("%s cell %d: %d lines of plumbing (first: %q); move it into ssgan/notebook", name, i, lines, strings.SplitN(src, "\n", 2)[0])
			}
		}
		if errBlocks > 5 {
			t.Errorf("%s: %d error-handling blocks, want at most 5 (notebook.Must / notebook.Check)", name, errBlocks)
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
