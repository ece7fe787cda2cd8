# syntax=docker/dockerfile:1
# Smart Province API: one image for the app nodes, the notification worker and the migrations.
#   docker build -t smart-province .
# Stage 1 builds wheels (compilers stay here); stage 2 is the slim runtime, non-root.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP_ENV=production FLASK_APP=wsgi \
    GUNICORN_BIND=0.0.0.0:8000 PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /srv/app --shell /usr/sbin/nologin app
COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links /wheels /wheels/* && rm -rf /wheels
WORKDIR /srv/app
COPY --chown=app:app wsgi.py gunicorn.conf.py ./
COPY --chown=app:app app ./app
COPY --chown=app:app migrations ./migrations
COPY --chown=app:app openapi ./openapi
RUN mkdir -p /srv/app/storage /tmp/prometheus && chown app:app /srv/app/storage /tmp/prometheus
USER app
EXPOSE 8000
# /healthz: the process answers (readiness, /readyz, is the load balancer's business)
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
# gunicorn.conf.py: gthread workers, long-poll slots, request limits, metrics directory.
# SIGTERM: gunicorn stops accepting, finishes requests within GUNICORN_GRACEFUL_TIMEOUT.
STOPSIGNAL SIGTERM
CMD ["gunicorn", "wsgi:app"]
