"""Sign-in: Argon2 hashes, throttling by username and address with a cool-off, session
lifetime, signing out everywhere, password change ending other sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from parindex.accounts import throttling
from parindex.accounts.models import LoginFailure, User

pytestmark = pytest.mark.django_db

PASSWORD = "Mật-khẩu-đúng-2025!"
WRONG = "sai-mat-khau-rat-dac-biet-7741"
Scope = LoginFailure.Scope


@pytest.fixture
def focal() -> User:
    return User.objects.create_user("so_tp.dau_moi", password=PASSWORD)


def _sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password, "next": "/cycles/"},
        REMOTE_ADDR=address,
    )


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_passwords_are_hashed_with_argon2_and_old_pbkdf2_hashes_upgrade_at_sign_in() -> None:
    fresh = User.objects.create_user("moi", password=PASSWORD)
    assert fresh.password.startswith("argon2$argon2id$")
    old = User.objects.create_user("cu")
    from django.contrib.auth.hashers import make_password

    old.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    old.save()
    assert old.password.startswith("pbkdf2_sha256$")
    assert _sign_in(Client(), "cu", PASSWORD).status_code == 302
    old.refresh_from_db()
    assert old.password.startswith("argon2$")


def test_the_settings_put_argon2_first_and_keep_pbkdf2() -> None:
    from parindex.site import settings as site_settings

    assert site_settings.PASSWORD_HASHERS == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def test_right_password_signs_in_and_goes_to_next(focal: User) -> None:
    client = Client()
    response = _sign_in(client, "so_tp.dau_moi", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/cycles/"
    assert client.get("/accounts/").status_code == 200


def test_next_pointing_elsewhere_is_ignored(focal: User) -> None:
    response = Client().post(
        "/accounts/login/",
        {"username": "so_tp.dau_moi", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_five_failures_lock_the_username_even_with_the_right_password(focal: User) -> None:
    client = Client()
    for _ in range(4):
        response = _sign_in(client, "so_tp.dau_moi", WRONG)
        assert response.status_code == 200
        assert "không đúng" in response.content.decode() or "not right" in response.content.decode()
    fifth = _sign_in(client, "so_tp.dau_moi", WRONG)
    assert "thử lại sau" in fifth.content.decode()
    locked = _sign_in(client, "so_tp.dau_moi", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # from another office too: the lock is on the username
    assert _sign_in(Client(), "SO_TP.DAU_MOI", PASSWORD, address="10.9.9.9").status_code == 429
    assert LoginFailure.objects.filter(scope=Scope.USERNAME).count() == 5


def test_a_locked_unknown_username_reads_exactly_like_a_locked_real_one(focal: User) -> None:
    for name in ("so_tp.dau_moi", "khong_ton_tai"):
        for _ in range(5):
            _sign_in(Client(), name, WRONG)
    real = _sign_in(Client(), "so_tp.dau_moi", WRONG)
    unknown = _sign_in(Client(), "khong_ton_tai", WRONG)
    assert real.status_code == unknown.status_code == 429
    alert = re.compile(r'role="alert">([^<]*)<')
    said = [alert.findall(r.content.decode()) for r in (real, unknown)]
    assert len(said[0]) == 1
    assert re.sub(r"\d", "0", said[0][0]) == re.sub(r"\d", "0", said[1][0])


def test_the_lock_ends_after_the_cool_off_from_the_last_failure() -> None:
    start = timezone.now()
    for minute in range(5):
        throttling.failure_record(
            scope=Scope.USERNAME, value="a", now=start + timedelta(minutes=minute)
        )
    last = start + timedelta(minutes=4)
    cool_off = timedelta(seconds=settings.LOGIN_COOL_OFF_SECONDS)
    assert throttling.locked_until(scope=Scope.USERNAME, value="a", now=last) == last + cool_off
    assert (
        throttling.locked_until(
            scope=Scope.USERNAME, value="a", now=last + cool_off - timedelta(seconds=1)
        )
        == last + cool_off
    )
    assert throttling.locked_until(scope=Scope.USERNAME, value="a", now=last + cool_off) is None


def test_failures_spread_wider_than_the_window_do_not_lock() -> None:
    start = timezone.now() - timedelta(hours=1)
    for step in range(5):  # 5 failures over 20 minutes: never 5 within 15
        throttling.failure_record(
            scope=Scope.USERNAME, value="b", now=start + timedelta(minutes=5 * step)
        )
    assert (
        throttling.locked_until(scope=Scope.USERNAME, value="b", now=start + timedelta(minutes=20))
        is None
    )


def test_a_success_clears_the_username_count(focal: User) -> None:
    for _ in range(4):
        _sign_in(Client(), "so_tp.dau_moi", WRONG)
    assert _sign_in(Client(), "so_tp.dau_moi", PASSWORD).status_code == 302
    for _ in range(4):
        _sign_in(Client(), "so_tp.dau_moi", WRONG)
    assert _sign_in(Client(), "so_tp.dau_moi", PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURES_PER_ADDRESS=8)
def test_many_failures_from_one_address_lock_that_address_only(focal: User) -> None:
    for n in range(8):  # eight different usernames from one office
        _sign_in(Client(), f"nguoi_{n}", WRONG, address="203.0.113.7")
    assert _sign_in(Client(), "so_tp.dau_moi", PASSWORD, address="203.0.113.7").status_code == 429
    assert _sign_in(Client(), "so_tp.dau_moi", PASSWORD, address="203.0.113.8").status_code == 302


def test_the_address_limit_is_generous_by_default() -> None:
    assert settings.LOGIN_FAILURES_PER_ADDRESS == 50
    assert settings.LOGIN_FAILURES_PER_USERNAME == 5
    assert settings.LOGIN_FAILURE_WINDOW_SECONDS == 15 * 60
    assert settings.LOGIN_COOL_OFF_SECONDS == 15 * 60


@override_settings(CLIENT_ADDRESS_HEADER="HTTP_X_REAL_IP", LOGIN_FAILURES_PER_ADDRESS=3)
def test_behind_a_proxy_the_address_comes_from_its_header(focal: User) -> None:
    for n in range(3):
        Client().post(
            "/accounts/login/",
            {"username": f"x{n}", "password": WRONG},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_REAL_IP="198.51.100.4",
        )
    other = Client().post(
        "/accounts/login/",
        {"username": "so_tp.dau_moi", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="198.51.100.5",
    )
    assert other.status_code == 302


def test_the_session_ends_a_working_day_after_sign_in(focal: User) -> None:
    client = Client()
    before = timezone.now()
    _sign_in(client, "so_tp.dau_moi", PASSWORD)
    expiry = client.session.get_expiry_date()
    assert abs(expiry - before - timedelta(hours=8)) < timedelta(seconds=5)
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


def test_sign_out_needs_a_post(focal: User) -> None:
    client = Client()
    _sign_in(client, "so_tp.dau_moi", PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/").status_code == 302


def test_sign_out_everywhere_ends_the_other_devices_sessions(focal: User) -> None:
    office, phone = Client(), Client()
    _sign_in(office, "so_tp.dau_moi", PASSWORD)
    _sign_in(phone, "so_tp.dau_moi", PASSWORD, address="10.0.0.2")
    assert phone.get("/accounts/").status_code == 200
    response = office.post("/accounts/sign-out-everywhere/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert phone.get("/accounts/").status_code == 302
    assert office.get("/accounts/").status_code == 302
    focal.refresh_from_db()
    assert focal.session_generation == 1
    fresh = Client()
    _sign_in(fresh, "so_tp.dau_moi", PASSWORD)
    assert fresh.get("/accounts/").status_code == 200


def test_sign_out_everywhere_refuses_a_get(focal: User) -> None:
    client = Client()
    _sign_in(client, "so_tp.dau_moi", PASSWORD)
    assert client.get("/accounts/sign-out-everywhere/").status_code == 405
    assert client.get("/accounts/").status_code == 200


def test_a_password_change_keeps_this_session_and_ends_the_others(focal: User) -> None:
    here, there = Client(), Client()
    _sign_in(here, "so_tp.dau_moi", PASSWORD)
    _sign_in(there, "so_tp.dau_moi", PASSWORD)
    response = here.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Mật-khẩu-mới-2026!",
            "new_password2": "Mật-khẩu-mới-2026!",
        },
    )
    assert response.status_code == 302
    assert here.get("/accounts/").status_code == 200
    assert there.get("/accounts/").status_code == 302


def test_the_admin_sign_in_page_sends_to_the_site_sign_in() -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
