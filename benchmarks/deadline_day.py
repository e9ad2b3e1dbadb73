"""Deadline day on loopback: every unit at once, PostgreSQL restarted in the middle.

Builds the demo province on a fresh PostgreSQL database (``parindex_deadline_day`` on
127.0.0.1, trust auth; dropped first), starts gunicorn with debug off (``2 × cores + 1``
gthread workers) and runs Locust headless (``locustfile_deadline_day.py``) with twice as many
virtual users as the demo has units: each unit's focal point and head. Users of the units whose
sheet is open (the district cycle, in self-assessment) autosave leaves and upload 1–5 MB PDFs;
the others read their sheet, a leaf's history and the published results. Halfway through,
PostgreSQL is restarted (``pg_ctlcluster … restart``: every connection is cut, the server is
away for a moment); the site must recover on its own (parindex/core/db_recovery.py).

At the end every save and upload the server acknowledged is looked up in the database (the
save's unique note in the leaf's history, the upload's SHA-256 among the sheet's documents and
its file on disk with the right size), and the figures are printed: users, requests, RPS,
p50/p95/p99 of pages, saves and uploads, errors, lost writes, the restart window.

Targets (issue 7): p95 < 1 s for pages and saves, 0 errors, 0 lost acknowledged writes.

    .venv/bin/python benchmarks/deadline_day.py [--duration 240] [--think 5] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

DB_NAME = "parindex_deadline_day"
HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
PG = ["-h", HOST, "-U", "postgres"]
TARGET_P95_MS = 1000.0
PAGES = ("page: sheet", "page: history", "page: results")
KEPT_LOG = Path(tempfile.gettempdir()) / "parindex-deadline-day-gunicorn.log"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=0, help="default: 2 × units of the demo")
    parser.add_argument("--duration", type=float, default=240.0, help="seconds of load")
    parser.add_argument("--think", type=float, default=5.0, help="mean pause of a user, s")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started per s")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--restart-at", type=float, default=0.6, help="share of the run")
    parser.add_argument("--no-restart", action="store_true", help="leave PostgreSQL alone")
    parser.add_argument("--reuse", action="store_true", help="keep a demo database already built")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="parindex-deadline-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DB_NAME}",
        "PARINDEX_SECRET_KEY": "deadline-" + os.urandom(24).hex(),
        "PARINDEX_DATA_DIR": str(data_dir),
        "PARINDEX_MEDIA_ROOT": str(data_dir / "media"),
        "PARINDEX_DEBUG": "0",
        "PARINDEX_LOG_LEVEL": "WARNING",
        "PARINDEX_ALLOWED_HOSTS": f"{HOST},localhost",
        "DJANGO_SETTINGS_MODULE": "parindex.site.settings",
    }
    os.environ.update(env)
    server: subprocess.Popen[bytes] | None = None
    try:
        plan = prepare(args, data_dir)
        users = args.users or 2 * plan["units"]
        port = free_port()
        server = serve(args, port, env, data_dir)
        restart: dict[str, float] = {}
        started = time.time()
        if not args.no_restart:
            at = started + args.duration * args.restart_at
            threading.Thread(target=restart_postgresql, args=(at, restart), daemon=True).start()
        out = data_dir / "locust-out.json"
        locust = subprocess.run(
            [str(Path(sys.executable).parent / "locust"),
             "-f", str(Path(__file__).with_name("locustfile_deadline_day.py")),
             "--headless", "--users", str(users), "--spawn-rate", str(args.spawn_rate),
             "--run-time", f"{int(args.duration)}s", "--stop-timeout", "60",
             "--host", f"http://{HOST}:{port}", "--only-summary", "--loglevel", "WARNING"],
            env={**env, "PARINDEX_LOAD_PLAN": str(data_dir / "plan.json"),
                 "PARINDEX_LOAD_OUT": str(out), "PARINDEX_LOAD_THINK": str(args.think)},
            cwd=ROOT, capture_output=True, text=True, timeout=args.duration + 600, check=False,
        )  # fmt: skip
        if not out.exists() or not json.loads(out.read_text())["timings"]:
            print(locust.stdout[-3000:], locust.stderr[-5000:], sep="\n")
            return 1
        stop(server)
        server = None
        task_errors = locust_task_errors(locust.stdout + locust.stderr)
        result = json.loads(out.read_text())
        log = (data_dir / "gunicorn.log").read_text(errors="replace")
        KEPT_LOG.write_text(log)  # the data folder goes; the server's log stays for a look
        lost = lost_writes(result["acknowledged"], data_dir / "media")
        report(args, plan, users, started, result, restart, log, lost)
        print(f"exceptions in the virtual users' own code: {task_errors or 'none'}")
        return 0
    finally:
        if server is not None:
            stop(server)
        close_django()
        if not args.keep:
            subprocess.run(["dropdb", *PG, "--if-exists", "--force", DB_NAME], check=False)
        shutil.rmtree(data_dir, ignore_errors=True)


# ====================================================================== set-up


def prepare(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    """Fresh database with the demo (unless --reuse finds one); the plan for the users."""
    exists = subprocess.run(
        ["psql", *PG, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip() == "1"  # fmt: skip
    import django
    from django.core.management import call_command

    if not (args.reuse and exists):
        subprocess.run(["dropdb", *PG, "--if-exists", "--force", DB_NAME], check=True)
        subprocess.run(["createdb", *PG, DB_NAME], check=True)
    django.setup()
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    from parindex.demo.services import PASSWORD, demo_load

    demo_load(say=lambda _text: None)
    print(f"database {DB_NAME}: migrated and demo loaded in {time.perf_counter() - started:.0f} s")
    plan = accounts_plan(PASSWORD)
    (data_dir / "plan.json").write_text(json.dumps(plan))
    close_django()
    return plan


def accounts_plan(password: str) -> dict[str, Any]:
    """Two accounts per unit (focal point, head) on the unit's latest sheet."""
    from django.utils import timezone

    from parindex.assessments import selectors
    from parindex.assessments.models import Assessment, Cycle, Phase
    from parindex.units.models import Unit

    now = timezone.now()
    accounts = []
    for unit in Unit.objects.order_by("code"):
        sheet = (
            Assessment.objects.filter(unit=unit)
            .select_related("cycle__criteria_set")
            .order_by("-cycle__year", "-id")
            .first()
        )
        if sheet is None:
            continue
        cycle = sheet.cycle
        editable = cycle.phase == Phase.SELF_ASSESSMENT and cycle.self_assessment_closes > now
        codes = [leaf.code for leaf in selectors.criteria_for(cycle.criteria_set).leaves()]
        for role in ("dau_moi", "thu_truong"):
            accounts.append(
                {"username": f"{unit.code.lower()}.{role}", "sheet_id": sheet.pk,
                 "editable": editable, "codes": codes}
            )  # fmt: skip
    accounts.sort(key=lambda a: not a["editable"])  # a run with fewer users still writes
    published = Cycle.objects.filter(phase=Phase.PUBLISHED).values_list("pk", flat=True)
    return {
        "password": password,
        "units": Unit.objects.count(),
        "units_with_sheet": len(accounts) // 2,
        "open_sheets": len({a["sheet_id"] for a in accounts if a["editable"]}),
        "accounts": accounts,
        "results": ["/", *(f"/results/{pk}/" for pk in published)],
    }


