"""Request bodies of the AWX sandbox: reading JSON and DRF-style field validation."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from sandbox.awx_lists import ApiError

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
