// Placeholder: replaced when this tool lands (see its issue).
print("delta-unescape: not built yet")
