"""Traces: the tracer provider, made from the environment when ``GATEWAY_TRACES=true``.

Off by default. When off there is no provider and no tracer: the hooks in
the request middleware and the upstream client see ``tracer is None`` and
do nothing else. When on, one span per GraphQL HTTP request
(:mod:`gateway.observability.request_spans`) and one child span per
upstream round trip (:mod:`gateway.upstreams.call_spans`).

The provider is the app's own, never the process-wide one
(``opentelemetry.trace.set_tracer_provider`` is not called): tests hand
:func:`~gateway.app.create_app` a provider of their own, and two apps in one
process keep their spans apart. Everything else comes from the standard
``OTEL_*`` variables, read by the SDK itself: the OTLP/HTTP exporter's
``OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT``, ``_HEADERS``, ``_TIMEOUT``,
``_COMPRESSION`` and certificates; the batch processor's ``OTEL_BSP_*``; the
sampler's ``OTEL_TRACES_SAMPLER[_ARG]``; ``OTEL_RESOURCE_ATTRIBUTES`` and
``OTEL_SERVICE_NAME`` (``service.name`` is ``jobs-gateway`` unless one of
these names it). ``OTEL_SDK_DISABLED=true`` turns traces off even with
``GATEWAY_TRACES=true``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer

SERVICE = "jobs-gateway"
TRACER_NAME = "gateway"


def sdk_disabled(env: Mapping[str, str] | None = None) -> bool:
    """Whether ``OTEL_SDK_DISABLED`` says the SDK is off."""
    value = (os.environ if env is None else env).get("OTEL_SDK_DISABLED", "")
    return value.strip().lower() == "true"


def gateway_resource() -> Resource:
    """The ``OTEL_*`` resource, with ``service.name`` ``jobs-gateway`` unless the environment
    names the service (the SDK's own default is ``unknown_service:<executable>``)."""
    resource = Resource.create()
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: SERVICE}))
    return resource


def exporting_provider() -> TracerProvider:
    """A provider that batches spans to the OTLP/HTTP exporter, as ``OTEL_*`` configure it."""
    # Imported here: the exporter (protobuf, requests) is only loaded when traces are on.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=gateway_resource())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def gateway_tracer(provider: TracerProvider | None) -> Tracer | None:
    """The gateway's tracer from ``provider``; ``None`` (traces off) without one."""
    if provider is None:
        return None
    return provider.get_tracer(TRACER_NAME)
