"""GraphiQL's browser files, served by the gateway at ``/graphiql/static/{name}``.

The vendor files (React, GraphiQL, its explorer plugin, graphql-ws: UMD
builds) come from npm packages pinned in ``package.json`` and
``package-lock.json`` beside this module. ``make graphiql-assets`` (part of
the Makefile's set-up, and a build stage of the Dockerfile) runs ``npm ci``
and copies the files named in ``assets.json`` into ``static/``, which git
ignores. The page's own script and style sheet (``page.js``, ``page.css``)
are committed beside this module.

Each URL carries the file's content hash (``?v=``): an answer to the URL of
the current version may be cached for a year (``immutable``); any other
(no version, an old one) is ``no-cache``. The set-up also writes a gzip copy
of each vendor file (``NAME.gz``, compressed once, at its best level), sent
to browsers that accept gzip: 1.1 MB on the wire instead of 4.1 MB. Only the
listed names are served, so no path from the request ever reaches the file
system.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

PACKAGE_DIR = Path(__file__).parent
STATIC_DIR = PACKAGE_DIR / "static"
"""Where ``make graphiql-assets`` puts the vendor files (gitignored)."""
STATIC_PATH = "/graphiql/static"
INSTALL_COMMAND = "make graphiql-assets"
"""What installs the vendor files, from a checkout (npm ci, then node copy-assets.mjs)."""
PAGE_FILES = ("page.js", "page.css")
"""The page's own files, committed beside this module."""
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
CACHE_FOR_A_YEAR = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    """One file the page loads: its served name, where it lies, its content hash,
    and its gzip copy when the set-up made one."""

    name: str
    path: Path
    version: str
    gzipped: Path | None = None

    @property
    def url(self) -> str:
        """Relative to the page (``/graphql``), so a proxy's path prefix carries over."""
        return f"{STATIC_PATH.lstrip('/')}/{self.name}?v={self.version}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.path.suffix]


def vendor_names(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """The vendor files' served names, as ``assets.json`` lists them."""
    listed: dict[str, str] = json.loads((package_dir / "assets.json").read_text())
    return list(listed)


def _hashed(name: str, path: Path) -> Asset:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    gzipped = path.with_name(f"{path.name}.gz")
    return Asset(name, path, digest, gzipped if gzipped.is_file() else None)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value takes gzip (``gzip;q=0`` refuses it)."""
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        if coding.strip() in ("gzip", "*"):
            quality = params.partition("q=")[2].strip()
            try:
                return not quality or float(quality) > 0
            except ValueError:
                return False
    return False


class AssetSet:
    """The files the GraphiQL page loads, read once at start-up.

    ``missing`` names the vendor files ``static_dir`` lacks (all of them after
    a bare ``pip install``, which runs no npm): the page then explains how to
    install them instead of loading a page that cannot work.
    """

    def __init__(self, package_dir: Path = PACKAGE_DIR, static_dir: Path = STATIC_DIR) -> None:
        self.assets: dict[str, Asset] = {}
        self.missing: list[str] = []
        for name in vendor_names(package_dir):
            path = static_dir / name
            if path.is_file():
                self.assets[name] = _hashed(name, path)
            else:
                self.missing.append(name)
        for name in PAGE_FILES:
            self.assets[name] = _hashed(name, package_dir / name)

    def url(self, name: str) -> str:
        """The versioned URL of a listed file (``KeyError`` for any other)."""
        return self.assets[name].url

    async def endpoint(self, request: Request) -> Response:
        """``GET /graphiql/static/{name}``: a listed file, or a 404 that says why."""
        name = request.path_params["name"]
        asset = self.assets.get(name)
        if asset is None:
            detail = (
                f"; install GraphiQL's files with `{INSTALL_COMMAND}`"
                if name in self.missing
                else ""
            )
            return PlainTextResponse(f"no GraphiQL file {name!r}{detail}", status_code=404)
        current = request.query_params.get("v") == asset.version
        headers = {
            "cache-control": CACHE_FOR_A_YEAR if current else "no-cache",
            "x-content-type-options": "nosniff",
        }
        path = asset.path
        if asset.gzipped is not None:
            headers["vary"] = "Accept-Encoding"
            if accepts_gzip(request.headers.get("accept-encoding", "")):
                path = asset.gzipped
                headers["content-encoding"] = "gzip"
        return FileResponse(path, media_type=asset.media_type, headers=headers)
