"""The query-limit settings: defaults, values read, bad values named."""

from __future__ import annotations

import pytest

from gateway.config import ConfigError, load_settings
from tests.conftest import complete_env

LIMITS = {
    "GATEWAY_MAX_ALIASES": ("max_aliases", 50),
    "GATEWAY_MAX_ROOT_FIELDS": ("max_root_fields", 20),
    "GATEWAY_MAX_DIRECTIVES": ("max_directives", 50),
    "GATEWAY_MAX_QUERY_TOKENS": ("max_query_tokens", 10_000),
    "GATEWAY_MAX_QUERY_LENGTH": ("max_query_length", 100_000),
}


@pytest.mark.parametrize(("setting", "field_and_default"), LIMITS.items())
def test_each_limit_has_a_default_and_is_read(
    setting: str, field_and_default: tuple[str, int]
) -> None:
    field, default = field_and_default
    assert getattr(load_settings(complete_env()), field) == default
    assert getattr(load_settings(complete_env(**{setting: "1234"})), field) == 1234
    with pytest.raises(ConfigError, match=setting):
        load_settings(complete_env(**{setting: "-1"}))
