"""``createFlowJob``: an idempotent create in the jobs store.

The jobs store does not deduplicate (two POSTs make two jobs) but it can look
jobs up by the caller's ``clientJobId``. The gateway builds idempotency on
that, in three layers:

1. **Look before creating.** Every create first asks ``GET
   /jobs/v1/{clientJobId}``; a job found there is answered with
   ``created: false`` and nothing is POSTed. Retrying a create with the same
   ``clientJobId`` is therefore always safe.
2. **One create per key at a time.** The look-then-create runs under a
   per-``clientJobId`` lock of this gateway process
   (:class:`~gateway.keyed_locks.KeyedLocks`), so two identical calls arriving
   together make one job: the second waits, then finds the first one's job.
3. **Settle a lost answer by looking again.** The POST itself is sent once.
   When its answer is lost after it was sent (timeout, dropped connection, 5xx,
   broken JSON: :func:`~schema.lost_answers.answer_lost`), the job may exist,
   so the gateway looks the ``clientJobId`` up a few times with a short backoff
   (the store may still be committing): found means created; not found means
   not created, and the caller is told it may retry with the same
   ``clientJobId``; lookups that fail too leave the outcome unknown.

A create costs two jobs-store requests (lookup + POST), plus up to
``len(SETTLE_DELAYS)`` lookups when its answer is lost.
"""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry

from gateway.context import Info
from gateway.errors import (
    OutcomeUnknown,
    UpstreamError,
    UpstreamRejected,
    UpstreamRequest,
    UpstreamUnavailable,
)
from gateway.upstreams.jobstore import JobstoreAPI
from schema.flow_job_inputs import CreateFlowJobInput, FlowJobRequest, flow_job_request
from schema.flow_jobs import FlowJob
from schema.lost_answers import answer_lost
from schema.user_errors import UserError, UserErrors, rejection_errors

SETTLE_DELAYS = (0.05, 0.1, 0.2, 0.4)
"""Seconds to wait before each lookup that settles a lost create (about 0.75 s in all)."""


@strawberry.type(description="The answer of `createFlowJob`.")
class CreateFlowJobPayload:
    job: FlowJob | None = strawberry.field(description="The job; null when there are userErrors.")
    created: bool = strawberry.field(
        description="False when a job with this `clientJobId` already existed and was returned "
        "instead of creating another."
    )
    user_errors: list[UserError]


class JobNotCreated(UpstreamUnavailable):
    """The create's answer was lost and the lookups show no job: safe to retry."""

    def __init__(self, message: str, *, request: UpstreamRequest, client_job_id: str) -> None:
        super().__init__(message, request=request)
        self.client_job_id = client_job_id

    def extensions(self) -> dict[str, Any]:
        ext = super().extensions()
        ext["clientJobId"] = self.client_job_id
        return ext


async def find_by_client_job_id(api: JobstoreAPI, client_job_id: str) -> dict[str, Any] | None:
    """The first job the store holds under this ``clientJobId``, or ``None``.

    Documents that do not carry the id in ``metadata.clientJobId`` are ignored,
    so an upstream that answered the wrong list could never pass for a match.
    """
    for doc in await api.jobs_by_client_job_id(client_job_id):
        meta = doc.get("metadata")
        if isinstance(meta, dict) and meta.get("clientJobId") == client_job_id:
            return doc
    return None


async def settle_lost_create(
    api: JobstoreAPI, request: FlowJobRequest, lost: UpstreamError
) -> dict[str, Any]:
    """The job a create whose answer was lost made; raises when there is none or no telling."""
    last_failure: UpstreamError | None = None
    for delay in SETTLE_DELAYS:
        await asyncio.sleep(delay)
        try:
            found = await find_by_client_job_id(api, request.client_job_id)
        except UpstreamError as exc:
            last_failure = exc
            continue
        if found is not None:
            return found
        last_failure = None
    cid = request.client_job_id
    if last_failure is not None:
        raise OutcomeUnknown(
            "the job may or may not have been created: the jobs store's answer was lost and "
            "looking it up failed too. Retrying with the same clientJobId is safe: the gateway "
            "looks it up before creating.",
            request=lost.request,
            identity={"clientJobId": cid},
        )
    raise JobNotCreated(
        f"the job was not created: the jobs store's answer was lost and no job with "
        f"clientJobId {cid} appeared. It is safe to retry with the same clientJobId.",
        request=lost.request,
        client_job_id=cid,
    )


@strawberry.type
class FlowJobMutations:
    @strawberry.mutation(
        description="Create a jobs-store job (`POST /jobs/v1`), idempotently by `clientJobId`."
    )
    async def create_flow_job(self, info: Info, input: CreateFlowJobInput) -> CreateFlowJobPayload:
        errors = UserErrors()
        request = flow_job_request(input, errors)
        if request is None:
            return CreateFlowJobPayload(job=None, created=False, user_errors=errors.items)
        context = info.context
        api = context.jobstore
        async with context.create_locks.hold(f"jobstore:{request.client_job_id}"):
            existing = await find_by_client_job_id(api, request.client_job_id)
            if existing is not None:
                return _payload(info, existing, created=False)
            try:
                doc = await api.create_job(request.body)
            except UpstreamRejected as exc:
                return CreateFlowJobPayload(
                    job=None, created=False, user_errors=rejection_errors(exc)
                )
            except UpstreamError as exc:
                if not answer_lost(exc):
                    raise
                doc = await settle_lost_create(api, request, exc)
        return _payload(info, doc, created=True)


def _payload(info: Info, doc: dict[str, Any], *, created: bool) -> CreateFlowJobPayload:
    job = FlowJob.from_doc(doc)
    if job.job_id:
        info.context.loaders.flow_job_by_id.prime(job.job_id, doc)
    return CreateFlowJobPayload(job=job, created=created, user_errors=[])
