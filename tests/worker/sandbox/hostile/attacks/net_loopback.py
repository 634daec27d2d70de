"""Reach the platform's services on the host: Redis, PostgreSQL and a listener of the
test's own, on the loopback (IPv4, IPv6, by name) and on the host's own address."""
# /// hostile
# status = "ok"
# prints = ["loopback: 9/9 refused"]
# pipeline = "failed"
# ///

import json
import pathlib
import socket

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
port, host_ip = targets["tcp_port"], targets["host_ip"]
places = [
    ("127.0.0.1", 6379),
    ("127.0.0.1", 5432),
    ("127.0.0.1", port),
    ("::1", 6379),
    ("::1", port),
    ("localhost", 5432),
    (host_ip, 6379),
    (host_ip, 5432),
    (host_ip, port),
]
refused = 0
for host, number in places:
    try:
        with socket.create_connection((host, number), timeout=2) as conn:
            conn.settimeout(2)
            print("ESCAPED connected to", host, number, conn.recv(200))
    except OSError:
        refused += 1
print(f"loopback: {refused}/{len(places)} refused")
