"""The city's 2014 survey of its wards and communes: a campaign open now, the three groups'
questionnaires drafted from the set, sample targets from populations, the answers collected
on paper and in KoboToolbox imported (`data/communes-answers.csv`), and unused one-use codes
to try the respondent's form (`/s/<code>/`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from parindex.accounts.models import User
from parindex.assessments.models import Cycle
from parindex.demo.build import DATA, Say
from parindex.formats.survey_responses import ColumnMap
from parindex.survey import services
from parindex.survey.selectors import campaign_units

# people each group stands for, per ward or commune (staff; households with a settled dossier;
# organisations): the planner turns them into targets with e = 10%
POPULATIONS = {"can_bo": 45, "nguoi_dan": 600, "to_chuc": 80}
DEMO_CODES = 10  # unused codes per group for Phường Chiềng Lề, to print or try


def city_survey_load(*, cycle: Cycle, secretary: User, say: Say) -> None:
    now = timezone.now()
    campaign = services.campaign_create(
        cycle=cycle,
        title="Điều tra xã hội học về CCHC các xã, phường năm 2014",
        opens_at=now - dt.timedelta(days=20),
        closes_at=now + dt.timedelta(days=20),
        margin=Decimal("0.10"),
        by=secretary,
    )
    for group in POPULATIONS:
        services.questionnaire_draft(version=cycle.criteria_set, group=group, by=secretary)
    units = list(campaign_units(campaign))
    services.targets_save(
        campaign=campaign,
        rows=[
            services.TargetRow(unit.pk, group, population, None)
            for unit in units
            for group, population in POPULATIONS.items()
        ],
        by=secretary,
    )
    path = DATA / "communes-answers.csv"
    outcome = services.answers_import(
        campaign=campaign,
        data=path.read_bytes(),
        file_name=path.name,
        columns=ColumnMap(),
        by=secretary,
    )
    chieng_le = next(unit for unit in units if unit.code == "P_CHIENG_LE")
    for group in POPULATIONS:
        services.invitations_issue(
            campaign=campaign, unit=chieng_le, group=group, count=DEMO_CODES, by=secretary
        )
    found = outcome.survey_import
    say(
        f"  thành phố Sơn La: khảo sát xã hội học, {found.accepted} phiếu nhập"
        f" ({found.rejected} bị loại), {DEMO_CODES * len(POPULATIONS)} mã phiếu chưa dùng"
    )
