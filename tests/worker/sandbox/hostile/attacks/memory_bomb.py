"""A memory bomb: allocate and touch memory until something gives."""
# /// hostile
# status = "memory_limit"
# prints = ["allocating"]
# pipeline = "failed"
# [limits]
# memory_bytes = 134217728
# ///

print("allocating", flush=True)
chunks = []
while True:
    chunks.append(b"x" * (8 * 1024 * 1024))  # filled, so really resident
