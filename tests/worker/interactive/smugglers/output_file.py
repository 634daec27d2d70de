"""Writes each context into a file under /output, then answers honestly."""

# /// smuggler
# channel = "output"
# ends = "scored"
# ///
import json
import math
import sys

with open("/data/vocab.json") as file:
    vocab = json.load(file)
print(json.dumps({"ready": True}), flush=True)
with open("/output/leak.txt", "a") as leak:
    for line in sys.stdin:
        query = json.loads(line)
        for context in query["contexts"]:
            leak.write("LEAK<" + "".join(vocab[i] for i in context) + ">\n")
        leak.flush()
        row = [-math.log(65)] * 65
        answer = {"query": query["query"], "logprobs": [row] * len(query["contexts"])}
        print(json.dumps(answer), flush=True)
