"""``jobs-gateway serve | check | sandbox | schema``.

The sandbox upstreams are a separate top-level package, :mod:`sandbox`, that
the product never needs: it is imported only inside the functions of the
``sandbox`` command and of ``serve --demo``, so ``jobs-gateway serve`` runs in
an image that does not ship it (``tests/gateway/test_layout.py`` keeps it so).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import os
import sys
from collections.abc import Coroutine, Sequence
from typing import Any

import uvicorn

from gateway.config import ConfigError, Settings, load_settings
from gateway.garbage_collection import tune_for_serving


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop where it is installed (uvicorn's fast extra), else asyncio."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        asyncio.run(main)
        return
    uvloop.run(main)


def _configure_logging(settings: Settings, log_level: str) -> None:
    from gateway.observability.request_log import configure_logging

    configure_logging(settings.log_format)
    # uvicorn's own records go through the same handler (it is given no log config);
    # the level governs the gateway's records too (``warning``: no per-request lines).
    for name in ("uvicorn", "gateway"):
        logging.getLogger(name).setLevel(log_level.upper())


def worker_app() -> Any:
    """The app of one ``--workers`` process (uvicorn's factory): logging set up, then the app."""
    from gateway.app import create_app

    settings = load_settings()
    _configure_logging(settings, os.environ.get("GATEWAY_UVICORN_LOG_LEVEL", "info"))
    app = create_app(settings)
    tune_for_serving()
    return app


def _sandbox_missing(command: str) -> int:
    print(
        f"jobs-gateway: {command} needs the sandbox package, which this installation"
        " leaves out (the container image does); run it from a checkout: make demo",
        file=sys.stderr,
    )
    return 2


def _serve(args: argparse.Namespace) -> int:
    from gateway.app import create_app
    from gateway.http_protocol import HeadWithBodyProtocol
    from gateway.shutdown import GracefulServer, exit_zero_on_sigterm

    env = dict(os.environ)
    if args.demo:
        try:
            from sandbox.server import SandboxSet
        except ModuleNotFoundError:
            return _sandbox_missing("serve --demo")

        sandboxes = SandboxSet.create(seed=args.seed, latency_ms=args.latency_ms)
        # The sandboxes' URLs and their public token replace whatever the shell set.
        env.update(sandboxes.gateway_env())
    try:
        settings = load_settings(env)
    except ConfigError as exc:
        print(f"jobs-gateway: configuration error: {exc}", file=sys.stderr)
        return 2
    _configure_logging(settings, args.log_level)
    if args.workers > 1:
        if args.demo:
            print("jobs-gateway: --workers needs real upstreams, not --demo", file=sys.stderr)
            return 2
        # Each worker process reads the same environment and builds its own app.
        os.environ["GATEWAY_UVICORN_LOG_LEVEL"] = args.log_level
        uvicorn.run(
            "gateway.cli:worker_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            http=HeadWithBodyProtocol,
            log_level=args.log_level,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=math.ceil(settings.shutdown_grace),
            ws_max_size=settings.max_body_bytes,
        )
        return 0
    app = create_app(settings)
    tune_for_serving()
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        http=HeadWithBodyProtocol,  # an answer's head and body in one write
        log_level=args.log_level,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace),
        # A WebSocket message over the body limit is refused by the protocol layer
        # (1009) from its frame header, before its payload is read or decoded.
        ws_max_size=settings.max_body_bytes,
    )
    server = GracefulServer(config, before_shutdown=app.state.before_shutdown)

    async def main() -> None:
        if not args.demo:
            await server.serve()
            return
        from sandbox.server import serve_sandboxes

        stop = asyncio.Event()
        sandbox_task = asyncio.create_task(serve_sandboxes(sandboxes, stop=stop))
        print(
            f"sandbox upstreams on {sandboxes.url('jobstore')}, {sandboxes.url('opsmanager')},"
            f" {sandboxes.url('awx')}; GraphiQL at http://{args.host}:{args.port}/graphql",
            file=sys.stderr,
        )
        try:
            await server.serve()
        finally:
            stop.set()
            await sandbox_task

    with exit_zero_on_sigterm():
        run_loop(main())
    return 0


