"""Print what a database or a page may choke on: NUL bytes, invalid UTF-8, terminal
escapes, an HTML script. The log tail must come back as storable text."""
# /// hostile
# status = "ok"
# prints = ["printed hostile bytes"]
# pipeline = "failed"
# ///

import os

os.write(1, b"nul:\x00\x00 invalid:\xff\xfe\xc3 escape:\x1b[2J\x1b]0;owned\x07 \n")
print("<script>alert(1)</script>")
print("printed hostile bytes")
