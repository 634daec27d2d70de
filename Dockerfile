# The platform image: web (gunicorn), Celery workers, beat and Flower.
# Submissions never run in this image: the worker starts a runtime image
# (worker/runtimes/Dockerfile.*) per run through the Docker engine.
# Where no registry answers, `python -m worker.runtimes.images image --tag
# milestones/platform:local --file Dockerfile --requirements requirements-deploy.txt .`
# builds it on a local Debian base (BASE) with pip fed from a local wheelhouse.
ARG BASE=docker.io/library/debian:bookworm-20250721-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    MILESTONES_VAR_DIR=/srv/milestones \
    DJANGO_SETTINGS_MODULE=server.milestones.settings
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv bubblewrap \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /srv/milestones milestones
WORKDIR /app
COPY requirements.txt requirements-deploy.txt ./
ARG PIP_OPTIONS=""
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir $PIP_OPTIONS -r requirements-deploy.txt
COPY . .
# No secrets, no data in the image: settings come from the environment at run
# time, static files are collected into the data root by the `migrate` service.
USER milestones
EXPOSE 8000
CMD ["gunicorn", "server.milestones.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
