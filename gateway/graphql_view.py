"""``/graphql`` over HTTP and WebSocket: strawberry's ASGI view, made strict.

- Requests refused before GraphQL runs (wrong method, wrong content type, a
  body that is not one JSON object, batches) get a GraphQL-shaped body
  ``{"errors": [{"message", "extensions": {"code"}}]}`` with a 4xx status
  (:data:`REFUSAL_CODES`), as ``application/graphql-response+json`` when the
  client accepts it, else ``application/json`` (GraphQL over HTTP); never a
  500 or a traceback.
- The WebSocket speaks graphql-transport-ws only, and sends every message as a
  text frame (:class:`LimitedWebSocketAdapter`); at most
  ``GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION`` operations are in flight on one.
- A GET or POST that accepts ``text/event-stream`` is GraphQL over SSE
  (graphql-sse, distinct connections mode, strawberry's transport): the answer
  is ``text/event-stream``, one ``event: next`` per result and a final
  ``event: complete``; errors found before execution are a ``next`` event too,
  as the protocol asks. A subscription without it is a coded 400.
- A WebSocket message longer than ``GATEWAY_MAX_BODY_BYTES`` closes the
  connection with 1009 (message too big): the HTTP body limit, applied to the
  WebSocket. ``serve`` has uvicorn refuse it from the frame header, before the
  payload is read (``ws_max_size``); :class:`LimitedWebSocketAdapter` checks
  again, in characters, under a server that does not. Smaller messages reach the schema, whose
  limits (:mod:`schema.core.limits`) answer with coded errors on every transport.
- Persisted operations (:mod:`gateway.persisted_operations`) resolve each GET
  and POST's document; a miss is a GraphQL answer (status 200, as Apollo's
  clients expect; over SSE a ``next`` event and ``complete``), a refusal a
  coded 4xx. With ``GATEWAY_TRUSTED_DOCUMENTS_ONLY`` the WebSocket is refused
  (its operations carry no hash and are not checked).
- CSRF prevention (:mod:`gateway.csrf`, ``GATEWAY_CSRF_PREVENTION``): a GET
  or POST that a page could send cross-site without a preflight is refused
  with 400 and ``CSRF_PREVENTED`` before anything else (the GraphiQL page
  excepted). A WebSocket handshake from a page on another origin is refused
  (HTTP 403) unless that origin is one of ``GATEWAY_CORS_ORIGINS``
  (strawberry's ``allowed_origins``, see :mod:`gateway.cors`).
- ``GET /graphql`` from a browser is the gateway's own GraphiQL page
  (:mod:`gateway.graphiql`: no CDN); with ``GATEWAY_GRAPHIQL=false``, a 404.
- Answers to GET queries carry ``Cache-Control: private, max-age=N``
  (``GATEWAY_GET_CACHE_SECONDS``; 0 for an answer with errors) and
  ``Vary: Authorization``: they depend on the caller's credential.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, Mapping
from contextvars import ContextVar
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from gateway.config import Settings
from gateway.context import Context
from gateway.csrf import CSRF_CODE, CSRF_MESSAGE, preflighted
from gateway.graphiql import GraphiQLPage
from gateway.persisted_operations import (
    PersistedOperationError,
    PersistedOperations,
    PersistedQueryStore,
)
from gateway.response_media import GRAPHQL_RESPONSE_JSON, LEGACY_JSON, negotiated
from schema import build_schema
from schema.core.limits import QueryLimits

logger = logging.getLogger("gateway.http")

_accept: ContextVar[str] = ContextVar("accept", default="")
"""The ``Accept`` header of the HTTP request being answered (for :meth:`create_response`)."""
REFUSAL_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}
_SIMPLE_METHODS = frozenset({"GET", "POST"})
"""The methods that run operations and a page can send cross-site without a preflight."""
WS_MESSAGE_TOO_BIG = 1009
WS_FORBIDDEN = 4403
OPERATION_LIMIT = "Subscription limit reached"
"""strawberry's message past ``max_subscriptions_per_connection`` operations in flight."""
TOO_MANY_OPERATIONS = "TOO_MANY_OPERATIONS"
SUBSCRIPTION_NEEDS_STREAM = (
    "subscriptions need a stream: send the request with `Accept: text/event-stream` "
    "(GraphQL over SSE), or use graphql-transport-ws on the WebSocket"
)


def refusal(status: int, message: str, *, accept: str = "", code: str | None = None) -> Response:
    """A GraphQL-shaped error answer to a request that never reached GraphQL."""
    code = code or REFUSAL_CODES.get(status, "BAD_REQUEST")
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    media_type = GRAPHQL_RESPONSE_JSON if GRAPHQL_RESPONSE_JSON in accept else "application/json"
    headers = {"allow": "GET, POST"} if status == 405 else None
    return Response(body, status_code=status, media_type=media_type, headers=headers)


