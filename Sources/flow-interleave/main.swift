// Placeholder: replaced when this tool lands (see its issue).
print("flow-interleave: not built yet")
