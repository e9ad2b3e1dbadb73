"""The consequence rules, without Django: each rule of seeds 000 and 004 at its boundaries,
worked by hand (late rates of exactly 10%, streaks with a Yếu among them, missing years,
merged units), and the rule file's problems with their key paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from parindex.consequences.rules import (
    ClassBand,
    Lineage,
    Official,
    RuleSet,
    Situation,
    Subject,
    UnitYear,
    Verdict,
    YearResults,
    evaluate,
    lineage_of,
)
from parindex.consequences.rules_yaml import rules_from_yaml
from parindex.formats.problems import InputError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = rules_from_yaml(
    (ROOT / "parindex/consequences/default_rules.yaml").read_text(encoding="utf-8")
)
BANDS = (
    ClassBand("tot", "Tốt", Decimal(90)),
    ClassBand("kha", "Khá", Decimal(80)),
    ClassBand("trung_binh", "Trung bình", Decimal(65)),
    ClassBand("yeu", "Yếu", Decimal(0)),
)
INDEX = {"tot": "92", "kha": "85", "trung_binh": "70", "yeu": "50"}
D = Decimal


def year(number: int, **classes: str) -> YearResults:
    """A year's results: unit code → class code (the index is the class's typical one)."""
    return YearResults(
        number,
        BANDS,
        {
            code: UnitYear(code, f"Đơn vị {code}", cls, D(INDEX[cls]))
            for code, cls in classes.items()
        },
    )


def situation(*years: YearResults, **kwargs) -> Situation:  # type: ignore[no-untyped-def]
    return Situation(year=max(y.year for y in years), history=years, **kwargs)


def verdict(found: list[Verdict], subject: Subject, key: str) -> Verdict:
    (match,) = [v for v in found if v.subject is subject and v.key == key]
    return match


def rules_of(found: Verdict) -> list[str]:
    return [reason.rule for reason in found.reasons]


# ---------------------------------------------------------------- late dossiers (seed 004)


@pytest.mark.parametrize(
    ("late", "highest", "facts"),
    [
        ("0.0999", "xuat_sac", None),  # under 10%: nothing
        ("0.10", "tot", "tỷ lệ hồ sơ trễ hạn 10,00% ≥ 10,00%"),  # exactly 10%: "từ 10% trở lên"
        ("0.1001", "tot", "tỷ lệ hồ sơ trễ hạn 10,01% ≥ 10,00%"),
    ],
)
def test_unit_with_ten_percent_late_or_more_cannot_be_tot(late, highest, facts):
    found = evaluate(DEFAULT, situation(year(2025, A="tot"), metrics={"A": {"late_rate": D(late)}}))
    unit = verdict(found, Subject.UNIT, "A")
    assert unit.highest == highest
    assert [(r.rule, r.max_rating, r.flag, r.facts.vi) for r in unit.reasons] == (
        [] if facts is None else [("don_vi_tre_han", "tot", "khong_xet_thi_dua", facts)]
    )
    if facts == "tỷ lệ hồ sơ trễ hạn 10,00% ≥ 10,00%":
        assert unit.reasons[0].facts.en == "late dossiers 10.00% ≥ 10.00%"
    # the head is not touched by the unit's late rate
    assert verdict(found, Subject.HEAD, "A").highest == "xuat_sac"


@pytest.mark.parametrize(
    ("late", "highest"),
    [("0.10", "xuat_sac"), ("0.1001", "hoan_thanh"), ("0.25", "hoan_thanh")],
)
def test_official_over_ten_percent_late_cannot_be_rated_well_completed(late, highest):
    officials = (Official("Nguyễn Văn A", "A", {"late_rate": D(late)}),)
    found = evaluate(DEFAULT, situation(year(2025, A="tot"), officials=officials))
    official = verdict(found, Subject.OFFICIAL, "Nguyễn Văn A")
    assert (official.unit, official.highest) == ("A", highest)
    assert rules_of(official) == ([] if late == "0.10" else ["can_bo_tre_han"])


def test_a_subject_without_the_metric_gets_a_note_not_a_reason():
    found = evaluate(DEFAULT, situation(year(2025, A="tot")))
    unit = verdict(found, Subject.UNIT, "A")
    assert (unit.highest, unit.reasons) == ("xuat_sac", ())
    assert [note.en for note in unit.notes] == [
        "don_vi_tre_han: no late dossiers figure",
        "tran_hai_long: no satisfaction figure",
    ]


# ---------------------------------------------------------------- the head and the class


@pytest.mark.parametrize(
    ("cls", "head", "unit"),
    [
        ("tot", "xuat_sac", "xuat_sac"),
        ("kha", "tot", "tot"),  # Khá: not the head rule, only the class ceiling
        ("trung_binh", "hoan_thanh", "hoan_thanh"),
        ("yeu", "khong_hoan_thanh", "khong_hoan_thanh"),
    ],
)
def test_the_rating_follows_the_class_ceiling_and_the_head_rule(cls, head, unit):
    found = evaluate(DEFAULT, situation(year(2025, A=cls)))
    assert verdict(found, Subject.UNIT, "A").highest == unit
    head_verdict = verdict(found, Subject.HEAD, "A")
    assert head_verdict.highest == head
    expected = {
        "tot": [],
        "kha": ["tran_xep_loai_cchc"],
        "trung_binh": ["nguoi_dung_dau_trung_binh", "tran_xep_loai_cchc"],
        "yeu": ["nguoi_dung_dau_trung_binh", "tran_xep_loai_cchc"],
    }[cls]
    assert rules_of(head_verdict) == expected


def test_the_class_ceiling_says_which_class_and_which_rating():
    found = evaluate(DEFAULT, situation(year(2025, A="kha")))
    (reason,) = verdict(found, Subject.UNIT, "A").reasons
    assert reason.max_rating == "tot"
    assert reason.facts.vi == "xếp loại CCHC năm 2025: Khá → tối đa Hoàn thành tốt nhiệm vụ"


# ---------------------------------------------------------------- satisfaction (seed 000)


@pytest.mark.parametrize(
    ("share", "highest"),
    [
        ("0.90", "xuat_sac"),
        ("0.8999", "tot"),
        ("0.80", "tot"),
        ("0.65", "hoan_thanh"),
        ("0.6499", "khong_hoan_thanh"),
    ],
)
def test_satisfaction_bands_cap_the_unit_and_the_head(share, highest):
    metrics = {"A": {"satisfaction": D(share)}}
    found = evaluate(DEFAULT, situation(year(2025, A="tot"), metrics=metrics))
    for subject in (Subject.UNIT, Subject.HEAD):
        assert verdict(found, subject, "A").highest == highest


def test_the_lowest_of_every_cap_wins_and_every_reason_is_kept():
    """Khá (→ tốt), 12% late (→ tốt), satisfaction 70% (→ hoàn thành): hoàn thành, 3 reasons."""
    metrics = {"A": {"late_rate": D("0.12"), "satisfaction": D("0.70")}}
    found = evaluate(DEFAULT, situation(year(2025, A="kha"), metrics=metrics))
    unit = verdict(found, Subject.UNIT, "A")
    assert unit.highest == "hoan_thanh"
    assert rules_of(unit) == ["don_vi_tre_han", "tran_xep_loai_cchc", "tran_hai_long"]
    assert [r.max_rating for r in unit.reasons] == ["tot", "tot", "hoan_thanh"]


# ---------------------------------------------------------------- streaks (seed 004)


def flagged(found: list[Verdict], code: str = "A") -> list[str]:
    return [reason.rule for reason in verdict(found, Subject.HEAD, code).flags]


def test_three_years_trung_binh_with_one_yeu_among_them_flags_the_head():
    history = (year(2023, A="trung_binh"), year(2024, A="yeu"), year(2025, A="trung_binh"))
    found = evaluate(DEFAULT, situation(*history))
    assert flagged(found) == ["ba_nam_trung_binh"]
    (reason,) = verdict(found, Subject.HEAD, "A").flags
    assert reason.facts.vi == "2023: Trung bình; 2024: Yếu; 2025: Trung bình"
    assert reason.flag == "xem_xet_thay_the"


def test_two_years_trung_binh_then_kha_is_no_streak():
    history = (year(2023, A="trung_binh"), year(2024, A="trung_binh"), year(2025, A="kha"))
    assert flagged(evaluate(DEFAULT, situation(*history))) == []


def test_a_kha_three_years_back_breaks_the_three_year_streak():
    history = (year(2023, A="kha"), year(2024, A="trung_binh"), year(2025, A="trung_binh"))
    assert flagged(evaluate(DEFAULT, situation(*history))) == []


def test_two_years_yeu_flags_the_head_and_three_years_yeu_flags_by_both_rules():
    two = evaluate(DEFAULT, situation(year(2024, A="yeu"), year(2025, A="yeu")))
    assert flagged(two) == ["hai_nam_yeu"]
    three = (year(2023, A="yeu"), year(2024, A="yeu"), year(2025, A="yeu"))
    assert flagged(evaluate(DEFAULT, situation(*three))) == ["ba_nam_trung_binh", "hai_nam_yeu"]


def test_yeu_then_trung_binh_is_not_two_years_yeu():
    found = evaluate(DEFAULT, situation(year(2024, A="yeu"), year(2025, A="trung_binh")))
    assert flagged(found) == []


def test_a_missing_year_breaks_the_streak_and_says_so():
    """2023 and 2025 Trung bình, no published 2024: not three years running; a note says why."""
    found = evaluate(DEFAULT, situation(year(2023, A="trung_binh"), year(2025, A="trung_binh")))
    head = verdict(found, Subject.HEAD, "A")
    assert flagged(found) == []
    assert "ba_nam_trung_binh: không xét được vì thiếu kết quả năm 2024" in [
        note.vi for note in head.notes
    ]


def test_a_unit_absent_from_a_year_it_had_no_result_for_breaks_the_streak():
    history = (year(2023, A="yeu", B="tot"), year(2024, B="tot"), year(2025, A="yeu", B="tot"))
    found = evaluate(DEFAULT, situation(*history))
    assert flagged(found) == []
    assert any("2024" in note.en for note in verdict(found, Subject.HEAD, "A").notes)


def test_a_year_outside_the_window_does_not_count():
    """Yếu in 2022 and 2023, Khá since: the streak is of the latest years only."""
    history = tuple(
        year(y, A=c) for y, c in ((2022, "yeu"), (2023, "yeu"), (2024, "kha"), (2025, "kha"))
    )
    assert flagged(evaluate(DEFAULT, situation(*history))) == []


# ---------------------------------------------------------------- merged units (lineage)


def test_a_merged_unit_reads_its_years_before_the_merger_from_its_predecessors():
    """M (2025) = X + Y. 2023: X Yếu, Y Khá → worst: Yếu; 2024: X Trung bình, Y Yếu → Yếu;
    2025: M Yếu. Two years Yếu running → flagged, and three years Trung bình or lower."""
    history = (
        year(2023, X="yeu", Y="kha"),
        year(2024, X="trung_binh", Y="yeu"),
        year(2025, M="yeu"),
    )
    found = evaluate(DEFAULT, situation(*history, predecessors={"M": ("X", "Y")}))
    assert flagged(found, "M") == ["ba_nam_trung_binh", "hai_nam_yeu"]
    reason = verdict(found, Subject.HEAD, "M").flags[1]
    assert reason.facts.vi == "2024: Yếu (từ X, Y); 2025: Yếu"
    assert [
        (e.year, e.class_code, e.via)
        for e in lineage_of(DEFAULT, situation(*history, predecessors={"M": ("X", "Y")}), "M")
    ] == [
        (2023, "yeu", ("X", "Y")),
        (2024, "yeu", ("X", "Y")),
        (2025, "yeu", ()),
    ]


def test_with_mean_lineage_a_merged_unit_takes_the_class_of_its_predecessors_mean_index():
    """2024: X 50 (Yếu), Y 85 (Khá): mean 67.5 → Trung bình, not Yếu: no two years Yếu."""
    rules = RuleSet(DEFAULT.rules, DEFAULT.scale, Lineage.MEAN)
    history = (year(2024, X="yeu", Y="kha"), year(2025, M="yeu"))
    found = evaluate(rules, situation(*history, predecessors={"M": ("X", "Y")}))
    assert flagged(found, "M") == []
    (entry, _now) = lineage_of(rules, situation(*history, predecessors={"M": ("X", "Y")}), "M")
    assert (entry.class_code, entry.label, entry.via) == ("trung_binh", "Trung bình", ("X", "Y"))


def test_a_renamed_unit_carries_its_single_predecessors_years():
    history = (year(2024, OLD="yeu"), year(2025, NEW="yeu"))
    found = evaluate(DEFAULT, situation(*history, predecessors={"NEW": ("OLD",)}))
    assert flagged(found, "NEW") == ["hai_nam_yeu"]


def test_a_predecessor_without_a_result_is_read_through_its_own_predecessors():
    """2023: P1 Yếu; 2024: Q (= P1 renamed) Yếu; 2025: M (= Q + R) Yếu; R never published."""
    history = (year(2023, P1="yeu"), year(2024, Q="yeu"), year(2025, M="yeu"))
    preds = {"M": ("Q", "R"), "Q": ("P1",)}
    found = evaluate(DEFAULT, situation(*history, predecessors=preds))
    assert flagged(found, "M") == ["ba_nam_trung_binh", "hai_nam_yeu"]
    entries = lineage_of(DEFAULT, situation(*history, predecessors=preds), "M")
    assert [(e.year, e.via) for e in entries] == [(2023, ("P1",)), (2024, ("Q",)), (2025, ())]


def test_a_unit_that_absorbed_another_is_read_with_it():
    """A absorbed B in 2025 and kept its code: 2024 = worst of A (Khá) and B (Yếu) = Yếu."""
    history = (year(2024, A="kha", B="yeu"), year(2025, A="yeu"))
    found = evaluate(DEFAULT, situation(*history, predecessors={"A": ("B",)}))
    assert flagged(found) == ["hai_nam_yeu"]


def test_lineage_loops_do_not_hang():
    history = (year(2024, Z="yeu"), year(2025, A="yeu"))
    found = evaluate(DEFAULT, situation(*history, predecessors={"A": ("B",), "B": ("A",)}))
    assert flagged(found) == []


# ---------------------------------------------------------------- the rule file


def test_default_rules_encode_the_seed_rules():
    assert [rule.code for rule in DEFAULT.rules] == [
        "don_vi_tre_han",
        "can_bo_tre_han",
        "nguoi_dung_dau_trung_binh",
        "ba_nam_trung_binh",
        "hai_nam_yeu",
        "tran_xep_loai_cchc",
        "tran_hai_long",
    ]
    assert [level.code for level in DEFAULT.scale.levels] == [
        "xuat_sac",
        "tot",
        "hoan_thanh",
        "khong_hoan_thanh",
    ]
    assert DEFAULT.scale.label("tot") == "Hoàn thành tốt nhiệm vụ"


def test_a_broken_rule_file_lists_every_problem_with_its_key_path():
    text = """\
