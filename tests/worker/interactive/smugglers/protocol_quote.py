"""Answers with the context itself, which the protocol refuses: a reason that
quoted the refused answer would carry it out."""

# /// smuggler
# channel = "failure_reason"
# ends = "failed"
# ///
import json
import sys

with open("/data/vocab.json") as file:
    vocab = json.load(file)
print(json.dumps({"ready": True}), flush=True)
query = json.loads(sys.stdin.readline())
print("LEAK<" + "".join(vocab[i] for i in query["contexts"][0]) + ">", flush=True)
sys.stdin.readline()
