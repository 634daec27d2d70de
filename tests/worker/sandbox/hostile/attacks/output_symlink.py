"""Make the predictions a link: to the hidden labels' host path (the grader, outside,
would read them as the predictions), to a foreign file (a chown that follows links
would give it away), and to a file inside the sandbox."""
# /// hostile
# status = "ok"
# prints = ["planted links"]
# checks = ["output_refused"]
# pipeline = "failed"
# ///

import json
import os
import pathlib

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
os.symlink(targets["hidden_labels"], "/output/predictions.csv")
os.symlink(targets["canary"], "/output/canary-link")
os.symlink(targets["hidden_dir"], "/output/hidden-dir-link")
os.symlink("/data/train.csv", "/output/train-link")
os.mkdir("/output/sub")
os.symlink("../predictions.csv", "/output/sub/predictions.csv")
print("planted links")
