"""The trusted documents manifest: the operations a deployment's clients were built with.

The manifest is a JSON object mapping each document's SHA-256 (64 lowercase
hex digits of the UTF-8 text) to the document text::

    {"5f1c...e9": "query Dashboard { jobs(first: 25) { nodes { name } } }"}

It is read once, at start (``GATEWAY_TRUSTED_DOCUMENTS``), and every entry's
hash is checked against its text, so a manifest that was edited by hand or
built by another hashing cannot make one hash stand for another text.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import orjson

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class ManifestError(ValueError):
    """The manifest cannot be used; the message says why (never a document's text)."""


def sha256_hex(text: str) -> str:
    """The SHA-256 of ``text``'s UTF-8 bytes, as 64 lowercase hex digits (Apollo's hash)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def is_sha256_hex(value: str) -> bool:
    """Whether ``value`` is 64 lowercase hex digits."""
    return _SHA256_HEX.fullmatch(value) is not None


def read_manifest(path: str) -> dict[str, str]:
    """The manifest at ``path``, hash to text, every hash checked against its text."""
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise ManifestError(f"cannot read the manifest file ({exc.strerror})") from None
    try:
        manifest = orjson.loads(content)
    except orjson.JSONDecodeError:
        raise ManifestError("the manifest is not valid JSON") from None
    if not isinstance(manifest, dict):
        raise ManifestError('the manifest must be a JSON object {"<sha256>": "<document>", ...}')
    for key, text in manifest.items():
        if not is_sha256_hex(key):
            raise ManifestError(f"key {key[:80]!r} is not a SHA-256 in lowercase hex")
        if not isinstance(text, str):
            raise ManifestError(f"the entry {key} is not a document text (a JSON string)")
        if sha256_hex(text) != key:
            raise ManifestError(f"the entry {key} is not the SHA-256 of its document")
    return manifest
