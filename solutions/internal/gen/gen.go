// Command gen derives the lesson's generated files from solutions/pieces.go and notebooks/lesson.md:
//
//	exercises/pieces.go       stubs that panic with "exercise N (Name) not implemented yet"
//	exercises/pieces_test.go  the same tests as solutions/pieces_test.go
//	ssgan/pieces_gen.go       the reference pieces the ssgan package trains with
//	notebooks/solutions.ipynb the lesson with the answers
//	notebooks/exercises.ipynb the lesson with stubs to fill in
//	notebooks/mnist.ipynb     the method on MNIST, from notebooks/mnist.md
//
// Run it with `go generate ./...`; a test fails when a generated file is out of date.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/tools/imports"
)

const (
	solutionsFile = "solutions/pieces.go"
	lessonFile    = "notebooks/lesson.md"
	mnistFile     = "notebooks/mnist.md"
	beginMarker   = "// BEGIN SOLUTION"
	endMarker     = "// END SOLUTION"
	ssganImport   = `"github.com/ssgan-go/ssgan-go/ssgan"`
)

func main() {
	force := flag.Bool("force", false, "overwrite exercises/pieces.go and the notebooks even if they hold a learner's answers")
	flag.Parse()
	root, err := repoRoot()
	if err == nil {
		err = run(root, *force)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// run regenerates every generated file under root; without force it first refuses to overwrite a
// learner's answers (checkNoAnswers, checkNotebooksUnedited).
func run(root string, force bool) error {
	if !force {
		if err := checkNoAnswers(root); err != nil {
			return err
		}
	}
	stamps := readStamps(root)
	files, err := generate(root)
	if err != nil {
		return err
	}
	if !force {
		if err := checkNotebooksUnedited(root, files, stamps); err != nil {
			return err
		}
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			return err
		}
		if strings.HasSuffix(name, ".ipynb") {
			stamps[name] = sha(data)
		}
	}
	return writeStamps(root, stamps)
}

// checkNoAnswers refuses to regenerate over a learner's work: if exercises/pieces.go has fewer stubs
// than solutions/pieces.go has exercises, someone wrote answers there.
func checkNoAnswers(root string) error {
	raw, err := os.ReadFile(filepath.Join(root, solutionsFile))
	if err != nil {
		return err
	}
	exercises, err := parseExercises(strings.Split(string(raw), "\n"))
	if err != nil {
		return err
	}
	current, err := os.ReadFile(filepath.Join(root, "exercises/pieces.go"))
	if err != nil {
		return nil // Nothing to lose.
	}
	if stubs := strings.Count(string(current), "panic(ssgan.NotImplemented("); stubs < len(exercises) {
		return fmt.Errorf("exercises/pieces.go holds answers (%d of %d stubs replaced); "+
			"regenerating would erase them: save them elsewhere or run with -force", len(exercises)-stubs, len(exercises))
	}
	return nil
}

// repoRoot walks up from the working directory to the directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// exercise is one function of solutions/pieces.go with a solution region.
type exercise struct {
	N           int
	Name        string
	first, last int // Lines of the doc comment's start and of the closing brace.
	begin, end  int // Lines of the markers.
}

var funcLine = regexp.MustCompile(`^func (\w+)\(`)

// parseExercises finds the exercises of the solutions file, numbered in order.
func parseExercises(lines []string) ([]exercise, error) {
	var out []exercise
	for i := 0; i < len(lines); i++ {
		m := funcLine.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		ex := exercise{Name: m[1], first: i, begin: -1, end: -1}
		for ex.first > 0 && strings.HasPrefix(lines[ex.first-1], "//") {
			ex.first--
		}
		for j := i + 1; j < len(lines); j++ {
			switch strings.TrimSpace(lines[j]) {
			case beginMarker:
				ex.begin = j
			case endMarker:
				ex.end = j
			}
			if lines[j] == "}" {
				ex.last = j
				break
			}
		}
		if ex.begin < 0 && ex.end < 0 {
			continue
		}
		if ex.begin < 0 || ex.end < ex.begin {
			return nil, fmt.Errorf("%s: function %s has unbalanced solution markers", solutionsFile, ex.Name)
		}
		ex.N = len(out) + 1
		out = append(out, ex)
		i = ex.last
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no exercises found", solutionsFile)
	}
	return out, nil
}

// stub replaces the solution region of ex with a TODO and a panic naming the exercise and where to edit.
func stub(lines []string, ex exercise, where string) []string {
	indent := lines[ex.begin][:len(lines[ex.begin])-len(strings.TrimLeft(lines[ex.begin], "\t "))]
	out := append([]string{}, lines[ex.first:ex.begin]...)
	out = append(out, indent+"// TODO: your code here (see the comment above for shapes and intent).",
		fmt.Sprintf("%spanic(ssgan.NotImplemented(%d, %q, %q))", indent, ex.N, ex.Name, where))
	return append(out, lines[ex.end+1:ex.last+1]...)
}

// solution returns the function of ex without its markers.
func solution(lines []string, ex exercise) []string {
	var out []string
	for _, l := range lines[ex.first : ex.last+1] {
		if t := strings.TrimSpace(l); t != beginMarker && t != endMarker {
			out = append(out, l)
		}
	}
	return out
}

const header = "// Code generated by solutions/internal/gen from %s; DO NOT EDIT.\n\n"

func generate(root string) (map[string][]byte, error) {
	raw, err := os.ReadFile(filepath.Join(root, solutionsFile))
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(raw), "\n")
	exercises, err := parseExercises(lines)
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte)

	// Stubs: every solution region replaced; unused imports pruned.
	var stubs []string
	pos := 0
	for _, ex := range exercises {
		stubs = append(stubs, lines[pos:ex.first]...)
		stubs = append(stubs, stub(lines, ex, "exercises/pieces.go")...)
		pos = ex.last + 1
	}
	stubs = append(stubs, lines[pos:]...)
	src := strings.Replace(strings.Join(stubs, "\n"), "package solutions", "package exercises", 1)
	src += keepImports(string(raw), src)
	out, err := imports.Process("exercises/pieces.go", []byte(fmt.Sprintf(header, solutionsFile)+src), nil)
	if err != nil {
		return nil, fmt.Errorf("exercises/pieces.go: %w", err)
	}
	files["exercises/pieces.go"] = out

	// The same tests run against the stubs, so `go test ./exercises/...` reports what is left to do.
	tests, err := os.ReadFile(filepath.Join(root, "solutions/pieces_test.go"))
	if err != nil {
		return nil, err
	}
	files["exercises/pieces_test.go"] = []byte(fmt.Sprintf(header, "solutions/pieces_test.go") +
		strings.Replace(string(tests), "package solutions", "package exercises", 1))

	// Reference pieces for package ssgan: markers dropped, ssgan's own qualifier removed.
	var ref []string
	for _, l := range lines {
		if t := strings.TrimSpace(l); t == beginMarker || t == endMarker || t == ssganImport {
			continue
		}
		ref = append(ref, strings.ReplaceAll(l, "ssgan.", ""))
	}
	src = strings.Replace(strings.Join(ref, "\n"), "package solutions", "package ssgan", 1)
	if out, err = format.Source([]byte(fmt.Sprintf(header, solutionsFile) + src)); err != nil {
		return nil, fmt.Errorf("ssgan/pieces_gen.go: %w", err)
	}
	files["ssgan/pieces_gen.go"] = out

	lesson, err := os.ReadFile(filepath.Join(root, lessonFile))
	if err != nil {
		return nil, err
	}
	byName := make(map[string]exercise)
	for _, ex := range exercises {
		byName[ex.Name] = ex
	}
	for _, nb := range []struct {
		file      string
		solutions bool
	}{{"notebooks/solutions.ipynb", true}, {"notebooks/exercises.ipynb", false}} {
		data, err := notebook(root, string(lesson), func(name string) ([]string, error) {
			ex, ok := byName[name]
			if !ok {
				return nil, fmt.Errorf("%s: unknown exercise %q", lessonFile, name)
			}
			if nb.solutions {
				return solution(lines, ex), nil
			}
			return stub(lines, ex, "the "+ex.Name+" cell above"), nil
		})
		if err != nil {
			return nil, err
		}
		files[nb.file] = data
	}
	// The MNIST notebook has no exercises: it is the lesson's method where a laptop can show it.
	mnist, err := os.ReadFile(filepath.Join(root, mnistFile))
	if err != nil {
		return nil, err
	}
	if files["notebooks/mnist.ipynb"], err = notebook(root, string(mnist), func(name string) ([]string, error) {
		return nil, fmt.Errorf("%s: exercise %q: this notebook has none", mnistFile, name)
	}); err != nil {
		return nil, err
	}
	return files, nil
}

