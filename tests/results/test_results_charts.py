"""The analysis page's charts: a unit's field profile beside the group's, its trend over the
published years following its lineage, the seed 003 sentence, and the PDF's charts."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from parindex.accounts.models import Membership, Role, User
from parindex.assessments.models import Cycle, Phase
from parindex.criteria.services import criteria_set_import, criteria_set_of
from parindex.formats.results_pdf import results_pdf
from parindex.results import selectors
from parindex.results.analysis import analyse, field_profile, trend
from parindex.results.charts import profile_chart, trend_chart
from parindex.results.services import publication_publish, results_compute
from parindex.scoring.model import Entry, Inputs
from parindex.scoring.model import Unit as EngineUnit
from parindex.units.models import Authority, Unit

pytestmark = pytest.mark.django_db

SET = """\
code: {group}-{year}
title: Bộ tiêu chí {group} {year}
year: {year}
unit_group: {group}
max_points: 100
decimals: 2
classes:
  - {{code: tot, label: Tốt, min: 90}}
  - {{code: kha, label: Khá, min: 70}}
  - {{code: tb, label: Trung bình, min: 50}}
  - {{code: yeu, label: Yếu, min: 0}}
nodes:
  - code: "1"
    title: Chỉ đạo điều hành
    children:
      - {{code: "1.1", title: Kế hoạch, max: 40, source: self, rule: {{type: manual, step: 0.01}}}}
  - code: "2"
    title: Cải cách thủ tục hành chính
    children:
      - {{code: "2.1", title: Một cửa, max: 60, source: self, rule: {{type: manual, step: 0.01}}}}
