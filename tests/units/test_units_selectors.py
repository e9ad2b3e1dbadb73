"""Reading units: who sees which, and lineage through mergers and renames."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parindex.accounts.models import Role
from parindex.units.models import Unit
from parindex.units.selectors import (
    authorities_administered_by,
    authorities_visible_to,
    lineages_of_authority,
    unit_lineage,
    units_current_in_groups,
    units_visible_to,
)
from tests.factories import AuthorityFactory, MembershipFactory, UnitFactory, UnitGroupFactory

pytestmark = pytest.mark.django_db


def codes(units: object) -> list[str]:
    return [unit.code for unit in units]  # type: ignore[attr-defined]


def lineage_codes(unit: Unit) -> list[tuple[str, int]]:
    return [(step.unit.code, step.depth) for step in unit_lineage(unit)]


@pytest.fixture
def merged() -> Unit:
    """XA_MOI (2025) merges X_A and X_B; X_B continued X_B1 and X_B2; X_B2 continued X_OLD,
    which X_A also continued (a diamond)."""
    authority = AuthorityFactory()
    made = {
        code: UnitFactory(authority=authority, code=code)
        for code in ("XA_MOI", "X_A", "X_B", "X_B1", "X_B2", "X_OLD")
    }
    made["XA_MOI"].predecessors.set([made["X_B"], made["X_A"]])
    made["X_B"].predecessors.set([made["X_B2"], made["X_B1"]])
    made["X_B2"].predecessors.set([made["X_OLD"]])
    made["X_A"].predecessors.set([made["X_OLD"]])
    return made["XA_MOI"]


def test_lineage_lists_predecessors_recursively_nearest_first_each_once(merged: Unit) -> None:
    assert lineage_codes(merged) == [
        ("X_A", 1),
        ("X_B", 1),
        ("X_B1", 2),
        ("X_B2", 2),
        ("X_OLD", 2),
    ]


def test_lineage_says_through_which_successor_each_step_comes(merged: Unit) -> None:
    steps = {step.unit.code: step.successor_id for step in unit_lineage(merged)}
    x_b = Unit.objects.get(code="X_B")

    assert steps["X_B1"] == x_b.pk


def test_lineage_stops_at_the_depth_guard() -> None:
    authority = AuthorityFactory()
    chain = [UnitFactory(authority=authority, code=f"U{n:02}") for n in range(30)]
    for successor, predecessor in itertools.pairwise(chain):
        successor.predecessors.add(predecessor)

    assert len(unit_lineage(chain[0])) == 20
    assert len(unit_lineage(chain[0], max_depth=3)) == 3
    assert len(lineages_of_authority(authority)[chain[0].pk]) == 20


def test_lineage_survives_a_loop_stored_by_hand() -> None:
    # the import refuses loops; the admin could still store one
    authority = AuthorityFactory()
    a, b, c = (UnitFactory(authority=authority, code=code) for code in "ABC")
    a.predecessors.add(b)
    b.predecessors.add(c)
    c.predecessors.add(a)

    assert lineage_codes(a) == [("B", 1), ("C", 2)]
    assert [s.unit.code for s in lineages_of_authority(authority)[a.pk]] == ["B", "C"]


def test_the_lineages_of_an_authority_match_each_units_lineage(merged: Unit) -> None:
    with CaptureQueriesContext(connection) as queries:
        lineages = lineages_of_authority(merged.authority)

    assert len(queries) == 2
    for unit in Unit.objects.filter(authority=merged.authority):
        expected = [(s.unit.code, s.depth, s.successor_id) for s in unit_lineage(unit)]
        got = [(s.unit.code, s.depth, s.successor_id) for s in lineages.get(unit.pk, [])]
        assert got == expected, unit.code


def test_a_unit_without_predecessors_has_no_lineage() -> None:
    unit = UnitFactory()

    assert unit_lineage(unit) == []
    assert lineages_of_authority(unit.authority) == {}


def test_current_units_of_groups_exist_on_the_day() -> None:
    group = UnitGroupFactory()
    for code, start, end in (
        ("OLD", None, dt.date(2025, 6, 30)),
        ("NEW", dt.date(2025, 7, 1), None),
        ("ALWAYS", None, None),
    ):
        UnitFactory(
            authority=group.authority, group=group, code=code, valid_from=start, valid_to=end
        )

    assert codes(units_current_in_groups([group], on=dt.date(2025, 6, 30))) == ["ALWAYS", "OLD"]
    assert codes(units_current_in_groups([group], on=dt.date(2025, 7, 1))) == ["ALWAYS", "NEW"]


# ---------------------------------------------------------------- who sees which units


@pytest.fixture
def two_authorities() -> dict[str, Unit]:
    province, district = AuthorityFactory(code="tinh"), AuthorityFactory(code="huyen")
    return {
        "SO_TP": UnitFactory(authority=province, code="SO_TP"),
        "SO_NV": UnitFactory(authority=province, code="SO_NV"),
        "PHONG_TP": UnitFactory(authority=district, code="PHONG_TP"),
    }


@pytest.mark.parametrize(
    "role", [Role.SECRETARIAT, Role.SYSTEM_ADMIN, Role.LEADER, Role.COUNCIL_CHAIR, Role.APPRAISER]
)
def test_authority_wide_roles_and_appraisers_see_every_unit_of_their_authority_only(
    two_authorities: dict[str, Unit], role: Role
) -> None:
    province = two_authorities["SO_TP"].authority
    membership = MembershipFactory(authority=province, role=role)

    assert codes(units_visible_to(membership.user)) == ["SO_NV", "SO_TP"]


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.UNIT_HEAD])
def test_unit_roles_see_their_own_unit_only(two_authorities: dict[str, Unit], role: Role) -> None:
    unit = two_authorities["SO_TP"]
    membership = MembershipFactory(authority=unit.authority, role=role, unit=unit)

    assert codes(units_visible_to(membership.user)) == ["SO_TP"]


def test_nobody_without_an_active_role_sees_units(two_authorities: dict[str, Unit]) -> None:
    revoked = MembershipFactory(authority=two_authorities["SO_TP"].authority, active=False)
    inactive = MembershipFactory(authority=two_authorities["SO_TP"].authority)
    inactive.user.is_active = False
    inactive.user.save()

    assert codes(units_visible_to(revoked.user)) == []
    assert codes(units_visible_to(inactive.user)) == []
    assert codes(units_visible_to(AnonymousUser())) == []


def test_only_the_secretariat_and_system_admins_administer_an_authority(
    two_authorities: dict[str, Unit],
) -> None:
    province = two_authorities["SO_TP"].authority
    secretariat = MembershipFactory(authority=province, role=Role.SECRETARIAT).user
    leader = MembershipFactory(authority=province, role=Role.LEADER).user
    focal = MembershipFactory(authority=province, role=Role.FOCAL_POINT).user

    assert codes(authorities_administered_by(secretariat)) == ["tinh"]
    assert codes(authorities_administered_by(leader)) == []
    assert codes(authorities_visible_to(leader)) == ["tinh"]
    assert codes(authorities_visible_to(focal)) == []
