"""Who one GraphQL request's upstream calls are made for, and what they may still spend.

One :class:`Caller` per request (made with the context) travels with every
upstream call of that request:

- ``authorization``: the caller's own header, sent upstream in ``forward`` mode;
- ``deadline``: the ``time.monotonic()`` by which the request's upstream calls
  must be over (``GATEWAY_REQUEST_TIMEOUT``); each call waits at most until
  then, so a slow upstream costs its own fields, not the whole answer's time;
- ``max_calls``: how many upstream calls the request may start
  (``GATEWAY_MAX_UPSTREAM_CALLS``); a coalesced GET that joins one already in
  flight is free.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from gateway.errors import UpstreamBudgetExceeded, UpstreamDeadlinePassed, UpstreamRequest


@dataclass(slots=True)
class Caller:
    """One request's credential, deadline and upstream-call budget."""

    authorization: str | None = None
    deadline: float | None = None
    max_calls: int | None = None
    calls: int = 0

    @classmethod
    def for_request(
        cls,
        authorization: str | None,
        *,
        timeout: float | None = None,
        max_calls: int | None = None,
    ) -> Caller:
        """A caller whose deadline is ``timeout`` seconds from now.

        The monotonic clock, not the event loop's: on Python 3.11 asking for the
        running loop is a ``getpid`` system call, and a request asked for it at
        every upstream call (uvloop's own clock is no finer).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        return cls(authorization=authorization, deadline=deadline, max_calls=max_calls)

    def time_left(self, request: UpstreamRequest) -> float | None:
        """Seconds until the deadline (``None``: no deadline); raises once it has passed."""
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise UpstreamDeadlinePassed(
                f"the request's deadline passed before the {request.upstream.value} call "
                "could be made",
                request=request,
            )
        return left

    def spend(self, request: UpstreamRequest) -> None:
        """Count one upstream call; raises when the request's budget is spent."""
        if self.max_calls is not None and self.calls >= self.max_calls:
            raise UpstreamBudgetExceeded(
                f"this request may make at most {self.max_calls} upstream calls "
                "(GATEWAY_MAX_UPSTREAM_CALLS); ask for fewer objects at once",
                request=request,
            )
        self.calls += 1
