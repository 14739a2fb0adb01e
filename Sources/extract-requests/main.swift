// Placeholder: replaced when this tool lands (see its issue).
print("extract-requests: not built yet")
