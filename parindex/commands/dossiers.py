"""`parindex dossiers stats` (FORMATS "Dossiers — CSV" and "Commands").

Counts and rates of one-stop dossiers per unit, official, procedure or unit and month, as CSV
(the default, on standard output), JSON or XLSX. `--as-of` takes a date or a date and time in
Vietnam's local time; a date alone is the start of that day, as for every timestamp FORMATS
does not say otherwise of. Without it, the time is now in Vietnam (UTC+7, no summer time).
Problems with the options are reported as `--as-of: ...` problems (exit 2), not as
`cli.UsageError`, so that they are caught under `python -m parindex.cli` too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from parindex import cli
from parindex.formats.dates import parse_datetime
from parindex.formats.dossiers import (
    DossierInputError,
    DossierStats,
    dossier_stats,
    read_holidays,
    stats_csv,
    stats_json,
    stats_xlsx,
)
from parindex.formats.problems import MAX_LISTED, InputError, Problem
from parindex.scoring.messages import ScoringError, msg

VIETNAM = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")
FORMATS = ("csv", "json", "xlsx")


def run(args: argparse.Namespace, lang: str) -> int:
    output_format = output_format_for(args.format, args.out)
    as_of = as_of_time(args.as_of)
    problems: list[Problem] = []
    holidays: frozenset[dt.date] = frozenset()
    if args.holidays:
        try:
            holidays = read_holidays(args.holidays)
        except InputError as error:
            problems.extend(error.problems)
    try:
        stats = dossier_stats(args.dossiers, by=args.by, as_of=as_of, holidays=holidays)
    except DossierInputError as error:
        _print_problems([*problems, *error.problems], error.more, lang)
        return cli.EXIT_BAD_INPUT
    except InputError as error:
        raise InputError([*problems, *error.problems]) from None
    if problems:
        raise InputError(problems)
    try:
        cli._write(args.out, render(stats, output_format))
    except cli.UsageError as failure:  # caught here too when run as `python -m parindex.cli`
        print(failure.message.render(lang), file=sys.stderr)
        return cli.EXIT_BAD_INPUT
    return cli.EXIT_OK


def now_in_vietnam() -> dt.datetime:
    """The current time in Vietnam, naive (the timestamps of the files are naive local times)."""
    return dt.datetime.now(VIETNAM).replace(tzinfo=None)


def as_of_time(text: str | None) -> dt.datetime:
    """`--as-of`: a date (the start of that day) or a date and time; default now in Vietnam."""
    if text is None:
        return now_in_vietnam()
    try:
        return parse_datetime(text)
    except ScoringError as error:
        raise InputError([Problem("--as-of", error.message)]) from None


def output_format_for(explicit: str | None, out: str | None) -> str:
    """`--format`, else the `--out` file's extension, else CSV."""
    if explicit:
        return str(explicit)
    if out and out != "-":
        suffix = Path(out).suffix.lower().lstrip(".")
        if suffix == "pdf":
            raise InputError(
                [
                    Problem(
                        "--out",
                        msg(
                            "dossiers stats không xuất được pdf; dùng csv, json hoặc xlsx",
                            "dossiers stats cannot write pdf; use csv, json or xlsx",
                        ),
                    )
                ]
            )
        if suffix in FORMATS:
            return suffix
    return "csv"


def render(stats: DossierStats, output_format: str) -> bytes:
    if output_format == "json":
        return stats_json(stats).encode("utf-8")
    if output_format == "xlsx":
        return stats_xlsx(stats)
    return stats_csv(stats).encode("utf-8")


def _print_problems(problems: list[Problem], more: int, lang: str) -> None:
    """At most MAX_LISTED problems, then how many more there are (as `cli` does)."""
    cli._print_problems(problems[:MAX_LISTED], lang)
    unlisted = max(0, len(problems) - MAX_LISTED) + more
    if unlisted:
        text = msg("... và {n} lỗi khác", "... and {n} more problems", n=unlisted)
        print(text.render(lang), file=sys.stderr)
