# jobs-gateway: GraphQL over a jobs store, an operations manager and AWX.

# GraphiQL's browser files: `npm ci` of the pinned lock file, then only the files named
# in assets.json are kept (copied into static/); node and node_modules stay in this stage.
FROM node:20-slim AS graphiql
WORKDIR /graphiql
COPY gateway/graphiql/package.json gateway/graphiql/package-lock.json \
     gateway/graphiql/assets.json gateway/graphiql/copy-assets.mjs ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && node copy-assets.mjs

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
# The product only: sandbox/ (the demo and test upstreams) stays out of the image,
# so `serve --demo` and `jobs-gateway sandbox` run from a checkout, not from here.
COPY gateway ./gateway
COPY --from=graphiql /graphiql/static ./gateway/graphiql/static
COPY schema ./schema
# Installed as root (bytecode compiled then), run as a numeric non-root user (so
# Kubernetes' runAsNonRoot can check it) that owns nothing: the gateway writes no file at
# run time (PYTHONDONTWRITEBYTECODE; checked on a read-only root filesystem), so the image
# runs with readOnlyRootFilesystem (deploy/kubernetes) or `docker run --read-only`.
RUN pip install . && groupadd --gid 10001 gateway \
    && useradd --no-create-home --home-dir /nonexistent --uid 10001 --gid 10001 gateway

USER 10001:10001
EXPOSE 8000
# Required: GATEWAY_<UP>_URL and a credential per upstream (GATEWAY_<UP>_TOKEN, or
# _USERNAME/_PASSWORD, or _AUTH_MODE=forward) for JOBSTORE, OPSMANAGER and AWX; the
# gateway refuses to start without them. Consider GATEWAY_INTROSPECTION=false and
# GATEWAY_GRAPHIQL=false.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["jobs-gateway", "serve", "--host", "0.0.0.0", "--port", "8000"]
