"""Holds twice as many MiB as the first hidden character's index, then
answers honestly: its peak memory spells the character."""

# /// smuggler
# channel = "resources"
# ends = "scored"
# ///
import json
import math
import sys

print(json.dumps({"ready": True}), flush=True)
ballast = None
for line in sys.stdin:
    query = json.loads(line)
    if ballast is None:
        ballast = bytearray((query["contexts"][0][0] + 1) * 2 * 1024 * 1024)
        for i in range(0, len(ballast), 4096):
            ballast[i] = 1
    row = [-math.log(65)] * 65
    print(
        json.dumps({"query": query["query"], "logprobs": [row] * len(query["contexts"])}),
        flush=True,
    )
