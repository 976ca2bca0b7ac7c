# The application image: the worker, the API and the migration job run from it.
FROM python:3.11.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY mnd ./mnd
COPY workflows ./workflows
COPY activities ./activities
COPY worker.py starter.py alembic.ini ./
# /data: the API's uploads when MND_DATA_DIR=/data (compose's named volume copies this
# directory's owner, so the unprivileged user can write there).
RUN pip install . && useradd --create-home --uid 10001 mnd \
    && mkdir /data && chown mnd:mnd /data
USER mnd

# Prometheus metrics of the worker, and the API.
EXPOSE 9464 8000
CMD ["python", "worker.py"]
