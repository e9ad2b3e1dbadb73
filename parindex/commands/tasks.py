"""`parindex tasks check TASKS.csv [--out FILE]` (FORMATS "Plan tasks — CSV").

Reads every task's deadline and writes CSV `code,deadline,due_date,starts` (ISO dates, empty
where none), one row per task in file order. When any deadline — or any other cell — cannot be
read, every problem is listed as `FILE:LINE: message` and nothing is written (exit 2).
"""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Iterable

from parindex.cli import EXIT_OK, _write
from parindex.formats.problems import InputError
from parindex.formats.results import neutralise
from parindex.formats.tasks import Task, read_tasks

HEADER = ("code", "deadline", "due_date", "starts")


def run(args: argparse.Namespace, lang: str) -> int:
    read = read_tasks(args.tasks)
    if read.problems:
        raise InputError(read.problems)  # parindex.cli lists them, in `lang`, and exits 2
    _write(args.out, deadlines_csv(read.tasks).encode("utf-8"))
    return EXIT_OK


def deadlines_csv(tasks: Iterable[Task]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for task in tasks:
        writer.writerow(
            [
                neutralise(task.code),
                neutralise(task.deadline),
                task.due_date.isoformat() if task.due_date else "",
                task.starts.isoformat() if task.starts else "",
            ]
        )
    return buffer.getvalue()
