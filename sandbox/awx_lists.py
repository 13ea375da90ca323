"""DRF list semantics of the AWX sandbox: field lookups, ordering and paging.

Filters follow AWX's ``FieldLookupBackend`` on every top-level field, ``order_by``
its ordering, and ``paginate`` its ``{count, next, previous, results}`` pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import Response

from sandbox.responses import JSONBody

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
RESERVED_PARAMS = frozenset(
    {
        "page",
        "page_size",
        "format",
        "order",
        "order_by",
        "search",
        "type",
        "host_filter",
        "count_disabled",
        "no_truncate",
        "limit",
    }
)
LOOKUPS = frozenset(
    {
        "exact",
        "iexact",
        "contains",
        "icontains",
        "startswith",
        "istartswith",
        "endswith",
        "iendswith",
        "regex",
        "iregex",
        "gt",
        "gte",
        "lt",
        "lte",
        "in",
        "isnull",
    }
)
Doc = dict[str, Any]
Predicate = Callable[[Doc], bool]


class ApiError(Exception):
    """An answer other than success: a status and a DRF-shaped body."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body

    @classmethod
    def detail(cls, status: int, message: str) -> ApiError:
        """``{"detail": message}``."""
        return cls(status, {"detail": message})

    def response(self) -> Response:
        """The error as an HTTP answer."""
        return JSONBody(self.body, status_code=self.status)


# -- field kinds and value conversion (AWX's FieldLookupBackend) ---------------------


class Resource:
    """What the list machinery needs to know about one kind of object."""

    def __init__(
        self,
        model: str,
        sample: Doc,
        *,
        foreign_keys: Iterable[str],
        datetimes: Iterable[str],
        search_fields: tuple[str, ...],
        overrides: dict[str, str] | None = None,
    ) -> None:
        self.model = model
        self.search_fields = search_fields
        fks = set(foreign_keys)
        dts = set(datetimes)
        kinds: dict[str, str] = {}
        for name, value in sample.items():
            if name in ("type", "url") or isinstance(value, dict):
                continue
            if name == "id":
                kinds[name] = "pk"
            elif name in fks:
                kinds[name] = "fk"
            elif name in dts:
                kinds[name] = "datetime"
            elif isinstance(value, bool):
                kinds[name] = "bool"
            elif isinstance(value, int):
                kinds[name] = "int"
            elif isinstance(value, float):
                kinds[name] = "decimal"
            elif isinstance(value, list):
                kinds[name] = "m2m"
            else:
                kinds[name] = "text"
        kinds.update(overrides or {})
        self.kinds = kinds

    def kind(self, name: str) -> str:
        """The kind of field ``name``; 400 when there is no such field."""
        if name == "pk":
            return "pk"
        kind = self.kinds.get(name)
        if kind is None:
            raise ApiError.detail(400, f"{self.model} has no field named '{name}'")
        return kind


def _validation_detail(message: str) -> ApiError:
    """A Django ``ValidationError`` turned into AWX's ``ParseError``."""
    return ApiError.detail(400, json.dumps([message], ensure_ascii=False))


def _to_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1", "t"):
        return True
    if lowered in ("false", "0", "f"):
        return False
    raise ApiError.detail(400, f'Unable to convert "{value}" to boolean')


