"""Runtimes: the Python environments submitted code runs in (venvs for bubblewrap,
images for docker). Built by ``python -m worker.runtimes.build``."""
