"""The object-level permission predicates of parindex.accounts.permissions (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from parindex.accounts import permissions
from parindex.accounts.models import Role, User
from parindex.assessments.models import Assessment, Cycle
from parindex.criteria.models import CriteriaSetVersion
from parindex.units.models import Authority, Unit
from tests.factories import AuthorityFactory, MembershipFactory, UnitFactory, UnitGroupFactory

pytestmark = pytest.mark.django_db


@dataclass
class World:
    province: Authority
    district: Authority
    units: dict[str, Unit]


def _cycle_with_sheets(authority: Authority, units: list[Unit]) -> None:
    group = UnitGroupFactory(authority=authority, code="khoi")
    criteria = CriteriaSetVersion.objects.create(
        authority=authority,
        code="SET",
        title="Bộ tiêu chí",
        year=2025,
        unit_group=group,
        yaml_text="code: SET\n",
        sha256="0" * 64,
    )
    cycle = Cycle.objects.create(
        authority=authority, unit_group=group, criteria_set=criteria, year=2025, title="2025"
    )
    for unit in units:
        Assessment.objects.create(cycle=cycle, unit=unit)


@pytest.fixture
def world() -> World:
    province, district = AuthorityFactory(code="tinh"), AuthorityFactory(code="huyen")
    units = {
        code: UnitFactory(authority=province, code=code) for code in ("SO_TP", "SO_NV", "SO_TC")
    }
    units["PHONG_TP"] = UnitFactory(authority=district, code="PHONG_TP")
    _cycle_with_sheets(province, [units["SO_TP"], units["SO_NV"], units["SO_TC"]])
    _cycle_with_sheets(district, [units["PHONG_TP"]])
    return World(province, district, units)


def member(world: World, role: Role, unit: str | None = None, **extra: object) -> User:
    authority = world.units[unit].authority if unit else world.province
    membership = MembershipFactory(
        authority=authority, role=role, unit=world.units[unit] if unit else None, **extra
    )
    user: User = membership.user
    return user


def sheets(user: object) -> list[str]:
    return sorted(a.unit.code for a in permissions.assessments_visible_to(user))


# ---------------------------------------------------------------- sheets seen


@pytest.mark.parametrize(
    "role", [Role.SECRETARIAT, Role.SYSTEM_ADMIN, Role.LEADER, Role.COUNCIL_CHAIR]
)
def test_authority_wide_roles_see_every_sheet_of_their_authority_only(
    world: World, role: Role
) -> None:
    assert sheets(member(world, role)) == ["SO_NV", "SO_TC", "SO_TP"]


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.UNIT_HEAD])
def test_unit_roles_see_only_their_units_sheet(world: World, role: Role) -> None:
    assert sheets(member(world, role, "SO_TP")) == ["SO_TP"]


def test_an_appraiser_sees_the_authoritys_sheets_but_never_their_own_units(world: World) -> None:
    bound = member(world, Role.APPRAISER, "SO_NV", agency="noi_vu")
    unbound = member(world, Role.APPRAISER, agency="tu_phap")

    assert sheets(bound) == ["SO_TC", "SO_TP"]
    assert sheets(unbound) == ["SO_NV", "SO_TC", "SO_TP"]


def test_another_authoritys_roles_see_nothing_of_this_one(world: World) -> None:
    district_secretariat = MembershipFactory(authority=world.district).user
    district_focal = member(world, Role.FOCAL_POINT, "PHONG_TP")

    assert sheets(district_secretariat) == ["PHONG_TP"]
    assert sheets(district_focal) == ["PHONG_TP"]


def test_revoked_roles_inactive_users_and_visitors_see_nothing(world: World) -> None:
    revoked = member(world, Role.SECRETARIAT, active=False)
    disabled = member(world, Role.SECRETARIAT)
    disabled.is_active = False
    disabled.save()

    assert sheets(revoked) == []
    assert sheets(disabled) == []
    assert sheets(AnonymousUser()) == []
    assert sheets(None) == []


# ---------------------------------------------------------------- what each may do


def test_focal_points_and_heads_edit_their_units_sheet_only_heads_submit(world: World) -> None:
    focal = member(world, Role.FOCAL_POINT, "SO_TP")
    head = member(world, Role.UNIT_HEAD, "SO_TP")
    so_tp, so_nv = world.units["SO_TP"].pk, world.units["SO_NV"].pk

    assert permissions.can_edit_sheet(focal, so_tp)
    assert permissions.can_edit_sheet(head, so_tp)
    assert not permissions.can_edit_sheet(focal, so_nv)
    assert not permissions.can_submit_sheet(focal, so_tp)
    assert permissions.can_submit_sheet(head, so_tp)
    assert not permissions.can_submit_sheet(head, so_nv)


def test_an_appraiser_appraises_their_agencys_leaves_in_their_authority_never_own_unit(
    world: World,
) -> None:
    appraiser = member(world, Role.APPRAISER, "SO_NV", agency="noi_vu")
    province, district = world.province.pk, world.district.pk
    so_tp, so_nv = world.units["SO_TP"].pk, world.units["SO_NV"].pk

    assert permissions.can_appraise(
        appraiser, authority_id=province, unit_id=so_tp, agency="noi_vu"
    )
    assert not permissions.can_appraise(
        appraiser, authority_id=province, unit_id=so_tp, agency="tu_phap"
    )
    assert not permissions.can_appraise(
        appraiser, authority_id=province, unit_id=so_nv, agency="noi_vu"
    )
    assert not permissions.can_appraise(
        appraiser, authority_id=district, unit_id=world.units["PHONG_TP"].pk, agency="noi_vu"
    )
    assert not permissions.can_appraise(appraiser, authority_id=province, unit_id=so_tp, agency="")


def test_a_focal_point_who_also_appraises_never_appraises_their_unit(world: World) -> None:
    user = member(world, Role.FOCAL_POINT, "SO_TP")
    MembershipFactory(user=user, authority=world.province, role=Role.APPRAISER, agency="tu_phap")

    assert sheets(user) == ["SO_NV", "SO_TC", "SO_TP"]
    assert not permissions.can_appraise(
        user, authority_id=world.province.pk, unit_id=world.units["SO_TP"].pk, agency="tu_phap"
    )
    assert permissions.can_appraise(
        user, authority_id=world.province.pk, unit_id=world.units["SO_TC"].pk, agency="tu_phap"
    )


@pytest.mark.parametrize(
    ("role", "administers"),
    [
        (Role.SECRETARIAT, True),
        (Role.SYSTEM_ADMIN, True),
        (Role.LEADER, False),
        (Role.COUNCIL_CHAIR, False),
        (Role.APPRAISER, False),
        (Role.FOCAL_POINT, False),
    ],
)
def test_only_the_secretariat_and_system_admins_administer_their_authority(
    world: World, role: Role, administers: bool
) -> None:
    unit = "SO_TP" if role == Role.FOCAL_POINT else None
    user = member(world, role, unit)

    assert permissions.is_secretariat(user, world.province.pk) is administers
    assert permissions.is_secretariat(user, world.district.pk) is False
    assert (world.province in permissions.authorities_administered_by(user)) is administers


def test_the_council_chair_is_known_per_authority(world: World) -> None:
    chair = member(world, Role.COUNCIL_CHAIR)

    assert permissions.is_council_chair(chair, world.province.pk)
    assert not permissions.is_council_chair(chair, world.district.pk)
    assert not permissions.is_council_chair(member(world, Role.SECRETARIAT), world.province.pk)


def test_unit_scope_follows_the_same_rules_for_units(world: World) -> None:
    def units(user: User) -> list[str]:
        return sorted(
            Unit.objects.filter(permissions.unit_scope(user)).values_list("code", flat=True)
        )

    assert units(member(world, Role.LEADER)) == ["SO_NV", "SO_TC", "SO_TP"]
    assert units(member(world, Role.UNIT_HEAD, "SO_TC")) == ["SO_TC"]
    assert units(member(world, Role.FOCAL_POINT, "PHONG_TP")) == ["PHONG_TP"]
