# The platform image: web (gunicorn), Celery workers, beat and Flower.
# Submissions never run in this image: the worker starts a runtime image
# (worker/runtimes/Dockerfile.*) per run through the Docker engine.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MILESTONES_VAR_DIR=/srv/milestones \
    DJANGO_SETTINGS_MODULE=server.milestones.settings
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /srv/milestones milestones
WORKDIR /app
COPY requirements.txt requirements-deploy.txt ./
RUN pip install --no-cache-dir -r requirements-deploy.txt
COPY . .
# No secrets, no data in the image: settings come from the environment at run
# time, static files are collected into the data root by the `migrate` service.
USER milestones
EXPOSE 8000
CMD ["gunicorn", "server.milestones.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
