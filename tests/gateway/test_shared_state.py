"""The shared-state settings and connection (gateway.shared_state), against the machine's Redis."""

from __future__ import annotations

import logging

import pytest

from gateway.config import ConfigError, load_settings
from gateway.observability.metrics import GatewayMetrics
from gateway.shared_state import open_shared_state
from tests.conftest import complete_env


def test_no_url_means_no_shared_state() -> None:
    settings = load_settings(complete_env())
    assert settings.redis is None
    assert open_shared_state(settings.redis) is None


def test_the_redis_settings_are_read() -> None:
    settings = load_settings(
        complete_env(
            GATEWAY_REDIS_URL="redis://cache.internal:6380/2",
            GATEWAY_REDIS_USERNAME="gateway",
            GATEWAY_REDIS_PASSWORD="s3cret-redis",
            GATEWAY_REDIS_TIMEOUT="0.5",
            GATEWAY_REDIS_KEY_PREFIX="prod-gw:",
        )
    )
    assert settings.redis is not None
    assert settings.redis.url == "redis://cache.internal:6380/2"
    assert (settings.redis.username, settings.redis.password) == ("gateway", "s3cret-redis")
    assert (settings.redis.timeout, settings.redis.key_prefix) == (0.5, "prod-gw:")
    assert "s3cret-redis" not in repr(settings)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://cache:6379", "redis://, rediss:// or unix://"),
        ("redis://", "must name a host"),
        ("redis://user:hunter2@cache:6379", "must not carry credentials"),
        ("redis://cache:notaport", "invalid port"),
    ],
)
def test_bad_redis_urls_stop_start_up_without_showing_secrets(url: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(complete_env(GATEWAY_REDIS_URL=url))
    assert message in str(raised.value)
    assert "hunter2" not in str(raised.value)


async def test_keys_live_under_the_prefix_and_commands_reach_redis(
    redis_url: str, redis_prefix: str
) -> None:
    settings = load_settings(
        complete_env(GATEWAY_REDIS_URL=redis_url, GATEWAY_REDIS_KEY_PREFIX=redis_prefix)
    )
    shared = open_shared_state(settings.redis)
    assert shared is not None
    try:
        key = shared.key("probe", "one")
        assert key == f"{redis_prefix}probe:one"
        await shared.redis.set(key, b"seen", px=10_000)
        assert await shared.redis.get(key) == b"seen"
        assert await shared.ping() is True
        assert shared.down is False
    finally:
        await shared.aclose()


async def test_an_outage_is_logged_once_counted_and_ends(caplog: pytest.LogCaptureFixture) -> None:
    # port 9 (discard) on loopback: nothing listens, every connect is refused at once
    settings = load_settings(
        complete_env(GATEWAY_REDIS_URL="redis://127.0.0.1:9/0", GATEWAY_REDIS_PASSWORD="pw-x1")
    )
    metrics = GatewayMetrics()
    shared = open_shared_state(settings.redis, observer=metrics)
    assert shared is not None
    assert metrics.registry.get_sample_value("gateway_redis_available") == 1
    caplog.set_level(logging.DEBUG, logger="gateway.redis")
    try:
        assert await shared.ping() is False
        assert await shared.ping() is False
    finally:
        await shared.aclose()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "pw-x1" not in caplog.text
    assert shared.down is True
    assert metrics.registry.get_sample_value("gateway_redis_available") == 0
    failures = metrics.registry.get_sample_value(
        "gateway_redis_failures_total", {"feature": "ping"}
    )
    assert failures == 2
    shared.succeeded()
    assert shared.down is False
    assert metrics.registry.get_sample_value("gateway_redis_available") == 1
    assert "redis available again" in caplog.text
