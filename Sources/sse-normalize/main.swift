// Placeholder: replaced when this tool lands (see its issue).
print("sse-normalize: not built yet")
