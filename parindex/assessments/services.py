"""Cycles (*kỳ đánh giá*) and the self-assessment sheet (*phiếu tự đánh giá*): every write.

Each service checks who may act and in which state (the tables of `workflow.py`), acts in one
transaction with the sheet or cycle row locked, and leaves an audit trail: a `CycleEvent` for a
phase change, a `Change` (who, when, old, new, why) for every value, note, document link and
status change of a sheet. A refusal raises an `AssessmentError` whose messages the views show.

The appraisal, explanation and finalisation services live beside these and follow the same
pattern (`_locked`, a workflow check, a `Change` per correction).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parindex.accounts.models import Role, User
from parindex.accounts.permissions import can_edit_sheet, is_secretariat
from parindex.assessments import workflow
from parindex.assessments.errors import (
    AssessmentError,
    ConflictError,
    EntryState,
    InvalidValueError,
    NotAllowedError,
    SheetIncompleteError,
    bilingual,
    fmt,
)
from parindex.assessments.files import FileRefusedError, checked_upload, safe_name
from parindex.assessments.models import (
    Assessment,
    AssessmentStatus,
    Change,
    ChangeKind,
    Cycle,
    CycleEvent,
    Evidence,
    EvidenceLink,
    LeafEntry,
    Phase,
    ReminderSent,
)
from parindex.assessments.notifications import EmailNotifier, Notice, Notifier
from parindex.assessments.selectors import criteria_for, entered_leaves, sheet_missing
from parindex.criteria.models import CriteriaSetVersion
from parindex.criteria.services import criteria_set_freeze
from parindex.integrity.actor import attributed
from parindex.scoring.messages import ScoringError
from parindex.scoring.model import NA, BooleanRule, ChoiceRule, Node
from parindex.scoring.values import parse_leaf_value
from parindex.units.models import Authority, Unit, UnitGroup

logger = logging.getLogger(__name__)

YES, NO = "có", "không"  # how a yes/no value is stored (the engine reads both, as FORMATS says)
REMINDER_DAYS = (3, 1)  # reminders go this many days before the self-assessment deadline


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, workflow.VN)


# ---------------------------------------------------------------- cycles


@transaction.atomic
def cycle_create(
    *,
    authority: Authority,
    unit_group: UnitGroup,
    criteria_set: CriteriaSetVersion,
    year: int,
    title: str,
    self_assessment_opens: dt.datetime | None = None,
    self_assessment_closes: dt.datetime | None = None,
    appraisal_closes: dt.datetime | None = None,
    explanation_closes: dt.datetime | None = None,
    finalisation_due: dt.datetime | None = None,
    by: User,
) -> Cycle:
    """A new cycle in setup: one year, one unit group, one criteria set version."""
    if not is_secretariat(by, authority.pk):
        raise NotAllowedError(_("Only the secretariat of the authority creates cycles."))
    problems: list[str | Promise] = []
    if unit_group.authority_id != authority.pk:
        problems.append(_("The unit group belongs to another authority."))
    if criteria_set.authority_id != authority.pk:
        problems.append(_("The criteria set belongs to another authority."))
    if criteria_set.unit_group_id != unit_group.pk:
        problems.append(_("The criteria set is for another unit group."))
    if criteria_set.year != year:
        problems.append(
            fmt(
                _("The criteria set is for %(set_year)s, not %(year)s."),
                set_year=criteria_set.year,
                year=year,
            )
        )
    if not title.strip():
        problems.append(_("The cycle needs a title."))
    dates = [
        self_assessment_opens,
        self_assessment_closes,
        appraisal_closes,
        explanation_closes,
        finalisation_due,
    ]
    given = [moment for moment in dates if moment is not None]
    if given != sorted(given):
        problems.append(_("The dates must follow the order of the phases."))
    if Cycle.objects.filter(authority=authority, unit_group=unit_group, year=year).exists():
        problems.append(_("This unit group already has a cycle for that year."))
    if problems:
        raise AssessmentError(*problems)
    cycle = Cycle.objects.create(
        authority=authority,
        unit_group=unit_group,
        criteria_set=criteria_set,
        year=year,
        title=title.strip(),
        self_assessment_opens=self_assessment_opens,
        self_assessment_closes=self_assessment_closes,
        appraisal_closes=appraisal_closes,
        explanation_closes=explanation_closes,
        finalisation_due=finalisation_due,
    )
    CycleEvent.objects.create(cycle=cycle, old_phase="", new_phase=cycle.phase, by=by)
    return cycle


@transaction.atomic
@attributed
def cycle_advance(*, cycle: Cycle, to_phase: str, by: User, reason: str = "") -> Cycle:
    """Move the cycle to its next phase, by the role the workflow names for that step.

    Opening the self-assessment freezes the criteria set version and creates one sheet per
    unit of the group standing at the end of the cycle's year. Finalisation is
    `appraisal.cycle_finalise` (locks every sheet, computes the results).
    """
    if to_phase == Phase.FINALISATION:
        from parindex.assessments.appraisal import cycle_finalise

        return cycle_finalise(cycle=cycle, by=by, reason=reason)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    roles = workflow.cycle_roles(cycle.phase, to_phase)
    if roles is None:
        following = workflow.next_phase(cycle.phase)
        raise AssessmentError(
            fmt(
                _("The cycle is in the phase “%(current)s”; it can only move to “%(next)s”."),
                current=Phase(cycle.phase).label,
                next=Phase(following).label if following else "—",
            )
            if following
            else _("The cycle is published; it has no further phase.")
        )
    if not workflow.holds_any(by, roles, authority_id=cycle.authority_id):
        raise NotAllowedError(_("Your role does not allow this step of the cycle."))
    if to_phase == Phase.SELF_ASSESSMENT:
        _open_self_assessment(cycle)
    old = cycle.phase
    cycle.phase = to_phase
    cycle.save(update_fields=["phase", "updated_at"])
    CycleEvent.objects.create(cycle=cycle, old_phase=old, new_phase=to_phase, reason=reason, by=by)
    return cycle


def _open_self_assessment(cycle: Cycle) -> None:
    if cycle.self_assessment_closes is None:
        raise AssessmentError(_("Set the self-assessment deadline before opening it."))
    year_end = dt.date(cycle.year, 12, 31)
    units = Unit.objects.filter(group=cycle.unit_group).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=year_end),
        Q(valid_to__isnull=True) | Q(valid_to__gte=year_end),
    )
    if not units.exists():
        raise AssessmentError(
            fmt(_("The unit group has no unit standing at the end of %(year)s."), year=cycle.year)
        )
    criteria_set_freeze(version=cycle.criteria_set)
    existing = set(cycle.assessments.values_list("unit_id", flat=True))
    Assessment.objects.bulk_create(
        Assessment(cycle=cycle, unit=unit) for unit in units if unit.pk not in existing
    )


# ---------------------------------------------------------------- the sheet


def _locked(assessment: Assessment) -> Assessment:
    """The sheet row, locked until the transaction ends: saves to one sheet go one by one."""
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle__criteria_set", "unit")
        .get(pk=assessment.pk)
    )


def _refuse_unless_editable(assessment: Assessment, by: User) -> None:
    """The unit's focal point or head, in the self-assessment phase, before the deadline, on a
    sheet not yet submitted."""
    if not can_edit_sheet(by, assessment.unit_id):
        raise NotAllowedError(_("Only the unit's focal point and head fill in its sheet."))
    _refuse_unless_open(assessment)


def _refuse_unless_documents_open(assessment: Assessment, by: User, codes: list[str]) -> None:
    """Documents are added while the sheet is editable, and in the explanation phase to back
    the unit's explanation of a corrected leaf (SPEC §3.4)."""
    if assessment.cycle.phase != Phase.EXPLANATION:
        _refuse_unless_editable(assessment, by)
        return
    if not can_edit_sheet(by, assessment.unit_id):
        raise NotAllowedError(_("Only the unit's focal point and head fill in its sheet."))
    closed = workflow.explanation_closed(assessment, timezone.now())
    if closed is not None:
        raise AssessmentError(closed)
    corrected = {
        entry.code
        for entry in LeafEntry.objects.filter(assessment=assessment, code__in=codes)
        if entry.appraised_value.strip() and entry.appraised_value != entry.value
    }
    for code in codes:
        if code not in corrected:
            raise AssessmentError(
                fmt(_("%(code)s was not corrected; there is nothing to explain."), code=code)
            )


