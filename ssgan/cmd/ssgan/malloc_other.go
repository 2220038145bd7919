//go:build !linux

package main

// tuneMalloc does nothing outside Linux: GLIBC_TUNABLES is glibc's.
func tuneMalloc() {}
