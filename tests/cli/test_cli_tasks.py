"""`parindex tasks check TASKS.csv [--out FILE]` (FORMATS "Plan tasks — CSV" and "Commands")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from parindex import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tasks" / "ke-hoach-2017.csv"

TASKS = """\
code,title,lead,partners,deadline,status,completed_at
NV-01,Quy chế phối hợp xây dựng chính sách,Sở Kế hoạch và Đầu tư,Sở Tư pháp;Sở Nội vụ,Thời hạn: trong quý III/2017,done,28/09/2017
NV-02,Phương án đơn giản hóa thủ tục hành chính đợt 1,Sở Tư pháp,,trong tháng 7-8/2017,done,2017-08-25
NV-03,Đối thoại với doanh nghiệp,Sở Kế hoạch và Đầu tư,,thực hiện từ năm 2017 trở đi,in_progress,
NV-04,Quy chế lồng ghép thanh tra,Thanh tra tỉnh,,quý IV/2017,in_progress,
NV-05,Rà soát cán bộ theo vị trí việc làm,Sở Nội vụ,,Trong quý I+II năm 2014,not_started,
NV-06,Sơ kết,Sở Nội vụ,,6 tháng cuối năm 2018,not_started,
NV-07,Tuyên truyền,Sở Nội vụ,,thường xuyên,in_progress,
NV-08,Báo cáo,Sở Nội vụ,,30/09/2017,not_started,
"""  # noqa: E501

EXPECTED = """\
code,deadline,due_date,starts
NV-01,Thời hạn: trong quý III/2017,2017-09-30,
NV-02,trong tháng 7-8/2017,2017-08-31,
NV-03,thực hiện từ năm 2017 trở đi,,2017-01-01
NV-04,quý IV/2017,2017-12-31,
NV-05,Trong quý I+II năm 2014,2014-06-30,
NV-06,6 tháng cuối năm 2018,2018-12-31,
NV-07,thường xuyên,,
NV-08,30/09/2017,2017-09-30,
"""

BAD = """\
code,title,lead,partners,deadline,status,completed_at
NV-01,a,b,,tháng 13/2017,done,
NV-02,a,b,,quý III/2017,in_progress,
NV-03,a,b,,31/02/2017,in_progress,
NV-04,a,b,,sớm nhất có thể,in_progress,
"""


@pytest.fixture
def tasks_file(tmp_path: Path) -> Path:
    path = tmp_path / "tasks.csv"
    path.write_text(TASKS, encoding="utf-8")
    return path


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_tasks_check_writes_one_row_per_task_in_file_order(tasks_file, capsys):
    code, out, err = run(capsys, "--lang", "en", "tasks", "check", str(tasks_file))
    assert (code, err) == (0, "")
    assert out == EXPECTED


def test_tasks_check_out_file_is_written_whole_and_stdout_stays_empty(tasks_file, capsys, tmp_path):
    target = tmp_path / "deadlines.csv"
    code, out, err = run(capsys, "tasks", "check", str(tasks_file), "--out", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_bytes() == EXPECTED.encode("utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_tasks_check_out_dash_is_standard_output(tasks_file, capsys):
    code, out, _ = run(capsys, "tasks", "check", str(tasks_file), "--out", "-")
    assert (code, out) == (0, EXPECTED)


def test_tasks_check_lists_every_unreadable_deadline_and_writes_nothing(bad_file, capsys, tmp_path):
    target = tmp_path / "deadlines.csv"
    target.write_text("an earlier result\n", encoding="utf-8")
    code, out, err = run(
        capsys, "--lang", "en", "tasks", "check", str(bad_file), "--out", str(target)
    )
    assert (code, out) == (2, "")
    assert target.read_text(encoding="utf-8") == "an earlier result\n"  # left as it was
    assert err.splitlines() == [
        f"{bad_file}:2: deadline 'tháng 13/2017': there is no month 13 (months are 1 to 12)",
        f"{bad_file}:4: deadline '31/02/2017': there is no day 31 in month 2 of 2017",
        f"{bad_file}:5: cannot read the deadline 'sớm nhất có thể' (write e.g. 30/09/2017, "
        "tháng 6/2017, tháng 7-8/2017, quý III/2017, quý I+II năm 2014, 6 tháng đầu năm 2018, "
        "năm 2018, từ tháng 8/2017, thường xuyên)",
    ]


def test_tasks_check_on_error_writes_no_new_out_file(bad_file, capsys, tmp_path):
    target = tmp_path / "deadlines.csv"
    code, out, _ = run(capsys, "tasks", "check", str(bad_file), "--out", str(target))
    assert (code, out) == (2, "")
    assert list(tmp_path.iterdir()) == [bad_file]


def test_tasks_check_messages_are_vietnamese_with_lang_vi(bad_file, capsys):
    code, _, err = run(capsys, "--lang", "vi", "tasks", "check", str(bad_file))
    assert code == 2
    assert err.splitlines()[0] == (
        f"{bad_file}:2: thời hạn 'tháng 13/2017': không có tháng 13 (tháng từ 1 đến 12)"
    )


def test_tasks_check_messages_default_to_vietnamese_in_a_vietnamese_environment(
    bad_file, capsys, monkeypatch
):
    monkeypatch.setenv("PARINDEX_LANG", "vi")
    code, _, err = run(capsys, "tasks", "check", str(bad_file))
    assert code == 2
    assert "không có ngày 31 tháng 2 năm 2017" in err
    code, _, err = run(capsys, "tasks", "check", str(bad_file), "--lang", "en")
    assert code == 2
    assert "there is no day 31 in month 2 of 2017" in err


def test_tasks_check_other_bad_cells_also_exit_two(tmp_path, capsys):
    path = tmp_path / "tasks.csv"
    path.write_text(
        "code,deadline,status,completed_at\nA,quý I/2018,finished,\nA,quý II/2018,done,xx\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--lang", "en", "tasks", "check", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{path}:2: unknown status 'finished' (one of: not_started, in_progress, done)",
        f"{path}:3: duplicate task code A (already on line 2)",
        f"{path}:3: completed_at: cannot read the date 'xx' (write 31/03/2024 or 2024-03-31)",
    ]


def test_tasks_check_missing_column_and_missing_file(tmp_path, capsys):
    path = tmp_path / "tasks.csv"
    path.write_text("code,title\nA,x\n", encoding="utf-8")
    code, _, err = run(capsys, "--lang", "en", "tasks", "check", str(path))
    assert (code, err) == (2, f"{path}:1: missing required column(s): deadline, status\n")
    code, _, err = run(capsys, "--lang", "en", "tasks", "check", str(tmp_path / "no.csv"))
    assert (code, err) == (2, f"{tmp_path / 'no.csv'}: file not found\n")


def test_tasks_check_lists_at_most_one_hundred_problems(tmp_path, capsys):
    path = tmp_path / "tasks.csv"
    rows = "".join(f"NV-{i},quý V/2017,done\n" for i in range(130))
    path.write_text("code,deadline,status\n" + rows, encoding="utf-8")
    code, out, err = run(capsys, "--lang", "en", "tasks", "check", str(path))
    lines = err.splitlines()
    assert (code, out, len(lines)) == (2, "", 101)
    assert lines[0].startswith(f"{path}:2: deadline 'quý V/2017': there is no quarter V")
    assert lines[99].startswith(f"{path}:101: ")
    assert lines[-1] == "... and 30 more problems"


def test_tasks_check_reads_the_shipped_example(capsys):
    code, out, err = run(capsys, "tasks", "check", str(EXAMPLE))
    assert (code, err) == (0, "")
    rows = out.splitlines()
    assert rows[0] == "code,deadline,due_date,starts"
    assert len(rows) == 22
    assert "NV-06,trong tháng 7-8/2017,2017-08-31," in rows
    assert "NV-15,bắt đầu thực hiện từ năm 2018,,2018-01-01" in rows
    assert rows[-1] == "NV-21,thường xuyên,,"


def test_tasks_check_runs_as_a_process(tasks_file, bad_file):
    environment = {**os.environ, "PARINDEX_LANG": "vi"}
    done = subprocess.run(
        [sys.executable, "-m", "parindex.cli", "tasks", "check", str(tasks_file)],
        capture_output=True,
        check=False,
        env=environment,
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == EXPECTED.encode("utf-8")
    failed = subprocess.run(
        [sys.executable, "-m", "parindex.cli", "tasks", "check", str(bad_file)],
        capture_output=True,
        check=False,
        env=environment,
    )
    assert (failed.returncode, failed.stdout) == (2, b"")
    assert failed.stderr.decode("utf-8").splitlines()[1] == (
        f"{bad_file}:4: thời hạn '31/02/2017': không có ngày 31 tháng 2 năm 2017"
    )
