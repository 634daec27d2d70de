"""Make the predictions a fifo (a naive reader blocks forever) and a unix socket."""
# /// hostile
# status = "ok"
# prints = ["planted a fifo"]
# checks = ["output_refused"]
# ///

import os
import socket

os.mkfifo("/output/predictions.csv")
with socket.socket(socket.AF_UNIX) as server:
    server.bind("/output/socket.csv")
print("planted a fifo")
