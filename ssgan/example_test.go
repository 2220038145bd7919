package ssgan_test

import (
	"fmt"

	"github.com/ssgan-go/ssgan-go/ssgan"
)

// With the extra "fake" class the discriminator has eleven logits; without it, ten and a fixed fake logit of 0.
func ExampleNumLogits() {
	fmt.Println(ssgan.NumLogits(false), ssgan.NumLogits(true))
	// Output: 10 11
}