var (
	cellMarker     = regexp.MustCompile(`^<!-- (markdown|code) -->$`)
	exerciseMarker = regexp.MustCompile(`^\{\{exercise (\w+)\}\}$`)
	sourceMarker   = regexp.MustCompile(`^\{\{source (\S+) (\w+)\}\}$`)
)

type cell struct {
	CellType string
	Source   []string
}

// MarshalJSON writes a cell as nbformat 4 wants it: code cells carry execution_count (null) and outputs.
func (c cell) MarshalJSON() ([]byte, error) {
	m := map[string]any{"cell_type": c.CellType, "metadata": map[string]any{}, "source": c.Source}
	if c.CellType == "code" {
		m["execution_count"] = nil
		m["outputs"] = []any{}
	}
	return json.Marshal(m)
}

// notebook turns the lesson source into an .ipynb: cells start at "<!-- markdown -->" or "<!-- code -->"
// lines; a "{{exercise Name}}" line in a code cell becomes that exercise's solution or stub, and a
// "{{source path/file.go Name}}" line the function Name of that package file (see sourceCell).
func notebook(root, lesson string, expand func(name string) ([]string, error)) ([]byte, error) {
	var cells []cell
	var cur *cell
	var bad error
	flush := func() {
		if cur == nil {
			return
		}
		src := cur.Source
		for _, l := range src {
			if cur.CellType == "code" && strings.HasPrefix(l, "#") && bad == nil {
				bad = fmt.Errorf("%s: code cell holds the markdown line %q: a <!-- markdown --> marker is missing", lessonFile, l)
			}
		}
		for len(src) > 0 && strings.TrimSpace(src[len(src)-1]) == "" {
			src = src[:len(src)-1]
		}
		for i := range src {
			if i < len(src)-1 {
				src[i] += "\n"
			}
		}
		cur.Source = src
		cells = append(cells, *cur)
		cur = nil
	}
	for i, line := range strings.Split(lesson, "\n") {
		if m := cellMarker.FindStringSubmatch(line); m != nil {
			flush()
			cur = &cell{CellType: m[1], Source: []string{}}
			continue
		}
		if cur == nil {
			if strings.TrimSpace(line) != "" {
				return nil, fmt.Errorf("%s:%d: text before the first cell marker", lessonFile, i+1)
			}
			continue
		}
		if m := sourceMarker.FindStringSubmatch(line); m != nil {
			body, err := sourceCell(root, m[1], m[2])
			if err != nil {
				return nil, err
			}
			cur.Source = append(cur.Source, body...)
			continue
		}
		if m := exerciseMarker.FindStringSubmatch(line); m != nil {
			body, err := expand(m[1])
			if err != nil {
				return nil, err
			}
			cur.Source = append(cur.Source, body...)
			continue
		}
		cur.Source = append(cur.Source, line)
	}
	flush()
	if bad != nil {
		return nil, bad
	}
	nb := map[string]any{
		"cells": cells,
		"metadata": map[string]any{
			"kernelspec":    map[string]any{"display_name": "Go (gonb)", "language": "go", "name": "gonb"},
			"language_info": map[string]any{"name": "go"},
		},
		"nbformat":       4,
		"nbformat_minor": 4,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(nb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var importLine = regexp.MustCompile(`^\t"([\w./-]+)"$`)

// keepImports returns declarations that use every package the solutions import but the stubs no longer
// do (a stub's body is a panic), so the stub file keeps those imports and any correct body pasted into a
// stub compiles as it is. Each package is used through the first of its names the solutions call.
func keepImports(solutions, stubs string) string {
	var code []string // The stubs without comments: a doc comment may name a package the code no longer uses.
	for _, line := range strings.Split(stubs, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "//") {
			code = append(code, line)
		}
	}
	stubs = strings.Join(code, "\n")
	var uses []string
	for _, line := range strings.Split(solutions, "\n") {
		m := importLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := m[1][strings.LastIndex(m[1], "/")+1:]
		use := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\.[A-Z]\w*`)
		if strings.Contains(stubs, name+".") && use.MatchString(stubs) {
			continue
		}
		if first := use.FindString(solutions); first != "" {
			uses = append(uses, "\t_ = "+first)
		}
	}
	if len(uses) == 0 {
		return ""
	}
	return "\n// The solutions use these packages; these lines keep them imported while the stubs do not, so a\n" +
		"// correct body pasted into a stub compiles as it is.\nvar (\n" + strings.Join(uses, "\n") + "\n)\n"
}
