"""A cycle with a survey of two weighted groups, a campaign open now, questionnaires drafted
from the set, and the survey administrator and secretariat of the authority."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from assessment_builders import World, build, person
from django.utils import timezone

from parindex.accounts.models import Role, User
from parindex.survey import services
from parindex.survey.models import Campaign, Invitation

SURVEY_SET = """\
code: KS-2024
title: Bộ tiêu chí có khảo sát năm 2024
year: 2024
unit_group: so_nganh
max_points: 10
decimals: 2
classes:
  - {code: tot, label: Tốt, min: 90}
  - {code: yeu, label: Yếu, min: 0}
survey:
  scale: {min: 1, max: 5}
  min_sample: 3
  no_data: zero
  groups:
    - {code: cbccvc, label: "Cán bộ, công chức", weight: 1}
    - {code: nguoi_dan, label: Người dân, weight: 2}
nodes:
  - code: "1"
    title: Công tác chỉ đạo
    children:
      - {code: "1.1", title: Ban hành kế hoạch, max: 2, source: self,
         rule: {type: boolean, "yes": 2, "no": 0}}
  - code: "2"
    title: Mức độ hài lòng
    children:
      - {code: "2.1", title: Hài lòng về thủ tục, max: 4, source: survey,
         rule: {type: survey, questions: [q1, q2]}}
      - {code: "2.2", title: Hài lòng về thái độ công chức, max: 4, source: survey,
         rule: {type: survey, questions: [q3], groups: [nguoi_dan]}}
"""


@dataclass
class SurveyWorld:
    world: World
    campaign: Campaign
    admin: User  # survey administrator

    @property
    def secretariat(self) -> User:
        return self.world.secretariat


def survey_world(*, opens_in: dt.timedelta = -dt.timedelta(days=1)) -> SurveyWorld:
    world = build(yaml_text=SURVEY_SET)
    admin = person("quan_tri_ks", world.authority, Role.SURVEY_ADMIN)
    now = timezone.now()
    campaign = services.campaign_create(
        cycle=world.cycle,
        title="Khảo sát sự hài lòng 2024",
        opens_at=now + opens_in,
        closes_at=now + dt.timedelta(days=30),
        margin=Decimal("0.05"),
        by=world.secretariat,
    )
    for group in ("cbccvc", "nguoi_dan"):
        services.questionnaire_draft(version=world.version, group=group, by=world.secretariat)
    return SurveyWorld(world, campaign, admin)


def invitation(sw: SurveyWorld, unit: str = "SO_NV", group: str = "nguoi_dan") -> Invitation:
    made = services.invitations_issue(
        campaign=sw.campaign, unit=sw.world.units[unit], group=group, count=1, by=sw.secretariat
    )
    return made[0]


def answered(
    sw: SurveyWorld, answers: dict[str, str], unit: str = "SO_NV", group: str = "nguoi_dan"
) -> Invitation:
    found = invitation(sw, unit, group)
    services.response_submit(invitation=found, answers=answers)
    return found
