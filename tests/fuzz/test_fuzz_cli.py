"""The `parindex compute`, `dossiers stats` and `tasks check` commands given malformed files:
exit 0 or 2 with the problems on stderr, never 1 (an internal error, a crash of a reader)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from assessment_builders import SET
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importers import EXAMPLES as EXAMPLE_FILES
from importers import head
from mutations import EXAMPLES, mutated

from parindex.cli import EXIT_BAD_INPUT, EXIT_OK, main

FUZZ = settings(
    max_examples=max(EXAMPLES // 2, 10),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

UNITS = """code,name,group,type,parent,valid_from,valid_to,predecessors
SO_NV,Sở Nội vụ,so_nganh,so,,,,
SO_TP,Sở Tư pháp,so_nganh,so,,2020-01-01,,SO_TP_CU
"""
VALUES = """unit,code,value,note
SO_NV,1.1.1,dung_han,
SO_NV,1.1.2,có,
SO_NV,1.2,85%,
SO_NV,2.1,45/50,
SO_NV,2.2,1,
SO_NV,B,1.5,thưởng
SO_TP,1.1.1,cham,
SO_TP,1.1.2,không,
SO_TP,1.2,0.7,
SO_TP,2.1,0/0,
SO_TP,2.2,0,
"""
METRICS = "unit,metric,value\nSO_NV,online_rate,0.5\nSO_TP,online_rate,45%\n"
ANSWERS = """response_id,unit,group,submitted_at,q1
r1,SO_NV,nguoi_dan,2024-03-01,4
r2,SO_NV,nguoi_dan,01/03/2024 10:05,5
r3,SO_TP,nguoi_dan,2024-03-02T08:00,
r4,SO_TP,nguoi_dan,,3
"""
COMPUTE_FILES = {
    "criteria": ("set.yaml", SET),
    "values": ("values.csv", VALUES),
    "metrics": ("metrics.csv", METRICS),
    "survey": ("answers.csv", ANSWERS),
    "units": ("units.csv", UNITS),
}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    _, err = capsys.readouterr()
    assert code in (EXIT_OK, EXIT_BAD_INPUT), err
    assert "Traceback" not in err
    if code == EXIT_BAD_INPUT:
        assert err.strip(), "exit 2 must say why"


def test_the_valid_compute_inputs_are_read(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    argv = ["compute", "--lang", "en", "--out", str(tmp_path / "out.json")]
    for option, (name, text) in COMPUTE_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        argv += [f"--{option}", str(tmp_path / name)]
    assert main(argv) == EXIT_OK, capsys.readouterr().err


@pytest.mark.parametrize("broken", sorted(COMPUTE_FILES))
def test_compute_with_a_malformed_input_exits_0_or_2(
    broken: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, text = COMPUTE_FILES[broken]

    @FUZZ
    @given(data=mutated([text.encode()]), lang=st.sampled_from(["vi", "en"]))
    def check(data: bytes, lang: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            argv = ["compute", "--lang", lang, "--out", str(Path(folder) / "out.json")]
            for option, (file, content) in COMPUTE_FILES.items():
                path = Path(folder) / file
                path.write_bytes(data if option == broken else content.encode())
                argv += [f"--{option}", str(path)]
            run(argv, capsys)

    check()


def test_dossiers_stats_with_a_malformed_export_exits_0_or_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    holidays = (EXAMPLE_FILES / "dossiers" / "holidays-2024.csv").read_bytes()

    @FUZZ
    @given(
        dossiers=mutated([head(EXAMPLE_FILES / "dossiers" / "mot-cua-2024.csv")]),
        holiday_file=st.one_of(st.just(holidays), mutated([holidays])),
        by=st.sampled_from(["unit", "official", "procedure", "unit-month"]),
    )
    def check(dossiers: bytes, holiday_file: bytes, by: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            export, days = Path(folder) / "mot-cua.csv", Path(folder) / "ngay-le.csv"
            export.write_bytes(dossiers)
            days.write_bytes(holiday_file)
            argv = ["dossiers", "stats", str(export), "--by", by, "--holidays", str(days)]
            run([*argv, "--as-of", "2024-12-31", "--out", str(Path(folder) / "out.csv")], capsys)

    check()


def test_tasks_check_with_a_malformed_plan_exits_0_or_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @FUZZ
    @given(tasks=mutated([head(EXAMPLE_FILES / "tasks" / "ke-hoach-2017.csv")]))
    def check(tasks: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            plan = Path(folder) / "ke-hoach.csv"
            plan.write_bytes(tasks)
            run(["tasks", "check", str(plan), "--out", str(Path(folder) / "out.csv")], capsys)

    check()
