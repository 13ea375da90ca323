"""The response cache's keys, lookups, stores and invalidations.

See :mod:`gateway.response_cache` for what is cached, under which key, and when it is dropped.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from graphql import DocumentNode, OperationDefinitionNode, OperationType, print_ast

from gateway.config import AuthMode, Settings
from gateway.response_cache.policy import read_systems, written_systems
from gateway.response_cache.stores import (
    LocalStore,
    RedisStore,
    ResponseStore,
    StoreUnavailable,
)
from gateway.shared_state import SharedState
from gateway.upstream_names import Upstream

logger = logging.getLogger("gateway.response_cache")

HIT, MISS, UNAVAILABLE = "hit", "miss", "unavailable"


class CacheObserver(Protocol):
    """What the metrics hear of the cache (see :mod:`gateway.observability.metrics`)."""

    def response_cache_lookup(self, outcome: str) -> None: ...

    def response_cache_invalidated(self, system: str) -> None: ...


@dataclass(frozen=True, slots=True)
class CachePlan:
    """What the cache does with one operation of a checked document (made once per operation).

    A query: ``systems`` are those its fields read and ``digest`` names its
    canonical text and operation name. A mutation: ``systems`` are those it
    may change (``digest`` unused).
    """

    mutation: bool
    systems: tuple[str, ...]
    digest: bytes


@dataclass(slots=True)
class Ticket:
    """One cacheable query's lookup: its answer on a hit, else how to store the answer."""

    key: str
    generations: tuple[int, ...] | None
    """``None``: the store could not be read (Redis down); the answer is not stored either."""
    data: dict[str, Any] | None = None
    age: float = 0.0

    @property
    def hit(self) -> bool:
        return self.data is not None


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def _variables_json(variables: dict[str, Any] | None) -> bytes:
    if not variables:
        return b"{}"
    try:
        return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return repr(sorted(variables.items())).encode()


class ResponseCache:
    """Looks answers up, stores them and drops them when a mutation ran."""

    def __init__(
        self,
        store: ResponseStore,
        *,
        ttl: float,
        per_caller: bool,
        observer: CacheObserver | None = None,
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.per_caller = per_caller
        """Whether the caller's identity is part of the key (an upstream in ``forward`` mode)."""
        self.observer = observer

    def plan(self, document: DocumentNode, operation_name: str | None) -> CachePlan | None:
        """The plan of one operation; ``None``: the cache has nothing to do with it."""
        operation = _operation(document, operation_name)
        if operation is None:
            return None
        if operation.operation is OperationType.MUTATION:
            return CachePlan(mutation=True, systems=written_systems(operation), digest=b"")
        if operation.operation is not OperationType.QUERY:
            return None
        systems = read_systems(operation)
        if systems is None:
            return None
        # the operation found, not how it was asked for (the pipeline fills the name in)
        name = operation.name.value if operation.name is not None else ""
        canonical = print_ast(document)
        digest = hashlib.sha256(f"{canonical}\0{name}".encode("utf-8", "surrogatepass")).digest()
        return CachePlan(mutation=False, systems=systems, digest=digest)

    def key(self, plan: CachePlan, variables: dict[str, Any] | None, context: object) -> str:
        """The entry's key: SHA-256 of the document's digest, variables and (maybe) the caller."""
        hasher = hashlib.sha256(plan.digest)
        hasher.update(b"\0")
        hasher.update(_variables_json(variables))
        if self.per_caller:
            authorization = getattr(context, "authorization", None) or ""
            hasher.update(b"\0caller\0")
            hasher.update(hashlib.sha256(authorization.encode("utf-8", "surrogatepass")).digest())
        return hasher.hexdigest()

    async def lookup(
        self, plan: CachePlan, variables: dict[str, Any] | None, context: object
    ) -> Ticket:
        """The query's cached answer (``ticket.hit``), or how to store the one it will get."""
        key = self.key(plan, variables, context)
        try:
            found = await self.store.lookup(key, plan.systems)
        except StoreUnavailable:
            self._count(UNAVAILABLE)
            return Ticket(key, None)
        if found.data is None:
            self._count(MISS)
            return Ticket(key, found.generations)
        self._count(HIT)
        data = orjson.loads(found.data)
        return Ticket(key, found.generations, data=data, age=found.age)

    async def keep(
        self, plan: CachePlan, ticket: Ticket, data: dict[str, Any] | None, has_errors: bool
    ) -> None:
        """Store an answer that has data and no errors (never after a failed lookup)."""
        if ticket.generations is None or data is None or has_errors:
            return
        try:
            await self.store.store(ticket.key, plan.systems, ticket.generations, orjson.dumps(data))
        except StoreUnavailable:
            pass  # reported by the store; the next lookup misses
        except TypeError:
            logger.warning("an answer could not be encoded for the response cache")

    async def mutated(self, plan: CachePlan) -> None:
        """A mutation ran: the answers that read its systems are misses from now on."""
        try:
            await self.store.invalidate(plan.systems)
        except StoreUnavailable:
            return  # reported by the store; the stale answers expire within the TTL
        if self.observer is not None:
            for system in plan.systems:
                self.observer.response_cache_invalidated(system)

    @staticmethod
    def hit_extensions(ticket: Ticket) -> dict[str, Any]:
        """The answer's ``extensions`` entry on a hit."""
        return {"responseCache": {"hit": True, "ageSeconds": round(ticket.age, 3)}}

    def _count(self, outcome: str) -> None:
        if self.observer is not None:
            self.observer.response_cache_lookup(outcome)


def build_response_cache(
    settings: Settings, shared: SharedState | None, *, observer: CacheObserver | None = None
) -> ResponseCache | None:
    """The app's response cache: in Redis when shared, else in the process; ``None`` at TTL 0."""
    if settings.cache_ttl <= 0:
        return None
    max_entry_bytes = settings.cache_max_bytes // 16
    store: ResponseStore
    if shared is not None:
        store = RedisStore(shared, ttl=settings.cache_ttl, max_entry_bytes=max_entry_bytes)
    else:
        store = LocalStore(ttl=settings.cache_ttl, max_bytes=settings.cache_max_bytes)
    per_caller = any(settings.upstream(name).auth_mode is AuthMode.FORWARD for name in Upstream)
    return ResponseCache(store, ttl=settings.cache_ttl, per_caller=per_caller, observer=observer)
