package main

import (
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// sourceCell returns function name of file (a file of a package of this repository), with its doc comment,
// as a notebook cell can declare it: every name that the package exports and the function uses is
// qualified with the package's name ("Conv" becomes "ssgan.Conv"). So the notebook shows, and compiles,
// exactly the package's code, and the drift test notices when that code changes.
func sourceCell(root, file, name string) ([]string, error) {
	dir := filepath.Join(root, filepath.Dir(file))
	exported, pkgName, err := exportedNames(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	src, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		return nil, err
	}
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var fn *ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
			fn = fd
		}
	}
	if fn == nil {
		return nil, fmt.Errorf("%s: no function %s", file, name)
	}

	// Identifiers that name something other than a package-level declaration: selected fields and
	// methods, keys of composite literals, the function's own name, and anything the function declares.
	skip := map[*ast.Ident]bool{fn.Name: true}
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			skip[n.Sel] = true
		case *ast.CompositeLit:
			for _, e := range n.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					if id, ok := kv.Key.(*ast.Ident); ok {
						skip[id] = true
					}
				}
			}
		}
		return true
	})
	var at []int
	ast.Inspect(fn, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || skip[id] || !exported[id.Name] {
			return true
		}
		if id.Obj != nil && id.Obj.Pos() >= fn.Pos() && id.Obj.Pos() < fn.End() {
			return true // Declared inside the function (a parameter or a local).
		}
		at = append(at, fset.Position(id.Pos()).Offset)
		return true
	})
	sort.Sort(sort.Reverse(sort.IntSlice(at)))
	start := fn.Pos()
	if fn.Doc != nil {
		start = fn.Doc.Pos()
	}
	text := string(src[fset.Position(start).Offset:fset.Position(fn.End()).Offset])
	base := fset.Position(start).Offset
	for _, off := range at {
		text = text[:off-base] + pkgName + "." + text[off-base:]
	}
	// Formatted as a whole file (a bare declaration list loses the blank lines of its doc comment), as
	// qualified names can change the alignment of trailing comments.
	const clause = "package notebook\n\n"
	out, err := format.Source([]byte(clause + text))
	if err != nil {
		return nil, fmt.Errorf("%s: %s for the notebook: %w", file, name, err)
	}
	return strings.Split(strings.TrimRight(strings.TrimPrefix(string(out), clause), "\n"), "\n"), nil
}

// exportedNames returns the exported package-level names of the Go package in dir (tests left out) and
// the package's name.
func exportedNames(dir string) (map[string]bool, string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, "", err
	}
	names := make(map[string]bool)
	pkgName := ""
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, "", err
		}
		pkgName = f.Name.Name
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					names[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						names[s.Name.Name] = s.Name.IsExported()
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[n.Name] = n.IsExported()
						}
					}
				}
			}
		}
	}
	return names, pkgName, nil
}
