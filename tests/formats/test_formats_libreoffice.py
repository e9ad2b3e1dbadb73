"""The exports reopen in LibreOffice: the ranking XLSX, a unit's score sheet and the DOCX report
are converted headless by the real `soffice` (installed by .ci/run) and read back."""

from __future__ import annotations

import argparse
import csv
import subprocess
from pathlib import Path

import pytest

from parindex import cli
from parindex.formats.score_sheet import LeafInput, score_sheet_xlsx
from tests.formats.test_formats_results_docx import SON_LA

SOFFICE = "/usr/bin/soffice"
EXAMPLE = [
    "--criteria", str(SON_LA / "departments.yaml"),
    "--values", str(SON_LA / "departments-values.csv"),
    "--survey", str(SON_LA / "departments-answers.csv"),
    "--metrics", str(SON_LA / "departments-metrics.csv"),
    "--units", str(SON_LA / "departments-units.csv"),
    "--lang", "vi",
]  # fmt: skip


def converted(source: Path, target: str, profile: Path) -> Path:
    """`source` converted by LibreOffice to `target` (e.g. csv with its filter options)."""
    out = source.parent / "out"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", target, "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = sorted(out.iterdir())
    assert len(found) == 1, (done.stdout, done.stderr)
    return found[0]


# UTF-8 CSV with commas and quotes, the first sheet
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76,1"


def test_libreoffice_reopens_the_ranking_xlsx(tmp_path: Path) -> None:
    ranking = tmp_path / "xep-hang.xlsx"
    assert cli.main(["compute", *EXAMPLE, "--format", "xlsx", "--out", str(ranking)]) == 0
    rows = list(csv.reader(converted(ranking, CSV_UTF8, tmp_path / "lo").open(encoding="utf-8")))
    assert rows[0][:5] == ["rank", "unit", "name", "index", "class"]
    first = rows[1]
    assert first[:3] == ["1", "SO_TP", "Sở Tư pháp"]
    assert first[3] == "86.46" and first[4] == "tot"
    assert len(rows) == 20  # the header and 19 departments
    capped = next(row for row in rows if row[1] == "SO_KHCN")
    assert capped[-1].startswith("Cơ quan có từ 10% hồ sơ TTHC trễ hạn")


def test_libreoffice_reopens_the_docx_report(tmp_path: Path) -> None:
    report = tmp_path / "bao-cao.docx"
    assert cli.main(["compute", *EXAMPLE, "--format", "docx", "--out", str(report)]) == 0
    text = converted(report, "txt:Text (encoded):UTF8", tmp_path / "lo").read_text("utf-8-sig")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Sở Tư pháp" in text and "86,46" in text  # Vietnamese decimal comma


def test_libreoffice_reopens_a_score_sheet(tmp_path: Path) -> None:
    args = argparse.Namespace(
        criteria=str(SON_LA / "departments.yaml"),
        values=str(SON_LA / "departments-values.csv"),
        metrics=str(SON_LA / "departments-metrics.csv"),
        survey=str(SON_LA / "departments-answers.csv"),
        units=str(SON_LA / "departments-units.csv"),
    )
    loaded = cli.load_and_compute(args, "vi")
    so_tp = next(unit for unit in loaded.results.units if unit.unit.code == "SO_TP")
    sheet = tmp_path / "bang-diem.xlsx"
    sheet.write_bytes(
        score_sheet_xlsx(
            loaded.criteria,
            "=Bảng điểm Sở Tư pháp",
            so_tp,
            so_tp,
            {"1.1.1": LeafInput(value="dung_han", note="+84 ghi chú")},
        )
    )
    rows = list(csv.reader(converted(sheet, CSV_UTF8, tmp_path / "lo").open(encoding="utf-8")))
    assert rows[0][0].endswith("=Bảng điểm Sở Tư pháp")  # kept as text, not run as a formula
    assert rows[2][:3] == ["STT", "Nội dung", "Điểm tối đa"]
    leaf = next(row for row in rows if row[0] == "1.1.1")
    assert leaf[3] == "dung_han" and leaf[7].endswith("+84 ghi chú")


@pytest.fixture(autouse=True)
def _soffice_present() -> None:
    assert Path(SOFFICE).exists(), "LibreOffice is needed: .ci/run installs it"
