"""Idle connections: how many visitors one server process holds, and at what cost.

    python bench/connections.py                  # 5,000 visitors, 60 s
    python bench/connections.py --visitors 1000 --hold 20
    python bench/connections.py --server relay   # the bare relay, for comparison

One server process (``python wsgi.py``, eventlet unless ``--async-mode
gevent``), pinned to core 0, gets N visitor sockets (one conversation each)
from several Node processes on the other core(s). They stay connected for
``--hold`` seconds while Engine.IO's heartbeats run. Then 500 of them send
``typing`` at the same moment while a few visitor/agent pairs exchange
messages, and the pairs' message latency is compared before and during that
burst.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

# Run as a script from anywhere: the repository root is where bench/ and tests/ live.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import machine, node  # noqa: E402
from bench.idle_report import print_report  # noqa: E402
from bench.idle_run import IdleRun  # noqa: E402
from bench.machine import add_placement_options, default_loadgen_cores  # noqa: E402
from bench.servers import start_server  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=5000)
    parser.add_argument(
        "--hold", type=float, default=60.0, help="seconds the visitors stay connected"
    )
    parser.add_argument(
        "--typists", type=int, default=500, help="visitors that send typing at once"
    )
    parser.add_argument(
        "--pairs", type=int, default=5, help="visitor/agent pairs exchanging messages"
    )
    parser.add_argument(
        "--pair-rate", type=float, default=2.0, help="messages/s each pair's visitor sends"
    )
    parser.add_argument("--workers", type=int, default=4, help="Node client processes")
    parser.add_argument("--server", choices=("chat", "relay"), default="chat")
    parser.add_argument("--async-mode", choices=("eventlet", "gevent"), default="eventlet")
    parser.add_argument("--transport", choices=("websocket", "polling"), default="websocket")
    parser.add_argument("--deflate", action="store_true", help="negotiate permessage-deflate")
    add_placement_options(parser)
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="record the server with py-spy during the burst (3 s from its start)",
    )
    args = parser.parse_args(argv)
    args.loadgen_cores = args.loadgen_cores or default_loadgen_cores(args.server_cores)
    args.typists = min(args.typists, args.visitors)
    return args


def check_open_files(args) -> None:
    """One server process holds every socket: its open-file limit must allow them."""
    needed = args.visitors + args.pairs + 1000  # the database, logs, the listener, slack
    if machine.open_files_limit() < needed:
        raise SystemExit(
            f"{args.visitors} visitors need about {needed} open files in the server, but the "
            f"hard limit is {machine.open_files_limit()}: raise it (ulimit -Hn, "
            "LimitNOFILE= under systemd) or ask for fewer --visitors"
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    check_open_files(args)
    machine.set_niceness(args.nice)
    node.ensure_node_modules()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="bench-connections-"))
    server = start_server(
        args.server,
        async_mode=args.async_mode,
        nodelay=True,
        cores=args.server_cores,
        max_connections=args.visitors + args.pairs + 1000,
    )
    run = IdleRun(args, server, workdir)
    try:
        run.start_workers()
        run.connect()
        run.hold()
        run.burst()
        run.finish()
    finally:
        run.close()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print_report(run.report)
    print(f"\n{time.monotonic() - started:.0f} s in all.")
    if args.json:
        Path(args.json).write_text(json.dumps(run.report, indent=2))
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
