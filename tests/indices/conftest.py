"""A province with people in each role, and another province, for the external-index tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from parindex.accounts.models import Membership, Role, User
from parindex.units.models import Authority, Unit
from tests.factories import UserFactory


@dataclass
class Province:
    authority: Authority
    other: Authority
    unit: Unit
    secretariat: User
    admin: User  # system administrator
    leader: User
    chair: User
    focal: User  # focal point of a unit
    other_secretariat: User  # secretariat of another province


def person(authority: Authority, role: Role, unit: Unit | None = None) -> User:
    user: User = UserFactory()
    Membership.objects.create(user=user, authority=authority, role=role, unit=unit)
    return user


@pytest.fixture
def kh(db: None) -> Province:
    authority = Authority.objects.create(code="khanh_hoa", name="UBND tỉnh Khánh Hòa")
    other = Authority.objects.create(code="phu_yen", name="UBND tỉnh Phú Yên")
    unit = Unit.objects.create(authority=authority, code="SO_TP", name="Sở Tư pháp")
    return Province(
        authority=authority,
        other=other,
        unit=unit,
        secretariat=person(authority, Role.SECRETARIAT),
        admin=person(authority, Role.SYSTEM_ADMIN),
        leader=person(authority, Role.LEADER),
        chair=person(authority, Role.COUNCIL_CHAIR),
        focal=person(authority, Role.FOCAL_POINT, unit),
        other_secretariat=person(other, Role.SECRETARIAT),
    )
