package ssgan

import (
	"errors"
	"fmt"
	"strings"
)

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

// UnwrapNotImplemented returns the exercise stub's error when err carries one, even through GoMLX's
// wrapping of panics raised while building a graph (which keeps only the text), and err otherwise. So a
// learner sees "exercise 3 (GANLogit) not implemented yet — edit ..." rather than a compiler trace.
func UnwrapNotImplemented(err error) error {
	if err == nil {
		return nil
	}
	var ni *NotImplementedError
	if errors.As(err, &ni) {
		return ni
	}
	msg := err.Error()
	i := strings.Index(msg, " not implemented yet — edit ")
	if i < 0 {
		return err
	}
	start := strings.LastIndex(msg[:i], "exercise ")
	if start < 0 {
		return err
	}
	end := strings.IndexByte(msg[i:], '\n')
	if end < 0 {
		end = len(msg) - i
	}
	return errors.New(msg[start : i+end])
}