def _to_datetime_text(value: str) -> str:
    """A query datetime in the documents' own form, so text comparison is time order."""
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        raise _validation_detail(
            f"“{value}” value has an invalid format. It must be in "
            "YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _convert(field: str, kind: str, value: str) -> Any:
    if kind == "bool":
        return _to_bool(value)
    if kind in ("fk", "m2m"):
        if value.lower() in ("none", "null"):
            return None
        try:
            return int(value)
        except ValueError:
            raise ApiError.detail(400, f"Invalid {field} id: {value}") from None
    if kind in ("pk", "int"):
        try:
            return int(value)
        except ValueError:
            raise _validation_detail(f"“{value}” value must be an integer.") from None
    if kind == "decimal":
        try:
            return float(value)
        except ValueError:
            raise _validation_detail(f"“{value}” value must be a decimal number.") from None
    if kind == "datetime":
        return _to_datetime_text(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _compile_lookup(resource: Resource, key: str, raw: str) -> Predicate:
    """One ``field__lookup=value`` query parameter as a predicate on documents."""
    path, _, suffix = key.rpartition("__")
    if not path or suffix not in LOOKUPS:
        path, suffix = key, "exact"
    if not path:
        raise ApiError.detail(400, "Query string field name not provided.")
    if "__" in path:
        head = path.split("__", 1)[0]
        if head in resource.kinds:
            raise ApiError.detail(400, f"Related field got invalid lookup: {path.split('__')[1]}")
        raise ApiError.detail(400, f"{resource.model} has no field named '{head}'")
    kind = resource.kind(path)
    field = "id" if path == "pk" else path

    if suffix == "isnull":
        wanted = _to_bool(raw)
        if kind == "m2m":
            return lambda doc: (not doc[field]) is wanted
        return lambda doc: (doc[field] is None) is wanted
    if suffix == "in":
        if not raw:
            raise ApiError.detail(400, "cannot provide empty value for __in")
        items = {_convert(field, kind, item) for item in raw.split(",")}
        if kind == "m2m":
            return lambda doc: any(v in items for v in doc[field])
        return lambda doc: doc[field] in items
    if suffix in ("regex", "iregex"):
        try:
            pattern = re.compile(raw, re.IGNORECASE if suffix == "iregex" else 0)
        except re.error as exc:
            raise ApiError.detail(400, str(exc.args[0])) from None
        return lambda doc: doc[field] is not None and pattern.search(_text(doc[field])) is not None
    if suffix == "iexact":
        if kind != "text":
            raise ApiError.detail(
                400,
                f"{field} is not a text field and cannot be filtered by case-insensitive search",
            )
        lowered = raw.lower()
        return lambda doc: doc[field] is not None and str(doc[field]).lower() == lowered
    if suffix in ("contains", "icontains", "startswith", "istartswith", "endswith", "iendswith"):
        insensitive = suffix.startswith("i")
        needle = raw.lower() if insensitive else raw
        test = suffix.removeprefix("i")

        def text_match(doc: Doc) -> bool:
            value = doc[field]
            if value is None:
                return False
            hay = _text(value).lower() if insensitive else _text(value)
            if test == "contains":
                return needle in hay
            if test == "startswith":
                return hay.startswith(needle)
            return hay.endswith(needle)

        return text_match
    value = _convert(field, kind, raw)
    if suffix == "exact":
        if kind == "m2m":
            return lambda doc: value in doc[field]
        return lambda doc: doc[field] == value
    if value is None:  # ``gt=null`` never matches, as in SQL
        return lambda doc: False
    if suffix == "gt":
        return lambda doc: doc[field] is not None and doc[field] > value
    if suffix == "gte":
        return lambda doc: doc[field] is not None and doc[field] >= value
    if suffix == "lt":
        return lambda doc: doc[field] is not None and doc[field] < value
    return lambda doc: doc[field] is not None and doc[field] <= value


def _search_predicate(resource: Resource, values: list[str]) -> Predicate | None:
    terms = [term.lower() for value in values for term in value.replace(",", " ").split()]
    if not terms:
        return None
    fields = resource.search_fields

    def matches(doc: Doc) -> bool:
        texts = [str(doc[f]).lower() for f in fields if doc.get(f) is not None]
        return all(any(term in text for text in texts) for term in terms)

    return matches


def build_filter(resource: Resource, request: Request) -> Predicate | None:
    """All the filters of a list request, joined as AWX joins them."""
    and_filters: list[Predicate] = []
    or_filters: list[Predicate] = []
    search_values: list[str] = []
    for key, raw in request.query_params.multi_items():
        if key == "search":
            search_values.append(raw)
            continue
        if key in RESERVED_PARAMS:
            continue
        is_or = key.startswith("or__")
        if is_or:
            key = key[4:]
        elif key.startswith("chain__"):
            key = key[7:]
        negate = key.startswith("not__")
        if negate:
            key = key[5:]
        try:
            key.encode("ascii")
        except UnicodeEncodeError:
            raise ApiError.detail(
                400, f"{key!r} is not an allowed field name. Must be ascii encodable."
            ) from None
        predicate = _compile_lookup(resource, key, raw)
        if negate:
            predicate = _negate(predicate)
        (or_filters if is_or else and_filters).append(predicate)
    if or_filters:
        alternatives = tuple(or_filters)
        and_filters.append(lambda doc: any(p(doc) for p in alternatives))
    search = _search_predicate(resource, search_values)
    if search is not None:
        and_filters.append(search)
    if not and_filters:
        return None
    if len(and_filters) == 1:
        return and_filters[0]
    everything = tuple(and_filters)
    return lambda doc: all(p(doc) for p in everything)


def _negate(predicate: Predicate) -> Predicate:
    return lambda doc: not predicate(doc)


def _sort_key(field: str) -> Callable[[Doc], tuple[bool, Any]]:
    # NULLs after everything ascending and before everything descending, as PostgreSQL.
    def key(doc: Doc) -> tuple[bool, Any]:
        value = doc[field]
        return (value is None, 0 if value is None else value)

    return key


def order_docs(resource: Resource, request: Request, docs: list[Doc]) -> list[Doc]:
    """``docs`` (in id order) in the order ``order_by`` (or ``order``) asks for."""
    raw = None
    for key, value in request.query_params.multi_items():
        if key in ("order", "order_by"):
            raw = value
    if not raw:
        return docs
    fields: list[tuple[str, bool]] = []
    for item in raw.split(","):
        item = item.strip()
        descending = item.startswith("-")
        name = item[1:] if descending else item
        if name in ("type", "-type"):
            continue
        resource.kind(name)
        fields.append(("id" if name == "pk" else name, descending))
    if not fields:
        return docs
    ordered = list(docs)
    if fields[0][1]:
        ordered.reverse()  # ties broken by id in the first field's direction
    for name, descending in reversed(fields):
        if name != "id":
            ordered.sort(key=_sort_key(name), reverse=descending)
        else:
            ordered.sort(key=lambda doc: doc["id"], reverse=descending)
    return ordered


def _page_size(request: Request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        return DEFAULT_PAGE_SIZE
    if size <= 0:
        return DEFAULT_PAGE_SIZE
    return min(size, MAX_PAGE_SIZE)


def _page_link(request: Request, page: int) -> str:
    query: dict[str, list[str]] = {}
    for key, value in parse_qsl(request.url.query, keep_blank_values=True):
        query.setdefault(key, []).append(value)
    sizes = query.get("page_size")
    if sizes:
        try:
            if int(sizes[-1]) > MAX_PAGE_SIZE:
                query["page_size"] = [str(MAX_PAGE_SIZE)]
        except ValueError:
            pass
    query["page"] = [str(page)]
    return f"{request.url.path}?{urlencode(sorted(query.items()), doseq=True)}"


def paginate(request: Request, docs: list[Doc]) -> Doc:
    """One page of ``docs`` in AWX's envelope; 404 ``Invalid page.`` out of range."""
    size = _page_size(request)
    count = len(docs)
    pages = max(1, -(-count // size))
    raw = request.query_params.get("page", "1")
    if raw == "last":
        page = pages
    else:
        try:
            page = int(raw)
        except ValueError:
            raise ApiError.detail(404, "Invalid page.") from None
    if page < 1 or page > pages:
        raise ApiError.detail(404, "Invalid page.")
    start = (page - 1) * size
    return {
        "count": count,
        "next": _page_link(request, page + 1) if page < pages else None,
        "previous": _page_link(request, page - 1) if page > 1 else None,
        "results": docs[start : start + size],
    }


def list_answer(resource: Resource, request: Request, docs: list[Doc]) -> Response:
    """Filter, order and page ``docs`` for a list request."""
    predicate = build_filter(resource, request)
    if predicate is not None:
        docs = [doc for doc in docs if predicate(doc)]
    docs = order_docs(resource, request, docs)
    return JSONBody(paginate(request, docs))


# -- request bodies and validation (Django REST framework) ----------------------------
