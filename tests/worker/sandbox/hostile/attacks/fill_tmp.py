"""Fill /tmp, then /dev/shm: both are tmpfs of a fixed size, so writing stops there."""
# /// hostile
# status = "ok"
# prints = ["/tmp: full", "/dev/shm: full"]
# ///

import json
import pathlib

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
cap = targets["limits"]["tmp_bytes"]
for folder in ("/tmp", "/dev/shm"):
    written, block = 0, b"x" * (1024 * 1024)
    try:
        for index in range(1_000_000):
            with open(f"{folder}/fill-{index}", "wb") as sink:
                for _ in range(16):
                    written += sink.write(block)
    except OSError:
        pass
    print(f"{folder}: full" if written <= cap else f"ESCAPED {folder} took {written} bytes > {cap}")
