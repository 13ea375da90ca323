"""The product packages never depend on the sandbox.

``gateway/`` and ``schema/`` are what a production image ships; ``sandbox/``
is for the demo, the tests and the benchmarks. Only the functions of
``gateway/cli.py`` that run the ``sandbox`` command and ``serve --demo`` may
import it, lazily.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("gateway", "schema")
CLI = ROOT / "gateway" / "cli.py"


@dataclass(frozen=True)
class SandboxImport:
    path: Path
    line: int
    in_function: bool


def _is_sandbox(module: str) -> bool:
    return module == "sandbox" or module.startswith("sandbox.")


class _Finder(ast.NodeVisitor):
    """Every import of ``sandbox`` in one module, and whether it sits in a function."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.depth = 0
        self.found: list[SandboxImport] = []

    def _add(self, node: ast.AST) -> None:
        line = getattr(node, "lineno", 0)
        self.found.append(SandboxImport(self.path, line, self.depth > 0))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function
    visit_Lambda = _function

    def visit_Import(self, node: ast.Import) -> None:
        if any(_is_sandbox(alias.name) for alias in node.names):
            self._add(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module and _is_sandbox(node.module):
            self._add(node)

    def visit_Call(self, node: ast.Call) -> None:
        # importlib.import_module("sandbox...") and __import__("sandbox...") count too.
        name = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if isinstance(node.func, ast.Name):
            name = node.func.id
        first = node.args[0] if node.args else None
        if (
            name in {"import_module", "__import__"}
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and _is_sandbox(first.value)
        ):
            self._add(node)
        self.generic_visit(node)


def sandbox_imports(path: Path) -> list[SandboxImport]:
    """The imports of ``sandbox`` in the module at ``path``."""
    finder = _Finder(path)
    finder.visit(ast.parse(path.read_text(), filename=str(path)))
    return finder.found


def product_modules() -> list[Path]:
    return sorted(path for package in PRODUCT for path in (ROOT / package).rglob("*.py"))


def test_the_product_does_not_import_the_sandbox() -> None:
    modules = product_modules()
    assert len(modules) > 50  # the walk really covers gateway/ and schema/
    offending = [
        found
        for path in modules
        for found in sandbox_imports(path)
        if not (path == CLI and found.in_function)
    ]
    assert offending == [], "\n".join(
        f"{found.path.relative_to(ROOT)}:{found.line} imports sandbox" for found in offending
    )


def test_the_cli_imports_the_sandbox_only_inside_functions() -> None:
    found = sandbox_imports(CLI)
    # The demo and sandbox commands do need it: the checker sees those imports ...
    assert found
    # ... and every one of them is inside a function.
    assert all(item.in_function for item in found)


def test_the_checker_catches_module_level_and_dynamic_imports(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text(
        "import importlib\n"
        "import sandbox.server\n"
        "from sandbox import faults\n"
        "def f():\n"
        "    import sandbox\n"
        "    return importlib.import_module('sandbox.awx')\n"
        "import sandboxes\n"
    )
    assert [(item.line, item.in_function) for item in sandbox_imports(module)] == [
        (2, False),
        (3, False),
        (5, True),
        (6, True),
    ]


def test_importing_the_product_loads_no_sandbox_module() -> None:
    script = (
        "import sys\n"
        "import gateway.cli, gateway.app, schema\n"
        "from gateway.config import load_settings\n"
        "ups = ('JOBSTORE', 'OPSMANAGER', 'AWX')\n"
        "env = {f'GATEWAY_{up}_URL': 'http://upstream.test' for up in ups}\n"
        "env.update({f'GATEWAY_{up}_AUTH_MODE': 'forward' for up in ups})\n"
        "gateway.app.create_app(load_settings(env))\n"
        "print(sorted(m for m in sys.modules if m == 'sandbox' or m.startswith('sandbox.')))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_container_image_leaves_the_sandbox_out() -> None:
    copied = [
        source
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("COPY ")
        for source in line.split()[1:-1]
    ]
    assert "gateway" in copied
    assert not any(source.rstrip("/") == "sandbox" for source in copied)


def test_without_the_sandbox_the_demo_is_refused_and_serve_still_runs_its_checks() -> None:
    # As in the container image: the sandbox package cannot be imported.
    script = (
        "import sys\n"
        "sys.modules['sandbox'] = None\n"
        "from gateway.cli import main\n"
        "print(main(['serve', '--demo']), main(['sandbox']), main(['serve']))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PATH": ""},
        check=False,
    )
    assert result.stdout.split() == ["2", "2", "2"], result.stderr
    assert "serve --demo needs the sandbox package" in result.stderr
    assert "jobs-gateway sandbox needs the sandbox package" in result.stderr
    # Plain serve gets as far as its settings, which are missing here.
    assert "set GATEWAY_JOBSTORE_URL" in result.stderr
    assert "Traceback" not in result.stderr
