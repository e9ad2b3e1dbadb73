"""The `parindex` command: exit codes, `FILE:LINE: message` lists, outputs, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from parindex import cli

SET = """\
code: CLI-TEST
title: Bộ tiêu chí thử
year: 2024
unit_group: so_nganh
max_points: 10
decimals: 2
classes:
  - {code: tot, label: Tốt, min: 90}
  - {code: kha, label: Khá, min: 80}
  - {code: yeu, label: Yếu, min: 0}
caps:
  - {metric: late_rate, op: ">=", value: 10%, max_class: kha, reason: "≥10% hồ sơ trễ hạn"}
survey:
  scale: {min: 1, max: 5}
  min_sample: 2
  groups:
    - {code: cb, label: Cán bộ}
nodes:
  - code: "1"
    title: Chỉ đạo điều hành
    children:
      - {code: "1.1", title: Kế hoạch, max: 4, source: self,
         rule: {type: choice, options: [{code: dung_han, label: Đúng hạn, points: 4},
                                        {code: cham, label: Chậm, points: 2}]}}
      - {code: "1.2", title: Báo cáo, max: 2, source: self, rule: {type: boolean, yes: 2, no: 0}}
  - code: "2"
    title: Hài lòng
    children:
      - {code: "2.1", title: Hài lòng, max: 2, source: survey,
         rule: {type: survey, questions: [q1]}}
      - {code: "2.2", title: Đúng hạn, max: 2, source: data,
         rule: {type: data, metric: ontime_rate, then: {type: ratio}}}
"""

VALUES = """\
unit,code,value,note
A,1.1,dung_han,
A,1.2,có,
B,1.1,cham,
B,1.2,không,
C,1.1,dung_han,
C,1.2,1,
"""

METRICS = """\
unit,metric,value
A,ontime_rate,100%
A,late_rate,0.10
B,ontime_rate,0.5
C,ontime_rate,"0,9"
"""

ANSWERS = """\
response_id,unit,group,submitted_at,q1
r1,A,cb,2024-03-01,5
r2,A,cb,01/03/2024 08:00,5
r3,B,cb,2024-03-01,3
r4,B,cb,2024-03-01,9
r3,C,cb,2024-03-01,4
"""

UNITS = """\
code,name,group,type,parent,valid_from,valid_to,predecessors
A,Sở A,so_nganh,so,,,,
B,Sở B,so_nganh,so,,,,
C,Sở C,so_nganh,so,,,,
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "set": tmp_path / "set.yaml",
        "values": tmp_path / "values.csv",
        "metrics": tmp_path / "metrics.csv",
        "answers": tmp_path / "answers.csv",
        "units": tmp_path / "units.csv",
    }
    for key, text in (
        ("set", SET),
        ("values", VALUES),
        ("metrics", METRICS),
        ("answers", ANSWERS),
        ("units", UNITS),
    ):
        paths[key].write_text(text, encoding="utf-8")
    return paths


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--lang", "en", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def compute_args(files: dict[str, Path], *extra: str) -> list[str]:
    return [
        "compute",
        "--criteria", str(files["set"]),
        "--values", str(files["values"]),
        "--metrics", str(files["metrics"]),
        "--survey", str(files["answers"]),
        "--units", str(files["units"]),
        *extra,
    ]  # fmt: skip


def test_compute_writes_the_ranking_with_caps_survey_and_data(files, capsys):
    code, out, err = run(capsys, *compute_args(files))
    assert code == 0
    result = json.loads(out)
    units = {u["unit"]: u for u in result["units"]}
    # A: 4 + 2 + survey 2 × (5−1)/4 = 2 + data 2 × 1 = 10 → 100, capped at ≥10% late
    assert units["A"]["index"] == 100
    assert units["A"]["class"] == "kha"
    assert units["A"]["class_before_caps"] == "tot"
    assert units["A"]["caps"] == ["≥10% hồ sơ trễ hạn"]
    assert units["A"]["leaves"][2]["status"] == "ok"
    # B: 2 + 0 + survey (3−1)/4 × 2 = 1 (one response, below min_sample 2) + 2 × 0.5 = 1 → 4
    assert units["B"]["index"] == 40
    assert units["B"]["leaves"][2]["status"] == "low_sample"
    # C: its only response repeats r3 and is rejected → no survey data; 4 + 2 + 0 + 1.8 = 7.8
    assert units["C"]["index"] == 78
    assert units["C"]["leaves"][2]["status"] == "no_survey_data"
    assert [u["unit"] for u in result["units"]] == ["A", "C", "B"]
    assert [u["rank"] for u in result["units"]] == [1, 2, 3]
    assert result["survey"] == {"accepted": 3, "rejected": 2}
    assert result["summary"]["classes"] == {"tot": 0, "kha": 1, "yeu": 2}
    # rejected rows are listed on stderr with file and line, and do not stop the run
    assert f"{files['answers']}:5:" in err
    assert f"{files['answers']}:6:" in err


