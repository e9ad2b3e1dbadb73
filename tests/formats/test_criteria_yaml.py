"""`dump_criteria` writes YAML that `parse_criteria` reads back to an equal `CriteriaSet`.

`criteria_sets()` builds random valid sets for the round trips of this module and of
`test_criteria_xlsx.py`: any depth, dotted or free codes, every rule type, survey sections on
a scale or with named answers, classes, caps, index bounds, and text full of the characters
that YAML and the one-line rules treat specially.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parindex.formats.criteria import parse_criteria, read_criteria
from parindex.formats.criteria_yaml import dump_criteria
from parindex.scoring.model import (
    OPERATORS,
    BooleanRule,
    Bracket,
    BracketsRule,
    Cap,
    ChoiceRule,
    ClassRule,
    CriteriaSet,
    DataRule,
    DeductionRule,
    IndexBounds,
    ManualRule,
    Node,
    NodeKind,
    NoSurveyData,
    NotApplicable,
    Option,
    RatioRule,
    RespondentGroup,
    Rule,
    Scale,
    Source,
    SurveyRule,
    SurveySpec,
    ZeroDenominator,
)

D = Decimal
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*/*.yaml"))
ROUND_TRIP = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------- random sets

TRICKY_WORDS = [
    "yes", "no", "null", "~", "true", "False", "NA", "1.10", "0.5", "- gạch", "=1+1", "+84",
    "@sum", "# not a comment", "a: b", "[x]", "{y}", "'q'", '"dq"', "có; không", "(mở", "đóng)",
    "x → y", "Tỷ lệ ≥ 80%",
]  # fmt: skip
ALPHABET = list("abcxyz \n AĐđƯươăâêôàảãáạệữ;()\"'=:,[]#-@+%→/&")
CODE = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
MAXIMA = [D(1), D("1.5"), D(2), D("2.5"), D(3), D("0.75"), D(10)]


def _stripped(text: str) -> str:
    return text.strip()


TEXT = st.one_of(
    st.sampled_from(TRICKY_WORDS),
    st.text(alphabet=ALPHABET, min_size=1, max_size=24).map(_stripped).filter(bool),
)
OPTIONAL_TEXT = st.one_of(st.none(), TEXT)


def points_upto(maximum: Decimal) -> st.SearchStrategy[Decimal]:
    return st.integers(0, int(maximum * 4)).map(lambda k: D(k) / 4)


@st.composite
def bracket_rules(draw: st.DrawFn, maximum: Decimal) -> BracketsRule:
    pool = [D(1), D("0.95"), D("0.9"), D("0.805"), D("0.5"), D(0), D(5), D(3), D(2)]
    mins = sorted(draw(st.sets(st.sampled_from(pool), min_size=1, max_size=4)), reverse=True)
    return BracketsRule(tuple(Bracket(m, draw(points_upto(maximum))) for m in mins))


@st.composite
def rules(draw: st.DrawFn, maximum: Decimal, survey: SurveySpec | None) -> tuple[Rule, Source]:
    kinds = ["choice", "boolean", "brackets", "ratio", "deduction", "manual", "data"]
    kind = draw(st.sampled_from([*kinds, "survey"] if survey else kinds))
    if kind == "choice":
        codes = draw(st.lists(CODE, min_size=1, max_size=4, unique=True))
        options = []
        for code in codes:
            label = draw(st.one_of(st.just(code), TEXT))
            options.append(Option(code, label, draw(points_upto(maximum))))
        return ChoiceRule(tuple(options)), Source.SELF
    if kind == "boolean":
        return BooleanRule(draw(points_upto(maximum)), draw(points_upto(maximum))), Source.SELF
    if kind == "brackets":
        return draw(bracket_rules(maximum)), Source.SELF
    if kind == "ratio":
        return RatioRule(draw(st.sampled_from(ZeroDenominator))), Source.SELF
    if kind == "deduction":
        return DeductionRule(draw(st.sampled_from([D("0.25"), D("0.5"), D(1), D("0.125")]))), (
            Source.SELF
        )
    if kind == "manual":
        return ManualRule(draw(st.sampled_from([None, D("0.25"), D("0.5")]))), Source.SELF
    if kind == "data":
        then: BracketsRule | RatioRule = draw(
            st.one_of(
                bracket_rules(maximum), st.builds(RatioRule, st.sampled_from(ZeroDenominator))
            )
        )
        return DataRule(draw(CODE), then), Source.DATA
    assert survey is not None
    pool = list(survey.questions) or ["q1", "q2", "q3"]
    questions = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
    codes = [g.code for g in survey.groups]
    groups = draw(st.lists(st.sampled_from(codes), max_size=len(codes), unique=True))
    return SurveyRule(tuple(questions), tuple(groups)), Source.SURVEY


class _Codes:
    """Hands out node codes: dotted ("1.2.3") or free ("n7"), unique within a set."""

    def __init__(self, dotted: bool) -> None:
        self.dotted = dotted
        self.count = 0

    def child(self, parent: str, index: int) -> str:
        self.count += 1
        return f"{parent}.{index}" if self.dotted else f"n{self.count}"


@st.composite
def nodes(
    draw: st.DrawFn,
    code: str,
    depth: int,
    kind: NodeKind,
    survey: SurveySpec | None,
    codes: _Codes,
) -> Node:
    title = draw(st.one_of(TEXT, st.just("")))
    if depth < 3 and draw(st.booleans()):
        count = draw(st.integers(1, 3))
        children = tuple(
            draw(nodes(codes.child(code, i), depth + 1, kind, survey, codes))
            for i in range(1, count + 1)
        )
        total = sum((c.max for c in children), D(0))
        return Node(code, title, total, kind, children)
    maximum = draw(st.sampled_from(MAXIMA))
    rule, source = draw(rules(maximum, survey))
    return Node(
        code,
        title,
        maximum,
        kind,
        source=source,
        rule=rule,
        appraiser=draw(st.one_of(st.none(), CODE, TEXT)),
        evidence=draw(OPTIONAL_TEXT),
        not_applicable=draw(st.one_of(st.none(), st.sampled_from(NotApplicable))),
    )


@st.composite
def surveys(draw: st.DrawFn) -> SurveySpec:
    group_codes = draw(st.lists(CODE, min_size=1, max_size=3, unique=True))
    groups = tuple(
        RespondentGroup(
            c, draw(st.one_of(st.just(c), TEXT)), draw(st.sampled_from([D(1), D(2), D("0.5")]))
        )
        for c in group_codes
    )
    if draw(st.booleans()):
        low = draw(st.integers(0, 2))
        scale, answers = Scale(low, low + draw(st.integers(1, 9))), None
    else:
        names = draw(st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=5, unique=True))
        answers = {n: draw(st.sampled_from([D(1), D("0.8"), D("0.333"), D(0)])) for n in names}
        scale = None
    declared = draw(st.lists(st.sampled_from(["q1", "q2", "q3", "q4"]), max_size=4, unique=True))
    questions = {q: draw(st.one_of(st.just(""), TEXT)) for q in declared}
    return SurveySpec(
        groups=groups,
        scale=scale,
        answers=answers,
        min_sample=draw(st.integers(0, 50)),
        no_data=draw(st.sampled_from(NoSurveyData)),
        questions=questions,
    )


@st.composite
def criteria_sets(draw: st.DrawFn) -> CriteriaSet:
    survey = draw(st.one_of(st.none(), surveys()))
    codes = _Codes(dotted=draw(st.booleans()))
    fields = [
        draw(nodes(str(i), 1, NodeKind.NORMAL, survey, codes))
        for i in range(1, draw(st.integers(1, 3)) + 1)
    ]
    extra = []
    if draw(st.booleans()):
        extra.append(draw(nodes("B", 2, NodeKind.BONUS, survey, codes)))
    if draw(st.booleans()):
        extra.append(draw(nodes("P", 3, NodeKind.PENALTY, survey, codes)))
    class_codes = draw(st.lists(CODE, max_size=4, unique=True))
    class_mins = sorted(
        draw(
            st.lists(
                st.integers(0, 100),
                min_size=len(class_codes),
                max_size=len(class_codes),
                unique=True,
            )
        ),
        reverse=True,
    )
    classes = tuple(
        ClassRule(c, draw(st.one_of(st.just(c), TEXT)), D(m))
        for c, m in zip(class_codes, class_mins, strict=True)
    )
    caps = ()
    if classes and draw(st.booleans()):
        caps = (
            Cap(
                draw(CODE),
                draw(st.sampled_from(OPERATORS)),
                draw(st.sampled_from([D("0.1"), D(10), D("0.05")])),
                draw(st.sampled_from([c.code for c in classes])),
                draw(TEXT),
            ),
        )
    bounds = draw(
        st.sampled_from(
            [
                IndexBounds(),
                IndexBounds(None, None),
                IndexBounds(D(0), None),
                IndexBounds(None, D(120)),
            ]
        )
    )
    return CriteriaSet(
        code=draw(st.one_of(CODE, TEXT)),
        title=draw(st.one_of(TEXT, st.just(""))),
        year=draw(st.integers(2000, 2100)),
        unit_group=draw(CODE),
        max_points=sum((f.max for f in fields), D(0)),
        decimals=draw(st.integers(0, 6)),
        nodes=(*fields, *extra),
        not_applicable=draw(st.sampled_from(NotApplicable)),
        index_bounds=bounds,
        classes=classes,
        caps=caps,
        survey=survey,
    )


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_set_reads_back_equal_after_dumping(path: Path) -> None:
    criteria = read_criteria(path)
    assert parse_criteria(dump_criteria(criteria), "dumped.yaml") == criteria


def test_there_are_four_example_sets() -> None:
    assert len(EXAMPLES) == 4


@ROUND_TRIP
@given(criteria_sets())
def test_any_valid_set_reads_back_equal_after_dumping(criteria: CriteriaSet) -> None:
    text = dump_criteria(criteria)
    assert parse_criteria(text, "dumped.yaml") == criteria
    assert dump_criteria(parse_criteria(text)) == text  # the dump is stable


def test_codes_are_quoted_numbers_plain_and_vietnamese_unescaped() -> None:
    text = dump_criteria(read_criteria(EXAMPLES[0]))
    assert 'code: "1.1.1"' in text
    assert "Công tác chỉ đạo, điều hành CCHC" in text
    assert "\\u" not in text and "\\x" not in text
    assert "!!" not in text  # no explicit tags: numbers are plain numbers
    assert "step: 0.25" in text


def test_a_code_that_looks_like_a_number_keeps_its_trailing_zero() -> None:
    criteria = parse_criteria(_one_leaf_set(code='"1.10"', rule="{type: manual}"))
    text = dump_criteria(criteria)
    assert 'code: "1.10"' in text
    assert parse_criteria(text).leaves()[0].code == "1.10"


def test_decimals_are_written_exactly_without_exponent() -> None:
    criteria = parse_criteria(
        _one_leaf_set(maximum="0.0000001", rule="{type: deduction, per: 0.00000005}")
    )
    text = dump_criteria(criteria)
    assert "max: 0.0000001" in text and "per: 0.00000005" in text
    assert "E-" not in text and "e-" not in text
    assert parse_criteria(text) == criteria


def test_yes_and_no_keys_of_a_boolean_rule_stay_keys_not_booleans() -> None:
    criteria = parse_criteria(_one_leaf_set(rule='{type: boolean, "yes": 1, "no": 0}', maximum="1"))
    text = dump_criteria(criteria)
    assert parse_criteria(text) == criteria
    assert isinstance(criteria.leaves()[0].rule, BooleanRule)


def test_rule_of_a_percent_bracket_is_written_as_its_fraction() -> None:
    criteria = parse_criteria(
        _one_leaf_set(
            rule="{type: brackets, brackets: [{min: 95%, points: 1}, {min: 80%, points: 0.5}]}"
        )
    )
    text = dump_criteria(criteria)
    assert "{min: 0.95, points: 1}" in text
    assert parse_criteria(text) == criteria


def _one_leaf_set(*, code: str = '"1.1"', rule: str, maximum: str = "1") -> str:
    return f"""
code: T
title: Thử
year: 2025
unit_group: g
max_points: {maximum}
nodes:
  - code: "1"
    title: Lĩnh vực
    children:
      - code: {code}
        title: Lá
        max: {maximum}
        source: self
        rule: {rule}
"""
