// Command svhnfolder writes a folder data set (ssgan train -data_dir) from an SVHN-layout .mat file: a
// few classes named by words, a few labelled images of each in train/, a test/ folder, and every other
// image of those classes in unlabelled/. The evidence for "your own images" is a run on such a folder.
//
//	go run ./ssgan/bench/svhnfolder -mat test_32x32.mat -out DIR [-digits 1,2,3,4] [-labels 20] [-test 300]
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

var words = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

func main() {
	mat := flag.String("mat", "", "SVHN-layout .mat file (required)")
	out := flag.String("out", "", "folder to write (required; must not exist)")
	digits := flag.String("digits", "1,2,3,4", "the digits that become classes (named by their words)")
	labels := flag.Int("labels", 20, "labelled images per class (train/)")
	test := flag.Int("test", 300, "test images per class (test/)")
	flag.Parse()
	if err := run(*mat, *out, *digits, *labels, *test); err != nil {
		fmt.Fprintln(os.Stderr, "svhnfolder:", err)
		os.Exit(1)
	}
}

func run(mat, out, digitList string, labels, test int) error {
	if mat == "" || out == "" {
		return fmt.Errorf("-mat and -out are required")
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists: choose a new folder", out)
	}
	im, err := data.LoadSVHN(mat)
	if err != nil {
		return err
	}
	names := make([]string, data.NumClasses)
	for _, d := range strings.Split(digitList, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(d))
		if err != nil || v < 0 || v > 9 {
			return fmt.Errorf("-digits %q: want digits 0-9", digitList)
		}
		names[v] = words[v]
	}
	// In file order: the first images of each class are labelled, the next are the test set, the rest
	// unlabelled.
	train, testN, unl, err := data.WriteFolderSplit(out, im, names, labels, test, -1)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d labelled, %d test, %d unlabelled images of digits %s\n", out, train, testN, unl, digitList)
	return nil
}
