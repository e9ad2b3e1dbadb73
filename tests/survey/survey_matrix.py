"""The survey routes of tests/test_permission_matrix.py: a 2025 cycle of authority A with a
survey, its campaign (U1 rated), questionnaires, an imported file, and a survey administrator.
The secretariat runs the survey; units and other authorities get 404; respondents' data is for
the survey administrator alone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parindex.accounts.models import Membership, Role, User
from parindex.assessments.models import Phase
from parindex.assessments.services import cycle_advance, cycle_create
from parindex.criteria.services import criteria_set_import
from parindex.jobs.models import Job
from parindex.survey import services
from parindex.survey.models import Campaign, Questionnaire, SampleTarget, SurveyImport
from parindex.survey.selectors import IMPORT_JOB

SURVEY_SET = """\
code: MATRIX-KS
title: Bộ tiêu chí có khảo sát
year: 2025
unit_group: so_nganh
max_points: 5
survey:
  scale: {min: 1, max: 5}
  groups: [{code: nguoi_dan, label: Người dân, weight: 1}]
nodes:
  - {code: "1", title: Hài lòng, max: 5, source: survey, rule: {type: survey, questions: [q1]}}
"""


@dataclass
class SurveyMatrix:
    campaign: Campaign
    survey_import: SurveyImport
    admin: User


def made(w: Any) -> SurveyMatrix:
    found: SurveyMatrix | None = getattr(w, "survey_world", None)
    if found is None:
        version = criteria_set_import(authority=w.authority, yaml_text=SURVEY_SET)
        now = timezone.now()
        cycle = cycle_create(
            authority=w.authority,
            unit_group=version.unit_group,
            criteria_set=version,
            year=2025,
            title="Kỳ khảo sát thử quyền",
            self_assessment_opens=now - dt.timedelta(days=1),
            self_assessment_closes=now + dt.timedelta(days=10),
            by=w.secretariat,
        )
        cycle_advance(cycle=cycle, to_phase=Phase.SELF_ASSESSMENT, by=w.secretariat)
        campaign = services.campaign_create(
            cycle=cycle,
            title="Khảo sát thử quyền",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=10),
            margin=Decimal("0.05"),
            by=w.secretariat,
        )
        services.questionnaire_draft(version=version, group="nguoi_dan", by=w.secretariat)
        survey_import = SurveyImport.objects.create(
            campaign=campaign, file_name="kobo.csv", sha256="0" * 64, imported_by=w.secretariat
        )
        admin = User.objects.create_user("quan_tri_ks", password="matrix-password-1")
        Membership.objects.create(user=admin, authority=w.authority, role=Role.SURVEY_ADMIN)
        found = SurveyMatrix(campaign, survey_import, admin)
        w.survey_world = found
    return found


def queued_import(w: Any) -> Job:
    """A queued background import of answers into the campaign (made once per world)."""
    found: Job | None = getattr(w, "survey_job", None)
    if found is None:
        campaign = made(w).campaign
        found = Job.objects.create(
            kind=IMPORT_JOB, arguments={"campaign_id": campaign.pk}, created_by=w.secretariat
        )
        w.survey_job = found
    return found


def _questionnaire_file(w: Any) -> dict[str, Any]:
    text = made(w).campaign.cycle.criteria_set.questionnaires.get().yaml_text
    return {
        "file": SimpleUploadedFile("phieu.yaml", text.replace("title: ", "title: Mới ", 1).encode())
    }


def routes(route: Any) -> dict[str, Any]:
    """`route` is the matrix's `Route`."""

    def page(suffix: str, **options: Any) -> Any:
        options.setdefault("owner", lambda w: w.secretariat)
        return route(lambda w: f"/survey/{made(w).campaign.pk}/{suffix}", **options)

    def titles(w: Any) -> list[str]:
        return sorted(Questionnaire.objects.values_list("title", flat=True))

    return {
        "survey:create": route(
            lambda w: f"/survey/cycles/{w.cycle.pk}/new/", owner=lambda w: w.secretariat
        ),
        "survey:campaign": page(""),
        "survey:campaign_edit": page(
            "edit/",
            method="POST",
            data=lambda w: {
                "title": "Khảo sát đổi tên",
                "opens_at": "2025-01-01T08:00",
                "closes_at": "2030-12-31T17:00",
                "margin": "0.05",
            },
            state=lambda w: list(Campaign.objects.values_list("title", "closes_at")),
        ),
        "survey:questionnaire_upload": page(
            "questionnaires/", method="POST", data=_questionnaire_file, state=titles
        ),
        "survey:questionnaire_draft": page(
            "questionnaires/nguoi_dan/draft/", method="POST", state=titles
        ),
        "survey:questionnaire_download": page("questionnaires/nguoi_dan.yaml"),
        "survey:targets": page(
            "targets/",
            method="POST",
            data=lambda w: {f"population_{w.unit.pk}_nguoi_dan": "500"},
            state=lambda w: list(SampleTarget.objects.values_list("target", flat=True)),
        ),
        "survey:invitations": page("invitations/"),
        "survey:print": page("invitations/print/"),
        "survey:import": page("import/"),
        "survey:import_job": route(
            lambda w: f"/survey/{made(w).campaign.pk}/import/{queued_import(w).pk}/",
            owner=lambda w: w.secretariat,
        ),
        "survey:results": page("results/"),
        "survey:export": page("answers.csv"),
        "survey:respondents": page("respondents/", owner=lambda w: made(w).admin),
        "survey:import_detail": route(
            lambda w: f"/survey/imports/{made(w).survey_import.pk}/", owner=lambda w: w.secretariat
        ),
        "survey:rejections": route(
            lambda w: f"/survey/imports/{made(w).survey_import.pk}/rejections.csv",
            owner=lambda w: w.secretariat,
        ),
        "survey:import_remove": route(
            lambda w: f"/survey/imports/{made(w).survey_import.pk}/remove/",
            method="POST",
            owner=lambda w: w.secretariat,
            state=lambda w: SurveyImport.objects.count(),
        ),
    }
