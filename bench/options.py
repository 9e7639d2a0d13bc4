"""The command line of bench/run.py, and the servers it asks for."""

import argparse

from bench.machine import add_placement_options, default_loadgen_cores


def parse_args(description: str, argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _add_step_options(parser)
    _add_server_options(parser)
    _add_load_options(parser)
    _add_typing_options(parser)
    add_placement_options(parser)
    _add_run_options(parser)
    return _with_defaults(parser.parse_args(argv))


def _add_step_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick", action="store_true", help="a short run: WebSocket, 200 and 1000 msg/s, 2 s each"
    )
    parser.add_argument(
        "--peak",
        action="store_true",
        help="raise the rate until delivery falls >5%% behind or p99 > 500 ms",
    )
    parser.add_argument(
        "--peak-start", type=int, default=100, help="first rate of --peak (default 100)"
    )
    parser.add_argument(
        "--peak-retries",
        type=int,
        default=1,
        help="times a failing --peak step is tried again before it counts (default 1)",
    )
    parser.add_argument("--rates", help="comma-separated target msg/s (default 200,1000,2000)")
    parser.add_argument(
        "--seconds",
        type=float,
        help="sending time per step (default 10; 3 with --quick; 5 with --peak)",
    )
    parser.add_argument(
        "--transport",
        choices=("websocket", "polling", "both", "websocket-deflate", "all"),
        help="both: websocket and polling (the default; websocket with --quick); "
        "websocket-deflate: WebSocket with permessage-deflate negotiated, as "
        "browsers do; all: the three",
    )


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        choices=("chat", "relay", "both"),
        help="which servers (default both; chat with --typing-storm)",
    )
    parser.add_argument(
        "--relay-tcp",
        choices=("nagle", "nodelay", "both"),
        help="the relay as socketio.run() leaves it (nagle) and/or with TCP_NODELAY "
        "like the chat (default: both; nodelay with --quick and --peak)",
    )
    parser.add_argument("--async-mode", choices=("eventlet", "gevent"), default="eventlet")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql", "both"),
        default="sqlite",
        help="the chat's database: a SQLite file (default), Debian's PostgreSQL on a "
        "loopback port (rows labelled chat/pg), or both",
    )
    parser.add_argument(
        "--database-cores",
        help="cores PostgreSQL runs on (default: the server's, as SQLite runs in its process)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")


def _add_load_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="load-generator processes")
    parser.add_argument(
        "--grace", type=float, default=3.0, help="seconds to wait for stragglers after sending ends"
    )
    parser.add_argument(
        "--polling-keepalive",
        choices=("on", "off"),
        default="on",
        help="long-polling over kept-alive connections, as browsers do (default on)",
    )


def _add_typing_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--typists",
        type=int,
        help="extra visitor sockets, one conversation each, typing all through the "
        "sending time of each step (default 0; 500 with --typing-storm)",
    )
    parser.add_argument(
        "--typing-refresh",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="each typist sends typing again this often (default 2)",
    )
    parser.add_argument(
        "--typing-storm",
        action="store_true",
        help="500 typists while 200 msg/s flow, on the chat: --typists 500 --rates 200 "
        "--server chat (each can be given otherwise)",
    )


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="before each step, wait while other programs use >30%% CPU, at most "
        "this long in the whole run (default 30)",
    )
    parser.add_argument(
        "--no-skip",
        action="store_true",
        help="run every rate even after a step delivered under 80%% of its target",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="record each chat step with py-spy into DIR and print the top functions",
    )
    add_metrics_option(parser)


def add_metrics_option(parser: argparse.ArgumentParser) -> None:
    """``--metrics``: the chat's Prometheus metrics, read around each step (bench/scrape.py)."""
    parser.add_argument(
        "--metrics",
        choices=("on", "off"),
        default="on",
        help="run the chat with CHAT_METRICS=1, read /metrics before and after each step, "
        "and note where its counts differ from the load generator's (default on)",
    )


def _with_defaults(args: argparse.Namespace) -> argparse.Namespace:
    """The defaults that depend on --quick, --peak and --typing-storm, and the derived lists."""
    if args.seconds is None:
        args.seconds = 2.0 if args.quick else 5.0 if args.peak else 10.0
    if args.transport is None:
        args.transport = "websocket" if args.quick else "both"
    if args.relay_tcp is None:
        args.relay_tcp = "nodelay" if (args.quick or args.peak) else "both"
    _typing_storm_defaults(args)
    if args.rates:
        args.rate_list = [int(r) for r in args.rates.split(",") if r.strip()]
    else:
        args.rate_list = [200, 1000] if args.quick else [200, 1000, 2000]
    if args.quick:
        args.grace = min(args.grace, 2.0)
        args.quiet_wait = min(args.quiet_wait, 5.0)
    args.transports = {
        "both": ["websocket", "polling"],
        "all": ["websocket", "websocket-deflate", "polling"],
    }.get(args.transport, [args.transport])
    args.loadgen_cores = args.loadgen_cores or default_loadgen_cores(args.server_cores)
    args.database_cores = args.database_cores or args.server_cores
    args.agents = max(1, args.agents)
    args.workers = max(1, min(args.workers, args.agents))
    return args


def _typing_storm_defaults(args: argparse.Namespace) -> None:
    """--typing-storm stands for --typists 500 --rates 200 --server chat, unless given."""
    storm = args.typing_storm
    if args.rates is None and storm:
        args.rates = "200"
    if args.server is None:
        args.server = "chat" if storm else "both"
    if args.typists is None:
        args.typists = 500 if storm else 0
    args.typists = max(0, args.typists)
    args.typing_refresh = max(0.1, args.typing_refresh)


def connection_cap(args: argparse.Namespace) -> int | None:
    """The server's connection cap for this load, or None for its default.

    The relay keeps socketio.run()'s defaults (eventlet's 1,024 connections)
    unless more are needed; the chat's wsgi.py allows 10,000. A long-polling
    client may hold two connections (a pending GET and a POST).
    """
    sockets = args.visitors + args.typists + args.agents
    per_socket = 2 if "polling" in args.transports else 1
    if sockets * per_socket <= 900:
        return None
    return sockets * 2 + 100


def server_plan(args: argparse.Namespace) -> list[dict]:
    """The servers to measure, in order: the chat on each database, the relay
    without and with TCP_NODELAY."""
    plan = []
    if args.server in ("chat", "both"):
        databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
        plan += [{"kind": "chat", "database": database} for database in databases]
    if args.server in ("relay", "both"):
        if args.relay_tcp in ("nagle", "both"):
            plan.append({"kind": "relay", "nodelay": False})
        if args.relay_tcp in ("nodelay", "both"):
            plan.append({"kind": "relay", "nodelay": True})
    return plan


def plan_label(spec: dict) -> str:
    """A planned server as the progress lines name it."""
    if spec["kind"] == "relay":
        return "relay+nodelay" if spec["nodelay"] else "relay"
    return "chat/pg" if spec["database"] == "postgresql" else "chat"
