// Package exercises is where you write the lesson's seven exercises in an editor instead of the notebook.
//
// pieces.go holds stubs that panic with "exercise N (Name) not implemented yet". Replace each TODO with
// your code; `go test ./exercises/...` runs the lesson's checks and says which exercises are done and
// what is wrong with the others. To train with your answers, pass them to the ssgan package as
// ssgan.Pieces (see notebooks/lesson.md's "Putting it together").
//
// pieces.go is generated from solutions/pieces.go (`go generate ./...`), which refuses to overwrite
// your answers.
package exercises
