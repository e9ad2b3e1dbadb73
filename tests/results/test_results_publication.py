"""Computing a cycle with the engine, publishing hash-stamped revisions, the public page."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest
from django.test import Client

from parindex.accounts.models import User
from parindex.assessments.models import Cycle, Phase
from parindex.criteria.services import criteria_set_import
from parindex.results.models import Publication
from parindex.results.services import (
    PublicationError,
    publication_publish,
    publication_verify,
    results_compute,
)
from parindex.scoring.model import Entry, Inputs, Unit
from parindex.units.models import Authority

pytestmark = pytest.mark.django_db

SET = """\
code: T-{year}
title: Bộ tiêu chí thử {year}
year: {year}
unit_group: so_nganh
max_points: 10
decimals: 2
classes:
  - {{code: tot, label: Tốt, min: 90}}
  - {{code: kha, label: Khá, min: 80}}
  - {{code: yeu, label: Yếu, min: 0}}
nodes:
  - code: "1"
    title: Chỉ đạo điều hành
    children:
      - {{code: "1.1", title: Kế hoạch, max: 10, source: self, rule: {{type: manual, step: 0.5}}}}
"""


def make_cycle(year: int = 2024, phase: str = Phase.FINALISATION) -> Cycle:
    authority, _ = Authority.objects.get_or_create(code="son-la", defaults={"name": "Sơn La"})
    version = criteria_set_import(authority=authority, yaml_text=SET.format(year=year))
    return Cycle.objects.create(
        authority=authority,
        unit_group=version.unit_group,
        criteria_set=version,
        year=year,
        title=f"Chỉ số CCHC các sở năm {year}",
        phase=phase,
    )


def builder(points: dict[str, str]):  # type: ignore[no-untyped-def]
    def build(cycle: Cycle) -> Inputs:
        return Inputs(
            units=tuple(Unit(code, f"Sở {code}") for code in points),
            values={code: {"1.1": Entry(Decimal(value), value)} for code, value in points.items()},
        )

    return build


@pytest.fixture
def secretary() -> User:
    return User.objects.create_user("thu_ky", password="x")


def test_results_are_computed_by_the_engine_and_keep_version_and_input_hash():
    cycle = make_cycle()
    result = results_compute(cycle=cycle, build=builder({"A": "9", "B": "8.5", "C": "9"}))
    units = result.document["units"]
    assert [(u["unit"], u["index"], u["rank"], u["class"]) for u in units] == [
        ("A", 90, 1, "tot"),
        ("C", 90, 1, "tot"),
        ("B", 85, 3, "kha"),
    ]
    assert result.engine_version == "1.0.0"
    again = results_compute(cycle=cycle, build=builder({"A": "9", "B": "8.5", "C": "9"}))
    other = results_compute(cycle=cycle, build=builder({"A": "9", "B": "8", "C": "9"}))
    assert again.input_hash == result.input_hash
    assert other.input_hash != result.input_hash


def test_publishing_stores_a_canonical_snapshot_with_its_sha256(secretary):
    cycle = make_cycle()
    results_compute(cycle=cycle, build=builder({"A": "9", "B": "7"}))
    publication = publication_publish(cycle=cycle, by=secretary)
    assert publication.revision == 1
    assert publication.sha256 == hashlib.sha256(publication.snapshot.encode()).hexdigest()
    snapshot = json.loads(publication.snapshot)
    assert snapshot["results"]["units"][0]["unit"] == "A"
    assert publication.snapshot == json.dumps(
        snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    cycle.refresh_from_db()
    assert cycle.phase == Phase.PUBLISHED
    assert publication_verify(publication)
    Publication.objects.filter(pk=publication.pk).update(snapshot=publication.snapshot + " ")
    publication.refresh_from_db()
    assert not publication_verify(publication)


def test_a_correction_is_a_new_revision_with_a_reason(secretary):
    cycle = make_cycle()
    results_compute(cycle=cycle, build=builder({"A": "9", "B": "7"}))
    first = publication_publish(cycle=cycle, by=secretary)
    results_compute(cycle=cycle, build=builder({"A": "9", "B": "9.5"}))
    with pytest.raises(PublicationError, match="reason"):
        publication_publish(cycle=cycle, by=secretary)
    second = publication_publish(cycle=cycle, by=secretary, reason="Phúc tra tiêu chí 1.1 của B")
    assert (first.revision, second.revision) == (1, 2)
    first.refresh_from_db()
    assert json.loads(first.snapshot)["results"]["units"][0]["unit"] == "A"
    assert json.loads(second.snapshot)["results"]["units"][0]["unit"] == "B"


def test_nothing_is_published_before_finalisation(secretary):
    cycle = make_cycle(phase=Phase.APPRAISAL)
    results_compute(cycle=cycle, build=builder({"A": "9"}))
    with pytest.raises(PublicationError, match="finalisation"):
        publication_publish(cycle=cycle, by=secretary)
    assert not Publication.objects.exists()


def test_last_years_publication_gives_the_deltas(secretary):
    last_year = make_cycle(year=2023)
    results_compute(cycle=last_year, build=builder({"A": "8", "B": "9"}))
    publication_publish(cycle=last_year, by=secretary)
    this_year = make_cycle(year=2024)
    result = results_compute(cycle=this_year, build=builder({"A": "9.5", "B": "9"}))
    units = {u["unit"]: u for u in result.document["units"]}
    assert units["A"]["previous"] == {"index": 80, "rank": 2}
    assert units["A"]["delta"] == {"index": 15, "rank": 1}
    assert units["B"]["delta"] == {"index": 0, "rank": -1}


def test_the_public_page_shows_the_ranking_without_login(secretary):
    cycle = make_cycle()
    results_compute(cycle=cycle, build=builder({"A": "9", "B": "7.5"}))
    publication = publication_publish(cycle=cycle, by=secretary)
    client = Client()
    home = client.get("/")
    assert home.status_code == 200
    assert cycle.title in home.content.decode()
    page = client.get(f"/results/{cycle.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Sở A" in text
    assert "Sở B" in text
    assert text.index("Sở A") < text.index("Sở B")
    download = client.get(f"/results/{cycle.pk}/r1.json")
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="parindex-{cycle.pk}-r1.json"'
    assert download.content.decode() == publication.snapshot


def test_an_unpublished_cycle_is_not_public():
    cycle = make_cycle()
    results_compute(cycle=cycle, build=builder({"A": "9"}))
    client = Client()
    assert client.get(f"/results/{cycle.pk}/").status_code == 404
    assert client.get(f"/results/{cycle.pk}/r1.json").status_code == 404
    assert cycle.title not in client.get("/").content.decode()
