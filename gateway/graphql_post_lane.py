"""The common request by the shortest way: ``POST /graphql`` of a query already checked.

Nearly every request a gateway serves is a JSON ``POST`` of a query text it
has seen before. This ASGI layer sits in front of the Starlette app and
answers those itself: it reads the body (under ``GATEWAY_MAX_BODY_BYTES``),
decodes it with orjson, makes the request's context and hands the operation to
the schema's fast path (:mod:`schema.core.fast_path`), then writes the answer
as two ASGI messages. Starlette's middleware and routing, the request and
response objects and strawberry's HTTP view were about a third of the CPU time
of a small query.

Everything else goes on to the app unchanged, with the body it already read
replayed: GET, WebSocket, other paths and content types, requests that accept
``text/event-stream`` (GraphQL over SSE), bodies that are not
one JSON object with a ``query`` text (or the hash of a known one, see
:mod:`gateway.persisted_operations`), the ``X-Cost-Dry-Run`` header, and any
operation the fast path declines (a text not yet checked, a cost over the
limit, ...). The answer is the one the view gives (same JSON, status 200,
``application/json``), which ``tests/e2e/test_post_lane.py`` checks.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.context import Context
from gateway.persisted_operations import PersistedOperationError, PersistedOperations
from gateway.response_media import negotiated
from schema.core.document_cache import already_counted

if TYPE_CHECKING:
    from gateway.graphql_view import GatewayGraphQL

logger = logging.getLogger("gateway.http")

_JSON = b"application/json"
_DRY_RUN = b"x-cost-dry-run"
_EVENT_STREAM = b"text/event-stream"
_OPTIONAL_OBJECTS = ("variables", "extensions")
_INTERNAL_ERROR = orjson.dumps(
    {
        "errors": [
            {"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
)


class _Declined(Exception):
    """The request is not one the lane answers; the app will."""


def _header_values(scope: Scope) -> dict[bytes, bytes]:
    """Each header's first value, as Starlette's ``Headers.get`` reads it."""
    values: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        values.setdefault(name, value)
    return values


def _is_json(content_type: bytes | None) -> bool:
    if content_type is None:
        return False
    media_type = content_type.split(b";", 1)[0].strip().lower()
    return media_type == _JSON


def _operation(
    body: bytes, persisted: PersistedOperations
) -> tuple[str, dict[str, Any] | None, str | None, dict[str, Any] | None]:
    """``(query, variables, operationName, extensions)`` of a plain request body.

    The query text is the one :mod:`gateway.persisted_operations` resolves: a
    hash-only request of a known query takes the lane too. Any refusal or miss
    declines, so that the view answers it.
    """
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise _Declined from None
    if not isinstance(data, dict):
        raise _Declined
    query = data.get("query")
    name = data.get("operationName")
    if (query is not None and not isinstance(query, str)) or (
        name is not None and not isinstance(name, str)
    ):
        raise _Declined
    variables, extensions = (data.get(key) for key in _OPTIONAL_OBJECTS)
    if (variables is not None and not isinstance(variables, dict)) or (
        extensions is not None and not isinstance(extensions, dict)
    ):
        raise _Declined
    try:
        resolved = persisted.resolve(query, extensions, data.get("documentId"))
    except PersistedOperationError:
        raise _Declined from None
    if resolved is None:
        raise _Declined
    return resolved, variables, name, extensions


class GraphQLPostLane:
    """ASGI: answers checked ``POST /graphql`` queries itself; the rest goes to ``app``."""

    def __init__(self, app: ASGIApp, view: GatewayGraphQL, *, path: str = "/graphql") -> None:
        self.app = app
        self.view = view
        self.path = path
        self.max_bytes = view.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        headers = _header_values(scope)
        if not _is_json(headers.get(b"content-type")) or _DRY_RUN in headers:
            await self.app(scope, receive, send)
            return
        if _EVENT_STREAM in headers.get(b"accept", b"").lower():
            await self.app(scope, receive, send)  # GraphQL over SSE: the view streams it
            return
        declared = headers.get(b"content-length")
        if declared is None or not declared.isdigit() or int(declared) > self.max_bytes:
            await self.app(scope, receive, send)  # the app refuses or reads a chunked body
            return
        body, more = await self._read(receive)
        replay = _replaying(body, more, receive)
        if more:
            await self.app(scope, replay, send)
            return
        status, media_type = 200, _JSON
        answer: bytes | None = None
        looked_up: str | None = None
        try:
            answered, looked_up = await self._answer(scope, headers, body, replay)
            if answered is not None:
                accept = headers.get(b"accept", b"").decode("latin-1")
                status, media, document = negotiated(answered, accept)
                media_type, answer = media.encode(), orjson.dumps(document)
        except _Declined:
            answer = None
        except Exception:
            # A bug: the operation may have run, so it must not run again in the app.
            logger.exception("POST /graphql failed in the fast lane")
            status, answer = 500, _INTERNAL_ERROR
        if answer is None:
            if looked_up is None:
                await self.app(scope, replay, send)
            else:
                # the document cache counted this request's lookup here: not again in the view
                with already_counted(looked_up):
                    await self.app(scope, replay, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", media_type),
                    (b"content-length", str(len(answer)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    async def _read(self, receive: Receive) -> tuple[bytes, bool]:
        """The body, up to the declared length; ``more``: it did not end there."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), False
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), False
            if size > self.max_bytes:
                return b"".join(chunks), True

    async def _answer(
        self, scope: Scope, headers: dict[bytes, bytes], body: bytes, receive: Receive
    ) -> tuple[dict[str, Any] | None, str | None]:
        """The answer (``None``: the app answers) and the text the fast path looked up."""
        fast_path = self.view.schema.fast_path  # type: ignore[attr-defined]
        if fast_path is None:
            return None, None
        query, variables, operation_name, extensions = _operation(body, self.view.persisted)
        self.view.note_operation(query, operation_name)
        state = scope["state"]
        authorization = headers.get(b"authorization")
        context = Context.create(
            settings=self.view.settings,
            clients=state["clients"],
            authorization=authorization.decode("latin-1") if authorization is not None else None,
            request=Request(scope, receive),
            response=None,
            create_claims=state["create_claims"],
        )
        context.encodes_datetimes = True  # the answer goes to orjson.dumps below
        result = await fast_path.execute(
            query, variables, context, None, operation_name, None, extensions
        )
        if result is None:
            return None, query
        return self.view.answer_of(result), query


def _replaying(body: bytes, more: bool, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` again first, then the rest from ``receive``."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay
