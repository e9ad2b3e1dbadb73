"""The plan tasks file (FORMATS "Plan tasks — CSV") read into tasks and located problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from parindex.formats.tasks import Status, Task, read_tasks

HEADER = "code,title,lead,partners,deadline,status,completed_at\n"
GOOD = (
    HEADER
    + "NV-01,Quy chế phối hợp,Sở Kế hoạch và Đầu tư,Sở Tư pháp; Sở Nội vụ ;,"
    + "trong quý III/2017,done,28/09/2017\n"
    + "NV-02,Tin nhắn SMS,Sở Thông tin và Truyền thông,,Thực hiện từ tháng 8/2017,in_progress,\n"
    + "NV-03,Tuyên truyền,Sở Nội vụ,,thường xuyên,not_started,\n"
)


def write(tmp_path: Path, text: str, name: str = "tasks.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def rendered(tmp_path: Path, text: str, lang: str = "en") -> list[str]:
    path = write(tmp_path, text)
    result = read_tasks(path)
    assert result.tasks == ()
    return [problem.render(lang).removeprefix(f"{path}:") for problem in result.problems]


def test_tasks_file_gives_every_task_with_its_deadline_read(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    result = read_tasks(path)
    assert result.problems == ()
    assert result.file == str(path)
    assert result.tasks[0] == Task(
        line=2,
        code="NV-01",
        title="Quy chế phối hợp",
        lead="Sở Kế hoạch và Đầu tư",
        partners=("Sở Tư pháp", "Sở Nội vụ"),
        deadline="trong quý III/2017",
        due_date=dt.date(2017, 9, 30),
        starts=None,
        status=Status.DONE,
        completed_at=dt.date(2017, 9, 28),
    )
    assert [(t.code, t.due_date, t.starts, t.status) for t in result.tasks[1:]] == [
        ("NV-02", None, dt.date(2017, 8, 1), Status.IN_PROGRESS),
        ("NV-03", None, None, Status.NOT_STARTED),
    ]
    assert result.tasks[1].partners == ()
    assert result.tasks[1].deadline == "Thực hiện từ tháng 8/2017"  # as written


def test_tasks_file_with_a_bom_upper_case_header_and_extra_columns_reads_the_same(
    tmp_path: Path,
) -> None:
    text = GOOD.replace(HEADER, HEADER.upper().replace("\n", ",note\n"), 1)
    text = text.replace("done,28/09/2017\n", "done,28/09/2017,x\n")
    plain = read_tasks(write(tmp_path, GOOD, "plain.csv"))
    other = read_tasks(write(tmp_path, text, "other.csv", bom=True))
    assert other.problems == ()
    assert other.tasks == plain.tasks


def test_tasks_file_needs_only_code_deadline_and_status(tmp_path: Path) -> None:
    result = read_tasks(write(tmp_path, "code,deadline,status\nA,năm 2018,DONE\n"))
    assert result.problems == ()
    (task,) = result.tasks
    assert (task.title, task.lead, task.partners, task.completed_at) == ("", "", (), None)
    assert task.status is Status.DONE  # status is read case-insensitively


def test_tasks_missing_columns_are_reported_on_line_one(tmp_path: Path) -> None:
    assert rendered(tmp_path, "code,title,lead\nA,x,y\n") == [
        "1: missing required column(s): deadline, status"
    ]


def test_tasks_every_bad_cell_is_reported_with_its_line(tmp_path: Path) -> None:
    text = (
        HEADER
        + "A,x,y,,tháng 13/2017,done,hôm qua\n"
        + "A,x,y,,quý II/2017,finished,\n"
        + "\n"
        + ",x,y,,sớm,,\n"
        + "B,x,y,,31/02/2017,in_progress,2017-02-30\n"
    )
    assert rendered(tmp_path, text) == [
        "2: deadline 'tháng 13/2017': there is no month 13 (months are 1 to 12)",
        "2: completed_at: cannot read the date 'hôm qua' (write 31/03/2024 or 2024-03-31)",
        "3: duplicate task code A (already on line 2)",
        "3: unknown status 'finished' (one of: not_started, in_progress, done)",
        "5: the task code is empty",
        "5: cannot read the deadline 'sớm' (write e.g. 30/09/2017, tháng 6/2017, tháng 7-8/2017, "
        "quý III/2017, quý I+II năm 2014, 6 tháng đầu năm 2018, năm 2018, từ tháng 8/2017, "
        "thường xuyên)",
        "5: the status is empty (one of: not_started, in_progress, done)",
        "6: deadline '31/02/2017': there is no day 31 in month 2 of 2017",
        "6: completed_at: cannot read the date '2017-02-30' (write 31/03/2024 or 2024-03-31)",
    ]


def test_tasks_problems_are_in_vietnamese_too(tmp_path: Path) -> None:
    text = HEADER + "A,x,y,,quý V/2017,xong,\nA,x,y,,,done,\n"
    assert rendered(tmp_path, text, lang="vi") == [
        "2: thời hạn 'quý V/2017': không có quý V (quý I, II, III, IV hoặc 1 đến 4)",
        "2: trạng thái 'xong' không hợp lệ (một trong: not_started, in_progress, done)",
        "3: mã nhiệm vụ A bị lặp lại (đã có ở dòng 2)",
        "3: thời hạn bị bỏ trống (nhiệm vụ không có hạn thì ghi 'thường xuyên')",
    ]


def test_tasks_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    result = read_tasks(tmp_path / "nope.csv")
    assert result.tasks == ()
    assert [p.render("en") for p in result.problems] == [f"{tmp_path / 'nope.csv'}: file not found"]


def test_tasks_an_unquoted_comma_is_reported_not_guessed(tmp_path: Path) -> None:
    problems = rendered(
        tmp_path, HEADER + "A,Rà soát cán bộ, công chức,y,,năm 2018,done,01/12/2018\n"
    )
    assert problems == [
        "2: the row has 8 cells but the header has 7 columns (a comma in an unquoted cell?)"
    ]


def test_tasks_a_workbook_reads_like_the_csv(tmp_path: Path) -> None:
    target = tmp_path / "tasks.xlsx"
    book = xlsxwriter.Workbook(str(target))
    sheet = book.add_worksheet()
    rows = [line.split(",") for line in GOOD.strip().split("\n")]
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            sheet.write_string(r, c, cell)
    dated = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_datetime(1, 6, dt.date(2017, 9, 28), dated)  # a date cell, not text
    book.close()
    from_csv = read_tasks(write(tmp_path, GOOD))
    from_xlsx = read_tasks(target)
    assert from_xlsx.problems == ()
    assert from_xlsx.tasks == from_csv.tasks