def _refuse_unless_open(assessment: Assessment) -> None:
    reason = workflow.self_assessment_closed(assessment, timezone.now())
    if reason is not None:
        raise AssessmentError(reason)


def _entered_leaf(assessment: Assessment, code: str) -> Node:
    leaf = entered_leaves(criteria_for(assessment.cycle.criteria_set)).get(code)
    if leaf is None:
        raise InvalidValueError(
            code, fmt(_("%(code)s is not a criterion the unit scores itself."), code=code)
        )
    return leaf


def _canonical(leaf: Node, text: str) -> str:
    """The value as stored: an option by its code, yes/no as `có`/`không`, not applicable as
    `NA`; anything else as typed (the engine reads it again, exactly).

    Raises InvalidValueError with the engine's bilingual reason when the text does not fit the rule.
    """
    cleaned = text.strip()
    if not cleaned:
        return ""
    try:
        value = parse_leaf_value(leaf, cleaned)
    except ScoringError as error:
        raise InvalidValueError(leaf.code, bilingual(error.message)) from None
    if value is NA:
        return "NA"
    if isinstance(leaf.rule, ChoiceRule) and isinstance(value, str):
        return value
    if isinstance(leaf.rule, BooleanRule) and isinstance(value, bool):
        return YES if value else NO
    return cleaned


