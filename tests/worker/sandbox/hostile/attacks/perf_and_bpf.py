"""perf_event_open and bpf: kernel profiling and programs loaded into the kernel,
both frequent sources of privilege escalations. Refused."""
# /// hostile
# status = "ok"
# prints = ["perf and bpf: 2/2 refused"]
# ///

import ctypes
import platform

libc = ctypes.CDLL(None, use_errno=True)
NUMBERS = {"x86_64": (298, 321), "aarch64": (241, 280)}[platform.machine()]
attr = ctypes.create_string_buffer(128)
attr[4:8] = (128).to_bytes(4, "little")  # size; type 0 = hardware, config 0 = cycles
perf = libc.syscall(NUMBERS[0], attr, 0, -1, -1, 0)
bpf_attr = ctypes.create_string_buffer(128)
bpf = libc.syscall(NUMBERS[1], 0, bpf_attr, 128)  # BPF_MAP_CREATE
refused = (perf < 0) + (bpf < 0)
if perf >= 0 or bpf >= 0:
    print(f"ESCAPED: perf_event_open {perf}, bpf {bpf}")
print(f"perf and bpf: {refused}/2 refused")
