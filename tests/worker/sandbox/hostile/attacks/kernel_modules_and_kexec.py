"""Load a kernel module, kexec a new kernel, reboot, switch swap, turn on process
accounting: what only root may do, refused before the capability check."""
# /// hostile
# status = "ok"
# prints = ["machine: 6/6 refused"]
# ///

import ctypes
import platform

libc = ctypes.CDLL(None, use_errno=True)
NUMBERS = {
    "x86_64": {
        "init_module": 175,
        "finit_module": 313,
        "kexec_load": 246,
        "reboot": 169,
        "swapon": 167,
        "acct": 163,
    },
    "aarch64": {
        "init_module": 105,
        "finit_module": 273,
        "kexec_load": 104,
        "reboot": 142,
        "swapon": 224,
        "acct": 89,
    },
}[platform.machine()]
calls = {
    "init_module": (None, 0, b""),
    "finit_module": (0, b"", 0),
    "kexec_load": (0, 0, None, 0),
    "reboot": (0xFEE1DEAD, 672274793, 0x4321FEDC, None),  # RESTART2... it must never run
    "swapon": (b"/tmp/swap", 0),
    "acct": (b"/tmp/acct",),
}
refused = 0
for name, args in calls.items():
    if libc.syscall(NUMBERS[name], *args) < 0:
        refused += 1
    else:
        print(f"ESCAPED: {name} worked")
print(f"machine: {refused}/6 refused")
