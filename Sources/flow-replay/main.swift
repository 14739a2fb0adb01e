// Placeholder: replaced when this tool lands (see its issue).
print("flow-replay: not built yet")
