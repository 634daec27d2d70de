"""Spin forever on the CPU."""
# /// hostile
# status = "time_limit"
# prints = ["spinning"]
# [limits]
# wall_seconds = 2
# cpu_seconds = 30
# ///

print("spinning", flush=True)
while True:
    pass
