"""Gateway settings, read once from the environment (``GATEWAY_*``).

The upstream URLs and credentials have no defaults: a gateway that forgot one
must not start against some other place or with some other credential. A
missing or bad value stops the gateway at start with a :class:`ConfigError`
naming the setting (every missing one at once); a value is never part of that
message, since it may be a secret. ``jobs-gateway serve --demo`` is the
no-settings way to run: it starts the sandbox upstreams and hands their URLs
and public token to :func:`load_settings` itself.

Per upstream (``JOBSTORE``, ``OPSMANAGER``, ``AWX``):

- ``GATEWAY_<UP>_URL`` (required): base URL, ``http`` or ``https``, no
  credentials, query or fragment in it;
- ``GATEWAY_<UP>_AUTH_MODE``: ``service`` (default: send the credential
  below) or ``forward`` (send the caller's own ``Authorization`` header; no
  credential is needed then);
- ``GATEWAY_<UP>_TOKEN``: the service credential sent as ``Bearer``; required
  in ``service`` mode unless basic auth is set;
- ``GATEWAY_<UP>_USERNAME`` / ``GATEWAY_<UP>_PASSWORD``: basic auth instead
  (operations manager and AWX);
- ``GATEWAY_OPSMANAGER_TOKEN_IN_QUERY``: send the operations-manager token as
  ``?token=`` rather than ``Bearer`` (its login-token style);
- ``GATEWAY_<UP>_TOKEN_URL``, ``GATEWAY_<UP>_CLIENT_ID``,
  ``GATEWAY_<UP>_CLIENT_SECRET`` and optional ``GATEWAY_<UP>_SCOPE`` (jobs
  store and operations manager): OAuth2 client credentials instead of a static
  credential; the gateway fetches a Bearer token from the token endpoint and
  refreshes it (see :mod:`gateway.upstreams.oauth_tokens`). All three or none,
  and never together with ``TOKEN``, ``USERNAME``/``PASSWORD`` or
  ``AUTH_MODE=forward``;
- ``GATEWAY_<UP>_TIMEOUT``: seconds one upstream call may take, connect,
  headers and body together (default 10);
- ``GATEWAY_<UP>_MAX_CONNECTIONS``: size of the connection pool (default 100).

Gateway-wide: ``GATEWAY_MAX_PAGE_SIZE`` (default 200),
``GATEWAY_JOBSTORE_CONCURRENCY`` (parallel single GETs, default 16),
``GATEWAY_JOBSTORE_NEWEST_FIRST`` (the jobs-store list order, default true),
``GATEWAY_SCAN_LIMIT`` (jobs a gateway-side scan reads at most, default 2000),
``GATEWAY_OUTPUT_MAX_LINES`` (lines one page of a job's ``stdout`` holds at most,
default 1000) and ``GATEWAY_OUTPUT_MAX_BYTES`` (UTF-8 bytes of text one such
page holds at most, default 262144; a page is cut short after the last whole
line that fits),
``GATEWAY_INTROSPECTION`` (default true), ``GATEWAY_GRAPHIQL`` (GraphiQL on
a browser's ``GET /graphql`` and its files under ``/graphiql/static/``, see
:mod:`gateway.graphiql`; ``false`` serves neither; default true),
``GATEWAY_MAX_QUERY_DEPTH`` (default 12), ``GATEWAY_MAX_ALIASES`` (default 50),
``GATEWAY_MAX_ROOT_FIELDS`` (default 20), ``GATEWAY_MAX_DIRECTIVES`` (default 50),
``GATEWAY_MAX_QUERY_TOKENS`` (default 10000), ``GATEWAY_MAX_QUERY_LENGTH``
(characters, default 100000; see :mod:`schema.core.limits`), ``GATEWAY_HTTP_TRANSPORT``
(``aiohttp``, the default: aiohttp's pool used directly, or ``httpcore``:
httpx's client and pool),
``GATEWAY_MAX_BODY_BYTES`` (largest request body, default 1 MiB),
``GATEWAY_REQUEST_TIMEOUT`` (seconds a GraphQL request's upstream calls may
take in all, default 30), ``GATEWAY_MAX_UPSTREAM_CALLS`` (upstream calls one
GraphQL request may make, default 1000), ``GATEWAY_MAX_COST`` (the largest
estimated cost of an operation, see :mod:`schema.core.cost`; default 20000).

No value may contain a control character (a trailing newline included: a
token pasted with one would otherwise split or corrupt the header it goes
into). URLs and tokens, which go into request lines and headers as they are,
must be ASCII; user names and passwords may not be, since basic auth sends
them base64-encoded.

Operations: ``GATEWAY_METRICS`` (serve ``/metrics``, default true),
``GATEWAY_REQUEST_LOG`` (one log line per GraphQL request, default true),
``GATEWAY_LOG_FORMAT`` (``json``, ``text`` or ``auto``: text on a terminal,
JSON otherwise), ``GATEWAY_SHUTDOWN_GRACE`` (seconds in-flight requests may
take to finish after SIGTERM, default 20), ``GATEWAY_READY_FRESH_SECONDS``
(an upstream that answered this recently counts as up for ``/readyz``,
default 10) and ``GATEWAY_READY_PROBE_TIMEOUT`` (seconds a readiness probe
may take, default 2).

Traces (:mod:`gateway.observability.tracing`): ``GATEWAY_TRACES`` (default
false; the exporter and the rest are the standard ``OTEL_*`` variables) and
``GATEWAY_TRACE_DOCUMENT`` (the operation's text on its span, default false;
variables never).

Persisted operations (see :mod:`gateway.persisted_operations`): ``GATEWAY_APQ``
(automatic persisted queries, default true), ``GATEWAY_TRUSTED_DOCUMENTS``
(path of a trusted documents manifest, read at start, see
:mod:`gateway.trusted_documents`), ``GATEWAY_TRUSTED_DOCUMENTS_ONLY`` (refuse
any other document, default false; needs the manifest) and
``GATEWAY_GET_CACHE_SECONDS`` (``max-age`` of answers to GET queries, default 0).

Browsers (see :mod:`gateway.csrf` and :mod:`gateway.cors`):
``GATEWAY_CSRF_PREVENTION`` (refuse requests a page could send cross-site
without a preflight, default true), ``GATEWAY_CORS_ORIGINS`` (comma-separated
exact origins allowed to call from a browser, or ``*``; empty, the default:
no CORS headers), ``GATEWAY_CORS_ALLOW_CREDENTIALS`` (default false; not with
``*``) and ``GATEWAY_CORS_MAX_AGE`` (seconds a browser keeps a preflight,
default 600).
Live job status (subscriptions, see :mod:`gateway.live`):
``GATEWAY_SUBSCRIPTION_POLL_SECONDS`` (seconds between two polls of one
watched job or filter, shared by every subscriber of it; default 2, fractions
allowed, at least 0.05), ``GATEWAY_SUBSCRIPTION_WATCH_SIZE`` (how many of the
newest matching jobs one ``jobsChanged`` poll reads, default 50, at most
``GATEWAY_MAX_PAGE_SIZE``) and ``GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION``
(operations in flight on one WebSocket, default 100).
Shared state (several workers or replicas, see :mod:`gateway.shared_state`):
``GATEWAY_REDIS_URL`` (``redis://host:port/db``, ``rediss://`` or
``unix://``; unset, the default: every process keeps its own state and no
Redis is needed), ``GATEWAY_REDIS_USERNAME`` and ``GATEWAY_REDIS_PASSWORD``
(never in the URL, never logged), ``GATEWAY_REDIS_TIMEOUT`` (seconds one
command may take, default 0.25: past it Redis counts as down for that call)
and ``GATEWAY_REDIS_KEY_PREFIX`` (default ``jobs-gateway:``).
With Redis, ``createFlowJob`` claims its ``clientJobId`` in Redis (see
:mod:`gateway.shared_state.create_claims`): ``GATEWAY_CREATE_LOCK_LEASE_SECONDS``
(the claim's lease, renewed while the create works, default 5: how long a
crashed holder keeps the key), ``GATEWAY_CREATE_LOCK_WAIT_SECONDS`` (how long
an identical create waits for the holder before it re-checks and refuses with
``CREATE_IN_PROGRESS``, default 10) and ``GATEWAY_CREATE_RECORD_SECONDS`` (how
long the record ``clientJobId -> job`` answers repeats, default 86400).
With Redis, automatic persisted queries are shared by every replica
(:mod:`gateway.persisted_operations`), each kept ``GATEWAY_APQ_TTL`` seconds
there (default 86400) behind each process's own bounded cache.

Response cache (see :mod:`gateway.response_cache`): ``GATEWAY_CACHE_TTL``
(seconds a list or count read's answer is reused, fractions allowed; 0, the
default: no response cache) and ``GATEWAY_CACHE_MAX_BYTES`` (bytes of answers
one process keeps when there is no Redis, default 16 MiB; an answer larger
than a sixteenth of it is never kept, in Redis either).
With Redis, one replica leads each live poll (:mod:`gateway.live.redis_hub`):
``GATEWAY_SUBSCRIPTION_LEASE_SECONDS`` (how long a lead lasts unless its
replica renews it, once per poll: a replica that dies hands its polls over
within this time and one poll interval; default 10 or three poll intervals,
whichever is longer; must be longer than the poll interval and than the
slowest poll).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from strawberry.http.websocket_origin import normalize_origin

from gateway.trusted_documents import ManifestError, read_manifest
from gateway.upstream_names import Upstream


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names it."""


