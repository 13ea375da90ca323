"""CSRF prevention's rule and the CORS settings: which requests pass, which origins are read."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware

from gateway.app import create_app
from gateway.config import ConfigError, load_settings
from gateway.csrf import PREFLIGHT_HEADERS, preflighted
from tests.gateway.test_config import COMPLETE


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, False),
        ({"content-type": "text/plain"}, False),
        ({"content-type": "Text/Plain; charset=utf-8"}, False),
        ({"content-type": "application/x-www-form-urlencoded"}, False),
        ({"content-type": "multipart/form-data; boundary=----x"}, False),
        ({"authorization": "Basic dTpw"}, False),  # a browser adds cached credentials itself
        ({"x-graphql-csrf": ""}, False),
        ({"x-graphql-csrf": "  "}, False),
        ({"content-type": "text/plain", "x-graphql-csrf": "1"}, True),
        ({"content-type": "application/json"}, True),
        ({"content-type": "application/json; charset=utf-8"}, True),
        ({"content-type": "application/graphql-response+json"}, True),
        ({"content-type": ""}, True),  # not a media type: a browser would ask first
        ({"apollo-require-preflight": "true"}, True),
        ({"x-apollo-operation-name": "Jobs"}, True),
        ({"X-GraphQL-CSRF": "1"}, True),
    ],
)
def test_which_requests_count_as_preflighted(headers: dict[str, str], expected: bool) -> None:
    assert preflighted(Headers(headers)) is expected


def test_the_preflight_headers_are_the_documented_ones() -> None:
    assert PREFLIGHT_HEADERS == (
        "x-graphql-csrf",
        "apollo-require-preflight",
        "x-apollo-operation-name",
    )


def test_defaults_prevent_csrf_and_send_no_cors() -> None:
    settings = load_settings(COMPLETE)
    assert settings.csrf_prevention is True
    assert settings.cors_origins == ()
    assert settings.cors_allow_credentials is False
    assert settings.cors_max_age == 600


def test_cors_origins_are_read_as_browsers_send_them() -> None:
    settings = load_settings(
        {
            **COMPLETE,
            "GATEWAY_CORS_ORIGINS": " https://App.Example.com:443 , http://localhost:5173,"
            "http://localhost:5173",
            "GATEWAY_CORS_ALLOW_CREDENTIALS": "true",
            "GATEWAY_CORS_MAX_AGE": "7200",
            "GATEWAY_CSRF_PREVENTION": "false",
        }
    )
    assert settings.cors_origins == ("https://app.example.com", "http://localhost:5173")
    assert settings.cors_allow_credentials is True
    assert settings.cors_max_age == 7200
    assert settings.csrf_prevention is False
    assert load_settings({**COMPLETE, "GATEWAY_CORS_ORIGINS": "*"}).cors_origins == ("*",)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"GATEWAY_CORS_ORIGINS": "https://app.example.com/"}, "GATEWAY_CORS_ORIGINS"),
        ({"GATEWAY_CORS_ORIGINS": "https://app.example.com/path"}, "GATEWAY_CORS_ORIGINS"),
        ({"GATEWAY_CORS_ORIGINS": "app.example.com"}, "GATEWAY_CORS_ORIGINS"),
        ({"GATEWAY_CORS_ORIGINS": "ftp://app.example.com"}, "GATEWAY_CORS_ORIGINS"),
        ({"GATEWAY_CORS_ORIGINS": "https://app.example.com:x"}, "GATEWAY_CORS_ORIGINS"),
        ({"GATEWAY_CORS_ORIGINS": "*, https://app.example.com"}, "GATEWAY_CORS_ORIGINS"),
        (
            {"GATEWAY_CORS_ORIGINS": "*", "GATEWAY_CORS_ALLOW_CREDENTIALS": "true"},
            "GATEWAY_CORS_ALLOW_CREDENTIALS",
        ),
        ({"GATEWAY_CORS_MAX_AGE": "-1"}, "GATEWAY_CORS_MAX_AGE"),
        ({"GATEWAY_CSRF_PREVENTION": "maybe"}, "GATEWAY_CSRF_PREVENTION"),
    ],
)
def test_bad_cross_site_settings_name_the_setting(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_settings({**COMPLETE, **env})
    assert names in str(excinfo.value)


def test_cors_off_adds_no_middleware_and_on_puts_it_outermost() -> None:
    off = create_app(load_settings(COMPLETE))
    on = create_app(load_settings({**COMPLETE, "GATEWAY_CORS_ORIGINS": "https://a.example"}))
    assert CORSMiddleware not in [m.cls for m in off.user_middleware]
    assert [m.cls for m in on.user_middleware][1:] == [m.cls for m in off.user_middleware]
    assert on.user_middleware[0].cls is CORSMiddleware
