"""Persisted operations without a server: the store's bounds, resolution, the manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gateway.config import ConfigError, load_settings
from gateway.persisted_operations import (
    PersistedOperationError,
    PersistedOperations,
    PersistedQueryStore,
)
from gateway.trusted_documents import sha256_hex
from tests.gateway.test_config import COMPLETE

TRUSTED = "query Trusted { __typename }"
OTHER = "{ __typename }"


def apq(sha256: str, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256}}


def refusal(call: Any) -> PersistedOperationError:
    with pytest.raises(PersistedOperationError) as excinfo:
        call()
    return excinfo.value


def test_the_store_is_bounded_in_entries() -> None:
    store = PersistedQueryStore(max_entries=3)
    for n in range(5):
        store.put(f"h{n}", "x" * 10)
    assert len(store) == 3
    assert store.get("h0") is None
    assert store.get("h1") is None
    assert store.get("h4") == "x" * 10


def test_the_store_is_bounded_in_characters() -> None:
    store = PersistedQueryStore(max_entries=100, max_text_length=50, max_total_length=100)
    for n in range(4):
        store.put(f"h{n}", "y" * 30)
    assert store.total_length == 90
    assert store.get("h0") is None  # the oldest, forgotten for characters
    assert store.get("h3") is not None

    store.put("huge", "z" * 51)  # over max_text_length: never kept
    assert store.get("huge") is None
    assert store.total_length == 90


def test_the_store_forgets_the_least_recently_used() -> None:
    store = PersistedQueryStore(max_entries=2)
    store.put("a", "A")
    store.put("b", "B")
    assert store.get("a") == "A"  # a is now the most recent
    store.put("c", "C")
    assert store.get("b") is None
    assert store.get("a") == "A"


def test_apq_miss_register_then_hit() -> None:
    persisted = PersistedOperations(apq=True, trusted_documents={}, trusted_only=False)
    sha = sha256_hex(OTHER)

    miss = refusal(lambda: persisted.resolve(None, apq(sha), None))
    assert (miss.status_code, miss.code) == (200, "PERSISTED_QUERY_NOT_FOUND")

    assert persisted.resolve(OTHER, apq(sha), None) == OTHER
    assert persisted.resolve(None, apq(sha.upper()), None) == OTHER


@pytest.mark.parametrize(
    ("extensions", "document_id", "query"),
    [
        (apq(sha256_hex(OTHER), version=2), None, None),
        (apq(sha256_hex(OTHER), version=True), None, None),
        (apq("not-a-hash"), None, None),
        ({"persistedQuery": "abc"}, None, None),
        (apq(sha256_hex("{ other }")), None, OTHER),  # the text has another hash
        (None, "sha256:" + "0" * 63, None),
        (None, 42, None),
        (None, "sha256:" + sha256_hex(OTHER), OTHER),  # documentId with a query
    ],
)
def test_malformed_persisted_requests_are_bad_requests(
    extensions: dict[str, Any] | None, document_id: object, query: str | None
) -> None:
    persisted = PersistedOperations(apq=True, trusted_documents={}, trusted_only=False)
    error = refusal(lambda: persisted.resolve(query, extensions, document_id))
    assert (error.status_code, error.code) == (400, "BAD_REQUEST")
    assert len(persisted.store) == 0


def test_with_apq_off_a_hash_is_not_supported_and_nothing_is_stored() -> None:
    persisted = PersistedOperations(apq=False, trusted_documents={}, trusted_only=False)
    sha = sha256_hex(OTHER)
    assert persisted.resolve(OTHER, apq(sha), None) == OTHER
    error = refusal(lambda: persisted.resolve(None, apq(sha), None))
    assert (error.status_code, error.code) == (200, "PERSISTED_QUERY_NOT_SUPPORTED")


def test_trusted_only_accepts_the_manifest_by_hash_id_or_text_and_nothing_else() -> None:
    sha = sha256_hex(TRUSTED)
    persisted = PersistedOperations(apq=True, trusted_documents={sha: TRUSTED}, trusted_only=True)

    assert persisted.resolve(None, apq(sha), None) == TRUSTED
    assert persisted.resolve(None, None, f"sha256:{sha}") == TRUSTED
    assert persisted.resolve(TRUSTED, None, None) == TRUSTED
    assert persisted.resolve(TRUSTED, apq(sha), None) == TRUSTED

    for call in (
        lambda: persisted.resolve(OTHER, None, None),
        lambda: persisted.resolve(OTHER, apq(sha256_hex(OTHER)), None),  # a registration
    ):
        error = refusal(call)
        assert (error.status_code, error.code) == (403, "PERSISTED_QUERY_NOT_ALLOWED")
    assert len(persisted.store) == 0


def test_an_unknown_document_id_is_not_found_even_with_apq_off() -> None:
    persisted = PersistedOperations(apq=False, trusted_documents={}, trusted_only=False)
    error = refusal(lambda: persisted.resolve(None, None, "sha256:" + sha256_hex(OTHER)))
    assert error.code == "PERSISTED_QUERY_NOT_FOUND"


def write(tmp_path: Path, content: str) -> str:
    path = tmp_path / "manifest.json"
    path.write_text(content)
    return str(path)


def test_a_manifest_is_read_into_the_settings(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({sha256_hex(TRUSTED): TRUSTED}))
    settings = load_settings(
        {**COMPLETE, "GATEWAY_TRUSTED_DOCUMENTS": path, "GATEWAY_TRUSTED_DOCUMENTS_ONLY": "true"}
    )
    assert settings.trusted_documents == {sha256_hex(TRUSTED): TRUSTED}
    assert settings.trusted_documents_only is True


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '["query { a }"]',
        json.dumps({"abc": TRUSTED}),
        json.dumps({sha256_hex(TRUSTED): 42}),
        json.dumps({sha256_hex(OTHER): TRUSTED}),  # the hash of another text
        json.dumps({sha256_hex(TRUSTED).upper(): TRUSTED}),
    ],
)
def test_a_bad_manifest_is_a_config_error_naming_the_setting(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ConfigError) as excinfo:
        load_settings({**COMPLETE, "GATEWAY_TRUSTED_DOCUMENTS": path})
    assert str(excinfo.value).startswith("GATEWAY_TRUSTED_DOCUMENTS: ")
    assert TRUSTED not in str(excinfo.value)


def test_a_missing_manifest_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GATEWAY_TRUSTED_DOCUMENTS: cannot read"):
        load_settings({**COMPLETE, "GATEWAY_TRUSTED_DOCUMENTS": str(tmp_path / "absent.json")})


def test_trusted_only_without_a_manifest_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="GATEWAY_TRUSTED_DOCUMENTS_ONLY needs"):
        load_settings({**COMPLETE, "GATEWAY_TRUSTED_DOCUMENTS_ONLY": "true"})


def test_get_cache_seconds_is_bounded() -> None:
    assert load_settings({**COMPLETE, "GATEWAY_GET_CACHE_SECONDS": "60"}).get_cache_seconds == 60
    with pytest.raises(ConfigError, match="GATEWAY_GET_CACHE_SECONDS"):
        load_settings({**COMPLETE, "GATEWAY_GET_CACHE_SECONDS": "-1"})
