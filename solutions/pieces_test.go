package solutions

import (
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/lessoncheck"
)

// One test per exercise, each running the lesson's shared check on this package's function.

func TestExercise1GlobalAveragePool(t *testing.T) {
	if err := lessoncheck.GlobalAveragePool(GlobalAveragePool); err != nil {
		t.Fatal(err)
	}
}

func TestExercise2ClassLogits(t *testing.T) {
	if err := lessoncheck.ClassLogits(ClassLogits); err != nil {
		t.Fatal(err)
	}
}

func TestExercise3GANLogit(t *testing.T) {
	if err := lessoncheck.GANLogit(GANLogit); err != nil {
		t.Fatal(err)
	}
}

func TestExercise4DiscriminatorLoss(t *testing.T) {
	if err := lessoncheck.DiscriminatorLoss(DiscriminatorLoss); err != nil {
		t.Fatal(err)
	}
}

func TestExercise5GeneratorLoss(t *testing.T) {
	if err := lessoncheck.GeneratorLoss(GeneratorLoss); err != nil {
		t.Fatal(err)
	}
}

func TestExercise6SplitVariables(t *testing.T) {
	if err := lessoncheck.SplitVariables(SplitVariables); err != nil {
		t.Fatal(err)
	}
}

func TestExercise7Optimize(t *testing.T) {
	if err := lessoncheck.Optimize(Optimize); err != nil {
		t.Fatal(err)
	}
}