def _record(
    assessment: Assessment,
    *,
    kind: str,
    by: User,
    code: str = "",
    old: str = "",
    new: str = "",
    reason: str = "",
) -> Change:
    return Change.objects.create(
        assessment=assessment, code=code, kind=kind, old=old, new=new, reason=reason, by=by
    )


def _touch(assessment: Assessment) -> None:
    assessment.revision += 1
    assessment.save(update_fields=["revision", "updated_at"])


@transaction.atomic
@attributed
def entry_save(
    *,
    assessment: Assessment,
    code: str,
    value: str,
    note: str,
    expected_version: int,
    by: User,
    reason: str = "",
) -> LeafEntry:
    """Save a leaf's self-assessed value and note.

    `expected_version` is the entry's version the form was loaded with (0 for a leaf never
    saved). If someone saved the leaf since, nothing is written and ConflictError carries what
    they left, so the page can show both. Every change is recorded (who, when, old, new, why);
    the entry's version and the sheet's revision go up by one per save that changes anything.
    """
    assessment = _locked(assessment)
    _refuse_unless_editable(assessment, by)
    leaf = _entered_leaf(assessment, code)
    value = _canonical(leaf, value)
    note = note.strip()
    entry = LeafEntry.objects.filter(assessment=assessment, code=code).first()
    current = entry.version if entry else 0
    if expected_version != current:
        if entry is not None and _is_resent(entry, expected_version, value, note, by):
            return entry
        raise ConflictError(
            code,
            _entry_state(assessment, code, entry),
            _("Someone else saved this criterion in the meantime; your change was not saved."),
        )
    if entry is None:
        entry = LeafEntry(assessment=assessment, code=code)
    if entry.value == value and entry.note == note:
        return entry  # nothing changed (a leaf never saved stays unsaved)
    if entry.value != value:
        _record(
            assessment,
            kind=ChangeKind.VALUE,
            by=by,
            code=code,
            old=entry.value,
            new=value,
            reason=reason,
        )
    if entry.note != note:
        _record(assessment, kind=ChangeKind.NOTE, by=by, code=code, old=entry.note, new=note)
    entry.value, entry.note = value, note
    entry.version = current + 1
    entry.save()
    _touch(assessment)
    return entry


def _is_resent(entry: LeafEntry, expected_version: int, value: str, note: str, by: User) -> bool:
    """The save is one already done, sent again: the leaf holds exactly this value and note, one
    version on, and its last change is this person's.

    A browser sends a save again when it got no answer; the first sending may have been
    committed all the same (a database restart at COMMIT answers 503, outcome unknown). Telling
    that person "someone else saved" would be wrong: their save is there.
    """
    if entry.version != expected_version + 1 or (entry.value, entry.note) != (value, note):
        return False
    last = (
        Change.objects.filter(assessment_id=entry.assessment_id, code=entry.code)
        .order_by("-at", "-id")
        .values_list("by_id", flat=True)
        .first()
    )
    return last == by.pk


