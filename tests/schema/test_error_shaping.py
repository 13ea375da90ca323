"""Every error leaves the schema with extensions.code (schema.core.errors)."""

from __future__ import annotations

import logging

import pytest
from graphql import GraphQLError

import schema.core.limits as limits_module
from schema import build_schema
from schema.core.errors import shape_error, strip_suggestions


async def test_an_unknown_fragment_is_a_validation_error() -> None:
    result = await build_schema().execute("query { ...Nope }")
    [error] = result.errors or []
    assert error.message == "Unknown fragment 'Nope'."
    assert error.extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}


async def test_a_syntax_error_is_a_parse_failure() -> None:
    result = await build_schema().execute("{ flowJobs(")
    [error] = result.errors or []
    assert error.extensions == {"code": "GRAPHQL_PARSE_FAILED"}


@pytest.mark.parametrize(
    ("raised", "code"),
    [(RecursionError(), "QUERY_TOO_COMPLEX"), (KeyError("Nope"), "INTERNAL_SERVER_ERROR")],
)
async def test_an_exception_escaping_validation_is_still_coded(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    raised: Exception,
    code: str,
) -> None:
    def fail(*_args: object) -> list[GraphQLError]:
        raise raised

    monkeypatch.setattr(limits_module, "document_limit_errors", fail)
    with caplog.at_level(logging.INFO, logger="gateway.graphql"):
        result = await build_schema().execute("{ __typename }")
    [error] = result.errors or []
    assert error.extensions == {"code": code}
    assert "Nope" not in error.message
    assert caplog.records, "the refusal or bug is logged"


async def test_suggestions_are_left_out_when_introspection_is_off() -> None:
    query = "{ flowJob(jobId: 1) { nam } }"
    shown = await build_schema(introspection=True).execute(query)
    hidden = await build_schema(introspection=False).execute(query)
    assert any("Did you mean" in e.message for e in shown.errors or [])
    assert hidden.errors
    assert not any("Did you mean" in e.message for e in hidden.errors)
    assert "Cannot query field 'nam' on type 'FlowJob'." in [e.message for e in hidden.errors]


def test_strip_suggestions_keeps_the_rest_and_shaping_is_idempotent() -> None:
    message = "Cannot query field 'flowJob' on type 'Query'. Did you mean 'flowJobs' or 'jobs'?"
    assert strip_suggestions(message) == "Cannot query field 'flowJob' on type 'Query'."
    once = shape_error(GraphQLError("boom", original_error=RecursionError()))
    assert shape_error(once) is once
