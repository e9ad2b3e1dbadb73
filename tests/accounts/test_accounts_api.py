"""The REST API: bearer tokens, the same permissions as the UI, public results without auth."""

from __future__ import annotations

import pytest
from django.test import Client

from parindex.accounts.models import ApiToken, Role
from parindex.accounts.tokens import api_token_create, api_token_revoke
from tests.factories import AuthorityFactory, MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_token_is_shown_once_and_kept_as_a_hash():
    membership = MembershipFactory(role=Role.SECRETARIAT)
    token, key = api_token_create(user=membership.user, name="máy chủ báo cáo")
    assert key.startswith("pi_")
    assert len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.key_hash, stored.prefix)
    assert stored.prefix == key[:8]


def test_me_answers_with_the_roles_of_the_token_user():
    membership = MembershipFactory(role=Role.FOCAL_POINT)
    _, key = api_token_create(user=membership.user, name="t")
    response = Client().get("/api/me", **bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == membership.user.username
    assert body["memberships"] == [
        {
            "authority": membership.authority.code,
            "role": "focal_point",
            "unit": membership.unit.code,
            "agency": "",
        }
    ]


def test_no_token_a_wrong_token_or_a_revoked_token_is_refused():
    membership = MembershipFactory()
    token, key = api_token_create(user=membership.user, name="t")
    client = Client()
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me", **bearer(key + "x")).status_code == 401
    assert client.get("/api/me", **bearer(key)).status_code == 200
    api_token_revoke(token=token)
    assert client.get("/api/me", **bearer(key)).status_code == 401


def test_units_of_another_authority_are_not_found():
    mine = MembershipFactory(role=Role.SECRETARIAT)
    UnitFactory(authority=mine.authority, code="SO_TP")
    other = AuthorityFactory(code="lao_cai")
    UnitFactory(authority=other, code="SO_X")
    _, key = api_token_create(user=mine.user, name="t")
    client = Client()
    listed = client.get(f"/api/authorities/{mine.authority.code}/units", **bearer(key))
    assert listed.status_code == 200
    assert [u["code"] for u in listed.json()] == ["SO_TP"]
    assert client.get("/api/authorities/lao_cai/units", **bearer(key)).status_code == 404


def test_a_unit_role_lists_only_its_own_unit():
    focal = MembershipFactory(role=Role.FOCAL_POINT)
    UnitFactory(authority=focal.authority, code="SO_KHAC")
    _, key = api_token_create(user=focal.user, name="t")
    listed = Client().get(f"/api/authorities/{focal.authority.code}/units", **bearer(key))
    assert [u["code"] for u in listed.json()] == [focal.unit.code]


def test_published_results_need_no_authentication():
    response = Client().get("/api/public/cycles")
    assert response.status_code == 200
    assert response.json() == []
    assert Client().get("/api/public/cycles/999/results").status_code == 404
