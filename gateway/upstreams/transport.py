"""The wire under every upstream client, built once per upstream in the app's lifespan.

By default aiohttp's connection pool, used directly
(:mod:`gateway.upstreams.aiohttp_wire`); ``GATEWAY_HTTP_TRANSPORT=httpcore``
sends through an ``httpx.AsyncClient`` with httpx's own pool instead
(:class:`~gateway.upstreams.wire.HttpxWire`). Neither keeps the cookies an
upstream sets: the gateway calls for many callers, and a cookie would carry
one caller's session to the next.
"""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from gateway.config import UpstreamSettings
from gateway.upstreams.aiohttp_wire import AiohttpWire
from gateway.upstreams.wire import HttpxWire, Wire


def build_http_client(settings: UpstreamSettings, *, transport: str = "aiohttp") -> Wire:
    """The pooled wire of one upstream."""
    if transport == "aiohttp":
        return AiohttpWire(settings)
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
        keepalive_expiry=30.0,
    )
    return HttpxWire(
        httpx.AsyncClient(
            base_url=settings.url,
            timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 5.0)),
            limits=limits,
            headers={"Accept": "application/json", "User-Agent": "jobs-gateway"},
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            follow_redirects=False,
            trust_env=False,
        )
    )
