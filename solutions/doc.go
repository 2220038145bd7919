// Package solutions holds the reference answers to the lesson's seven exercises, the one source of truth:
// `go generate ./...` derives from pieces.go the learner's stubs (exercises/pieces.go), the reference
// pieces the ssgan package trains with (ssgan/pieces_gen.go) and the three notebooks (notebooks/*.ipynb,
// from notebooks/lesson.md and notebooks/mnist.md). Code between "// BEGIN SOLUTION" and "// END SOLUTION" is what learners write.
package solutions

//go:generate go run ./internal/gen
