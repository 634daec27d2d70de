"""An enormous output: a sparse predictions file of a terabyte (or as big as allowed)."""
# /// hostile
# status = "output_limit"
# prints = ["grew predictions.csv"]
# checks = ["output_bounded", "output_refused"]
# ///

import os

with open("/output/predictions.csv", "wb") as huge:
    for size in (1 << 40, 1 << 36, 1 << 30, 1 << 26, (1 << 26) - 1):
        try:
            huge.truncate(size)
            break
        except OSError:
            continue
print("grew predictions.csv to", os.stat("/output/predictions.csv").st_size, "bytes")
