// Placeholder: replaced when this tool lands (see its issue).
print("extract-usage: not built yet")
