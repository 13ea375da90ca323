"""AWX (Ansible automation controller) sandbox: the ``/api/v2/`` endpoints the gateway uses.

Contract (what the gateway may rely on, as real AWX does it):

- ``GET /api/v2/job_templates/``, ``/job_templates/{id}/``;
  ``GET``/``POST /api/v2/job_templates/{id}/slice_workflow_jobs/``;
  ``GET``/``POST /api/v2/job_templates/{id}/launch/``;
  ``GET /api/v2/workflow_jobs/``, ``/workflow_jobs/{id}/``,
  ``/workflow_jobs/{id}/workflow_nodes/``, ``GET``/``POST
  /workflow_jobs/{id}/cancel/`` (202, or 405 when it cannot be canceled);
  ``GET /api/v2/workflow_job_nodes/``, ``/workflow_job_nodes/{id}/``;
  ``GET /api/v2/jobs/{id}/`` (jobs launched through this API).
- Lists answer ``{count, next, previous, results}``; ``next``/``previous`` are
  the request path with the query string re-encoded (keys sorted, ``page``
  replaced, ``page_size`` capped) as AWX writes them. ``page`` is 1-based
  (``last`` allowed; out of range: 404 ``{"detail": "Invalid page."}``);
  ``page_size`` defaults to 25 and is silently capped at 200.
- Filters follow AWX's field lookups on every top-level field:
  ``field=``, ``field__in=a,b``, ``__gt``/``__gte``/``__lt``/``__lte``,
  ``__exact``/``__iexact``/``__contains``/``__icontains``/``__startswith``/
  ``__istartswith``/``__endswith``/``__iendswith``/``__regex``/``__iregex``,
  ``__isnull``; ``not__`` negates, ``or__`` joins with OR; ``search=`` matches
  every term against name and description; ``order_by=`` (or ``order=``)
  takes comma-separated fields, ``-`` for descending. Unknown fields and
  malformed values answer 400 ``{"detail": ...}`` with AWX's messages.
- Errors use Django REST framework's shapes: ``{"detail": "..."}`` for
  401/403/404/405/415, validation ``{"field": ["message", ...]}`` with
  non-field errors under ``__all__``.
- Authentication: ``Authorization: Bearer <token>`` or basic auth with the
  token as password; 401 carries ``WWW-Authenticate: Bearer realm=api``.

Deviations from real AWX (on purpose):

- ``POST /job_templates/{id}/slice_workflow_jobs/`` creates a workflow job
  (real AWX answers 403 to everyone); it is still denied (403) on the
  templates whose ``summary_fields.user_capabilities.start`` is false, as is
  ``/launch/``. The created workflow job has no nodes.
- The default ordering is ``id`` everywhere, and ties of ``order_by`` are
  broken by ``id`` in the direction of the first ordering field.
- Jobs created through the API move on the sandbox clock: ``pending``, then
  ``running``, then ``successful``. Seeded data never changes except by cancel.
- ``extra_vars`` is stored as the JSON text of the parsed variables; YAML is
  understood only as flat ``key: value`` lines.
- Only the endpoints above exist; related links to other resources (users,
  inventories, labels, ...) are given but not served. Filters on related
  objects' fields (``job_template__name``) are not supported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.sandbox.auth import AuthPolicy
from gateway.sandbox.awx_data import (
    CANCELABLE_STATUSES,
    CREDENTIALS,
    INVENTORIES,
    WEBHOOK_SERVICES,
    AwxStore,
    JobTemplate,
)
from gateway.sandbox.awx_openapi import build_openapi
from gateway.sandbox.clock import utc_now
from gateway.sandbox.harness import build_sandbox_app
from gateway.sandbox.responses import JSONBody
from gateway.sandbox.settings import SandboxSettings

API = "/api/v2"
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
NOT_FOUND = "Not found."
FORBIDDEN = "You do not have permission to perform this action."
UNAUTHORIZED = "Authentication credentials were not provided."

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

_TRUE = frozenset({"t", "y", "yes", "true", "on", "1"})
_FALSE = frozenset({"f", "n", "no", "false", "off", "0"})


async def read_body(request: Request) -> Any:
    """The request's data: JSON (or a form); DRF's 400/415 answers otherwise."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if not raw.strip():
        return {}
    if media == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    if media not in ("", "application/json") and not media.endswith("+json"):
        raise ApiError.detail(415, f'Unsupported media type "{content_type}" in request.')
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError.detail(400, f"JSON parse error - {exc}") from None