def _object_or_none(data: dict[str, Any], key: str) -> Any:
    value = data.get(key)
    if value is not None and not isinstance(value, dict):
        raise HTTPException(400, f"`{key}` must be a JSON object or null")
    return value


def _text_or_none(data: dict[str, Any], key: str) -> Any:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise HTTPException(400, f"`{key}` must be a string or null")
    return value


def coded(message: Mapping[str, object]) -> Mapping[str, object]:
    """A graphql-transport-ws message whose errors all carry ``extensions.code``.

    The schema codes every error of an operation; the one strawberry's protocol
    handler writes itself, past ``max_subscriptions_per_connection`` operations
    in flight on one connection, has none: it gets ``TOO_MANY_OPERATIONS``
    (anything else uncoded, ``BAD_REQUEST``).
    """
    payload = message.get("payload")
    if message.get("type") != "error" or not isinstance(payload, list):
        return message
    errors: list[object] = []
    for error in payload:
        if isinstance(error, dict) and "code" not in (error.get("extensions") or {}):
            code = TOO_MANY_OPERATIONS if error.get("message") == OPERATION_LIMIT else "BAD_REQUEST"
            error = {**error, "extensions": {**(error.get("extensions") or {}), "code": code}}
        errors.append(error)
    return {**message, "payload": errors}


class LimitedWebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's WebSocket adapter: text frames out, a size limit in.

    The view encodes JSON with orjson, as bytes, and strawberry sends bytes as
    *binary* frames; graphql-ws and graphql-transport-ws are text protocols
    (clients parse text frames, and some drop binary ones), so every message
    goes out as text.
    """

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            encoded = self.view.encode_json(coded(message))
            text = encoded.decode() if isinstance(encoded, bytes) else encoded
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        ws = self.ws
        limit = cast("GatewayGraphQL", self.view).settings.max_body_bytes
        try:
            while ws.application_state != WebSocketState.DISCONNECTED:
                text = await ws.receive_text()
                if len(text) > limit:
                    logger.info("WebSocket message of %d characters refused", len(text))
                    await ws.close(WS_MESSAGE_TOO_BIG, "message larger than the body limit")
                    return
                try:
                    message = self.view.decode_json(text)
                except json.JSONDecodeError as e:
                    if ignore_parsing_errors:
                        continue
                    raise NonJsonMessageReceived from e
                yield message
        except KeyError as e:
            raise NonTextMessageReceived from e
        except WebSocketDisconnect:
            pass


class GatewayGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with the gateway's context, limits and orjson."""

    websocket_adapter_class = LimitedWebSocketAdapter

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(
                limits=QueryLimits(
                    max_depth=settings.max_query_depth,
                    max_aliases=settings.max_aliases,
                    max_root_fields=settings.max_root_fields,
                    max_directives=settings.max_directives,
                    max_tokens=settings.max_query_tokens,
                    max_length=settings.max_query_length,
                ),
                introspection=settings.introspection,
                max_cost=settings.max_cost,
                response_caching=settings.cache_ttl > 0,
            ),
            graphql_ide="graphiql" if settings.graphiql else None,
            # graphql-transport-ws on the WebSocket (a client of the legacy graphql-ws
            # protocol is refused at once, 4406), and GraphQL over SSE (graphql-sse,
            # distinct connections) for requests that accept text/event-stream.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            # cross-site WebSocket hijacking: other origins' pages only if CORS allows them
            allowed_origins=settings.cors_origins,
        )
        self.settings = settings
        self.graphiql_page = GraphiQLPage() if settings.graphiql else None
        """The gateway's own GraphiQL page (:mod:`gateway.graphiql`); None when off."""
        self.persisted = PersistedOperations(
            apq=settings.apq,
            trusted_documents=settings.trusted_documents,
            trusted_only=settings.trusted_documents_only,
            store=PersistedQueryStore(max_text_length=settings.max_query_length),
        )
        self.get_cache_control = f"private, max-age={settings.get_cache_seconds}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and self.persisted.trusted_only:
            logger.info("WebSocket refused: only trusted documents are accepted, over HTTP")
            await WebSocket(scope, receive, send).close(WS_FORBIDDEN)
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        if self._cross_site(request):
            logger.info("%s /graphql refused with 400: %s", request.method, CSRF_CODE)
            accept = request.headers.get("accept", "")
            await refusal(400, CSRF_MESSAGE, accept=accept, code=CSRF_CODE)(scope, receive, send)
            return
        token = _accept.set(request.headers.get("accept", ""))
        try:
            response = await self.run(request)
        except PersistedOperationError as e:
            response = await self._persisted_refusal(request, e)
        except HTTPException as e:
            status, reason = e.status_code, e.reason
            cause = e.__cause__
            if isinstance(cause, InvalidOperationTypeError):
                if cause.operation_type is OperationType.SUBSCRIPTION:
                    reason = SUBSCRIPTION_NEEDS_STREAM
                elif request.method == "GET":
                    status = 405  # GraphQL over HTTP: mutations are POST only
            logger.info("%s /graphql refused with %d: %s", request.method, status, reason)
            response = refusal(status, reason, accept=request.headers.get("accept", ""))
        finally:
            _accept.reset(token)
        await response(scope, receive, send)

    def _cross_site(self, request: Request) -> bool:
        """Whether CSRF prevention refuses a request (a GET or POST sent without a preflight)."""
        return (
            self.settings.csrf_prevention
            and request.method in _SIMPLE_METHODS
            and not preflighted(request.headers)
            and not self.should_render_graphql_ide(request)
        )

    async def _persisted_refusal(
        self, request: Request, error: PersistedOperationError
    ) -> Response:
        """A persisted operation miss as a GraphQL answer (200), any other refusal as a 4xx."""
        logger.info("%s /graphql: %s (%d)", request.method, error.code, error.status_code)
        if error.status_code != 200:
            accept = request.headers.get("accept", "")
            return refusal(error.status_code, error.reason, accept=accept, code=error.code)
        result = ExecutionResult(
            data=None, errors=[GraphQLError(error.reason, extensions={"code": error.code})]
        )
        answer = await self.process_result(request, result)
        stream = self._get_stream_transport_from_headers(request.headers)
        if stream is not None:  # GraphQL over SSE: the miss is the stream's one result
            events = stream.encode_next(answer, self.encode_json_string) + stream.encode_complete()
            return Response(events, headers=dict(stream.headers))
        return self.create_response(answer, await self.get_sub_response(request))

    async def render_graphql_ide(self, request: Request) -> Response:
        """The gateway's GraphiQL page, on its own files (strawberry's loads them from a CDN)."""
        if self.graphiql_page is None:  # strawberry asks only when graphql_ide is set
            raise HTTPException(404, "Not Found")
        return self.graphiql_page.response()

    def should_render_graphql_ide(self, request: Any) -> bool:
        """GraphiQL for a browser's plain GET, not for a GET of a persisted operation's hash."""
        params = request.query_params
        persisted = "extensions" in params or "documentId" in params
        return not persisted and super().should_render_graphql_ide(request)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        streamed = self._get_stream_transport_from_headers(request.headers) is not None
        if request.scope["type"] == "http" and request.scope["method"] == "GET" and not streamed:
            sub_response.headers["cache-control"] = self.get_cache_control
            sub_response.headers["vary"] = "Authorization"
        return sub_response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        status, media_type = 200, LEGACY_JSON
        if isinstance(response_data, dict):
            status, media_type, document = negotiated(
                cast("dict[str, Any]", response_data), _accept.get()
            )
            response_data = cast("GraphQLHTTPResponse", document)
        response = super().create_response(response_data, sub_response)
        if media_type != LEGACY_JSON:
            response.headers["content-type"] = media_type
        if status != 200 and not sub_response.status_code:
            response.status_code = status
        has_errors = isinstance(response_data, dict) and response_data.get("errors")
        if has_errors and "cache-control" in response.headers:
            response.headers["cache-control"] = "private, max-age=0"  # an error is not kept
        return response

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        """One operation from the query string (GET) or a JSON object body (POST)."""
        if request.method == "GET":
            data: object = self.parse_query_params(request.query_params)
        else:
            content_type, _ = parse_content_type(request.content_type or "")
            if content_type != "application/json":
                raise HTTPException(415, "send the operation as application/json")
            data = self.parse_json(await request.get_body())
        if isinstance(data, list):
            raise HTTPException(400, "batched operations are not supported: send one per request")
        if not isinstance(data, dict):
            raise HTTPException(400, "the request body must be a JSON object with a `query`")
        extensions = _object_or_none(data, "extensions")
        transport = self._get_stream_transport_from_headers(request.headers)
        return GraphQLRequestData(
            query=await self.persisted.resolve_shared(
                _text_or_none(data, "query"), extensions, data.get("documentId")
            ),
            variables=_object_or_none(data, "variables"),
            operation_name=_text_or_none(data, "operationName"),
            extensions=extensions,
            protocol=transport.protocol if transport is not None else "http",
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        clients = request.state.clients
        return Context.create(
            settings=self.settings,
            clients=clients,
            authorization=request.headers.get("authorization"),
            request=request,
            response=response,
            create_claims=request.state.create_claims,
            live=getattr(request.state, "live", None),
        )

    def note_operation(self, query: str | None, operation_name: str | None) -> None:
        """Hook: the operation a request carries, once its body is read (for observers)."""

    def answer_of(self, result: ExecutionResult) -> dict[str, Any]:
        """The JSON answer of a result, as the view's ``process_result`` makes it."""
        return dict(process_result(result))

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)
