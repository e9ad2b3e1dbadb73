"""`dossiers stats` at national scale: 5,000,000 one-stop dossiers, ~4,000 units, 40,000 officials.

Writes the CSV (and the year's holidays) into a temporary folder once, then times, each in a
process of its own so that the peak resident memory (`getrusage(RUSAGE_CHILDREN).ru_maxrss`)
belongs to that approach alone:

- parindex, the library function `parindex.formats.dossiers.dossier_stats` (`--by unit`);
- parindex, the command `parindex dossiers stats --by unit` as a subprocess;
- the same aggregation written directly in DuckDB SQL over the CSV (the repeated-id check is a
  second statement, so a second scan; "DuckDB, no id check" leaves it out, for reference);
- the same aggregation in pandas.

The three engines compute the same table (classification, overdue, online, apology
compliance with working days less the holidays) and the script checks that they agree.
Targets: parindex ≤ 1.2 × DuckDB's time, ≥ 4 × faster than pandas, peak memory ≤ 1 GB.

    .venv/bin/python benchmarks/dossiers.py [--rows 5000000] [--keep DIR] [--repeat 1]

DuckDB and pandas come with the `bench` extra (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = "2025-01-15T00:00:00"
HOLIDAYS_2024 = [
    ("2024-01-01", "Tết Dương lịch"),
    *((f"2024-02-{d:02d}", "Tết Nguyên đán") for d in range(8, 15)),
    ("2024-04-18", "Giỗ Tổ Hùng Vương"),
    ("2024-04-29", "Nghỉ bù 30/4"),
    ("2024-04-30", "Ngày Giải phóng miền Nam"),
    ("2024-05-01", "Quốc tế Lao động"),
    ("2024-09-02", "Quốc khánh"),
    ("2024-09-03", "Quốc khánh"),
]
HEADER = (
    "dossier_id,unit,procedure,official,received_at,due_at,finished_at,status,online,"
    "apology_at,new_due_at,reschedules\n"
)


# ---------------------------------------------------------------- the data


def _working_days(year: int, holidays: set[dt.date]) -> list[dt.date]:
    day, days = dt.date(year, 1, 1), []
    while day.year <= year + 1:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def generate(path: Path, rows: int, seed: int = 2024) -> None:
    """A year of a province-scale one-stop system: ~4,000 units (departments, districts,
    communes), 40,000 officials (10 a unit), 1,200 procedures with 1–20 working-day limits.
    85% finished (70% of those early, 18% on the due day, 12% late), 10% pending, 5%
    withdrawn; 45% online; half the late ones carry an apology and a new due date, most of
    them complying. Times are ISO with seconds; a third of the due dates are a date alone.
    """
    rng = random.Random(seed)
    units = [f"SO_{i:02d}" for i in range(1, 40)]
    units += [f"H{i:03d}" for i in range(1, 160)]
    units += [f"X{i:05d}" for i in range(1, 4000 - len(units) + 1)]
    officials = [f"{unit}.CB{j:02d}" for unit in units for j in range(1, 11)]
    procedures = [f"1.{rng.randrange(100000, 999999):06d}" for _ in range(1200)]
    limits = [rng.choice((1, 2, 3, 5, 5, 7, 10, 10, 15, 20)) for _ in procedures]
    holidays = {dt.date.fromisoformat(day) for day, _ in HOLIDAYS_2024}
    days = _working_days(2024, holidays)
    year_days = sum(1 for d in days if d.year == 2024)
    random_ = rng.random
    randrange = rng.randrange
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        lines: list[str] = []
        for n in range(rows):
            u = randrange(len(units))
            unit = units[u]
            official = officials[u * 10 + randrange(10)]
            p = randrange(len(procedures))
            start = randrange(year_days)
            received = days[start]
            due = days[start + limits[p]]
            hour, minute, second = randrange(7, 17), randrange(60), randrange(60)
            rec = f"{received.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}"
            date_only = random_() < 0.33
            due_text = due.isoformat() if date_only else f"{due.isoformat()}T17:00:00"
            draw = random_()
            apology = new_due = reschedules = ""
            if draw < 0.85:
                status = "finished"
                kind = random_()
                if kind < 0.70:
                    finished_day = days[start + randrange(limits[p])] if limits[p] > 1 else received
                    if finished_day >= due:
                        finished_day = received
                    finished = (
                        f"{finished_day.isoformat()}T{randrange(8, 17):02d}:{randrange(60):02d}:00"
                    )
                elif kind < 0.88:
                    finished = f"{due.isoformat()}T{randrange(8, 17):02d}:{randrange(60):02d}:00"
                else:
                    late_day = days[start + limits[p] + 1 + randrange(5)]
                    finished = (
                        f"{late_day.isoformat()}T{randrange(8, 17):02d}:{randrange(60):02d}:00"
                    )
                    if random_() < 0.5:
                        before = days[max(start, start + limits[p] - 1 - randrange(2))]
                        apology = f"{before.isoformat()}T09:00:00"
                        extra = 1 + randrange(max(1, limits[p] // 2))
                        new_due = days[start + limits[p] + extra].isoformat()
                        reschedules = rng.choice(("", "1", "1", "2"))
            elif draw < 0.95:
                status, finished = "pending", ""
            else:
                status, finished = "withdrawn", ""
            online = "1" if random_() < 0.45 else "0"
            lines.append(
                f"HS{n:08d},{unit},{procedures[p]},{official},{rec},{due_text},{finished},"
                f"{status},{online},{apology},{new_due},{reschedules}\n"
            )
            if len(lines) == 100_000:
                out.write("".join(lines))
                lines.clear()
        out.write("".join(lines))


def write_holidays(path: Path) -> None:
    path.write_text(
        "date,name\n" + "".join(f"{day},{name}\n" for day, name in HOLIDAYS_2024),
        encoding="utf-8",
    )


# ---------------------------------------------------------------- the approaches


def run_parindex(csv_path: str, holidays_path: str, out: str) -> None:
    from parindex.formats.dossiers import dossier_stats, read_holidays, stats_csv

    stats = dossier_stats(
        csv_path,
        by="unit",
        as_of=dt.datetime.fromisoformat(AS_OF),
        holidays=read_holidays(holidays_path),
    )
    Path(out).write_text(stats_csv(stats), encoding="utf-8")


def run_cli(csv_path: str, holidays_path: str, out: str) -> None:
    command = [
        *(str(Path(sys.executable).with_name("parindex")),),
        "dossiers",
        "stats",
        csv_path,
        "--by",
        "unit",
        "--as-of",
        AS_OF,
        "--holidays",
        holidays_path,
        "--out",
        out,
    ]
    completed = subprocess.run(command, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"parindex exited {completed.returncode}")


DUCKDB_SQL = """
WITH raw AS (
    SELECT * FROM read_csv(?, header = true, all_varchar = true)
),
parsed AS (
    SELECT
        unit,
        dossier_id,
        lower(trim(status)) AS status,
        trim(online) AS online,
        try_cast(trim(reschedules) AS INTEGER) AS reschedules,
        coalesce(try_strptime(received_at, '%Y-%m-%dT%H:%M:%S'),
                 try_strptime(received_at, '%Y-%m-%d')) AS received,
        coalesce(try_strptime(due_at, '%Y-%m-%dT%H:%M:%S'),
                 try_strptime(due_at, '%Y-%m-%d') + INTERVAL '1 day' - INTERVAL '1 microsecond')
            AS due,
        coalesce(try_strptime(finished_at, '%Y-%m-%dT%H:%M:%S'),
                 try_strptime(finished_at, '%Y-%m-%d')) AS finished,
        coalesce(try_strptime(apology_at, '%Y-%m-%dT%H:%M:%S'),
                 try_strptime(apology_at, '%Y-%m-%d')) AS apology,
        coalesce(try_strptime(new_due_at, '%Y-%m-%dT%H:%M:%S'),
                 try_strptime(new_due_at, '%Y-%m-%d') + INTERVAL '1 day' - INTERVAL '1 microsecond')
            AS new_due
    FROM raw
),
classified AS (
    SELECT
        p.*,
        status = 'finished' AND finished > due AS late,
        status = 'finished' AND finished <= due AND CAST(finished AS DATE) = CAST(due AS DATE)
            AS on_time,
        status = 'finished' AND finished <= due AND CAST(finished AS DATE) < CAST(due AS DATE)
            AS early,
        status = 'pending' AND due < CAST(? AS TIMESTAMP) AS overdue,
        online = '1' AND status IN ('finished', 'pending') AS online_counted,
        greatest(0, cd.n - cr.n) AS processing,
        greatest(0, cn.n - cd.n) AS extension
    FROM parsed p
    LEFT JOIN calendar cr ON cr.day = CAST(p.received AS DATE)
    LEFT JOIN calendar cd ON cd.day = CAST(p.due AS DATE)
    LEFT JOIN calendar cn ON cn.day = CAST(p.new_due AS DATE)
)
SELECT
    unit,
    count(*) AS received,
    count(*) FILTER (status = 'finished') AS finished,
    count(*) FILTER (status = 'pending') AS pending,
    count(*) FILTER (status = 'withdrawn') AS withdrawn,
    count(*) FILTER (early) AS early,
    count(*) FILTER (on_time) AS on_time,
    count(*) FILTER (late) AS late,
    count(*) FILTER (overdue) AS overdue,
    count(*) FILTER (online_counted) AS online,
    count(*) FILTER (late AND NOT coalesce(
        CAST(apology AS DATE) < CAST(due AS DATE)
        AND new_due IS NOT NULL
        AND coalesce(reschedules, 1) <= 1
        AND 3 * extension <= processing, false)) AS late_noncompliant,
    count(*) FILTER (received IS NULL OR status NOT IN ('finished', 'pending', 'withdrawn')
        OR (status = 'finished' AND finished IS NULL)) AS bad
