package data_test

import (
	"fmt"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// The lesson's 1,000 labels, balanced: 100 of each digit.
func ExampleLabelMask() {
	im := data.SyntheticDigits(5000, 1)
	mask, err := data.LabelMask(im.Labels, 1000, false, 42)
	if err != nil {
		panic(err)
	}
	perDigit := make([]int, data.NumClasses)
	for i, known := range mask {
		if known {
			perDigit[im.Labels[i]]++
		}
	}
	fmt.Println(perDigit)
	// Output: [100 100 100 100 100 100 100 100 100 100]
}
