"""The `parindex` command (FORMATS.md "Commands"): works on files alone, no database.

Exit status: 0 success (warnings on stderr), 2 bad input (every problem listed as
`FILE:LINE: message`, at most 100, nothing written), 1 internal error.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.formats.criteria import read_criteria
from parindex.formats.problems import MAX_LISTED, InputError, Problem
from parindex.formats.results import (
    improvement_document,
    results_csv,
    results_document,
    results_json,
    results_xlsx,
)
from parindex.scoring import compute, explain, improve, render_trace
from parindex.scoring.messages import Message, msg
from parindex.scoring.model import CriteriaSet, Inputs, NodeKind, Source, SurveyTally, Unit
from parindex.scoring.numbers import plain
from parindex.scoring.results import Results

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
FORMATS = ("json", "csv", "xlsx", "pdf", "docx")


def default_lang() -> str:
    """`--lang` default: PARINDEX_LANG, else the locale (vi_* → vi), else English."""
    explicit = os.environ.get("PARINDEX_LANG", "")
    if explicit in ("vi", "en"):
        return explicit
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


# ---------------------------------------------------------------- argument parsing


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("vi", "en"), default=argparse.SUPPRESS, help="vi | en")
    parser = argparse.ArgumentParser(
        prog="parindex",
        description="Chỉ số cải cách hành chính (PAR INDEX) — tính điểm, xếp hạng, xếp loại",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", required=True)

    criteria = commands.add_parser("criteria", help="criteria sets", parents=[common])
    criteria_commands = criteria.add_subparsers(dest="criteria_command", required=True)
    check = criteria_commands.add_parser("check", help="check a criteria set", parents=[common])
    check.add_argument("set", metavar="SET.yaml")

    compute_cmd = commands.add_parser("compute", help="compute results", parents=[common])
    _input_arguments(compute_cmd)
    compute_cmd.add_argument("--previous", metavar="PREVIOUS.json")
    compute_cmd.add_argument("--out", metavar="FILE")
    compute_cmd.add_argument("--format", choices=FORMATS)
    compute_cmd.add_argument("--explain", metavar="UNIT", help="print the trace of one unit")

    improve_cmd = commands.add_parser(
        "improve", help="what it takes to reach a rank", parents=[common]
    )
    _input_arguments(improve_cmd)
    improve_cmd.add_argument("--unit", required=True, metavar="CODE")
    improve_cmd.add_argument("--target-rank", required=True, type=int, metavar="N")
    improve_cmd.add_argument("--out", metavar="FILE")

    dossiers = commands.add_parser("dossiers", help="one-stop dossiers", parents=[common])
    dossiers_commands = dossiers.add_subparsers(dest="dossiers_command", required=True)
    stats = dossiers_commands.add_parser(
        "stats", help="on-time, late and online counts and rates", parents=[common]
    )
    stats.add_argument("dossiers", metavar="DOSSIERS.csv")
    stats.add_argument(
        "--by", required=True, choices=("unit", "official", "procedure", "unit-month")
    )
    stats.add_argument("--as-of", metavar="DATE", help="overdue as of (default: now)")
    stats.add_argument("--holidays", metavar="HOLIDAYS.csv")
    stats.add_argument("--out", metavar="FILE")
    stats.add_argument("--format", choices=("csv", "json", "xlsx"))

    tasks = commands.add_parser("tasks", help="reform-plan tasks", parents=[common])
    tasks_commands = tasks.add_subparsers(dest="tasks_command", required=True)
    tasks_check = tasks_commands.add_parser(
        "check", help="read the deadlines of a plan's tasks", parents=[common]
    )
    tasks_check.add_argument("tasks", metavar="TASKS.csv")
    tasks_check.add_argument("--out", metavar="FILE")

    demo = commands.add_parser("demo", help="start the demo province", parents=[common])
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--data-dir", default="./demo-data", metavar="DIR")
    demo.add_argument("--no-serve", action="store_true", help="load the demo, do not serve")
    return parser


def _input_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--criteria", required=True, metavar="SET.yaml")
    command.add_argument("--values", required=True, metavar="VALUES.csv")
    command.add_argument("--survey", metavar="ANSWERS.csv")
    command.add_argument("--metrics", metavar="METRICS.csv")
    command.add_argument("--units", metavar="UNITS.csv")


# ---------------------------------------------------------------- running


class UsageError(Exception):
    """A clear, user-facing reason to stop with exit status 2."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.en)
        self.message = message


