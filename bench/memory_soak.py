"""P6, the second half: the gateway's resident memory over a long run of requests.

Starts the sandbox upstreams (0 ms latency) and one gateway as deployed (its
JSON request log on, to /dev/null; ``bench.processes``), then sends
``--requests`` requests in segments of ``wrk -t1 -c<connections>
-d<segment>s``, each segment one body, in turn: the peer's queries ``a``
(50 workflow jobs), ``b`` (with their templates), ``c`` (one job), ``fan``
(one object of each upstream), and two bad requests (a field that does not
exist; a variable of the wrong type), which are answered with errors. After
each segment it reads the gateway's RSS from ``/proc`` and prints it with the
requests so far; then the RSS after the first segment (warm) against the last
and the highest. Needs ``wrk``.

Run: ``python -m bench.memory_soak [--requests 100000] [--connections 32] [--segment 5]``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.peer import rss_mb, wrk
from bench.processes import running_stack

PEER = Path(__file__).resolve().parent.parent.parent / "shared" / "peer"
BAD = {
    "unknown field": '{"query": "{ workflowJob(id: 7) { noSuchField } }"}',
    "wrong variable": (
        '{"query": "query($id: Int!) { workflowJob(id: $id) { name } }",'
        ' "variables": {"id": "seven"}}'
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--segment", type=float, default=5.0, help="seconds per wrk run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bodies = {name: PEER / "queries" / f"jg_{name}.json" for name in ("a", "b", "c", "fan")}
        for name, text in BAD.items():
            path = Path(folder) / f"{name.replace(' ', '_')}.json"
            path.write_text(text)
            bodies[name] = path
        with running_stack(log_level="info") as stack:
            assert stack.pid is not None
            url = f"{stack.gateway}/graphql"
            start = rss_mb(stack.pid)
            print(f"RSS at start: {start:.1f} MB")
            print(f"{'requests':>10} {'RSS MB':>8}  last body")
            sent, readings, turn = 0, [], 0
            names = list(bodies)
            while sent < args.requests:
                name = names[turn % len(names)]
                turn += 1
                sent += wrk(
                    url, bodies[name], args.segment, args.connections, PEER / "post.lua"
                ).requests
                readings.append(rss_mb(stack.pid))
                print(f"{sent:>10} {readings[-1]:>8.1f}  {name}")
            print(
                f"\n{sent} requests: RSS {start:.1f} MB at start, {readings[0]:.1f} after the"
                f" first segment, {readings[-1]:.1f} at the end, {max(readings):.1f} at most"
            )


if __name__ == "__main__":
    main()
