"""Reach host services through unix sockets: the test's own abstract and path
sockets, PostgreSQL's, Redis's, Docker's, containerd's and systemd's."""
# /// hostile
# status = "ok"
# prints = ["unix sockets: 10/10 refused"]
# ///

import json
import pathlib
import socket

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
addresses = [
    "\0" + targets["abstract_socket"],
    targets["unix_socket"],
    "/var/run/postgresql/.s.PGSQL.5432",
    "/run/postgresql/.s.PGSQL.5432",
    "/var/run/redis/redis-server.sock",
    "/run/redis/redis.sock",
    "/var/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/run/systemd/private",
    "\0/tmp/.X11-unix/X0",
]
refused = 0
for address in addresses:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        try:
            sock.connect(address)
            print("ESCAPED connected to", repr(address), sock.recv(200))
        except OSError:
            refused += 1
print(f"unix sockets: {refused}/{len(addresses)} refused")
