// Placeholder: replaced when this tool lands (see its issue).
print("extract-prompts: not built yet")