"""


def authority() -> Authority:
    found, _ = Authority.objects.get_or_create(code="lam-dong", defaults={"name": "Lâm Đồng"})
    return found


@pytest.fixture
def secretary() -> User:
    user = User.objects.create_user("thu_ky", password="x")
    Membership.objects.create(user=user, authority=authority(), role=Role.SECRETARIAT)
    return user


def publish(
    by: User,
    year: int,
    values: dict[str, tuple[str, str]],
    *,
    group: str = "huyen",
    predecessors: dict[str, tuple[str, ...]] | None = None,
) -> Cycle:
    """A cycle of `group` for `year`, computed from (1.1, 2.1) per unit and published."""
    version = criteria_set_import(
        authority=authority(), yaml_text=SET.format(group=group, year=year)
    )
    cycle = Cycle.objects.create(
        authority=authority(),
        unit_group=version.unit_group,
        criteria_set=version,
        year=year,
        title=f"Chỉ số CCHC {group} năm {year}",
        phase=Phase.FINALISATION,
    )
    lineage = predecessors or {}

    def build(_cycle: Cycle) -> Inputs:
        return Inputs(
            units=tuple(
                EngineUnit(code, name_of(code), predecessors=lineage.get(code, ()))
                for code in values
            ),
            values={
                code: {"1.1": Entry(Decimal(a), a), "2.1": Entry(Decimal(b), b)}
                for code, (a, b) in values.items()
            },
        )

    results_compute(cycle=cycle, build=build)
    publication_publish(cycle=cycle, by=by)
    return cycle


def name_of(code: str) -> str:
    if code[0] in "HX" and code[1:].isdigit():
        return {"H": "Huyện", "X": "Xã"}[code[0]] + " " + code[1:]
    return f"Đơn vị {code}"


def split(index: str) -> tuple[str, str]:
    """An index as points on 1.1 (40%) and 2.1 (60%)."""
    total = Decimal(index)
    first = (total * Decimal("0.4")).quantize(Decimal("0.01"))
    return str(first), str(total - first)


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


# ---------------------------------------------------------------- seed 003


def districts(secretary: User) -> Cycle:
    """Ten districts over 2019 and 2020: H9 falls from 81,00 (7th) to 73,79 (9th); its 13
    communes are ranked in the 2020 commune cycle: 1 Tốt, 9 Khá, 3 Trung bình."""
    codes = [f"H{i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 10)]
    last = dict(zip(codes, ["90", "89", "88", "87", "86", "85", "80", "79", "70"], strict=True))
    publish(secretary, 2019, {**{c: split(v) for c, v in last.items()}, "H9": split("81")})
    now = {f"H{i}": split(str(96 - 2 * i)) for i in range(1, 9)}
    cycle = publish(secretary, 2020, {**now, "H9": ("33.79", "40"), "H10": split("60")})
    communes = {"X1": split("95"), **{f"X{i}": split("80") for i in range(2, 11)}}
    communes |= {f"X{i}": split("60") for i in range(11, 14)}
    commune_cycle = publish(secretary, 2020, communes, group="xa")
    district = Unit.objects.create(
        authority=authority(), code="H9", name="Huyện 9", group=cycle.unit_group
    )
    for code in communes:
        Unit.objects.create(
            authority=authority(),
            code=code,
            name=name_of(code),
            type="xã",
            group=commune_cycle.unit_group,
            parent=district,
        )
    return cycle


def test_results_charts_the_seed_003_sentence_is_written_for_the_district(secretary):
    cycle = districts(secretary)
    text = text_of(Client().get(f"/results/{cycle.pk}/analysis/"))
    assert (
        "<strong>Huyện 9</strong>: 73,79 điểm, xếp thứ 9/10, giảm 7,21 điểm và 2 bậc so với năm"
        " trước; các xã: 1 Tốt, 9 Khá, 3 Trung bình; các lĩnh vực điểm thấp nhất: 2. Cải cách"
        " thủ tục hành chính; 1. Chỉ đạo điều hành." in text
    )
    # a district without communes of its own has no commune part
    assert "<strong>Huyện 10</strong>: 60,00 điểm, xếp thứ 10/10, giảm 10,00 điểm so với" in text
    english = text_of(Client().get(f"/results/{cycle.pk}/analysis/", HTTP_ACCEPT_LANGUAGE="en"))
    assert (
        "73.79 points, ranked 9 of 10, down 7.21 points and 2 places on last year; xã units:"
        " 1 Tốt, 9 Khá, 3 Trung bình; lowest fields: 2. Cải cách" in english
    )


def test_results_charts_the_commune_counts_come_from_the_children_selector(secretary):
    cycle = districts(secretary)
    children = selectors.published_children(cycle)
    assert list(children) == ["H9"]
    found = children["H9"]
    assert (found.type, found.group_name, len(found.codes)) == ("xã", "xa", 13)
    assert found.document["unit_group"] == "xa"
    assert list(found.classes) == ["tot", "kha", "tb", "yeu"]


def test_results_charts_the_field_profile_of_the_chosen_unit_beside_the_group(secretary):
    cycle = districts(secretary)
    publication = selectors.publication_latest(cycle)
    assert publication is not None
    criteria = criteria_set_of(cycle.criteria_set)
    analysis = analyse(selectors.snapshot_of(publication)["results"], criteria, "vi")
    profile = field_profile(analysis, "H9")
    assert profile is not None and profile.line.code == "H9"
    # 33,79 of 40 and 40 of 60; the group: every unit's points over every unit's max
    assert [(r.code, r.percent) for r in profile.rows] == [
        ("1", Decimal("84.48")),
        ("2", Decimal("66.67")),
    ]
    group_points_1 = sum(Decimal(split(str(96 - 2 * i))[0]) for i in range(1, 9))
    group_points_1 += Decimal("33.79") + Decimal(split("60")[0])
    assert profile.rows[0].group == group_points_1 / 400 * 100
    chart = profile_chart(profile, "vi")
    assert [(r.label, r.unit.text, r.group.text) for r in chart.rows] == [
        ("1. Chỉ đạo điều hành", "84,5%", "84,0%"),
        ("2. Cải cách thủ tục hành chính", "66,7%", "82,3%"),
    ]
    assert chart.rows[0].unit.width == round(84.48 / 100 * chart.room, 1)
    assert field_profile(analysis, "nobody").line.code == "H1"  # type: ignore[union-attr]

    page = text_of(Client().get(f"/results/{cycle.pk}/analysis/?unit=H9"))
    svg = page[page.index('<svg class="chart" role="img"') : page.index("</svg>")]
    assert 'aria-label="Tỷ lệ điểm đạt theo lĩnh vực của Huyện 9 so với cả khối: 1. Chỉ đạo' in svg
    assert "<title>Tỷ lệ điểm đạt theo lĩnh vực: Huyện 9 và cả khối</title>" in svg
    assert ">84,5%</text>" in svg and ">82,3%</text>" in svg
    assert f'width="{chart.rows[0].unit.width}"' in svg  # coordinates with a point, not a comma
    assert '<option value="H9" selected>9. Huyện 9</option>' in page
    assert '<td>2. Cải cách thủ tục hành chính</td><td class="num">66,7%</td>' in page
    first = text_of(Client().get(f"/results/{cycle.pk}/analysis/"))
    assert '<option value="H1" selected>1. Huyện 1</option>' in first


def test_results_charts_the_trend_follows_a_merger_back_through_the_years(secretary):
    publish(
        secretary, 2022, {"A": split("90"), "M1": split("70"), "M2": split("81"), "B": split("60")}
    )
    publish(
        secretary, 2023, {"A": split("92"), "M1": split("75"), "M2": split("80"), "B": split("65")}
    )
    cycle = publish(
        secretary,
        2024,
        {"A": split("91"), "M": split("88"), "B": split("70")},
        predecessors={"M": ("M1", "M2")},
    )
    history = selectors.published_history(cycle)
    assert [year for year, _doc in history] == [2022, 2023, 2024]
    line = trend(history, "M", 2)
    assert [(p.year, p.index, p.rank, p.units, p.predecessors) for p in line.points] == [
        (2022, Decimal("75.50"), None, 4, ("M1", "M2")),  # (70 + 81) / 2
        (2023, Decimal("77.50"), None, 4, ("M1", "M2")),  # (75 + 80) / 2
        (2024, Decimal("88"), 2, 3, ()),
    ]
    assert line.merged
    assert [p.mean for p in line.points] == [Decimal("75.25"), Decimal("78"), Decimal("83")]
    assert [(p.year, p.index, p.rank) for p in trend(history, "A", 2).points] == [
        (2022, Decimal("90"), 1),
        (2023, Decimal("92"), 1),
        (2024, Decimal("91"), 1),
    ]
    chart = trend_chart(line, "Đơn vị M", 2, "vi")
    assert chart is not None
    assert [(p.year, p.text, p.from_predecessors) for p in chart.points] == [
        (2022, "75,50 (*)", True),
        (2023, "77,50 (*)", True),
        (2024, "88,00 (2/3)", False),
    ]
    assert [p.text for p in chart.means] == ["75,25", "78,00", "83,00"]
    assert chart.points[0].x < chart.points[1].x < chart.points[2].x
    assert chart.points[2].y < chart.points[0].y  # higher index, higher on the page

    page = text_of(Client().get(f"/results/{cycle.pk}/analysis/?unit=M"))
    trend_svg = page[page.index('<h2 id="trend">') :]
    trend_svg = trend_svg[: trend_svg.index("</svg>")]
    assert 'aria-label="Chỉ số của Đơn vị M qua các năm: 2022: 75,50 (*); 2023: 77,50 (*);' in (
        trend_svg
    )
    assert "<title>Chỉ số của Đơn vị M qua các năm, cùng bình quân của khối</title>" in trend_svg
    for label in ("75,50 (*)", "77,50 (*)", "88,00 (2/3)", "2022", "2023", "2024"):
        assert f">{label}</text>" in trend_svg
    assert 'class="dot lineage"' in trend_svg and "Bình quân của khối" in trend_svg
    assert "(*) bình quân các đơn vị trước sáp nhập (điểm rỗng)" in page
    assert '<td class="num">—</td><td class="num">75,25</td><td>M1, M2</td>' in page


def test_results_charts_a_renamed_unit_keeps_its_predecessors_rank():
    history = [
        (2023, {"units": [{"unit": "OLD", "index": 80, "rank": 2}], "summary": {"mean": 80}}),
        (
            2024,
            {
                "units": [{"unit": "NEW", "index": 85, "rank": 1, "previous": {"from": ["OLD"]}}],
                "summary": {"mean": 85},
            },
        ),
    ]
    line = trend(history, "NEW", 2)
    assert [(p.year, p.index, p.rank, p.predecessors) for p in line.points] == [
        (2023, Decimal("80"), 2, ("OLD",)),
        (2024, Decimal("85"), 1, ()),
    ]
    assert trend(history[1:], "NEW", 2).merged is False


def test_results_charts_history_takes_the_latest_revision_of_each_year(secretary):
    publish(secretary, 2023, {"A": split("80"), "B": split("90")})
    cycle = publish(secretary, 2024, {"A": split("85"), "B": split("70")})
    last_year = Cycle.objects.get(year=2023, unit_group=cycle.unit_group)
    results_compute(
        cycle=last_year,
        build=lambda _c: Inputs(
            units=(EngineUnit("A", "Đơn vị A"), EngineUnit("B", "Đơn vị B")),
            values={
                code: {"1.1": Entry(Decimal(a), a), "2.1": Entry(Decimal(b), b)}
                for code, (a, b) in {"A": split("95"), "B": split("90")}.items()
            },
        ),
    )
    publication_publish(cycle=last_year, by=secretary, reason="Phúc tra")
    later = publish(secretary, 2025, {"A": split("50")})
    history = selectors.published_history(cycle)
    assert [year for year, _doc in history] == [2023, 2024]  # not the later year
    assert [(p.year, p.index, p.rank) for p in trend(history, "A", 2).points] == [
        (2023, Decimal("95"), 1),
        (2024, Decimal("85"), 1),
    ]
    assert [year for year, _doc in selectors.published_history(later)] == [2023, 2024, 2025]


# ---------------------------------------------------------------- PDF


def test_results_charts_the_pdf_draws_the_ranking_and_the_fields_as_bars(secretary, tmp_path):
    cycle = districts(secretary)
    publication = selectors.publication_latest(cycle)
    assert publication is not None
    criteria = criteria_set_of(cycle.criteria_set)
    pdf = results_pdf(selectors.snapshot_of(publication)["results"], criteria, "vi")
    path = Path(tmp_path) / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "Biểu đồ xếp hạng Chỉ số CCHC năm 2020" in flat
    assert "9. Huyện 9 73,79" in flat  # a bar's label and its value
    assert "Tỷ lệ điểm đạt theo lĩnh vực của cả khối năm 2020 (%)" in flat
    assert "1. Chỉ đạo điều hành 84,0" in flat and "2. Cải cách thủ tục hành chính 82,3" in flat
