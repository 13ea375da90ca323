"""Run graphql-http's ``auditServer`` against a fresh gateway (see the package docstring)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from bench.processes import running_stack

HERE = Path(__file__).resolve().parent
WORK = HERE.parents[1] / ".bench" / "http_audit"
FILES = ("package.json", "audit.mjs")


def prepared() -> Path:
    """``.bench/http_audit`` with the audit's files and its node_modules installed."""
    WORK.mkdir(parents=True, exist_ok=True)
    changed = False
    for name in FILES:
        source, target = HERE / name, WORK / name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copyfile(source, target)
            changed = changed or name == "package.json"
    if changed or not (WORK / "node_modules" / "graphql-http").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("bench.http_audit needs npm (Node.js 18 or later)")
        subprocess.run(  # noqa: S603 - npm with fixed arguments
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WORK, check=True
        )
    return WORK


def main() -> int:
    work = prepared()
    node = shutil.which("node")
    if node is None:
        raise SystemExit("bench.http_audit needs node (Node.js 18 or later)")
    with running_stack() as stack:
        url = f"{stack.gateway}/graphql"
        print(f"graphql-http auditServer against {url}", flush=True)
        command = [node, "audit.mjs", url, *sys.argv[1:]]
        return subprocess.run(command, cwd=work, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
