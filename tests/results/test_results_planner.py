"""The improvement planner in the web app: what it takes to reach a rank, and what-if."""

from __future__ import annotations

import pytest
from assessment_builders import FULL, build
from django.test import Client
from django.urls import reverse

from parindex.assessments.models import LeafEntry
from parindex.assessments.selectors import unit_points
from parindex.assessments.services import entry_save

pytestmark = pytest.mark.django_db

BEHIND = {**FULL, "1.1.1": "cham", "2.2": "3"}  # 1 point and 2 points less than FULL


def filled():  # type: ignore[no-untyped-def]
    world = build()
    for unit, values in (("SO_NV", FULL), ("SO_TP", BEHIND)):
        for code, value in values.items():
            entry_save(
                assessment=world.sheet(unit), code=code, value=value, note="",
                expected_version=0, by=world.focal[unit],
            )  # fmt: skip
    return world


def page(client: Client, world, unit: str, **query: str) -> str:  # type: ignore[no-untyped-def]
    url = reverse("results:planner", args=[world.cycle.pk, unit])
    answer = client.get(url, query)
    assert answer.status_code == 200, answer.status_code
    return " ".join(answer.content.decode().split())


def test_the_planner_names_the_leaves_that_close_the_gap_to_the_target_rank():
    world = filled()
    client = Client()
    client.force_login(world.focal["SO_TP"])
    text = page(client, world, "SO_TP", target="1")
    ahead = unit_points(world.sheet("SO_NV"), stage="final").index
    behind = unit_points(world.sheet("SO_TP"), stage="final").index
    gap = f"{ahead - behind:.2f}".replace(".", ",").rstrip("0").rstrip(",")
    assert "hạng <strong>2</strong>" in text
    assert "Để đạt hạng 1" in text
    assert f"cần thêm {gap} điểm chỉ số, tức 3 điểm trên phiếu" in text
    table = text[text.index("Để đạt hạng 1") : text.index("Giả định")]
    assert "2.2. Vi phạm quy định" in table  # 3 points lost: enough alone
    assert "1.1.1." not in table


def test_what_if_shows_the_new_index_rank_and_class_and_saves_nothing():
    world = filled()
    client = Client()
    client.force_login(world.focal["SO_TP"])
    before = list(LeafEntry.objects.order_by("pk").values_list("value", "version"))
    text = page(client, world, "SO_TP", v_1_1_1="dung_han", **{"v_2.2": "1", "v_1.1.1": "dung_han"})
    ahead = unit_points(world.sheet("SO_NV"), stage="final").index
    index = f"{ahead:.2f}".replace(".", ",").rstrip("0").rstrip(",")
    assert f"Với các giá trị này: <strong>{index}</strong> (+" in text
    assert "hạng <strong>1</strong>" in text.split("Với các giá trị này")[1]  # ties share rank 1
    assert list(LeafEntry.objects.order_by("pk").values_list("value", "version")) == before
    wrong = page(client, world, "SO_TP", **{"v_1.1.1": "sometimes"})
    assert 'aria-invalid="true"' in wrong and "sometimes" in wrong
    assert "Với các giá trị này" not in wrong


def test_only_the_units_people_and_authority_wide_roles_plan_for_a_unit():
    world = filled()
    other = Client()
    other.force_login(world.focal["SO_NV"])
    url = reverse("results:planner", args=[world.cycle.pk, "SO_TP"])
    assert other.get(url).status_code == 404
    secretariat = Client()
    secretariat.force_login(world.secretariat)
    assert secretariat.get(url).status_code == 200
    assert secretariat.get(url.replace("SO_TP", "NOPE")).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in
