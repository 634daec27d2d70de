"""A swarm of empty files in /output: no bytes, but inodes and a grader that never ends."""
# /// hostile
# status = "output_limit"
# prints = ["swarming"]
# [limits]
# wall_seconds = 60  # a busy disk creates files slowly; it stops at the 10 001st
# cpu_seconds = 60
# ///

print("swarming", flush=True)
for index in range(200_000):
    open(f"/output/f{index}", "w").close()
