"""Builders for the cycle and sheet tests: a small criteria set, a cycle with two units and the
people of every role. Authorities, units and users come from the shared factories."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.utils import timezone
from factories import AuthorityFactory, MembershipFactory, UnitFactory, UserFactory

from parindex.accounts.models import Role, User
from parindex.assessments import workflow
from parindex.assessments.models import Assessment, Cycle, Phase
from parindex.assessments.services import cycle_advance, cycle_create
from parindex.criteria.models import CriteriaSetVersion
from parindex.criteria.services import criteria_set_import
from parindex.units.models import Authority, Unit, UnitGroup

# Every rule type the sheet shows an input for, a survey leaf and a data leaf (not entered by
# the unit), a leaf that asks for evidence and a bonus node. 20 points.
SET = """\
code: T-2024
title: Bộ tiêu chí thử năm 2024
year: 2024
unit_group: so_nganh
max_points: 20
decimals: 2
not_applicable: exclude
classes:
  - {code: tot, label: Tốt, min: 90}
  - {code: kha, label: Khá, min: 70}
  - {code: yeu, label: Yếu, min: 0}
survey:
  scale: {min: 1, max: 5}
  groups: [{code: nguoi_dan, label: Người dân, weight: 1}]
nodes:
  - code: "1"
    title: Công tác chỉ đạo, điều hành
    children:
      - code: "1.1"
        title: Kế hoạch CCHC năm
        children:
          - code: "1.1.1"
            title: Ban hành kế hoạch CCHC năm
            max: 2
            source: self
            evidence: Quyết định ban hành kế hoạch
            rule:
              type: choice
              options:
                - {code: dung_han, label: Đúng hạn, points: 2}
                - {code: cham, label: Chậm, points: 1}
                - {code: khong, label: Không ban hành, points: 0}
          - code: "1.1.2"
            title: Có báo cáo CCHC định kỳ
            max: 1
            source: self
            rule: {type: boolean, "yes": 1, "no": 0}
      - code: "1.2"
        title: Tỷ lệ hoàn thành nhiệm vụ
        max: 3
        source: self
        rule:
          type: brackets
          brackets: [{min: 100%, points: 3}, {min: 80%, points: 2}, {min: 0, points: 0}]
  - code: "2"
    title: Cải cách thủ tục hành chính
    children:
      - {code: "2.1", title: Hồ sơ giải quyết đúng hạn, max: 4, source: self,
         rule: {type: ratio, zero_denominator: full}}
      - {code: "2.2", title: Vi phạm quy định, max: 3, source: self,
         rule: {type: deduction, per: 1}}
      - {code: "2.3", title: Sự hài lòng của người dân, max: 4, source: survey,
         rule: {type: survey, questions: [q1]}}
      - {code: "2.4", title: Hồ sơ trực tuyến, max: 3, source: data,
         rule: {type: data, metric: online_rate, then: {type: ratio}}}
  - {code: "B", title: Điểm thưởng sáng kiến, kind: bonus, max: 2, source: self,
     rule: {type: manual, step: 0.5}}
"""

ENTERED = ("1.1.1", "1.1.2", "1.2", "2.1", "2.2", "B")  # the leaves a unit fills in

# A full, valid sheet: 2 + 1 + 2 + 3.6 + 2 + 1.5 = 12.1 self points (+ bonus).
FULL = {"1.1.1": "dung_han", "1.1.2": "có", "1.2": "85%", "2.1": "45/50", "2.2": "1", "B": "1.5"}


@dataclass
class World:
    authority: Authority
    group: UnitGroup
    version: CriteriaSetVersion
    cycle: Cycle
    units: dict[str, Unit]
    secretariat: User
    chair: User
    focal: dict[str, User] = field(default_factory=dict)
    head: dict[str, User] = field(default_factory=dict)

    def sheet(self, unit: str = "SO_NV") -> Assessment:
        return Assessment.objects.select_related("cycle", "unit").get(
            cycle=self.cycle, unit=self.units[unit]
        )

    def reload(self) -> None:
        self.cycle.refresh_from_db()


def person(username: str, authority: Authority, role: Role, unit: Unit | None = None) -> User:
    user = UserFactory(
        username=username, email=f"{username}@example.vn", first_name=username.title()
    )
    MembershipFactory(user=user, authority=authority, role=role, unit=unit)
    return user


def build(
    *,
    phase: str = Phase.SELF_ASSESSMENT,
    closes_in: dt.timedelta = dt.timedelta(days=5),
    units: tuple[str, ...] = ("SO_NV", "SO_TP"),
    yaml_text: str = SET,
) -> World:
    """An authority with a criteria set, units in its group, people, and a cycle in `phase`."""
    authority = AuthorityFactory(code="son-la", name="UBND tỉnh Sơn La")
    version = criteria_set_import(authority=authority, yaml_text=yaml_text)
    group = version.unit_group
    made = {
        code: UnitFactory(authority=authority, group=group, code=code, name=f"Sở {code}")
        for code in units
    }
    secretariat = person("thu_ky", authority, Role.SECRETARIAT)
    chair = person("chu_tich", authority, Role.COUNCIL_CHAIR)
    now = timezone.now()
    cycle = cycle_create(
        authority=authority,
        unit_group=group,
        criteria_set=version,
        year=version.year,
        title=f"Chỉ số CCHC các sở năm {version.year}",
        self_assessment_opens=now - dt.timedelta(days=1),
        self_assessment_closes=now + closes_in,
        by=secretariat,
    )
    world = World(authority, group, version, cycle, made, secretariat, chair)
    for code, unit in made.items():
        world.focal[code] = person(f"dau_moi_{code.lower()}", authority, Role.FOCAL_POINT, unit)
        world.head[code] = person(f"thu_truong_{code.lower()}", authority, Role.UNIT_HEAD, unit)
    world.cycle = advance(world, phase)
    return world


def advance(world: World, phase: str) -> Cycle:
    """Move the cycle step by step to `phase`, each step by a person the workflow allows."""
    cycle = world.cycle
    while cycle.phase != phase:
        target = workflow.next_phase(cycle.phase)
        assert target is not None, f"{phase} is not ahead of {cycle.phase}"
        roles = workflow.cycle_roles(cycle.phase, target) or ()
        by = world.secretariat if Role.SECRETARIAT in roles else world.chair
        cycle = cycle_advance(cycle=cycle, to_phase=target, by=by)
    return cycle


# ---------------------------------------------------------------- real files


def pdf_bytes(text: str = "Quyet dinh ban hanh ke hoach CCHC") -> bytes:
    """A tiny but well-formed one-page PDF, cross-reference table and all."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def docx_bytes(text: str = "Báo cáo CCHC năm 2024") -> bytes:
    """A minimal Word document that Word and LibreOffice open."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return out.getvalue()


def zip_bomb_bytes(megabytes: int = 300) -> bytes:
    """A DOCX-looking archive whose one part inflates to `megabytes` of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
    return out.getvalue()


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 112 + b"PE\0\0"
