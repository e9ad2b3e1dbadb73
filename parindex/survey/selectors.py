"""Reading the survey: who may see what, the questionnaires as data, the tally the engine
scores, and the statistics and progress shown to the secretariat."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parindex.accounts.models import Role, User
from parindex.accounts.permissions import has_role, is_secretariat
from parindex.assessments.errors import fmt
from parindex.assessments.models import Assessment, Cycle
from parindex.assessments.selectors import criteria_for
from parindex.formats.questionnaire import Questionnaire as QuestionnaireDoc
from parindex.formats.questionnaire import questionnaire_leaves, read_questionnaire_yaml
from parindex.jobs.models import Job
from parindex.scoring.model import CriteriaSet, SurveySpec, SurveyTally
from parindex.survey.models import (
    AnswerCount,
    Campaign,
    Invitation,
    Questionnaire,
    ResponseCount,
    SampleTarget,
    SurveyImport,
)
from parindex.survey.stats import QuestionStat, question_stats
from parindex.units.models import Unit


def may_run_survey(user: User | object, authority_id: int) -> bool:
    """The secretariat and the survey administrators of the authority run its surveys."""
    return is_secretariat(user, authority_id) or may_read_personal_data(user, authority_id)


def may_read_personal_data(user: User | object, authority_id: int) -> bool:
    """Only a survey administrator of the authority reads respondents' identifying data."""
    return has_role(user, Role.SURVEY_ADMIN, authority_id=authority_id)


def campaigns_run_by(user: User | object) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("cycle", "cycle__authority")
    ids = [c.pk for c in campaigns if may_run_survey(user, c.cycle.authority_id)]
    return campaigns.filter(pk__in=ids)


def survey_spec(cycle: Cycle) -> SurveySpec | None:
    spec = criteria_for(cycle.criteria_set).survey
    if spec is None or (spec.scale is None and not spec.answers):
        return None
    return spec


def campaign_units(campaign: Campaign) -> QuerySet[Unit]:
    """The units rated: those with a sheet in the campaign's cycle."""
    ids = Assessment.objects.filter(cycle=campaign.cycle_id).values("unit_id")
    return Unit.objects.filter(pk__in=ids).order_by("code")


@lru_cache(maxsize=64)
def _questionnaire_doc(text: str, set_pk: int, set_sha: str) -> QuestionnaireDoc:
    from parindex.criteria.models import CriteriaSetVersion

    criteria = criteria_for(CriteriaSetVersion.objects.get(pk=set_pk))
    return read_questionnaire_yaml(text, "questionnaire.yaml", criteria)


def questionnaire_doc(questionnaire: Questionnaire) -> QuestionnaireDoc:
    """The stored questionnaire as data (read once per text)."""
    version = questionnaire.criteria_set
    return _questionnaire_doc(questionnaire.yaml_text, version.pk, version.sha256)


def questionnaires_of(cycle: Cycle) -> dict[str, QuestionnaireDoc]:
    """Respondent group → its questionnaire, for the cycle's criteria set."""
    stored = Questionnaire.objects.filter(criteria_set=cycle.criteria_set_id).select_related(
        "criteria_set"
    )
    return {q.group: questionnaire_doc(q) for q in stored}


def _answer_key(spec: SurveySpec, answer: str) -> int | str:
    return int(answer) if spec.scale is not None else answer


def response_counts(campaign: Campaign) -> dict[tuple[str, str], int]:
    """(unit code, group) → counted responses."""
    rows = ResponseCount.objects.filter(campaign=campaign, count__gt=0).values_list(
        "unit__code", "group", "count"
    )
    return {(unit, group): n for unit, group, n in rows}


def tally_of(campaign: Campaign, spec: SurveySpec) -> SurveyTally:
    """The counted answers of the campaign as the engine takes them."""
    answers: dict[tuple[str, str, str], dict[int | str, int]] = defaultdict(dict)
    rows = AnswerCount.objects.filter(campaign=campaign, count__gt=0).values_list(
        "unit__code", "group", "question", "answer", "count"
    )
    for unit, group, question, answer, count in rows.iterator(chunk_size=5000):
        answers[(unit, group, question)][_answer_key(spec, answer)] = count
    responses = response_counts(campaign)
    rejected = SurveyImport.objects.filter(campaign=campaign).aggregate(n=Sum("rejected"))["n"]
    return SurveyTally(
        answers=dict(answers),
        responses=responses,
        accepted=sum(responses.values()),
        rejected=rejected or 0,
    )


def survey_tally_of_cycle(cycle: Cycle) -> SurveyTally | None:
    """The engine's survey input for a cycle: its campaign's tally (results.SURVEY_SOURCES)."""
    campaign = Campaign.objects.filter(cycle=cycle).first()
    spec = survey_spec(cycle)
    if campaign is None or spec is None:
        return None
    return tally_of(campaign, spec)


