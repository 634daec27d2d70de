"""Sleep forever: no CPU used, only the wall clock can end it."""
# /// hostile
# status = "time_limit"
# prints = ["sleeping"]
# [limits]
# wall_seconds = 2
# ///

import time

print("sleeping", flush=True)
time.sleep(3600)
