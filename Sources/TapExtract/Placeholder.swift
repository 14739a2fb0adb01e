// Placeholder: the shared analysis of the extract-* tools lands here.
