package ssgan_test

import (
	"fmt"

	"github.com/ssgan-go/ssgan-go/ssgan"
)

// The lesson's 1,000 labels, balanced: 100 of each digit.
func ExampleLabelMask() {
	im := ssgan.SyntheticDigits(5000, 1)
	mask, err := ssgan.LabelMask(im.Labels, 1000, false, 42)
	if err != nil {
		panic(err)
	}
	perDigit := make([]int, ssgan.NumClasses)
	for i, known := range mask {
		if known {
			perDigit[im.Labels[i]]++
		}
	}
	fmt.Println(perDigit)
	// Output: [100 100 100 100 100 100 100 100 100 100]
}

// With the extra "fake" class the discriminator has eleven logits; without it, ten and a fixed fake logit of 0.
func ExampleNumLogits() {
	fmt.Println(ssgan.NumLogits(false), ssgan.NumLogits(true))
	// Output: 10 11
}
