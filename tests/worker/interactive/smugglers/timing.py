"""Crashes after as many tenths of a second as the first hidden character's
index: the moment it ends spells the character."""

# /// smuggler
# channel = "timing"
# ends = "failed"
# ///
import json
import sys
import time

print(json.dumps({"ready": True}), flush=True)
query = json.loads(sys.stdin.readline())
time.sleep(query["contexts"][0][0] / 10)
raise SystemExit(1)
