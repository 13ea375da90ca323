"""Timestamps parsed once and written cheaply: ``coerce.timestamp`` and ``coerce.datetime_text``.

``timestamp`` takes text ``datetime.fromisoformat`` accepts as it is before
the long way (strip, ``Z`` to ``+00:00``); it must give what the long way
alone gives, for any text. ``datetime_text`` writes an instant with orjson
instead of calling ``isoformat``; it must give exactly ``isoformat()`` for
any instant and offset, and for anything ``timestamp`` parses from any text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gateway import coerce

# ``coerce.timestamp`` as it was before its shortcut, and still is when the shortcut
# declines: the reference the shortcut must agree with.
_timestamp_before = coerce._timestamp_long_way


def _same(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b and a.tzinfo == b.tzinfo and a.isoformat() == b.isoformat()


_OFFSETS = st.sampled_from(
    [
        UTC,
        timezone(timedelta(0)),
        timezone(timedelta(hours=2)),
        timezone(timedelta(hours=-5, minutes=-30)),
        timezone(timedelta(seconds=61)),
        None,
    ]
)
_FRACTIONS = st.sampled_from(["", ".", ",", ".0", ".000", ".000000", ".1", ".12", ".1234"])
_SUFFIXES = st.sampled_from(
    ["", "Z", "z", "+00:00", "-00:00", "+0000", "+01:00", "+00:00:01", " ", "Z ", "ZZ"]
)


def _layouts(moment: datetime) -> st.SearchStrategy[str]:
    """Texts of ``moment`` as upstreams (and odder writers) might write them."""
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    us = f"{moment.microsecond:06d}"
    return st.one_of(
        st.tuples(_FRACTIONS, _SUFFIXES).map(lambda p: base + p[0] + p[1]),
        st.tuples(
            st.sampled_from([us[:3], us, us + "7", us[:2], "000", "000000"]),
            _SUFFIXES,
        ).map(lambda p: f"{base}.{p[0]}{p[1]}"),
        st.sampled_from(
            [
                base.replace("T", " "),
                base.replace("-", ""),
                base[:16] + "Z",
                base[:10],
                " " + base + "Z",
            ]
        ),
    )


def _mutated(text: str, data: st.DataObject) -> str:
    """``text`` with one character replaced, inserted or removed (odd layouts, wrong digits)."""
    if not text:
        return text
    index = data.draw(st.integers(0, len(text) - 1))
    char = data.draw(st.sampled_from(list("0123456789TtZz:-.+, \u0661\uff11x")))
    kind = data.draw(st.sampled_from(["replace", "insert", "remove"]))
    if kind == "replace":
        return text[:index] + char + text[index + 1 :]
    if kind == "insert":
        return text[:index] + char + text[index:]
    return text[:index] + text[index + 1 :]


_MOMENTS = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999999)
)


@settings(max_examples=2000)
@given(moment=_MOMENTS, data=st.data())
@example(moment=datetime(2026, 1, 1, 0, 17), data=None)
def test_the_shortcut_parses_as_the_long_way(moment: datetime, data: st.DataObject | None) -> None:
    texts = [moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"]
    if data is not None:
        texts.append(data.draw(_layouts(moment)))
        texts.append(_mutated(texts[-1], data))
    for text in texts:
        assert _same(coerce.timestamp(text), _timestamp_before(text)), text


@settings(max_examples=2000)
@given(moment=_MOMENTS, data=st.data())
@example(moment=datetime(2026, 1, 1, 0, 17), data=None)
@example(moment=datetime(2026, 1, 1, 0, 17, 0, 123000), data=None)
def test_the_text_of_a_parsed_timestamp_is_its_isoformat(
    moment: datetime, data: st.DataObject | None
) -> None:
    texts = [
        moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        moment.replace(tzinfo=UTC).isoformat(),
        moment.isoformat(),
    ]
    assert coerce.timestamp(texts[2]) is not None  # isoformat's own text always parses
    if data is not None:
        texts.append(data.draw(_layouts(moment)))
        texts.append(_mutated(texts[-1], data))
    for text in texts:
        parsed = coerce.timestamp(text)
        if parsed is not None:
            assert coerce.datetime_text(parsed) == parsed.isoformat(), text


@settings(max_examples=1000)
@given(moment=_MOMENTS, offset=_OFFSETS)
def test_any_instant_gets_its_isoformat(moment: datetime, offset: timezone | None) -> None:
    aware = moment.replace(tzinfo=offset)
    assert coerce.datetime_text(aware) == aware.isoformat()


def test_the_upstreams_layouts_are_written_as_isoformat_writes_them() -> None:
    cases = {
        "2026-01-01T00:17:00.123Z": "2026-01-01T00:17:00.123000+00:00",
        "2026-01-01T00:17:00.000Z": "2026-01-01T00:17:00+00:00",
        "2026-01-01T00:17:00.123456Z": "2026-01-01T00:17:00.123456+00:00",
        "2026-01-01T00:17:00.000000+00:00": "2026-01-01T00:17:00+00:00",
        "2026-01-01T00:17:00": "2026-01-01T00:17:00+00:00",
        "2026-01-01T00:17:00Z": "2026-01-01T00:17:00+00:00",
        "2026-01-01T00:17:00.5Z": "2026-01-01T00:17:00.500000+00:00",
        "0005-01-01T00:17:00.000001Z": "0005-01-01T00:17:00.000001+00:00",
        "2026-01-01T00:17:00+05:30": "2026-01-01T00:17:00+05:30",
        "2026-01-01T00:17:00+00:00:01": "2026-01-01T00:17:00+00:00:01",
    }
    for raw, text in cases.items():
        parsed = coerce.timestamp(raw)
        assert parsed is not None
        assert coerce.datetime_text(parsed) == text == parsed.isoformat()
