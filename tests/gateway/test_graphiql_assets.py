"""GraphiQL's file table (gateway/graphiql/assets.py): what is listed, missing, gzipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.graphiql.assets import PAGE_FILES, AssetSet, accepts_gzip, vendor_names


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br", True),
        ("deflate, gzip;q=1.0", True),
        ("gzip;q=0.5", True),
        ("*", True),
        ("br", False),
        ("identity", False),
        ("", False),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("gzip;q=x", False),
    ],
)
def test_accepts_gzip(header: str, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_an_empty_static_folder_is_all_missing(tmp_path: Path) -> None:
    assets = AssetSet(static_dir=tmp_path)
    assert vendor_names()
    assert assets.missing == vendor_names()
    assert sorted(assets.assets) == sorted(PAGE_FILES)  # the page's own files are committed


def test_versions_follow_the_content_and_the_gzip_copy_is_found(tmp_path: Path) -> None:
    for name in vendor_names():
        (tmp_path / name).write_text(f"/* {name} */")
    (tmp_path / "graphiql.min.js.gz").write_bytes(b"gz")
    first = AssetSet(static_dir=tmp_path)
    assert first.missing == []
    assert first.assets["graphiql.min.js"].gzipped == tmp_path / "graphiql.min.js.gz"
    assert first.assets["react.production.min.js"].gzipped is None
    (tmp_path / "graphiql.min.js").write_text("/* another version */")
    second = AssetSet(static_dir=tmp_path)
    assert second.url("graphiql.min.js") != first.url("graphiql.min.js")
    assert second.url("react.production.min.js") == first.url("react.production.min.js")
