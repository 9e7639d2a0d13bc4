"""Message throughput and latency of the chat server against a bare relay.

    python bench/run.py                 # the default run (about 5 minutes)
    python bench/run.py --quick         # a short run (under a minute)
    python bench/run.py --peak          # the highest sustained rate per server
    python bench/run.py --rates 200,1000 --seconds 10 --transport both \\
        --server both --async-mode eventlet --json results.json

Each server is started fresh, pinned to core 0; Node processes running the
official Socket.IO client (pinned to the other cores) hold 200 visitor sockets
(one conversation each) and 4 agent sockets. Visitors send ``send_message`` at
an even total rate; the conversation's agent (conversation k has agent k mod 4)
answers each arrival with a ``delivered`` receipt. See bench/README.md for what
each column means.
"""

import shutil
import sys
import tempfile
import time
from pathlib import Path

# Run as a script from anywhere: the repository root is where bench/ and tests/ live.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import machine, node  # noqa: E402
from bench.options import connection_cap, parse_args, plan_label, server_plan  # noqa: E402
from bench.output import log  # noqa: E402
from bench.peak import find_peak  # noqa: E402
from bench.report import print_results, write_json  # noqa: E402
from bench.servers import Server, start_server  # noqa: E402
from bench.steps import StepRunner, run_rates  # noqa: E402


class Run:
    """The whole run: each planned server in turn, its rows, peaks and errors."""

    def __init__(self, args, workdir: Path):
        self.args, self.workdir = args, workdir
        self.quiet = machine.QuietWaiter(args.quiet_wait)
        self.rows: list[dict] = []
        self.peaks: list[dict] = []
        self.errors: list[str] = []

    def measure(self, spec: dict) -> None:
        """Start one server, run its steps over every transport, stop it."""
        args = self.args
        try:
            server = start_server(
                spec["kind"],
                async_mode=args.async_mode,
                nodelay=spec.get("nodelay", False),
                cores=args.server_cores,
                max_connections=connection_cap(args),
                database=spec.get("database", "sqlite"),
                database_cores=args.database_cores,
                metrics=args.metrics == "on",
            )
        except Exception as exc:  # noqa: BLE001 - reported; the other servers still run
            log(str(exc))
            self.errors.append(f"{spec['kind']}: did not start: {str(exc).splitlines()[0]}")
            return
        try:
            self.run_steps(server)
        finally:
            self.note_log_problems(server)
            server.stop()

    def run_steps(self, server: Server) -> None:
        args = self.args
        # The typists' conversations come after the senders' (see steps.worker_configs).
        visitors = server.create_visitors(args.visitors + args.typists)
        for transport in args.transports:
            step = StepRunner(
                args, server, visitors, transport, self.workdir, self.quiet, self.rows, self.errors
            )
            if args.peak:
                self.peaks.append(
                    find_peak(step, server.label, transport, args.peak_start, args.peak_retries)
                )
            else:
                run_rates(step, args.rate_list, args.no_skip)

    def note_log_problems(self, server: Server) -> None:
        problems = server.log_problems()
        if problems:
            self.errors.append(
                f"{server.label}: {len(problems)} error lines in the server's output, "
                f"e.g. {' | '.join(line.strip()[:160] for line in problems[-3:])}"
            )


def main(argv=None) -> int:
    args = parse_args(__doc__, argv)
    machine.set_niceness(args.nice)
    node.ensure_node_modules()
    workdir = Path(tempfile.mkdtemp(prefix="bench-run-"))
    plan = server_plan(args)
    log(
        f"servers {[plan_label(p) for p in plan]}, "
        f"transports {args.transports}, "
        f"rates {'peak search' if args.peak else args.rate_list}, "
        f"{args.seconds:g} s each"
        f"{f', {args.typists} typists' if args.typists else ''}; "
        f"server on core {args.server_cores}, "
        f"load generator ({args.workers} processes) on core(s) {args.loadgen_cores}"
    )
    started = time.monotonic()
    run = Run(args, workdir)
    for spec in plan:
        run.measure(spec)
    shutil.rmtree(workdir, ignore_errors=True)
    reference = print_results(run.rows, run.peaks, run.errors)
    print(f"\n{time.monotonic() - started:.0f} s in all.")
    if args.json:
        write_json(args, reference, run.rows, run.peaks, run.errors)
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
