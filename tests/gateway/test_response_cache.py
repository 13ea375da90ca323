"""The response cache's policy, keys, in-process store and settings (gateway.response_cache)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from graphql import parse

from gateway.config import ConfigError, load_settings
from gateway.response_cache import ResponseCache, build_response_cache
from gateway.response_cache.stores import LocalStore
from tests.conftest import complete_env

ALL = ("awx", "jobstore", "opsmanager")


def cache(*, per_caller: bool = False) -> ResponseCache:
    return ResponseCache(LocalStore(ttl=30, max_bytes=1 << 20), ttl=30, per_caller=per_caller)


@pytest.mark.parametrize(
    ("text", "systems"),
    [
        ("{ flowJobs(first: 1) { totalCount } }", ("jobstore",)),
        ("{ workflowJobs { totalCount } sliceWorkflowJobs { totalCount } }", ("awx",)),
        ("{ operationsJobs { totalCount } __typename }", ("opsmanager",)),
        ("{ jobs(first: 2) { totalCount } }", ALL),
        ("{ jobCounts { complete } }", ALL),
    ],
)
def test_list_and_count_reads_are_cached_with_the_systems_they_read(
    text: str, systems: tuple[str, ...]
) -> None:
    plan = cache().plan(parse(text), None)
    assert plan is not None
    assert not plan.mutation
    assert plan.systems == systems


@pytest.mark.parametrize(
    "text",
    [
        '{ flowJobs(first: 1) { totalCount } node(id: "x") { id } }',  # a single-object read
        "{ workflowJob(id: 7) { name } }",
        "{ ... on Query { flowJobs { totalCount } } }",  # root fragments are not followed
        "subscription { jobsChanged { kind } }",
        "query A { flowJobs { totalCount } } query B { jobs { totalCount } }",  # which one?
    ],
)
def test_other_operations_are_not_cached(text: str) -> None:
    assert cache().plan(parse(text), None) is None


@pytest.mark.parametrize(
    ("text", "systems"),
    [
        ("mutation { createFlowJob(input: {}) { created } }", ("jobstore",)),
        ("mutation { startOperationsJob(input: {}) { message } }", ("opsmanager",)),
        ("mutation { createSliceWorkflowJob(jobTemplateId: 1) { userErrors { code } } }", ("awx",)),
        ('mutation { cancelJob(id: "x") { userErrors { code } } }', ALL),
        ("mutation { someFutureMutation }", ALL),
    ],
)
def test_mutations_name_the_systems_they_drop(text: str, systems: tuple[str, ...]) -> None:
    plan = cache().plan(parse(text), None)
    assert plan is not None
    assert plan.mutation
    assert plan.systems == systems


def test_the_key_is_the_canonical_text_the_operation_and_the_variables() -> None:
    c = cache()
    one = c.plan(parse("query A { flowJobs(first: $n) { totalCount } }"), "A")
    spaced = c.plan(parse("# x\nquery A {\n  flowJobs(first: $n) {totalCount}\n}"), None)
    other = c.plan(parse("query B { flowJobs(first: $n) { totalCount } }"), None)
    assert one is not None
    assert spaced is not None
    assert other is not None
    assert c.key(one, {"n": 1, "m": 2}, None) == c.key(spaced, {"m": 2, "n": 1}, None)
    assert c.key(one, {"n": 1}, None) != c.key(one, {"n": 2}, None)
    assert c.key(one, None, None) == c.key(one, {}, None)
    assert c.key(one, None, None) != c.key(other, None, None)


def test_the_callers_identity_is_in_the_key_only_when_credentials_are_forwarded() -> None:
    shared, per_caller = cache(), cache(per_caller=True)
    plan = shared.plan(parse("{ jobs { totalCount } }"), None)
    assert plan is not None
    alice, bob = (SimpleNamespace(authorization=f"Bearer {who}") for who in ("alice", "bob"))
    assert shared.key(plan, None, alice) == shared.key(plan, None, bob)
    assert per_caller.key(plan, None, alice) != per_caller.key(plan, None, bob)
    assert per_caller.key(plan, None, alice) == per_caller.key(
        plan, None, SimpleNamespace(authorization="Bearer alice")
    )
    assert "alice" not in per_caller.key(plan, None, alice)


async def test_the_local_store_is_bounded_in_bytes_least_recently_used_out() -> None:
    store = LocalStore(ttl=30, max_bytes=1600)  # entries of at most 100 bytes
    await store.store("big", (), (), b"x" * 101)
    assert len(store) == 0
    for name in "abcdefghijklmnop":  # 16 entries of 100 bytes fill it
        await store.store(name, (), (), b"y" * 100)
    assert (await store.lookup("a", ())).data is not None  # now the most recent
    await store.store("q", (), (), b"z" * 100)
    assert (await store.lookup("b", ())).data is None  # the least recent went
    assert (await store.lookup("a", ())).data is not None
    assert len(store) == 16


async def test_an_invalidation_drops_only_what_read_the_system() -> None:
    store = LocalStore(ttl=30, max_bytes=1 << 20)
    flows = await store.lookup("flows", ("jobstore",))
    awx = await store.lookup("awx", ("awx",))
    await store.store("flows", ("jobstore",), flows.generations, b"1")
    await store.store("awx", ("awx",), awx.generations, b"2")
    await store.invalidate(("jobstore",))
    assert (await store.lookup("flows", ("jobstore",))).data is None
    assert (await store.lookup("awx", ("awx",))).data == b"2"
    # an answer read before the mutation, stored after it: not kept
    await store.store("flows", ("jobstore",), flows.generations, b"stale")
    assert (await store.lookup("flows", ("jobstore",))).data is None


def test_the_settings() -> None:
    off = load_settings(complete_env())
    assert (off.cache_ttl, off.apq_ttl) == (0.0, 86_400)
    assert build_response_cache(off, None) is None
    assert load_settings(complete_env(GATEWAY_APQ_TTL="60")).apq_ttl == 60
    on = load_settings(complete_env(GATEWAY_CACHE_TTL="2.5", GATEWAY_CACHE_MAX_BYTES="4096"))
    built = build_response_cache(on, None)
    assert built is not None
    assert isinstance(built.store, LocalStore)
    assert (built.ttl, built.store.max_bytes, built.per_caller) == (2.5, 4096, False)
    forward = load_settings(
        complete_env(GATEWAY_CACHE_TTL="1", GATEWAY_AWX_AUTH_MODE="forward", GATEWAY_AWX_TOKEN="")
    )
    built = build_response_cache(forward, None)
    assert built is not None
    assert built.per_caller
    for bad in ("-1", "nan", "soon", "100000"):
        with pytest.raises(ConfigError, match="GATEWAY_CACHE_TTL"):
            load_settings(complete_env(GATEWAY_CACHE_TTL=bad))
