"""Mutation input checks and lost-answer rules, without any server."""

from __future__ import annotations

import uuid

import pytest

from gateway.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamForbidden,
    UpstreamRejected,
    UpstreamRequest,
    UpstreamTimeout,
    UpstreamUnavailable,
    UpstreamUnreachable,
)
from gateway.lost_answers import answer_lost
from gateway.upstream_names import Upstream
from schema.awx.inputs import (
    SliceWorkflowJobInput,
    WebhookService,
    awx_field,
    slice_body,
)
from schema.core.user_errors import UserErrors, rejection_errors
from schema.jobstore.inputs import CreateFlowJobInput, StepInput, flow_job_request
from schema.opsmanager.inputs import StartOperationsJobInput, start_body

POST = UpstreamRequest(Upstream.JOBSTORE, "POST", "/jobs/v1")


@pytest.mark.parametrize(
    ("error", "lost"),
    [
        (UpstreamUnreachable("refused", request=POST), False),
        (UpstreamUnreachable("breaker open", request=POST), False),
        (UpstreamUnavailable("dropped", request=POST), True),
        (UpstreamUnavailable("HTTP 502", request=POST, status=502), True),
        (UpstreamTimeout("slow", request=POST), True),
        (UpstreamBadResponse("cut short", request=POST, status=200), True),
        (UpstreamForbidden("no", request=POST, status=403), False),
        (UpstreamRejected("bad", request=POST, status=400), False),
    ],
    ids=["refused", "breaker", "dropped", "5xx", "timeout", "malformed", "403", "400"],
)
def test_answer_lost_only_when_the_request_may_have_been_processed(
    error: UpstreamError, lost: bool
) -> None:
    assert answer_lost(error) is lost


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("webhook_guid", "webhookGuid"),
        ("extra_vars", "extraVars"),
        ("workflow_job_template", "workflowJobTemplate"),
        ("name", "name"),
        ("__all__", None),
        ("non_field_errors", None),
    ],
)
def test_awx_field_names_become_the_inputs_camel_case(name: str, field: str | None) -> None:
    assert awx_field(name) == field


def test_rejection_without_field_errors_is_one_error_of_the_whole_request() -> None:
    exc = UpstreamRejected("the jobstore upstream rejected the request", request=POST, status=400)
    [error] = rejection_errors(exc)
    assert (error.field, error.code) == (None, "UPSTREAM_REJECTED")


def test_flow_job_body_has_every_documented_key_with_nulls() -> None:
    errors = UserErrors()
    request = flow_job_request(
        CreateFlowJobInput(job_title="T", completed_steps=[StepInput(), StepInput()]), errors
    )
    assert not errors
    assert request is not None
    assert uuid.UUID(request.client_job_id).version == 4
    body = request.body
    assert set(body) == {
        "metadata", "completedSteps", "cancelledSteps", "team", "hierarchyStack",
        "packetIds", "jobExclusion", "excluded",
    }  # fmt: skip
    assert body["metadata"]["clientJobId"] == request.client_job_id
    assert body["metadata"]["metadata"] == {}
    assert body["metadata"]["created"].endswith("Z")
    assert body["metadata"]["currentStep"] is None
    first, second = (e["singleStep"] for e in body["completedSteps"])
    assert first["previousUniqueStepId"] == ""
    assert second["previousUniqueStepId"] == first["uniqueStepId"]
    assert [first["stepNumber"], second["stepNumber"]] == [1, 2]
    assert body["completedSteps"][0]["reportStep"] is None


def test_start_body_always_sends_both_keys_and_only_given_options() -> None:
    errors = UserErrors()
    body = start_body(StartOperationsJobInput(workflow="W"), errors)
    assert body == {"workflow": "W", "options": {}}


def test_slice_body_sends_extra_vars_as_json_text_and_the_webhook_choice() -> None:
    errors = UserErrors()
    body = slice_body(
        SliceWorkflowJobInput(name=" N ", extra_vars={"a": 1}, webhook_service=WebhookService.NONE),
        errors,
    )
    assert not errors
    assert body == {"name": "N", "extra_vars": '{"a":1}', "webhook_service": ""}
