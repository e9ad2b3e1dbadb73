"""The public results page in a real browser on a phone-sized screen."""

from __future__ import annotations

import pytest

from parindex.accounts.models import Membership, Role, User
from parindex.assessments.models import Cycle, Phase
from parindex.criteria.services import criteria_set_import
from parindex.results.services import publication_publish, results_compute
from parindex.scoring.model import Entry, Inputs, Unit
from parindex.scoring.numbers import parse_number
from parindex.units.models import Authority

pytestmark = pytest.mark.django_db(transaction=True)


SET = """\
code: DEMO-2024
title: Bộ tiêu chí thử
year: 2024
unit_group: so_nganh
max_points: 10
decimals: 2
classes: [{code: tot, label: Tốt, min: 90}, {code: kha, label: Khá, min: 0}]
nodes:
  - {code: "1", title: Lĩnh vực 1, max: 10, source: self, rule: {type: manual, step: 0.25}}
"""


def make_cycle() -> Cycle:
    authority = Authority.objects.create(code="son-la", name="UBND tỉnh Sơn La")
    version = criteria_set_import(authority=authority, yaml_text=SET)
    return Cycle.objects.create(
        authority=authority,
        unit_group=version.unit_group,
        criteria_set=version,
        year=2024,
        title="Chỉ số CCHC các sở năm 2024",
        phase=Phase.FINALISATION,
    )


def inputs(points: dict[str, str]) -> Inputs:
    return Inputs(
        units=tuple(Unit(code, f"Sở {code}") for code in points),
        values={code: {"1": Entry(parse_number(p), p)} for code, p in points.items()},
    )


def test_the_public_sees_the_published_ranking_on_a_phone(live_server, phone):
    cycle = make_cycle()
    points = {"A": "9.25", "B": "7.5", "C": "8.25"}
    results_compute(cycle=cycle, build=lambda _cycle: inputs(points))
    secretary = User.objects.create_user("thu_ky")
    Membership.objects.create(user=secretary, authority=cycle.authority, role=Role.SECRETARIAT)
    publication_publish(cycle=cycle, by=secretary)

    phone.goto(f"{live_server.url}/")
    phone.get_by_role("link", name=cycle.title).click()
    rows = phone.locator("tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).inner_text().split("\t")[:3] == ["1", "Sở A", "92,50"]
    assert rows.nth(2).inner_text().split("\t")[:3] == ["3", "Sở B", "75,00"]
    # nothing overflows the phone's width except inside the scrollable table wrapper
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