def _check(args: argparse.Namespace) -> int:
    """Exit 0 when every upstream answers with its credential, 1 when one does not,
    2 when the configuration does not load (the codes a deployment pipeline tests)."""
    from gateway.upstream_check import check_all, render_table

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"jobs-gateway check: configuration error: {exc}", file=sys.stderr)
        return 2
    checks = asyncio.run(check_all(settings, within=args.timeout))
    sys.stdout.write(render_table(checks))
    for check in checks:
        if check.problem is not None:
            print(f"jobs-gateway check: {check.upstream}: {check.problem}", file=sys.stderr)
    return 0 if all(check.ok for check in checks) else 1


def _sandbox(args: argparse.Namespace) -> int:
    try:
        from sandbox.faults import parse_fault_options
        from sandbox.server import SandboxSet, serve_sandboxes
    except ModuleNotFoundError:
        return _sandbox_missing("jobs-gateway sandbox")

    sandboxes = SandboxSet.create(
        only=args.only,
        host=args.host,
        ports={
            "jobstore": args.jobstore_port,
            "opsmanager": args.opsmanager_port,
            "awx": args.awx_port,
        },
        seed=args.seed,
        latency_ms=args.latency_ms,
        progress_seconds=args.progress_seconds,
    )
    try:
        for name, faults in parse_fault_options(args.faults or [], args.latency_ms).items():
            if name in sandboxes.settings:
                sandboxes.settings[name].faults = faults
    except ValueError as exc:
        print(f"jobs-gateway sandbox: {exc}", file=sys.stderr)
        return 2

    def started(_apps: object) -> None:
        for name in sandboxes.settings:
            print(f"{name}: {sandboxes.url(name)}", file=sys.stderr, flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        run_loop(serve_sandboxes(sandboxes, started=started, log_level=args.log_level))
    return 0


def _schema(args: argparse.Namespace) -> int:
    from schema import print_sdl

    sys.stdout.write(print_sdl())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(prog="jobs-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the GraphQL gateway")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--demo", action="store_true", help="also run the sandbox upstreams and use them"
    )
    serve.add_argument("--seed", type=int, default=0, help="sandbox data seed (with --demo)")
    serve.add_argument("--latency-ms", type=float, default=0.0, help="sandbox latency (--demo)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (one per core)")
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(run=_serve)

    check = commands.add_parser(
        "check",
        help="reach each upstream with its credential (same settings as serve); exit 0, 1 or 2",
    )
    check.add_argument(
        "--timeout", type=float, default=10.0, help="seconds each upstream may take (default 10)"
    )
    check.set_defaults(run=_check)

    sandbox = commands.add_parser("sandbox", help="run the three sandbox upstreams")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--jobstore-port", type=int, default=8101)
    sandbox.add_argument("--opsmanager-port", type=int, default=8102)
    sandbox.add_argument("--awx-port", type=int, default=8103)
    sandbox.add_argument("--latency-ms", type=float, default=0.0)
    sandbox.add_argument("--seed", type=int, default=0)
    sandbox.add_argument(
        "--progress-seconds", type=float, default=5.0, help="how long created jobs take"
    )
    sandbox.add_argument(
        "--only",
        choices=["jobstore", "opsmanager", "awx"],
        action="append",
        help="run only this upstream (repeatable); default all three",
    )
    sandbox.add_argument(
        "--faults",
        action="append",
        metavar="NAME=JSON",
        help='faults of one upstream at start, e.g. awx=\'{"mode": "503", "error_rate": 0.2}\'',
    )
    sandbox.add_argument("--log-level", default="warning")
    sandbox.set_defaults(run=_sandbox)

    schema = commands.add_parser("schema", help="print the GraphQL SDL")
    schema.set_defaults(run=_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jobs-gateway`` command."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
