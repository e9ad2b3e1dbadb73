"""The unit accounts page (secretariat) and the activation page (anyone with the link)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from parindex.accounts.models import ActivationLink, Membership, Role, User
from parindex.units.models import Authority, Unit
from tests.factories import (
    AuthorityFactory,
    MembershipFactory,
    UnitFactory,
    UnitGroupFactory,
)

pytestmark = pytest.mark.django_db

URL = "/accounts/unit-accounts/son_la/"
PASSWORD = "Cải-cách-hành-chính-2025"


@pytest.fixture
def province() -> Authority:
    return AuthorityFactory(code="son_la", name="UBND tỉnh Sơn La")


@pytest.fixture
def units(province: Authority) -> dict[str, Unit]:
    group = UnitGroupFactory(authority=province, code="so_nganh")
    return {
        "SO_TP": UnitFactory(authority=province, group=group, code="SO_TP"),
        "SO_TC": UnitFactory(authority=province, group=group, code="SO_TC"),
        "SO_CU": UnitFactory(
            authority=province, group=group, code="SO_CU", valid_to=dt.date(2020, 12, 31)
        ),
        "LE": UnitFactory(authority=province, group=None, code="LE"),
    }


def signed_in(client: Client, authority: Authority, role: Role) -> User:
    membership = MembershipFactory(authority=authority, role=role)
    client.force_login(membership.user)
    user: User = membership.user
    return user


def links_in(page: str) -> list[str]:
    return sorted(set(re.findall(r"http://testserver/accounts/activate/[\w-]+/", page)))


# ---------------------------------------------------------------- unit accounts


def test_the_secretariat_creates_accounts_and_sees_each_link_once(
    client: Client, province: Authority, units: dict[str, Unit]
) -> None:
    signed_in(client, province, Role.SECRETARIAT)
    group = units["SO_TP"].group
    assert group is not None
    assert client.get(URL).status_code == 200

    response = client.post(
        URL,
        {"groups": [group.pk], "units": [units["LE"].pk], "roles": ["focal_point", "unit_head"]},
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    page = response.content.decode()
    assert len(links_in(page)) == 6  # LE, SO_TC, SO_TP (not SO_CU, ended) × 2 roles
    assert "so_tp.dau_moi" in page and "so_tp.thu_truong" in page
    assert not User.objects.filter(username__startswith="so_cu").exists()
    assert Membership.objects.filter(authority=province, role=Role.UNIT_HEAD).count() == 3
    assert links_in(client.get(URL).content.decode()) == []


def test_choosing_nothing_is_refused_with_a_message(
    client: Client, province: Authority, units: dict[str, Unit]
) -> None:
    signed_in(client, province, Role.SECRETARIAT)

    response = client.post(URL, {"roles": ["focal_point"]})

    assert response.status_code == 200
    assert response.context["form"].errors["units"]
    assert not User.objects.filter(username__contains=".dau_moi").exists()


def test_a_unit_of_another_authority_cannot_be_chosen(
    client: Client, province: Authority, units: dict[str, Unit]
) -> None:
    signed_in(client, province, Role.SECRETARIAT)
    foreign = UnitFactory(code="PHONG_TP")

    response = client.post(URL, {"units": [foreign.pk], "roles": ["focal_point"]})

    assert response.status_code == 200
    assert response.context["form"].errors["units"]
    assert not Membership.objects.filter(unit=foreign).exists()


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.UNIT_HEAD, Role.LEADER, Role.APPRAISER])
def test_other_roles_of_the_authority_get_404(
    client: Client, province: Authority, units: dict[str, Unit], role: Role
) -> None:
    signed_in(client, province, role)

    assert client.get(URL).status_code == 404
    response = client.post(URL, {"units": [units["SO_TP"].pk], "roles": ["focal_point"]})
    assert response.status_code == 404
    assert not User.objects.filter(username="so_tp.dau_moi").exists()


def test_the_secretariat_of_another_authority_gets_404(
    client: Client, province: Authority, units: dict[str, Unit]
) -> None:
    signed_in(client, AuthorityFactory(code="mai_son"), Role.SECRETARIAT)

    assert client.get(URL).status_code == 404


def test_visitors_are_sent_to_sign_in(client: Client, province: Authority) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------- activation


@pytest.fixture
def link(client: Client, province: Authority, units: dict[str, Unit]) -> str:
    """The activation path of so_tp.dau_moi, as the secretariat received it."""
    secretariat = Client()
    secretariat.force_login(MembershipFactory(authority=province, role=Role.SECRETARIAT).user)
    page = secretariat.post(
        URL, {"units": [units["SO_TP"].pk], "roles": ["focal_point"]}
    ).content.decode()
    [url] = links_in(page)
    return url.removeprefix("http://testserver")


def test_the_link_shows_the_username_and_sets_the_password(client: Client, link: str) -> None:
    response = client.get(link)

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "so_tp.dau_moi" in response.content.decode()

    response = client.post(link, {"password1": PASSWORD, "password2": PASSWORD}, follow=True)

    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert "so_tp.dau_moi" in response.content.decode()
    assert client.login(username="so_tp.dau_moi", password=PASSWORD)


def test_the_link_cannot_be_used_twice(client: Client, link: str) -> None:
    client.post(link, {"password1": PASSWORD, "password2": PASSWORD})

    response = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    again = client.post(link, {"password1": "Khác-hẳn-2025!", "password2": "Khác-hẳn-2025!"})

    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert again.status_code == 410
    assert client.login(username="so_tp.dau_moi", password=PASSWORD)


def test_an_expired_or_unknown_link_is_refused_in_vietnamese(client: Client, link: str) -> None:
    ActivationLink.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    expired = client.get(link)
    unknown = client.get("/accounts/activate/khong-phai-lien-ket/")

    assert expired.status_code == 410
    assert "hết hạn" in expired.content.decode()
    assert unknown.status_code == 404
    assert "không hợp lệ" in unknown.content.decode()


def test_mismatched_or_weak_passwords_are_refused_and_the_link_still_works(
    client: Client, link: str
) -> None:
    mismatch = client.post(link, {"password1": PASSWORD, "password2": PASSWORD + "x"})
    weak = client.post(link, {"password1": "12345678", "password2": "12345678"})

    assert mismatch.status_code == 200
    assert mismatch.context["form"].errors["password2"]
    assert weak.status_code == 200
    assert weak.context["form"].errors["password1"]
    assert not User.objects.get(username="so_tp.dau_moi").is_active
    assert client.post(link, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302
