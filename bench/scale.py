"""Two chat processes through Redis: the visitors on one, the agents on the other.

    python bench/scale.py              # 200, 500, 1000 msg/s, 10 s each (about 2 minutes)
    python bench/scale.py --rates 200,500 --seconds 5 --json scale.json
    python bench/scale.py --transport polling
    python bench/scale.py --database postgresql
    python bench/scale.py --bystander  # and a third process, C, that serves nobody
    python bench/scale.py --shared-limits  # the limits counted in Redis too

The load of bench/run.py (200 visitor sockets, 4 agent sockets; every message
acknowledged, delivered and answered with a stored ``delivered`` receipt),
with process A holding the visitors' sockets and process B the agents': each
message is stored by A and reaches its agent through Redis, each receipt is
stored by B and reaches its visitor through Redis. Both processes are
``python wsgi.py`` on one database (a SQLite file, or Debian's PostgreSQL on
a loopback port), with Redis (``redis-server`` on a loopback port) as
``SOCKETIO_MESSAGE_QUEUE``. A is pinned to core 0, B to core 1; Redis,
PostgreSQL and the load generator are not pinned. See bench/README.md.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import socketio
from redis import Redis as RedisClient

# Run as a script from anywhere: the repository root is where bench/ and tests/ live.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import machine, node  # noqa: E402
from bench.options import _add_load_options, add_metrics_option  # noqa: E402
from bench.output import fmt  # noqa: E402
from bench.report import print_results, write_json  # noqa: E402
from bench.servers import Server  # noqa: E402
from bench.steps import StepRunner, run_rates  # noqa: E402
from bench.table import COLUMNS  # noqa: E402
from tests.harness.services import Redis, postgres_bin  # noqa: E402

# What Redis says it did, per step: commands, bytes and connections (INFO stats).
REDIS_COUNTERS = (
    "total_commands_processed",
    "total_net_input_bytes",
    "total_net_output_bytes",
    "total_connections_received",
)


class SecondProcess(Server):
    """Process B (or C): a chat process on process A's database."""

    def __init__(self, first: Server, **options):
        super().__init__("chat", **options)
        self.first = first

    def start(self) -> None:
        # Process A started the database (PostgreSQL's port is known only
        # then), migrated it and created the agent; the agents use A's API
        # token, which B finds in the same database.
        self.process.database_url = self.first.process.database_url
        self.process.database_path = self.first.process.database_path
        self._log_start = self.process.log_size()
        self.process.start(timeout=40)


class Pair(Server):
    """Process A (the visitors' sockets), process B (the agents') and Redis between them;
    with ``--bystander``, process C, with one idle socket, receiving what they publish.

    To a step it is one server: A's CPU and memory are the server's, those of
    B, C and Redis are measured beside them (``others``), PostgreSQL's as the
    database's (started with A, as for bench/run.py), Redis's commands and
    bytes are counted over the sending (``counters``), and the metrics are the
    sum of the chat processes'.
    """

    def __init__(self, args):
        options = {"async_mode": "eventlet", "metrics": args.metrics == "on"}
        super().__init__(
            "chat",
            cores=args.a_cores,
            database=args.database,
            database_cores=args.database_cores,
            **options,
        )
        self.second = SecondProcess(self, cores=args.b_cores, **options)
        self.followers = {"B": self.second}
        if args.bystander:
            self.followers["C"] = SecondProcess(self, cores=args.c_cores, **options)
        self.bystanders_visitor = socketio.Client()
        self.redis = Redis()
        self.redis_client: RedisClient | None = None
        self.shared_limits = args.shared_limits

    @property
    def label(self) -> str:
        return "chat A+B"

    @property
    def agent_url(self) -> str:
        return self.second.url

    @property
    def metrics_urls(self) -> list[str]:
        followers = [follower.url for follower in self.followers.values()]
        return [self.url, *followers] if self.metrics else []

    @property
    def others(self) -> dict[str, int]:
        """B, C and Redis (PostgreSQL is the database, ``database_pid``)."""
        others = {name: follower.pid for name, follower in self.followers.items()}
        others["redis"] = self.redis.process.pid
        return others

    def counters(self) -> dict[str, int]:
        stats = self.redis_client.info("stats")
        return {name: stats[name] for name in REDIS_COUNTERS}

    def start(self) -> None:
        queue = self.redis.start()
        self.redis_client = RedisClient(host="127.0.0.1", port=self.redis.port)
        for server in (self, *self.followers.values()):
            server.process.extra_env["SOCKETIO_MESSAGE_QUEUE"] = queue
            if self.shared_limits:
                server.process.extra_env["RATELIMIT_STORAGE_URI"] = queue
        super().start()  # PostgreSQL too, with --database postgresql
        for follower in self.followers.values():
            follower.start()
        if "C" in self.followers:
            # A process listens to the queue from its first connection on.
            visitor = self.api.new_conversation(name="Bystander's visitor")
            self.bystanders_visitor.connect(
                self.followers["C"].url,
                auth={"visitor_token": visitor.token},
                transports=["websocket"],
                wait_timeout=10,
            )

    def log_problems(self) -> list[str]:
        problems = [f"A: {line}" for line in super().log_problems()]
        for name, follower in self.followers.items():
            problems += [f"{name}: {line}" for line in follower.log_problems()]
        return problems

    def stop(self) -> None:
        self.bystanders_visitor.disconnect()
        for follower in self.followers.values():
            follower.stop()
        super().stop()  # and PostgreSQL
        if self.redis_client is not None:
            self.redis_client.close()
        self.redis.stop()


