"""Exits with the first hidden character's index as its exit code."""

# /// smuggler
# channel = "exit_code"
# ends = "failed"
# ///
import json
import sys

print(json.dumps({"ready": True}), flush=True)
query = json.loads(sys.stdin.readline())
sys.exit(2 + query["contexts"][0][0])
