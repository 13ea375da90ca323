"""Property: no generated argument ever makes the gateway answer INTERNAL_SERVER_ERROR.

The built schema runs in-process over canned upstreams (:mod:`tests.schema.in_process`)
with generated date-times, integers, ids, cursors, strings and JSON values in
the arguments of a handful of queries and mutations. Whatever the values,
every error must carry a known code, and nothing with a control character
may reach an upstream's path or query string.
"""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.input_checks import unsafe_character
from tests.schema.in_process import KNOWN_CODES, Upstreams, codes, execute

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

EXTREME_DATETIMES = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59.9999995Z",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T24:00:00Z",
    "0000-12-31T00:00:00Z",
    "2021-02-29T00:00:00Z",
    "2021-01-01T00:00:00+24:00",
    "2021-01-01",
]

offsets = st.builds(
    timezone,
    st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ).map(lambda d: timedelta(minutes=d // timedelta(minutes=1))),
)
datetime_texts = st.one_of(
    st.sampled_from(EXTREME_DATETIMES),
    st.builds(
        lambda moment, tz: moment.replace(tzinfo=tz).isoformat(),
        st.datetimes(min_value=datetime.min, max_value=datetime.max),
        st.none() | offsets,
    ),
    st.text(max_size=40),
)
ints = st.integers(min_value=-(2**70), max_value=2**70) | st.sampled_from(
    [0, -1, 2**31, 2**63 - 1, 2**63, 2**64 - 1, -(2**63) - 1]
)
texts = st.text(max_size=30) | st.sampled_from(["a\x00b", "x\u0085", "\u0661\u0662\u0663", "a,b"])
digits = st.text(alphabet="0123456789\u0661\u00b2\uff11-+ ", max_size=25)


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode()


ids = st.one_of(
    texts,
    st.builds(
        lambda kind, local: b64(f"{kind}:{local}"),
        st.sampled_from(
            ["WorkflowJob", "JobTemplate", "WorkflowJobNode", "FlowJob", "OperationsJob"]
        ),
        digits | texts,
    ),
)
cursors = st.one_of(
    texts,
    st.builds(lambda n: b64(f"offset:{n}"), digits),
    st.builds(
        lambda parts: b64("jobs1:" + ":".join(parts)),
        st.lists(digits | texts, min_size=4, max_size=5),
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | ints | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
page_sizes = st.none() | ints


def run(query: str, variables: dict[str, Any]) -> None:
    """Execute; assert every error has a known code and no upstream saw a control character."""
    upstreams = Upstreams()
    result = asyncio.run(execute(query, variables, upstreams))
    assert "INTERNAL_SERVER_ERROR" not in codes(result), (variables, result.errors)
    assert set(codes(result)) <= KNOWN_CODES, (variables, result.errors)
    for request in upstreams.requests:
        sent = unquote(str(request.url))
        assert unsafe_character(sent) is None, sent


FILTERED = """
query($a: DateTime, $b: DateTime, $s: String, $w: [String!], $n: Int, $c: String) {
  operationsJobs(filter: {createdAfter: $a, createdBefore: $b, nameContains: $s,
                          upstreamStatuses: $w}, first: $n, after: $c) { totalCount }
  workflowJobs(filter: {createdAfter: $a, createdBefore: $b, nameContains: $s,
                        upstreamStatuses: $w}, first: $n, after: $c) { totalCount }
}"""


@SETTINGS
@given(
    datetime_texts,
    datetime_texts,
    texts,
    st.none() | st.lists(texts, max_size=2),
    page_sizes,
    cursors,
)
def test_system_lists(a: str, b: str, s: str, w: list[str] | None, n: int | None, c: str) -> None:
    run(FILTERED, {"a": a, "b": b, "s": s, "w": w, "n": n, "c": c})


VIEW = """
query($a: DateTime, $b: DateTime, $s: String, $n: Int, $c: String) {
  jobs(filter: {createdAfter: $a, createdBefore: $b, search: $s}, first: $n, after: $c) {
    edges { cursor }
  }
  jobCounts(filter: {createdAfter: $a, createdBefore: $b, search: $s}) { complete }
}"""


@SETTINGS
@given(datetime_texts, datetime_texts, texts, page_sizes, cursors)
def test_cross_system_view(a: str, b: str, s: str, n: int | None, c: str) -> None:
    run(VIEW, {"a": a, "b": b, "s": s, "n": n, "c": c})


LOOKUPS = """
query($id: ID!, $ids: [ID!]!, $s: String!, $n: Int!, $c: String) {
  node(id: $id) { id }
  nodes(ids: $ids) { id }
  flowJob(jobId: $s) { jobId }
  operationsJob(id: $s) { opsId }
  workflowJob(id: $n) { awxId }
  flowJobs(after: $c) { totalCount }
}"""


@SETTINGS
@given(ids, st.lists(ids, max_size=3), texts, ints, cursors)
def test_lookups(id: str, ids: list[str], s: str, n: int, c: str) -> None:
    run(LOOKUPS, {"id": id, "ids": ids, "s": s, "n": n, "c": c})


CREATES = """
mutation($flow: CreateFlowJobInput!, $vars: JSON, $n: Int!) {
  createFlowJob(input: $flow) { created userErrors { field code } }
  startOperationsJob(input: {workflow: "w", options: {variables: $vars}}) {
    userErrors { field code }
  }
  launchJobTemplate(jobTemplateId: $n, input: {extraVars: $vars}) { userErrors { field code } }
}"""


@SETTINGS
@given(
    st.none() | texts | st.uuids().map(str).map(lambda u: st.just(u)).flatmap(lambda s: s),
    st.none() | datetime_texts,
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "timeEvents": json_values,
                "values": json_values,
                "coordinates": json_values,
                "started": datetime_texts,
                "completed": datetime_texts,
                "stepNumber": ints,
            },
        ),
        max_size=2,
    ),
    json_values,
    ints,
)
def test_creates(
    client_job_id: str | None,
    created: str | None,
    steps: list[dict[str, Any]],
    variables: Any,
    template: int,
) -> None:
    flow = {
        "jobTitle": "x",
        "clientJobId": client_job_id,
        "created": created,
        "completedSteps": steps,
    }
    run(CREATES, {"flow": flow, "vars": variables, "n": template})


ACTIONS = """
mutation($id: ID!, $t: String!, $vars: JSON) {
  cancelJob(id: $id) { outcome userErrors { field code } }
  pauseJob(id: $id) { outcome }
  resumeJob(id: $id) { outcome }
  relaunchJob(id: $id) { outcome newJob { awxId } }
  retryOperationsTask(id: $id, taskId: $t, variables: $vars) { outcome userErrors { code } }
}"""


@SETTINGS
@given(ids, texts, json_values)
def test_job_actions(id: str, task: str, variables: Any) -> None:
    run(ACTIONS, {"id": id, "t": task, "vars": variables})
