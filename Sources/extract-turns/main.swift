// Placeholder: replaced when this tool lands (see its issue).
print("extract-turns: not built yet")
