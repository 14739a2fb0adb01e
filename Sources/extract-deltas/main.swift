// Placeholder: replaced when this tool lands (see its issue).
print("extract-deltas: not built yet")