@dataclass(frozen=True)
class Progress:
    """Responses counted against the target for one unit and group."""

    unit: Unit
    group: str
    target: int | None
    population: int | None
    counted: int
    min_sample: int

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return min(100, round(100 * self.counted / self.target))

    @property
    def low_sample(self) -> bool:
        return self.counted < self.min_sample


def progress_of(campaign: Campaign, spec: SurveySpec) -> list[Progress]:
    """Every rated unit × group of the set: target, population and responses counted."""
    targets = {(t.unit_id, t.group): t for t in SampleTarget.objects.filter(campaign=campaign)}
    counted = response_counts(campaign)
    lines: list[Progress] = []
    for unit in campaign_units(campaign):
        for group in spec.groups:
            target = targets.get((unit.pk, group.code))
            lines.append(
                Progress(
                    unit=unit,
                    group=group.code,
                    target=target.target if target else None,
                    population=target.population if target else None,
                    counted=counted.get((unit.code, group.code), 0),
                    min_sample=spec.min_sample,
                )
            )
    return lines


def low_sample_units(campaign: Campaign, spec: SurveySpec, criteria: CriteriaSet) -> list[Unit]:
    """Units whose counted responses in the groups of some survey leaf fall below min_sample:
    the engine will mark those leaves `low_sample` (flagged before finalisation)."""
    if spec.min_sample <= 0:
        return []
    groups_asked = _leaf_group_sets(criteria, spec)
    counted = response_counts(campaign)
    low = []
    for unit in campaign_units(campaign):
        if any(
            sum(counted.get((unit.code, g), 0) for g in groups) < spec.min_sample
            for groups in groups_asked
        ):
            low.append(unit)
    return low


def _leaf_group_sets(criteria: CriteriaSet, spec: SurveySpec) -> set[tuple[str, ...]]:
    from parindex.scoring.model import SurveyRule

    everyone = tuple(g.code for g in spec.groups)
    return {
        tuple(leaf.rule.groups) or everyone
        for leaf in criteria.leaves()
        if isinstance(leaf.rule, SurveyRule)
    }


def statistics_of(campaign: Campaign, spec: SurveySpec) -> list[QuestionStat]:
    """n, mean share and 95% interval per unit, group and question."""
    return question_stats(tally_of(campaign, spec), spec)


def group_label(cycle: Cycle, code: str) -> str:
    spec = survey_spec(cycle)
    found = spec.group(code) if spec else None
    return found.label if found and found.label else code


def group_choices(cycle: Cycle) -> list[tuple[str, str]]:
    spec = survey_spec(cycle)
    return [(g.code, g.label or g.code) for g in spec.groups] if spec else []


@dataclass(frozen=True)
class InvitationCount:
    unit_code: str
    unit_name: str
    group: str
    made: int
    opened: int
    used: int


def invitation_counts(campaign: Campaign) -> list[InvitationCount]:
    """Per unit and group: codes made, opened, and used for a counted answer."""
    from django.db.models import Q

    rows = (
        Invitation.objects.filter(campaign=campaign)
        .values_list("unit__code", "unit__name", "group")
        .annotate(
            made=Count("id"),
            opened=Count("id", filter=Q(opened_at__isnull=False)),
            used=Count("id", filter=Q(submitted_at__isnull=False)),
        )
        .order_by("unit__code", "group")
    )
    return [InvitationCount(*row) for row in rows]


def low_sample_notices(cycle: Cycle) -> list[str | Promise]:
    """Before finalisation: the units whose survey points will stand on too few answers."""
    campaign = Campaign.objects.filter(cycle=cycle).first()
    spec = survey_spec(cycle)
    if campaign is None or spec is None:
        return []
    low = low_sample_units(campaign, spec, criteria_for(cycle.criteria_set))
    if not low:
        return []
    return [
        fmt(
            _(
                "Survey: %(count)s unit(s) have fewer than %(min)s answers in the groups of a "
                "survey leaf (their points will be marked low_sample): %(units)s."
            ),
            count=len(low),
            min=spec.min_sample,
            units=", ".join(unit.name for unit in low),
        )
    ]


@dataclass(frozen=True)
class AskedQuestion:
    """A question of a group's questionnaire with the survey leaves its answers feed."""

    code: str
    text: str
    leaves: tuple[str, ...]


def questions_asked(cycle: Cycle, document: QuestionnaireDoc) -> list[AskedQuestion]:
    feeds = questionnaire_leaves(document, criteria_for(cycle.criteria_set))
    return [AskedQuestion(q.code, q.text, feeds.get(q.code, ())) for q in document.questions]


IMPORT_JOB = "survey.import"


def import_jobs_of(campaign: Campaign) -> QuerySet[Job]:
    """The background imports of answers into `campaign`."""
    return Job.objects.filter(kind=IMPORT_JOB, arguments__campaign_id=campaign.pk)
