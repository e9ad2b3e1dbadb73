"""Appraisal (*thẩm định*), explanation (*giải trình*) and finalisation: every write (SPEC §3.3–6).

The same pattern as `services.py`: keyword-only `<entity>_<verb>` functions, one transaction
with the sheet (or cycle) row locked, the workflow's checks, and a `Change` for everything that
moves a value or a status (who, when, old, new, why). A refusal raises an `AssessmentError`.

How a sheet moves on (the rows of `workflow.SHEET_STATUSES`):

- submitted → appraised: by itself, when every leaf that names an appraising agency has been
  confirmed or corrected. Leaves with no agency are not appraised; their self value stands.
- submitted/appraised → explained: when the unit contests a correction.
- any → final: when the council chair finalises the cycle (`cycle_finalise`), which also
  computes the results. Publication stays `results.services.publication_publish`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parindex.accounts.models import User
from parindex.accounts.permissions import (
    appraiser_agencies,
    can_appraise,
    can_edit_sheet,
    is_council_chair,
)
from parindex.assessments import workflow
from parindex.assessments.errors import (
    AssessmentError,
    ConflictError,
    EntryState,
    NotAllowedError,
    fmt,
)
from parindex.assessments.models import (
    Assessment,
    AssessmentStatus,
    ChangeKind,
    Cycle,
    CycleEvent,
    Explanation,
    ExplanationDecision,
    LeafEntry,
    Phase,
)
from parindex.assessments.services import (
    _canonical,
    _entered_leaf,
    _entry_state,
    _locked,
    _record,
    _touch,
)
from parindex.integrity.actor import attributed
from parindex.results.services import results_compute


def agency_of(assessment: Assessment, code: str) -> str:
    """The appraising agency the criteria set names for a leaf ('' when none)."""
    from parindex.assessments.selectors import nodes_for

    found = next((n for n in nodes_for(assessment.cycle.criteria_set) if n.code == code), None)
    return found.appraiser if found else ""


def effective_value(entry: LeafEntry) -> str:
    """The value the final results use: the appraised one when there is one, else the unit's."""
    return entry.appraised_value if entry.appraised_value.strip() else entry.value


def is_corrected(entry: LeafEntry) -> bool:
    """The appraiser changed the unit's value (a confirmation is not a correction)."""
    return bool(entry.appraised_value.strip()) and entry.appraised_value != entry.value


def _state(assessment: Assessment, code: str, entry: LeafEntry | None) -> EntryState:
    state = _entry_state(assessment, code, entry)
    if entry is None:
        return state
    return EntryState(effective_value(entry), state.note, state.version, state.by, state.at)


def _set_status(assessment: Assessment, target: str, by: User) -> None:
    old = assessment.status
    if old == target:
        return
    assessment.status = target
    assessment.revision += 1
    assessment.save(update_fields=["status", "revision", "updated_at"])
    _record(assessment, kind=ChangeKind.STATUS, by=by, old=old, new=target)


# ---------------------------------------------------------------- appraisal


@transaction.atomic
@attributed
def entry_appraise(
    *,
    value: str,
    expected_version: int,
    by: User,
    reason: str = "",
    entry: LeafEntry | None = None,
    assessment: Assessment | None = None,
    code: str = "",
) -> LeafEntry:
    """Confirm or correct a unit's value for one leaf (*thẩm định*).

    Give the `entry`, or the `assessment` and leaf `code`. Only an appraiser of the leaf's
    agency, not belonging to the unit, in the appraisal phase, before its deadline, on a
    submitted sheet. The same value as the unit's confirms it (a reason is optional); another
    value corrects it and needs a reason. `expected_version` works as in `entry_save`.
    """
    if entry is not None:
        assessment, code = entry.assessment, entry.code
    if assessment is None or not code:
        raise TypeError("entry_appraise needs an entry, or an assessment and a code")
    assessment = _locked(assessment)
    agency = agency_of(assessment, code)
    if not can_appraise(
        by, authority_id=assessment.cycle.authority_id, unit_id=assessment.unit_id, agency=agency
    ):
        raise NotAllowedError(
            _("Only an appraiser of the criterion's agency, from another unit, appraises it.")
        )
    closed = workflow.appraisal_closed(assessment, timezone.now())
    if closed is not None:
        raise AssessmentError(closed)
    leaf = _entered_leaf(assessment, code)
    value = _canonical(leaf, value)
    reason = reason.strip()
    if not value:
        raise AssessmentError(_("Give the appraised value (the unit's value to confirm it)."))
    found = LeafEntry.objects.filter(assessment=assessment, code=code).first()
    current = found.version if found else 0
    if expected_version != current:
        raise ConflictError(
            code,
            _state(assessment, code, found),
            _("Someone else saved this criterion in the meantime; your change was not saved."),
        )
    target = found or LeafEntry(assessment=assessment, code=code)
    if value != target.value and not reason:
        raise AssessmentError(
            fmt(_("%(code)s: a correction needs a reason the unit can read."), code=code)
        )
    old = effective_value(target)
    if (
        target.appraised_at
        and target.appraised_value == value
        and target.appraisal_reason == reason
    ):
        return target  # nothing changed
    _record(
        assessment,
        kind=ChangeKind.APPRAISAL,
        by=by,
        code=code,
        old=old,
        new=value,
        reason=reason,
    )
    target.appraised_value = value
    target.appraisal_reason = reason
    target.appraised_at = timezone.now()
    target.appraised_by = by
    target.version = current + 1
    target.save()
    _touch(assessment)
    if assessment.status == AssessmentStatus.SUBMITTED and not leaves_to_appraise(assessment):
        _set_status(assessment, AssessmentStatus.APPRAISED, by)
    return target


