"""``jobs-gateway check``: can this configuration reach each upstream with its credential?

For deployment pipelines: the same settings as ``serve``, then per upstream
one cheap GET that needs the credential (the readiness probe's: its job
list, one item long), through the same :class:`UpstreamClient` the gateway
uses, so an OAuth2 token is fetched first where client credentials are set.
The three run at once. What is printed per upstream: its URL, the kind of
auth, whether it answered, how long the GET took (a token fetch included)
and its version where the API says it (AWX's public ``GET /api/v2/ping/``;
the jobs store and the operations manager document no version endpoint: ``-``).

An upstream is a problem when it cannot be reached, answers 5xx, or refuses
the credential (401, or a token endpoint that refuses the client). In
``forward`` mode the gateway has no credential of its own: reaching the
upstream is all that is checked. Messages are the gateway's own error
messages, which never hold a credential.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from gateway.config import AuthMode, Settings, UpstreamSettings
from gateway.errors import UpstreamError, UpstreamTimeout, UpstreamUnavailable
from gateway.readiness import PROBES
from gateway.upstream_names import Upstream
from gateway.upstreams import awx
from gateway.upstreams.caller import Caller
from gateway.upstreams.client import UpstreamClient
from gateway.upstreams.transport import build_http_client
from gateway.upstreams.wire import Wire, WireFailure

VERSION_PATHS: dict[Upstream, str] = {Upstream.AWX: awx.PING}
"""Where an upstream says its version (a ``version`` string in the JSON answer)."""


@dataclass(frozen=True, slots=True)
class UpstreamCheck:
    """What checking one upstream found."""

    upstream: str
    url: str
    auth: str
    reachable: bool
    latency_ms: float | None
    version: str | None
    problem: str | None

    @property
    def ok(self) -> bool:
        """Reached, and the credential (if the gateway has one) accepted."""
        return self.problem is None


async def check_upstream(settings: UpstreamSettings, http: Wire, *, within: float) -> UpstreamCheck:
    """Reach one upstream with its credential within ``within`` seconds."""
    client = UpstreamClient(settings, http)
    path, params = PROBES[settings.name]
    started = time.perf_counter()
    problem: str | None = None
    reachable = True
    if settings.auth_mode is AuthMode.FORWARD:
        reachable = await client.probe(path, params, within=within)
        if not reachable:
            problem = f"the {settings.name.value} upstream could not be reached"
    else:
        try:
            await client.get(path, params, caller=Caller.for_request(None, timeout=within))
        except UpstreamError as exc:
            reachable = not isinstance(exc, UpstreamUnavailable | UpstreamTimeout)
            problem = exc.message
    latency_ms = (time.perf_counter() - started) * 1000 if reachable else None
    version = await _version(client, within) if reachable else None
    return UpstreamCheck(
        upstream=settings.name.value,
        url=settings.url,
        auth=settings.auth_kind,
        reachable=reachable,
        latency_ms=latency_ms,
        version=version,
        problem=problem,
    )


async def _version(client: UpstreamClient, within: float) -> str | None:
    """The upstream's version, from a public route: sent without any credential."""
    path = VERSION_PATHS.get(client.name)
    if path is None:
        return None
    try:
        async with asyncio.timeout(within):
            response = await client.wire.send("GET", client.settings.url.rstrip("/") + path, [], {})
        body = orjson.loads(response.content) if response.status == 200 else None
    except (TimeoutError, WireFailure, orjson.JSONDecodeError):
        return None
    version = body.get("version") if isinstance(body, dict) else None
    return version[:40] if isinstance(version, str) and version else None


async def check_all(settings: Settings, *, within: float) -> list[UpstreamCheck]:
    """Check the three upstreams at once, each through its own pooled client."""
    https = {
        name: build_http_client(settings.upstream(name), transport=settings.http_transport)
        for name in Upstream
    }
    try:
        return list(
            await asyncio.gather(
                *(
                    check_upstream(settings.upstream(name), http, within=within)
                    for name, http in https.items()
                )
            )
        )
    finally:
        for http in https.values():
            await http.aclose()


HEADERS = ("upstream", "url", "auth", "reachable", "latency ms", "version")


def render_table(checks: Sequence[UpstreamCheck]) -> str:
    """The checks as a plain-text table, one row per upstream."""
    rows = [HEADERS] + [
        (
            check.upstream,
            check.url,
            check.auth,
            "yes" if check.reachable else "no",
            "-" if check.latency_ms is None else f"{check.latency_ms:.0f}",
            check.version or "-",
        )
        for check in checks
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"
