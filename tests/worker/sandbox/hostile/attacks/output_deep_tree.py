"""Nest thousands of folders in /output: recursive walkers (os.walk, shutil.rmtree on
Python 3.11) die of RecursionError, and paths outgrow PATH_MAX."""
# /// hostile
# status = "output_limit"
# prints = ["nesting 3000 folders"]
# checks = ["output_shallow"]
# pipeline = "failed"
# ///

import os

print("nesting 3000 folders", flush=True)
os.chdir("/output")
for _ in range(3000):
    os.mkdir("d")
    os.chdir("d")
with open("predictions.csv", "w") as deep:
    deep.write("id,label\n")
print("nested 3000 folders")
