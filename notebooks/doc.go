// Package notebooks holds the lesson's GoNB notebooks (generated from lesson.md by `go generate ./...`)
// and the test that executes them headless. The notebooks themselves are not Go code: this package only
// exists for that test.
package notebooks
