"""The demo province: built through the application's services, once, with a login per role."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from django.test import Client

from parindex.accounts.models import Membership, Role, User
from parindex.assessments.models import AssessmentStatus, Cycle, Phase
from parindex.demo.services import DATA, PASSWORD, demo_load
from parindex.results.models import Publication

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "son-la-2014"


def test_the_demo_data_are_the_shipped_examples():
    names = sorted(p.name for p in EXAMPLES.iterdir())
    assert sorted(p.name for p in DATA.iterdir()) == names
    _, mismatch, errors = filecmp.cmpfiles(EXAMPLES, DATA, names, shallow=False)
    assert (mismatch, errors) == ([], [])


@pytest.mark.django_db
def test_the_demo_province_is_in_appraisal_with_last_years_results_published():
    messages: list[str] = []
    logins = demo_load(say=messages.append)
    assert demo_load(say=messages.append) == logins  # a second start reuses it

    roles = {
        m.role for m in Membership.objects.filter(user__username__in=[x.username for x in logins])
    }
    assert roles == set(Role.values)
    for login in logins:
        assert User.objects.get(username=login.username).check_password(PASSWORD)

    published = Publication.objects.filter(cycle__year=2013)
    assert published.count() == 2
    departments = Cycle.objects.get(year=2014, unit_group__code="so_nganh")
    assert departments.phase == Phase.APPRAISAL
    assert departments.assessments.count() == 19
    assert departments.assessments.filter(status=AssessmentStatus.SUBMITTED).count() >= 15
    assert departments.assessments.filter(entries__isnull=False).distinct().count() == 19
    assert Cycle.objects.get(year=2014, unit_group__code="huyen").phase == Phase.SELF_ASSESSMENT

    client = Client()
    assert client.login(username="so_tp.dau_moi", password=PASSWORD)
    page = Client().get(f"/results/{published.first().cycle_id}/")
    assert page.status_code == 200
    assert "Sở Tư pháp" in page.content.decode()
