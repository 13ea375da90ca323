"""GraphiQL from the gateway's own files (gateway/graphiql/): the page, its files, the switch.

The page's files are installed by the set-up (``make graphiql-assets``, run by
``make test``); the browser test is tests/e2e/test_graphiql_browser.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from graphql import OperationDefinitionNode, OperationType, parse

from gateway import graphql_view
from gateway.graphiql import GraphiQLPage
from gateway.graphiql.assets import STATIC_DIR, AssetSet, vendor_names
from gateway.graphiql.examples import Example, load_examples
from gateway.graphiql.page import CONTENT_SECURITY_POLICY
from tests.e2e.conftest import GatewayClient, GatewayFactory

HTML = {"Accept": "text/html"}
LINKED = re.compile(r'(?:src|href)="([^"]+)"')


def is_query(example: Example) -> bool:
    [operation] = [
        d for d in parse(example.query).definitions if isinstance(d, OperationDefinitionNode)
    ]
    return operation.operation is OperationType.QUERY


def page_links(html: str) -> list[str]:
    return LINKED.findall(html)


@pytest.fixture
def installed() -> None:
    missing = [name for name in vendor_names() if not (STATIC_DIR / name).is_file()]
    if missing:
        pytest.fail(f"GraphiQL's files are not installed ({missing}): run `make graphiql-assets`")


@pytest.mark.usefixtures("installed")
def test_the_page_loads_only_the_gateways_own_files(gateway: GatewayClient) -> None:
    response = httpx.get(f"{gateway.url}/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    links = page_links(response.text)
    local = [link for link in links if link.startswith("graphiql/static/")]  # relative
    assert sorted(link.split("?")[0].rsplit("/", 1)[1] for link in local) == sorted(
        [*vendor_names(), "page.js", "page.css"]
    )
    assert set(links) - set(local) == {"data:,"}  # the empty favicon: no request at all
    assert "<script>" not in response.text  # no inline script: only the JSON data block


@pytest.mark.usefixtures("installed")
def test_each_file_is_served_with_its_type_and_cached_for_a_year(gateway: GatewayClient) -> None:
    page = httpx.get(f"{gateway.url}/graphql", headers=HTML).text
    links = [link for link in page_links(page) if not link.startswith("data:")]
    assert links
    for link in links:
        response = httpx.get(f"{gateway.url}/{link}")  # relative to /graphql
        assert response.status_code == 200, link
        kind = "javascript" if link.split("?")[0].endswith(".js") else "css"
        assert response.headers["content-type"] == f"text/{kind}; charset=utf-8", link
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        name = link.split("?")[0].rsplit("/", 1)[1]
        on_disk = STATIC_DIR / name if name in vendor_names() else STATIC_DIR.parent / name
        assert response.content == on_disk.read_bytes(), name


@pytest.mark.usefixtures("installed")
def test_a_browser_that_accepts_gzip_gets_the_gzip_copy(gateway: GatewayClient) -> None:
    url = f"{gateway.url}/graphiql/static/graphiql.min.js"
    original = (STATIC_DIR / "graphiql.min.js").read_bytes()
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == original
    gzipped = httpx.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert gzipped.headers["content-encoding"] == "gzip"
    assert gzipped.headers["vary"] == "Accept-Encoding"
    assert int(gzipped.headers["content-length"]) < len(original) / 3
    assert gzipped.content == original  # httpx decodes it
    refused = httpx.get(url, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


@pytest.mark.usefixtures("installed")
def test_a_file_asked_without_its_version_is_not_kept(gateway: GatewayClient) -> None:
    for url in ("/graphiql/static/graphiql.min.js", "/graphiql/static/page.js?v=old"):
        response = httpx.get(f"{gateway.url}{url}")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-cache"


def test_only_listed_files_are_served(gateway: GatewayClient) -> None:
    for name in ("nope.js", "..%2Fassets.py", "page.html", "assets.json", "package.json"):
        response = httpx.get(f"{gateway.url}/graphiql/static/{name}")
        assert response.status_code == 404, name


def test_the_examples_are_the_first_tabs(gateway: GatewayClient) -> None:
    page = httpx.get(f"{gateway.url}/graphql", headers=HTML).text
    block = re.search(
        r'<script type="application/json" id="graphiql-examples">(.*?)</script>', page
    )
    assert block is not None
    tabs = httpx.Response(200, content=block.group(1)).json()
    assert tabs == [example.tab() for example in load_examples()]
    assert len(tabs) == 8


def test_graphiql_false_serves_neither_the_page_nor_its_files(
    start_gateway: GatewayFactory,
) -> None:
    gateway = start_gateway(GATEWAY_GRAPHIQL="false")
    response = httpx.get(f"{gateway.url}/graphql", headers=HTML)
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    for name in ("graphiql.min.js", "page.js", "page.css"):
        assert httpx.get(f"{gateway.url}/graphiql/static/{name}").status_code == 404
    assert gateway.data("{ __typename }") == {"__typename": "Query"}  # GraphQL itself still on


def test_without_its_files_the_page_names_the_command_that_installs_them(
    start_gateway: GatewayFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bare pip install has no npm step: a 503 that says what to run, never a 500."""
    monkeypatch.setattr(
        graphql_view, "GraphiQLPage", lambda: GraphiQLPage(AssetSet(static_dir=tmp_path))
    )
    client = start_gateway()
    response = httpx.get(f"{client.url}/graphql", headers=HTML)
    assert response.status_code == 503
    assert "make graphiql-assets" in response.text
    assert "graphiql.min.js" in response.text
    asset = httpx.get(f"{client.url}/graphiql/static/graphiql.min.js")
    assert asset.status_code == 404
    assert "make graphiql-assets" in asset.text
    assert client.data("{ __typename }") == {"__typename": "Query"}


@pytest.mark.parametrize(
    "example",
    [example for example in load_examples() if is_query(example)],
    ids=lambda example: example.name,
)
def test_each_query_example_answers_on_the_demo_data(
    example: Example, gateway: GatewayClient
) -> None:
    """The ids in the examples' variables are the sandbox's (seed 0, as ``make demo``)."""
    data = gateway.data(example.query, example.variables)
    assert data, example.name
    for field, value in data.items():
        assert value not in (None, [], {}), f"{example.name}: {field} is empty"
    if example.name == "07-what-failed-inside":
        spawned = [node["job"] for node in data["node"]["nodes"] if node["job"] is not None]
        failed = [job for job in spawned if job["failed"]]
        assert failed, "the example's job has a failed spawned job to show"
        assert failed[0]["stdout"]["edges"], "with output lines"
