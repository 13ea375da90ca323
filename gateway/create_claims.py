"""Who may create the job of one ``clientJobId`` now: the claim a create holds.

:func:`gateway.flow_job_creates.create_flow_job` holds a claim on the
``clientJobId`` across its lookup, its POST and the settling of a lost answer,
so that two identical creates never both POST. A claim is one small
interface (:class:`CreateClaims`, :class:`CreateClaim`) with two
implementations, chosen in the app's lifespan:

- :class:`LocalCreateClaims` (the default, no Redis): a per-key
  ``asyncio.Lock`` of this process (:class:`~gateway.keyed_locks.KeyedLocks`).
  Identical creates in one process wait for each other; several processes
  still race, and the upstream lookup is what narrows that window.
- :class:`~gateway.shared_state.create_claims.RedisCreateClaims`
  (``GATEWAY_REDIS_URL``): a Redis lock with a lease shared by every worker
  and replica, checked once more right before the POST, plus a record
  ``clientJobId -> job`` that answers repeats without an upstream call.

A create that cannot be claimed safely is refused before anything is sent
(:class:`CreateUnavailable`, :class:`CreateInProgress`): the caller retries
with the same ``clientJobId``, which is always safe.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from gateway.errors import GatewayError
from gateway.keyed_locks import KeyedLocks

Doc = dict[str, Any]


class CreateNotSent(GatewayError):
    """A create refused before anything was sent upstream: retry with the same ``clientJobId``."""

    def __init__(self, message: str, *, client_job_id: str) -> None:
        super().__init__(message)
        self.client_job_id = client_job_id

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "clientJobId": self.client_job_id, "retryable": True}


class CreateUnavailable(CreateNotSent):
    """The shared claim could not be taken or checked (Redis down or slow): nothing was sent."""

    code = "CREATE_UNAVAILABLE"


class CreateInProgress(CreateNotSent):
    """Another request holds (or took over) this ``clientJobId``'s claim: nothing was sent."""

    code = "CREATE_IN_PROGRESS"


class CreateClaim(Protocol):
    """What a create holds while it looks up, POSTs and settles one ``clientJobId``."""

    @property
    def recorded(self) -> Doc | None:
        """The job a finished create recorded for this key (answer it, call nothing)."""
        ...

    async def confirm(self, cover: float) -> None:
        """Check the claim is still this create's, right before the POST.

        It must then last ``cover`` seconds at least (the POST and its
        settling end by then). Raises :class:`CreateNotSent` when the claim
        is lost or cannot be checked: the create must not POST.
        """
        ...

    async def record(self, doc: Doc) -> None:
        """Remember the job made or found for this key, for the repeats to come."""
        ...


class CreateClaims(Protocol):
    """Claims on ``clientJobId`` s, one app-wide registry."""

    def claim(self, client_job_id: str) -> AbstractAsyncContextManager[CreateClaim]:
        """Hold the claim of ``client_job_id`` for the body of the ``async with``.

        Raises :class:`CreateNotSent` when it cannot be held, before anything
        is sent upstream.
        """
        ...


class _LocalClaim:
    """A claim of this process's per-key lock: nothing recorded, nothing to check."""

    recorded: Doc | None = None

    async def confirm(self, cover: float) -> None:
        """The lock is this process's own: it cannot be lost."""

    async def record(self, doc: Doc) -> None:
        """Nothing is kept: a repeat looks the ``clientJobId`` up upstream."""


class LocalCreateClaims:
    """Claims that are per-key locks of this process (:class:`KeyedLocks`), as before Redis."""

    def __init__(self, locks: KeyedLocks | None = None) -> None:
        self.locks = locks if locks is not None else KeyedLocks()

    @asynccontextmanager
    async def claim(self, client_job_id: str) -> AsyncIterator[CreateClaim]:
        """Wait for this process's lock of the key, without bound, and hold it."""
        async with self.locks.hold(f"jobstore:{client_job_id}"):
            yield _LocalClaim()