def test_rejected_survey_rows_name_the_reason(files, capsys):
    _, _, err = run(capsys, *compute_args(files))
    lines = [line for line in err.splitlines() if str(files["answers"]) in line]
    assert len(lines) == 2
    assert "9" in lines[0]
    assert "r3" in lines[1]


def test_csv_output_has_one_row_per_unit_by_rank(files, capsys):
    code, out, _ = run(capsys, *compute_args(files, "--format", "csv"))
    assert code == 0
    rows = out.strip().splitlines()
    assert rows[0].startswith("rank,unit,name,index,class")
    assert rows[1].startswith("1,A,Sở A,100,kha,tot")
    assert len(rows) == 4


def test_out_file_extension_chooses_xlsx(files, capsys, tmp_path):
    target = tmp_path / "results.xlsx"
    code, out, _ = run(capsys, *compute_args(files, "--out", str(target)))
    assert code == 0
    assert out == ""
    from python_calamine import CalamineWorkbook

    assert target.stat().st_mode & 0o644 == 0o644, "readable like any file the user writes"
    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert sheet[0][:4] == ["rank", "unit", "name", "index"]
    assert sheet[1][1] == "A"
    assert sheet[1][3] == 100


def test_out_file_extension_or_format_chooses_pdf(files, capsys, tmp_path):
    target = tmp_path / "ket-qua.pdf"
    code, out, _ = run(capsys, *compute_args(files, "--lang", "vi", "--out", str(target)))
    assert (code, out) == (0, "")
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Sở A" in text and "100,00" in text  # A's index, written the Vietnamese way
    other = tmp_path / "report.bin"
    code, _, _ = run(capsys, *compute_args(files, "--format", "pdf", "--out", str(other)))
    assert code == 0
    assert other.read_bytes().startswith(b"%PDF-")  # --format wins over the extension


def test_bad_value_is_listed_with_file_line_and_nothing_is_written(files, capsys, tmp_path):
    files["values"].write_text(VALUES + "C,1.1,sometimes,\n", encoding="utf-8")
    target = tmp_path / "out.json"
    code, out, err = run(capsys, *compute_args(files, "--out", str(target)))
    assert code == 2
    assert out == ""
    assert not target.exists()
    problems = [line for line in err.splitlines() if line.startswith(str(files["values"]))]
    assert problems == [
        f"{files['values']}:8: 1.1: 'sometimes' is not an option (one of: dung_han, cham)"
    ]


def test_every_problem_of_every_file_is_listed(files, capsys):
    files["values"].write_text(
        VALUES + "A,9.9,1,\nA,2.1,1,\nZ,1.1,cham,\nA,1.1,cham,\n", encoding="utf-8"
    )
    files["metrics"].write_text(METRICS + "B,late_rate,lots\n", encoding="utf-8")
    code, _, err = run(capsys, *compute_args(files))
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith(str(files["values"]))]
    assert [line.split(":")[1] for line in lines] == ["8", "9", "10", "11"]
    assert "9.9" in lines[0]
    assert "survey" in lines[1]
    assert "Z" in lines[2]
    assert "line 2" in lines[3] or "2" in lines[3]
    assert f"{files['metrics']}:6:" in err


def test_missing_column_is_reported_on_line_one(files, capsys):
    files["values"].write_text("unit,code\nA,1.1\n", encoding="utf-8")
    code, _, err = run(capsys, *compute_args(files))
    assert code == 2
    assert err.startswith(f"{files['values']}:1: ")
    assert "value" in err


def test_criteria_problems_are_listed_by_key_path(files, capsys):
    files["set"].write_text(SET.replace("points: 2}]}}", "points: 5}]}}"), encoding="utf-8")
    code, _, err = run(capsys, "criteria", "check", str(files["set"]))
    assert code == 2
    assert err.strip() == (
        f"{files['set']}: nodes[0].children[0].rule.options[1].points: "
        "points 5 outside [0, 4] (line 24)"
    )


def test_criteria_syntax_error_gives_the_line(files, capsys):
    files["set"].write_text("code: X\nnodes: [\n", encoding="utf-8")
    code, _, err = run(capsys, "criteria", "check", str(files["set"]))
    assert code == 2
    assert err.startswith(f"{files['set']}:3: YAML syntax error")


