"""The machine's Redis for the tests that need one (skipped, with the reason, where none answers).

``TEST_REDIS_URL`` names it (default ``redis://127.0.0.1:6379/0``). Each test
gets its own key prefix (:func:`redis_prefix`), and its keys are deleted
after it, so tests never see each other's state and never flush a Redis they
share with others.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_answers(url: str) -> str | None:
    """None when Redis at ``url`` answers PING, else why not."""
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        return f"no Redis answers at {url} ({type(error).__name__}); set TEST_REDIS_URL"
    finally:
        client.close()
    return None


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of a Redis that answers; the test is skipped, with why, when none does."""
    reason = _redis_answers(TEST_REDIS_URL)
    if reason is not None:
        pytest.skip(reason)
    return TEST_REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