class AuthMode(StrEnum):
    """Whose credential the gateway sends upstream."""

    SERVICE = "service"
    FORWARD = "forward"


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """An OAuth2 client-credentials grant: where to ask for tokens and as whom."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class UpstreamSettings:
    """How to reach and authenticate to one upstream."""

    name: Upstream
    url: str
    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    token_in_query: bool = False
    timeout: float = 10.0
    auth_mode: AuthMode = AuthMode.SERVICE
    max_connections: int = 100
    client_credentials: ClientCredentials | None = None

    @property
    def auth_kind(self) -> str:
        """How the gateway authenticates here, in a word (for ``jobs-gateway check``)."""
        if self.auth_mode is AuthMode.FORWARD:
            return "forward"
        if self.client_credentials is not None:
            return "oauth2"
        if self.username:
            return "basic"
        if self.token_in_query:
            return "query-token"
        return "bearer"


@dataclass(frozen=True, slots=True)
class RedisSettings:
    """Where the shared state lives (:mod:`gateway.shared_state`)."""

    url: str
    """``redis://``, ``rediss://`` or ``unix://``, without credentials."""
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    timeout: float = 0.25
    """Seconds one Redis command (and a connect) may take before it counts as a failure."""
    key_prefix: str = "jobs-gateway:"
    """Every key the gateway writes starts with it (several deployments, one Redis)."""
    create_lease: float = 5.0
    """Seconds a create claim lives unless renewed (``GATEWAY_CREATE_LOCK_LEASE_SECONDS``)."""
    create_wait: float = 10.0
    """Seconds an identical create waits for the claim (``GATEWAY_CREATE_LOCK_WAIT_SECONDS``)."""
    create_record_seconds: int = 86_400
    """Seconds the record ``clientJobId -> job`` is kept (``GATEWAY_CREATE_RECORD_SECONDS``)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """All gateway settings."""

    jobstore: UpstreamSettings
    opsmanager: UpstreamSettings
    awx: UpstreamSettings
    max_page_size: int = 200
    jobstore_concurrency: int = 16
    jobstore_newest_first: bool = True
    scan_limit: int = 2000
    output_max_lines: int = 1000
    output_max_bytes: int = 262_144
    introspection: bool = True
    graphiql: bool = True
    max_query_depth: int = 12
    max_aliases: int = 50
    max_root_fields: int = 20
    max_directives: int = 50
    max_query_tokens: int = 10_000
    max_query_length: int = 100_000
    http_transport: str = "aiohttp"
    max_body_bytes: int = 1_048_576
    request_timeout: float = 30.0
    max_upstream_calls: int = 1000
    max_cost: int = 20_000
    metrics: bool = True
    request_log: bool = True
    log_format: str = "auto"
    shutdown_grace: float = 20.0
    ready_fresh_seconds: float = 10.0
    ready_probe_timeout: float = 2.0
    traces: bool = False
    trace_document: bool = False
    apq: bool = True
    trusted_documents: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    """The trusted documents manifest, SHA-256 to text (empty: none)."""
    trusted_documents_only: bool = False
    get_cache_seconds: int = 0
    csrf_prevention: bool = True
    cors_origins: tuple[str, ...] = ()
    """Exact origins (``scheme://host[:port]``, lowercase) or ``("*",)``; empty: no CORS."""
    cors_allow_credentials: bool = False
    cors_max_age: int = 600
    subscription_poll_seconds: float = 2.0
    subscription_watch_size: int = 50
    max_subscriptions_per_connection: int = 100
    subscription_lease_seconds: float = 10.0
    """How long a replica's lead of a shared poll lasts unrenewed (with ``GATEWAY_REDIS_URL``)."""
    redis: RedisSettings | None = None
    """Shared state in Redis (``GATEWAY_REDIS_URL``); None: every process keeps its own."""
    apq_ttl: int = 86_400
    """Seconds an automatic persisted query is kept in Redis (``GATEWAY_APQ_TTL``)."""
    cache_ttl: float = 0.0
    """Seconds a list or count read's answer is reused (``GATEWAY_CACHE_TTL``; 0: off)."""
    cache_max_bytes: int = 16 * 1024 * 1024
    """Bytes of answers the in-process response cache keeps (``GATEWAY_CACHE_MAX_BYTES``)."""

    def upstream(self, name: Upstream) -> UpstreamSettings:
        """The settings of one upstream."""
        return {
            Upstream.JOBSTORE: self.jobstore,
            Upstream.OPSMANAGER: self.opsmanager,
            Upstream.AWX: self.awx,
        }[name]


BASIC_AUTH_UPSTREAMS = frozenset({Upstream.OPSMANAGER, Upstream.AWX})
OAUTH_UPSTREAMS = frozenset({Upstream.JOBSTORE, Upstream.OPSMANAGER})


def _check_characters(key: str, value: str, *, ascii_only: bool) -> None:
    """Refuse control characters (and non-ASCII if asked) without showing the value."""
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ConfigError(
            f"{key} contains a control character (a newline or tab counts); the value is not shown"
        )
    if ascii_only and not value.isascii():
        raise ConfigError(f"{key} must be ASCII; the value is not shown")


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def text(self, key: str, default: str | None = None, *, ascii_only: bool = False) -> str | None:
        value = self.env.get(key)
        if value is None:
            return default
        _check_characters(key, value, ascii_only=ascii_only)
        if value.strip() == "":
            return default
        return value.strip()

    def number(self, key: str, default: float, *, minimum: float, maximum: float) -> float:
        raw = self.text(key)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{key} must be a number, got {raw!r}") from None
        if not minimum <= value <= maximum:
            raise ConfigError(f"{key} must be between {minimum:g} and {maximum:g}, got {raw}")
        return value

    def integer(self, key: str, default: int, *, minimum: int, maximum: int) -> int:
        raw = self.text(key)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{key} must be a whole number, got {raw!r}") from None
        if not minimum <= value <= maximum:
            raise ConfigError(f"{key} must be between {minimum} and {maximum}, got {raw}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        raw = self.text(key)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{key} must be true or false, got {raw!r}")


def _url(reader: _Reader, key: str) -> str | None:
    raw = reader.text(key, ascii_only=True)
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"{key} must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise ConfigError(f"{key} must not carry credentials; use the TOKEN or PASSWORD settings")
    if parts.query or parts.fragment:
        raise ConfigError(f"{key} must not have a query string or fragment")
    try:
        _ = parts.port
    except ValueError:
        raise ConfigError(f"{key} has an invalid port") from None
    return raw.rstrip("/")


def _upstream(reader: _Reader, name: Upstream, missing: list[str]) -> UpstreamSettings | None:
    """One upstream's settings; ``None`` with the names added to ``missing`` if some are unset."""
    prefix = f"GATEWAY_{name.value.upper()}_"
    url = _url(reader, prefix + "URL")
    if url is None:
        missing.append(prefix + "URL")
    mode_raw = (reader.text(prefix + "AUTH_MODE", AuthMode.SERVICE.value) or "").lower()
    try:
        auth_mode = AuthMode(mode_raw)
    except ValueError:
        raise ConfigError(
            f"{prefix}AUTH_MODE must be 'service' or 'forward', got {mode_raw!r}"
        ) from None
    username = reader.text(prefix + "USERNAME")
    password = reader.text(prefix + "PASSWORD")
    if (username or password) and name not in BASIC_AUTH_UPSTREAMS:
        raise ConfigError(
            f"{prefix}USERNAME/PASSWORD: the {name.value} upstream takes a token only"
        )
    if bool(username) != bool(password):
        raise ConfigError(f"{prefix}USERNAME and {prefix}PASSWORD must be set together")
    token = reader.text(prefix + "TOKEN", ascii_only=True)
    token_in_query = False
    if name is Upstream.OPSMANAGER:
        token_in_query = reader.flag(prefix + "TOKEN_IN_QUERY", False)
    client_credentials = _client_credentials(reader, name)
    if client_credentials is not None:
        others = [
            key
            for key, is_set in (
                (prefix + "TOKEN", token is not None),
                (prefix + "USERNAME/PASSWORD", username is not None),
                (prefix + "TOKEN_IN_QUERY", token_in_query),
                (prefix + "AUTH_MODE=forward", auth_mode is AuthMode.FORWARD),
            )
            if is_set
        ]
        if others:
            raise ConfigError(
                f"{prefix}CLIENT_ID/CLIENT_SECRET/TOKEN_URL (OAuth2 client credentials) "
                f"cannot be combined with {', '.join(others)}: choose one way to authenticate"
            )
    # No fallback credential: in service mode a forgotten token is a start-up error,
    # never a default sent to whatever the URL points at.
    if (
        auth_mode is AuthMode.SERVICE
        and token is None
        and username is None
        and client_credentials is None
    ):
        missing.append(prefix + "TOKEN")
    timeout = reader.number(prefix + "TIMEOUT", 10.0, minimum=0.01, maximum=600)
    max_connections = reader.integer(prefix + "MAX_CONNECTIONS", 100, minimum=1, maximum=10_000)
    if url is None:
        return None
    return UpstreamSettings(
        name=name,
        url=url,
        token=token,
        username=username,
        password=password,
        token_in_query=token_in_query,
        timeout=timeout,
        auth_mode=auth_mode,
        max_connections=max_connections,
        client_credentials=client_credentials,
    )


def _client_credentials(reader: _Reader, name: Upstream) -> ClientCredentials | None:
    """The OAuth2 client-credentials settings of one upstream, if any is set."""
    prefix = f"GATEWAY_{name.value.upper()}_"
    token_url = _url(reader, prefix + "TOKEN_URL")
    client_id = reader.text(prefix + "CLIENT_ID")
    client_secret = reader.text(prefix + "CLIENT_SECRET")
    scope = reader.text(prefix + "SCOPE")
    values = {
        prefix + "TOKEN_URL": token_url,
        prefix + "CLIENT_ID": client_id,
        prefix + "CLIENT_SECRET": client_secret,
    }
    if all(value is None for value in values.values()):
        if scope is not None:
            raise ConfigError(
                f"{prefix}SCOPE needs {prefix}TOKEN_URL, {prefix}CLIENT_ID"
                f" and {prefix}CLIENT_SECRET"
            )
        return None
    if name not in OAUTH_UPSTREAMS:
        raise ConfigError(
            f"{prefix}TOKEN_URL/CLIENT_ID/CLIENT_SECRET: the {name.value} upstream takes"
            f" a personal access token ({prefix}TOKEN) or basic auth, not client credentials"
        )
    unset = [key for key, value in values.items() if value is None]
    if unset:
        raise ConfigError(
            f"OAuth2 client credentials need {prefix}TOKEN_URL, {prefix}CLIENT_ID and"
            f" {prefix}CLIENT_SECRET together; unset: {', '.join(unset)}"
        )
    return ClientCredentials(
        token_url=str(token_url),
        client_id=str(client_id),
        client_secret=str(client_secret),
        scope=scope,
    )


def _missing_message(missing: list[str]) -> str:
    message = "missing settings: set " + ", ".join(missing)
    if any(key.endswith("_TOKEN") for key in missing):
        message += (
            " (instead of a token, the operations manager and AWX take"
            " GATEWAY_<UP>_USERNAME and GATEWAY_<UP>_PASSWORD, the jobs store and the"
            " operations manager OAuth2 client credentials (GATEWAY_<UP>_TOKEN_URL,"
            " GATEWAY_<UP>_CLIENT_ID, GATEWAY_<UP>_CLIENT_SECRET), and"
            " GATEWAY_<UP>_AUTH_MODE=forward sends each caller's own credential)"
        )
    return message + "; `jobs-gateway serve --demo` needs none of them"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``env`` (default: the process environment).

    Raises :class:`ConfigError` for a bad value, or naming every required
    setting that is missing.
    """
    reader = _Reader(os.environ if env is None else env)
    missing: list[str] = []
    jobstore = _upstream(reader, Upstream.JOBSTORE, missing)
    opsmanager = _upstream(reader, Upstream.OPSMANAGER, missing)
    awx = _upstream(reader, Upstream.AWX, missing)
    if jobstore is None or opsmanager is None or awx is None or missing:
        raise ConfigError(_missing_message(missing))
    trusted_documents = _trusted_documents(reader)
    trusted_only = reader.flag("GATEWAY_TRUSTED_DOCUMENTS_ONLY", False)
    if trusted_only and not trusted_documents:
        raise ConfigError(
            "GATEWAY_TRUSTED_DOCUMENTS_ONLY needs GATEWAY_TRUSTED_DOCUMENTS: a manifest"
            " with at least one document"
        )
    cors_origins = _cors_origins(reader)
    cors_credentials = reader.flag("GATEWAY_CORS_ALLOW_CREDENTIALS", False)
    if cors_credentials and "*" in cors_origins:
        raise ConfigError(
            "GATEWAY_CORS_ORIGINS=* cannot go with GATEWAY_CORS_ALLOW_CREDENTIALS=true"
            " (browsers refuse credentialed answers to any origin): list the origins"
        )
    poll_seconds = reader.number(
        "GATEWAY_SUBSCRIPTION_POLL_SECONDS", 2.0, minimum=0.05, maximum=3600
    )
    lease_seconds = reader.number(
        "GATEWAY_SUBSCRIPTION_LEASE_SECONDS",
        max(10.0, 3 * poll_seconds),
        minimum=0.1,
        maximum=86_400,
    )
    if lease_seconds <= poll_seconds:
        raise ConfigError(
            "GATEWAY_SUBSCRIPTION_LEASE_SECONDS must be longer than"
            " GATEWAY_SUBSCRIPTION_POLL_SECONDS: the leader renews its lease once per poll"
        )
    return Settings(
        jobstore=jobstore,
        opsmanager=opsmanager,
        awx=awx,
        max_page_size=reader.integer("GATEWAY_MAX_PAGE_SIZE", 200, minimum=1, maximum=1000),
        jobstore_concurrency=reader.integer(
            "GATEWAY_JOBSTORE_CONCURRENCY", 16, minimum=1, maximum=256
        ),
        jobstore_newest_first=reader.flag("GATEWAY_JOBSTORE_NEWEST_FIRST", True),
        scan_limit=reader.integer("GATEWAY_SCAN_LIMIT", 2000, minimum=1, maximum=1_000_000),
        output_max_lines=reader.integer(
            "GATEWAY_OUTPUT_MAX_LINES", 1000, minimum=1, maximum=100_000
        ),
        output_max_bytes=reader.integer(
            "GATEWAY_OUTPUT_MAX_BYTES", 262_144, minimum=1024, maximum=16 * 1024 * 1024
        ),
        introspection=reader.flag("GATEWAY_INTROSPECTION", True),
        graphiql=reader.flag("GATEWAY_GRAPHIQL", True),
        max_query_depth=reader.integer("GATEWAY_MAX_QUERY_DEPTH", 12, minimum=2, maximum=100),
        max_aliases=reader.integer("GATEWAY_MAX_ALIASES", 50, minimum=0, maximum=100_000),
        max_root_fields=reader.integer("GATEWAY_MAX_ROOT_FIELDS", 20, minimum=1, maximum=100_000),
        max_directives=reader.integer("GATEWAY_MAX_DIRECTIVES", 50, minimum=0, maximum=100_000),
        max_query_tokens=reader.integer(
            "GATEWAY_MAX_QUERY_TOKENS", 10_000, minimum=100, maximum=10_000_000
        ),
        max_query_length=reader.integer(
            "GATEWAY_MAX_QUERY_LENGTH", 100_000, minimum=100, maximum=100_000_000
        ),
        http_transport=_transport(reader),
        max_body_bytes=reader.integer(
            "GATEWAY_MAX_BODY_BYTES", 1_048_576, minimum=1024, maximum=100_000_000
        ),
        request_timeout=reader.number("GATEWAY_REQUEST_TIMEOUT", 30.0, minimum=0.05, maximum=3600),
        max_upstream_calls=reader.integer(
            "GATEWAY_MAX_UPSTREAM_CALLS", 1000, minimum=1, maximum=1_000_000
        ),
        max_cost=reader.integer("GATEWAY_MAX_COST", 20_000, minimum=1, maximum=10**9),
        metrics=reader.flag("GATEWAY_METRICS", True),
        request_log=reader.flag("GATEWAY_REQUEST_LOG", True),
        log_format=_log_format(reader),
        shutdown_grace=reader.number("GATEWAY_SHUTDOWN_GRACE", 20.0, minimum=0, maximum=3600),
        ready_fresh_seconds=reader.number(
            "GATEWAY_READY_FRESH_SECONDS", 10.0, minimum=0, maximum=3600
        ),
        ready_probe_timeout=reader.number(
            "GATEWAY_READY_PROBE_TIMEOUT", 2.0, minimum=0.05, maximum=60
        ),
        traces=reader.flag("GATEWAY_TRACES", False),
        trace_document=reader.flag("GATEWAY_TRACE_DOCUMENT", False),
        apq=reader.flag("GATEWAY_APQ", True),
        trusted_documents=trusted_documents,
        trusted_documents_only=trusted_only,
        get_cache_seconds=reader.integer(
            "GATEWAY_GET_CACHE_SECONDS", 0, minimum=0, maximum=31_536_000
        ),
        csrf_prevention=reader.flag("GATEWAY_CSRF_PREVENTION", True),
        cors_origins=cors_origins,
        cors_allow_credentials=cors_credentials,
        cors_max_age=reader.integer("GATEWAY_CORS_MAX_AGE", 600, minimum=0, maximum=86_400),
        subscription_poll_seconds=poll_seconds,
        subscription_watch_size=reader.integer(
            "GATEWAY_SUBSCRIPTION_WATCH_SIZE", 50, minimum=1, maximum=1000
        ),
        max_subscriptions_per_connection=reader.integer(
            "GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION", 100, minimum=1, maximum=10_000
        ),
        subscription_lease_seconds=lease_seconds,
        redis=_redis(reader),
        apq_ttl=reader.integer("GATEWAY_APQ_TTL", 86_400, minimum=1, maximum=31_536_000),
        cache_ttl=reader.number("GATEWAY_CACHE_TTL", 0.0, minimum=0, maximum=86_400),
        cache_max_bytes=reader.integer(
            "GATEWAY_CACHE_MAX_BYTES", 16 * 1024 * 1024, minimum=0, maximum=2**34
        ),
    )


def _redis(reader: _Reader) -> RedisSettings | None:
    """``GATEWAY_REDIS_URL`` and its companions; None when it is not set."""
    raw = reader.text("GATEWAY_REDIS_URL", ascii_only=True)
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError("GATEWAY_REDIS_URL must be a redis://, rediss:// or unix:// URL")
    if parts.scheme != "unix" and not parts.hostname:
        raise ConfigError("GATEWAY_REDIS_URL must name a host")
    if parts.username or parts.password:
        raise ConfigError(
            "GATEWAY_REDIS_URL must not carry credentials; use GATEWAY_REDIS_USERNAME and"
            " GATEWAY_REDIS_PASSWORD (the value is not shown)"
        )
    try:
        _ = parts.port
    except ValueError:
        raise ConfigError("GATEWAY_REDIS_URL has an invalid port") from None
    prefix = reader.text("GATEWAY_REDIS_KEY_PREFIX", "jobs-gateway:", ascii_only=True)
    assert prefix is not None
    return RedisSettings(
        url=raw,
        username=reader.text("GATEWAY_REDIS_USERNAME"),
        password=reader.text("GATEWAY_REDIS_PASSWORD"),
        timeout=reader.number("GATEWAY_REDIS_TIMEOUT", 0.25, minimum=0.01, maximum=60),
        key_prefix=prefix,
        create_lease=reader.number(
            "GATEWAY_CREATE_LOCK_LEASE_SECONDS", 5.0, minimum=0.1, maximum=600
        ),
        create_wait=reader.number("GATEWAY_CREATE_LOCK_WAIT_SECONDS", 10.0, minimum=0, maximum=600),
        create_record_seconds=reader.integer(
            "GATEWAY_CREATE_RECORD_SECONDS", 86_400, minimum=1, maximum=31_536_000
        ),
    )


def _cors_origins(reader: _Reader) -> tuple[str, ...]:
    """``GATEWAY_CORS_ORIGINS``: exact origins as browsers send them, or ``*`` alone."""
    key = "GATEWAY_CORS_ORIGINS"
    raw = reader.text(key, ascii_only=True)
    if raw is None:
        return ()
    given = [part.strip() for part in raw.split(",") if part.strip()]
    if "*" in given:
        if len(given) > 1:
            raise ConfigError(f"{key}: `*` allows every origin; give it alone or list origins")
        return ("*",)
    origins: list[str] = []
    for origin in given:
        parts = urlsplit(origin)
        # as a browser sends it: lowercase, no default port (CORS compares strings)
        normalized = normalize_origin(origin)
        if (
            normalized is None
            or parts.scheme.lower() not in {"http", "https"}
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username
            or parts.password
        ):
            raise ConfigError(
                f"{key}: {origin!r} is not an origin: give scheme://host[:port],"
                " with no path or trailing slash"
            )
        origins.append(normalized)
    return tuple(dict.fromkeys(origins))


def _trusted_documents(reader: _Reader) -> dict[str, str]:
    path = reader.text("GATEWAY_TRUSTED_DOCUMENTS")
    if path is None:
        return {}
    try:
        return read_manifest(path)
    except ManifestError as exc:
        raise ConfigError(f"GATEWAY_TRUSTED_DOCUMENTS: {exc}") from None


def _transport(reader: _Reader) -> str:
    value = (reader.text("GATEWAY_HTTP_TRANSPORT", "aiohttp") or "").lower()
    if value not in {"aiohttp", "httpcore"}:
        raise ConfigError(f"GATEWAY_HTTP_TRANSPORT must be 'aiohttp' or 'httpcore', got {value!r}")
    return value


def _log_format(reader: _Reader) -> str:
    value = (reader.text("GATEWAY_LOG_FORMAT", "auto") or "").lower()
    if value not in {"auto", "json", "text"}:
        raise ConfigError(f"GATEWAY_LOG_FORMAT must be 'auto', 'json' or 'text', got {value!r}")
    return value
