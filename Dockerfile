# Commons Fund: one image for the web (gunicorn), the Celery workers and beat.
# Built in two stages: the first installs the production lock (hashes checked) into a
# virtual environment, the second copies it with the code and runs as a user without
# rights; static files are collected at build time.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes -r /tmp/requirements.lock

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=0 \
    VAR_DIR=/var/lib/commons-fund \
    MEDIA_ROOT=/var/lib/commons-fund/media
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin commons \
    && mkdir -p /var/lib/commons-fund/media \
    && chown -R commons /var/lib/commons-fund
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=commons . /app
# Build-time values only: the real ones come from the environment at run time.
RUN SECRET_KEY=collectstatic-only-0123456789-abcdefghijklmnopqrstuvwxyz \
    ALLOWED_HOSTS=localhost CACHE_URL=dummycache:// \
    python manage.py compilemessages --ignore "*/site-packages/*" \
    && SECRET_KEY=collectstatic-only-0123456789-abcdefghijklmnopqrstuvwxyz \
    ALLOWED_HOSTS=localhost CACHE_URL=dummycache:// \
    python manage.py collectstatic --noinput -v 0 \
    && chown -R commons /var/lib/commons-fund
USER commons
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["gunicorn", "commons_fund.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
