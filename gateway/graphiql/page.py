"""The GraphiQL page on ``GET /graphql``: every file from the gateway, none from a CDN.

The page (``page.html``, filled in once at start-up) loads the files of
:mod:`gateway.graphiql.assets` and opens the example operations of
:mod:`gateway.graphiql.examples` as its first tabs (they ride in the page as
a JSON data block, which is not a script). ``page.js`` wires GraphiQL as
strawberry's own template does (the explorer plugin, the headers editor),
with graphql-ws's client for subscriptions over ``ws://…/graphql``.

The page has no inline script or style, so its Content-Security-Policy lets
scripts, styles and connections come from the gateway itself only; fonts and
images also from ``data:`` URLs, which GraphiQL's style sheet embeds.

Without the vendor files (a bare ``pip install`` runs no npm) the page is a
503 that names the command installing them, never a page that stays blank.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import orjson
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from gateway.graphiql.assets import INSTALL_COMMAND, PACKAGE_DIR, STATIC_PATH, AssetSet
from gateway.graphiql.examples import Example, load_examples

logger = logging.getLogger("gateway.graphiql")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
"""Everything from the gateway's own origin (``connect-src 'self'`` covers its
``ws:``/``wss:`` too); ``data:`` only for the fonts and icons in GraphiQL's CSS."""
PAGE_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
_PLACEHOLDER = re.compile(r"\{\{([^{}]+)\}\}")
_JSON_IN_HTML = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def examples_block(examples: list[Example]) -> str:
    """The tabs as JSON that can sit in a ``<script type="application/json">``."""
    text = orjson.dumps([example.tab() for example in examples]).decode()
    return text.translate(_JSON_IN_HTML)


def render(template: str, assets: AssetSet, examples: list[Example]) -> str:
    """The template with ``{{name}}`` of each file replaced by its versioned URL,
    and ``{{examples}}`` by the tabs (an unknown name is a ``KeyError``)."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        return examples_block(examples) if name == "examples" else assets.url(name)

    return _PLACEHOLDER.sub(fill, template)


class GraphiQLPage:
    """The page and its files, made once at start-up."""

    def __init__(
        self,
        assets: AssetSet | None = None,
        examples: list[Example] | None = None,
        template: Path = PACKAGE_DIR / "page.html",
    ) -> None:
        self.assets = assets or AssetSet()
        self.examples = load_examples() if examples is None else examples
        self.html: str | None = None
        if self.assets.missing:
            logger.warning(
                "GraphiQL's files are not installed (%s); run `%s`",
                ", ".join(self.assets.missing),
                INSTALL_COMMAND,
            )
        else:
            self.html = render(template.read_text(), self.assets, self.examples)

    def response(self) -> Response:
        """The page, or, without its files, a 503 that says how to install them."""
        if self.html is None:
            message = (
                "GraphiQL is not available: its browser files are not installed"
                f" (missing: {', '.join(self.assets.missing)}).\n"
                f"From a checkout, run `{INSTALL_COMMAND}` (npm ci in gateway/graphiql,"
                " then node copy-assets.mjs) and restart the gateway.\n"
                "POST /graphql works without them.\n"
            )
            return PlainTextResponse(
                message, status_code=503, headers={"cache-control": "no-cache"}
            )
        return HTMLResponse(self.html, headers=PAGE_HEADERS)

    def routes(self) -> list[Route]:
        """The page's files, at ``/graphiql/static/{name}``."""
        return [Route(f"{STATIC_PATH}/{{name}}", self.assets.endpoint, methods=["GET"])]
