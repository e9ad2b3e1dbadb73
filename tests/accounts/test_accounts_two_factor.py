"""Two-factor sign-in for the secretariat, the council and administrators: enrolment with a
first code, a code at each sign-in, no replay, recovery codes, throttling."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from parindex.accounts import totp
from parindex.accounts.models import RecoveryCode, Role, TwoFactorDevice, User
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Mật-khẩu-thư-ký-2025!"


@pytest.fixture
def secretariat() -> User:
    user = User.objects.create_user("noi_vu.thu_ky", password=PASSWORD)
    MembershipFactory(user=user, role=Role.SECRETARIAT)
    return user


def _password(client: Client, username: str = "noi_vu.thu_ky"):  # type: ignore[no-untyped-def]
    return client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD, "next": "/cycles/"}
    )


def _code(secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, totp.time_step(time.time()) + offset)


def _enrolled(user: User) -> tuple[str, list[str]]:
    client = Client()
    _password(client)
    page = client.get("/accounts/two-factor/enrol/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)  # type: ignore[union-attr]
    done = client.post("/accounts/two-factor/enrol/", {"code": _code(secret)})
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.content.decode())
    return secret, codes


@pytest.mark.parametrize(
    "role", [Role.SECRETARIAT, Role.COUNCIL_CHAIR, Role.SYSTEM_ADMIN, Role.SURVEY_ADMIN]
)
def test_roles_that_require_two_factor_are_not_signed_in_by_the_password(role: Role) -> None:
    user = User.objects.create_user("x", password=PASSWORD)
    MembershipFactory(user=user, role=role)
    client = Client()
    response = _password(client, "x")
    assert response["Location"] == "/accounts/two-factor/enrol/"
    assert "_auth_user_id" not in client.session
    # nothing else is reachable meanwhile
    assert client.get("/cycles/").status_code == 302
    assert client.get("/accounts/").status_code == 302


def test_a_superuser_counts_as_administrator() -> None:
    User.objects.create_superuser("root", password=PASSWORD)
    assert _password(Client(), "root")["Location"] == "/accounts/two-factor/enrol/"


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.UNIT_HEAD, Role.APPRAISER, Role.LEADER])
def test_other_roles_sign_in_with_the_password_alone(role: Role) -> None:
    user = User.objects.create_user("y", password=PASSWORD)
    MembershipFactory(user=user, role=role)
    assert _password(Client(), "y")["Location"] == "/cycles/"


def test_enrolment_shows_a_qr_code_and_the_secret_and_is_confirmed_by_a_first_code(
    secretariat: User,
) -> None:
    client = Client()
    _password(client)
    page = client.get("/accounts/two-factor/enrol/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg width="' in html and 'class="segno"' in html
    secret = re.search(r'id="totp-secret">([A-Z2-7]{32})<', html).group(1)  # type: ignore[union-attr]
    # a reload keeps the same secret (the QR code may already be scanned)
    assert secret in client.get("/accounts/two-factor/enrol/").content.decode()
    wrong = client.post("/accounts/two-factor/enrol/", {"code": "000000"})
    assert "_auth_user_id" not in client.session
    assert "không đúng" in wrong.content.decode()
    done = client.post("/accounts/two-factor/enrol/", {"code": _code(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.content.decode())
    assert len(codes) == 8
    assert client.session["_auth_user_id"] == str(secretariat.pk)
    assert TwoFactorDevice.objects.get(user=secretariat).confirmed_at is not None
    stored = set(RecoveryCode.objects.filter(user=secretariat).values_list("code_hash", flat=True))
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)
    assert client.get("/cycles/").status_code == 200


def test_each_sign_in_then_asks_for_a_code_which_cannot_be_replayed(secretariat: User) -> None:
    secret, _codes = _enrolled(secretariat)
    client = Client()
    assert _password(client)["Location"] == "/accounts/two-factor/"
    assert "_auth_user_id" not in client.session
    code = _code(secret, +1)  # the enrolment used this step's code
    response = client.post("/accounts/two-factor/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/cycles/"
    assert client.session["_auth_user_id"] == str(secretariat.pk)
    again = Client()
    _password(again)
    replay = again.post("/accounts/two-factor/", {"code": code})
    assert replay.status_code == 200
    assert "_auth_user_id" not in again.session
    older = again.post("/accounts/two-factor/", {"code": _code(secret)})
    assert "_auth_user_id" not in again.session, "a code older than the last one used passed"
    assert older.status_code == 200


def test_a_recovery_code_signs_in_once(secretariat: User) -> None:
    _secret, codes = _enrolled(secretariat)
    client = Client()
    _password(client)
    response = client.post("/accounts/two-factor/", {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(secretariat.pk)
    assert "7" in client.get("/accounts/").content.decode()
    second = Client()
    _password(second)
    assert second.post("/accounts/two-factor/", {"code": codes[0]}).status_code == 200
    assert "_auth_user_id" not in second.session


def test_wrong_codes_lock_the_second_factor_after_five(secretariat: User) -> None:
    secret, _codes = _enrolled(secretariat)
    client = Client()
    _password(client)
    for _ in range(5):
        assert client.post("/accounts/two-factor/", {"code": "123456"}).status_code == 200
    locked = client.post("/accounts/two-factor/", {"code": _code(secret, +1)})
    assert locked.status_code == 429
    assert "thử lại sau" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_code_pages_without_a_password_first_go_back_to_sign_in() -> None:
    client = Client()
    assert client.get("/accounts/two-factor/")["Location"] == "/accounts/login/"
    assert client.get("/accounts/two-factor/enrol/")["Location"] == "/accounts/login/"


def test_new_recovery_codes_replace_the_old_ones(secretariat: User) -> None:
    _secret, old = _enrolled(secretariat)
    client = Client()
    client.force_login(secretariat)
    page = client.post("/accounts/recovery-codes/").content.decode()
    new = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", page)
    assert len(new) == 8 and not set(new) & set(old)
    other = Client()
    _password(other)
    assert other.post("/accounts/two-factor/", {"code": old[1]}).status_code == 200
    assert other.post("/accounts/two-factor/", {"code": new[1]}).status_code == 302


def test_two_factor_can_be_turned_off_for_a_demonstration(secretariat: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TWO_FACTOR_REQUIRED = False
    assert _password(Client())["Location"] == "/cycles/"


def test_an_administrator_resets_a_lost_second_factor_and_the_user_enrols_again(
    secretariat: User,
) -> None:
    _enrolled(secretariat)
    holder = Client()
    holder.force_login(secretariat)
    root = User.objects.create_superuser("root", password=PASSWORD)
    admin = Client()
    admin.force_login(root)
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "two_factor_reset", "_selected_action": [secretariat.pk]},
    )
    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=secretariat).exists()
    assert not RecoveryCode.objects.filter(user=secretariat).exists()
    assert holder.get("/accounts/").status_code == 302  # their sessions ended too
    assert _password(Client())["Location"] == "/accounts/two-factor/enrol/"
