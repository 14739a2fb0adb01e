// Placeholder: replaced when this tool lands (see its issue).
print("json-pretty-stream: not built yet")
