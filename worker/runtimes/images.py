"""Container images built without a registry, with podman.

    python -m worker.runtimes.images runtime numpy torch     # milestones/runtime-NAME:1
    python -m worker.runtimes.images image --tag T --file F [--requirements R] CONTEXT

Every Dockerfile of the project starts ``FROM ${BASE}``: a pinned upstream Debian
image by default (for hosts that can pull), here a local base made from Debian's
own packages by debootstrap (``--variant=minbase``: about what debian:bookworm-slim
holds) and imported as ``localhost/milestones/debian:bookworm``. Python packages
come from a wheelhouse that the host's pip fills from the same pins, index and
configuration that build the bubblewrap runtimes (``build.RUNTIMES``); it is
mounted into the build, whose pip installs from it alone (``--no-index``): the
images hold the bubblewrap runtimes' versions, and a wheel is never fetched twice.

Idempotent: the base is made once per recipe (a label records it); podman's layer
cache makes an unchanged image's rebuild a matter of seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from worker.runtimes import podman
from worker.runtimes.build import RUNTIMES, SYSTEM_PYTHON

REPO = Path(__file__).resolve().parents[2]
BASE_IMAGE = "localhost/milestones/debian:bookworm"
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
RECIPE_LABEL = "milestones.base.recipe"
RUNTIME_TAG = "milestones/runtime-{name}:1"  # what worker.sandbox.docker.IMAGES names
# Where the build's pip finds its wheels (mounted read-only into each RUN step).
PIP_OPTIONS = "--no-index --find-links /wheels"


def podman_env(work_dir: Path) -> dict[str, str]:
    conf = podman.write_containers_conf(work_dir / "containers.conf")
    return {**os.environ, podman.CONF_ENV: str(conf)}


def _run(argv: Sequence[str], **kwargs: object) -> None:
    print("  $", " ".join(argv), flush=True)
    subprocess.run(argv, check=True, **kwargs)  # type: ignore[call-overload]


def _inspect(image: str, template: str, env: dict[str, str]) -> str | None:
    done = subprocess.run(
        ["podman", "image", "inspect", "--format", template, image],
        capture_output=True,
        text=True,
        env=env,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def _recipe() -> str:
    # Changing how the base is made makes a new one.
    return hashlib.sha256(f"debootstrap minbase {SUITE} {MIRROR} v1".encode()).hexdigest()[:16]


def ensure_base(*, work_dir: Path, env: dict[str, str]) -> str:
    """The local Debian base, made with debootstrap unless already there."""
    label = _inspect(BASE_IMAGE, f'{{{{index .Labels "{RECIPE_LABEL}"}}}}', env)
    if label == _recipe():
        print(f"base: up to date ({BASE_IMAGE})")
        return BASE_IMAGE
    if shutil.which("debootstrap") is None:
        raise SystemExit("debootstrap is not installed (apt-get install debootstrap)")
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="rootfs-") as rootfs:
        print(f"base: debootstrap {SUITE} into {rootfs}")
        try:
            _run(
                ["debootstrap", "--variant=minbase", SUITE, rootfs, MIRROR],
                stdout=subprocess.DEVNULL,
            )
        finally:
            # debootstrap can leave the chroot's /proc mounted (seen on a fresh
            # machine): tar would archive the host's processes, and the folder
            # could not be removed.
            unmount_under(Path(rootfs))
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (Path(rootfs) / cache).glob("*"):
                if entry.is_file():
                    entry.unlink()
        tar = subprocess.Popen(
            ["tar", "--one-file-system", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE
        )
        _run(
            [
                "podman",
                "import",
                "--change",
                f"LABEL {RECIPE_LABEL}={_recipe()}",
                "--change",
                'CMD ["bash"]',
                "-",
                BASE_IMAGE,
            ],
            stdin=tar.stdout,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        if tar.wait() != 0:
            raise SystemExit("tar of the base rootfs failed")
    return BASE_IMAGE


def unmount_under(root: Path) -> None:
    """Unmount whatever is mounted at or below ``root``, deepest first."""
    prefix = str(root.resolve())
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        points = [line.split()[1] for line in mounts]
    inside = [p for p in points if p == prefix or p.startswith(prefix + "/")]
    for point in sorted(set(inside), key=len, reverse=True):
        subprocess.run(["umount", "--lazy", point], check=False)


def fill_wheelhouse(
    wheels: Path, *, pins: Sequence[str] = (), requirements: Path | None = None
) -> None:
    """The wheels of ``pins`` (or a requirements file) and their dependencies, by the
    host's pip (its index, its local wheels, its constraints) for Debian's Python,
    the images' (and the bubblewrap runtimes') interpreter: markers such as
    ``python_full_version`` are decided for it."""
    wheels.mkdir(parents=True, exist_ok=True)
    wanted = [*pins, *(["-r", str(requirements)] if requirements else [])]
    pip = [sys.executable, "-m", "pip", "--python", SYSTEM_PYTHON, "download", "-qq"]
    pip += ["--only-binary", ":all:"]
    _run([*pip, "--dest", str(wheels), *wanted])


def build_image(
    *,
    tag: str,
    dockerfile: Path,
    context: Path,
    wheels: Path,
    base: str,
    env: dict[str, str],
) -> None:
    """``podman build`` of ``dockerfile`` on the local base, pip fed from ``wheels``.

    Host networking: apt in the build reaches Debian's mirror as the host does."""
    print(f"{tag}: building {dockerfile.relative_to(REPO)}")
    _run(
        [
            "podman",
            "build",
            "--quiet",
            "--network=host",
            "--pull=never",
            "--volume",
            f"{wheels}:/wheels:ro",
            "--build-arg",
            f"BASE={base}",
            "--build-arg",
            f"PIP_OPTIONS={PIP_OPTIONS}",
            "--file",
            str(dockerfile),
            "--tag",
            tag,
            str(context),
        ],
        stdout=subprocess.DEVNULL,
        env=env,
    )
    # Each rebuild leaves the image it replaced untagged: remove those (of our base only).
    prune = ["podman", "image", "prune", "--force", "--filter", f"label={RECIPE_LABEL}"]
    subprocess.run(prune, stdout=subprocess.DEVNULL, env=env, check=False)
    print(f"{tag}: ready")


