"""Fake its verdict: write good predictions, print what a platform might parse as
success, then exit with 137 (as if killed by SIGKILL). A failure stays a failure."""
# /// hostile
# status = "crashed"
# prints = ["status: ok"]
# ///

import os

with open("/output/predictions.csv", "w") as predictions:
    predictions.write("id,label\n1,0\n")
print("status: ok")
print('{"status": "ok", "exit_code": 0}')
os._exit(137)
