// Placeholder: replaced when this tool lands (see its issue).
print("rg-prefilter: not built yet")
