// Placeholder: replaced when this tool lands (see its issue).
print("extract-pairs: not built yet")