lineage: best
rules:
  - code: a
    subject: boss
    when: {metric: late_rate, op: "=>", value: ten}
    max_rating: gioi
    reason: x
  - code: b
    subject: official
    when: {class_in: [yeu]}
    flag: f
    reason: {vi: y}
  - code: c
    subject: unit
    reason: z
    eval: "__import__('os')"
"""
    with pytest.raises(InputError) as caught:
        rules_from_yaml(text, "quy-tac.yaml")
    rendered = caught.value.render("en")
    assert rendered == [
        "quy-tac.yaml: lineage (line 1): must be worst or mean",
        "quy-tac.yaml: rules[0].subject (line 4): must be unit, head or official",
        "quy-tac.yaml: rules[0].when.op (line 5): op must be one of >= > <= < ==",
        "quy-tac.yaml: rules[0].when.value (line 5): must be a number",
        "quy-tac.yaml: rules[0].max_rating (line 6): unknown rating gioi",
        "quy-tac.yaml: rules[1].subject (line 9): a PAR class belongs to a unit: only for unit,"
        " head",
        "quy-tac.yaml: rules[2].eval (line 16): unknown key eval (use: code, subject, when,"
        " ceiling, max_rating, flag, reason)",
        "quy-tac.yaml: rules[2] (line 13): needs exactly one of when, ceiling",
    ]


def test_the_evaluator_loads_no_django():
    code = (
        "import json, sys; import parindex.consequences.rules, parindex.consequences.rules_yaml; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'django')))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []
