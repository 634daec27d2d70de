"""A memory bomb in the torch runtime (no RLIMIT_AS: the cgroup must stop it)."""
# /// hostile
# status = "memory_limit"
# prints = ["torch imported"]
# runtime = "torch"
# [limits]
# memory_bytes = 805306368
# wall_seconds = 60
# cpu_seconds = 60
# ///

import torch

print("torch imported", flush=True)
tensors = []
while True:
    tensors.append(torch.ones(32 * 1024 * 1024))  # 128 MB each, written
