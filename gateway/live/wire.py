"""Poll outcomes on the wire: how one replica's poll reaches another replica's subscribers.

A shared poll (:mod:`gateway.live.redis_hub`) is made by one replica and
published to every other one, so its outcome must travel as JSON. A
:class:`PollWire` says how for one kind of poll: a ``name`` that is the same
in every process for the same poll (the hub's ``key`` is a Python value whose
``repr`` may differ between processes), and how to turn its value into JSON
and back. The values travel as the upstreams' own documents; each replica
rebuilds its objects from them (the facts of a job are a function of its
document).

A failed poll's error travels as what a client sees of it: its message and
GraphQL ``extensions`` (and, for an upstream error, the request it names), so
a follower's subscribers get the same error event as the leader's. An error
that is not a :class:`~gateway.errors.GatewayError` (a bug) travels as its
type's name only; each side reports it as an internal error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gateway.errors import GatewayError, UpstreamError, UpstreamRequest
from gateway.upstream_names import Upstream

T = TypeVar("T")

Json = Any
"""What :func:`json.dumps` accepts: dicts, lists, strings, numbers, booleans, None."""


@dataclass(frozen=True, slots=True)
class PollWire(Generic[T]):
    """How a poll's value travels between replicas (see the module docstring)."""

    name: str
    """The poll's name, equal in every process for equal keys (no secrets: it is a key name)."""
    encode: Callable[[T], Json]
    decode: Callable[[Json], T]


class RelayedError(GatewayError):
    """A gateway error another replica's poll met, as its subscribers were shown it."""

    def __init__(self, message: str, extensions: dict[str, Any]) -> None:
        super().__init__(message)
        self._extensions = extensions
        self.code = str(extensions.get("code", GatewayError.code))

    def extensions(self) -> dict[str, Any]:
        return dict(self._extensions)


class RelayedUpstreamError(UpstreamError):
    """An upstream error another replica's poll met (same message, request and extensions)."""

    def __init__(
        self,
        message: str,
        *,
        request: UpstreamRequest,
        status: int | None,
        extensions: dict[str, Any],
    ) -> None:
        super().__init__(message, request=request, status=status)
        self._extensions = extensions
        self.code = str(extensions.get("code", UpstreamError.code))

    def extensions(self) -> dict[str, Any]:
        return dict(self._extensions)


class RelayedFailure(Exception):
    """A poll on another replica failed with an unexpected error (reported as internal)."""


def encode_error(error: Exception) -> dict[str, Json]:
    """The JSON form of a failed poll's error (see the module docstring)."""
    if isinstance(error, UpstreamError):
        request = error.request
        return {
            "kind": "upstream",
            "message": error.message,
            "extensions": error.extensions(),
            "upstream": request.upstream.value,
            "method": request.method,
            "path": request.path,
            "status": error.status,
        }
    if isinstance(error, GatewayError):
        return {"kind": "gateway", "message": error.message, "extensions": error.extensions()}
    return {"kind": "internal", "type": type(error).__name__}


def decode_error(data: dict[str, Json]) -> Exception:
    """The error :func:`encode_error` encoded, rebuilt."""
    kind = data.get("kind")
    if kind == "upstream":
        request = UpstreamRequest(Upstream(data["upstream"]), data["method"], data["path"])
        return RelayedUpstreamError(
            data["message"], request=request, status=data["status"], extensions=data["extensions"]
        )
    if kind == "gateway":
        return RelayedError(data["message"], data["extensions"])
    return RelayedFailure(f"a poll on another replica failed ({data.get('type', 'unknown')})")
