// Placeholder: replaced when this tool lands (see its issue).
print("extract-latency: not built yet")