def main(argv: Sequence[str] | None = None) -> int:
    # A short-lived process building hundreds of thousands of small, acyclic objects: the
    # cyclic collector would only rescan them (it doubled the time of large computations).
    gc.disable()
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = getattr(args, "lang", None) or default_lang()
    handlers: dict[str, Callable[[argparse.Namespace, str], int]] = {
        "criteria": run_criteria_check,
        "compute": run_compute,
        "improve": run_improve,
        "dossiers": run_dossiers_stats,
        "tasks": run_tasks_check,
        "demo": run_demo,
    }
    try:
        return handlers[args.command](args, lang)
    except InputError as error:
        _print_problems(error.problems, lang)
        return EXIT_BAD_INPUT
    except UsageError as failure:
        print(failure.message.render(lang), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: no stack trace for users
        if os.environ.get("PARINDEX_DEBUG"):
            raise
        text = msg(
            "lỗi nội bộ ({t}): {e}. Đặt PARINDEX_DEBUG=1 để xem chi tiết.",
            "internal error ({t}): {e}. Set PARINDEX_DEBUG=1 for details.",
            t=type(exc).__name__,
            e=str(exc).rstrip("."),
        )
        print(text.render(lang), file=sys.stderr)
        return EXIT_INTERNAL


def _print_problems(problems: Sequence[Problem], lang: str) -> None:
    for problem in problems[:MAX_LISTED]:
        print(problem.render(lang), file=sys.stderr)
    if len(problems) > MAX_LISTED:
        more = msg("... và {n} lỗi khác", "... and {n} more problems", n=len(problems) - MAX_LISTED)
        print(more.render(lang), file=sys.stderr)


def run_criteria_check(args: argparse.Namespace, lang: str) -> int:
    criteria = read_criteria(args.set)
    print(describe_set(criteria).render(lang))
    return EXIT_OK


def describe_set(criteria: CriteriaSet) -> Message:
    normal = [leaf for leaf in criteria.leaves() if leaf.kind is NodeKind.NORMAL]
    by_source = {s: sum((x.max for x in normal if x.source is s), Decimal(0)) for s in Source}
    second_level = sum(len(field.children) for field in criteria.fields)
    extras = [n for n in criteria.nodes if n.kind is not NodeKind.NORMAL]
    return msg(
        "{c}: hợp lệ — {f} lĩnh vực, {k} tiêu chí, {l} tiêu chí thành phần; {m} điểm "
        "(tự đánh giá {s}, điều tra xã hội học {v}, số liệu {d}); {x} mục thưởng/trừ",
        "{c}: valid — {f} fields, {k} criteria, {l} leaves; {m} points "
        "(self {s}, survey {v}, data {d}); {x} bonus/penalty nodes",
        c=criteria.code,
        f=len(criteria.fields),
        k=second_level,
        l=len(normal),
        m=plain(criteria.max_points),
        s=plain(by_source[Source.SELF]),
        v=plain(by_source[Source.SURVEY]),
        d=plain(by_source[Source.DATA]),
        x=len(extras),
    )


@dataclass
class Loaded:
    criteria: CriteriaSet
    results: Results


def load_and_compute(args: argparse.Namespace, lang: str, previous: str | None = None) -> Loaded:
    """Read every input, report every problem of every file together, then compute."""
    # imported here: the readers bring in polars, which `criteria check` does not need
    from parindex.formats.answers import read_answers
    from parindex.formats.inputs import (
        read_metrics,
        read_previous,
        read_units,
        read_values,
        units_for,
    )

    criteria = read_criteria(args.criteria)
    problems: list[Problem] = []

    def attempt(read: Callable[[], Any]) -> Any:
        try:
            return read()
        except InputError as error:
            problems.extend(error.problems)
            return None

    units: tuple[Unit, ...] | None = None
    if args.units:
        records = attempt(lambda: read_units(args.units))
        if records is not None:
            units = units_for(records, unit_group=criteria.unit_group, year=criteria.year)
    allowed = {u.code for u in units} if units is not None else None
    values = attempt(lambda: read_values(args.values, criteria, allowed)) or {}
    metrics = attempt(lambda: read_metrics(args.metrics, allowed)) if args.metrics else {}
    tally: SurveyTally | None = None
    rejected: list[Problem] = []
    if args.survey:
        answers = attempt(lambda: read_answers(args.survey, criteria, allowed))
        if answers is not None:
            tally, rejected = answers
    previous_results = attempt(lambda: read_previous(previous)) if previous else None
    if problems:
        raise InputError(problems)
    _print_problems(rejected, lang)  # warnings: the rejected rows are left out, the rest used
    if units is None:
        units = _units_named(values, metrics or {}, tally)
    inputs = Inputs(
        units=units,
        values=values,
        metrics=metrics or {},
        survey=tally,
        previous=previous_results,
    )
    return Loaded(criteria, compute(criteria, inputs))


def _units_named(
    values: dict[str, Any], metrics: dict[str, Any], tally: SurveyTally | None
) -> tuple[Unit, ...]:
    codes = set(values) | set(metrics)
    if tally is not None:
        codes |= {unit for unit, _ in tally.responses}
    return tuple(Unit(code, code) for code in sorted(codes))


def run_compute(args: argparse.Namespace, lang: str) -> int:
    output_format = _output_format(args.format, args.out)
    loaded = load_and_compute(args, lang, previous=args.previous)
    if args.explain:
        if loaded.results.unit(args.explain) is None:
            raise UsageError(
                msg(
                    "không có đơn vị '{u}' trong kết quả",
                    "unit '{u}' is not in the results",
                    u=args.explain,
                )
            )
        trace = explain(loaded.criteria, loaded.results, args.explain)
        print(render_trace(trace, lang))
        if not args.out or args.out == "-":
            return EXIT_OK
    _write(args.out, _render(output_format, loaded, lang))
    for unit in loaded.results.units:
        for warning in unit.warnings:
            print(f"{unit.unit.code}: {warning.render(lang)}", file=sys.stderr)
    return EXIT_OK


def _output_format(explicit: str | None, out: str | None) -> str:
    chosen = explicit
    if chosen is None and out and out != "-":
        suffix = Path(out).suffix.lower().lstrip(".")
        chosen = suffix if suffix in FORMATS else "json"
    return chosen or "json"


def _render(output_format: str, loaded: Loaded, lang: str) -> bytes:
    if output_format == "csv":
        return results_csv(loaded.results, loaded.criteria).encode("utf-8")
    if output_format == "xlsx":
        return results_xlsx(loaded.results, loaded.criteria)
    if output_format == "pdf":
        from parindex.formats.results_pdf import results_pdf  # reportlab loads in ~0.2 s

        document = results_document(loaded.results, loaded.criteria, lang)
        return results_pdf(document, loaded.criteria, lang)
    if output_format == "docx":
        from parindex.formats.results_docx import results_docx

        document = results_document(loaded.results, loaded.criteria, lang)
        return results_docx(document, loaded.criteria, lang)
    return results_json(loaded.results, loaded.criteria, lang).encode("utf-8")


def _write(out: str | None, content: bytes) -> None:
    """Standard output, or the file written whole (a temporary file renamed into place)."""
    if not out or out == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    target = Path(out)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.")
    except OSError as exc:
        raise UsageError(
            msg("không ghi được tệp {f}: {e}", "cannot write {f}: {e}", f=out, e=exc.strerror)
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; give it the usual mode
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def run_improve(args: argparse.Namespace, lang: str) -> int:
    if args.target_rank < 1:
        raise UsageError(msg("--target-rank phải ≥ 1", "--target-rank must be ≥ 1"))
    loaded = load_and_compute(args, lang)
    if loaded.results.unit(args.unit) is None:
        raise UsageError(
            msg(
                "không có đơn vị '{u}' trong kết quả",
                "unit '{u}' is not in the results",
                u=args.unit,
            )
        )
    plan = improve(loaded.criteria, loaded.results, args.unit, args.target_rank)
    if not plan.reachable:
        warning = msg(
            "cảnh báo: dù đạt đủ mọi điểm còn thiếu, {u} vẫn không đạt hạng {n}",
            "warning: even all lost points would not bring {u} to rank {n}",
            u=args.unit,
            n=args.target_rank,
        )
        print(warning.render(lang), file=sys.stderr)
    document = improvement_document(plan, loaded.criteria.decimals)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    _write(args.out, text.encode("utf-8"))
    return EXIT_OK


def run_dossiers_stats(args: argparse.Namespace, lang: str) -> int:
    from parindex.commands.dossiers import run

    return run(args, lang)


def run_tasks_check(args: argparse.Namespace, lang: str) -> int:
    from parindex.commands.tasks import run

    return run(args, lang)


def run_demo(args: argparse.Namespace, lang: str) -> int:
    """`parindex demo`: the demo province on the embedded database, served on 127.0.0.1."""
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    os.environ["PARINDEX_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("PARINDEX_SECRET_KEY", key_file.read_text(encoding="utf-8").strip())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.site.settings")
    os.environ.pop("DATABASE_URL", None)  # the demo is the embedded database, always
    os.environ.setdefault("PARINDEX_LOG_LEVEL", "WARNING")
    # The printed logins must work without an authenticator app; PARINDEX_TWO_FACTOR=1 shows it.
    os.environ.setdefault("PARINDEX_TWO_FACTOR", "0")
    gc.enable()  # a server process lives long: it needs its collector

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from parindex.demo.services import PASSWORD, demo_exists, demo_load

    first = not demo_exists()
    if first:
        print(msg("Đang tạo tỉnh mẫu...", "Building the demo province...").render(lang))
    logins = demo_load(say=print)
    address = f"http://127.0.0.1:{args.port}/"
    print(msg("parindex demo: {a}", "parindex demo: {a}", a=address).render(lang))
    print(msg("Dữ liệu: {d}", "Data: {d}", d=data_dir).render(lang))
    print(
        msg("Mật khẩu mọi tài khoản: {p}", "Password of every login: {p}", p=PASSWORD).render(lang)
    )
    for login in logins:
        note = f"  ({login.note})" if login.note else ""
        print(f"  {login.username:<22} {login.role}{note}")
    if os.environ["PARINDEX_TWO_FACTOR"] == "0":
        print(
            msg(
                "Xác thực hai bước tắt trong bản mẫu (bật: PARINDEX_TWO_FACTOR=1).",
                "Two-step sign-in is off in the demo (on: PARINDEX_TWO_FACTOR=1).",
            ).render(lang)
        )
    sys.stdout.flush()
    if args.no_serve:
        return EXIT_OK
    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False, insecure_serving=True)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
