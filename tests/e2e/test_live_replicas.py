"""Live polls shared by three gateway processes through the real Redis: one poll per interval.

Three ``jobs-gateway serve`` subprocesses share the sandbox and one Redis
(through :class:`tests.redis_proxy.RedisProxy` where a test cuts Redis off);
thirty subscribers, WebSocket and SSE, are spread over them.

Counting is exact: a replica counts each poll (``gateway_live_polls_total``)
before its ``gateway_live_pollers`` gauge drops, so once every replica reads
0 pollers, the sandbox's request records must equal the sum of the counted
polls; each window of a test ends that way. ``gateway_live_pollers`` and
``gateway_live_following`` tell which replica leads (1 poller) and which
follow (1 following).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sandbox.server import SandboxThread
from tests.conftest import sandbox_reset
from tests.e2e.conftest import GatewayClient, upstream_requests
from tests.e2e.live_clients import (
    JOB_UPDATED,
    JOBS_CHANGED,
    Subscriber,
    create_flow_job,
    flow_job_id,
    set_flow_job_status,
    subscriber,
)
from tests.e2e.metrics_reading import scrape, total, value
from tests.redis_proxy import RedisProxy

POLL = 0.2
LEASE = 3.0
REDIS_TIMEOUT = 1.0
"""Generous for a loaded two-core machine: a Redis call slower than this is an outage, which
moves polling to every replica for a while (correct, but not what these tests count)."""
SUBSCRIBERS = 30
BSON_ROUTE = "GET /jobs/v1/bson/{job_id}"
LIST_ROUTE = "GET /jobs/v1/"
KINDS = ("websocket", "sse")
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class Replica:
    """One gateway process."""

    process: subprocess.Popen[bytes]
    client: GatewayClient
    log: Path

    @property
    def url(self) -> str:
        return self.client.url

    def samples(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        return scrape(self.client)

    def pollers(self) -> float:
        return value(self.samples(), "gateway_live_pollers")

    def polls(self) -> float:
        return value(self.samples(), "gateway_live_polls_total", upstream="jobstore", outcome="ok")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no lease released."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


ReplicaFactory = Callable[..., list[Replica]]


@pytest.fixture(autouse=True)
def pristine_data_after(sandbox: SandboxThread) -> Iterator[None]:
    yield
    sandbox_reset(sandbox, data=True)


@pytest.fixture
def start_replicas(
    sandbox: SandboxThread, redis_url: str, redis_prefix: str
) -> Iterator[ReplicaFactory]:
    """Start gateway processes on one Redis (``redis`` overrides its URL); ended after the test."""
    started: list[Replica] = []
    logs = tempfile.TemporaryDirectory()

    def start(count: int, redis: str = redis_url) -> list[Replica]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env.update(sandbox.sandboxes.gateway_env())
        env.update(
            GATEWAY_REDIS_URL=redis,
            GATEWAY_REDIS_KEY_PREFIX=redis_prefix,
            GATEWAY_SUBSCRIPTION_POLL_SECONDS=str(POLL),
            GATEWAY_SUBSCRIPTION_LEASE_SECONDS=str(LEASE),
            GATEWAY_REDIS_TIMEOUT=str(REDIS_TIMEOUT),
        )
        replicas = []
        for _ in range(count):
            port = _free_port()
            log = Path(logs.name) / f"gateway-{port}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(  # noqa: S603 - our own CLI
                    [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            replica = Replica(process, GatewayClient(f"http://127.0.0.1:{port}"), log)
            started.append(replica)
            replicas.append(replica)
        for replica in replicas:
            _wait_until_up(replica)
        return replicas

    yield start
    for replica in started:
        if replica.process.poll() is None:
            replica.process.terminate()
    for replica in started:
        try:
            replica.process.wait(15)
        except subprocess.TimeoutExpired:
            replica.process.kill()
        replica.client.http.close()
    logs.cleanup()


def _wait_until_up(replica: Replica) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert replica.process.poll() is None, replica.log.read_text()
        try:
            if httpx.get(f"{replica.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{replica.url} did not come up")


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait until ``condition`` holds (fails after 30 s: never when all is well)."""
    deadline = time.monotonic() + 30
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, f"{what}: never"
        await asyncio.sleep(0.05)


