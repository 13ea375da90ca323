"""Operations: Prometheus metrics, one structured log line per request, request ids, traces.

- :mod:`~gateway.observability.labels`: bounded label values (route
  templates, operation names) and request ids;
- :mod:`~gateway.observability.metrics`: the per-app metrics and ``GET /metrics``;
- :mod:`~gateway.observability.observation`: what one request did (a context
  variable the hooks fill in);
- :mod:`~gateway.observability.middleware`: the ASGI middleware that times
  each GraphQL request, sets its id and emits its metrics and log line;
- :mod:`~gateway.observability.view`: the ``/graphql`` view that reads each
  HTTP operation's name, outcome and error codes and stamps ``requestId`` on
  every error;
- :mod:`~gateway.observability.extension`: the same for operations over the
  WebSocket, as schema extensions;
- :mod:`~gateway.observability.emit`: a request's end: its metrics and log line;
- :mod:`~gateway.observability.request_log`: JSON and text log formatting;
- :mod:`~gateway.observability.tracing`: the tracer provider (``GATEWAY_TRACES``,
  ``OTEL_*``); :mod:`~gateway.observability.request_spans`: each GraphQL
  request's span; :mod:`~gateway.observability.operation_type`: the
  operation's type for it (the upstream calls' spans are in
  :mod:`gateway.upstreams.call_spans`).
"""
