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

// Generated digits stand in for SVHN where it cannot be downloaded: the same layout, 32x32x3 bytes.
func ExampleSyntheticDigits() {
	im := data.SyntheticDigits(100, 1)
	fmt.Println(im.Len(), len(im.Pixels) == im.Len()*data.ImageValues)
	ds, err := data.NewDataset(im, data.SyntheticDigits(40, 2), data.DatasetOptions{Labels: 20, Seed: 1, ValidFraction: 0.5})
	if err != nil {
		panic(err)
	}
	fmt.Println(ds.Train.Len(), ds.Valid.Len(), ds.Test.Len())
	// Output:
	// 100 true
	// 100 20 20
}
