"""Computing a cycle with the engine, publishing hash-stamped revisions, the public page."""

from __future__ import annotations

import hashlib
import json
import subprocess
from decimal import Decimal

import pytest
from django.test import Client

from parindex.accounts.models import Membership, Role, User
from parindex.assessments.models import Cycle, CycleEvent, Phase
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


def member(username: str, role: Role) -> User:
    authority, _ = Authority.objects.get_or_create(code="son-la", defaults={"name": "Sơn La"})
    user = User.objects.create_user(username, password="x")
    Membership.objects.create(user=user, authority=authority, role=role)
    return user


@pytest.fixture
def secretary() -> User:
    return member("thu_ky", Role.SECRETARIAT)


def test_only_the_secretariat_or_the_council_chair_publishes_and_the_move_is_an_event(secretary):
    cycle = make_cycle()
    results_compute(cycle=cycle, build=builder({"A": "9"}))
    for outsider in (member("lanh_dao", Role.LEADER), User.objects.create_user("khach")):
        with pytest.raises(PublicationError, match="only the secretariat or the council chair"):
            publication_publish(cycle=cycle, by=outsider)
    assert not Publication.objects.exists()
    publication_publish(cycle=cycle, by=member("chu_tich", Role.COUNCIL_CHAIR), reason="Kỳ họp")
    event = CycleEvent.objects.get(cycle=cycle, new_phase=Phase.PUBLISHED)
    assert (event.old_phase, event.by.username, event.reason) == (
        Phase.FINALISATION,
        "chu_tich",
        "Kỳ họp",
    )


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
    assert client.get(f"/results/{cycle.pk}/r1.pdf").status_code == 404
    assert cycle.title not in client.get("/").content.decode()


def test_a_published_revision_prints_as_the_pdf_report_of_what_was_published(secretary, tmp_path):
    cycle = make_cycle()
    results_compute(cycle=cycle, build=builder({"A": "9", "B": "7.5"}))
    publication_publish(cycle=cycle, by=secretary)
    results_compute(cycle=cycle, build=builder({"A": "9", "B": "9.5"}))  # not published
    answer = Client().get(f"/results/{cycle.pk}/r1.pdf")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == f'attachment; filename="parindex-{cycle.pk}-r1.pdf"'
    path = tmp_path / "r1.pdf"
    path.write_bytes(answer.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "SƠN LA" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    rows = [line.split() for line in text.splitlines() if "Sở A" in line or "Sở B" in line]
    assert rows[0][:4] == ["1", "Sở", "A", "9,00"]  # the published figures, not the later ones
    assert rows[1][:4] == ["2", "Sở", "B", "7,50"]


def test_the_analysis_page_writes_each_units_sentence_from_the_published_figures(secretary):
    last_year = make_cycle(year=2023)
    results_compute(cycle=last_year, build=builder({"A": "8", "B": "9"}))
    publication_publish(cycle=last_year, by=secretary)
    this_year = make_cycle(year=2024)
    results_compute(cycle=this_year, build=builder({"A": "9.5", "B": "8.25"}))
    publication_publish(cycle=this_year, by=secretary)
    page = Client().get(f"/results/{this_year.pk}/analysis/")
    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    assert (
        "<strong>Sở A</strong>: 95,00 điểm, xếp thứ 1/2, tăng 15,00 điểm và 1 bậc so với năm"
        " trước; các lĩnh vực điểm thấp nhất: 1. Chỉ đạo điều hành." in text
    )
    assert "<strong>Sở B</strong>: 82,50 điểm, xếp thứ 2/2, giảm 7,50 điểm và 1 bậc" in text
    assert "Chỉ số trung bình: 88,75" in text  # (95 + 82.5) / 2
    assert "khoảng cách (cao nhất − thấp nhất): 12,5 · độ lệch chuẩn: 6,25" in text
    assert 'class="num high">95<' in text and 'class="num high">82,5<' in text
    assert '1.1. Kế hoạch</td><td class="num">2,25</td><td class="num">2</td>' in text
    english = Client().get(f"/results/{this_year.pk}/analysis/", HTTP_ACCEPT_LANGUAGE="en")
    assert "95.00 points, ranked 1 of 2, up 15.00 points and 1 place on last year" in (
        " ".join(english.content.decode().split())
    )
    assert Client().get(f"/results/{make_cycle(year=2025).pk}/analysis/").status_code == 404
