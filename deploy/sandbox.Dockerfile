# The sandbox upstreams (jobs store :8101, operations manager :8102, AWX :8103) in a
# container, for deploy/compose.yaml's local trials only. The gateway's image (../Dockerfile)
# never holds the sandbox. Build context: the checkout's root.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY schema ./schema
COPY sandbox ./sandbox
RUN pip install . && groupadd --gid 10002 sandbox \
    && useradd --no-create-home --home-dir /nonexistent --uid 10002 --gid 10002 sandbox

USER 10002:10002
EXPOSE 8101 8102 8103
CMD ["jobs-gateway", "sandbox", "--host", "0.0.0.0"]
