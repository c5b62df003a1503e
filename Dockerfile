# syntax=docker/dockerfile:1
# Colony's server: `docker build -t colony .`, then see compose.yaml (PostgreSQL and Redis) or run it alone
# on the embedded SQLite: docker run -p 8000:8000 -v colony-data:/var/lib/colony -e COLONY_SECRET_KEY=... colony

FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/colony
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
# Every dependency ships manylinux wheels: no compiler in either stage. The sentry and tracing extras are small
# and inert until COLONY_SENTRY_DSN or COLONY_OTEL_ENDPOINT is set.
RUN /opt/colony/bin/pip install '.[sentry,tracing]'

FROM python:3.12-slim
ENV PATH=/opt/colony/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    COLONY_DATA_DIR=/var/lib/colony
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/colony --create-home --shell /usr/sbin/nologin colony
COPY --from=build /opt/colony /opt/colony
# The embedded SQLite database, its generated secret key and file-backend mail live here.
VOLUME ["/var/lib/colony"]
WORKDIR /var/lib/colony
USER colony
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["colony", "serve", "--host", "0.0.0.0", "--port", "8000"]
