"""A province whose units are those named by examples/tasks/ke-hoach-2017.csv, its plan, and
people in each role."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from parindex.accounts.models import Membership, Role, User
from parindex.plans.models import Plan
from parindex.units.models import Authority, Unit
from tests.factories import UserFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tasks" / "ke-hoach-2017.csv"

UNITS = {
    "BAO_KH": "Báo Khánh Hòa",
    "DAI_PTTH": "Đài Phát thanh - Truyền hình Khánh Hòa",
    "SO_NV": "Sở Nội vụ",
    "SO_KHDT": "Sở Kế hoạch và Đầu tư",
    "SO_TP": "Sở Tư pháp",
    "SO_TNMT": "Sở Tài nguyên và Môi trường",
    "SO_XD": "Sở Xây dựng",
    "CUC_THUE": "Cục Thuế tỉnh",
    "CUC_HQ": "Cục Hải quan tỉnh",
    "KBNN": "Kho bạc Nhà nước",
    "BHXH": "Bảo hiểm Xã hội tỉnh",
    "TTR": "Thanh tra tỉnh",
    "SO_TTTT": "Sở Thông tin và Truyền thông",
    "SO_TC": "Sở Tài chính",
    "SO_KHCN": "Sở Khoa học và Công nghệ",
    "SO_LDTBXH": "Sở Lao động - Thương binh và Xã hội",
    "SO_YT": "Sở Y tế",
}


@dataclass
class Province:
    authority: Authority
    units: dict[str, Unit]
    plan: Plan
    secretariat: User
    leader: User
    nv_focal: User  # focal point of Sở Nội vụ
    nv_head: User
    tp_focal: User  # focal point of Sở Tư pháp
    appraiser: User
    other_secretariat: User  # secretariat of another province


def person(authority: Authority, role: Role, unit: Unit | None = None, **extra: object) -> User:
    user: User = UserFactory(**extra)
    Membership.objects.create(
        user=user,
        authority=authority,
        role=role,
        unit=unit,
        agency="noi_vu" if role == Role.APPRAISER else "",
    )
    return user


def province(code: str = "khanh_hoa") -> Province:
    authority = Authority.objects.create(code=code, name="UBND tỉnh Khánh Hòa")
    units = {
        unit_code: Unit.objects.create(authority=authority, code=unit_code, name=name)
        for unit_code, name in UNITS.items()
    }
    plan = Plan.objects.create(
        authority=authority,
        year=2017,
        title="Kế hoạch cải cách hành chính năm 2017",
        number="Kế hoạch số 23/KH-UBND",
    )
    other = Authority.objects.create(code=f"{code}_khac", name="UBND tỉnh khác")
    return Province(
        authority=authority,
        units=units,
        plan=plan,
        secretariat=person(authority, Role.SECRETARIAT, email="thuky@example.vn"),
        leader=person(authority, Role.LEADER),
        nv_focal=person(authority, Role.FOCAL_POINT, units["SO_NV"], email="nv@example.vn"),
        nv_head=person(authority, Role.UNIT_HEAD, units["SO_NV"], email="gd.nv@example.vn"),
        tp_focal=person(authority, Role.FOCAL_POINT, units["SO_TP"], email="tp@example.vn"),
        appraiser=person(authority, Role.APPRAISER),
        other_secretariat=person(other, Role.SECRETARIAT),
    )