def require_mapping(data: Any) -> dict[str, Any]:
    """DRF's answer to a body that is not an object."""
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ApiError(400, {"__all__": [f"Invalid data. Expected a dictionary, but got {kind}."]})
    return data


class Validator:
    """Collects DRF-style per-field errors while reading a request body."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}
        self.values: dict[str, Any] = {}

    def fail(self, name: str, message: str) -> None:
        """Record an error for ``name``."""
        self.errors.setdefault(name, []).append(message)

    def raise_if_invalid(self) -> None:
        """400 with every field error."""
        if self.errors:
            raise ApiError(400, self.errors)

    def char(self, name: str, *, required: bool = False, max_length: int | None = None) -> None:
        """A string field (blank allowed unless required; whitespace trimmed)."""
        if name not in self.data:
            if required:
                self.fail(name, "This field is required.")
            return
        value = self.data[name]
        if value is None:
            self.fail(name, "This field may not be null.")
            return
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(name, "Not a valid string.")
            return
        text = str(value).strip()
        if required and not text:
            self.fail(name, "This field may not be blank.")
            return
        if max_length is not None and len(text) > max_length:
            self.fail(name, f"Ensure this field has no more than {max_length} characters.")
            return
        self.values[name] = text

    def boolean(self, name: str) -> None:
        """A boolean field, with DRF's accepted spellings."""
        if name not in self.data:
            return
        value = self.data[name]
        if value is None:
            self.fail(name, "This field may not be null.")
        elif value is True or value is False:
            self.values[name] = value
        elif isinstance(value, int | str) and str(value).lower() in _TRUE:
            self.values[name] = True
        elif isinstance(value, int | str) and str(value).lower() in _FALSE:
            self.values[name] = False
        else:
            self.fail(name, "Must be a valid boolean.")

    def choice(self, name: str, choices: Iterable[str]) -> None:
        """A choice field."""
        if name not in self.data:
            return
        value = self.data[name]
        if value is None:
            self.fail(name, "This field may not be null.")
        elif not isinstance(value, str) or value not in set(choices):
            self.fail(name, f'"{value}" is not a valid choice.')
        else:
            self.values[name] = value

    def pk(self, name: str, exists: Callable[[int], bool]) -> None:
        """A nullable primary-key reference that must exist."""
        if name not in self.data:
            return
        value = self.data[name]
        if value is None:
            self.values[name] = None
            return
        if isinstance(value, bool) or not isinstance(value, int | str):
            self.fail(name, f"Incorrect type. Expected pk value, received {type(value).__name__}.")
            return
        try:
            number = int(value)
        except ValueError:
            self.fail(name, f"Incorrect type. Expected pk value, received {type(value).__name__}.")
            return
        if not exists(number):
            self.fail(name, f'Invalid pk "{value}" - object does not exist.')
            return
        self.values[name] = number

    def variables(self, name: str) -> None:
        """``extra_vars``: an object, or JSON/YAML text of one; kept as JSON text."""
        if name not in self.data:
            return
        value = self.data[name]
        if value is None or value == "":
            self.values[name] = "{}"
            return
        if isinstance(value, dict):
            self.values[name] = json.dumps(value)
            return
        if not isinstance(value, str):
            self.fail(name, "Not a valid string.")
            return
        try:
            self.values[name] = json.dumps(parse_variables(value))
        except ValueError as exc:
            self.fail(name, str(exc))


def parse_variables(text: str) -> dict[str, Any]:
    """AWX's ``parse_yaml_or_json``: JSON first, then (flat) YAML; must give a mapping."""
    try:
        parsed = json.loads(text)
        if not isinstance(parsed, dict):
            raise TypeError(f"Input type `{type(parsed).__name__}` is not a dictionary")
        return parsed
    except (ValueError, TypeError) as json_error:
        try:
            return _parse_flat_yaml(text)
        except (ValueError, TypeError) as yaml_error:
            raise ValueError(
                f"Cannot parse as JSON (error: {json_error}) or YAML (error: {yaml_error})."
            ) from None


_YAML_KEY = re.compile(r"^([A-Za-z_][\w.-]*|\"[^\"]*\"|'[^']*')\s*:(?:\s+(.*))?$")


