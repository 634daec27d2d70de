"""The Celery queues a submission can be routed to."""

import enum


class Queue(enum.StrEnum):
    CPU = "cpu"
    GPU = "gpu"


def queue_for(gpu_mode: str) -> Queue:
    """A challenge with gpu = optional or required runs on the GPU workers' queue."""
    return Queue.CPU if gpu_mode == "none" else Queue.GPU
