"""`parindex dossiers stats`: the exact CSV, JSON and XLSX outputs, exit codes, nothing written
on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from parindex import cli
from parindex.commands import dossiers as command

HEADER = (
    "dossier_id,unit,procedure,official,received_at,due_at,finished_at,status,online,"
    "apology_at,new_due_at,reschedules"
)
# Unit A: an early one, an on-time one, a late one that apologised in time (complies only when
# 19 March is a holiday), a pending one due 15 March. Unit B: a withdrawn one, a pending one.
DOSSIERS = f"""\
{HEADER}
HS1,A,1.001,CB1,2024-03-04T08:00,2024-03-15,2024-03-05T10:00,finished,1,,,
HS2,A,1.001,CB2,04/03/2024 09:30,15/03/2024,15/03/2024 16:00,finished,0,,,
HS3,A,1.002,CB1,2024-03-04T08:00,2024-03-15,2024-03-21T10:00,finished,1,2024-03-14,2024-03-21,1
HS4,A,1.002,CB2,2024-03-04T08:00,2024-03-15T10:00,,pending,1,,,
HS5,B,1.001,CB3,2024-04-01T08:00,2024-04-05,,withdrawn,1,,,
HS6,B,1.003,CB3,2024-04-01T08:00,2024-04-05,,pending,0,,,
"""
COLUMNS = (
    "received,finished,pending,withdrawn,early,on_time,late,overdue,online,"
    "late_rate,ontime_rate,online_rate,late_noncompliant"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"dossiers": tmp_path / "hs.csv", "holidays": tmp_path / "holidays.csv"}
    paths["dossiers"].write_text(DOSSIERS, encoding="utf-8")
    paths["holidays"].write_text("date,name\n2024-03-19,Ngày nghỉ thử\n", encoding="utf-8")
    return paths


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--lang", "en", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def stats(files: dict[str, Path], *extra: str) -> list[str]:
    return ["dossiers", "stats", str(files["dossiers"]), *extra]


def test_cli_dossiers_writes_the_csv_on_standard_output(files, capsys):
    code, out, err = run(capsys, *stats(files, "--by", "unit", "--as-of", "2024-03-15T12:00"))
    assert (code, err) == (0, "")
    assert out == (
        f"unit,{COLUMNS}\n"
        "A,4,3,1,0,1,1,1,1,3,0.3333,0.6667,0.7500,1\n"
        "B,2,0,1,1,0,0,0,0,0,,,0.0000,0\n"
    )


def test_cli_dossiers_holidays_change_the_apology_verdict(files, capsys):
    args = stats(files, "--by", "unit", "--as-of", "2024-03-15T12:00")
    code, out, _ = run(capsys, *args, "--holidays", str(files["holidays"]))
    assert code == 0
    assert out.splitlines()[1] == "A,4,3,1,0,1,1,1,1,3,0.3333,0.6667,0.7500,0"


def test_cli_dossiers_as_of_a_date_alone_is_the_start_of_that_day(files, capsys):
    overdue = {}
    for as_of in ("2024-03-15", "15/03/2024 10:00", "2024-03-15T10:00:01", "2024-04-06"):
        code, out, _ = run(capsys, *stats(files, "--by", "unit", "--as-of", as_of))
        assert code == 0
        rows = [line.split(",") for line in out.splitlines()[1:]]
        overdue[as_of] = [int(row[8]) for row in rows]
    assert overdue == {
        "2024-03-15": [0, 0],
        "15/03/2024 10:00": [0, 0],
        "2024-03-15T10:00:01": [1, 0],
        "2024-04-06": [1, 1],
    }


def test_cli_dossiers_without_as_of_counts_overdue_as_of_now(files, capsys):
    code, out, _ = run(capsys, *stats(files, "--by", "unit"))
    assert code == 0
    assert [line.split(",")[8] for line in out.splitlines()[1:]] == ["1", "1"]
    now = command.now_in_vietnam()
    assert now.tzinfo is None and now.year >= 2024


def test_cli_dossiers_by_unit_month_official_and_procedure(files, capsys):
    keys = {}
    for by in ("unit-month", "official", "procedure"):
        code, out, _ = run(capsys, *stats(files, "--by", by, "--as-of", "2024-06-01"))
        assert code == 0
        lines = out.splitlines()
        keys[by] = (lines[0].split(",received")[0], [line.split(",")[0:2] for line in lines[1:]])
    assert keys["unit-month"] == ("unit,month", [["A", "2024-03"], ["B", "2024-04"]])
    assert keys["official"][0] == "official"
    assert [row[0] for row in keys["official"][1]] == ["CB1", "CB2", "CB3"]
    assert keys["procedure"][1] == [["1.001", "3"], ["1.002", "2"], ["1.003", "1"]]


def test_cli_dossiers_json_by_extension_or_format(files, capsys, tmp_path):
    target = tmp_path / "stats.json"
    args = stats(files, "--by", "unit", "--as-of", "2024-03-15T12:00")
    code, out, _ = run(capsys, *args, "--out", str(target))
    assert (code, out) == (0, "")
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["by"] == "unit"
    assert document["as_of"] == "2024-03-15T12:00:00"
    assert document["rows"][0] == {
        "unit": "A",
        "received": 4,
        "finished": 3,
        "pending": 1,
        "withdrawn": 0,
        "early": 1,
        "on_time": 1,
        "late": 1,
        "overdue": 1,
        "online": 3,
        "late_rate": 0.3333,
        "ontime_rate": 0.6667,
        "online_rate": 0.75,
        "late_noncompliant": 1,
    }
    assert document["rows"][1]["late_rate"] is None
    code, out, _ = run(capsys, *args, "--format", "json")
    assert code == 0 and json.loads(out) == document


def test_cli_dossiers_xlsx_output(files, capsys, tmp_path):
    target = tmp_path / "stats.xlsx"
    args = stats(files, "--by", "unit", "--as-of", "2024-06-01", "--out", str(target))
    code, _, _ = run(capsys, *args)
    assert code == 0
    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["unit", *COLUMNS.split(",")]
    assert sheet[1][0] == "A" and sheet[1][1] == 4 and sheet[1][10] == pytest.approx(0.3333)
    assert sheet[2][10] == ""  # B has nothing finished: no late rate


def test_cli_dossiers_csv_to_a_file_and_pdf_refused(files, capsys, tmp_path):
    target = tmp_path / "stats.txt"
    args = stats(files, "--by", "unit", "--as-of", "2024-06-01", "--out", str(target))
    code, _, _ = run(capsys, *args)
    assert code == 0
    assert target.read_text(encoding="utf-8").startswith(f"unit,{COLUMNS}\n")
    code, out, err = run(capsys, *stats(files, "--by", "unit", "--out", str(tmp_path / "s.pdf")))
    assert (code, out) == (2, "")
    assert err == "--out: dossiers stats cannot write pdf; use csv, json or xlsx\n"
    assert not (tmp_path / "s.pdf").exists()


def test_cli_dossiers_an_unreadable_as_of_is_bad_input(files, capsys):
    code, out, err = run(capsys, *stats(files, "--by", "unit", "--as-of", "tomorrow"))
    assert (code, out) == (2, "")
    assert err == (
        "--as-of: cannot read the date and time 'tomorrow' "
        "(write 31/03/2024 14:05 or 2024-03-31T14:05)\n"
    )


def test_cli_dossiers_bad_input_lists_every_problem_and_writes_nothing(files, capsys, tmp_path):
    path = files["dossiers"]
    path.write_text(
        DOSSIERS + "HS7,B,1.001,CB3,2024-04-01,2024-04-05,,finished,0,,,\n"
        "HS1,B,1.001,CB3,2024-04-01,2024-04-05,,cancelled,0,,,\n",
        encoding="utf-8",
    )
    files["holidays"].write_text("date,name\nTết,?\n", encoding="utf-8")
    target = tmp_path / "stats.csv"
    target.write_text("before\n", encoding="utf-8")
    code, out, err = run(
        capsys,
        *stats(files, "--by", "unit", "--holidays", str(files["holidays"]), "--out", str(target)),
    )
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{files['holidays']}:2: cannot read the date 'Tết' (write 31/03/2024 or 2024-03-31)",
        f"{path}:8: a finished dossier without finished_at",
        f"{path}:9: dossier_id HS1 already seen on line 2; "
        "unknown status 'cancelled' (finished, pending or withdrawn)",
    ]
    assert target.read_text(encoding="utf-8") == "before\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".stats")] == []


def test_cli_dossiers_lists_one_hundred_problems_then_counts_the_rest(files, capsys):
    rows = [f"HS{i},A,1.001,CB1,2024-03-04,2024-03-15,,finished,0,,," for i in range(130)]
    files["dossiers"].write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, _, err = run(capsys, *stats(files, "--by", "unit"))
    lines = err.splitlines()
    assert code == 2
    assert len(lines) == 101
    assert lines[99] == f"{files['dossiers']}:101: a finished dossier without finished_at"
    assert lines[100] == "... and 30 more problems"


def test_cli_dossiers_missing_columns_and_messages_in_vietnamese(files, capsys):
    files["dossiers"].write_text("dossier_id,unit\nHS1,A\n", encoding="utf-8")
    code = cli.main(["--lang", "vi", *stats(files, "--by", "unit")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"{files['dossiers']}:1: thiếu cột bắt buộc: procedure, official, received_at, due_at, "
        "finished_at, status, online, apology_at, new_due_at, reschedules\n"
    )


def test_cli_dossiers_runs_as_a_process(files, tmp_path):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "parindex.cli",
            "--lang",
            "en",
            *stats(files, "--by", "unit", "--as-of", "2024-03-15T12:00"),
            "--holidays",
            str(files["holidays"]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, "")
    assert completed.stdout == (
        f"unit,{COLUMNS}\n"
        "A,4,3,1,0,1,1,1,1,3,0.3333,0.6667,0.7500,0\n"
        "B,2,0,1,1,0,0,0,0,0,,,0.0000,0\n"
    )
    bad = subprocess.run(
        [sys.executable, "-m", "parindex.cli", "--lang", "en", "dossiers", "stats",
         str(tmp_path / "none.csv"), "--by", "unit"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr == f"{tmp_path / 'none.csv'}: file not found\n"


def test_cli_dossiers_the_shipped_example_with_and_without_holidays(capsys):
    examples = Path(__file__).resolve().parents[2] / "examples" / "dossiers"
    args = ["dossiers", "stats", str(examples / "mot-cua-2024.csv"), "--by", "unit"]
    args += ["--as-of", "2024-06-30"]
    code, out, _ = run(capsys, *args, "--holidays", str(examples / "holidays-2024.csv"))
    assert code == 0
    assert out == (
        f"unit,{COLUMNS}\n"
        "SO_CT,8,6,1,1,4,2,0,1,6,0.0000,1.0000,0.8571,0\n"
        "SO_TC,9,8,1,0,3,2,3,1,6,0.3750,0.6250,0.6667,2\n"
        "SO_TP,11,8,2,1,3,3,2,1,7,0.2500,0.7500,0.7000,2\n"
        "XA_CHIENG_MUNG,10,8,1,1,1,4,3,1,2,0.3750,0.6250,0.2222,3\n"
    )
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert out.splitlines()[3] == "SO_TP,11,8,2,1,3,3,2,1,7,0.2500,0.7500,0.7000,1"
