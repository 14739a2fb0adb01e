// Placeholder: replaced when this tool lands (see its issue).
print("sse-capture: not built yet")
