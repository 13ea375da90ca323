"""Persisted operations: a request's document by hash, and which documents are allowed.

:meth:`PersistedOperations.resolve` turns what a request carries (``query``,
``extensions``, ``documentId``) into the query text to run, or raises a
:class:`PersistedOperationError` with a code and an HTTP status. The view
calls it for GET and POST alike, the POST lane (:mod:`gateway.graphql_post_lane`)
for its requests, so that a hash-only POST of a known query still takes the
lane. Nothing here knows GraphQL: a text is only a string with a hash.

- Automatic persisted queries (Apollo's protocol, ``GATEWAY_APQ``):
  ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}``.
  Without ``query``, a known hash runs its stored text and an unknown one is
  ``PERSISTED_QUERY_NOT_FOUND`` (status 200, so Apollo clients send it again
  with the text); with ``query``, the text must have that hash and is stored
  in a :class:`PersistedQueryStore`.
- Trusted documents (``GATEWAY_TRUSTED_DOCUMENTS``, :mod:`gateway.trusted_documents`):
  their hashes are always known, by ``persistedQuery.sha256Hash`` or by the
  top-level ``documentId`` (``"sha256:<hex>"``, as in the GraphQL over HTTP
  persisted documents proposal). With ``GATEWAY_TRUSTED_DOCUMENTS_ONLY``
  every other document is refused with ``PERSISTED_QUERY_NOT_ALLOWED`` (403),
  APQ registrations included.

Across replicas (``GATEWAY_REDIS_URL``): APQ texts are also kept in Redis
(:class:`SharedQueries`), so a hash registered through one replica runs on
every other. Each process keeps its own bounded :class:`PersistedQueryStore`
in front: a hash found there never touches Redis. :meth:`PersistedOperations.resolve`
answers from that local store alone and raises :class:`NeedsSharedStore` when
Redis must be asked (a hash it does not know, a text to publish); the view
then calls :meth:`PersistedOperations.resolve_shared`, which does (the POST
lane declines such a request, so only the view waits on Redis). Redis down:
a miss is ``PERSISTED_QUERY_NOT_FOUND`` (the client sends the text again) and
a registration is kept locally; each failure is reported through
:meth:`gateway.shared_state.SharedState.failed` (feature ``apq``).

Trusted documents are not put in Redis: they are part of a deployment's
configuration (every replica reads the same manifest file, e.g. one
ConfigMap), and with ``GATEWAY_TRUSTED_DOCUMENTS_ONLY`` they are the
allowlist: taking them from Redis would let whoever can write to Redis run
any operation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException

from gateway.shared_state import RedisFailure, SharedState
from gateway.trusted_documents import is_sha256_hex, sha256_hex

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
BAD_REQUEST = "BAD_REQUEST"
DOCUMENT_ID_PREFIX = "sha256:"


class PersistedOperationError(HTTPException):
    """A request the persisted operations refuse: an HTTP status, a code, a message.

    Status 200 for the two answers Apollo's clients act on
    (``PERSISTED_QUERY_NOT_FOUND``: send the text too;
    ``PERSISTED_QUERY_NOT_SUPPORTED``: stop sending hashes).
    """

    def __init__(self, status_code: int, code: str, reason: str) -> None:
        super().__init__(status_code, reason)
        self.code = code


class NeedsSharedStore(PersistedOperationError):
    """Redis must be asked: the hash is not in this process's store, or a new text is to publish.

    A ``PERSISTED_QUERY_NOT_FOUND`` (200) to whoever does not ask Redis (the
    POST lane declines it; the view calls :meth:`PersistedOperations.resolve_shared`).
    """

    def __init__(self, sha256: str, text: str | None) -> None:
        super().__init__(200, NOT_FOUND, "PersistedQueryNotFound")
        self.sha256 = sha256
        self.text = text
        """The text to publish under ``sha256``; ``None``: look the hash up."""


class PersistedQueryStore:
    """Least-recently-used query texts by SHA-256, bounded like the document cache.

    At most ``max_entries`` texts and ``max_total_length`` characters of text
    in all; a text longer than ``max_text_length`` (the gateway's
    ``GATEWAY_MAX_QUERY_LENGTH``: one the schema would refuse anyway) is never kept.
    """

    def __init__(
        self,
        *,
        max_entries: int = 1024,
        max_text_length: int = 100_000,
        max_total_length: int = 1_000_000,
    ) -> None:
        self.max_entries = max_entries
        self.max_text_length = max_text_length
        self.max_total_length = max_total_length
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._total_length = 0

    def __len__(self) -> int:
        return len(self._texts)

    @property
    def total_length(self) -> int:
        """Characters of all the texts kept."""
        return self._total_length

    def get(self, sha256: str) -> str | None:
        """The text of ``sha256``, if kept (now the most recent)."""
        text = self._texts.get(sha256)
        if text is not None:
            self._texts.move_to_end(sha256)
        return text

    def put(self, sha256: str, text: str) -> None:
        """Keep ``text`` unless too long; forget the oldest beyond the bounds."""
        if len(text) > min(self.max_text_length, self.max_total_length) or self.max_entries <= 0:
            return
        if sha256 not in self._texts:
            self._total_length += len(text)
        self._texts[sha256] = text
        self._texts.move_to_end(sha256)
        while len(self._texts) > self.max_entries or self._total_length > self.max_total_length:
            _, oldest = self._texts.popitem(last=False)
            self._total_length -= len(oldest)


class SharedQueries:
    """APQ texts in Redis, by SHA-256, each for ``ttl`` seconds (``GATEWAY_APQ_TTL``)."""

    FEATURE = "apq"

    def __init__(self, shared: SharedState, *, ttl: int, max_text_length: int) -> None:
        self.shared = shared
        self.ttl = ttl
        self.max_text_length = max_text_length

    async def fetch(self, sha256: str) -> str | None:
        """The text of ``sha256`` in Redis; ``None`` when absent, unusable, or Redis is down."""
        try:
            raw = await self.shared.redis.get(self.shared.key(self.FEATURE, sha256))
        except RedisFailure as error:
            self.shared.failed(self.FEATURE, error)
            return None
        self.shared.succeeded()
        if not isinstance(raw, bytes) or len(raw) > 4 * self.max_text_length:
            return None
        text = raw.decode("utf-8", "surrogatepass")
        # whoever wrote the key, a hash never stands for another text
        return text if sha256_hex(text) == sha256 else None

    async def publish(self, sha256: str, text: str) -> None:
        """Keep ``text`` in Redis (its TTL renewed); Redis down: reported, not raised."""
        if len(text) > self.max_text_length:
            return
        try:
            await self.shared.redis.set(
                self.shared.key(self.FEATURE, sha256),
                text.encode("utf-8", "surrogatepass"),
                ex=self.ttl,
            )
        except RedisFailure as error:
            self.shared.failed(self.FEATURE, error)
            return
        self.shared.succeeded()


def _bad_request(reason: str) -> PersistedOperationError:
    return PersistedOperationError(400, BAD_REQUEST, reason)


def _persisted_query_hash(persisted: object) -> str:
    """The hash of a valid ``extensions.persistedQuery``."""
    if not isinstance(persisted, dict):
        raise _bad_request("`extensions.persistedQuery` must be a JSON object")
    version = persisted.get("version")
    if version != 1 or isinstance(version, bool):
        raise _bad_request("`extensions.persistedQuery.version` must be 1")
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not is_sha256_hex(sha256.lower()):
        raise _bad_request("`extensions.persistedQuery.sha256Hash` must be 64 hex digits")
    return sha256.lower()


def _document_id_hash(document_id: object) -> str:
    """The hash of a valid ``documentId``: ``"sha256:<hex>"``."""
    if isinstance(document_id, str) and document_id.startswith(DOCUMENT_ID_PREFIX):
        sha256 = document_id.removeprefix(DOCUMENT_ID_PREFIX).lower()
        if is_sha256_hex(sha256):
            return sha256
    raise _bad_request("`documentId` must be a string `sha256:` and 64 hex digits")


class PersistedOperations:
    """Resolves requests' documents against the APQ store and the trusted documents."""

    def __init__(
        self,
        *,
        apq: bool,
        trusted_documents: Mapping[str, str],
        trusted_only: bool,
        store: PersistedQueryStore | None = None,
        shared: SharedQueries | None = None,
    ) -> None:
        self.apq = apq
        self.trusted_documents = dict(trusted_documents)
        self.trusted_texts = frozenset(self.trusted_documents.values())
        self.trusted_only = trusted_only
        self.store = store if store is not None else PersistedQueryStore()
        self.shared = shared
        """APQ texts in Redis (``GATEWAY_REDIS_URL``); ``None``: this process's store alone."""

    def resolve(
        self, query: str | None, extensions: Mapping[str, Any] | None, document_id: object
    ) -> str | None:
        """The text to run (``None``: none given); raises :class:`PersistedOperationError`.

        From this process's store alone: :class:`NeedsSharedStore` when Redis
        must be asked (see :meth:`resolve_shared`).
        """
        persisted = extensions.get("persistedQuery") if extensions is not None else None
        if document_id is not None:
            if query is not None or persisted is not None:
                raise _bad_request("send `documentId` alone, without `query` or `persistedQuery`")
            return self._known(_document_id_hash(document_id), by_apq=False)
        if persisted is None:
            self._check_allowed(query)
            return query
        sha256 = _persisted_query_hash(persisted)
        if query is None:
            return self._known(sha256, by_apq=True)
        if sha256_hex(query) != sha256:
            raise _bad_request("the query's SHA-256 is not `persistedQuery.sha256Hash`")
        self._check_allowed(query)
        if self.apq and sha256 not in self.trusted_documents:
            if self.shared is not None and self.store.get(sha256) is None:
                raise NeedsSharedStore(sha256, query)
            self.store.put(sha256, query)
        return query

    async def resolve_shared(
        self, query: str | None, extensions: Mapping[str, Any] | None, document_id: object
    ) -> str | None:
        """:meth:`resolve`, asking Redis where this process's store cannot answer."""
        try:
            return self.resolve(query, extensions, document_id)
        except NeedsSharedStore as needed:
            assert self.shared is not None
            if needed.text is not None:
                self.store.put(needed.sha256, needed.text)
                await self.shared.publish(needed.sha256, needed.text)
                return needed.text
            text = await self.shared.fetch(needed.sha256)
            if text is None:
                raise PersistedOperationError(200, NOT_FOUND, "PersistedQueryNotFound") from None
            self._check_allowed(text)
            self.store.put(needed.sha256, text)
            return text

    def _known(self, sha256: str, *, by_apq: bool) -> str:
        """The text of a hash; unknown: not found, or APQ not supported when it is off."""
        text = self.trusted_documents.get(sha256)
        if text is None and self.apq:
            text = self.store.get(sha256)
        if text is not None:
            return text
        if self.apq and self.shared is not None and not self.trusted_only:
            # only the manifest runs by hash under trusted-only: never a text from Redis
            raise NeedsSharedStore(sha256, None)
        if by_apq and not self.apq:
            raise PersistedOperationError(200, NOT_SUPPORTED, "PersistedQueryNotSupported")
        raise PersistedOperationError(200, NOT_FOUND, "PersistedQueryNotFound")

    def _check_allowed(self, query: str | None) -> None:
        if self.trusted_only and query is not None and query not in self.trusted_texts:
            raise PersistedOperationError(
                403, NOT_ALLOWED, "only the trusted documents are accepted: this one is not"
            )
