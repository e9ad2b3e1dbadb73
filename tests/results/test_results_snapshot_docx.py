"""A published revision downloads as the Word report of what was published, without login."""

from __future__ import annotations

import io
from decimal import Decimal

import docx
import pytest
from django.test import Client

from parindex.accounts.models import Membership, Role, User
from parindex.assessments.models import Cycle, Phase
from parindex.criteria.services import criteria_set_import
from parindex.results.services import publication_publish, results_compute
from parindex.scoring.model import Entry, Inputs, Unit
from parindex.units.models import Authority

pytestmark = pytest.mark.django_db

SET = """\
code: DOCX-2024
title: Bộ tiêu chí các sở năm 2024
year: 2024
unit_group: so_nganh
max_points: 10
decimals: 2
classes: [{code: tot, label: Tốt, min: 90}, {code: kha, label: Khá, min: 70},
          {code: yeu, label: Yếu, min: 0}]
nodes:
  - code: "1"
    title: Chỉ đạo điều hành
    children:
      - {code: "1.1", title: Kế hoạch, max: 10, source: self, rule: {type: manual, step: 0.25}}
"""


def computed(cycle: Cycle, points: dict[str, str]) -> None:
    def build(_cycle: Cycle) -> Inputs:
        return Inputs(
            units=tuple(Unit(code, f"Sở {code}") for code in points),
            values={code: {"1.1": Entry(Decimal(v), v)} for code, v in points.items()},
        )

    results_compute(cycle=cycle, build=build)


def test_results_snapshot_docx_is_the_published_revision_as_a_word_report():
    authority = Authority.objects.create(code="son-la", name="Sơn La")
    version = criteria_set_import(authority=authority, yaml_text=SET)
    cycle = Cycle.objects.create(
        authority=authority,
        unit_group=version.unit_group,
        criteria_set=version,
        year=2024,
        title="Chỉ số CCHC các sở năm 2024",
        phase=Phase.FINALISATION,
    )
    computed(cycle, {"A": "9", "B": "7.25"})
    assert Client().get(f"/results/{cycle.pk}/r1.docx").status_code == 404  # not yet published
    secretary = User.objects.create_user("thu_ky", password="x")
    Membership.objects.create(user=secretary, authority=authority, role=Role.SECRETARIAT)
    publication_publish(cycle=cycle, by=secretary)
    computed(cycle, {"A": "9", "B": "9.5"})  # computed again, not published
    answer = Client().get(f"/results/{cycle.pk}/r1.docx")
    assert answer.status_code == 200
    assert answer["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert answer["Content-Disposition"] == f'attachment; filename="parindex-{cycle.pk}-r1.docx"'
    report = docx.Document(io.BytesIO(answer.content))
    issuer, nation = report.tables[0].rows[0].cells
    assert issuer.paragraphs[0].text == "SƠN LA"
    assert nation.paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    rows = [[cell.text for cell in row.cells] for row in report.tables[1].rows[1:]]
    assert rows == [  # the published figures, not the later ones
        ["1", "Sở A", "9,00", "90,00", "Tốt", "—", "—"],
        ["2", "Sở B", "7,25", "72,50", "Khá", "—", "—"],
    ]
    english = Client().get(f"/results/{cycle.pk}/r1.docx", HTTP_ACCEPT_LANGUAGE="en")
    english_rows = docx.Document(io.BytesIO(english.content)).tables[1].rows
    assert english_rows[2].cells[3].text == "72.50"
    assert Client().get(f"/results/{cycle.pk}/r2.docx").status_code == 404
    page = Client().get(f"/results/{cycle.pk}/").content.decode()
    assert f'href="/results/{cycle.pk}/r1.docx"' in page
