"""The kernel keyring: add_key, request_key and keyctl reach keys shared by the uid
across the machine. The filter refuses all three."""
# /// hostile
# status = "ok"
# prints = ["keyring: 3/3 refused"]
# ///

import ctypes
import platform

libc = ctypes.CDLL(None, use_errno=True)
NUMBERS = {
    "x86_64": {"add_key": 248, "request_key": 249, "keyctl": 250},
    "aarch64": {"add_key": 217, "request_key": 218, "keyctl": 219},
}[platform.machine()]
KEY_SPEC_USER_KEYRING = -4
calls = {
    "add_key": (b"user", b"milestones", b"secret", 6, KEY_SPEC_USER_KEYRING),
    "request_key": (b"user", b"milestones", None, 0),
    "keyctl": (0, KEY_SPEC_USER_KEYRING, 0),  # KEYCTL_GET_KEYRING_ID
}
refused = 0
for name, args in calls.items():
    if libc.syscall(NUMBERS[name], *args) < 0:
        refused += 1
    else:
        print(f"ESCAPED: {name} worked")
print(f"keyring: {refused}/3 refused")
