"""Granting roles and creating the accounts of units' focal points and heads."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError

from parindex.accounts.models import ActivationLink, Membership, Role, User
from parindex.accounts.services import (
    AccountStatus,
    membership_grant,
    unit_accounts_create,
    unit_username,
)
from parindex.units.models import Authority, Unit
from tests.factories import AuthorityFactory, MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

BOTH = [Role.FOCAL_POINT, Role.UNIT_HEAD]


def error_codes(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str | None]]:
    return {
        field: [error.code for error in errors] for field, errors in caught.value.error_dict.items()
    }


# ---------------------------------------------------------------- membership_grant


def test_a_grant_gives_the_role_once_and_reactivates_a_revoked_one() -> None:
    unit = UnitFactory()
    user = UserFactory()

    first = membership_grant(
        user=user, authority=unit.authority, role=Role.FOCAL_POINT, unit=unit, by=None
    )
    Membership.objects.filter(pk=first.pk).update(active=False)
    again = membership_grant(
        user=user, authority=unit.authority, role=Role.FOCAL_POINT, unit=unit, by=None
    )

    assert again.pk == first.pk
    assert again.active
    assert Membership.objects.count() == 1


def test_unit_roles_need_a_unit_of_the_authority() -> None:
    authority = AuthorityFactory()
    elsewhere = UnitFactory()
    user = UserFactory()

    with pytest.raises(ValidationError) as missing:
        membership_grant(user=user, authority=authority, role=Role.UNIT_HEAD, by=None)
    with pytest.raises(ValidationError) as foreign:
        membership_grant(
            user=user, authority=authority, role=Role.FOCAL_POINT, unit=elsewhere, by=None
        )

    assert error_codes(missing) == {"unit": ["required"]}
    assert error_codes(foreign) == {"unit": ["other_authority"]}
    assert not Membership.objects.exists()


def test_an_appraiser_needs_an_agency_and_only_an_appraiser_names_one() -> None:
    unit = UnitFactory()
    user = UserFactory()

    with pytest.raises(ValidationError) as no_agency:
        membership_grant(user=user, authority=unit.authority, role=Role.APPRAISER, by=None)
    with pytest.raises(ValidationError) as stray:
        membership_grant(
            user=user, authority=unit.authority, role=Role.LEADER, unit=unit, agency="x", by=None
        )
    appraiser = membership_grant(
        user=user,
        authority=unit.authority,
        role=Role.APPRAISER,
        unit=unit,
        agency=" noi_vu ",
        by=None,
    )

    assert error_codes(no_agency) == {"agency": ["required"]}
    assert error_codes(stray) == {"unit": ["not_allowed"], "agency": ["not_allowed"]}
    assert (appraiser.unit, appraiser.agency) == (unit, "noi_vu")


def test_an_appraiser_without_a_unit_may_appraise_for_several_agencies() -> None:
    authority = AuthorityFactory()
    user = UserFactory()

    for agency in ("noi_vu", "tu_phap", "noi_vu"):
        membership_grant(
            user=user, authority=authority, role=Role.APPRAISER, agency=agency, by=None
        )

    assert sorted(Membership.objects.values_list("agency", flat=True)) == ["noi_vu", "tu_phap"]


def test_an_appraiser_bound_to_a_unit_keeps_one_agency_there() -> None:
    unit = UnitFactory()
    user = UserFactory()
    membership_grant(
        user=user, authority=unit.authority, role=Role.APPRAISER, unit=unit, agency="a", by=None
    )

    with pytest.raises(ValidationError) as caught:
        membership_grant(
            user=user, authority=unit.authority, role=Role.APPRAISER, unit=unit, agency="b", by=None
        )

    assert error_codes(caught) == {"agency": ["conflict"]}


# ---------------------------------------------------------------- unit accounts


@pytest.fixture
def authority() -> Authority:
    return AuthorityFactory(code="son_la")


@pytest.fixture
def so_tp(authority: Authority) -> Unit:
    return UnitFactory(authority=authority, code="SO_TP", name="Sở Tư pháp")


def test_usernames_come_from_the_unit_code() -> None:
    assert unit_username("SO_TP", Role.FOCAL_POINT) == "so_tp.dau_moi"
    assert unit_username("SO_TP", Role.UNIT_HEAD) == "so_tp.thu_truong"
    assert unit_username("Xã Đồng Tâm 2", Role.UNIT_HEAD) == "xa_dong_tam_2.thu_truong"
    assert unit_username("ĐĐ", Role.FOCAL_POINT) == "dd.dau_moi"
    assert unit_username("***", Role.FOCAL_POINT) == "don_vi.dau_moi"


def test_each_unit_gets_an_inactive_account_per_role_with_a_one_time_link(
    authority: Authority, so_tp: Unit
) -> None:
    so_tc = UnitFactory(authority=authority, code="SO_TC")

    accounts = unit_accounts_create(authority=authority, units=[so_tp, so_tc], roles=BOTH, by=None)

    assert [(a.user.username, a.unit.code, a.role, a.status) for a in accounts] == [
        ("so_tc.dau_moi", "SO_TC", Role.FOCAL_POINT, AccountStatus.CREATED),
        ("so_tc.thu_truong", "SO_TC", Role.UNIT_HEAD, AccountStatus.CREATED),
        ("so_tp.dau_moi", "SO_TP", Role.FOCAL_POINT, AccountStatus.CREATED),
        ("so_tp.thu_truong", "SO_TP", Role.UNIT_HEAD, AccountStatus.CREATED),
    ]
    for account in accounts:
        assert not account.user.is_active
        assert not account.user.has_usable_password()
        assert Membership.objects.filter(
            user=account.user, authority=authority, role=account.role, unit=account.unit
        ).exists()
        assert account.link is not None and account.link.startswith("/accounts/activate/")


def test_only_the_links_hash_is_kept_and_it_expires_in_seven_days(
    authority: Authority, so_tp: Unit
) -> None:
    [account] = unit_accounts_create(
        authority=authority, units=[so_tp], roles=[Role.FOCAL_POINT], by=None
    )
    assert account.link is not None
    token = account.link.rstrip("/").rsplit("/", 1)[-1]

    link = ActivationLink.objects.get(user=account.user)

    assert len(token) >= 40
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash
    assert abs(link.expires_at - link.created_at - dt.timedelta(days=7)) < dt.timedelta(seconds=5)
    assert link.used_at is None


def test_running_again_reuses_the_accounts_and_replaces_unused_links(
    authority: Authority, so_tp: Unit
) -> None:
    [first] = unit_accounts_create(
        authority=authority, units=[so_tp], roles=[Role.FOCAL_POINT], by=None
    )

    [again] = unit_accounts_create(
        authority=authority, units=[so_tp], roles=[Role.FOCAL_POINT], by=None
    )

    assert again.user == first.user
    assert again.status == AccountStatus.PENDING
    assert again.link != first.link
    assert ActivationLink.objects.filter(user=first.user).count() == 1
    assert Membership.objects.filter(user=first.user).count() == 1


def test_an_account_that_has_a_password_gets_no_new_link(authority: Authority, so_tp: Unit) -> None:
    UserFactory(username="so_tp.dau_moi")

    [account] = unit_accounts_create(
        authority=authority, units=[so_tp], roles=[Role.FOCAL_POINT], by=None
    )

    assert (account.status, account.link) == (AccountStatus.ACTIVE, None)
    assert not ActivationLink.objects.exists()
    assert account.user.memberships.get().unit == so_tp


def test_a_username_taken_in_another_authority_is_not_reused(
    authority: Authority, so_tp: Unit
) -> None:
    district_unit = UnitFactory(code="SO_TP")
    outsider = MembershipFactory(
        user=UserFactory(username="so_tp.dau_moi"),
        authority=district_unit.authority,
        role=Role.FOCAL_POINT,
        unit=district_unit,
    ).user

    [account] = unit_accounts_create(
        authority=authority, units=[so_tp], roles=[Role.FOCAL_POINT], by=None
    )

    assert account.user != outsider
    assert account.user.username == "son_la.so_tp.dau_moi"
    assert list(outsider.memberships.values_list("authority", flat=True)) == [
        district_unit.authority_id
    ]


def test_units_of_another_authority_and_other_roles_are_refused(
    authority: Authority, so_tp: Unit
) -> None:
    foreign = UnitFactory()

    with pytest.raises(ValidationError) as other_unit:
        unit_accounts_create(authority=authority, units=[so_tp, foreign], roles=BOTH, by=None)
    with pytest.raises(ValidationError) as wrong_role:
        unit_accounts_create(authority=authority, units=[so_tp], roles=[Role.LEADER], by=None)
    with pytest.raises(ValidationError) as nothing:
        unit_accounts_create(authority=authority, units=[], roles=[], by=None)

    assert error_codes(other_unit) == {"units": ["other_authority"]}
    assert error_codes(wrong_role) == {"roles": ["invalid"]}
    assert error_codes(nothing) == {"units": ["required"], "roles": ["required"]}
    assert not User.objects.exists()


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        membership_grant(user=UserFactory(), authority=AuthorityFactory(), role="vua", by=None)

    assert error_codes(caught) == {"role": ["invalid"]}
