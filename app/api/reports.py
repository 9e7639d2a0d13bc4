"""The desk's reports for admins: the figures of a period as JSON, and as
CSV files (per agent, per day, per conversation) to open in a spreadsheet."""

import csv
import io

from flask import Response, current_app, request

from app import limiter
from app.api import bp
from app.api.auth import admin_caller
from app.api.conversations import validated
from app.api.description import described
from app.api.rating_responses import Report
from app.rating_schemas import ReportCsvQuery, ReportQuery
from app.services import reports


def report_rate() -> str:
    return current_app.config["CHAT_REPORT_RATE"]


def requested(schema: type[ReportQuery]) -> ReportQuery:
    return validated(schema, request.args.to_dict())


def period_of(query: ReportQuery) -> reports.Period:
    return reports.period(query.from_, query.to, query.tz)


def _seconds(value: float | None) -> float | int | None:
    """Whole seconds when whole (most are), else as computed."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 3)


def times(t: reports.Times) -> dict:
    return {"median": _seconds(t.median), "p90": _seconds(t.p90), "count": t.count}


def figures(f: reports.Figures) -> dict:
    average = f.ratings.average
    return {
        "conversations": f.conversations,
        "answered": f.answered,
        "resolved": f.resolved,
        "first_response": times(f.first_response),
        "resolution": times(f.resolution),
        "ratings": {
            "average": None if average is None else round(average, 2),
            "count": f.ratings.count,
            "distribution": {str(s): n for s, n in f.ratings.distribution.items()},
        },
    }


@bp.route("/admin/reports", methods=["GET"])
@described(
    tag="reports", auth="admin", query=ReportQuery, answers={200: Report}, errors=("rate_limited",)
)
@limiter.limit(report_rate)
def report():
    """The report of a period (admins): ``from`` and ``to`` (ISO dates, both
    included; default the last 30 days) in the IANA time zone ``tz``
    (default UTC). Answers ``{period, totals, days, agents}``; times are in
    seconds."""
    admin_caller()
    made = reports.report(period_of(requested(ReportQuery)))
    period = made.period
    return {
        "period": {
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "tz": period.zone.key,
            "days": period.days,
        },
        "totals": figures(made.totals),
        "days": [{"date": day.isoformat(), "conversations": n} for day, n in made.days],
        "agents": [
            {
                "agent": None if a.agent_id is None else {"id": a.agent_id, "name": a.name},
                **figures(a.figures),
            }
            for a in made.agents
        ],
    }


# Spreadsheets run a cell that starts with one of these as a formula: a
# visitor's name or comment must never do that on an admin's computer.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


AGENT_COLUMNS = [
    "agent",
    "conversations",
    "answered",
    "resolved",
    "first_response_median_seconds",
    "first_response_p90_seconds",
    "resolution_median_seconds",
    "resolution_p90_seconds",
    "ratings",
    "rating_average",
    *(f"rating_{score}" for score in reports.SCORES),
]


def agent_row(name: str, f: reports.Figures) -> list:
    average = f.ratings.average
    return [
        name,
        f.conversations,
        f.answered,
        f.resolved,
        _seconds(f.first_response.median),
        _seconds(f.first_response.p90),
        _seconds(f.resolution.median),
        _seconds(f.resolution.p90),
        f.ratings.count,
        None if average is None else round(average, 2),
        *f.ratings.distribution.values(),
    ]


def agents_table(made: reports.Report) -> list[list]:
    rows = [AGENT_COLUMNS, agent_row("All agents", made.totals)]
    for a in made.agents:
        rows.append(agent_row(a.name or "Unassigned", a.figures))
    return rows


def days_table(made: reports.Report) -> list[list]:
    return [["date", "conversations"], *([day.isoformat(), n] for day, n in made.days)]


CONVERSATION_COLUMNS = [
    "conversation_id",
    "started_at",
    "visitor",
    "agent",
    "state",
    "first_response_seconds",
    "resolution_seconds",
    "rating",
    "rating_comment",
]


def conversations_table(period: reports.Period) -> list[list]:
    rows = [CONVERSATION_COLUMNS]
    for r in reports.conversation_rows(period):
        rows.append(
            [
                r.id,
                period.local_time(r.created_at).isoformat(timespec="seconds"),
                r.visitor_name,
                r.assignee_name,
                r.state,
                _seconds(r.first_response),
                _seconds(r.resolution),
                r.rating,
                r.rating_comment,
            ]
        )
    return rows


@bp.route("/admin/reports.csv", methods=["GET"])
@described(
    tag="reports",
    auth="admin",
    query=ReportCsvQuery,
    answers={200: None},
    errors=("rate_limited",),
    headers={200: {"Content-Disposition": "attachment; the file's name says the period"}},
    media={200: "text/csv"},
)
@limiter.limit(report_rate)
def report_csv():
    """The report of a period as a CSV download (admins): ``kind`` is
    ``agents`` (the figures, the desk's first), ``days`` (conversations per
    day) or ``conversations`` (one row each, with its times and rating);
    the period as for ``GET /admin/reports``."""
    admin_caller()
    query = requested(ReportCsvQuery)
    kind, period = query.kind, period_of(query)
    if kind == "conversations":
        table = conversations_table(period)
    elif kind == "days":
        table = days_table(reports.report(period))
    else:
        table = agents_table(reports.report(period))
    out = io.StringIO()
    writer = csv.writer(out)
    for row in table:
        writer.writerow([cell(value) for value in row])
    name = f"report-{kind}-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
