"""CSRF prevention for ``/graphql``: refuse what a browser sends cross-site without asking.

A browser sends a *simple* request to any site without a CORS preflight, with
the user's cookies and cached HTTP credentials: a ``GET``, or a ``POST`` whose
``Content-Type`` is missing or one of ``text/plain``,
``application/x-www-form-urlencoded`` and ``multipart/form-data``. The answer
is hidden from the page, but the request has had its effect. Like Apollo
Router's and GraphQL Yoga's CSRF prevention, the gateway runs an operation
only from a request that no page could have sent without a preflight: one
with a ``Content-Type`` that is not one of those three (``application/json``)
or with a non-empty value in one of :data:`PREFLIGHT_HEADERS`. Anything else
is refused with ``400`` and ``CSRF_PREVENTED`` before it is read
(``GATEWAY_CSRF_PREVENTION``, default true).

In practice: a ``POST`` of ``application/json`` passes as it is; a ``GET``
(a query, an APQ hash, a trusted document id) needs ``X-GraphQL-CSRF: 1`` (or
another header of the list). ``Authorization`` does not count: a browser
adds cached basic credentials to a simple request by itself. The GraphiQL
page (a browser's plain ``GET`` of ``text/html`` with no ``query``) runs
nothing and stays open. The WebSocket carries no such header; its
handshake's ``Origin`` is checked instead (:mod:`gateway.cors`).
"""

from __future__ import annotations

from starlette.datastructures import Headers

PREFLIGHT_HEADERS = ("x-graphql-csrf", "apollo-require-preflight", "x-apollo-operation-name")
"""Request headers any one of which (non-empty) proves a preflighted request.

``x-graphql-csrf`` is the gateway's own; ``apollo-require-preflight`` and
``x-apollo-operation-name`` are the ones Apollo Router accepts (Apollo's
clients can send them), so an Apollo client set up for the router works here.
"""
SIMPLE_CONTENT_TYPES = frozenset(
    {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
)
"""The media types a browser sends cross-site without a preflight (the Fetch standard)."""
CSRF_CODE = "CSRF_PREVENTED"
CSRF_MESSAGE = (
    "This request was refused as a possible cross-site request forgery (CSRF): send a POST as"
    " application/json, or add a non-empty header "
    + " or ".join(f"`{name}`" for name in PREFLIGHT_HEADERS)
    + " (e.g. `X-GraphQL-CSRF: 1`; needed on every GET)"
)


def preflighted(headers: Headers) -> bool:
    """Whether a browser would have sent a request with these headers only after a preflight.

    A ``Content-Type`` that is not a simple one forces a preflight, and so
    does one that is not a media type at all (a browser parses it and, failing,
    asks first); so does any of :data:`PREFLIGHT_HEADERS` with a value.
    """
    content_type = headers.get("content-type")
    if content_type is not None:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type not in SIMPLE_CONTENT_TYPES:
            return True
    return any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)
