"""Fill the disk through /output: big files written as fast as possible, forever."""
# /// hostile
# status = "output_limit"
# prints = ["filling /output"]
# checks = ["output_bounded"]
# [limits]
# wall_seconds = 20
# ///

print("filling /output", flush=True)
block = b"x" * (8 * 1024 * 1024)
index = 0
while True:
    try:
        with open(f"/output/fill-{index}", "wb") as sink:
            for _ in range(8):
                sink.write(block)
    except OSError:
        pass
    index += 1
