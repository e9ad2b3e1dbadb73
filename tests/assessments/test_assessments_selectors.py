"""The sheet as read for the page, and the engine's input built from the stored values."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from assessment_builders import FULL, build, pdf_bytes
from django.core.files.base import ContentFile
from django.db import connection

from parindex.assessments.models import Assessment, LeafEntry
from parindex.assessments.selectors import (
    criteria_for,
    engine_inputs_for,
    entered_leaves,
    leaf_history,
    nodes_for,
    sheet_for,
    sheet_with_points,
    unit_points,
)
from parindex.assessments.services import entry_save, evidence_upload
from parindex.cli import main as parindex
from parindex.formats.results import results_document
from parindex.scoring import compute
from parindex.scoring.model import Fraction

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
SON_LA = REPO / "examples" / "son-la-2014"


def fill(world, values=FULL, unit="SO_NV"):  # type: ignore[no-untyped-def]
    for code, value in values.items():
        entry_save(
            assessment=world.sheet(unit),
            code=code,
            value=value,
            note=f"ghi chú {code}",
            expected_version=0,
            by=world.focal[unit],
        )


def loaded(world, unit="SO_NV") -> Assessment:  # type: ignore[no-untyped-def]
    return Assessment.objects.select_related("cycle__criteria_set", "unit").get(
        cycle=world.cycle, unit=world.units[unit]
    )


def test_the_sheet_is_the_whole_tree_with_entries_documents_and_history(
    django_assert_num_queries,
):
    world = build()
    fill(world)
    evidence_upload(
        assessment=world.sheet(),
        file=ContentFile(pdf_bytes(), name="qd.pdf"),
        codes=["1.1.1", "1.2"],
        by=world.focal["SO_NV"],
    )
    assessment = loaded(world)
    criteria_for(assessment.cycle.criteria_set)  # parsed once per process, as in a server
    nodes_for(assessment.cycle.criteria_set)  # the tree too
    with django_assert_num_queries(4):  # entries, documents, links, counts of changes
        sheet = sheet_for(assessment)
    assert [f.node.code for f in sheet.fields] == ["1", "2", "B"]
    assert [i.node.code for i in sheet.fields[0].items] == ["1", "1.1", "1.1.1", "1.1.2", "1.2"]
    assert list(sheet.leaves) == ["1.1.1", "1.1.2", "1.2", "2.1", "2.2", "2.3", "2.4", "B"]
    leaf = sheet.leaves["1.1.1"]
    assert (leaf.entered, leaf.value, leaf.version) == (True, "dung_han", 1)
    assert [d.original_name for d in leaf.documents] == ["qd.pdf"]
    assert [d.original_name for d in sheet.leaves["1.2"].documents] == ["qd.pdf"]
    assert leaf.history_count == 3
    assert sheet.leaves["1.2"].history_count == 3  # its value, its note, the same document
    assert [(c.kind, c.new[:6]) for c in leaf_history(assessment, "1.1.1")] == [
        ("value", "dung_h"),
        ("note", "ghi ch"),
        ("evidence", "qd.pdf"),
    ]
    assert not sheet.leaves["2.3"].entered  # survey
    assert not sheet.leaves["2.4"].entered  # data
    assert sheet.missing() == []


def test_a_document_uploaded_while_the_sheet_is_read_does_not_break_the_page():
    """Deadline-day load found it (one 500 in 12,000 requests): the documents are read, then a
    concurrent upload commits, then the links are read and name a document not in the list."""
    world = build()
    assessment = loaded(world)
    uploaded: list[object] = []

    def upload_before_the_links_are_read(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if "assessments_evidencelink" in sql and sql.lstrip().startswith("SELECT") and not uploaded:
            uploaded.append("under way")  # the upload's own queries pass straight through
            uploaded[0] = evidence_upload(
                assessment=world.sheet(),
                file=ContentFile(pdf_bytes(), name="moi.pdf"),
                codes=["1.1.1"],
                by=world.focal["SO_NV"],
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(upload_before_the_links_are_read):
        sheet = sheet_for(assessment)
    assert len(uploaded) == 1
    assert sheet.documents == [] and sheet.leaves["1.1.1"].documents == []
    again = sheet_for(assessment)  # the next page shows it
    assert [d.original_name for d in again.leaves["1.1.1"].documents] == ["moi.pdf"]


def test_the_sheet_query_count_does_not_grow_with_the_number_of_leaves(
    django_assert_max_num_queries,
):
    world = build(yaml_text=(SON_LA / "departments.yaml").read_text(encoding="utf-8"))
    assessment = loaded(world)
    criteria_for(assessment.cycle.criteria_set)
    with django_assert_max_num_queries(5):  # the first reading of the tree included
        sheet = sheet_for(assessment)
    assert len(sheet.leaves) == 102 + 2  # 102 sub-criteria, a bonus and a penalty


def test_entered_leaves_are_self_assessed_and_bonus_or_penalty_ones():
    world = build()
    criteria = criteria_for(world.version)
    assert list(entered_leaves(criteria)) == ["1.1.1", "1.1.2", "1.2", "2.1", "2.2", "B"]


def test_engine_inputs_hold_every_unit_of_the_cycle_with_parsed_values():
    world = build()
    fill(world)
    inputs = engine_inputs_for(world.cycle)
    assert [u.code for u in inputs.units] == ["SO_NV", "SO_TP"]
    assert inputs.units[0].group == "so_nganh"
    assert inputs.values["SO_TP"] == {}
    entry = inputs.values["SO_NV"]["2.1"]
    assert entry.value == Fraction(Decimal(45), Decimal(50))
    assert (entry.text, entry.note) == ("45/50", "ghi chú 2.1")
    assert inputs.values["SO_NV"]["1.2"].value == Decimal("0.85")


def test_the_final_stage_reads_the_appraised_value_where_there_is_one():
    world = build()
    fill(world)
    LeafEntry.objects.filter(code="1.1.1").update(appraised_value="cham")
    LeafEntry.objects.filter(code="1.1.2").update(appraised_value="  ")
    final = engine_inputs_for(world.cycle, stage="final").values["SO_NV"]
    assert (final["1.1.1"].value, final["1.1.2"].text) == ("cham", "có")
    assert engine_inputs_for(world.cycle).values["SO_NV"]["1.1.1"].value == "dung_han"


def test_unit_points_are_the_engines_points_for_the_sheet():
    world = build()
    fill(world)
    result = unit_points(loaded(world))
    # 2 + 1 + 2 + 4 × 45/50 + (3 − 1) = 10.6 self points, + 1.5 bonus
    assert result.by_source["self"] == Decimal("10.6")
    assert result.bonus == Decimal("1.5")
    assert result.points == Decimal("12.1")
    assert result.index == Decimal("60.50")  # 12.1 / 20
    everyone = compute(criteria_for(world.version), engine_inputs_for(world.cycle))
    assert everyone.unit("SO_NV").points == result.points  # type: ignore[union-attr]
    page = sheet_with_points(loaded(world))
    assert page.leaves["2.1"].result.points == Decimal("3.6")  # type: ignore[union-attr]
    assert [(f.node.code, f.result and f.result.points) for f in page.fields] == [
        ("1", Decimal(5)),
        ("2", Decimal("5.6")),
        ("B", None),  # bonus: outside the fields
    ]


def test_a_not_applicable_leaf_leaves_the_denominator_as_the_set_says():
    world = build()
    fill(world, {**FULL, "1.2": "NA"})
    result = unit_points(loaded(world))
    assert result.applicable_max == Decimal(17)


def test_engine_inputs_give_what_parindex_compute_gives_on_the_same_csv(tmp_path: Path, capsys):
    """Son La 2014's departments, their self-assessed values stored in sheets: the web app's
    engine input and the command line agree to the last digit on every unit."""
    yaml_text = (SON_LA / "departments.yaml").read_text(encoding="utf-8")
    with (SON_LA / "departments-units.csv").open(encoding="utf-8") as handle:
        unit_rows = [row for row in csv.DictReader(handle) if row["group"] == "so_nganh"]
    world = build(yaml_text=yaml_text, units=tuple(row["code"] for row in unit_rows))
    for row in unit_rows:
        world.units[row["code"]].name = row["name"]
        world.units[row["code"]].save()
    entered = entered_leaves(criteria_for(world.version))
    sheets = {
        s.unit.code: s for s in Assessment.objects.filter(cycle=world.cycle).select_related("unit")
    }
    with (SON_LA / "departments-values.csv").open(encoding="utf-8") as handle:
        values = [row for row in csv.DictReader(handle) if row["code"] in entered and row["value"]]
    assert len(values) > 1000
    LeafEntry.objects.bulk_create(
        LeafEntry(assessment=sheets[r["unit"]], code=r["code"], value=r["value"], note=r["note"])
        for r in values
    )
    values_csv = tmp_path / "values.csv"
    with values_csv.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["unit", "code", "value", "note"])
        writer.writeheader()
        writer.writerows({k: r[k] for k in ("unit", "code", "value", "note")} for r in values)
    units_csv = tmp_path / "units.csv"
    with units_csv.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "group"])
        writer.writerows([row["code"], row["name"], "so_nganh"] for row in unit_rows)
    yaml_file = tmp_path / "departments.yaml"
    yaml_file.write_text(yaml_text, encoding="utf-8")
    out = tmp_path / "results.json"

    status = parindex(
        ["compute", "--criteria", str(yaml_file), "--values", str(values_csv),
         "--units", str(units_csv), "--out", str(out)]
    )  # fmt: skip

    assert status == 0, capsys.readouterr().err
    expected = json.loads(out.read_text(encoding="utf-8"))
    criteria = criteria_for(world.version)
    ours = results_document(compute(criteria, engine_inputs_for(world.cycle)), criteria)
    assert len(ours["units"]) == len(unit_rows) == 19
    for key in ("units", "summary"):
        assert ours[key] == expected[key]
