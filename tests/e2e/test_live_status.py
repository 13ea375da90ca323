"""Live job status over real sockets: jobUpdated and jobsChanged on graphql-transport-ws and SSE.

Jobs are created in the sandbox jobs store and their status is set through
its control route (``PUT /_sandbox/jobs/{id}/status``), so a job changes
exactly when a test says. Upstream request counts are the sandbox's own
records, compared with the polls the gateway counted (``gateway_live_polls``):
a poller's last poll is counted before its ``gateway_live_pollers`` gauge
drops, so once that gauge reads 0 both counts are final and must be equal.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from sandbox.server import SandboxThread
from tests.conftest import sandbox_reset
from tests.e2e.conftest import CSRF, GatewayClient, GatewayFactory, set_faults, upstream_requests
from tests.e2e.live_clients import (
    JOB_UPDATED,
    JOBS_CHANGED,
    SSESubscriber,
    WebSocketSubscriber,
    create_flow_job,
    flow_job_id,
    parse_events,
    set_flow_job_status,
    subscriber,
)
from tests.e2e.metrics_reading import scrape, total, value

POLL = "0.2"


@pytest.fixture(autouse=True)
def pristine_data_after(sandbox: SandboxThread) -> Iterator[None]:
    """The jobs these tests create are gone afterwards: other tests read the newest jobs."""
    yield
    sandbox_reset(sandbox, data=True)


BSON_ROUTE = "GET /jobs/v1/bson/{job_id}"
LIST_ROUTE = "GET /jobs/v1/"
KINDS = ("websocket", "sse")


def live_gateway(start_gateway: GatewayFactory, **env: str) -> GatewayClient:
    return start_gateway(GATEWAY_SUBSCRIPTION_POLL_SECONDS=POLL, **env)


async def wait_for_metric(
    gateway: GatewayClient, name: str, expected: float, *, at_least: bool = False, **labels: str
) -> None:
    """Scrape until a metric (summed over series with ``labels``) reads ``expected`` (or more)."""
    deadline = time.monotonic() + 20
    while True:
        seen = total(scrape(gateway), name, **labels)
        if seen == expected or (at_least and seen > expected):
            return
        assert time.monotonic() < deadline, f"{name}{labels} stayed {seen}, not {expected}"
        await asyncio.sleep(0.05)


def states(events: list[dict[str, object]]) -> list[str]:
    return [e["data"]["jobUpdated"]["state"] for e in events]  # type: ignore[index]


async def test_fifty_subscribers_of_one_job_cost_one_upstream_request_per_poll(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = live_gateway(start_gateway)
    job_id = create_flow_job(sandbox, "watched by fifty")
    variables = {"id": flow_job_id(job_id)}
    subscribers = [subscriber(KINDS[i % 2], gateway.url, JOB_UPDATED, variables) for i in range(50)]
    try:
        for sub in subscribers:
            first = (await sub.wait_for_events(1))[0]
            assert first["data"]["jobUpdated"]["state"] == "RUNNING"
            assert first["data"]["jobUpdated"]["upstreamStatus"] == "InProgress"
        samples = scrape(gateway)
        assert value(samples, "gateway_live_subscriptions", transport="websocket") == 25
        assert value(samples, "gateway_live_subscriptions", transport="sse") == 25
        assert value(samples, "gateway_live_pollers") == 1
        # ten intervals with fifty subscribers and nothing to report
        await wait_for_metric(gateway, "gateway_live_polls_total", 10, at_least=True)
        assert all(len(sub.events) == 1 for sub in subscribers)

        set_flow_job_status(sandbox, job_id, "Completed")
        for sub in subscribers:
            events = await sub.wait_for_complete()
            assert states(events) == ["RUNNING", "SUCCEEDED"], sub.transport
    finally:
        for sub in subscribers:
            await sub.close()

    await wait_for_metric(gateway, "gateway_live_pollers", 0)
    samples = scrape(gateway)
    polls = value(samples, "gateway_live_polls_total", upstream="jobstore", outcome="ok")
    requests = upstream_requests(sandbox, "jobstore")[BSON_ROUTE]
    print(
        f"\n50 jobUpdated subscribers (25 WebSocket, 25 SSE): {polls:.0f} polls, "
        f"{requests} upstream requests"
    )
    assert value(samples, "gateway_live_pollers_started_total") == 1
    assert requests == polls
    assert 11 <= requests < 50  # one poller: joining costs nothing, every poll one GET


async def test_fifty_subscribers_of_one_filter_cost_one_read_per_source_per_poll(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = live_gateway(start_gateway)
    variables: dict[str, object] = {"filter": None}
    subscribers = [
        subscriber(KINDS[i % 2], gateway.url, JOBS_CHANGED, variables) for i in range(50)
    ]
    try:
        # the first poll is every subscriber's baseline: nothing is sent until a change
        await wait_for_metric(gateway, "gateway_live_subscriptions", 50)
        # ... and ten polls with nothing to report
        await wait_for_metric(
            gateway, "gateway_live_polls_total", 10, at_least=True, upstream="jobstore"
        )
        assert all(sub.events == [] for sub in subscribers)
        job_id = create_flow_job(sandbox, "a new job for fifty watchers")
        global_id = flow_job_id(job_id)
        for sub in subscribers:
            created = (await sub.wait_for_events(1))[0]["data"]["jobsChanged"]
            assert created == {
                "kind": "CREATED",
                "previousState": None,
                "job": {"id": global_id, "source": "JOB_STORE", "state": "RUNNING"},
            }
        set_flow_job_status(sandbox, job_id, "Aborted")
        for sub in subscribers:
            changed = (await sub.wait_for_events(2))[1]["data"]["jobsChanged"]
            assert changed == {
                "kind": "STATE_CHANGED",
                "previousState": "RUNNING",
                "job": {"id": global_id, "source": "JOB_STORE", "state": "CANCELED"},
            }
            assert len(sub.events) == 2
    finally:
        for sub in subscribers:
            await sub.close()

    await wait_for_metric(gateway, "gateway_live_pollers", 0)
    samples = scrape(gateway)
    assert value(samples, "gateway_live_pollers_started_total") == 1
    figures = {}
    for upstream in ("jobstore", "opsmanager", "awx"):
        polls = value(samples, "gateway_live_polls_total", upstream=upstream, outcome="ok")
        counts = upstream_requests(sandbox, upstream)
        requests = counts[LIST_ROUTE] if upstream == "jobstore" else sum(counts.values())
        figures[upstream] = (polls, requests)
        assert requests == polls, (upstream, counts)
    polls = {p for p, _ in figures.values()}
    assert len(polls) == 1  # every poll read each source once
    assert 12 <= polls.pop() < 50
    print(f"\n50 jobsChanged subscribers (25 WebSocket, 25 SSE), polls and requests: {figures}")


async def test_a_final_state_completes_job_updated_on_both_transports(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = live_gateway(start_gateway)
    job_id = create_flow_job(sandbox, "to be aborted")
    variables = {"id": flow_job_id(job_id)}
    ws = WebSocketSubscriber(gateway.url, JOB_UPDATED, variables).start()
    sse = SSESubscriber(gateway.url, JOB_UPDATED, variables).start()
    await ws.wait_for_events(1)
    await sse.wait_for_events(1)
    set_flow_job_status(sandbox, job_id, "Paused")
    assert states(await ws.wait_for_events(2)) == ["RUNNING", "PAUSED"]
    assert states(await sse.wait_for_events(2)) == ["RUNNING", "PAUSED"]
    set_flow_job_status(sandbox, job_id, "Aborted")
    assert states(await ws.wait_for_complete()) == ["RUNNING", "PAUSED", "CANCELED"]
    assert states(await sse.wait_for_complete()) == ["RUNNING", "PAUSED", "CANCELED"]
    assert sse.status == 200
    assert sse.content_type == "text/event-stream"
    await ws.close()


async def test_a_dropped_client_stops_its_polling(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = live_gateway(start_gateway)
    for kind in KINDS:
        job_id = create_flow_job(sandbox, f"watched, then dropped over {kind}")
        sub = subscriber(kind, gateway.url, JOB_UPDATED, {"id": flow_job_id(job_id)})
        await sub.wait_for_events(1)
        await wait_for_metric(gateway, "gateway_live_pollers", 1)
        await sub.close()
        await wait_for_metric(gateway, "gateway_live_pollers", 0)
        await wait_for_metric(gateway, "gateway_live_subscriptions", 0)
    polls = value(scrape(gateway), "gateway_live_polls_total", upstream="jobstore", outcome="ok")
    requests = upstream_requests(sandbox, "jobstore")[BSON_ROUTE]
    assert requests == polls
    await asyncio.sleep(5 * float(POLL))  # five intervals in which a poller would have polled
    assert upstream_requests(sandbox, "jobstore")[BSON_ROUTE] == requests


async def test_an_upstream_outage_is_an_error_event_and_the_stream_recovers(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = live_gateway(start_gateway)
    job_id = create_flow_job(sandbox, "through an outage")
    subs = [
        subscriber(kind, gateway.url, JOB_UPDATED, {"id": flow_job_id(job_id)}) for kind in KINDS
    ]
    for sub in subs:
        await sub.wait_for_events(1)
    # one failed poll (a 500 is not retried), then the upstream answers again
    set_faults(
        sandbox, "jobstore", mode="500", error_rate=1.0, remaining=1, path_prefix="/jobs/v1/bson/"
    )
    for sub in subs:
        events = await sub.wait_for_events(3)
        error = events[1]
        assert error["data"] is None
        assert error["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        assert error["errors"][0]["extensions"]["upstream"] == "jobstore"
        assert events[2]["data"]["jobUpdated"]["state"] == "RUNNING"  # sent again: recovered
    set_flow_job_status(sandbox, job_id, "Completed")
    for sub in subs:
        events = await sub.wait_for_complete()
        assert events[-1]["data"]["jobUpdated"]["state"] == "SUCCEEDED"
        assert len(events) == 4
    samples = scrape(gateway)
    assert value(samples, "gateway_live_polls_total", upstream="jobstore", outcome="error") == 1


async def test_an_unknown_job_is_not_found_and_a_foreign_id_bad_user_input(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = live_gateway(start_gateway)
    template = base64.urlsafe_b64encode(b"JobTemplate:7").decode()
    for kind in KINDS:
        missing = subscriber(kind, gateway.url, JOB_UPDATED, {"id": flow_job_id("f" * 24)})
        events = await missing.wait_for_complete()
        assert [e["errors"][0]["extensions"]["code"] for e in events] == ["NOT_FOUND"]
        foreign = subscriber(kind, gateway.url, JOB_UPDATED, {"id": template})
        events = await foreign.wait_for_complete()
        assert [e["errors"][0]["extensions"]["code"] for e in events] == ["BAD_USER_INPUT"]


async def test_server_shutdown_ends_every_stream_cleanly(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = live_gateway(start_gateway)
    job_id = create_flow_job(sandbox, "running at shutdown")
    subs = [
        subscriber(kind, gateway.url, JOB_UPDATED, {"id": flow_job_id(job_id)}) for kind in KINDS
    ]
    changes = [subscriber(kind, gateway.url, JOBS_CHANGED, {}) for kind in KINDS]
    watcher = WebSocketSubscriber(gateway.url, JOB_UPDATED, {"id": flow_job_id(job_id)})
    watcher.until_closed = True
    watcher.start()
    for sub in [*subs, watcher]:
        await sub.wait_for_events(1)
    await wait_for_metric(gateway, "gateway_live_subscriptions", 5)
    assert gateway.server is not None
    await asyncio.to_thread(gateway.server.stop)
    for sub in [*subs, *changes, watcher]:
        await sub.wait_for_complete()  # SSE: `event: complete`; WebSocket: `complete`
    assert [len(sub.events) for sub in [*subs, watcher]] == [1, 1, 1]
    assert [sub.events for sub in changes] == [[], []]
    assert watcher.closed_code == 1001  # then the socket closed: going away
    for sub in [*subs, *changes]:
        await sub.close()


async def test_sse_by_get_validation_errors_as_events_and_plain_http_refused(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = live_gateway(start_gateway)
    job_id = create_flow_job(sandbox, "read by GET")
    set_flow_job_status(sandbox, job_id, "Completed")
    async with httpx.AsyncClient(base_url=gateway.url, timeout=20) as http:
        params = {"query": JOB_UPDATED, "variables": json.dumps({"id": flow_job_id(job_id)})}
        # a GET event stream is a simple request too: CSRF prevention wants a header
        # (EventSource cannot send one; graphql-sse's client POSTs JSON instead)
        response = await http.get(
            "/graphql", params=params, headers={"accept": "text/event-stream"}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTED"
        response = await http.get(
            "/graphql", params=params, headers={"accept": "text/event-stream", **CSRF}
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers.get_list("cache-control") == ["no-cache, no-transform"]
        events = parse_events(response.text.splitlines())
        assert [name for name, _ in events] == ["next", "complete"]
        assert json.loads(events[0][1])["data"]["jobUpdated"]["state"] == "SUCCEEDED"

        # a mutation by GET is a request problem, reported in the stream
        response = await http.get(
            "/graphql",
            params={"query": "mutation { __typename }"},
            headers={"accept": "text/event-stream", **CSRF},
        )
        events = parse_events(response.text.splitlines())
        [error] = json.loads(events[0][1])["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert error["message"] == "mutations are not allowed"

        # validation errors come as a `next` event, as the protocol asks
        response = await http.post(
            "/graphql",
            json={"query": "subscription { jobUpdated(id: 1) { nope } }"},
            headers={"accept": "text/event-stream"},
        )
        assert response.status_code == 200
        events = parse_events(response.text.splitlines())
        assert [name for name, _ in events] == ["next", "complete"]
        errors = json.loads(events[0][1])["errors"]
        assert {e["extensions"]["code"] for e in errors} == {"GRAPHQL_VALIDATION_FAILED"}

        # a subscription without the event stream: a coded 400, over POST and GET
        for method in ("POST", "GET"):
            kwargs: dict[str, object] = (
                {"json": {"query": JOB_UPDATED, "variables": {"id": flow_job_id(job_id)}}}
                if method == "POST"
                else {"params": params}
            )
            response = await http.request(method, "/graphql", headers=CSRF, **kwargs)  # type: ignore[arg-type]
            assert response.status_code == 400, method
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == "BAD_REQUEST"
            assert "text/event-stream" in error["message"]


async def test_a_subscription_document_meets_the_query_limits(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = live_gateway(start_gateway, GATEWAY_MAX_ALIASES="0")
    query = "subscription { a: jobsChanged { kind } }"
    for kind in KINDS:
        sub = subscriber(kind, gateway.url, query, {})
        events = await sub.wait_for_complete()
        assert events[0]["errors"][0]["extensions"]["code"] != "INTERNAL_SERVER_ERROR"
        assert "alias" in events[0]["errors"][0]["message"].lower()
    assert total(scrape(gateway), "gateway_live_pollers_started_total") == 0


async def test_forwarded_credentials_never_share_a_poll(
    sandbox: SandboxThread, start_gateway: GatewayFactory, auth_headers: dict[str, str]
) -> None:
    env = {f"GATEWAY_{up}_AUTH_MODE": "forward" for up in ("JOBSTORE", "OPSMANAGER", "AWX")}
    gateway = live_gateway(start_gateway, **env)
    job_id = create_flow_job(sandbox, "seen by two callers")
    variables = {"id": flow_job_id(job_id)}
    same = [
        SSESubscriber(gateway.url, JOB_UPDATED, variables, headers=auth_headers).start()
        for _ in range(2)
    ]
    stranger = SSESubscriber(
        gateway.url, JOB_UPDATED, variables, headers={"Authorization": "Bearer not-the-token"}
    ).start()
    for sub in same:
        assert (await sub.wait_for_events(1))[0]["data"]["jobUpdated"]["state"] == "RUNNING"
    refused = (await stranger.wait_for_events(1))[0]
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert value(scrape(gateway), "gateway_live_pollers_started_total") == 2
    for sub in [*same, stranger]:
        await sub.close()


async def test_persisted_subscriptions_over_sse(
    sandbox: SandboxThread, start_gateway: GatewayFactory
) -> None:
    gateway = live_gateway(start_gateway)
    job_id = create_flow_job(sandbox, "persisted")
    set_flow_job_status(sandbox, job_id, "Completed")
    sha = hashlib.sha256(JOB_UPDATED.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    variables = {"id": flow_job_id(job_id)}
    sse = {"accept": "text/event-stream"}
    async with httpx.AsyncClient(base_url=gateway.url, timeout=20) as http:
        miss = await http.post(
            "/graphql", json={"extensions": extensions, "variables": variables}, headers=sse
        )
        assert miss.headers["content-type"] == "text/event-stream"
        events = parse_events(miss.text.splitlines())
        assert [name for name, _ in events] == ["next", "complete"]
        error = json.loads(events[0][1])["errors"][0]
        assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

        for body in (
            {"query": JOB_UPDATED, "extensions": extensions, "variables": variables},
            {"extensions": extensions, "variables": variables},  # the hash alone now
        ):
            response = await http.post("/graphql", json=body, headers=sse)
            events = parse_events(response.text.splitlines())
            assert [name for name, _ in events] == ["next", "complete"]
            assert json.loads(events[0][1])["data"]["jobUpdated"]["state"] == "SUCCEEDED"
