"""Mount over what the sandbox shows (a tmpfs over /submission, a remount of / read-write,
a bind of /proc/1/root): no mount call gets through."""
# /// hostile
# status = "ok"
# prints = ["mounts: 4/4 refused"]
# ///

import ctypes

libc = ctypes.CDLL(None, use_errno=True)
MS_REMOUNT, MS_BIND = 0x20, 0x1000
tries = [
    (b"tmpfs", b"/submission", b"tmpfs", 0, None),
    (None, b"/", None, MS_REMOUNT, None),
    (b"/proc/1/root", b"/tmp", None, MS_BIND, None),
]
refused = sum(libc.mount(*args) != 0 for args in tries)
refused += libc.umount2(b"/data", 2) != 0  # MNT_DETACH: make the data folder go away
if refused < 4:
    print("ESCAPED: a mount call worked")
print(f"mounts: {refused}/4 refused")