def _parse_flat_yaml(text: str) -> dict[str, Any]:
    lines = [line.rstrip() for line in text.splitlines()]
    meaningful = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if meaningful and meaningful[0].strip() == "---":
        meaningful = meaningful[1:]
    if not meaningful:
        return {}
    if len(meaningful) == 1 and not _YAML_KEY.match(meaningful[0]):
        raise TypeError(
            f"Input type `{type(_yaml_scalar(meaningful[0])).__name__}` is not a dictionary"
        )
    result: dict[str, Any] = {}
    for number, line in enumerate(meaningful, start=1):
        match = _YAML_KEY.match(line)
        if match is None:
            raise ValueError(f"mapping values are not allowed here (line {number})")
        key = match.group(1).strip("\"'")
        result[key] = _yaml_scalar(match.group(2) or "")
    return result


def _yaml_scalar(raw: str) -> Any:
    text = raw.split(" #", 1)[0].strip()
    lowered = text.lower()
    if text in ("", "~") or lowered == "null":
        return None
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    if text[0] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


# -- the application ------------------------------------------------------------------


class AwxApi:
    """The views of one AWX sandbox over its :class:`AwxStore`."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.store = AwxStore(settings.seed)
        self.workflow_job_resource = Resource(
            "WorkflowJob",
            next(iter(self.store.workflow_jobs.values())).doc,
            foreign_keys=(
                "unified_job_template",
                "workflow_job_template",
                "job_template",
                "inventory",
                "webhook_credential",
            ),
            datetimes=("created", "modified", "started", "finished", "canceled_on"),
            search_fields=("name", "description"),
            overrides={"work_unit_id": "text"},
        )
        self.node_resource = Resource(
            "WorkflowJobNode",
            next(iter(self.store.nodes.values())).doc,
            foreign_keys=(
                "workflow_job",
                "unified_job_template",
                "job",
                "inventory",
                "execution_environment",
            ),
            datetimes=("created", "modified"),
            search_fields=("identifier",),
            overrides={
                "verbosity": "int",
                "diff_mode": "bool",
                "forks": "int",
                "job_slice_count": "int",
                "timeout": "int",
            },
        )
        self.template_resource = Resource(
            "JobTemplate",
            next(iter(self.store.job_templates.values())).doc,
            foreign_keys=(
                "inventory",
                "project",
                "organization",
                "webhook_credential",
                "execution_environment",
            ),
            datetimes=("created", "modified", "last_job_run", "next_job_run"),
            search_fields=("name", "description", "playbook"),
            overrides={"custom_virtualenv": "text"},
        )

    def reset(self) -> None:
        """Regenerate the seeded data (``POST /_sandbox/reset {"data": true}``)."""
        self.store.regenerate()

    # -- lookups -------------------------------------------------------------------

    def template(self, request: Request) -> JobTemplate:
        """The job template of the path, or 404."""
        template = self.store.job_templates.get(_path_id(request))
        if template is None:
            raise ApiError.detail(404, NOT_FOUND)
        return template

    def startable_template(self, request: Request) -> JobTemplate:
        """The job template of the path if the caller may start it (404, 403)."""
        template = self.template(request)
        if not template.can_start:
            raise ApiError.detail(403, FORBIDDEN)
        return template

    def workflow_job_docs(self) -> list[Doc]:
        """Every workflow job, current, in id order."""
        return [record.document() for record in self.store.workflow_jobs.values()]

    def node_docs(self, workflow_job: int | None = None) -> list[Doc]:
        """Every node (or a workflow job's nodes), current, in id order."""
        if workflow_job is not None:
            record = self.store.workflow_jobs.get(workflow_job)
            if record is None:
                raise ApiError.detail(404, NOT_FOUND)
            return [self.store.nodes[n].document() for n in record.node_ids]
        return [node.document() for node in self.store.nodes.values()]

    # -- views ---------------------------------------------------------------------

    async def root(self, request: Request) -> Response:
        return JSONBody(
            {
                "ping": f"{API}/ping/",
                "job_templates": f"{API}/job_templates/",
                "jobs": f"{API}/jobs/",
                "workflow_jobs": f"{API}/workflow_jobs/",
                "workflow_job_nodes": f"{API}/workflow_job_nodes/",
            }
        )

    async def job_templates(self, request: Request) -> Response:
        docs = [t.doc for t in self.store.job_templates.values()]
        return list_answer(self.template_resource, request, docs)

    async def job_template(self, request: Request) -> Response:
        return JSONBody(self.template(request).doc)

    async def slice_workflow_jobs(self, request: Request) -> Response:
        if request.method == "GET":
            template = self.template(request)
            docs = [d for d in self.workflow_job_docs() if d["job_template"] == template.id]
            return list_answer(self.workflow_job_resource, request, docs)
        template = self.startable_template(request)
        data = require_mapping(await read_body(request))
        check = Validator(data)
        check.char("name", required=True, max_length=512)
        check.char("description")
        check.pk("workflow_job_template", lambda pk: pk in self.store.workflow_job_templates)
        check.variables("extra_vars")
        check.boolean("allow_simultaneous")
        check.boolean("is_sliced_job")
        check.pk("inventory", lambda pk: pk in INVENTORIES)
        check.char("limit")
        check.char("scm_branch")
        check.choice("webhook_service", WEBHOOK_SERVICES)
        check.pk("webhook_credential", lambda pk: pk in CREDENTIALS)
        check.char("webhook_guid", max_length=128)
        check.char("skip_tags")
        check.char("job_tags")
        check.raise_if_invalid()
        record = self.store.create_workflow_job(
            template, check.values, progress_seconds=self.settings.progress_seconds
        )
        doc = record.document()
        return JSONBody(doc, status_code=201, headers={"location": doc["url"]})

    async def launch(self, request: Request) -> Response:
        template = self.template(request)
        t = template.doc
        if request.method == "GET":
            return JSONBody(_launch_info(template))
        template = self.startable_template(request)
        data = require_mapping(await read_body(request))
        prompts = {
            "extra_vars": "ask_variables_on_launch",
            "inventory": "ask_inventory_on_launch",
            "limit": "ask_limit_on_launch",
            "job_tags": "ask_tags_on_launch",
            "skip_tags": "ask_skip_tags_on_launch",
            "scm_branch": "ask_scm_branch_on_launch",
        }
        ignored: dict[str, Any] = {}
        accepted: dict[str, Any] = {}
        for name, value in data.items():
            if name in prompts and t[prompts[name]]:
                accepted[name] = value
            elif name in prompts:
                ignored[name] = value
        check = Validator(accepted)
        check.variables("extra_vars")
        check.pk("inventory", lambda pk: pk in INVENTORIES)
        for name in ("limit", "job_tags", "skip_tags", "scm_branch"):
            check.char(name)
        check.raise_if_invalid()
        values = dict(check.values)
        if values.get("inventory") is None:
            values["inventory"] = t["inventory"]
        progress = self.settings.progress_seconds
        if template.slice_count > 1:
            values.setdefault("limit", t["limit"])
            values.setdefault("job_tags", t["job_tags"])
            values.setdefault("skip_tags", t["skip_tags"])
            values["allow_simultaneous"] = t["allow_simultaneous"]
            record = self.store.create_workflow_job(
                template, values, progress_seconds=progress, slices=template.slice_count
            )
            doc = record.document()
            body = {"workflow_job": doc["id"], "ignored_fields": ignored, **doc}
        else:
            record = self.store.launch_job(template, values, progress_seconds=progress)
            doc = record.document()
            body = {"job": doc["id"], "ignored_fields": ignored, **doc}
        return JSONBody(body, status_code=201, headers={"location": doc["url"]})

    async def workflow_jobs(self, request: Request) -> Response:
        return list_answer(self.workflow_job_resource, request, self.workflow_job_docs())

    async def workflow_job(self, request: Request) -> Response:
        record = self.store.workflow_jobs.get(_path_id(request))
        if record is None:
            raise ApiError.detail(404, NOT_FOUND)
        return JSONBody(record.document())

    async def workflow_job_nodes_of(self, request: Request) -> Response:
        docs = self.node_docs(_path_id(request))
        return list_answer(self.node_resource, request, docs)

    async def cancel(self, request: Request) -> Response:
        record = self.store.workflow_jobs.get(_path_id(request))
        if record is None:
            raise ApiError.detail(404, NOT_FOUND)
        can_cancel = record.document()["status"] in CANCELABLE_STATUSES
        if request.method == "GET":
            return JSONBody({"can_cancel": can_cancel})
        if not can_cancel:
            raise ApiError.detail(405, 'Method "POST" not allowed.')
        record.cancel(utc_now())
        return Response(status_code=202)

    async def workflow_job_nodes(self, request: Request) -> Response:
        return list_answer(self.node_resource, request, self.node_docs())

    async def workflow_job_node(self, request: Request) -> Response:
        node = self.store.nodes.get(_path_id(request))
        if node is None:
            raise ApiError.detail(404, NOT_FOUND)
        return JSONBody(node.document())

    async def job(self, request: Request) -> Response:
        record = self.store.jobs.get(_path_id(request))
        if record is None:
            raise ApiError.detail(404, NOT_FOUND)
        return JSONBody(record.document())

    def routes(self) -> list[Route]:
        """The upstream's routes, each answering :class:`ApiError` in DRF's shape."""
        table: list[tuple[str, Callable[[Request], Any], list[str]]] = [
            (f"{API}/", self.root, ["GET"]),
            (f"{API}/job_templates/", self.job_templates, ["GET"]),
            (f"{API}/job_templates/{{id}}/", self.job_template, ["GET"]),
            (
                f"{API}/job_templates/{{id}}/slice_workflow_jobs/",
                self.slice_workflow_jobs,
                ["GET", "POST"],
            ),
            (f"{API}/job_templates/{{id}}/launch/", self.launch, ["GET", "POST"]),
            (f"{API}/workflow_jobs/", self.workflow_jobs, ["GET"]),
            (f"{API}/workflow_jobs/{{id}}/", self.workflow_job, ["GET"]),
            (
                f"{API}/workflow_jobs/{{id}}/workflow_nodes/",
                self.workflow_job_nodes_of,
                ["GET"],
            ),
            (f"{API}/workflow_jobs/{{id}}/cancel/", self.cancel, ["GET", "POST"]),
            (f"{API}/workflow_job_nodes/", self.workflow_job_nodes, ["GET"]),
            (f"{API}/workflow_job_nodes/{{id}}/", self.workflow_job_node, ["GET"]),
            (f"{API}/jobs/{{id}}/", self.job, ["GET"]),
        ]
        return [
            Route(path, _answering_errors(view), methods=methods) for path, view, methods in table
        ]


def _launch_info(template: JobTemplate) -> Doc:
    t = template.doc
    return {
        "can_start_without_user_input": True,
        "passwords_needed_to_start": [],
        "ask_scm_branch_on_launch": t["ask_scm_branch_on_launch"],
        "ask_variables_on_launch": t["ask_variables_on_launch"],
        "ask_tags_on_launch": t["ask_tags_on_launch"],
        "ask_diff_mode_on_launch": t["ask_diff_mode_on_launch"],
        "ask_skip_tags_on_launch": t["ask_skip_tags_on_launch"],
        "ask_job_type_on_launch": t["ask_job_type_on_launch"],
        "ask_limit_on_launch": t["ask_limit_on_launch"],
        "ask_verbosity_on_launch": t["ask_verbosity_on_launch"],
        "ask_inventory_on_launch": t["ask_inventory_on_launch"],
        "ask_credential_on_launch": t["ask_credential_on_launch"],
        "survey_enabled": False,
        "variables_needed_to_start": [],
        "credential_needed_to_start": False,
        "inventory_needed_to_start": False,
        "job_template_data": template.brief(),
        "defaults": {
            "extra_vars": t["extra_vars"],
            "diff_mode": False,
            "limit": t["limit"],
            "job_tags": t["job_tags"],
            "skip_tags": t["skip_tags"],
            "job_type": t["job_type"],
            "verbosity": t["verbosity"],
            "inventory": {"name": INVENTORIES[t["inventory"]], "id": t["inventory"]},
            "scm_branch": t["scm_branch"],
        },
    }


def _path_id(request: Request) -> int:
    raw = str(request.path_params["id"])
    if not raw.isdigit():
        raise ApiError.detail(404, NOT_FOUND)
    return int(raw)


def _answering_errors(
    view: Callable[[Request], Any],
) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        try:
            response: Response = await view(request)
        except ApiError as error:
            return error.response()
        return response

    return endpoint


def _error_body(status: int, message: str) -> Doc:
    return {"detail": message}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = NOT_FOUND
    elif exc.status_code == 405:
        message = f'Method "{request.method}" not allowed.'
    else:
        message = str(exc.detail)
    return JSONBody({"detail": message}, status_code=exc.status_code, headers=exc.headers)


def create_app(settings: SandboxSettings) -> Starlette:
    """The AWX sandbox app, seeded from ``settings.seed``."""
    api = AwxApi(settings)
    app = build_sandbox_app(
        name="awx",
        routes=api.routes(),
        auth=AuthPolicy(token=settings.token, bearer=True, basic=True),
        error_body=_error_body,
        openapi=build_openapi(),
        settings=settings,
        reset_data=api.reset,
        unauthorized_headers={"WWW-Authenticate": "Bearer realm=api"},
    )
    app.add_exception_handler(HTTPException, _http_error)
    app.state.awx = api
    return app
