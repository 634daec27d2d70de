"""Leave a setuid, setgid executable in /output, hoping the worker chowns it to root."""
# /// hostile
# status = "ok"
# prints = ["planted a setuid copy of id"]
# checks = ["output_not_setuid"]
# ///

import os
import shutil

shutil.copy("/usr/bin/id", "/output/id")
os.chmod("/output/id", 0o6755)
print("planted a setuid copy of id")
