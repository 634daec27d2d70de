"""The Celery queues: where a submission's task goes, and where the platform's own
housekeeping goes (never behind a student's hour-long run)."""

import enum


class Queue(enum.StrEnum):
    CPU = "cpu"
    GPU = "gpu"
    # The reaper: consumed by the one `beat` process, so it runs on time even
    # when every submission worker is busy.
    MAINTENANCE = "maintenance"


SUBMISSION_QUEUES = (Queue.CPU, Queue.GPU)


def queue_for(gpu_mode: str) -> Queue:
    """A challenge with gpu = optional or required runs on the GPU workers' queue."""
    return Queue.CPU if gpu_mode == "none" else Queue.GPU