def build_runtime(name: str, *, work_dir: Path, env: dict[str, str]) -> str:
    """Image ``milestones/runtime-NAME:1`` from ``Dockerfile.NAME``, with its pins."""
    base = ensure_base(work_dir=work_dir, env=env)
    wheels = work_dir / "wheels" / name
    fill_wheelhouse(wheels, pins=RUNTIMES[name])
    tag = RUNTIME_TAG.format(name=name)
    here = Path(__file__).resolve().parent
    build_image(
        tag=tag,
        dockerfile=here / f"Dockerfile.{name}",
        context=here,
        wheels=wheels,
        base=base,
        env=env,
    )
    return tag


def build_other(
    *, tag: str, dockerfile: Path, context: Path, requirements: Path | None, work_dir: Path
) -> str:
    env = podman_env(work_dir)
    base = ensure_base(work_dir=work_dir, env=env)
    wheels = work_dir / "wheels" / hashlib.sha256(tag.encode()).hexdigest()[:12]
    if requirements is not None:
        fill_wheelhouse(wheels, requirements=requirements)
    wheels.mkdir(parents=True, exist_ok=True)
    build_image(tag=tag, dockerfile=dockerfile, context=context, wheels=wheels, base=base, env=env)
    return tag


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", type=Path, default=REPO / "var" / "images")
    commands = parser.add_subparsers(dest="command", required=True)
    runtime = commands.add_parser("runtime", help="runtime images for the docker backend")
    runtime.add_argument("names", nargs="+", choices=sorted(RUNTIMES))
    other = commands.add_parser("image", help="any Dockerfile, on the local base")
    other.add_argument("--tag", required=True)
    other.add_argument("--file", type=Path, required=True)
    other.add_argument("--requirements", type=Path)
    other.add_argument("context", type=Path)
    args = parser.parse_args(argv)
    args.work_dir = args.work_dir.resolve()  # podman takes only absolute volume sources
    if shutil.which("podman") is None:
        raise SystemExit("podman is not installed (apt-get install podman runc)")
    if args.command == "runtime":
        env = podman_env(args.work_dir)
        for name in dict.fromkeys(args.names):
            build_runtime(name, work_dir=args.work_dir, env=env)
    else:
        build_other(
            tag=args.tag,
            dockerfile=args.file.resolve(),
            context=args.context.resolve(),
            requirements=args.requirements,
            work_dir=args.work_dir,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
