"""The test-controlled TCP proxy in front of Redis (tests/redis_proxy.py) breaks and mends."""

from __future__ import annotations

import pytest
import redis

from tests.redis_proxy import RedisProxy


def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=0.3, socket_connect_timeout=0.3)


def test_the_proxy_forwards_stops_starts_and_stalls(redis_url: str, redis_prefix: str) -> None:
    key = f"{redis_prefix}proxied"
    with RedisProxy.to(redis_url) as proxy:
        client = _client(proxy.url)
        try:
            client.set(key, b"through")
            assert client.get(key) == b"through"
            assert proxy.accepted == 1

            proxy.stop()  # the open connection is cut, new ones are refused
            with pytest.raises((redis.ConnectionError, redis.TimeoutError)):
                client.get(key)
            with pytest.raises(redis.ConnectionError):
                _client(proxy.url).ping()

            proxy.start()  # same port again
            assert client.get(key) == b"through"

            proxy.stall()  # accepted, nothing forwarded: a slow Redis
            with pytest.raises(redis.TimeoutError):
                _client(proxy.url).ping()
            proxy.resume()
            assert _client(proxy.url).ping() is True
        finally:
            client.close()
