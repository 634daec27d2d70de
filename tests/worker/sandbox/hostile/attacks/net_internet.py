"""Reach the internet: TCP and UDP to public resolvers, a DNS lookup, raw and packet
sockets, and any interface other than the loopback."""
# /// hostile
# status = "ok"
# prints = ["internet: 7/7 refused", "interfaces: lo only"]
# ///

import socket


def attempt(label, action):
    try:
        action()
        print("ESCAPED", label)
        return 0
    except OSError:
        return 1


def udp():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"\x00" * 12, ("8.8.8.8", 53))


def raw():
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()


def packet():
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()


refused = sum(
    [
        attempt(
            "tcp 1.1.1.1:53", lambda: socket.create_connection(("1.1.1.1", 53), timeout=3).close()
        ),
        attempt(
            "tcp 8.8.8.8:443", lambda: socket.create_connection(("8.8.8.8", 443), timeout=3).close()
        ),
        attempt(
            "tcp [2606:4700:4700::1111]:53",
            lambda: socket.create_connection(("2606:4700:4700::1111", 53), timeout=3).close(),
        ),
        attempt("dns pypi.org", lambda: socket.getaddrinfo("pypi.org", 443)),
        attempt("udp 8.8.8.8:53", udp),
        attempt("raw socket", raw),
        attempt("packet socket", packet),
    ]
)
print(f"internet: {refused}/7 refused")
names = sorted(name for _, name in socket.if_nameindex())
print("interfaces: lo only" if names == ["lo"] else f"ESCAPED interfaces {names}")
