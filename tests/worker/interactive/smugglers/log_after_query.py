"""Copies each context the grader sends into its log (stderr), then answers
honestly: the harvest of issue 13, read back from the author's log."""

# /// smuggler
# channel = "log"
# ends = "scored"
# ///
import json
import math
import sys

with open("/data/vocab.json") as file:
    vocab = json.load(file)
print("BEFORE: loading the model", file=sys.stderr, flush=True)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    query = json.loads(line)
    for context in query["contexts"]:
        print("LEAK<" + "".join(vocab[i] for i in context) + ">", file=sys.stderr, flush=True)
    row = [-math.log(65)] * 65
    print(
        json.dumps({"query": query["query"], "logprobs": [row] * len(query["contexts"])}),
        flush=True,
    )