def _per_message(name: str, divide=1):
    def cell(r: dict) -> str:
        delivered = r["delivered"]
        counted = r.get("counters", {}).get(name)
        return "-" if counted is None or not delivered else f"{counted / divide / delivered:.1f}"

    return cell


def _other(name: str, field: str):
    def cell(r: dict) -> str:
        other = r["others"].get(name)
        return "-" if other is None else f"{other[field]:.0f}"

    return cell


# run.py's columns up to max latency, then each process's CPU and memory.
RUN_COLUMNS = {column[0]: column for column in COLUMNS}
TABLE = [
    *COLUMNS[: list(RUN_COLUMNS).index("max") + 1],
    ("A CPU%", 6, lambda r: f"{r['server_cpu_pct']:.0f}"),
    ("A MiB", 5, lambda r: f"{r['server_rss_mib']:.0f}"),
    ("B CPU%", 6, _other("B", "cpu_pct")),
    ("B MiB", 5, _other("B", "rss_mib")),
    ("C CPU%", 6, _other("C", "cpu_pct")),
    ("redis%", 6, _other("redis", "cpu_pct")),
    ("cmd/msg", 7, _per_message("total_commands_processed")),
    RUN_COLUMNS["dbCPU%"],
    RUN_COLUMNS["genCPU%"],
    RUN_COLUMNS["othCPU%"],
]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rates", default="200,500,1000", help="target msg/s of each step")
    parser.add_argument("--seconds", type=float, default=10.0, help="sending time per step")
    parser.add_argument("--transport", choices=("websocket", "polling"), default="websocket")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="one SQLite file (default), or Debian's PostgreSQL on a loopback port",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    _add_load_options(parser)
    parser.add_argument("--a-cores", default="0", help="process A's cores (default 0)")
    parser.add_argument("--b-cores", default="1", help="process B's cores (default 1)")
    parser.add_argument(
        "--shared-limits",
        action="store_true",
        help="count the limits in the same Redis (RATELIMIT_STORAGE_URI), as docs/deployment.md "
        "advises for several processes: a few more commands per event",
    )
    parser.add_argument(
        "--bystander",
        action="store_true",
        help="a third process C, on the same database and Redis, with one idle visitor's "
        "socket: what each process pays for the others' traffic",
    )
    parser.add_argument(
        "--c-cores", help="process C's cores (default: all, i.e. not pinned, like the load)"
    )
    parser.add_argument(
        "--loadgen-cores", help="the load generator's cores (default: all, i.e. not pinned)"
    )
    parser.add_argument("--nice", type=int, default=0, help="as for bench/run.py")
    parser.add_argument("--quiet-wait", type=float, default=30.0, help="as for bench/run.py")
    parser.add_argument("--no-skip", action="store_true", help="as for bench/run.py")
    add_metrics_option(parser)
    args = parser.parse_args(argv)
    args.rate_list = [int(r) for r in args.rates.split(",") if r.strip()]
    every_core = ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))
    args.loadgen_cores = args.loadgen_cores or every_core
    args.c_cores = args.c_cores or every_core
    args.database_cores = every_core  # PostgreSQL is not pinned
    args.agents = max(1, args.agents)
    args.workers = max(1, min(args.workers, args.agents))
    # What a step of bench/run.py also reads: no --quick, --profile or typists.
    args.quick, args.profile = False, None
    args.typists, args.typing_refresh = 0, 2.0
    return args