def _entry_state(assessment: Assessment, code: str, entry: LeafEntry | None) -> EntryState:
    last = (
        Change.objects.filter(assessment=assessment, code=code)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )
    who = ""
    if last is not None and last.by is not None:
        who = last.by.get_full_name() or last.by.get_username()
    return EntryState(
        value=entry.value if entry else "",
        note=entry.note if entry else "",
        version=entry.version if entry else 0,
        by=who,
        at=last.at if last else None,
    )


# ---------------------------------------------------------------- evidence


@transaction.atomic
@attributed
def evidence_upload(
    *,
    assessment: Assessment,
    file: File[bytes],
    codes: Sequence[str],
    by: User,
) -> Evidence:
    """Keep a document (*tài liệu kiểm chứng*) and link it to the leaves it backs.

    The type is told from the bytes; the size is limited by `EVIDENCE_MAX_BYTES`. The same
    file uploaded again to the sheet is the same document (by SHA-256): only new links are
    added. Files are stored under MEDIA_ROOT, which no URL serves.
    """
    assessment = _locked(assessment)
    leaves = _leaves_for_links(assessment, codes)
    _refuse_unless_documents_open(assessment, by, leaves)
    try:
        checked = checked_upload(file, settings.EVIDENCE_MAX_BYTES)
    except FileRefusedError as refused:
        raise AssessmentError(refused.reason) from None
    sha256, size, kind = checked.sha256, checked.size, checked.kind
    evidence = Evidence.objects.filter(assessment=assessment, sha256=sha256).first()
    if evidence is None:
        evidence = Evidence(
            assessment=assessment,
            original_name=safe_name(file.name or "", kind),
            content_type=kind.content_type,
            size=size,
            sha256=sha256,
            uploaded_by=by,
        )
        evidence.file.save(checked.stored_name, file, save=False)
        evidence.save()
    _link(assessment, evidence, leaves, by)
    return evidence


def evidence_orphans_remove(
    *, older_than: dt.timedelta = dt.timedelta(hours=1), now: dt.datetime | None = None
) -> list[str]:
    """Delete stored files that no document names, once older than `older_than`.

    A file is written before its row is committed; when the transaction is rolled back (a
    later file of the same explanation refused, a crash) the file stays behind with no row.
    The age guard spares the file of an upload still in flight. Returns the names removed.
    """
    storage = Evidence._meta.get_field("file").storage
    known = set(Evidence.objects.values_list("file", flat=True))
    cutoff = (now or timezone.now()) - older_than
    removed: list[str] = []
    for name in _stored_files(storage, "evidence"):
        if name not in known and storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            removed.append(name)
    if removed:
        logger.warning("removed %d evidence file(s) that no document names", len(removed))
    return removed


def _stored_files(storage: Storage, folder: str) -> Iterator[str]:
    # not storage.exists(folder): object stores have no folders, only names with slashes
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(folders):
        yield from _stored_files(storage, f"{folder}/{sub}")


