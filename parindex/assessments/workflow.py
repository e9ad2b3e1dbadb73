"""The two workflows of an evaluation: the cycle's phases and each sheet's status.

Each is one readable table `{state: {next_state: roles}}` (SPEC §3, §4). A transition is:
check (role, state) here, act in `services.py`, record an audit event (`CycleEvent` for a cycle,
a `Change` of kind status for a sheet). A state not in a table has no way out yet; the
appraisal, explanation and finalisation services add their rows beside these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parindex.accounts.models import Role, User
from parindex.accounts.permissions import UNIT_ROLES, has_role, is_secretariat, unit_ids
from parindex.assessments.errors import fmt
from parindex.assessments.models import Assessment, AssessmentStatus, Cycle, Phase

VN = ZoneInfo("Asia/Ho_Chi_Minh")  # deadlines are Vietnamese days and hours

# What the council chair should know before finalising a cycle (e.g. units with too few survey
# answers): each app that feeds the results adds a function here in its AppConfig.ready().
FINALISATION_NOTICES: list[Callable[[Cycle], list[str | Promise]]] = []


def finalisation_notices(cycle: Cycle) -> list[str | Promise]:
    return [notice for source in FINALISATION_NOTICES for notice in source(cycle)]


CYCLE_PHASES: dict[str, dict[str, tuple[Role, ...]]] = {
    Phase.SETUP: {Phase.SELF_ASSESSMENT: (Role.SECRETARIAT,)},
    Phase.SELF_ASSESSMENT: {Phase.APPRAISAL: (Role.SECRETARIAT,)},
    Phase.APPRAISAL: {Phase.EXPLANATION: (Role.SECRETARIAT,)},
    Phase.EXPLANATION: {Phase.FINALISATION: (Role.COUNCIL_CHAIR,)},  # `cycle_finalise`
    Phase.FINALISATION: {Phase.PUBLISHED: (Role.COUNCIL_CHAIR, Role.SECRETARIAT)},
}

SHEET_STATUSES: dict[str, dict[str, tuple[Role, ...]]] = {
    AssessmentStatus.DRAFT: {AssessmentStatus.SUBMITTED: (Role.UNIT_HEAD,)},
    # the appraisal services (`appraisal.py`) move the sheet on by themselves:
    # appraised when every leaf with an appraising agency is appraised, explained when the
    # unit contests a correction, final when the council chair finalises the cycle
    AssessmentStatus.SUBMITTED: {
        AssessmentStatus.APPRAISED: (Role.APPRAISER,),
        AssessmentStatus.EXPLAINED: (Role.FOCAL_POINT, Role.UNIT_HEAD),
        AssessmentStatus.FINAL: (Role.COUNCIL_CHAIR,),
    },
    AssessmentStatus.APPRAISED: {
        AssessmentStatus.EXPLAINED: (Role.FOCAL_POINT, Role.UNIT_HEAD),
        AssessmentStatus.FINAL: (Role.COUNCIL_CHAIR,),
    },
    AssessmentStatus.EXPLAINED: {AssessmentStatus.FINAL: (Role.COUNCIL_CHAIR,)},
}


def next_phase(phase: str) -> str | None:
    """The phase that follows `phase` (the table has one way forward), None at the end."""
    return next(iter(CYCLE_PHASES.get(phase, {})), None)


def cycle_roles(current: str, target: str) -> tuple[Role, ...] | None:
    """The roles that may move a cycle from `current` to `target`; None: no such step."""
    return CYCLE_PHASES.get(current, {}).get(target)


def sheet_roles(current: str, target: str) -> tuple[Role, ...] | None:
    """The roles that may move a sheet from `current` to `target`; None: no such step."""
    return SHEET_STATUSES.get(current, {}).get(target)


def holds_any(
    user: User | object, roles: Iterable[Role], *, authority_id: int, unit_id: int | None = None
) -> bool:
    """Whether the user holds one of `roles` for the authority (unit roles: for the unit).

    The secretariat role is also held by the authority's system administrators.
    """
    for role in roles:
        if role in UNIT_ROLES:
            if unit_id is not None and unit_id in unit_ids(user, (role,)):
                return True
        elif role == Role.SECRETARIAT:
            if is_secretariat(user, authority_id):
                return True
        elif has_role(user, role, authority_id=authority_id):
            return True
    return False


def may_advance_cycle(user: User | object, *, authority_id: int, current: str) -> bool:
    """Whether the user may move a cycle of the authority to its next phase (for buttons)."""
    target = next_phase(current)
    roles = cycle_roles(current, target) if target else None
    return bool(roles) and holds_any(user, roles or (), authority_id=authority_id)


def vn_time(moment: dt.datetime) -> str:
    """A moment as a Vietnamese reads a deadline: `31/03/2024 17:00`, Hà Nội time."""
    return date_format(timezone.localtime(moment, VN), "d/m/Y H:i")


def appraisal_closed(assessment: Assessment, now: dt.datetime) -> Promise | None:
    """Why the sheet cannot be appraised now, or None: the cycle in its appraisal phase, the
    sheet submitted, `now` before the appraisal deadline."""
    cycle = assessment.cycle
    if cycle.phase != Phase.APPRAISAL:
        return _("The appraisal phase of this cycle is not open.")
    if assessment.status not in (AssessmentStatus.SUBMITTED, AssessmentStatus.APPRAISED):
        return _("The unit has not submitted its sheet; it cannot be appraised.")
    if cycle.appraisal_closes and now > cycle.appraisal_closes:
        return fmt(_("The appraisal closed on %(when)s."), when=vn_time(cycle.appraisal_closes))
    return None


def explanation_closed(assessment: Assessment, now: dt.datetime) -> Promise | None:
    """Why the unit cannot contest a correction now, or None: the cycle in its explanation
    phase, `now` before the explanation deadline."""
    cycle = assessment.cycle
    if cycle.phase != Phase.EXPLANATION:
        return _("The explanation phase of this cycle is not open.")
    if assessment.status == AssessmentStatus.FINAL:
        return _("The sheet is final.")
    if cycle.explanation_closes and now > cycle.explanation_closes:
        return fmt(
            _("The explanation window closed on %(when)s."), when=vn_time(cycle.explanation_closes)
        )
    return None


def self_assessment_closed(assessment: Assessment, now: dt.datetime) -> Promise | None:
    """Why the sheet cannot be changed or submitted now, or None while it is open: the cycle
    in its self-assessment phase, the sheet a draft, `now` between the opening and the
    deadline."""
    cycle = assessment.cycle
    if cycle.phase != Phase.SELF_ASSESSMENT:
        return _("The self-assessment phase of this cycle is not open.")
    if assessment.status != AssessmentStatus.DRAFT:
        return _("The sheet has been submitted; it can no longer be changed.")
    opens, closes = cycle.self_assessment_opens, cycle.self_assessment_closes
    if opens and now < opens:
        return fmt(_("The self-assessment opens on %(when)s."), when=vn_time(opens))
    if closes and now > closes:
        return fmt(_("The self-assessment closed on %(when)s."), when=vn_time(closes))
    return None
