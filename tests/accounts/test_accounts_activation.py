"""activation_use: a one-time link sets the password and activates the account."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils import timezone
from pytest_django.fixtures import Settings

from parindex.accounts.models import ActivationLink, Role
from parindex.accounts.selectors import activation_link_get
from parindex.accounts.services import activation_use, unit_accounts_create
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

GOOD = "Cải-cách-hành-chính-2025"


@pytest.fixture
def token() -> str:
    unit = UnitFactory(code="SO_TP")
    [account] = unit_accounts_create(
        authority=unit.authority, units=[unit], roles=[Role.FOCAL_POINT], by=None
    )
    assert account.link is not None
    return account.link.rstrip("/").rsplit("/", 1)[-1]


def refusal(token: str, password: str = GOOD) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        activation_use(token=token, password=password)
    return caught.value


def test_a_link_sets_the_password_activates_the_account_and_is_spent(token: str) -> None:
    user = activation_use(token=token, password=GOOD)

    assert user.is_active
    assert authenticate(username="so_tp.dau_moi", password=GOOD) == user
    assert ActivationLink.objects.get(user=user).used_at is not None


def test_a_link_works_only_once(token: str) -> None:
    activation_use(token=token, password=GOOD)

    error = refusal(token, "Mật-khẩu-khác-2025")

    assert error.code == "used"
    assert authenticate(username="so_tp.dau_moi", password=GOOD) is not None


def test_an_expired_link_is_refused(token: str) -> None:
    ActivationLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    error = refusal(token)

    assert error.code == "expired"
    assert not ActivationLink.objects.get().user.is_active


def test_a_link_lasts_seven_days(token: str) -> None:
    link = ActivationLink.objects.get()
    assert link.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)
    assert link.expires_at - timezone.now() <= dt.timedelta(days=7)


def test_an_unknown_token_is_refused(token: str) -> None:
    assert refusal(token + "x").code == "unknown"
    assert refusal("").code == "unknown"


def test_a_replaced_link_stops_working(token: str) -> None:
    unit = ActivationLink.objects.get().user.memberships.get().unit
    assert unit is not None
    unit_accounts_create(authority=unit.authority, units=[unit], roles=[Role.FOCAL_POINT], by=None)

    assert refusal(token).code == "unknown"


@pytest.mark.parametrize("weak", ["123", "12345678901234", "password123", "so_tp.dau_moi1"])
def test_a_weak_password_is_refused_and_the_link_stays_usable(token: str, weak: str) -> None:
    error = refusal(token, weak)

    assert getattr(error, "code", None) is None  # the validators speak, not the link check
    assert error.messages
    link = ActivationLink.objects.get()
    assert link.used_at is None
    assert not link.user.is_active
    assert activation_use(token=token, password=GOOD).is_active


def test_the_sites_password_validators_apply_when_it_has_some(
    token: str, settings: Settings
) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 30},
        }
    ]

    assert refusal(token, GOOD).messages  # 24 characters: too short for this site


def test_the_refusals_speak_vietnamese_and_english(token: str) -> None:
    from django.utils import translation

    ActivationLink.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))
    with translation.override("vi"):
        vi = refusal(token).messages[0]
    with translation.override("en"):
        en = refusal(token).messages[0]

    assert en == "This activation link has expired. Ask the secretariat for a new one."
    assert vi.startswith("Liên kết kích hoạt này đã hết hạn")


def test_checking_a_link_spends_nothing(token: str) -> None:
    link = activation_link_get(token=token)

    assert link.used_at is None
    assert activation_link_get(token=token) == link
