// The Porcupine driver for bench:checker. Porcupine is not vendored: bench/checker.ts copies this module
// into a temp dir and adds `replace github.com/anishathalye/porcupine => DIR` for the checkout it is given.
module faultline/bench/porcupine

go 1.18

require github.com/anishathalye/porcupine v0.0.0