def roles(replicas: list[Replica]) -> list[tuple[float, float]]:
    """``(pollers, following)`` of each replica."""
    found = []
    for replica in replicas:
        samples = replica.samples()
        found.append(
            (value(samples, "gateway_live_pollers"), value(samples, "gateway_live_following"))
        )
    return found


def one_leads(replicas: list[Replica]) -> bool:
    """Exactly one replica polls and every other follows."""
    return sorted(roles(replicas)) == [(0, 1)] * (len(replicas) - 1) + [(1, 0)]


def redis_available(replica: Replica) -> bool:
    """Whether the replica's ``gateway_redis_available`` gauge says 1."""
    return value(replica.samples(), "gateway_redis_available") == 1


def leader_of(replicas: list[Replica]) -> Replica:
    [leader] = [r for r, (pollers, _) in zip(replicas, roles(replicas), strict=True) if pollers]
    return leader


def spread(replicas: list[Replica], job_id: str) -> list[tuple[Replica, Subscriber]]:
    """Thirty ``jobUpdated`` subscribers: ten per replica, half WebSocket, half SSE."""
    variables = {"id": flow_job_id(job_id)}
    subs = []
    for i in range(SUBSCRIBERS):
        replica = replicas[i % len(replicas)]
        kind = KINDS[(i // len(replicas)) % 2]
        subs.append((replica, subscriber(kind, replica.url, JOB_UPDATED, variables)))
    return subs


def warnings(replicas: list[Replica]) -> list[str]:
    """The replicas' log lines at warning level and above (for failure messages)."""
    return [
        line
        for replica in replicas
        for line in replica.log.read_text(errors="replace").splitlines()
        if "WARNING" in line or "ERROR" in line or "available" in line or "again" in line
    ]


def states(events: list[dict[str, object]]) -> list[str]:
    return [e["data"]["jobUpdated"]["state"] for e in events]  # type: ignore[index]


async def closed(subs: list[tuple[Replica, Subscriber]]) -> None:
    for _, sub in subs:
        await sub.close()


async def test_thirty_subscribers_on_three_replicas_cost_one_upstream_poll_per_interval(
    sandbox: SandboxThread, start_replicas: ReplicaFactory
) -> None:
    replicas = start_replicas(3)
    job_id = create_flow_job(sandbox, "watched through three replicas")
    subs = spread(replicas, job_id)
    try:
        for _, sub in subs:
            assert states(await sub.wait_for_events(1)) == ["RUNNING"]
        assert sorted(k.transport for _, k in subs) == ["sse"] * 15 + ["websocket"] * 15
        await until(lambda: one_leads(replicas), "one replica leading, two following")
        leader = leader_of(replicas)
        for replica in replicas:
            assert value(replica.samples(), "gateway_live_subscriptions", transport="sse") == 5
        await until(lambda: leader.polls() >= 10, "ten polls")
        assert all(len(sub.events) == 1 for _, sub in subs)  # nothing changed: nothing sent

        set_flow_job_status(sandbox, job_id, "Paused")
        for _, sub in subs:
            assert states(await sub.wait_for_events(2)) == ["RUNNING", "PAUSED"]
        set_flow_job_status(sandbox, job_id, "Completed")
        for _, sub in subs:
            assert states(await sub.wait_for_complete()) == ["RUNNING", "PAUSED", "SUCCEEDED"]
    finally:
        await closed(subs)

    await until(lambda: all(r.pollers() == 0 for r in replicas), "every poller ended")
    polls = [r.polls() for r in replicas]
    requests = upstream_requests(sandbox, "jobstore")[BSON_ROUTE]
    print(
        f"\n30 jobUpdated subscribers on 3 replicas (15 WebSocket, 15 SSE): polls counted by "
        f"each replica {polls}, upstream requests {requests}"
    )
    # one replica polled; the others only followed
    assert sorted(polls) == [0, 0, requests], warnings(replicas)
    assert polls[replicas.index(leader)] == requests
    assert requests >= 12


async def test_killing_the_leader_hands_polling_to_another_replica_within_a_lease(
    sandbox: SandboxThread, start_replicas: ReplicaFactory
) -> None:
    replicas = start_replicas(3)
    job_id = create_flow_job(sandbox, "its leader dies")
    subs = spread(replicas, job_id)
    try:
        for _, sub in subs:
            assert states(await sub.wait_for_events(1)) == ["RUNNING"]
        await until(lambda: one_leads(replicas), "one replica leading")
        leader = leader_of(replicas)
        survivors = [r for r in replicas if r is not leader]
        await until(lambda: leader.polls() >= 5, "five polls")

        leader.kill()
        killed_at = time.monotonic()
        at_kill = upstream_requests(sandbox, "jobstore")[BSON_ROUTE]
        # read after the count above: no survivor had polled yet (its lease lasts on), so
        # every request counted so far was the dead leader's
        assert [(r.pollers(), r.polls()) for r in survivors] == [(0, 0), (0, 0)]

        set_flow_job_status(sandbox, job_id, "Paused")
        surviving = [(r, sub) for r, sub in subs if r is not leader]
        assert len(surviving) == 20
        for _, sub in [(r, sub) for r, sub in subs if r is leader]:
            await sub.wait_for_failure()  # their server died: the connection dropped
            assert len(sub.events) == 1
        for _, sub in surviving:
            assert states(await sub.wait_for_events(2)) == ["RUNNING", "PAUSED"]
        handed_over = time.monotonic() - killed_at
        await until(lambda: one_leads(survivors), "a survivor leading, the other following")
        new_leader = leader_of(survivors)
        await until(lambda: new_leader.polls() >= 10, "ten polls by the new leader")

        set_flow_job_status(sandbox, job_id, "Completed")
        for _, sub in surviving:
            assert states(await sub.wait_for_complete()) == ["RUNNING", "PAUSED", "SUCCEEDED"]
    finally:
        await closed(subs)

    await until(lambda: all(r.pollers() == 0 for r in survivors), "every poller ended")
    polls = [r.polls() for r in survivors]
    after = upstream_requests(sandbox, "jobstore")[BSON_ROUTE] - at_kill
    print(
        f"\nleader killed after {at_kill} polls; the 20 subscribers left saw PAUSED "
        f"{handed_over:.2f} s after the kill (lease {LEASE} s, poll {POLL} s); after it, "
        f"polls counted by the survivors {polls}, upstream requests {after}"
    )
    # one survivor took over; the other still follows
    assert sorted(polls) == [0, after], warnings(survivors)
    assert polls[survivors.index(new_leader)] == after
    assert after >= 11
    assert at_kill >= 5


async def test_a_redis_outage_falls_back_to_local_polling_then_back_to_one_poll(
    sandbox: SandboxThread, start_replicas: ReplicaFactory, redis_url: str
) -> None:
    with RedisProxy.to(redis_url) as proxy:
        replicas = start_replicas(3, redis=proxy.url)
        job_id = create_flow_job(sandbox, "through a Redis outage")
        subs = spread(replicas, job_id)
        try:
            for _, sub in subs:
                assert states(await sub.wait_for_events(1)) == ["RUNNING"]
            await until(lambda: one_leads(replicas), "one replica leading")

            proxy.stop()
            # every replica polls for its own subscribers, and says Redis is down
            await until(lambda: roles(replicas) == [(1, 0)] * 3, "three local pollers")
            for replica in replicas:
                samples = replica.samples()
                assert value(samples, "gateway_redis_available") == 0
                assert total(samples, "gateway_redis_failures_total", feature="subscriptions") >= 1
            set_flow_job_status(sandbox, job_id, "Paused")
            for _, sub in subs:  # the streams go on through the outage
                assert states(await sub.wait_for_events(2)) == ["RUNNING", "PAUSED"]
            during = [r.polls() for r in replicas]
            assert all(n > 0 for n in during)

            proxy.start()
            # a connection the outage cut may still fail once on its first use after it
            # (a second, short spell of local polling, said in the log); wait for all to
            # say Redis is back, then require that only the leader polls from there on
            await until(
                lambda: one_leads(replicas) and all(redis_available(r) for r in replicas),
                "one replica leading again, every replica saying Redis is available",
            )
            leader = leader_of(replicas)
            back = [r.polls() for r in replicas]
            await until(lambda: leader.polls() >= back[replicas.index(leader)] + 10, "ten polls")

            set_flow_job_status(sandbox, job_id, "Completed")
            for _, sub in subs:
                events = await sub.wait_for_complete()
                assert states(events) == ["RUNNING", "PAUSED", "SUCCEEDED"]
        finally:
            await closed(subs)

        await until(lambda: all(r.pollers() == 0 for r in replicas), "every poller ended")
        polls = [r.polls() for r in replicas]
        requests = upstream_requests(sandbox, "jobstore")[BSON_ROUTE]
        since_back = [n - b for n, b in zip(polls, back, strict=True)]
        print(
            f"\nRedis outage with 30 subscribers on 3 replicas: polls counted by each replica "
            f"{polls} (at the end of the outage {during}, after Redis came back {since_back}), "
            f"upstream requests {requests}"
        )
        assert sum(polls) == requests
        leader_index = replicas.index(leader)
        # once Redis answered again, only the leader polled
        followers = [n for i, n in enumerate(since_back) if i != leader_index]
        assert followers == [0, 0], warnings(replicas)
        assert since_back[leader_index] >= 10
    for replica in replicas:
        text = replica.log.read_text()
        assert "redis unavailable for subscriptions" in text


async def test_jobs_changed_on_three_replicas_reads_each_source_once_per_interval(
    sandbox: SandboxThread, start_replicas: ReplicaFactory
) -> None:
    replicas = start_replicas(3)
    subs = [
        (replica, subscriber(kind, replica.url, JOBS_CHANGED, {"filter": None}))
        for replica in replicas
        for kind in KINDS
    ]
    try:
        await until(lambda: one_leads(replicas), "one replica leading")
        leader = leader_of(replicas)
        await until(lambda: leader.polls() >= 5, "five polls")  # every subscriber's baseline
        job_id = create_flow_job(sandbox, "a new job seen on every replica")
        for _, sub in subs:
            created = (await sub.wait_for_events(1))[0]["data"]["jobsChanged"]
            assert created == {
                "kind": "CREATED",
                "previousState": None,
                "job": {"id": flow_job_id(job_id), "source": "JOB_STORE", "state": "RUNNING"},
            }
        set_flow_job_status(sandbox, job_id, "Aborted")
        for _, sub in subs:
            changed = (await sub.wait_for_events(2))[1]["data"]["jobsChanged"]
            assert (changed["kind"], changed["previousState"]) == ("STATE_CHANGED", "RUNNING")
            assert changed["job"]["state"] == "CANCELED"
        # while every replica has subscribers, one replica alone has polled
        watching = [
            value(r.samples(), "gateway_live_polls_total", upstream="jobstore", outcome="ok")
            for r in replicas
        ]
        assert sorted(watching)[:2] == [0, 0], (watching, warnings(replicas))
    finally:
        await closed(subs)

    # As subscribers leave, a leader whose last one left hands the lead to a replica
    # that still has some, which may poll once more before its own leave: so at the
    # end every poll made is one request per source, whoever made it.
    await until(lambda: all(r.pollers() == 0 for r in replicas), "every poller ended")
    figures = {}
    for upstream in ("jobstore", "opsmanager", "awx"):
        polls = [
            value(r.samples(), "gateway_live_polls_total", upstream=upstream, outcome="ok")
            for r in replicas
        ]
        counts = upstream_requests(sandbox, upstream)
        requests = counts[LIST_ROUTE] if upstream == "jobstore" else sum(counts.values())
        figures[upstream] = (polls, requests)
        assert sum(polls) == requests, (upstream, counts, warnings(replicas))
    print(f"\n6 jobsChanged subscribers on 3 replicas, polls by replica and requests: {figures}")