def serve(
    args: argparse.Namespace, port: int, env: dict[str, str], data_dir: Path
) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "parindex.site.wsgi:application",
        "--bind", f"{HOST}:{port}", "--workers", str(args.workers),
        "--worker-class", "gthread", "--threads", str(args.threads),
        "--timeout", "60", "--keep-alive", "30", "--worker-tmp-dir", str(data_dir),
    ]  # fmt: skip
    log = (data_dir / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    import httpx

    deadline = time.monotonic() + 120
    answered = 0
    while answered < 2 * args.workers and time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        try:
            answered += httpx.get(f"http://{HOST}:{port}/accounts/login/", timeout=60).is_success
        except httpx.HTTPError:
            time.sleep(0.5)
    return server


def restart_postgresql(at: float, window: dict[str, float]) -> None:
    """Restart the cluster at `at` (epoch s); note when it went down and when it took queries."""
    time.sleep(max(0.0, at - time.time()))
    cluster = sorted(os.listdir("/etc/postgresql"))[-1]
    window["start"] = time.time()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    while subprocess.run(["pg_isready", "-q", "-h", HOST], check=False).returncode != 0:
        time.sleep(0.1)
    window["end"] = time.time()


def locust_task_errors(output: str) -> str:
    """Exceptions raised by the users' own code, as Locust logs them (a broken scenario, not the
    server: such a task sends nothing and would silently shrink the load): a count and the
    first traceback."""
    count = output.count("Traceback (most recent call last)")
    if not count:
        return ""
    first = output[output.index("Traceback (most recent call last)") :].split("\n\n")[0]
    return f"{count}; the first:\n{first[:2500]}"


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def close_django() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


# ====================================================================== the audit


def lost_writes(acknowledged: list[dict[str, Any]], media: Path) -> list[str]:
    """Each acknowledged write that the database (or the disk) does not hold."""
    from parindex.assessments.models import Change, ChangeKind, Evidence

    notes = set(
        Change.objects.filter(kind=ChangeKind.NOTE, new__startswith="lt-").values_list(
            "assessment_id", "code", "new"
        )
    )
    lost = []
    for write in acknowledged:
        if write["kind"] == "save":
            if (write["sheet"], write["code"], write["note"]) not in notes:
                lost.append(f"save {write['sheet']}/{write['code']} v{write['version']}")
            continue
        evidence = Evidence.objects.filter(
            assessment_id=write["sheet"], sha256=write["sha256"], links__code=write["code"]
        ).first()
        path = media / evidence.file.name if evidence else None
        if evidence is None or path is None or path.stat().st_size != write["size"]:
            lost.append(f"upload {write['sheet']}/{write['code']} {write['sha256'][:12]}")
    return lost


# ====================================================================== the report


def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return 0.0
    rank = max(1, -(-len(sorted_ms) * p // 100))
    return sorted_ms[int(rank) - 1]


def report(
    args: argparse.Namespace,
    plan: dict[str, Any],
    users: int,
    started: float,
    result: dict[str, Any],
    restart: dict[str, float],
    log: str,
    lost: list[str],
) -> None:
    # the measured phase starts when every user has started and signed in
    logins = [t[0] for t in result["timings"] if t[1] == "login"]
    spawned = max([result["spawned_at"] or started, *logins])
    ramp = [t for t in result["timings"] if t[0] < spawned]
    sign_ins = sorted(t[2] for t in result["timings"] if t[1] == "login")
    timings = [t for t in result["timings"] if t[1] != "login" and t[0] >= spawned]
    elapsed = max(t[0] for t in timings) - spawned if timings else 1.0
    print(
        f"\nramp-up: {len(ramp)} requests in {spawned - started:.0f} s while the users signed "
        f"in (sign-in p50 {percentile(sign_ins, 50):.0f} ms, p95 {percentile(sign_ins, 95):.0f} "
        f"ms: password hashing, and the PBKDF2 → Argon2 upgrade of each demo account); "
        f"not counted below"
    )
    print(
        f"\n{users} virtual users (2 × {plan['units']} units; {plan['open_sheets']} open sheets "
        f"take saves and uploads), think {args.think:g} s mean; gunicorn {args.workers} "
        f"workers × {args.threads} threads; {os.cpu_count()} CPUs shared by gunicorn, "
        f"PostgreSQL and Locust; {len(timings)} requests in {elapsed:.0f} s = "
        f"{len(timings) / elapsed:.1f} req/s, measured after the last user signed in"
    )
    head = f"{'':8} {'requests':>8} {'errors':>6} {'503':>4} {'409':>4} {'p50 ms':>7} "
    head += f"{'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}  target p95 < 1 s"
    print("\n" + head + "\n" + "-" * len(head))
    groups = {"pages": PAGES, "saves": ("save",), "uploads": ("upload",)}
    for label, names in groups.items():
        rows = [t for t in timings if t[1] in names]
        ms = sorted(t[2] for t in rows)
        errors = [t for t in rows if t[4] and not (t[1] == "save" and t[3] == 409)]
        p95 = percentile(ms, 95)
        verdict = "" if label == "uploads" else ("met" if p95 < TARGET_P95_MS else "NOT met")
        print(
            f"{label:8} {len(ms):>8} {len(errors):>6} {sum(t[3] == 503 for t in rows):>4} "
            f"{sum(t[3] == 409 for t in rows):>4} {percentile(ms, 50):>7.0f} {p95:>7.0f} "
            f"{percentile(ms, 99):>7.0f} {(ms[-1] if ms else 0):>7.0f}  {verdict}"
        )
    failed = [t for t in result["timings"] if t[4] and not (t[1] == "save" and t[3] == 409)]
    saves = sum(w["kind"] == "save" for w in result["acknowledged"])
    uploads = len(result["acknowledged"]) - saves
    print(
        f"\nerrors, ramp-up and sign-ins included: {len(failed)} "
        f"(of which 503: {sum(t[3] == 503 for t in failed)}, "
        f"500: {sum(t[3] == 500 for t in failed)}, no answer: {sum(t[3] == 0 for t in failed)})"
    )
    for when, name, _ms, status, error in failed[:8]:
        print(f"  +{when - started:6.1f} s {name}: HTTP {status} {error[:120]}")
    if failed:
        print(f"  the server's log (tracebacks of the 500s): {KEPT_LOG}")
    resent = result.get("resent", [])
    endings = Counter(f"{r['name']} → HTTP {r['final']}" for r in resent)
    how = ", ".join(f"{n} × {ending}" for ending, n in sorted(endings.items()))
    print(
        f"saves and uploads sent again by the users after a 503 or no answer (as the page "
        f"does; not errors unless the last sending failed): {len(resent)}"
        + (f" ({how})" if resent else "")
    )
    print(
        f"acknowledged writes: {saves} saves, {uploads} uploads; lost: {len(lost)}"
        + (f" ({', '.join(lost[:5])})" if lost else "")
    )
    if restart and "end" not in restart:
        print("PostgreSQL restart FAILED to complete (see pg_ctlcluster)")
    elif restart:
        down, up = restart["start"] - started, restart["end"] - started
        near = [t for t in timings if restart["start"] - 1 <= t[0] <= restart["end"] + 15]
        print(
            f"PostgreSQL restart: from +{down:.1f} s to +{up:.1f} s "
            f"({restart['end'] - restart['start']:.1f} s until it accepted connections); "
            f"{len(near)} requests answered in that window + 15 s, "
            f"{sum(bool(t[4]) and t[3] != 409 for t in near)} failed; "
            f"requests run again by the site: {log.count('request run again')}; 503 after a "
            f"commit: {log.count('after this request committed')}, at COMMIT: "
            f"{log.count('at COMMIT')}, database away too long: "
            f"{log.count('database still unavailable')}"
        )
    else:
        print("PostgreSQL was not restarted (--no-restart)")


if __name__ == "__main__":
    sys.exit(main())
