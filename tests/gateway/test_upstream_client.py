"""The upstream HTTP core, over in-process httpx transports."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from gateway.config import load_settings
from gateway.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamForbidden,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnauthenticated,
    UpstreamUnavailable,
    UpstreamUnreachable,
)
from gateway.upstream_names import Upstream
from gateway.upstreams.breaker import CircuitBreaker
from gateway.upstreams.caller import Caller
from gateway.upstreams.client import RouteKind, UpstreamClient
from gateway.upstreams.jobstore import JobstoreAPI
from tests.conftest import UNIT_TOKEN, complete_env
from tests.waiting import until

Handler = Callable[[httpx.Request], httpx.Response]
CALLER = Caller()


def make_client(
    handler: Handler,
    name: Upstream = Upstream.AWX,
    breaker: CircuitBreaker | None = None,
    **env: str,
) -> tuple[UpstreamClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    settings = load_settings(complete_env(**env)).upstream(name)
    http = httpx.AsyncClient(base_url=settings.url, transport=httpx.MockTransport(record))
    client = UpstreamClient(settings, http, backoff=0.001)
    if breaker is not None:
        client.breakers[RouteKind.READ] = breaker
    return client, seen


async def test_get_sends_the_service_bearer_token() -> None:
    client, seen = make_client(lambda r: httpx.Response(200, json={"ok": True}))
    response = await client.get("/api/v2/x/", [("a", "1")], caller=CALLER)
    assert response.body == {"ok": True}
    assert seen[0].headers["authorization"] == f"Bearer {UNIT_TOKEN}"
    assert seen[0].url.params["a"] == "1"


async def test_get_retries_503_then_succeeds() -> None:
    answers = iter(
        [httpx.Response(503, headers={"Retry-After": "0"}), httpx.Response(200, json=[1])]
    )
    client, seen = make_client(lambda r: next(answers))
    response = await client.get("/x", caller=CALLER)
    assert response.body == [1]
    assert len(seen) == 2


async def test_get_gives_up_after_the_retry_budget() -> None:
    client, seen = make_client(lambda r: httpx.Response(502))
    with pytest.raises(UpstreamUnavailable) as excinfo:
        await client.get("/x", caller=CALLER)
    assert len(seen) == 3
    assert excinfo.value.status == 502


async def test_long_retry_after_is_not_waited_for() -> None:
    client, seen = make_client(lambda r: httpx.Response(503, headers={"Retry-After": "120"}))
    with pytest.raises(UpstreamUnavailable) as excinfo:
        await client.get("/x", caller=CALLER)
    assert len(seen) == 1
    assert excinfo.value.extensions()["retryAfter"] == 120.0


async def test_post_is_never_retried() -> None:
    client, seen = make_client(lambda r: httpx.Response(503))
    with pytest.raises(UpstreamUnavailable):
        await client.post("/x", {"a": 1}, caller=CALLER)
    assert len(seen) == 1


async def test_dropped_post_is_unavailable_and_not_retried() -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")

    client, seen = make_client(drop)
    with pytest.raises(UpstreamUnavailable):
        await client.post("/x", {"a": 1}, caller=CALLER)
    assert len(seen) == 1


async def test_timeout_maps_to_upstream_timeout() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out")

    client, _ = make_client(slow)
    with pytest.raises(UpstreamTimeout):
        await client.get("/x", caller=CALLER)


async def test_identical_concurrent_gets_are_coalesced() -> None:
    client, seen = make_client(lambda r: httpx.Response(200, json={"n": 1}))
    results = await asyncio.gather(
        *(client.get("/same", [("q", "1")], caller=CALLER) for _ in range(5))
    )
    assert [r.body for r in results] == [{"n": 1}] * 5
    assert len(seen) == 1
    await client.get("/same", [("q", "1")], caller=CALLER)
    assert len(seen) == 2, "coalescing covers requests in flight only"


async def test_a_read_after_a_write_does_not_join_a_get_that_left_before_it() -> None:
    """Read-your-writes: the job as it stands after ``cancel``, not as a GET in flight saw it."""
    state = {"status": "running"}
    gates: list[asyncio.Event] = []

    async def upstream(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            state["status"] = "canceled"
            return httpx.Response(202, json={})
        seen_then = state["status"]  # the upstream reads the job when the GET arrives
        gate = asyncio.Event()
        gates.append(gate)
        await gate.wait()
        return httpx.Response(200, json={"status": seen_then})

    client, seen = make_client(upstream)  # type: ignore[arg-type]
    before = asyncio.create_task(client.get("/api/v2/workflow_jobs/7/", caller=CALLER))
    await until(lambda: len(gates) == 1, "the first GET")
    await client.post("/api/v2/workflow_jobs/7/cancel/", {}, caller=CALLER)
    after = asyncio.create_task(client.get("/api/v2/workflow_jobs/7/", caller=CALLER))
    await until(lambda: len(gates) == 2, "the second GET")
    gates[0].set()
    assert (await before).body == {"status": "running"}  # asked before the write
    # the first GET ending must not drop the second from the table: a third read joins it
    joining = asyncio.create_task(client.get("/api/v2/workflow_jobs/7/", caller=CALLER))
    await asyncio.sleep(0.01)
    gates[1].set()
    assert (await after).body == {"status": "canceled"}
    assert (await joining).body == {"status": "canceled"}
    assert [r.method for r in seen] == ["GET", "POST", "GET"]


async def test_a_failed_write_also_ends_the_sharing_of_reads_in_flight() -> None:
    gates: list[asyncio.Event] = []

    async def upstream(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise httpx.ReadError("answer lost")  # it may have landed
        gate = asyncio.Event()
        gates.append(gate)
        n = len(gates)
        await gate.wait()
        return httpx.Response(200, json={"n": n})

    client, seen = make_client(upstream)  # type: ignore[arg-type]
    before = asyncio.create_task(client.get("/x", caller=CALLER))
    await until(lambda: len(gates) == 1, "the first GET")
    with pytest.raises(UpstreamError):
        await client.post("/x/cancel/", {}, caller=CALLER)
    after = asyncio.create_task(client.get("/x", caller=CALLER))
    await until(lambda: len(gates) == 2, "the second GET")
    for gate in gates:
        gate.set()
    assert [(await before).body, (await after).body] == [{"n": 1}, {"n": 2}]
    assert [r.method for r in seen] == ["GET", "POST", "GET"]


async def test_error_statuses_map_onto_the_hierarchy() -> None:
    cases = {
        401: UpstreamUnauthenticated,
        403: UpstreamForbidden,
        400: UpstreamRejected,
    }
    for status, kind in cases.items():
        client, _ = make_client(lambda r, s=status: httpx.Response(s, json={"detail": "nope"}))
        with pytest.raises(kind) as excinfo:
            await client.get("/x", caller=CALLER)
        assert excinfo.value.status == status


async def test_field_errors_are_kept() -> None:
    body = {"name": ["This field is required."], "webhook_guid": ["Too long."]}
    client, _ = make_client(lambda r: httpx.Response(400, json=body))
    with pytest.raises(UpstreamRejected) as excinfo:
        await client.post("/x", {}, caller=CALLER)
    assert excinfo.value.field_errors == body


async def test_malformed_json_is_a_bad_response() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, content=b'{"results": [1, 2'))
    with pytest.raises(UpstreamBadResponse):
        await client.get("/x", caller=CALLER)


async def test_query_token_is_sent_but_never_in_errors() -> None:
    client, seen = make_client(
        lambda r: httpx.Response(401, json={"message": "bad token"}),
        Upstream.OPSMANAGER,
        GATEWAY_OPSMANAGER_TOKEN="tok-123-secret",
        GATEWAY_OPSMANAGER_TOKEN_IN_QUERY="1",
    )
    with pytest.raises(UpstreamUnauthenticated) as excinfo:
        await client.get("/operations-manager/jobs", [("limit", "1")], caller=CALLER)
    assert seen[0].url.params["token"] == "tok-123-secret"
    assert "authorization" not in seen[0].headers
    assert "tok-123-secret" not in str(excinfo.value.extensions())
    assert "tok-123-secret" not in excinfo.value.message


async def test_basic_auth_header() -> None:
    client, seen = make_client(
        lambda r: httpx.Response(200, json={}),
        GATEWAY_AWX_USERNAME="admin",
        GATEWAY_AWX_PASSWORD="pw",
        GATEWAY_AWX_TOKEN="",
    )
    await client.get("/x", caller=CALLER)
    assert seen[0].headers["authorization"] == "Basic YWRtaW46cHc="


async def test_breaker_opens_and_fails_fast() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=2, cooldown=10, clock=lambda: now[0])
    client, seen = make_client(lambda r: httpx.Response(500), breaker=breaker)
    for _ in range(2):
        with pytest.raises(UpstreamUnavailable):
            await client.get("/x", caller=CALLER)
    assert breaker.is_open
    calls = len(seen)
    with pytest.raises(UpstreamUnreachable) as excinfo:
        await client.get("/x", caller=CALLER)
    assert len(seen) == calls
    assert "paused" in excinfo.value.message
    now[0] = 11.0
    with pytest.raises(UpstreamUnavailable):
        await client.get("/x", caller=CALLER)
    assert len(seen) == calls + 1, "one half-open trial after the cooldown"


async def test_jobstore_accepts_array_and_object_answers() -> None:
    doc = {"jobId": "abc", "metadata": {"jobTitle": "t"}}
    for body in ([doc], doc):
        client, _ = make_client(lambda r, b=body: httpx.Response(200, json=b), Upstream.JOBSTORE)
        api = JobstoreAPI(client, CALLER)
        assert await api.job("abc") == doc
    client, _ = make_client(lambda r: httpx.Response(200, json=[]), Upstream.JOBSTORE)
    assert await JobstoreAPI(client, CALLER).job("abc") is None
    client, _ = make_client(lambda r: httpx.Response(404, json={"title": "x"}), Upstream.JOBSTORE)
    assert await JobstoreAPI(client, CALLER).job("abc") is None
