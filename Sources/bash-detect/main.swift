// Placeholder: replaced when this tool lands (see its issue).
print("bash-detect: not built yet")