@transaction.atomic
@attributed
def appraisals_confirm_remaining(*, assessment: Assessment, by: User) -> list[str]:
    """Confirm, as the unit gave them, every value of the sheet the appraiser's agencies still
    have to appraise (the ones they found right after checking them one by one).

    Each goes through `entry_appraise`, so every rule and history row is the same as for one
    leaf; a leaf without a value is left for the appraiser. All or nothing. Returns the codes.
    """
    assessment = _locked(assessment)
    agencies = appraiser_agencies(by, assessment.cycle.authority_id)
    remaining = [
        code for code in leaves_to_appraise(assessment) if agency_of(assessment, code) in agencies
    ]
    entries = {
        entry.code: entry
        for entry in LeafEntry.objects.filter(assessment=assessment, code__in=remaining)
    }
    confirmed: list[str] = []
    for code in remaining:
        entry = entries.get(code)
        if entry is None or not entry.value.strip():
            continue
        entry_appraise(
            assessment=assessment,
            code=code,
            value=entry.value,
            expected_version=entry.version,
            by=by,
        )
        confirmed.append(code)
    return confirmed


def leaves_to_appraise(assessment: Assessment) -> list[str]:
    """The codes of the sheet's entered leaves that name an agency and are not appraised yet."""
    from parindex.assessments.selectors import criteria_for, entered_leaves, nodes_for

    version = assessment.cycle.criteria_set
    entered = entered_leaves(criteria_for(version))
    wanted = [
        node.code
        for node in nodes_for(version)
        if node.is_leaf and node.code in entered and node.appraiser
    ]
    done = set(
        LeafEntry.objects.filter(
            assessment=assessment, code__in=wanted, appraised_at__isnull=False
        ).values_list("code", flat=True)
    )
    return [code for code in wanted if code not in done]


# ---------------------------------------------------------------- explanation


@transaction.atomic
@attributed
def explanation_submit(
    *, entry: LeafEntry, argument: str, proposed_value: str = "", by: User
) -> Explanation:
    """The unit contests a correction (*giải trình*): its focal point or head, in the
    explanation phase, before its deadline, on a corrected leaf, with an argument. An empty
    proposed value asks for the unit's own value back. New documents go through
    `services.evidence_upload`, which accepts them for corrected leaves in this phase."""
    assessment = _locked(entry.assessment)
    entry = LeafEntry.objects.get(pk=entry.pk)
    if not can_edit_sheet(by, assessment.unit_id):
        raise NotAllowedError(_("Only the unit's focal point and head explain its sheet."))
    closed = workflow.explanation_closed(assessment, timezone.now())
    if closed is not None:
        raise AssessmentError(closed)
    if not is_corrected(entry):
        raise AssessmentError(
            fmt(_("%(code)s was not corrected; there is nothing to explain."), code=entry.code)
        )
    argument = argument.strip()
    if not argument:
        raise AssessmentError(_("Write the argument for the council."))
    proposed = _canonical(_entered_leaf(assessment, entry.code), proposed_value)
    if entry.explanations.filter(decision=ExplanationDecision.PENDING).exists():
        raise AssessmentError(
            fmt(_("%(code)s already has an explanation awaiting a decision."), code=entry.code)
        )
    explanation = Explanation.objects.create(
        entry=entry, argument=argument, proposed_value=proposed, by=by
    )
    _record(
        assessment,
        kind=ChangeKind.EXPLANATION,
        by=by,
        code=entry.code,
        old=entry.appraised_value,
        new=proposed or entry.value,
        reason=argument,
    )
    _touch(assessment)
    if assessment.status in (AssessmentStatus.SUBMITTED, AssessmentStatus.APPRAISED):
        _set_status(assessment, AssessmentStatus.EXPLAINED, by)
    return explanation


