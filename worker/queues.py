"""The Celery queues: a lane per expected duration and device, so a one-second
run never waits behind an hour-long one, and the platform's own housekeeping
(never behind any run).

A challenge's jobs are short when its runs are expected to take at most
SHORT_LANE_SECONDS (the median of its recent runs, or its wall limit before it
has any); the rest are long. Short-lane workers take only short jobs; long-lane
workers take long ones and, when they have none, short ones too.
"""

import enum


class Device(enum.StrEnum):
    CPU = "cpu"
    GPU = "gpu"


class Lane(enum.StrEnum):
    SHORT = "short"
    LONG = "long"


class Queue(enum.StrEnum):
    CPU_SHORT = "cpu-short"
    CPU_LONG = "cpu-long"
    GPU_SHORT = "gpu-short"
    GPU_LONG = "gpu-long"
    # The reaper and requested dispatch passes: consumed by the one `beat`
    # process, so they run on time even when every submission worker is busy.
    MAINTENANCE = "maintenance"


SUBMISSION_QUEUES = (Queue.CPU_SHORT, Queue.CPU_LONG, Queue.GPU_SHORT, Queue.GPU_LONG)
GPU_QUEUES = (Queue.GPU_SHORT, Queue.GPU_LONG)
CPU_QUEUES = (Queue.CPU_SHORT, Queue.CPU_LONG)


def queues_serving(gpu_mode: str) -> tuple[Queue, ...]:
    """Every queue a challenge's runs may go to (``gpu_mode``: its ``gpu``)."""
    return {"none": CPU_QUEUES, "required": GPU_QUEUES}.get(gpu_mode, SUBMISSION_QUEUES)


def queue_for(device: Device, lane: Lane) -> Queue:
    return Queue(f"{device}-{lane}")


def lane_for(expected_seconds: float, *, short_lane_seconds: float) -> Lane:
    return Lane.SHORT if expected_seconds <= short_lane_seconds else Lane.LONG


def device_for(gpu_mode: str, *, gpu_worker_alive: bool) -> Device:
    """CPU for gpu = none; GPU for required; for optional, the GPU while a GPU
    worker is alive, else the CPU (nothing waits for a device that is not there)."""
    if gpu_mode == "none" or (gpu_mode == "optional" and not gpu_worker_alive):
        return Device.CPU
    return Device.GPU
