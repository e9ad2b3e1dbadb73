"""Building blocks of the demo (*tỉnh mẫu*): accounts, example inputs, filled sheets, PDFs.

Shared by the province (`services.py`) and the city (`city.py`); every write goes through the
application's services.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile

from parindex.accounts.models import Role, User
from parindex.accounts.services import membership_grant
from parindex.assessments.errors import SheetIncompleteError
from parindex.assessments.models import (
    Assessment,
)
from parindex.assessments.selectors import criteria_for, entered_leaves
from parindex.assessments.services import (
    assessment_submit,
    entry_save,
    evidence_upload,
)
from parindex.criteria.models import CriterionNode
from parindex.formats.answers import read_answers
from parindex.formats.criteria import parse_criteria
from parindex.formats.inputs import read_metrics, read_units, read_values, units_for
from parindex.scoring.model import BooleanRule, ChoiceRule, Inputs
from parindex.units.models import Authority, Unit

DATA = Path(__file__).resolve().parent / "data"
PASSWORD = "demo-parindex-2024"  # printed on start: a local demo, not a secret

Say = Callable[[str], None]


@functools.cache
def _password_hash() -> str:
    return make_password(PASSWORD)  # hashed once: sixty PBKDF2 runs would take half a minute


def user_make(username: str, name: str, *, superuser: bool = False) -> User:
    user = User(username=username, first_name=name, is_staff=superuser, is_superuser=superuser)
    user.password = _password_hash()
    user.save()
    return user


def unit_people(authority: Authority, groups: list[str]) -> dict[str, User]:
    """A focal point (`<unit>.dau_moi`) and a head (`<unit>.thu_truong`) for every unit."""
    people = {}
    for unit in Unit.objects.filter(authority=authority, group__code__in=groups):
        for role, suffix, title in (
            (Role.FOCAL_POINT, "dau_moi", "Đầu mối CCHC"),
            (Role.UNIT_HEAD, "thu_truong", "Thủ trưởng"),
        ):
            user = user_make(f"{unit.code.lower()}.{suffix}", f"{title} {unit.name}")
            membership_grant(user=user, authority=authority, role=role, unit=unit, by=None)
            people[user.username] = user
    return people


def example_inputs(stem: str, yaml_text: str) -> Inputs:
    criteria = parse_criteria(yaml_text)
    records = read_units(DATA / f"{stem}-units.csv")
    units = units_for(records, unit_group=criteria.unit_group, year=criteria.year)
    codes = {u.code for u in units}
    values = read_values(DATA / f"{stem}-values.csv", criteria, codes)
    metrics = read_metrics(DATA / f"{stem}-metrics.csv", codes)
    tally, _ = read_answers(DATA / f"{stem}-answers.csv", criteria, codes)
    return Inputs(units=units, values=values, metrics=metrics, survey=tally)


def lower_value(rule: object, value: str) -> str:
    """A lower value of the same rule (a choice's next option, yes → no), or '' if none."""
    if isinstance(rule, ChoiceRule):
        codes = [option.code for option in rule.options]
        if value in codes and codes.index(value) + 1 < len(codes):
            return codes[codes.index(value) + 1]
    if isinstance(rule, BooleanRule) and value.casefold() in ("có", "co", "yes", "1", "true"):
        return "không"
    return ""


def evidence_leaves_by_field(version_id: int) -> dict[str, list[str]]:
    leaves: dict[str, list[str]] = {}
    for node in CriterionNode.objects.filter(
        criteria_set_id=version_id, is_leaf=True, evidence_required=True
    ):
        leaves.setdefault(node.code.split(".")[0], []).append(node.code)
    return leaves


def sheet_fill(
    assessment: Assessment,
    inputs: Inputs,
    people: dict[str, User],
    evidence_leaves: dict[str, list[str]],
) -> None:
    code = assessment.unit.code.lower()
    focal, head = people[f"{code}.dau_moi"], people[f"{code}.thu_truong"]
    entered = entered_leaves(criteria_for(assessment.cycle.criteria_set))
    for leaf, entry in sorted(inputs.values.get(assessment.unit.code, {}).items()):
        if leaf not in entered:  # data leaves come from imported data, not from the unit
            continue
        entry_save(
            assessment=assessment,
            code=leaf,
            value=entry.text,
            note=entry.note,
            expected_version=0,
            by=focal,
        )
    for field, leaves in sorted(evidence_leaves.items()):
        document = ContentFile(
            pdf(f"{assessment.unit.name}: tai lieu kiem chung linh vuc {field}"),
            name=f"{assessment.unit.code}-linh-vuc-{field}.pdf",
        )
        evidence_upload(assessment=assessment, file=document, codes=leaves, by=focal)
    with contextlib.suppress(SheetIncompleteError):  # incomplete sheets stay in draft, as in life
        assessment_submit(assessment=assessment, by=head)


def pdf(text: str) -> bytes:
    """A small, valid one-page PDF saying `text` (ASCII), with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
