"""Finding what one NVIDIA GPU needs inside a bubblewrap sandbox.

Only the granted device node (/dev/nvidiaN) and the driver's control nodes are
bound, so the program cannot open another job's GPU. Driver libraries under
/usr are already there (with /usr); those elsewhere (a driver under /opt or
/run) are bound read-only at their own path. They are found with ``ldconfig -p``
because that is how the sandbox's loader finds them too: it reads the host's
ld.so.cache (bound at /etc/ld.so.cache) and has no LD_LIBRARY_PATH.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from worker.sandbox.base import SandboxUnavailable
from worker.sandbox.layout import GPU_CONTROL_DEVICES, GpuAccess

DRIVER_LIBRARY = re.compile(r"lib(cuda|nvidia)[^ ]*\.so")


def gpu_access(index: int, *, dev: Path = Path("/dev")) -> GpuAccess:
    device = f"nvidia{index}"
    if not (dev / device).exists():
        raise SandboxUnavailable(f"GPU {index} was granted but {dev / device} does not exist")
    controls = [name for name in GPU_CONTROL_DEVICES if (dev / name).exists()]
    if (dev / "nvidia-caps").is_dir():
        # A GPU in MIG mode is reached through capability nodes; without them
        # CUDA sees no device. They grant no other GPU: its /dev/nvidiaN is absent.
        controls.append("nvidia-caps")
    return GpuAccess(devices=[*controls, device], libraries=driver_libraries(_ldconfig()))


def driver_libraries(ldconfig_output: str) -> list[str]:
    """Driver libraries (and what their links point to) that live outside /usr."""
    found: set[str] = set()
    for line in ldconfig_output.splitlines():
        name, arrow, path = line.strip().partition(" => ")
        if not arrow or not DRIVER_LIBRARY.match(name):
            continue
        real = os.path.realpath(path)
        if not real.startswith("/usr/"):
            found.update({path, real})
    return sorted(found)


def _ldconfig() -> str:
    try:
        return subprocess.run(
            ["ldconfig", "-p"], capture_output=True, text=True, check=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxUnavailable(f"cannot list the NVIDIA driver libraries: {exc}") from exc
