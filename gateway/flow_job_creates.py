"""An idempotent create in the jobs store, by the caller's ``clientJobId``.

The jobs store does not deduplicate (two POSTs make two jobs) but it can look
jobs up by the caller's ``clientJobId``. :func:`create_flow_job` builds
idempotency on that, in three layers:

1. **Look before creating.** Every create first asks ``GET
   /jobs/v1/{clientJobId}``; a job found there is answered as not created and
   nothing is POSTed. Retrying a create with the same ``clientJobId`` is
   therefore always safe.
2. **One create per key at a time.** The look-then-create runs under a
   claim on the ``clientJobId`` (:mod:`gateway.create_claims`): by default a
   lock of this gateway process, with ``GATEWAY_REDIS_URL`` a Redis lock with a
   lease shared by every process, checked once more right before the POST
   (:mod:`gateway.shared_state.create_claims`). Two identical calls arriving
   together make one job: the second waits, then finds the first one's job
   (in Redis, from the record the first one left: no upstream call at all).
   A claim that cannot be taken or kept refuses the create before anything
   is sent (``CREATE_UNAVAILABLE``, ``CREATE_IN_PROGRESS``).
3. **Settle a lost answer by looking again.** The POST itself is sent once.
   When its answer is lost after it was sent (timeout, dropped connection, 5xx,
   broken JSON: :func:`~gateway.lost_answers.answer_lost`), the job may exist,
   so the gateway looks the ``clientJobId`` up a few times with a short backoff
   (the store may still be committing), even while the read breaker is open,
   since the store answering at all settles it: found means created; not found means
   not created (:class:`JobNotCreated`: the caller may retry with the same
   ``clientJobId``); lookups that fail too leave the outcome unknown.

A create costs two jobs-store requests (lookup + POST), plus up to
``len(SETTLE_DELAYS)`` lookups when its answer is lost; a repeat costs one
lookup, or none when the Redis record answers it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from gateway.create_claims import CreateClaims
from gateway.errors import OutcomeUnknown, UpstreamError, UpstreamRequest, UpstreamUnavailable
from gateway.input_checks import canonical_uuid
from gateway.lost_answers import answer_lost
from gateway.upstreams.jobstore import JobstoreAPI

Doc = dict[str, Any]

SETTLE_DELAYS = (0.05, 0.1, 0.2, 0.4)
"""Seconds to wait before each lookup that settles a lost create (about 0.75 s in all)."""


class JobNotCreated(UpstreamUnavailable):
    """The create's answer was lost and the lookups show no job: safe to retry."""

    def __init__(self, message: str, *, request: UpstreamRequest, client_job_id: str) -> None:
        super().__init__(message, request=request)
        self.client_job_id = client_job_id

    def extensions(self) -> dict[str, Any]:
        ext = super().extensions()
        ext["clientJobId"] = self.client_job_id
        return ext


@dataclass(frozen=True, slots=True)
class CreatedJob:
    """The job a create answers with; ``created`` is false when it already existed."""

    doc: Doc
    created: bool


async def find_by_client_job_id(
    api: JobstoreAPI, client_job_id: str, *, settling: bool = False
) -> Doc | None:
    """The first job the store holds under this ``clientJobId``, or ``None``.

    ``client_job_id`` is canonical (lowercase, hyphenated: see
    :func:`~gateway.input_checks.canonical_uuid`). Documents that do not carry
    the same UUID in ``metadata.clientJobId`` are ignored, so an upstream that
    answered the wrong list could never pass for a match; the comparison is
    by UUID, not spelling, so a job stored before keys were canonical (say in
    uppercase) still matches when the store's lookup finds it.
    ``settling`` lookups go out even while the read breaker is open.
    """
    for doc in await api.jobs_by_client_job_id(client_job_id, settling=settling):
        meta = doc.get("metadata")
        stored = meta.get("clientJobId") if isinstance(meta, dict) else None
        if isinstance(stored, str) and canonical_uuid(stored) == client_job_id:
            return doc
    return None


async def settle_lost_create(api: JobstoreAPI, client_job_id: str, lost: UpstreamError) -> Doc:
    """The job a create whose answer was lost made; raises when there is none or no telling."""
    last_failure: UpstreamError | None = None
    for delay in SETTLE_DELAYS:
        await asyncio.sleep(delay)
        try:
            found = await find_by_client_job_id(api, client_job_id, settling=True)
        except UpstreamError as exc:
            last_failure = exc
            continue
        if found is not None:
            return found
        last_failure = None
    if last_failure is not None:
        raise OutcomeUnknown(
            "the job may or may not have been created: the jobs store's answer was lost and "
            "looking it up failed too. Retrying with the same clientJobId is safe: the gateway "
            "looks it up before creating.",
            request=lost.request,
            identity={"clientJobId": client_job_id},
        )
    raise JobNotCreated(
        f"the job was not created: the jobs store's answer was lost and no job with "
        f"clientJobId {client_job_id} appeared. It is safe to retry with the same clientJobId.",
        request=lost.request,
        client_job_id=client_job_id,
    )


def send_window(api: JobstoreAPI) -> float:
    """Seconds by which the POST and the settling of its answer are over, at most.

    Every call of the create waits until the request's deadline at most; a
    caller without a deadline has the POST and the settling lookups each
    bounded by the jobs store's timeout.
    """
    deadline = api.caller.deadline
    if deadline is not None:
        return max(0.0, deadline - time.monotonic())
    timeout = api.client.settings.timeout
    return timeout * (1 + len(SETTLE_DELAYS)) + sum(SETTLE_DELAYS)


async def create_flow_job(
    api: JobstoreAPI, claims: CreateClaims, client_job_id: str, body: Doc
) -> CreatedJob:
    """Create the job once per ``clientJobId`` (see the module docstring).

    Raises :class:`~gateway.errors.UpstreamRejected` when the store refuses
    the body, the errors of :func:`settle_lost_create` when the answer
    was lost, and :class:`~gateway.create_claims.CreateNotSent` when the
    claim could not be taken or kept (nothing sent).
    """
    async with claims.claim(client_job_id) as claim:
        if claim.recorded is not None:
            return CreatedJob(claim.recorded, created=False)
        existing = await find_by_client_job_id(api, client_job_id)
        if existing is not None:
            await claim.record(existing)
            return CreatedJob(existing, created=False)
        await claim.confirm(send_window(api))
        try:
            doc = await api.create_job(body)
        except UpstreamError as exc:
            if not answer_lost(exc):
                raise
            doc = await settle_lost_create(api, client_job_id, exc)
        await claim.record(doc)
    return CreatedJob(doc, created=True)