def _leaves_for_links(assessment: Assessment, codes: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    if not wanted:
        raise AssessmentError(_("Choose the criterion the document backs."))
    for code in wanted:
        _entered_leaf(assessment, code)
    return wanted


def _link(assessment: Assessment, evidence: Evidence, codes: list[str], by: User) -> None:
    linked = set(evidence.links.values_list("code", flat=True))
    new = [code for code in codes if code not in linked]
    for code in new:
        EvidenceLink.objects.create(evidence=evidence, code=code)
        _record(assessment, kind=ChangeKind.EVIDENCE, by=by, code=code, new=_label(evidence))
    if new:
        _touch(assessment)


def _label(evidence: Evidence) -> str:
    return f"{evidence.original_name} (SHA-256 {evidence.sha256[:12]})"


@transaction.atomic
@attributed
def evidence_link(*, evidence: Evidence, codes: Sequence[str], by: User) -> Evidence:
    """Let a document already uploaded to the sheet back more leaves."""
    assessment = _locked(evidence.assessment)
    _refuse_unless_editable(assessment, by)
    _link(assessment, evidence, _leaves_for_links(assessment, codes), by)
    return evidence


@transaction.atomic
@attributed
def evidence_unlink(*, evidence: Evidence, code: str, by: User, reason: str = "") -> None:
    """The document no longer backs the leaf. The document itself is kept (history)."""
    assessment = _locked(evidence.assessment)
    _refuse_unless_editable(assessment, by)
    removed, _count = EvidenceLink.objects.filter(evidence=evidence, code=code).delete()
    if removed:
        _record(
            assessment,
            kind=ChangeKind.EVIDENCE,
            by=by,
            code=code,
            old=_label(evidence),
            reason=reason,
        )
        _touch(assessment)


# ---------------------------------------------------------------- submission


@transaction.atomic
@attributed
def assessment_submit(*, assessment: Assessment, by: User) -> Assessment:
    """The head approves and submits the sheet (SPEC §3.2); refused with the list of every
    leaf that still lacks a value or required evidence."""
    assessment = _locked(assessment)
    target = AssessmentStatus.SUBMITTED
    roles = workflow.sheet_roles(assessment.status, target) or (Role.UNIT_HEAD,)
    if not workflow.holds_any(
        by, roles, authority_id=assessment.cycle.authority_id, unit_id=assessment.unit_id
    ):
        raise NotAllowedError(_("Only the head of the unit submits its sheet."))
    _refuse_unless_open(assessment)
    missing = sheet_missing(assessment)
    if missing:
        raise SheetIncompleteError(
            missing,
            fmt(
                _("The sheet cannot be submitted yet: %(count)s criteria are incomplete."),
                count=len(missing),
            ),
        )
    old = assessment.status
    assessment.status = target
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = by
    assessment.revision += 1
    assessment.save(
        update_fields=["status", "submitted_at", "submitted_by", "revision", "updated_at"]
    )
    _record(assessment, kind=ChangeKind.STATUS, by=by, old=old, new=target)
    return assessment


# ---------------------------------------------------------------- reminders


def reminders_send(
    *,
    now: dt.datetime | None = None,
    notifier: Notifier | None = None,
    days: Iterable[int] = REMINDER_DAYS,
) -> int:
    """Remind the focal points and heads of every unsubmitted sheet, `days` days (by the
    Vietnamese calendar) before its self-assessment deadline. Safe to run often: a reminder
    goes once per sheet, deadline and day. Returns the number of notices sent."""
    now = now or timezone.now()
    notifier = notifier or EmailNotifier()
    wanted = set(days)
    sent = 0
    cycles = Cycle.objects.filter(
        phase=Phase.SELF_ASSESSMENT, self_assessment_closes__gt=now
    ).select_related("authority")
    for cycle in cycles:
        deadline = cycle.self_assessment_closes
        assert deadline is not None  # the filter above
        left = (local(deadline).date() - local(now).date()).days
        if left not in wanted:
            continue
        sheets = cycle.assessments.filter(status=AssessmentStatus.DRAFT).select_related("unit")
        for sheet in sheets:
            sent += _remind(sheet, cycle, deadline, left, notifier)
    return sent


def _site_link(path: str) -> str:
    """The full address of a page for an e-mail, when the site's address is configured."""
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else ""


def _remind(
    sheet: Assessment, cycle: Cycle, deadline: dt.datetime, left: int, notifier: Notifier
) -> int:
    people = tuple(
        User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__unit=sheet.unit,
            memberships__role__in=[Role.FOCAL_POINT, Role.UNIT_HEAD],
        )
        .distinct()
        .order_by("pk")
    )
    if not people:
        return 0
    context = {
        "cycle": cycle,
        "unit": sheet.unit,
        "days": left,
        "deadline": workflow.vn_time(deadline),
        "link": _site_link(reverse("assessments:sheet", args=[sheet.pk])),
    }
    with translation.override(settings.LANGUAGE_CODE):
        notice = Notice(
            recipients=people,
            subject=render_to_string("assessments/email/reminder_subject.txt", context)
            .strip()
            .replace("\n", " "),
            body=render_to_string("assessments/email/reminder_body.txt", context),
            short=render_to_string("assessments/email/reminder_sms.txt", context).strip(),
        )
    try:
        with transaction.atomic():  # the record stays only if the notice went
            ReminderSent.objects.create(assessment=sheet, deadline=deadline, days_before=left)
            notifier.send(notice)
    except IntegrityError:
        return 0  # already sent for this deadline and day
    except Exception:  # one unreachable mail server must not stop the other reminders
        logger.exception("reminder for sheet %s not sent", sheet.pk)
        return 0
    return 1