def may_decide(user: User | object, explanation: Explanation) -> bool:
    """The council chair of the authority, or an appraiser of the leaf's agency who does not
    belong to the unit (the second appraisal, *phúc tra*)."""
    assessment = explanation.entry.assessment
    authority_id = assessment.cycle.authority_id
    if is_council_chair(user, authority_id):
        return True
    return can_appraise(
        user,
        authority_id=authority_id,
        unit_id=assessment.unit_id,
        agency=agency_of(assessment, explanation.entry.code),
    )


@transaction.atomic
@attributed
def explanation_decide(
    *, explanation: Explanation, accept: bool, reason: str = "", by: User
) -> Explanation:
    """Decide an explanation (*phúc tra*). Accepting sets the appraised value to the proposed
    value (or back to the unit's own value), with a history line; rejecting keeps the
    correction and needs a reason."""
    assessment = _locked(explanation.entry.assessment)
    explanation = Explanation.objects.select_related("entry").get(pk=explanation.pk)
    entry = explanation.entry
    if not may_decide(by, explanation):
        raise NotAllowedError(
            _("Only the council chair or an appraiser of the criterion's agency decides.")
        )
    if assessment.cycle.phase != Phase.EXPLANATION:
        raise AssessmentError(_("Explanations are decided during the explanation phase."))
    if explanation.decision != ExplanationDecision.PENDING:
        raise AssessmentError(_("This explanation has already been decided."))
    reason = reason.strip()
    if not accept and not reason:
        raise AssessmentError(_("Say why the explanation is rejected."))
    explanation.decision = ExplanationDecision.ACCEPTED if accept else ExplanationDecision.REJECTED
    explanation.decided_by = by
    explanation.decided_at = timezone.now()
    explanation.decision_reason = reason
    explanation.save()
    if accept:
        new = explanation.proposed_value or entry.value
        _record(
            assessment,
            kind=ChangeKind.APPRAISAL,
            by=by,
            code=entry.code,
            old=entry.appraised_value,
            new=new,
            reason=reason or str(_("Explanation accepted.")),
        )
        entry.appraised_value = new
        entry.appraisal_reason = reason or entry.appraisal_reason
        entry.appraised_at = timezone.now()
        entry.appraised_by = by
    else:
        _record(
            assessment,
            kind=ChangeKind.EXPLANATION,
            by=by,
            code=entry.code,
            old=explanation.proposed_value or entry.value,
            new=entry.appraised_value,
            reason=reason,
        )
    entry.version += 1
    entry.save()
    _touch(assessment)
    return explanation


# ---------------------------------------------------------------- finalisation


@transaction.atomic
@attributed
def cycle_finalise(*, cycle: Cycle, by: User, reason: str = "") -> Cycle:
    """The council chair locks the results (SPEC §3.5): every sheet becomes final, the cycle
    moves to finalisation and the engine computes the results from the final values. Refused
    while an explanation awaits its decision."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    roles = workflow.cycle_roles(cycle.phase, Phase.FINALISATION)
    if roles is None:
        raise AssessmentError(_("Only a cycle in its explanation phase can be finalised."))
    if not workflow.holds_any(by, roles, authority_id=cycle.authority_id):
        raise NotAllowedError(_("Only the council chair finalises the cycle."))
    pending = Explanation.objects.filter(
        entry__assessment__cycle=cycle, decision=ExplanationDecision.PENDING
    ).count()
    if pending:
        raise AssessmentError(
            fmt(
                _("%(count)s explanations still await a decision; decide them first."),
                count=pending,
            )
        )
    for sheet in cycle.assessments.select_for_update().exclude(status=AssessmentStatus.FINAL):
        _set_status(sheet, AssessmentStatus.FINAL, by)
    old = cycle.phase
    cycle.phase = Phase.FINALISATION
    cycle.save(update_fields=["phase", "updated_at"])
    CycleEvent.objects.create(
        cycle=cycle, old_phase=old, new_phase=cycle.phase, reason=reason, by=by
    )
    results_compute(cycle=cycle, by=by)
    return cycle
