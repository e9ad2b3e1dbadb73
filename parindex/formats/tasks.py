"""Reading a reform plan's tasks (*nhiệm vụ của kế hoạch CCHC*), FORMATS "Plan tasks — CSV".

`code,title,lead,partners,deadline,status,completed_at`: `partners` is a `;`-separated list,
`status` one of `not_started`, `in_progress`, `done`, `completed_at` an optional date, and
`deadline` the Vietnamese wording of `parindex.formats.deadlines`. Like every reader of the file
layer, this one reads the whole file and reports every problem with its line; a row with a
problem gives no task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from parindex.formats.dates import parse_date
from parindex.formats.deadlines import parse_deadline
from parindex.formats.problems import InputError, Problem
from parindex.formats.tables import read_table
from parindex.scoring.messages import Message, ScoringError, msg

REQUIRED = ("code", "deadline", "status")


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Task:
    """One row of the tasks file, its deadline read (`due_date` None: an ongoing task)."""

    line: int
    code: str
    title: str
    lead: str
    partners: tuple[str, ...]
    deadline: str  # as written in the file
    due_date: dt.date | None
    starts: dt.date | None
    status: Status
    completed_at: dt.date | None


@dataclass(frozen=True, slots=True)
class TasksFile:
    """The tasks read, in file order, and every problem found (the file is good when none)."""

    file: str
    tasks: tuple[Task, ...]
    problems: tuple[Problem, ...]


def read_tasks(path: str | Path) -> TasksFile:
    """Every task of the file and every problem, each problem located by its line."""
    try:
        table = read_table(path, required=REQUIRED)
    except InputError as error:
        return TasksFile(str(path), (), tuple(error.problems))
    problems: list[Problem] = []
    tasks: list[Task] = []
    first_line: dict[str, int] = {}
    for line, row in table.rows:
        found: list[Message] = []
        code = row["code"]
        if not code:
            found.append(msg("thiếu mã nhiệm vụ", "the task code is empty"))
        elif code in first_line:
            found.append(
                msg(
                    "mã nhiệm vụ {c} bị lặp lại (đã có ở dòng {l})",
                    "duplicate task code {c} (already on line {l})",
                    c=code,
                    l=first_line[code],
                )
            )
        else:
            first_line[code] = line
        due_date = starts = completed_at = None
        try:
            due_date, starts = parse_deadline(row["deadline"])
        except ScoringError as exc:
            found.append(exc.message)
        status = _status(row["status"])
        if isinstance(status, Message):
            found.append(status)
        completed = row.get("completed_at", "")
        try:
            completed_at = parse_date(completed) if completed else None
        except ScoringError as exc:
            found.append(_prefixed("completed_at", exc.message))
        if found or not isinstance(status, Status):
            problems.extend(Problem(table.file, message, line) for message in found)
            continue
        partners = tuple(
            p for p in (part.strip() for part in row.get("partners", "").split(";")) if p
        )
        tasks.append(
            Task(
                line=line,
                code=code,
                title=row.get("title", ""),
                lead=row.get("lead", ""),
                partners=partners,
                deadline=row["deadline"],
                due_date=due_date,
                starts=starts,
                status=status,
                completed_at=completed_at,
            )
        )
    return TasksFile(table.file, tuple(tasks), tuple(problems))


def _status(text: str) -> Status | Message:
    try:
        return Status(text.lower())
    except ValueError:
        pass
    choices = ", ".join(status.value for status in Status)
    if not text:
        return msg(
            "thiếu trạng thái (một trong: {s})", "the status is empty (one of: {s})", s=choices
        )
    return msg(
        "trạng thái '{t}' không hợp lệ (một trong: {s})",
        "unknown status '{t}' (one of: {s})",
        t=text,
        s=choices,
    )


def _prefixed(prefix: str, message: Message) -> Message:
    return Message(f"{prefix}: {message.vi}", f"{prefix}: {message.en}")
