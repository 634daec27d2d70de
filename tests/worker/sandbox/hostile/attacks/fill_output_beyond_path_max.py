"""Fill the disk through /output out of the counter's sight: folders with long names
nested past PATH_MAX, so that a path-based walk cannot reach the files at the bottom."""
# /// hostile
# status = "output_limit"
# prints = ["hid the bottom"]
# checks = ["output_bounded", "output_shallow"]
# [limits]
# wall_seconds = 20
# ///

import os

os.chdir("/output")
for _ in range(20):  # 20 x 251 characters: past the 4096 of PATH_MAX
    os.mkdir("d" * 250)
    os.chdir("d" * 250)
print("hid the bottom", flush=True)
block = b"x" * (8 * 1024 * 1024)
index = 0
while True:
    try:
        with open(f"fill-{index}", "wb") as sink:
            for _ in range(7):
                sink.write(block)
    except OSError:
        pass
    index += 1
