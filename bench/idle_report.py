"""What bench/connections.py prints: connections held, their cost, the burst."""

from bench.output import fmt


def print_report(r: dict) -> None:
    print()
    print(f"Idle connections: {r['server']}, {r['transport']}, {r['visitors']} visitors")
    print(f"  conversations created      {r['visitors']} in {r['create_conversations_s']} s")
    print(
        f"  connected                  {r['connected']} ({r['connect_failed']} failed"
        f"{', ' + ', '.join(r['connect_errors']) if r['connect_errors'] else ''}) "
        f"in {r['connect_s']} s ({r['connects_per_s']}/s)"
    )
    print(
        f"  idle visitors connected after the hold {r['still_connected']}; "
        f"disconnects {r['disconnects']} {r['disconnect_reasons'] or ''}"
    )
    print(
        f"  server RSS                 before {r['rss_before_mib']} MiB, after connecting "
        f"{r['rss_after_connect_mib']} MiB, after the hold {r['rss_after_hold_mib']} MiB "
        f"(peak {r['rss_peak_mib']} MiB)"
    )
    print(f"  per connection             {r['kib_per_connection']} KiB")
    print(
        f"  server CPU while idle      {r['idle_server_cpu_pct']}% "
        f"({r['idle_server_system_cpu_pct']}% in the kernel; heartbeats and housekeeping)"
    )
    b = r["burst"]
    print(
        f"Burst: {b['typists']} typing at once ({b['typing_acked']} acked, "
        f"errors {b['typing_errors'] or 'none'}); "
        f"ack p50 {fmt(b['typing_ack_p50_ms'])} ms, last ack {fmt(b['typing_ack_max_ms'])} ms; "
        f"server CPU {b['server_cpu_pct_until_all_acked']}% until then "
        f"({b['server_system_cpu_pct_until_all_acked']}% in the kernel)"
    )
    print(f"  pair messages: {b['pair_messages_sent']} sent, errors {b['pair_errors']}")
    print(f"  {'latency ms':<22}{'n':>5}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
    for direction in ("visitor_to_agent", "agent_to_visitor"):
        for phase in ("before", "during", "after"):
            s = b[direction][phase]
            label = f"{direction.replace('_', ' ')} {phase}"
            print(
                f"  {label:<22}{s['count']:>5}{fmt(s['p50']):>9}{fmt(s['p95']):>9}"
                f"{fmt(s['p99']):>9}{fmt(s['max']):>9}"
            )
    print(f"  still connected at the end: {r['connected_at_end']}")
    if r.get("server_log_problems"):
        print(f"Server log: {len(r['server_log_problems'])} error lines, e.g.")
        for line in r["server_log_problems"][:5]:
            print("  " + line[:200])
    if r.get("profile"):
        print("py-spy during the burst (3 s from its start):")
        for line in r["profile"]:
            print("  " + line)