def test_criteria_check_describes_a_valid_set(files, capsys):
    code, out, err = run(capsys, "criteria", "check", str(files["set"]))
    assert code == 0
    assert err == ""
    assert out.strip() == (
        "CLI-TEST: valid — 2 fields, 4 criteria, 4 leaves; 10 points "
        "(self 6, survey 2, data 2); 0 bonus/penalty nodes"
    )


def test_messages_follow_lang(files, capsys):
    files["set"].write_text(SET.replace("year: 2024\n", ""), encoding="utf-8")
    assert cli.main(["--lang", "vi", "criteria", "check", str(files["set"])]) == 2
    assert "thiếu khóa bắt buộc" in capsys.readouterr().err
    assert cli.main(["criteria", "check", str(files["set"]), "--lang", "en"]) == 2
    assert "required key missing" in capsys.readouterr().err


def test_at_most_one_hundred_problems_are_listed(files, capsys):
    rows = "".join(f"U{i},1.1,dung_han,\n" for i in range(150))
    files["values"].write_text("unit,code,value\n" + rows, encoding="utf-8")
    code, _, err = run(capsys, *compute_args(files))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 101
    assert lines[-1] == "... and 50 more problems"


def test_explain_prints_the_trace_of_one_unit(files, capsys):
    code, out, _ = run(capsys, *compute_args(files, "--explain", "B"))
    assert code == 0
    assert "Sở B (B)" in out
    assert "option 'cham' (Chậm) → 2" in out
    assert "Index = 4 / 10 × 100 = 40" in out
    assert "Rank: 3 of 3" in out
    code, out, _ = run(capsys, *compute_args(files, "--explain", "B", "--lang", "vi"))
    assert "chọn 'cham' (Chậm) → 2" in out
    assert "Chỉ số = 4 / 10 × 100 = 40" in out


def test_explain_of_an_unknown_unit_is_bad_input(files, capsys):
    code, out, err = run(capsys, *compute_args(files, "--explain", "NOPE"))
    assert code == 2
    assert out == ""
    assert "NOPE" in err


def test_improve_lists_the_cheapest_leaves(files, capsys):
    args = compute_args(files)[1:]
    code, out, _ = run(capsys, "improve", *args, "--unit", "B", "--target-rank", "2")
    assert code == 0
    plan = json.loads(out)
    assert plan["unit"] == "B"
    assert plan["index"] == 40
    assert plan["target_index"] == 78
    assert plan["index_needed"] == 38
    assert plan["points_needed"] == 3.8
    # lost: 1.2 → 2, 1.1 → 2, 2.2 → 1 (survey leaves are not listed); 2 + 2 ≥ 3.8
    assert [leaf["code"] for leaf in plan["leaves"]] == ["1.1", "1.2"]
    assert plan["leaves"][0] == {
        "code": "1.1",
        "title": "Kế hoạch",
        "points": 2,
        "max": 4,
        "lost": 2,
    }


def test_improve_warns_when_the_rank_cannot_be_reached(files, capsys):
    args = compute_args(files)[1:]
    code, out, err = run(capsys, "improve", *args, "--unit", "B", "--target-rank", "1")
    assert code == 0
    assert "even all lost points" in err
    assert len(json.loads(out)["leaves"]) == 3


def test_previous_results_give_deltas(files, capsys, tmp_path):
    previous = tmp_path / "previous.json"
    previous.write_text(
        json.dumps(
            {
                "units": [
                    {"unit": "A", "index": 90.5, "rank": 2},
                    {"unit": "B", "index": 41, "rank": 1},
                ]
            }
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, *compute_args(files, "--previous", str(previous)))
    assert code == 0
    units = {u["unit"]: u for u in json.loads(out)["units"]}
    assert units["A"]["previous"] == {"index": 90.5, "rank": 2}
    assert units["A"]["delta"] == {"index": 9.5, "rank": 1}
    assert units["B"]["delta"] == {"index": -1, "rank": -2}
    assert units["C"]["previous"] is None


def test_an_internal_error_exits_one_without_a_stack_trace(files, capsys, monkeypatch):
    def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "compute", broken)
    monkeypatch.delenv("PARINDEX_DEBUG", raising=False)
    code, _, err = run(capsys, *compute_args(files))
    assert code == 1
    assert "internal error (RuntimeError): boom" in err
    assert "Traceback" not in err


def test_the_installed_command_runs_as_a_process(files):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "parindex.cli",
            "--lang",
            "en",
            "criteria",
            "check",
            str(files["set"]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("CLI-TEST: valid")
