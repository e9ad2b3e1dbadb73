"""Builders for the appraisal tests: the small set of `assessment_builders` with appraising
agencies (fields 1 by Home Affairs, leaves 2.1 and 2.2 by Justice, the bonus by nobody), two
submitted sheets, an appraiser of Home Affairs (a member of SO_NV) and one of Justice."""

from __future__ import annotations

from dataclasses import dataclass

from assessment_builders import FULL, SET, World, build, pdf_bytes, person
from django.core.files.base import ContentFile

from parindex.accounts.models import Role, User
from parindex.assessments.models import Cycle, CycleEvent, LeafEntry, Phase
from parindex.assessments.services import assessment_submit, entry_save, evidence_upload

AGENCY_SET = (
    SET.replace(
        "            title: Ban hành kế hoạch CCHC năm\n            max: 2\n",
        "            title: Ban hành kế hoạch CCHC năm\n            max: 2\n"
        "            appraiser: noi_vu\n",
    )
    .replace(
        "            title: Có báo cáo CCHC định kỳ\n            max: 1\n",
        "            title: Có báo cáo CCHC định kỳ\n            max: 1\n"
        "            appraiser: noi_vu\n",
    )
    .replace(
        "        title: Tỷ lệ hoàn thành nhiệm vụ\n        max: 3\n",
        "        title: Tỷ lệ hoàn thành nhiệm vụ\n        max: 3\n        appraiser: noi_vu\n",
    )
    .replace("max: 4, source: self,", "max: 4, source: self, appraiser: tu_phap,")
    .replace("max: 3, source: self,", "max: 3, source: self, appraiser: tu_phap,")
)
assert AGENCY_SET.count("appraiser:") == 5

NOI_VU = ("1.1.1", "1.1.2", "1.2")  # the leaves Home Affairs appraises
TU_PHAP = ("2.1", "2.2")  # the leaves Justice appraises


@dataclass
class AppraisalWorld:
    world: World
    noi_vu: User  # appraiser of `noi_vu`, member of SO_NV
    tu_phap: User  # appraiser of `tu_phap`, of no unit in the group

    def __getattr__(self, name: str) -> object:
        return getattr(self.world, name)


def submitted(values: dict[str, str] | None = None) -> AppraisalWorld:
    """Both units filled and submitted; the cycle in appraisal."""
    world = build(yaml_text=AGENCY_SET)
    for unit in world.units:
        for code, value in (values or FULL).items():
            entry_save(
                assessment=world.sheet(unit),
                code=code,
                value=value,
                note=f"ghi chú {code}",
                expected_version=0,
                by=world.focal[unit],
            )
        evidence_upload(
            assessment=world.sheet(unit),
            file=ContentFile(pdf_bytes(), name="qd.pdf"),
            codes=["1.1.1"],
            by=world.focal[unit],
        )
        assessment_submit(assessment=world.sheet(unit), by=world.head[unit])
    noi_vu = person("tham_dinh_nv", world.authority, Role.APPRAISER, world.units["SO_NV"])
    noi_vu.memberships.update(agency="noi_vu")
    tu_phap = person("tham_dinh_tp", world.authority, Role.APPRAISER)
    tu_phap.memberships.update(agency="tu_phap")
    move(world.cycle, Phase.APPRAISAL)
    world.reload()
    return AppraisalWorld(world, noi_vu, tu_phap)


def move(cycle: Cycle, phase: str) -> None:
    """Jump the cycle to a phase (what the secretariat's button does, without the checks)."""
    old = cycle.phase
    Cycle.objects.filter(pk=cycle.pk).update(phase=phase)
    CycleEvent.objects.create(cycle=cycle, old_phase=old, new_phase=phase)
    cycle.refresh_from_db()


def entry(world: AppraisalWorld, code: str, unit: str = "SO_TP") -> LeafEntry:
    return LeafEntry.objects.select_related("assessment__cycle").get(
        assessment=world.sheet(unit), code=code
    )
