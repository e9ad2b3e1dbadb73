"""The self-assessment sheet under load on PostgreSQL: page loads and autosaves, p50/p95/p99.

Builds its own PostgreSQL database (``parindex_bench`` on 127.0.0.1, trust auth, dropped first
if it exists), migrates it and loads the demo province (``parindex.demo.services.demo_load``).
The district cycle is in self-assessment with its deadline ahead, so its 12 sheets take saves.
Then it starts gunicorn on 127.0.0.1 with debug off and drives it from a second process:
``--users`` virtual users (threads, httpx), each signed in as a district focal point
(``<unit>.dau_moi``; the 12 accounts are shared), mixing GETs of the sheet page and autosaves
POSTed exactly as ``static/assessments/sheet.js`` sends them (form fields, CSRF header,
``Accept: application/json``, the leaf's ``version``). A 409 is a correct refusal (two users
edited one leaf): it is counted apart from errors, and the user takes the newer version as the
page's "keep mine" button does. Every user first warms up; then the measured phase runs for at
most ``--requests`` requests per user and ``--duration`` seconds, whichever ends first.

Targets (issue): p95 ≤ 150 ms for the page, ≤ 100 ms for a save, at 50 concurrent users.
Before and after the load it also counts the SQL queries of one page and one save in process
(Django's test client): a count that grows with the rows written is an N+1.

Only the HTML page is timed, as a browser with a warm cache would fetch it (static files are
not served by gunicorn). Everything listens on and connects to 127.0.0.1 only.

    .venv/bin/pip install gunicorn httpx   # benchmark-only tools
    .venv/bin/python benchmarks/sheet_load.py [--users 50] [--think 1.0] [--workers 4]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

DB_NAME = "parindex_bench"
PG = ["-h", "127.0.0.1", "-U", "postgres"]
HOST = "127.0.0.1"
PASSWORD = "demo-parindex-2024"
ROOT = Path(__file__).resolve().parent.parent
TARGETS_MS = {"page": 150.0, "save": 100.0}


# ====================================================================== orchestration


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users")
    parser.add_argument("--requests", type=int, default=60, help="measured requests per user")
    parser.add_argument("--duration", type=float, default=120.0, help="measured phase, seconds")
    parser.add_argument(
        "--think", type=float, default=1.0,
        help="mean pause between a user's requests, s (uniform 0..2×mean; 0 = flat out)",
    )  # fmt: skip
    parser.add_argument("--page-share", type=float, default=0.2, help="share of page GETs")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--ramp", type=float, default=0.3, help="s between users' sign-ins")
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # internal: the load process
    args = parser.parse_args()
    if args.drive:
        return drive(json.loads(args.drive))
    return orchestrate(args)


def orchestrate(args: argparse.Namespace) -> int:
    for tool in ("gunicorn",):
        if not (Path(sys.executable).parent / tool).exists():
            sys.exit(f"{tool} is not installed in this venv: pip install gunicorn httpx")
    data_dir = Path(tempfile.mkdtemp(prefix="parindex-bench-"))
    port = args.port or _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DB_NAME}",
        "PARINDEX_SECRET_KEY": "bench-" + os.urandom(24).hex(),
        "PARINDEX_DATA_DIR": str(data_dir),
        "PARINDEX_DEBUG": "0",
        "PARINDEX_LOG_LEVEL": "ERROR",  # a 409 is logged as a warning: expected here
        "PARINDEX_ALLOWED_HOSTS": f"{HOST},localhost,testserver",
        "DJANGO_SETTINGS_MODULE": "parindex.site.settings",
    }
    os.environ.update(env)
    server: subprocess.Popen[bytes] | None = None
    try:
        _psql_tool("dropdb", "--if-exists", "--force", DB_NAME)
        _psql_tool("createdb", DB_NAME)
        started = time.perf_counter()
        sheets = _prepare()
        took = time.perf_counter() - started
        print(f"database {DB_NAME}: migrated and demo loaded in {took:.1f} s; {len(sheets)} sheets")
        before = _query_counts(sheets[0])
        server = _serve(args, port, env, data_dir)
        config = {
            "base": f"http://{HOST}:{port}",
            "sheets": sheets,
            "users": args.users,
            "requests": args.requests,
            "duration": args.duration,
            "think": args.think,
            "page_share": args.page_share,
            "seed": args.seed,
            "ramp": args.ramp,
        }
        driver = subprocess.run(
            [sys.executable, __file__, "--drive", json.dumps(config)],
            env=env,
            capture_output=True,
            text=True,
            timeout=args.duration + 300,
            check=False,
        )
        if driver.returncode != 0:
            print(driver.stdout[-3000:], driver.stderr[-5000:], sep="\n")
            return 1
        result = json.loads(driver.stdout.strip().splitlines()[-1])
        _stop(server)
        server = None
        after = _query_counts(sheets[0])
        _report(args, result, before, after)
        return 0
    finally:
        if server is not None:
            _stop(server)
        _close_django()
        _psql_tool("dropdb", "--if-exists", "--force", DB_NAME)
        shutil.rmtree(data_dir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _psql_tool(tool: str, *arguments: str) -> None:
    subprocess.run([tool, *PG, *arguments], check=True)


def _prepare() -> list[dict[str, Any]]:
    """Migrate, load the demo, and list the open district sheets with their focal points."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from parindex.assessments.models import Assessment, Phase
    from parindex.demo.services import demo_load

    demo_load(say=lambda _text: None)
    sheets = (
        Assessment.objects.filter(cycle__phase=Phase.SELF_ASSESSMENT, cycle__year=2014)
        .select_related("unit")
        .order_by("unit__code")
    )
    found = [{"id": s.pk, "user": f"{s.unit.code.lower()}.dau_moi"} for s in sheets]
    if not found:
        sys.exit("no sheet in self-assessment: the demo loader changed")
    return found


def _query_counts(sheet: dict[str, Any]) -> dict[str, Any]:
    """SQL queries of one page load and one autosave, in process, with the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from parindex.accounts.models import User
    from parindex.assessments.models import Assessment, Change, LeafEntry

    client = Client()
    client.force_login(User.objects.get(username=sheet["user"]))
    url = f"/cycles/sheets/{sheet['id']}/"
    assessment = Assessment.objects.get(pk=sheet["id"])
    with CaptureQueriesContext(connection) as page:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    page_html = response.content.decode()
    forms = parse_forms(page_html)
    code = sorted(forms)[0]
    entry = LeafEntry.objects.filter(assessment=assessment, code=code).first()
    data = _form_data(forms[code], random.Random(0), entry.version if entry else 0, note_only=True)
    with CaptureQueriesContext(connection) as save:
        response = client.post(f"{url}entries/{code}/", data, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return {
        "page": len(page.captured_queries),
        "save": len(save.captured_queries),
        "page_top": _repeated(page.captured_queries),
        "save_top": _repeated(save.captured_queries),
        "changes": Change.objects.filter(assessment=assessment).count(),
        "leaves": len(forms),
        "page_kb": len(page_html) / 1024,
    }


def _repeated(queries: list[dict[str, str]]) -> list[tuple[int, str]]:
    shapes = collections.Counter(re.sub(r"\b\d+\b|'[^']*'", "?", q["sql"])[:160] for q in queries)
    return [(n, sql) for sql, n in shapes.most_common(3) if n > 1]


def _close_django() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def _serve(
    args: argparse.Namespace, port: int, env: dict[str, str], data_dir: Path
) -> subprocess.Popen[bytes]:
    _close_django()  # no connection of ours stays open while the server runs
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "parindex.site.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(args.workers),
        "--worker-class", args.worker_class,
        "--threads", str(args.threads if args.worker_class == "gthread" else 1),
        "--log-level", "warning",
        "--timeout", "60",
        "--keep-alive", "30",  # longer than a user's pause: no reset of a reused connection
        "--worker-tmp-dir", str(data_dir),
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    _stop(server)
    sys.exit("gunicorn did not start in 30 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# ====================================================================== the report


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values (0 when there are none)."""
    if not sorted_ms:
        return 0.0
    rank = max(1, -(-len(sorted_ms) * p // 100))  # ceil
    return sorted_ms[int(rank) - 1]


def _report(
    args: argparse.Namespace, result: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
) -> None:
    print()
    print(
        f"{result['users']} users ({len(result['accounts'])} accounts, "
        f"{len(result['sheets'])} sheets of {before['leaves']} entered leaves), "
        f"think {args.think:g} s mean, page share {args.page_share:g}; gunicorn "
        f"{args.workers} × {args.worker_class}"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        + f"; {os.cpu_count()} CPUs shared by server, PostgreSQL and load"
    )
    print(
        f"warm-up {result['warmup_s']:.1f} s; measured {result['elapsed_s']:.1f} s"
        + (" (stopped by the time limit)" if result["timed_out"] else "")
    )
    print()
    head = (
        f"{'':6} {'requests':>8} {'errors':>6} {'409s':>5} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'req/s':>6}  target p95"
    )
    print(head)
    print("-" * len(head))
    elapsed = result["elapsed_s"] or 1.0
    for kind in ("page", "save"):
        row = result[kind]
        ms = sorted(row["ms"])
        p95 = percentile(ms, 95)
        verdict = "met" if p95 <= TARGETS_MS[kind] else "NOT met"
        print(
            f"{kind:6} {len(ms):>8} {row['errors']:>6} {row['conflicts']:>5} "
            f"{percentile(ms, 50):>7.1f} {p95:>7.1f} {percentile(ms, 99):>7.1f} "
            f"{(ms[-1] if ms else 0):>7.1f} {len(ms) / elapsed:>6.1f}  "
            f"≤ {TARGETS_MS[kind]:.0f} ms: {verdict}"
        )
    total = len(result["page"]["ms"]) + len(result["save"]["ms"])
    print(f"{'all':6} {total:>8} {'':>6} {'':>5} {'':>7} {'':>7} {'':>7} {'':>7} "
          f"{total / elapsed:>6.1f}")  # fmt: skip
    samples = result["page"]["samples"] + result["save"]["samples"]
    if samples:
        print("\nerrors (first few):")
        for sample in samples[:8]:
            print("  ", sample)
    print(
        f"\nSQL queries per request (in process, test client): page {before['page']} → "
        f"{after['page']}, save {before['save']} → {after['save']} "
        f"(before → after the load, the sheet's change rows {before['changes']} → "
        f"{after['changes']}; growth with the rows written would be an N+1); page size "
        f"{before['page_kb']:.0f} KB → {after['page_kb']:.0f} KB"
    )
    for label, rows in (("page", after["page_top"]), ("save", after["save_top"])):
        for n, sql in rows:
            print(f"  {label}: {n}× {sql}")


# ====================================================================== the load process

FORM = re.compile(
    r'<form method="post" action="(?P<action>[^"]+)" class="entry" data-entry="(?P<code>[^"]+)"'
    r"(?P<body>.*?)</form>",
    re.S,
)
VERSION = re.compile(r'name="version" value="(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OPTION = re.compile(r'<option value="([^"]+)"')
ATTR = re.compile(r'(\w+)="([^"]*)"')


def parse_forms(html: str) -> dict[str, dict[str, Any]]:
    """Each editable leaf's form: where it posts, its version, and what kind of value it takes."""
    forms: dict[str, dict[str, Any]] = {}
    for match in FORM.finditer(html):
        body = match["body"]
        form: dict[str, Any] = {"action": match["action"].replace("&amp;", "&")}
        form["version"] = int(VERSION.search(body)[1])  # type: ignore[index]
        form["csrf"] = CSRF.search(body)[1]  # type: ignore[index]
        if '<select id="v-' in body:
            form["kind"], form["options"] = "choice", OPTION.findall(body)
        elif 'type="radio" name="value"' in body:
            form["kind"] = "boolean"
        elif 'name="numerator"' in body:
            form["kind"] = "ratio"
        else:
            tag = re.search(r'<input id="v-[^>]*name="value"[^>]*>', body)
            attrs = dict(ATTR.findall(tag[0])) if tag else {}
            if attrs.get("type") == "number" and "max" in attrs:
                form["kind"] = "manual"
                form["max"] = float(attrs["max"])
                form["step"] = float(attrs["step"]) if attrs.get("step", "any") != "any" else 0.25
            elif attrs.get("type") == "number":
                form["kind"] = "count"
            else:
                form["kind"] = "percent"
        forms[match["code"]] = form
    return forms


def _form_data(
    form: dict[str, Any], rng: random.Random, version: int, *, note_only: bool = False
) -> dict[str, str]:
    """What the browser's FormData holds for this leaf, with a new value or a new note."""
    data = {"csrfmiddlewaretoken": form["csrf"], "version": str(version), "note": ""}
    if note_only or rng.random() < 0.3:
        data["note"] = f"ghi chú {rng.randrange(10**6)}"
    kind = form["kind"]
    if kind == "choice":
        data["value"] = rng.choice(form["options"])
    elif kind == "boolean":
        data["value"] = rng.choice(["có", "không"])
    elif kind == "ratio":
        total = rng.randint(1, 40)
        data["numerator"], data["denominator"] = str(rng.randint(0, total)), str(total)
    elif kind == "manual":
        steps = int(form["max"] / form["step"] + 1e-9)
        data["value"] = f"{rng.randint(0, steps) * form['step']:g}"
    elif kind == "count":
        data["value"] = str(rng.randint(0, 4))
    else:
        data["value"] = f"{rng.randint(50, 100)}%"
    return data


def drive(config: dict[str, Any]) -> int:
    """Run the virtual users; print one JSON line of raw latencies and counts."""
    import httpx

    base = config["base"]
    sheets = config["sheets"]
    users = config["users"]
    barrier = threading.Barrier(users + 1)
    stop_at: list[float] = [0.0]
    lock = threading.Lock()
    result: dict[str, Any] = {
        kind: {"ms": [], "errors": 0, "conflicts": 0, "samples": []} for kind in ("page", "save")
    }
    setup_failures: list[str] = []

    def record(kind: str, ms: float, outcome: str, sample: str = "") -> None:
        with lock:
            row = result[kind]
            row["ms"].append(ms)
            if outcome == "conflict":
                row["conflicts"] += 1
            elif outcome == "error":
                row["errors"] += 1
                if len(row["samples"]) < 5:
                    row["samples"].append(f"{kind}: {sample}")

    def user(number: int) -> None:
        rng = random.Random(config["seed"] * 1000 + number)
        sheet = sheets[number % len(sheets)]
        url = f"/cycles/sheets/{sheet['id']}/"
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        time.sleep(number * config["ramp"])  # ramp up: 50 sign-ins at once are not the test
        with httpx.Client(base_url=base, timeout=120.0, limits=limits) as client:
            try:
                page = client.get("/accounts/login/")
                token = CSRF.search(page.text)[1]  # type: ignore[index]
                answer = client.post(
                    "/accounts/login/",
                    data={
                        "csrfmiddlewaretoken": token,
                        "username": sheet["user"],
                        "password": PASSWORD,
                        "next": url,
                    },
                    headers={"Referer": f"{base}/accounts/login/"},
                )
                if answer.status_code != 302:
                    raise RuntimeError(f"login of {sheet['user']}: HTTP {answer.status_code}")
                forms = parse_forms(client.get(url).text)
                if not forms:
                    raise RuntimeError(f"{sheet['user']}: the sheet has no editable leaf")
                versions = {code: form["version"] for code, form in forms.items()}
                for _ in range(2):  # warm-up: not measured
                    one(client, rng, url, forms, versions, warm=True)
                client.get(url)
                client.timeout = httpx.Timeout(30.0)  # measured requests: 30 s is an error
            except Exception as error:  # reported; the barrier is broken
                setup_failures.append(repr(error))
                barrier.abort()
                return
            try:
                barrier.wait(timeout=600)
            except threading.BrokenBarrierError:
                return
            for _ in range(config["requests"]):
                if config["think"] > 0:
                    time.sleep(rng.uniform(0, 2 * config["think"]))
                if time.monotonic() >= stop_at[0]:
                    return
                if rng.random() < config["page_share"]:
                    started = time.perf_counter()
                    try:
                        response = client.get(url)
                        body = response.text
                    except httpx.HTTPError as error:
                        record("page", (time.perf_counter() - started) * 1000, "error", repr(error))
                        continue
                    ms = (time.perf_counter() - started) * 1000
                    ok = response.status_code == 200
                    record("page", ms, "ok" if ok else "error", f"HTTP {response.status_code}")
                    if ok:  # a reload shows everyone's latest versions
                        for code, form in parse_forms(body).items():
                            versions[code] = form["version"]
                else:
                    one(client, rng, url, forms, versions, warm=False)

    def one(
        client: httpx.Client,
        rng: random.Random,
        url: str,
        forms: dict[str, dict[str, Any]],
        versions: dict[str, int],
        *,
        warm: bool,
    ) -> None:
        code = rng.choice(sorted(forms))
        form = forms[code]
        data = _form_data(form, rng, versions[code])
        started = time.perf_counter()
        try:
            response = client.post(
                form["action"],
                data=data,
                headers={"Accept": "application/json", "X-CSRFToken": form["csrf"]},
            )
            payload = response.json()
        except (httpx.HTTPError, ValueError) as error:
            if not warm:
                record("save", (time.perf_counter() - started) * 1000, "error", repr(error))
            return
        ms = (time.perf_counter() - started) * 1000
        if response.status_code == 200 and payload.get("ok"):
            versions[code] = payload["version"]
            outcome = "ok"
        elif response.status_code == 409 and "conflict" in payload:
            versions[code] = payload["conflict"]["version"]  # "keep mine": the next save wins
            outcome = "conflict"
        else:
            outcome = "error"
        if not warm:
            record("save", ms, outcome, f"{code} {data}: HTTP {response.status_code} {payload}")

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    warm_start = time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=600)
    except threading.BrokenBarrierError:
        print("setup failed:", setup_failures[:3], file=sys.stderr)
        return 1
    started = time.perf_counter()
    warmup = started - warm_start
    stop_at[0] = time.monotonic() + config["duration"]
    for thread in threads:
        thread.join(timeout=max(0.0, stop_at[0] - time.monotonic()) + 35)
    elapsed = time.perf_counter() - started
    with lock:
        out = {
            **result,
            "users": users,
            "accounts": sorted({sheets[n % len(sheets)]["user"] for n in range(users)}),
            "sheets": sorted({sheets[n % len(sheets)]["id"] for n in range(users)}),
            "warmup_s": warmup,
            "elapsed_s": elapsed,
            "timed_out": time.monotonic() >= stop_at[0],
        }
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
