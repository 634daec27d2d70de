# The "numpy" runtime for the docker sandbox backend: the same layout, the same
# Python and the same packages as the bubblewrap runtime that worker/runtimes/build.py
# makes (a venv without pip at /opt/runtime over Debian's /usr/bin/python3).
#   docker build -f worker/runtimes/Dockerfile.numpy -t milestones/runtime-numpy:1 worker/runtimes
# Where no registry answers, `python -m worker.runtimes.images runtime numpy` builds it
# on a local Debian base (BASE) with pip fed from a local wheelhouse (PIP_OPTIONS).
ARG BASE=docker.io/library/debian:bookworm-20250721-slim
FROM ${BASE}

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*

# The packages go in with a throwaway pip (`pip --python`), so the runtime has none.
ARG PIP_OPTIONS=""
RUN python3 -m venv /tmp/installer \
 && python3 -m venv --without-pip /opt/runtime \
 && /tmp/installer/bin/pip --python /opt/runtime/bin/python install --no-cache-dir $PIP_OPTIONS \
        numpy==2.3.5 \
 && rm -rf /tmp/installer

# A non-root user; the backend also forces --user 10001:10001.
RUN groupadd --gid 10001 runner \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin runner \
 && mkdir -p /submission /data /output \
 && chown runner:runner /output

ENV PATH=/opt/runtime/bin:/usr/local/bin:/usr/bin:/bin \
    HOME=/tmp \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /submission
CMD ["/opt/runtime/bin/python", "-s", "/submission/main.py"]