def setting_lines(args, database: str) -> list[str]:
    cores = len(os.sched_getaffinity(0))
    rest = (
        "Redis, PostgreSQL and the load generator"
        if args.database == "postgresql"
        else "Redis and the load generator"
    )
    return [
        f"Process A (the {args.visitors} visitors' sockets) on core {args.a_cores}, "
        f"process B (the {args.agents} agents' sockets) on core {args.b_cores}; {rest} "
        f"({args.workers} load-generator processes) on core(s) {args.loadgen_cores}.",
        f"This machine has {cores} cores: {rest} share them with A and B."
        if cores <= 2
        else f"This machine has {cores} cores.",
        f"Both processes write {database} and share Redis as the Socket.IO message queue"
        + (" and the store of the limits" if args.shared_limits else "")
        + ": every message and receipt crosses Redis.",
    ] + (
        [
            f"Process C (one idle visitor's socket) on core(s) {args.c_cores}, on the same "
            "database and Redis: it receives everything A and B publish, for nobody."
        ]
        if args.bystander
        else []
    )


def redis_lines(rows: list[dict]) -> list[str]:
    lines = []
    for r in rows:
        counted, delivered = r.get("counters"), r.get("delivered")
        if r.get("skipped") or not counted or not delivered:
            continue
        lines.append(
            f"  {r['target_rate']:>5} msg/s: Redis {fmt(r['others']['redis']['cpu_pct'], 0)}% CPU, "
            f"{counted['total_commands_processed'] / delivered:.1f} commands, "
            f"{counted['total_net_input_bytes'] / delivered / 1024:.1f} KiB in and "
            f"{counted['total_net_output_bytes'] / delivered / 1024:.1f} KiB out "
            f"per delivered message; {counted['total_connections_received']} connections opened"
        )
    return lines


def main(argv=None) -> int:
    args = parse_args(argv)
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is needed (apt-get install redis-server)")
    if args.database == "postgresql" and postgres_bin() is None:
        raise SystemExit(
            "PostgreSQL is needed for --database postgresql (apt-get install postgresql)"
        )
    machine.set_niceness(args.nice)
    node.ensure_node_modules()
    workdir = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    database = {
        "sqlite": "one SQLite file (write-ahead log)",
        "postgresql": "one PostgreSQL database (Debian's, on a loopback port, not pinned)",
    }[args.database]
    settings = setting_lines(args, database)
    for line in settings:
        print(line, file=sys.stderr)
    started = time.monotonic()
    rows: list[dict] = []
    errors: list[str] = []
    pair = Pair(args)
    try:
        pair.start()
        visitors = pair.create_visitors(args.visitors)
        step = StepRunner(
            args,
            pair,
            visitors,
            args.transport,
            workdir,
            machine.QuietWaiter(args.quiet_wait),
            rows,
            errors,
        )
        run_rates(step, args.rate_list, args.no_skip)
    finally:
        if problems := pair.log_problems():
            errors.append(
                f"{len(problems)} error lines in the servers' output, e.g. "
                + " | ".join(line.strip()[:160] for line in problems[-3:])
            )
        pair.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(settings))
    print_results(rows, [], errors, TABLE)
    if lines := redis_lines(rows):
        print("\nRedis, over each step's sending:")
        print("\n".join(lines))
    print(f"\n{time.monotonic() - started:.0f} s in all.")
    if args.json:
        write_json(args, None, rows, [], errors)
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
