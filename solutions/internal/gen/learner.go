package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// What a learner typed is never overwritten: exercises/pieces.go is refused once it holds an answer
// (checkNoAnswers), and a generated notebook is refused once it differs from what this command last wrote
// there (or, before its first run in a clone, from the committed file): JupyterLab saves into the notebook
// it has open, answers and outputs alike.

// stampFile records the SHA-256 of every notebook this command wrote, inside .git (never committed).
const stampFile = "ssgan-generated.json"

// stampPath is where the stamps live: git's own directory for this work tree, or outside a git clone
// (a downloaded archive) the git-ignored out/ folder.
func stampPath(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--git-path", stampFile).Output()
	if err != nil {
		if err := os.MkdirAll(filepath.Join(root, "out"), 0o755); err != nil {
			return ""
		}
		return filepath.Join(root, "out", stampFile)
	}
	p := strings.TrimSpace(string(out))
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	return p
}

func readStamps(root string) map[string]string {
	stamps := map[string]string{}
	if p := stampPath(root); p != "" {
		if raw, err := os.ReadFile(p); err == nil {
			_ = json.Unmarshal(raw, &stamps) // A damaged stamp file only makes the check stricter.
		}
	}
	return stamps
}

func writeStamps(root string, stamps map[string]string) error {
	p := stampPath(root)
	if p == "" {
		return nil
	}
	raw, err := json.MarshalIndent(stamps, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(p, raw, 0o644)
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// committed returns the file's content in git's HEAD, or nil.
func committed(root, name string) []byte {
	out, err := exec.Command("git", "-C", root, "show", "HEAD:./"+name).Output() // ./: relative to root, not git's top.
	if err != nil {
		return nil
	}
	return out
}

// checkNotebooksUnedited refuses to write a notebook whose file holds something this command did not
// write: content that is neither the new one, nor what the stamps say it last wrote, nor the committed one.
func checkNotebooksUnedited(root string, files map[string][]byte, stamps map[string]string) error {
	var edited []string
	for name, want := range files {
		if !strings.HasSuffix(name, ".ipynb") {
			continue
		}
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil || bytes.Equal(got, want) || sha(got) == stamps[name] {
			continue // Missing, already current, or as this command left it.
		}
		if c := committed(root, name); c != nil && bytes.Equal(got, c) {
			continue
		}
		edited = append(edited, name)
	}
	if len(edited) > 0 {
		return fmt.Errorf("%s changed since it was generated (answers or outputs saved into it?); regenerating would erase that: "+
			"move it aside (make lab works on copies, notebooks/my-*.ipynb) or run with -force", strings.Join(edited, ", "))
	}
	return nil
}

// funcPart is one top-level function of a Go file, split where the lesson's part ends and the learner's
// begins: its doc comment and signature (the heading), and its body.
type funcPart struct{ heading, body string }

// funcParts splits src's top-level functions by name (a function ends at the first "}" in column 0).
func funcParts(src string) map[string]funcPart {
	lines := strings.Split(src, "\n")
	out := map[string]funcPart{}
	for i, l := range lines {
		m := funcLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		first := i
		for first > 0 && strings.HasPrefix(lines[first-1], "//") {
			first--
		}
		end := i + 1
		for end < len(lines) && lines[end] != "}" {
			end++
		}
		out[m[1]] = funcPart{heading: strings.Join(lines[first:i+1], "\n"), body: strings.Join(lines[i+1:end], "\n")}
	}
	return out
}

// answered names the exercise functions of src whose stub has been replaced (no NotImplemented panic left).
func answered(src string, exercises []exercise) []string {
	parts := funcParts(src)
	var out []string
	for _, ex := range exercises {
		if p, ok := parts[ex.Name]; ok && !strings.Contains(p.body, "panic(ssgan.NotImplemented(") {
			out = append(out, ex.Name)
		}
	}
	return out
}

// stubsCurrent compares a learner's exercises/pieces.go with the generated stubs where the lesson decides:
// every exercise's doc comment and signature. Bodies, helpers and imports are the learner's.
func stubsCurrent(got, want []byte, exercises []exercise) error {
	g, w := funcParts(string(got)), funcParts(string(want))
	for _, ex := range exercises {
		if g[ex.Name].heading != w[ex.Name].heading {
			return fmt.Errorf("exercises/pieces.go: exercise %d (%s) has an old doc comment or signature: the lesson changed it; "+
				"save your answers elsewhere, run `go run ./solutions/internal/gen -force`, then paste them back", ex.N, ex.Name)
		}
	}
	return nil
}
