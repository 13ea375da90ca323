"""Every caller input is canonical or refused: the schema run in-process (issue 10)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import orjson
import pytest

from tests.schema.in_process import Upstreams, codes, execute

ARABIC_INDIC_123 = "\u0661\u0662\u0663"
"""What ``int()`` reads as 123."""

CREATE = """
mutation($input: CreateFlowJobInput!) {
  createFlowJob(input: $input) { created job { clientJobId } userErrors { field code message } }
}"""


def gid(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def user_errors(data: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in data["createFlowJob"]["userErrors"]]


# --- date-times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (
            '{ jobCounts(filter: {createdBefore: "9999-12-31T23:59:59-14:00"}) { complete } }',
            "createdBefore",
        ),
        (
            '{ jobs(filter: {createdAfter: "0001-01-01T00:00:00+14:00"}) { edges { cursor } } }',
            "createdAfter",
        ),
        (
            '{ operationsJobs(filter: {createdAfter: "0001-01-01T00:00:00+14:00"}) '
            "{ totalCount } }",
            "createdAfter",
        ),
        (
            '{ workflowJobs(filter: {createdBefore: "9999-12-31T23:59:59-01:00"}) { totalCount } }',
            "createdBefore",
        ),
    ],
    ids=["jobCounts", "jobs", "operationsJobs", "workflowJobs"],
)
async def test_a_filter_bound_outside_utc_is_bad_user_input(query: str, field: str) -> None:
    upstreams = Upstreams()
    result = await execute(query, upstreams=upstreams)
    [error] = result.errors or []
    assert error.extensions == {"code": "BAD_USER_INPUT", "argument": "filter"}
    assert f"filter.{field}" in error.message
    assert upstreams.requests == []


async def test_a_created_outside_utc_is_a_user_error_and_nothing_is_sent() -> None:
    upstreams = Upstreams()
    result = await execute(
        CREATE,
        {
            "input": {
                "jobTitle": "x",
                "created": "0001-01-01T00:00:00+14:00",
                "completedSteps": [{"started": "9999-12-31T23:59:59-14:00"}],
            }
        },
        upstreams,
    )
    assert result.errors is None
    assert sorted(user_errors(result.data)) == [
        ("completedSteps.0.started", "INVALID_VALUE"),
        ("created", "INVALID_VALUE"),
    ]
    assert upstreams.requests == []


async def test_an_upper_bound_past_the_last_millisecond_is_no_condition() -> None:
    """Its millisecond ceiling is past 9999: every stored time is before it, so nothing is sent."""
    upstreams = Upstreams()
    result = await execute(
        '{ operationsJobs(filter: {createdBefore: "9999-12-31T23:59:59.9995Z", '
        'createdAfter: "0001-01-01T00:00:00Z"}) { totalCount } }',
        upstreams=upstreams,
    )
    assert result.errors is None
    [sent] = upstreams.paths()
    assert "gt[created]=0001-01-01T00:00:00.000Z" in sent
    assert "lt[created]" not in sent


async def test_filter_bounds_are_sent_in_utc_and_naive_means_utc() -> None:
    upstreams = Upstreams()
    query = "query($a: DateTime) { operationsJobs(filter: {createdAfter: $a}) { totalCount } }"
    for spelling in ("2021-06-01T12:00:00", "2021-06-01T12:00:00Z", "2021-06-01T14:00:00+02:00"):
        result = await execute(query, {"a": spelling}, upstreams)
        assert result.errors is None
    sent = set(upstreams.paths())
    assert len(sent) == 1
    assert "gt[created]=2021-06-01T12:00:00.000Z" in sent.pop()


@pytest.mark.parametrize("text", ["9999-12-31T24:00:00Z", "2021-01-01T00:00:00" + "0" * 100])
async def test_a_date_time_the_parser_cannot_hold_is_a_coercion_error(text: str) -> None:
    by_variable = await execute(
        "query($a: DateTime) { jobs(filter: {createdAfter: $a}) { edges { cursor } } }", {"a": text}
    )
    literal = await execute(
        f'{{ jobs(filter: {{createdAfter: "{text}"}}) {{ edges {{ cursor }} }} }}'
    )
    assert codes(by_variable) == ["GRAPHQL_VALIDATION_FAILED"]
    assert codes(literal) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_an_int_literal_of_thousands_of_digits_is_a_validation_error() -> None:
    result = await execute("{ workflowJob(id: %s) { awxId } }" % ("9" * 5000))
    assert codes(result) == ["GRAPHQL_VALIDATION_FAILED"]


# --- JSON values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ("{timeEvents: {t: 100000000000000000000000}}", "completedSteps.0.timeEvents.t"),
        ("{values: [1, [1e400]]}", "completedSteps.0.values.1.0"),
        ("{coordinates: {lat: -1e400}}", "completedSteps.0.coordinates.lat"),
        ("{values: [18446744073709551615]}", "completedSteps.0.values.0"),
    ],
    ids=["int 10^23", "inf", "-inf", "uint64"],
)
async def test_json_literals_out_of_range_are_user_errors_at_their_path(
    step: str, field: str
) -> None:
    upstreams = Upstreams()
    result = await execute(
        f'mutation {{ createFlowJob(input: {{jobTitle: "x", completedSteps: [{step}]}}) '
        "{ userErrors { field code message } } }",
        upstreams=upstreams,
    )
    assert result.errors is None
    assert user_errors(result.data) == [(field, "INVALID_VALUE")]
    assert upstreams.requests == []


async def test_json_variables_out_of_range_are_user_errors_at_their_path() -> None:
    for value, field in (
        ({"2021-10-01T12:00:00Z": 2**63}, "currentStep.timeEvents.2021-10-01T12:00:00Z"),
        ([float("nan")], "currentStep.values.0"),
    ):
        key = "timeEvents" if isinstance(value, dict) else "values"
        result = await execute(CREATE, {"input": {"jobTitle": "x", "currentStep": {key: value}}})
        assert user_errors(result.data) == [(field, "INVALID_VALUE")]


async def test_json_at_the_int64_limits_is_sent_as_given() -> None:
    upstreams = Upstreams()
    events = {"a": 2**63 - 1, "b": -(2**63)}
    result = await execute(
        CREATE, {"input": {"jobTitle": "x", "currentStep": {"timeEvents": events}}}, upstreams
    )
    assert user_errors(result.data) == []
    [post] = [r for r in upstreams.requests if r.method == "POST"]
    assert (
        orjson.loads(post.content)["metadata"]["currentStep"]["singleStep"]["timeEvents"] == events
    )


async def test_operations_variables_and_awx_extra_vars_are_checked_too() -> None:
    ops = await execute(
        'mutation { startOperationsJob(input: {workflow: "w", options: {variables: {n: 1e400}}}) '
        "{ userErrors { field code } } }"
    )
    awx = await execute(
        "mutation { launchJobTemplate(jobTemplateId: 1, "
        "input: {extraVars: {n: [100000000000000000000000]}}) { userErrors { field code } } }"
    )
    assert ops.data == {
        "startOperationsJob": {
            "userErrors": [{"field": "options.variables.n", "code": "INVALID_VALUE"}]
        }
    }
    assert awx.data == {
        "launchJobTemplate": {"userErrors": [{"field": "extraVars.n.0", "code": "INVALID_VALUE"}]}
    }


# --- clientJobId --------------------------------------------------------------------------------


async def test_every_spelling_of_a_client_job_id_is_sent_as_lowercase_hyphenated() -> None:
    key = uuid.uuid4()
    for spelling in (str(key).upper(), f" {key}\n", key.hex.upper()):
        upstreams = Upstreams()
        result = await execute(
            CREATE, {"input": {"jobTitle": "x", "clientJobId": spelling}}, upstreams
        )
        assert result.data is not None
        assert result.data["createFlowJob"]["job"]["clientJobId"] == str(key)
        lookup, post = upstreams.requests
        assert lookup.url.path == f"/jobs/v1/{key}"
        assert orjson.loads(post.content)["metadata"]["clientJobId"] == str(key)


@pytest.mark.parametrize(
    "spelling",
    [
        "nope",
        "\u0661" * 32,
        f"{{{uuid.uuid4()}}}",
        f"urn:uuid:{uuid.uuid4()}",
        str(uuid.uuid4())[:-1],
    ],
    ids=["word", "arabic-indic digits", "braces", "urn", "short"],
)
async def test_a_client_job_id_that_is_not_a_uuid_is_a_user_error(spelling: str) -> None:
    upstreams = Upstreams()
    result = await execute(CREATE, {"input": {"jobTitle": "x", "clientJobId": spelling}}, upstreams)
    assert user_errors(result.data) == [("clientJobId", "INVALID_FORMAT")]
    assert upstreams.requests == []


# --- ids and cursors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "global_id",
    [
        gid(f"WorkflowJob:{ARABIC_INDIC_123}"),
        gid("WorkflowJob:²"),
        gid("WorkflowJob:0123"),
        gid("WorkflowJob:0"),
        gid("WorkflowJob:-1"),
        gid("WorkflowJob:" + "9" * 19),
        gid("WorkflowJob:" + "1" * 10_000),
        gid("FlowJob:a\x00b"),
        gid("FlowJob:a b"),
        gid("OperationsJob:\ud7ff\x85"),
        "V29y!a2Zsb3dKb2I6MTIz",
    ],
    ids=[
        "arabic-indic",
        "superscript",
        "leading zero",
        "zero",
        "negative",
        "beyond int64",
        "10k digits",
        "NUL",
        "space",
        "C1 control",
        "non-canonical base64",
    ],
)
async def test_a_non_canonical_node_id_is_bad_user_input_before_any_request(global_id: str) -> None:
    upstreams = Upstreams()
    result = await execute("query($id: ID!) { node(id: $id) { id } }", {"id": global_id}, upstreams)
    assert codes(result) == ["BAD_USER_INPUT"]
    assert (result.errors or [])[0].extensions == {"code": "BAD_USER_INPUT", "argument": "id"}
    assert upstreams.requests == []


async def test_a_canonical_node_id_is_looked_up_padded_or_not() -> None:
    upstreams = Upstreams()
    for global_id in (gid("WorkflowJob:123"), gid("WorkflowJob:123").rstrip("=")):
        result = await execute(
            "query($id: ID!) { node(id: $id) { id } }", {"id": global_id}, upstreams
        )
        assert result.errors is None
    assert all("123" in p for p in upstreams.paths())
    assert upstreams.requests


@pytest.mark.parametrize(
    "cursor",
    [
        gid("offset:²"),
        gid("offset:\u0661"),
        gid("offset:01"),
        gid("offset:" + "9" * 11),
        "b2Zmc2V0!OjE=",
    ],
    ids=["superscript", "arabic-indic", "leading zero", "beyond 32 bits", "non-canonical base64"],
)
async def test_a_non_canonical_offset_cursor_is_bad_user_input(cursor: str) -> None:
    upstreams = Upstreams()
    result = await execute(
        "query($after: String) { flowJobs(after: $after) { totalCount } }",
        {"after": cursor},
        upstreams,
    )
    assert [(e.extensions or {}).get("argument") for e in result.errors or []] == ["after"]
    assert codes(result) == ["BAD_USER_INPUT"]
    assert upstreams.requests == []


# --- strings bound for upstream paths and queries -----------------------------------------------


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ('{ flowJob(jobId: "a\\u0000b") { jobId } }', "jobId"),
        ('{ operationsJob(id: "a\\u001fb") { opsId } }', "id"),
        ('{ operationsJobs(filter: {nameContains: "x\\u0007"}) { totalCount } }', "filter"),
        (
            '{ workflowJobs(filter: {upstreamStatuses: ["failed\\u0000"]}) { totalCount } }',
            "filter",
        ),
        (
            '{ workflowJobs(filter: {upstreamStatuses: ["failed,successful"]}) { totalCount } }',
            "filter",
        ),
        ('{ jobs(filter: {search: "a\\u007fb"}) { edges { cursor } } }', "filter"),
        # found by bench.fuzz: AWX answers 400 to `status__in=,` (an empty value in a list)
        ('{ workflowJobs(filter: {upstreamStatuses: ["", ""]}) { totalCount } }', "filter"),
    ],
    ids=[
        "jobId NUL",
        "ops id US",
        "nameContains BEL",
        "status NUL",
        "status comma",
        "search DEL",
        "status empty",
    ],
)
async def test_control_characters_bound_for_an_upstream_are_bad_user_input(
    query: str, argument: str
) -> None:
    upstreams = Upstreams()
    result = await execute(query, upstreams=upstreams)
    [error] = result.errors or []
    assert error.extensions == {"code": "BAD_USER_INPUT", "argument": argument}
    assert upstreams.requests == []


async def test_ids_in_a_create_body_refuse_control_characters() -> None:
    result = await execute(CREATE, {"input": {"jobTitle": "x", "workflowId": "w\x00"}})
    assert user_errors(result.data) == [("workflowId", "INVALID_FORMAT")]
