// Placeholder: test support (binaries, fixtures, split invariance) lands here.
