"""`explain()` and `render_trace()`: the per-unit trace that appeals and audits read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scoring_builders import CLASSES, criteria_set, group, leaf, run, scale_survey

from parindex.scoring import explain, render_trace
from parindex.scoring.model import (
    BooleanRule,
    Bracket,
    BracketsRule,
    Cap,
    ChoiceRule,
    CriteriaSet,
    DataRule,
    DeductionRule,
    ManualRule,
    NodeKind,
    Option,
    RatioRule,
    Source,
    SurveyRule,
    Unit,
    ZeroDenominator,
)
from parindex.scoring.results import LeafStatus

D = Decimal


def full_set() -> CriteriaSet:
    return criteria_set(
        group(
            "1",
            group(
                "1.1",
                leaf("1.1.1", 20, ManualRule(D("0.01")), title="Chất lượng kế hoạch"),
                leaf(
                    "1.1.2",
                    10,
                    ChoiceRule(
                        (Option("dung_han", "Đúng hạn", D(10)), Option("cham", "Chậm", D(5)))
                    ),
                    title="Ban hành kế hoạch",
                ),
            ),
            leaf("1.2", 10, BooleanRule(D(10), D(0)), title="Kinh phí"),
            leaf("1.3", 10, DeductionRule(D("2.5")), title="Báo cáo đúng hạn"),
        ),
        group(
            "2",
            leaf(
                "2.1",
                20,
                BracketsRule((Bracket(D("0.9"), D(20)), Bracket(D("0.8"), D(10)))),
                title="Công khai TTHC",
            ),
            leaf("2.2", 20, RatioRule(ZeroDenominator.ZERO), title="Phản ánh được xử lý"),
            leaf(
                "2.3",
                10,
                DataRule("ontime_rate", RatioRule()),
                source=Source.DATA,
                title="Hồ sơ đúng hạn",
            ),
        ),
        leaf("B", 2, ManualRule(), kind=NodeKind.BONUS, title="Thưởng"),
        leaf("P", 2, ManualRule(), kind=NodeKind.PENALTY, title="Trừ"),
        classes=CLASSES,
        caps=[Cap("late_rate", ">=", D("0.1"), "kha", "trễ hạn ≥ 10%")],
    )


VALUES = {
    "1.1.1": "14,78",
    "1.1.2": "Chậm",
    "1.2": "có",
    "1.3": "2",
    "2.1": "92%",
    "2.2": "45/50",
    "B": "1",
    "P": "0,5",
}


def trace_text(lang: str, **kwargs: object) -> str:
    criteria = full_set()
    results = run(
        criteria,
        {"SO_TP": VALUES, "SO_YT": {"1.1.1": "20"}},
        units=[Unit("SO_TP", "Sở Tư pháp"), Unit("SO_YT", "Sở Y tế")],
        metrics={"SO_TP": {"ontime_rate": "0,9", "late_rate": "12%"}},
        previous={"SO_TP": ("81", 1)},
    )
    return render_trace(explain(criteria, results, "SO_TP"), lang)


def test_the_example_unit_adds_up_to_82_28() -> None:
    criteria = full_set()
    results = run(criteria, {"SO_TP": VALUES}, metrics={"SO_TP": {"ontime_rate": "0,9"}})
    # field 1: 14.78 + 5 + 10 + 5 = 34.78; field 2: 20 + 18 + 9 = 47; + 1 − 0.5
    unit = results.units[0]
    assert unit.points == D("82.28")
    assert str(unit.index) == "82.28"


def test_each_leaf_line_shows_the_value_the_rule_and_the_points_in_english() -> None:
    lines = trace_text("en").splitlines()
    assert lines[0] == "Sở Tư pháp (SO_TP) — TEST: Bộ tiêu chí thử"
    assert "1 Lĩnh vực 1: 34.78 / 50" in lines
    assert "  1.1 Lĩnh vực 1.1: 19.78 / 30" in lines
    assert "    1.1.1 Chất lượng kế hoạch: scored 14.78 by judgement = 14.78 / 20" in lines
    assert "    1.1.2 Ban hành kế hoạch: option 'cham' (Chậm) → 5 = 5 / 10" in lines
    assert "  1.2 Kinh phí: yes → 10 = 10 / 10" in lines
    assert "  1.3 Báo cáo đúng hạn: 10 − 2.5 × 2 violations → 5 = 5 / 10" in lines
    assert "  2.1 Công khai TTHC: 0.92 ≥ threshold 0.9 → 20 = 20 / 20" in lines
    assert "  2.2 Phản ánh được xử lý: 20 × 45/50 → 18 (within [0, 20]) = 18 / 20" in lines
    assert (
        "  2.3 Hồ sơ đúng hạn: from metric 'ontime_rate': 10 × 0.9 → 9 (within [0, 10]) = 9 / 10"
        in lines
    )
    assert "B Thưởng: scored 1 by judgement = 1 / 2" in lines
    assert "P Trừ: scored 0.5 by judgement = 0.5 / 2" in lines


def test_the_steps_show_total_max_index_class_rank_and_last_year_in_english() -> None:
    text = trace_text("en")
    assert "Points = 81.78 (self 72.78, survey 0, data 9) + bonus 1 − penalty 0.5 = 82.28" in text
    assert "Applicable max = 100 − 0 (left out: —) = 100" in text
    assert "Index = 82.28 / 100 × 100 = 82.28 → rounded half-up to 2 decimals: 82.28" in text
    assert "Class by index: Khá" not in text
    assert "Class: kha" in text  # 82.28 is Khá; the 10% cap does not lower Khá
    assert "Rank: 1 of 2 in group so_nganh" in text
    assert "Last year: 81; change 1.28, +0 places" in text


def test_vietnamese_rendering_uses_decimal_commas_but_codes_keep_their_dots() -> None:
    text = trace_text("vi")
    assert "    1.1.1 Chất lượng kế hoạch: chấm 14,78 điểm = 14,78 / 20" in text
    assert "  1.1 Lĩnh vực 1.1: 19,78 / 30" in text
    assert "  1.3 Báo cáo đúng hạn: 10 − 2,5 × 2 lần vi phạm → 5 = 5 / 10" in text
    assert "Chỉ số = 82,28 / 100 × 100 = 82,28 → làm tròn 2 chữ số: 82,28" in text
    assert "Năm trước: 81; thay đổi 1,28, +0 bậc" in text
    assert "82.28" not in text


def test_the_vietnamese_trace_writes_84_comma_78() -> None:
    criteria = criteria_set(
        group("1", leaf("1.1", 60, ManualRule()), leaf("1.2", 40, RatioRule())),
    )
    results = run(criteria, {"U": {"1.1": "50,38", "1.2": "86/100"}})
    text = render_trace(explain(criteria, results, "U"), "vi")
    assert "Chỉ số = 84,78 / 100 × 100 = 84,78 → làm tròn 2 chữ số: 84,78" in text
    assert "  1.2 Tiêu chí 1.2: 40 × 86/100 → 34,4 (trong khoảng [0; 40]) = 34,4 / 40" in text
    english = render_trace(explain(criteria, results, "U"), "en")
    assert "rounded half-up to 2 decimals: 84.78" in english


def test_a_capped_class_names_the_cap_reason() -> None:
    criteria = full_set()
    values = dict(VALUES, **{"1.1.1": "20", "2.2": "50/50", "B": "2", "P": "0"})
    results = run(criteria, {"U": values}, metrics={"U": {"ontime_rate": "1", "late_rate": "0.1"}})
    text = render_trace(explain(criteria, results, "U"), "en")
    assert "Index = 92 / 100 × 100 = 92 → rounded half-up to 2 decimals: 92.00" in text
    assert "Class by index: tot; capped to kha because: trễ hạn ≥ 10%" in text
    vi = render_trace(explain(criteria, results, "U"), "vi")
    assert "Xếp loại theo chỉ số: tot; bị giới hạn xuống kha vì: trễ hạn ≥ 10%" in vi


def test_missing_na_and_excluded_leaves_say_so() -> None:
    criteria = full_set()
    results = run(criteria, {"U": {"1.2": "KPS", "1.3": "N/A"}})
    text = render_trace(explain(criteria, results, "U"), "en")
    assert "    1.1.1 Chất lượng kế hoạch: no value given → 0 = 0 / 20 [missing]" in text
    assert "  1.2 Kinh phí: 'KPS': not applicable → left out of the maximum = 0 / 0 [na]" in text
    assert "Applicable max = 100 − 20 (left out: 1.2, 1.3) = 80" in text
    vi = render_trace(explain(criteria, results, "U"), "vi")
    assert "chưa có giá trị → 0 = 0 / 20 [missing]" in vi
    assert "'KPS': không phát sinh → loại khỏi điểm tối đa = 0 / 0 [na]" in vi


def test_a_clamped_index_shows_the_bound() -> None:
    criteria = criteria_set(
        group("1", leaf("1.1", 10, ManualRule())),
        leaf("B", 5, ManualRule(), kind=NodeKind.BONUS),
    )
    results = run(criteria, {"U": {"1.1": "9", "B": "3"}})
    text = render_trace(explain(criteria, results, "U"), "en")
    assert "Index = 12 / 10 × 100 = 120 → [100] → rounded half-up to 2 decimals: 100.00" in text


def test_long_numbers_are_shown_to_four_decimals_with_an_ellipsis() -> None:
    criteria = criteria_set(group("1", leaf("1.1", 3, ManualRule())))
    results = run(criteria, {"U": {"1.1": "2"}})
    text = render_trace(explain(criteria, results, "U"), "vi")
    assert "Chỉ số = 2 / 3 × 100 = 66,6667… → làm tròn 2 chữ số: 66,67" in text


def test_a_survey_leaf_shows_groups_share_and_sample() -> None:
    spec = scale_survey(("cbccvc", 1), ("nguoi_dan", 2), min_sample=5)
    criteria = criteria_set(
        group("1", leaf("1.1", 4, SurveyRule(("q1",)), source=Source.SURVEY)), survey=spec
    )
    responses = [
        {"unit": "U", "group": "cbccvc", "answers": {"q1": 5}},
        {"unit": "U", "group": "nguoi_dan", "answers": {"q1": 3}},
    ]
    results = run(criteria, {}, responses=responses)
    trace = explain(criteria, results, "U")
    assert trace.nodes[1].status is LeafStatus.LOW_SAMPLE
    text = render_trace(trace, "en")
    assert (
        "group cbccvc: 1 (weight 1, 1 questions, 1 answers); "
        "group nguoi_dan: 0.5 (weight 2, 1 questions, 1 answers) → share 0.6667… × 4 = 2.6667… "
        "[n = 2 responses] = 2.6667… / 4 [low_sample]"
    ) in text


def test_explain_of_an_unknown_unit_raises_key_error() -> None:
    criteria = full_set()
    results = run(criteria, {"U": VALUES})
    with pytest.raises(KeyError):
        explain(criteria, results, "NOPE")


def test_the_trace_nodes_follow_the_tree_with_depths() -> None:
    criteria = full_set()
    results = run(criteria, {"U": VALUES}, metrics={"U": {"ontime_rate": "0,9"}})
    trace = explain(criteria, results, "U")
    shape = [(n.code, n.depth, n.leaf) for n in trace.nodes]
    assert shape[:4] == [("1", 0, False), ("1.1", 1, False), ("1.1.1", 2, True), ("1.1.2", 2, True)]
    assert shape[-2:] == [("B", 0, True), ("P", 0, True)]