FROM classified
GROUP BY unit
ORDER BY unit
"""


def run_duckdb(csv_path: str, holidays_path: str, out: str, *, check_ids: bool = True) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    # Working days as a running count over a calendar: working days in (a, b] = n(b) - n(a).
    con.execute(
        """
        CREATE TABLE holidays AS
            SELECT CAST(date AS DATE) AS day FROM read_csv(?, header = true, all_varchar = true)
        """,
        [holidays_path],
    )
    con.execute(
        """
        CREATE TABLE calendar AS
        SELECT day, sum(CASE WHEN isodow(day) <= 5 AND day NOT IN (SELECT day FROM holidays)
                             THEN 1 ELSE 0 END) OVER (ORDER BY day) AS n
        FROM (SELECT CAST(range AS DATE) AS day
              FROM range(DATE '2000-01-01', DATE '2100-01-01', INTERVAL 1 DAY))
        """
    )
    if check_ids:  # a repeated dossier_id anywhere in the file, as parindex checks it
        repeated = con.execute(
            "SELECT count(*) - count(DISTINCT trim(dossier_id)) FROM read_csv(?, header = true, "
            "all_varchar = true)",
            [csv_path],
        ).fetchone()
        if repeated and repeated[0]:
            raise SystemExit("duckdb: repeated dossier ids")
    rows = con.execute(DUCKDB_SQL, [csv_path, AS_OF]).fetchall()
    if any(row[-1] for row in rows):
        raise SystemExit("duckdb: bad rows")
    _write_rows(out, rows)


def run_pandas(csv_path: str, holidays_path: str, out: str) -> None:
    import numpy as np
    import pandas as pd

    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, na_values=[""])
    holidays = pd.read_csv(holidays_path, dtype=str)["date"].to_numpy(dtype="datetime64[D]")

    def moment(column: str, end_of_day: bool) -> pd.Series:
        text = frame[column]
        full = pd.to_datetime(text, format="%Y-%m-%dT%H:%M:%S", errors="coerce")
        alone = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        if end_of_day:
            alone = alone + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        return full.fillna(alone)

    received = moment("received_at", False)
    due = moment("due_at", True)
    finished = moment("finished_at", False)
    apology = moment("apology_at", False)
    new_due = moment("new_due_at", True)
    status = frame["status"].str.strip().str.lower()
    if frame["dossier_id"].duplicated().any():
        raise SystemExit("pandas: repeated dossier ids")
    is_finished = status == "finished"
    is_pending = status == "pending"
    late = is_finished & (finished > due)
    same_day = finished.dt.normalize() == due.dt.normalize()
    on_time = is_finished & ~late & same_day
    early = is_finished & ~late & ~same_day
    overdue = is_pending & (due < pd.Timestamp(AS_OF))

    def day(values: pd.Series) -> np.ndarray:
        return values.dt.normalize().to_numpy(dtype="datetime64[D]")

    rec_d, due_d, new_d = day(received), day(due), day(new_due)
    valid = ~np.isnat(rec_d) & ~np.isnat(due_d)
    processing = np.zeros(len(frame), dtype=np.int64)
    processing[valid] = np.busday_count(rec_d[valid] + 1, due_d[valid] + 1, holidays=holidays).clip(
        0
    )
    has_new = valid & ~np.isnat(new_d)
    extension = np.zeros(len(frame), dtype=np.int64)
    extension[has_new] = np.busday_count(
        due_d[has_new] + 1, new_d[has_new] + 1, holidays=holidays
    ).clip(0)
    reschedules = pd.to_numeric(frame["reschedules"], errors="coerce").fillna(1)
    complies = (
        (apology.dt.normalize() < due.dt.normalize())
        & new_due.notna()
        & (reschedules <= 1)
        & (3 * extension <= processing)
    )
    table = pd.DataFrame(
        {
            "unit": frame["unit"],
            "received": 1,
            "finished": is_finished,
            "pending": is_pending,
            "withdrawn": status == "withdrawn",
            "early": early,
            "on_time": on_time,
            "late": late,
            "overdue": overdue,
            "online": (frame["online"] == "1") & (is_finished | is_pending),
            "late_noncompliant": late & ~complies,
        }
    )
    grouped = table.groupby("unit", sort=True).sum()
    rows = zip(grouped.index, grouped.values, strict=True)
    _write_rows(out, [(unit, *map(int, row)) for unit, row in rows])


def _write_rows(out: str, rows: list[tuple[object, ...]]) -> None:
    """unit and the ten counts (received … online, late_noncompliant), for the agreement check."""
    with open(out, "w", encoding="utf-8") as stream:
        for row in rows:
            stream.write(",".join(str(cell) for cell in row[:11]) + "\n")


def run_duckdb_one_pass(csv_path: str, holidays_path: str, out: str) -> None:
    run_duckdb(csv_path, holidays_path, out, check_ids=False)


APPROACHES = {
    "parindex (library)": run_parindex,
    "parindex (command)": run_cli,
    "DuckDB SQL": run_duckdb,
    "DuckDB, no id check": run_duckdb_one_pass,
    "pandas": run_pandas,
}


def child(name: str, csv_path: str, holidays_path: str, out: str) -> None:
    """Run one approach in this process and print its wall time as JSON."""
    started = time.perf_counter()
    APPROACHES[name](csv_path, holidays_path, out)
    print(json.dumps({"seconds": time.perf_counter() - started}))


def wrapper(name: str, csv_path: str, holidays_path: str, out: str) -> None:
    """Run one approach in a child process and print its time and the child's peak RSS: the
    children's maxrss of this process is that one child's (and its own children's)."""
    completed = subprocess.run(
        [sys.executable, __file__, "--child", name, csv_path, holidays_path, out],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = float(json.loads(completed.stdout.strip().splitlines()[-1])["seconds"])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KB on Linux
    print(json.dumps({"seconds": seconds, "megabytes": peak / 1024}))


def measure(name: str, csv_path: Path, holidays_path: Path, out: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one approach, run in a fresh process of its own."""
    completed = subprocess.run(
        [sys.executable, __file__, "--wrapper", name, str(csv_path), str(holidays_path), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    return float(figures["seconds"]), float(figures["megabytes"])


def counts_of(path: Path, parindex_csv: bool) -> list[tuple[str, ...]]:
    """The unit and its ten counts from an approach's output, to compare them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not parindex_csv:
        return [tuple(line.split(",")) for line in lines]
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    wanted = [
        header.index(c)
        for c in (
            "unit",
            "received",
            "finished",
            "pending",
            "withdrawn",
            "early",
            "on_time",
            "late",
            "overdue",
            "online",
            "late_noncompliant",
        )
    ]
    return [tuple(row[i] for i in wanted) for row in rows]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--child", "--wrapper"):
        (child if sys.argv[1] == "--child" else wrapper)(*sys.argv[2:6])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--keep", metavar="DIR", help="write (or reuse) the files here")
    parser.add_argument("--repeat", type=int, default=3, help="runs per approach (best kept)")
    parser.add_argument("--only", action="append", choices=list(APPROACHES))
    options = parser.parse_args()
    folder = Path(options.keep) if options.keep else Path(tempfile.mkdtemp(prefix="dossiers-"))
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"dossiers-{options.rows}.csv"
    holidays_path = folder / "holidays-2024.csv"
    try:
        if not csv_path.exists():
            started = time.perf_counter()
            generate(csv_path, options.rows)
            print(
                f"generated {options.rows:,} rows, {csv_path.stat().st_size / 1e6:.0f} MB "
                f"in {time.perf_counter() - started:.0f} s"
            )
        write_holidays(holidays_path)
        load = os.getloadavg()
        print(
            f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; cpus {os.cpu_count()}"
        )
        names = options.only or list(APPROACHES)
        outputs = {name: folder / f"out-{i}.csv" for i, name in enumerate(names)}
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
        for _ in range(options.repeat):  # round robin: a burst of load hits every approach
            for name in names:
                runs[name].append(measure(name, csv_path, holidays_path, outputs[name]))
                seconds, megabytes = runs[name][-1]
                print(f"  {name:<20} {seconds:7.2f} s {megabytes:8.0f} MB", flush=True)
        results = {name: min(found) for name, found in runs.items()}  # the best time
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        reference = None
        for name, out in outputs.items():
            found = counts_of(out, name.startswith("parindex"))
            if reference is None:
                reference = (name, found)
            elif found != reference[1]:
                print(f"DISAGREE: {name} differs from {reference[0]}")
        print()
        print("| approach | seconds (best) | peak RSS (MB) |")
        print("|---|---:|---:|")
        for name, (seconds, megabytes) in results.items():
            print(f"| {name} | {seconds:.2f} | {megabytes:.0f} |")
        if "DuckDB SQL" in results and "parindex (library)" in results:
            duck, pandas_ = results["DuckDB SQL"][0], results.get("pandas", (0.0, 0.0))[0]
            for name in ("parindex (library)", "parindex (command)"):
                if name in results:
                    mine = results[name][0]
                    line = f"{name}: {mine / duck:.2f} × DuckDB"
                    if pandas_:
                        line += f", {pandas_ / mine:.1f} × faster than pandas"
                    print(line)
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
