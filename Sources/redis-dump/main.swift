// Placeholder: replaced when this tool lands (see its issue).
print("redis-dump: not built yet")
