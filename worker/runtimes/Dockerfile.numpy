# The "numpy" runtime for the docker sandbox backend: the same layout and the same
# packages as the bubblewrap runtime that worker/runtimes/build.py makes.
#   docker build -f worker/runtimes/Dockerfile.numpy -t milestones/runtime-numpy:1 worker/runtimes
FROM python:3.11-slim-bookworm

# A venv without pip at /opt/runtime (where the bubblewrap backend mounts its own).
RUN python -m venv --without-pip /opt/runtime \
 && pip --python /opt/runtime/bin/python install --no-cache-dir numpy==2.3.5

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
