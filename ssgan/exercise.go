package ssgan

import "fmt"

// NotImplementedError is what an unfinished exercise stub panics with: it says which exercise and where to
// write it, and the lesson's checks and the training loop pass it on as it is.
type NotImplementedError struct {
	Exercise int
	Name     string // The function to write.
	Where    string // The file or notebook cell that holds it.
}

func (e *NotImplementedError) Error() string {
	return fmt.Sprintf("exercise %d (%s) not implemented yet — edit %s", e.Exercise, e.Name, e.Where)
}

// NotImplemented returns the error an exercise stub panics with.
func NotImplemented(exercise int, name, where string) error {
	return &NotImplementedError{Exercise: exercise, Name: name, Where: where}
}
