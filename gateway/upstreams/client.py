"""The HTTP core shared by the three upstream clients.

One :class:`UpstreamClient` per upstream holds the pooled connections (a
:class:`~gateway.upstreams.wire.Wire`) and the service credential. Every call
goes through :meth:`UpstreamClient.request`, which:

- adds the credential (the service's, or the caller's forwarded
  ``Authorization`` header, per the upstream's auth mode); with OAuth2 client
  credentials the service's is a Bearer token from
  :class:`~gateway.upstreams.oauth_tokens.ClientCredentialsTokens`, and a 401
  on a GET fetches a new token and sends the GET once more (a 401 on a POST
  only drops the token, so the next call fetches a new one: a POST is never
  sent twice);
- bounds each call by one overall deadline (connect, headers and body
  together: ``GATEWAY_<UP>_TIMEOUT``) and by what is left of the GraphQL
  request's own deadline, and counts it against the request's call budget
  (:class:`~gateway.upstreams.caller.Caller`);
- retries GETs, and only GETs, after a refused or dropped connection or a
  502/503/504 (honouring a short ``Retry-After``), with exponential backoff;
  a POST is never retried here: creates settle lost answers themselves;
- coalesces identical GETs in flight at the same time (same path, query and
  credential) into one upstream round trip;
- fails fast while the circuit breaker of the call's route kind is open:
  reads (GET) and writes (POST) have a breaker each, so lost create answers
  never lock out reads; a lookup that settles a lost create goes through an
  open breaker (``settling=True``), since the store answering at all is
  what settles it;
- maps every failure onto :mod:`gateway.errors`, with the method and the path
  but never the query string, the host or a credential;
- reports each round trip, retry, coalesced GET and breaker change to its
  :class:`~gateway.upstreams.observer.UpstreamObserver` (metrics, request
  logs), under a route template (``route=``, else the raw path, which the
  observer turns into a template), and remembers when the upstream last
  answered (:attr:`UpstreamClient.last_answer`, for readiness);
- with a ``tracer`` (traces on), sends each round trip inside a client span
  and passes its ``traceparent`` upstream (:mod:`gateway.upstreams.call_spans`).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import httpx
import orjson
from opentelemetry.trace import Tracer

from gateway.config import AuthMode, UpstreamSettings
from gateway.errors import (
    RequestDeadlineCut,
    UpstreamBadResponse,
    UpstreamBudgetExceeded,
    UpstreamDeadlinePassed,
    UpstreamError,
    UpstreamForbidden,
    UpstreamNotFound,
    UpstreamRejected,
    UpstreamRequest,
    UpstreamTimeout,
    UpstreamUnauthenticated,
    UpstreamUnavailable,
    UpstreamUnreachable,
)
from gateway.upstreams.breaker import CircuitBreaker
from gateway.upstreams.call_spans import server_of, traced_request
from gateway.upstreams.caller import Caller
from gateway.upstreams.oauth_tokens import ClientCredentialsTokens
from gateway.upstreams.observer import UpstreamObserver
from gateway.upstreams.shared_gets import SharedGet
from gateway.upstreams.wire import Failure, Query, Wire, WireAnswer, WireFailure, wire_of

logger = logging.getLogger("gateway.upstreams")

QueryParams = Sequence[tuple[str, str]]
InflightKey = tuple[str, tuple[tuple[str, str], ...], str | None]
RETRYABLE_STATUSES = frozenset({502, 503, 504})


class RouteKind(Enum):
    """Which circuit breaker a call counts against."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    """A decoded upstream answer."""

    status: int
    body: Any


class UpstreamClient:
    """Requests to one upstream, with auth, retries, coalescing and error mapping."""

    def __init__(
        self,
        settings: UpstreamSettings,
        http: Wire | httpx.AsyncClient,
        *,
        max_retries: int = 2,
        backoff: float = 0.05,
        max_retry_after: float = 1.0,
        breaker_factory: Callable[[], CircuitBreaker] = CircuitBreaker,
        observer: UpstreamObserver | None = None,
        tracer: Tracer | None = None,
    ) -> None:
        self.settings = settings
        self.name = settings.name
        self.http = http
        """The wire or ``httpx.AsyncClient`` given (its owner closes it)."""
        self.wire = wire_of(http)
        self._base = settings.url.rstrip("/")
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.observer = observer or UpstreamObserver()
        self.tracer = tracer
        self._server = server_of(settings.url)
        self.breakers = {kind: breaker_factory() for kind in RouteKind}
        for kind, breaker in self.breakers.items():
            breaker.on_change = self._breaker_reporter(kind)
        self.last_answer: float | None = None
        """``time.monotonic()`` of the upstream's last answer below 500."""
        self._inflight: dict[InflightKey, SharedGet[UpstreamResponse]] = {}
        self._service_auth = self._service_authorization(settings)
        self._tokens: ClientCredentialsTokens | None = None
        if settings.client_credentials is not None and settings.auth_mode is AuthMode.SERVICE:
            self._tokens = ClientCredentialsTokens(
                settings.name,
                settings.client_credentials,
                self.wire,
                timeout=settings.timeout,
                observer=self.observer,
            )

    def _breaker_reporter(self, kind: RouteKind) -> Callable[[str], None]:
        def report(state: str) -> None:
            self.observer.breaker_changed(self.name.value, kind.value, state)

        return report

    @staticmethod
    def _service_authorization(settings: UpstreamSettings) -> str | None:
        if settings.username and settings.password:
            pair = f"{settings.username}:{settings.password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        if settings.token and not settings.token_in_query:
            return f"Bearer {settings.token}"
        return None

    async def _authorization(self, caller: Caller, request: UpstreamRequest) -> str | None:
        if self.settings.auth_mode is AuthMode.FORWARD:
            if not caller.authorization:
                raise UpstreamUnauthenticated(
                    f"the {self.name.value} upstream needs your credentials: "
                    "send an Authorization header",
                    request=UpstreamRequest(self.name, "-", "-"),
                )
            return caller.authorization
        if self._tokens is None:
            return self._service_auth
        left = caller.time_left(request)
        try:
            async with asyncio.timeout(left):
                return await self._tokens.authorization()
        except TimeoutError:
            raise self._deadline_cut(request) from None

    def _query(self, params: QueryParams) -> Query:
        query: Query = list(params)
        if (
            self.settings.auth_mode is AuthMode.SERVICE
            and self.settings.token_in_query
            and self.settings.token
        ):
            query.append(("token", self.settings.token))
        return query

    async def get(
        self,
        path: str,
        params: QueryParams = (),
        *,
        caller: Caller,
        settling: bool = False,
        route: str | None = None,
    ) -> UpstreamResponse:
        """GET with retries and in-flight coalescing, within the caller's deadline and budget.

        ``settling``: the GET settles a create whose answer was lost; it goes
        out even while the read breaker is open. ``route``: the path's
        template for metrics (``/jobs/v1/bson/{id}``), when its free-form
        segments could not be told from fixed ones.
        """
        request = UpstreamRequest(self.name, "GET", path)
        authorization = await self._authorization(caller, request)
        key = (path, tuple(params), authorization)
        while True:
            shared = self._inflight.get(key)
            if shared is None:
                caller.spend(request)
                task = asyncio.ensure_future(
                    self._with_retries(
                        path, self._query(params), authorization, caller, settling, route or path
                    )
                )
                task.add_done_callback(lambda done: self._read_ended(key, done))
                shared = self._inflight[key] = SharedGet(task, owner=caller)
            else:
                self.observer.coalesced(self.name.value, route or path)
            answer = shared.wait()
            left = caller.time_left(request)
            try:
                if left is None:
                    return await answer
                async with asyncio.timeout(left):
                    return await answer
            except TimeoutError:
                raise self._deadline_cut(request) from None
            except (RequestDeadlineCut, UpstreamDeadlinePassed):
                if shared.owner is caller:
                    raise
                # The deadline of the request that made the call cut it; ours has time left.

    async def post(
        self, path: str, body: Any, *, caller: Caller, route: str | None = None
    ) -> UpstreamResponse:
        """POST once; never retried (the caller decides how to settle a lost answer).

        Coalescing lets a read join an identical GET that left before it. After
        a write that would break read-your-writes: ``cancelJob`` re-reading the
        job, or a client's query right after its mutation, could join a GET (a
        dashboard's, a subscription's poll) that the upstream answered from the
        state before the write. So once a POST has ended, the GETs in flight
        stay with the requests already waiting for them and later reads go out
        anew. This holds within one process: workers and replicas each coalesce
        their own reads.
        """
        request = UpstreamRequest(self.name, "POST", path)
        authorization = await self._authorization(caller, request)
        caller.spend(request)
        try:
            return await self._send(
                "POST",
                path,
                self._query(()),
                authorization,
                body,
                caller,
                RouteKind.WRITE,
                False,
                route or path,
            )
        except UpstreamUnauthenticated:
            if self._tokens is not None and authorization is not None:
                self._tokens.forget(authorization)
            raise
        finally:
            # Answered, refused or lost (it may have landed): reads from now on go out anew.
            self._inflight.clear()

    def _read_ended(self, key: InflightKey, done: asyncio.Task[UpstreamResponse]) -> None:
        """Forget a finished GET, unless a write already did and a newer one took its key."""
        shared = self._inflight.get(key)
        if shared is not None and shared.task is done:
            del self._inflight[key]

    def _deadline_cut(self, request: UpstreamRequest) -> RequestDeadlineCut:
        return RequestDeadlineCut(
            f"the request's deadline passed while waiting for the {self.name.value} upstream",
            request=request,
        )

    def _timed_out(self, request: UpstreamRequest) -> UpstreamTimeout:
        return UpstreamTimeout(
            f"the {self.name.value} upstream did not answer in time", request=request
        )

    async def _with_retries(
        self,
        path: str,
        query: Query,
        authorization: str | None,
        caller: Caller,
        settling: bool,
        route: str,
    ) -> UpstreamResponse:
        breaker = self.breakers[RouteKind.READ]
        attempt = 0
        token_refreshed = False
        while True:
            try:
                return await self._send(
                    "GET", path, query, authorization, None, caller, RouteKind.READ, settling, route
                )
            except (UpstreamDeadlinePassed, UpstreamBudgetExceeded):
                raise
            except UpstreamUnauthenticated:
                if self._tokens is None or authorization is None or token_refreshed:
                    raise
                # The token expired or was revoked early: one new token, one more try.
                token_refreshed = True
                authorization = await self._tokens.refresh(authorization)
                logger.info(
                    "GET %s on %s: token refused, retrying with a new one", path, self.name.value
                )
                self.observer.retried(self.name.value, route)
            except UpstreamUnavailable as exc:
                retryable = exc.status is None or exc.status in RETRYABLE_STATUSES
                if not retryable or attempt >= self.max_retries or breaker.is_open:
                    raise
                delay = self.backoff * (2**attempt) * (1 + random.random())
                if exc.retry_after is not None:
                    if exc.retry_after > self.max_retry_after:
                        raise
                    delay = max(delay, exc.retry_after)
                attempt += 1
                logger.info(
                    "retrying GET %s on %s in %.2fs (attempt %d)",
                    path,
                    self.name.value,
                    delay,
                    attempt,
                )
                self.observer.retried(self.name.value, route)
                await asyncio.sleep(delay)

    async def _send(
        self,
        method: str,
        path: str,
        query: Query,
        authorization: str | None,
        body: Any,
        caller: Caller,
        kind: RouteKind,
        settling: bool,
        route: str,
    ) -> UpstreamResponse:
        request = UpstreamRequest(self.name, method, path)
        breaker = self.breakers[kind]
        if not breaker.allow() and not settling:
            self.observer.answered(self.name.value, method, route, "breaker_open", 0.0)
            raise UpstreamUnreachable(
                f"the {self.name.value} upstream is failing; calls are paused briefly",
                request=request,
            )
        own = self.settings.timeout
        left = caller.time_left(request)
        limit = own if left is None else min(own, left)
        headers = {"Authorization": authorization} if authorization else {}
        content = None
        if body is not None:
            content = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            # One deadline over connect, headers and the whole body: the wire's own
            # timeouts are per socket read, so a dripping upstream never trips them.
            async with asyncio.timeout(limit):
                if self.tracer is None:
                    response = await self.wire.send(
                        method, self._base + path, query, headers, content
                    )
                else:
                    response = await traced_request(
                        self.tracer,
                        self.wire,
                        self.name.value,
                        self._server,
                        method,
                        self._base + path,
                        route,
                        query,
                        headers,
                        content,
                    )
        except TimeoutError:
            self.observer.answered(
                self.name.value, method, route, "timeout", time.perf_counter() - started
            )
            if limit < own:  # the request's deadline, not the upstream's own
                raise self._deadline_cut(request) from None
            breaker.record_failure()
            raise self._timed_out(request) from None
        except WireFailure as exc:
            self.observer.answered(
                self.name.value, method, route, "error", time.perf_counter() - started
            )
            breaker.record_failure()
            failure = exc.failure
            if failure is Failure.TIMEOUT:
                raise self._timed_out(request) from None
            if failure is Failure.DROPPED:
                raise UpstreamUnavailable(
                    f"the {self.name.value} upstream closed the connection without an answer",
                    request=request,
                ) from None
            raise UpstreamUnreachable(
                f"the {self.name.value} upstream could not be reached", request=request
            ) from None
        status = response.status
        self.observer.answered(
            self.name.value,
            method,
            route,
            _STATUS_CLASSES.get(status // 100, "other"),
            time.perf_counter() - started,
        )
        if status < 500:
            self.last_answer = time.monotonic()
        return self._decode(request, response, breaker)

    async def probe(self, path: str, params: QueryParams, *, within: float) -> bool:
        """Whether the upstream answers a cheap GET below 500 within ``within`` seconds.

        For readiness: sent with the service credential (if any) outside any
        GraphQL request, its breakers and its metrics; a 401 or 403 still
        shows the upstream is up.
        """
        try:
            async with asyncio.timeout(within):
                authorization = (
                    await self._tokens.authorization() if self._tokens else self._service_auth
                )
                headers = {"Authorization": authorization} if authorization else {}
                response = await self.wire.send(
                    "GET", self._base + path, self._query(params), headers
                )
        except (TimeoutError, WireFailure):
            return False
        except UpstreamError as exc:  # from the token endpoint; refused credentials: still up
            return isinstance(exc, UpstreamUnauthenticated)
        if response.status >= 500:
            return False
        self.last_answer = time.monotonic()
        return True

    def _decode(
        self, request: UpstreamRequest, response: WireAnswer, breaker: CircuitBreaker
    ) -> UpstreamResponse:
        status = response.status
        if status >= 500:
            breaker.record_failure()
            logger.warning(
                "%s %s on %s answered %d", request.method, request.path, self.name.value, status
            )
            raise UpstreamUnavailable(
                f"the {self.name.value} upstream failed (HTTP {status})",
                request=request,
                status=status,
                retry_after=_retry_after(response.retry_after),
            )
        breaker.record_success()
        body = _parse_json(response.content)
        if status >= 400:
            raise _client_error(self.name.value, request, status, body)
        if body is _NOT_JSON:
            raise UpstreamBadResponse(
                f"the {self.name.value} upstream answered with malformed JSON",
                request=request,
                status=status,
            )
        return UpstreamResponse(status=status, body=body)


_STATUS_CLASSES = {1: "1xx", 2: "2xx", 3: "3xx", 4: "4xx", 5: "5xx"}
_NOT_JSON: Any = object()


def _parse_json(content: bytes) -> Any:
    if not content:
        return None
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return _NOT_JSON


def _retry_after(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


def _upstream_message(body: Any) -> str | None:
    """A short reason from an error body: DRF ``detail``, ``message`` or a ``title``."""
    if isinstance(body, dict):
        for key in ("detail", "message", "title"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:300]
    return None


def _field_errors(body: Any) -> dict[str, list[str]]:
    """DRF's per-field errors: ``{"field": ["message", ...]}``."""
    if not isinstance(body, dict):
        return {}
    errors: dict[str, list[str]] = {}
    for key, value in body.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            errors[str(key)] = [str(v) for v in value]
        elif isinstance(value, str) and key not in {"detail", "message", "title", "type"}:
            errors[str(key)] = [value]
    return errors


def _client_error(name: str, request: UpstreamRequest, status: int, body: Any) -> UpstreamError:
    reason = _upstream_message(body)
    suffix = f": {reason}" if reason else ""
    if status == 401:
        return UpstreamUnauthenticated(
            f"the {name} upstream refused the credential{suffix}", request=request, status=status
        )
    if status == 403:
        return UpstreamForbidden(
            f"the {name} upstream denied this action{suffix}", request=request, status=status
        )
    if status == 404:
        return UpstreamNotFound(f"not found on the {name} upstream", request=request, status=status)
    return UpstreamRejected(
        f"the {name} upstream rejected the request (HTTP {status}){suffix}",
        request=request,
        status=status,
        field_errors=_field_errors(body),
    )
